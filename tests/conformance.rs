//! badge reads the AWS shared config and credentials files as botocore
//! does, checked on the AWS SDKs' own test suites for those files
//! (`../shared/conformance/data/`, see its SOURCES.md: smithy-rs,
//! aws-sdk-kotlin, aws-c-sdkutils, botocore, aws-sdk-go-v2).
//!
//! The suites' expectations are not used: botocore is badge's contract,
//! and where it and a suite differ, botocore wins. Every config and
//! credentials text of the suites is written to a temporary HOME as it is,
//! with CRLF line ends, with its final newline toggled and with a UTF-8
//! byte order mark; `badge ls --json` must list exactly the profiles
//! botocore lists (`aws configure list-profiles`), in its order, with the
//! same source and fields, and warn exactly when botocore refuses the files.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use support::{Sandbox, python_module_available, python3, run};

/// One pair of files a suite gives (either may be absent).
#[derive(Clone, Debug)]
struct Case {
    label: String,
    config: Option<Vec<u8>>,
    credentials: Option<Vec<u8>>,
}

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/data");
    if dir.is_dir() {
        return Some(dir);
    }
    support::missing_data(&format!(
        "the AWS SDKs' profile-file suites ({}; CI copies shared/ next to the repository)",
        dir.display()
    ));
    None
}

/// The config and credentials texts of the JSON suites: `input.configFile`
/// and `input.credentialsFile` of each test.
fn json_suite(dir: &Path, file: &str, cases: &mut Vec<Case>) {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let suite: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let tests = suite["tests"].as_array().expect("a tests array");
    for (i, test) in tests.iter().enumerate() {
        let input = &test["input"];
        let get = |key: &str| input[key].as_str().map(|s| s.as_bytes().to_vec());
        let (config, credentials) = (get("configFile"), get("credentialsFile"));
        if config.is_none() && credentials.is_none() {
            continue;
        }
        let name = test["name"].as_str().unwrap_or("?");
        cases.push(Case {
            label: format!("{file} #{i} {name:?}"),
            config,
            credentials,
        });
    }
}

/// The suites' files that are config or credentials files themselves.
fn file_cases(dir: &Path, cases: &mut Vec<Case>) {
    let read = |path: &Path| fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut entries: Vec<PathBuf> = ["botocore/cfg", "aws-sdk-go-v2"]
        .iter()
        .flat_map(|sub| fs::read_dir(dir.join(sub)).expect("a suite folder"))
        .map(|entry| entry.expect("a file").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = read(&path);
        let credentials = name.contains("credentials");
        cases.push(Case {
            label: format!("{}", path.strip_prefix(dir).unwrap().display()),
            config: (!credentials).then(|| bytes.clone()),
            credentials: credentials.then_some(bytes),
        });
    }
    // botocore's own pair, as its tests load them together.
    cases.push(Case {
        label: "botocore/cfg/aws_config + aws_credentials".to_owned(),
        config: Some(read(&dir.join("botocore/cfg/aws_config"))),
        credentials: Some(read(&dir.join("botocore/cfg/aws_credentials"))),
    });
}

/// The ways a user's editor may have left the same text.
fn variants(case: &Case) -> Vec<Case> {
    type Change = fn(&[u8]) -> Vec<u8>;
    let crlf: Change = |b| {
        let text = String::from_utf8_lossy(b).replace("\r\n", "\n");
        if std::str::from_utf8(b).is_err() {
            return b.to_vec();
        }
        text.replace('\n', "\r\n").into_bytes()
    };
    let toggle: Change = |b| match b.last() {
        Some(b'\n') => b[..b.len() - 1].to_vec(),
        _ => [b, b"\n"].concat(),
    };
    let bom: Change = |b| [&b"\xef\xbb\xbf"[..], b].concat();
    let changes: [(&str, Option<Change>); 4] = [
        ("as it is", None),
        ("CRLF", Some(crlf)),
        ("final newline toggled", Some(toggle)),
        ("with a BOM", Some(bom)),
    ];
    changes
        .iter()
        .map(|(what, change)| Case {
            label: format!("{} ({what})", case.label),
            config: case
                .config
                .as_deref()
                .map(|b| change.map_or(b.to_vec(), |f| f(b))),
            credentials: case
                .credentials
                .as_deref()
                .map(|b| change.map_or(b.to_vec(), |f| f(b))),
        })
        .collect()
}

/// botocore's reading of every case folder under `root`, by folder name.
fn botocore_readings(sandbox: &Sandbox, root: &Path) -> BTreeMap<String, Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/py/conformance.py");
    let mut cmd = python3();
    cmd.env("HOME", sandbox.home()).arg(script).arg(root);
    // Some 800 files in one python3: ~10 s on a quiet machine, several
    // times that on a loaded one, far from a hang.
    let out = support::run_within(cmd, "python3 conformance.py", Duration::from_secs(300));
    assert!(out.status.success(), "botocore failed:\n{}", out.report());
    out.stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("one JSON object a line");
            (value["case"].as_str().unwrap().to_owned(), value)
        })
        .collect()
}

/// What `badge ls --json` says of a case folder: its profiles (the fields
/// botocore has) and whether it warned that the AWS CLI refuses the files.
fn badge_reading(sandbox: &Sandbox, folder: &Path) -> (Option<Vec<Value>>, bool, String) {
    let mut cmd = sandbox.badge();
    cmd.args(["ls", "--json"])
        .env("AWS_CONFIG_FILE", folder.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", folder.join("credentials"));
    let out = run(cmd, "badge ls --json");
    let warned = out.stderr.contains("so the AWS CLI cannot read this file");
    let listed: Option<Vec<Value>> =
        serde_json::from_str::<Vec<Value>>(&out.stdout)
            .ok()
            .map(|items| {
                items
                    .into_iter()
                    .map(|p| {
                        let keep = [
                            "name",
                            "source",
                            "sso_session",
                            "account_id",
                            "account_name",
                            "role_name",
                            "region",
                        ];
                        Value::Object(keep.iter().map(|k| (k.to_string(), p[k].clone())).collect())
                    })
                    .collect()
            });
    (listed, warned, out.report())
}

#[test]
fn badge_lists_every_suite_file_as_botocore_does() {
    let Some(dir) = data_dir() else {
        return;
    };
    if !python_module_available("botocore") {
        return;
    }
    let mut cases = Vec::new();
    for file in [
        "smithy-rs/profile-parser-tests.json",
        "aws-sdk-kotlin/parser-tests.json",
        "aws-c-sdkutils/profile-tests.json",
    ] {
        json_suite(&dir, file, &mut cases);
    }
    file_cases(&dir, &mut cases);
    assert!(cases.len() > 150, "only {} cases read", cases.len());
    let cases: Vec<Case> = cases.iter().flat_map(variants).collect();

    let sandbox = Sandbox::new("");
    let root = sandbox.home().join("cases");
    for (i, case) in cases.iter().enumerate() {
        let folder = root.join(format!("{i:04}"));
        fs::create_dir_all(&folder).unwrap();
        if let Some(bytes) = &case.config {
            fs::write(folder.join("config"), bytes).unwrap();
        }
        if let Some(bytes) = &case.credentials {
            fs::write(folder.join("credentials"), bytes).unwrap();
        }
    }
    let readings = botocore_readings(&sandbox, &root);
    let mut wrong = Vec::new();
    let mut refused = 0;
    for (i, case) in cases.iter().enumerate() {
        let id = format!("{i:04}");
        let botocore = &readings[&id];
        let (listed, warned, report) = badge_reading(&sandbox, &root.join(&id));
        let refuses = botocore.get("refused").is_some();
        refused += usize::from(refuses);
        if refuses != warned {
            wrong.push(format!(
                "{}: botocore {}, badge {}\n{report}",
                case.label,
                if refuses {
                    "refuses the files"
                } else {
                    "reads them"
                },
                if warned {
                    "warns that it refuses them"
                } else {
                    "does not warn"
                },
            ));
            continue;
        }
        if refuses {
            continue;
        }
        let expected = botocore["profiles"].as_array().cloned().unwrap_or_default();
        if listed.as_ref() != Some(&expected) {
            wrong.push(format!(
                "{}:\n  botocore: {}\n  badge:    {}\n{report}",
                case.label,
                Value::Array(expected),
                listed.map_or("no JSON".to_owned(), |l| Value::Array(l).to_string()),
            ));
        }
    }
    eprintln!(
        "{} cases ({} texts × 4 forms), botocore refused {refused}",
        cases.len(),
        cases.len() / 4
    );
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ from botocore:\n\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n\n")
    );
}

/// The file-location suites (smithy-rs, aws-sdk-kotlin; the Linux cases):
/// with each case's HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and
/// AWS_PROFILE, `badge ls` reads the files botocore reads and `badge
/// current` names the profile botocore selects. Each file the case expects
/// holds a profile named after it, and the other place a decoy.
#[test]
fn badge_finds_the_files_and_the_profile_as_botocore_does() {
    let Some(dir) = data_dir() else {
        return;
    };
    if !python_module_available("botocore") {
        return;
    }
    let script = "import json, botocore.session\n\
        s = botocore.session.Session()\n\
        print(json.dumps({'profiles': list(s.available_profiles), 'profile': s.profile}))";
    let mut checked = 0;
    for file in [
        "smithy-rs/file-location-tests.json",
        "aws-sdk-kotlin/loader-tests.json",
    ] {
        let suite: Value =
            serde_json::from_str(&fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        for test in suite["tests"].as_array().unwrap() {
            let name = test["name"].as_str().unwrap_or("?");
            let env = test["environment"].as_object().unwrap();
            // Not Linux, or no HOME: botocore would read this machine's own
            // home (from the password database), which a test must not.
            if test["platform"] != "linux" || !env.contains_key("HOME") {
                continue;
            }
            let sandbox = Sandbox::new("");
            let root = sandbox.home().display().to_string();
            let place = |path: &str| format!("{root}{path}");
            let mut vars: Vec<(String, String)> = env
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .map(|(k, v)| {
                    let v = if v.starts_with('/') { place(&v) } else { v };
                    (k, v)
                })
                .collect();
            vars.push(("PATH".to_owned(), std::env::var("PATH").unwrap_or_default()));
            let config = place(test["configLocation"].as_str().unwrap());
            let credentials = place(test["credentialsLocation"].as_str().unwrap());
            for (path, section) in [
                (&config, "[profile in-config]\n"),
                (&credentials, "[in-credentials]\n"),
            ] {
                fs::create_dir_all(Path::new(path).parent().unwrap()).unwrap();
                fs::write(path, section).unwrap();
            }
            // Decoys where the default files would be.
            let home = vars.iter().find(|(k, _)| k == "HOME").unwrap().1.clone();
            for (default, section) in [
                (format!("{home}/.aws/config"), "[profile decoy-config]\n"),
                (format!("{home}/.aws/credentials"), "[decoy-credentials]\n"),
            ] {
                if default != config && default != credentials {
                    fs::create_dir_all(Path::new(&default).parent().unwrap()).unwrap();
                    fs::write(&default, section).unwrap();
                }
            }
            let mut py = python3();
            py.envs(vars.iter().map(|(k, v)| (k, v)))
                .args(["-c", script]);
            let botocore = run(py, format!("botocore for {name}"));
            assert!(botocore.status.success(), "{}", botocore.report());
            let botocore: Value = serde_json::from_str(&botocore.stdout).unwrap();

            let badge = |args: &[&str]| {
                let mut cmd = std::process::Command::new(support::badge_bin());
                cmd.env_clear()
                    .envs(vars.iter().map(|(k, v)| (k, v)))
                    .args(args)
                    .stdin(std::process::Stdio::null());
                run(cmd, format!("badge {} for {name}", args.join(" ")))
            };
            let ls: Vec<Value> = serde_json::from_str(&badge(&["ls", "--json"]).stdout).unwrap();
            let names: Vec<&str> = ls.iter().map(|p| p["name"].as_str().unwrap()).collect();
            assert_eq!(
                Value::from(names.clone()),
                botocore["profiles"],
                "{file}: {name}: the files read"
            );
            let current: Value =
                serde_json::from_str(&badge(&["current", "--json"]).stdout).unwrap();
            assert_eq!(
                current["profile"], botocore["profile"],
                "{file}: {name}: the profile selected"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} location cases ran");
}
