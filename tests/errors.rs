//! The bad input table of `docs/errors.md`, case by case, through the real
//! binary in a temporary HOME (and, for the network cases, against the
//! Identity Center emulator on 127.0.0.1).
//!
//! Every error case checks the same contract: exit code 1, exactly one line
//! on stderr, starting `badge: `, equal to the message the table shows,
//! nothing on stdout, no panic and no Rust debug text, and not one byte,
//! mode or link of the whole HOME changed. The table must quote each message
//! exactly as a run prints it (with the HOME folder as `~` and the
//! emulator's port as `PORT`), so the documentation cannot drift from what
//! users see. Cases where badge, like the AWS tools, goes on (with a
//! warning) are checked too.

mod support;

use badge_emulator as emulator;

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use emulator::{Account, Emulator, EmulatorOptions, ForcedError, Hostile, Org};
use support::{Run, Sandbox, run};

/// `~/.aws/sso/cache/<sha1("acme")>.json`.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const REGION: &str = "eu-west-1";

/// A config with one session and a hand-written profile on it; `{URL}` is
/// the start URL.
const CONFIG: &str = "\
# my AWS config
[sso-session acme]
sso_start_url = {URL}
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile p]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
";

const START_URL: &str = "https://acme.awsapps.com/start";

fn config(start_url: &str) -> String {
    CONFIG.replace("{URL}", start_url)
}

// ---- the contract ---------------------------------------------------------

/// Everything under a folder: file bytes and modes, folder modes, link
/// targets. Compared before and after a failing command.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    File { mode: u32, bytes: Vec<u8> },
    Dir { mode: u32 },
    Link(PathBuf),
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                out.insert(relative, Entry::Link(std::fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(relative, Entry::Dir { mode });
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(relative, Entry::File { mode, bytes });
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Text that would mean a panic, a backtrace or Rust's debug formatting
/// reached the user.
const NOT_FOR_USERS: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "stack backtrace",
    "please report it",
    "Some(",
    "None,",
    "Error {",
    "Error(",
    " { ",
    "kind: ",
    "os error",
    "Unhandled",
    "DispatchFailure",
    "ConnectorError",
];

#[track_caller]
fn assert_for_users(run: &Run) {
    for bad in NOT_FOR_USERS {
        assert!(
            !run.stderr.contains(bad),
            "stderr shows {bad:?}, which is not for users\n{}",
            run.report()
        );
    }
}

/// The line as the table shows it: HOME as `~`, the emulator's (or a
/// closed) port on 127.0.0.1 as `PORT`.
fn normalise(text: &str, home: &Path) -> String {
    let mut text = text.replace(&home.display().to_string(), "~");
    // How long attempts took varies from run to run.
    let marker = " attempts in ";
    let mut from = 0;
    while let Some(at) = text[from..].find(marker) {
        let start = from + at + marker.len();
        let len = text[start..]
            .find(|c: char| !(c.is_ascii_digit() || "ms.".contains(c)))
            .unwrap_or(text.len() - start);
        text.replace_range(start..start + len, "TIME");
        from = start + 4;
    }
    let marker = "http://127.0.0.1:";
    let mut from = 0;
    while let Some(at) = text[from..].find(marker) {
        let start = from + at + marker.len();
        let digits = text[start..].bytes().take_while(u8::is_ascii_digit).count();
        text.replace_range(start..start + digits, "PORT");
        from = start + 4;
    }
    text
}

/// The lines of `docs/errors.md`.
fn documented() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Set to a file name, the tests append the lines they expect there
/// instead of looking them up in `docs/errors.md`: the raw material for
/// updating the table after a message changed.
const COLLECT_VAR: &str = "BADGE_ERRORS_COLLECT";

#[track_caller]
fn assert_documented(line: &str) {
    if let Some(path) = std::env::var_os(COLLECT_VAR) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("open the collect file");
        writeln!(
            file,
            "{}\t{line}",
            std::thread::current().name().unwrap_or("?")
        )
        .expect("write the collect file");
        return;
    }
    assert!(
        documented().iter().any(|l| l == line),
        "docs/errors.md does not show this line exactly (as a line of its own):\n{line}"
    );
}

/// `badge ARGS` in `sandbox`, with `env` on top of its environment.
fn badge(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = sandbox.badge();
    cmd.args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    run(cmd, format!("badge {}", args.join(" ")))
}

/// Runs `badge ARGS` and checks the whole contract of an error: exit 1, the
/// one `expected` line (normalised) on stderr, nothing on stdout, nothing
/// for developers, the HOME unchanged, and the line in the table.
#[track_caller]
fn expect_error(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)], expected: &str) -> Run {
    expect_exit(1, sandbox, args, env, expected)
}

/// [`expect_error`] for a usage error: exit 2.
#[track_caller]
fn expect_usage_error(
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    expected: &str,
) -> Run {
    expect_exit(2, sandbox, args, env, expected)
}

#[track_caller]
fn expect_exit(
    code: i32,
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    expected: &str,
) -> Run {
    let before = snapshot(sandbox.home());
    let run = badge(sandbox, args, env);
    check_exit(code, sandbox, args, before, run, expected)
}

/// [`expect_error`] for a run that does a lot of work before it fails:
/// it may take up to `limit` (and the test checks how long it took).
#[track_caller]
fn expect_error_within(
    limit: Duration,
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    expected: &str,
) -> Run {
    let before = snapshot(sandbox.home());
    let mut cmd = sandbox.badge();
    cmd.args(args).envs(env.iter().copied());
    let run = support::run_within(cmd, format!("badge {}", args.join(" ")), limit);
    check_exit(1, sandbox, args, before, run, expected)
}

#[track_caller]
fn check_exit(
    code: i32,
    sandbox: &Sandbox,
    args: &[&str],
    before: BTreeMap<PathBuf, Entry>,
    run: Run,
    expected: &str,
) -> Run {
    assert_eq!(run.code(), Some(code), "exit code\n{}", run.report());
    assert_for_users(&run);
    assert!(
        run.stdout.is_empty(),
        "stdout must stay empty\n{}",
        run.report()
    );
    let got = normalise(&run.stderr, sandbox.home());
    assert_eq!(
        got,
        format!("{expected}\n"),
        "stderr must be the one line of the table\n{}",
        run.report()
    );
    assert!(
        snapshot(sandbox.home()) == before,
        "badge {} changed files in HOME\n{}",
        args.join(" "),
        run.report()
    );
    assert_documented(expected);
    run
}

/// Runs `badge ARGS`, which must succeed with exactly the `expected`
/// stderr lines (normalised, each in the table) and change nothing.
#[track_caller]
fn expect_success_saying(
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    expected: &[&str],
) -> Run {
    let before = snapshot(sandbox.home());
    let run = badge(sandbox, args, env);
    assert_eq!(run.code(), Some(0), "exit code\n{}", run.report());
    assert_for_users(&run);
    let got = normalise(&run.stderr, sandbox.home());
    let want: String = expected.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(got, want, "stderr\n{}", run.report());
    assert!(
        snapshot(sandbox.home()) == before,
        "badge {} changed files in HOME\n{}",
        args.join(" "),
        run.report()
    );
    for line in expected {
        assert_documented(line);
    }
    run
}

/// The environment of the shell function, for switching commands.
const HOOK: &[(&str, &str)] = &[("__BADGE_SHELL", "bash")];

/// A sandbox whose config is `text` and whose acme token is valid. AWS is
/// the discard port of 127.0.0.1: these cases must stop before any request,
/// and if one did not, it would not leave the machine.
fn sandbox_with(text: impl AsRef<[u8]>) -> Sandbox {
    let mut sandbox = Sandbox::new("");
    sandbox.write(".aws/config", text);
    sandbox
        .set_env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .set_env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
    sandbox
}

// ---- the config file's content -------------------------------------------

/// Whether botocore (the AWS CLI, boto3) reads each file of `paths`.
fn botocore_reads(sandbox: &Sandbox, paths: &[PathBuf]) -> Vec<bool> {
    const SCRIPT: &str = "
import sys
import botocore.configloader as loader
for path in sys.argv[1:]:
    try:
        loader.raw_config_parse(path)
        print('reads')
    except Exception:
        print('refuses')
";
    let mut cmd = sandbox.python3();
    cmd.args(["-c", SCRIPT]).args(paths).env("PYTHONUTF8", "1");
    let out = run(cmd, "python3 botocore raw_config_parse");
    let verdicts: Vec<bool> = out
        .stdout
        .lines()
        .map_while(|line| match line {
            "reads" => Some(true),
            "refuses" => Some(false),
            _ => None,
        })
        .collect();
    assert!(
        out.status.success() && verdicts.len() == paths.len(),
        "botocore gave no verdict for every file\n{}",
        out.report()
    );
    verdicts
}

#[track_caller]
fn assert_botocore_refuses(sandbox: &Sandbox) {
    if support::python_module_available("botocore") {
        let reads = botocore_reads(sandbox, &[sandbox.config_path()]);
        assert!(!reads[0], "botocore reads this file, so badge must too");
    }
}

/// A file the AWS CLI refuses: badge will not write to it, and the reading
/// commands say so once and go on.
fn refused_config(text: &[u8], sync: &str, session_add: &str, warning: &str) {
    let sandbox = sandbox_with(text);
    assert_botocore_refuses(&sandbox);
    expect_error(&sandbox, &["sync"], &[], sync);
    expect_error(
        &sandbox,
        &[
            "session",
            "add",
            "acme",
            "--start-url",
            START_URL,
            "--region",
            REGION,
        ],
        &[],
        session_add,
    );
    let ls = expect_success_saying(&sandbox, &["ls"], &[], &[warning]);
    assert!(ls.stdout.contains("p "), "{}", ls.report());
    expect_success_saying(&sandbox, &["current"], &[("AWS_PROFILE", "p")], &[warning]);
    let login = badge(&sandbox, &["login", "--sso-session", "acme"], &[]);
    assert_eq!(login.code(), Some(0), "{}", login.report());
    assert_eq!(
        normalise(
            login.stderr.lines().next().unwrap_or_default(),
            sandbox.home()
        ),
        warning,
        "{}",
        login.report()
    );
    // Switching stays quiet and fast: it reads what it needs and goes on.
    let switched = expect_success_saying(&sandbox, &["use", "p"], HOOK, &[]);
    assert!(
        switched.stdout.contains("export AWS_PROFILE='p'"),
        "{}",
        switched.report()
    );
}

#[test]
fn malformed_line() {
    let text = format!("{}this line is junk\n", config(START_URL));
    refused_config(
        text.as_bytes(),
        "badge: ~/.aws/config: line 12 is not a [section] header, a key = value line or a comment, so the AWS CLI cannot read this file and `badge sync` will not change it; fix or delete that line, then run `badge sync` again",
        "badge: ~/.aws/config: line 12 is not a [section] header, a key = value line or a comment, so the AWS CLI cannot read this file and `badge session add` will not change it; fix or delete that line, then run `badge session add` again",
        "badge: warning: ~/.aws/config: line 12 is not a [section] header, a key = value line or a comment, so the AWS CLI cannot read this file; fix or delete that line",
    );
}

#[test]
fn text_before_the_first_section() {
    let text = format!("region = eu-west-1\n{}", config(START_URL));
    refused_config(
        text.as_bytes(),
        "badge: ~/.aws/config: line 1 comes before the first [section] header, so the AWS CLI cannot read this file and `badge sync` will not change it; move that line under a [section] header or delete it, then run `badge sync` again",
        "badge: ~/.aws/config: line 1 comes before the first [section] header, so the AWS CLI cannot read this file and `badge session add` will not change it; move that line under a [section] header or delete it, then run `badge session add` again",
        "badge: warning: ~/.aws/config: line 1 comes before the first [section] header, so the AWS CLI cannot read this file; move that line under a [section] header or delete it",
    );
}

#[test]
fn duplicate_sections() {
    let text = format!("{}\n[profile p]\nregion = us-east-1\n", config(START_URL));
    refused_config(
        text.as_bytes(),
        "badge: ~/.aws/config: [profile p] appears twice (lines 7 and 13), so the AWS CLI cannot read this file and `badge sync` will not change it; merge the two sections, then run `badge sync` again",
        "badge: ~/.aws/config: [profile p] appears twice (lines 7 and 13), so the AWS CLI cannot read this file and `badge session add` will not change it; merge the two sections, then run `badge session add` again",
        "badge: warning: ~/.aws/config: [profile p] appears twice (lines 7 and 13), so the AWS CLI cannot read this file; merge the two sections",
    );
}

#[test]
fn duplicate_keys() {
    let text = format!("{}Region = us-east-1\n", config(START_URL));
    refused_config(
        text.as_bytes(),
        "badge: ~/.aws/config: region is set twice in [profile p] (lines 11 and 12), so the AWS CLI cannot read this file and `badge sync` will not change it; delete one of the two lines, then run `badge sync` again",
        "badge: ~/.aws/config: region is set twice in [profile p] (lines 11 and 12), so the AWS CLI cannot read this file and `badge session add` will not change it; delete one of the two lines, then run `badge session add` again",
        "badge: warning: ~/.aws/config: region is set twice in [profile p] (lines 11 and 12), so the AWS CLI cannot read this file; delete one of the two lines",
    );
}

#[test]
fn config_that_is_not_utf8() {
    let mut text = config(START_URL).into_bytes();
    text.extend_from_slice(b"# caf\xe9 in Latin-1\n");
    refused_config(
        &text,
        "badge: ~/.aws/config: line 12 is not UTF-8 text, so the AWS CLI cannot read this file and `badge sync` will not change it; save it as UTF-8, then run `badge sync` again",
        "badge: ~/.aws/config: line 12 is not UTF-8 text, so the AWS CLI cannot read this file and `badge session add` will not change it; save it as UTF-8, then run `badge session add` again",
        "badge: warning: ~/.aws/config: line 12 is not UTF-8 text, so the AWS CLI cannot read this file; save it as UTF-8",
    );
}

#[test]
fn nested_block_split_by_a_line_break_of_python() {
    // A vertical tab pasted into an `s3 =` block: one line for badge and
    // configparser, two for the str.splitlines() of botocore.
    let text = format!(
        "{}s3 =\n    addressing_style = path\x0bsignature_version s3v4\n",
        config(START_URL)
    );
    refused_config(
        text.as_bytes(),
        "badge: ~/.aws/config: line 13 of the nested `s3 =` block has a U+000B character, at which Python splits it into a part without `=`, so the AWS CLI cannot read this file and `badge sync` will not change it; delete that character, then run `badge sync` again",
        "badge: ~/.aws/config: line 13 of the nested `s3 =` block has a U+000B character, at which Python splits it into a part without `=`, so the AWS CLI cannot read this file and `badge session add` will not change it; delete that character, then run `badge session add` again",
        "badge: warning: ~/.aws/config: line 13 of the nested `s3 =` block has a U+000B character, at which Python splits it into a part without `=`, so the AWS CLI cannot read this file; delete that character",
    );
}

#[test]
fn badge_refuses_exactly_the_files_botocore_refuses() {
    if !support::python_module_available("botocore") {
        return;
    }
    let samples: &[&[u8]] = &[
        b"[a]\nk = v\n",
        b"[a]\nk = v\njunk\n",
        b"junk\n[a]\n",
        b"\xef\xbb\xbf[a]\nk = v\n",
        b"[a]\n= v\n",
        b"[a]\nk: v\n",
        b"[a]\n[a]\n",
        b"[a]\nk = 1\nK = 2\n",
        b"[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n[a]\n",
        b"[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n",
        b"[a]\ns3 =\n  max = 1\n\n  style = path\n",
        b"[a]\ns3 =\n  max = 1\n  junk\n",
        b"[a]\nk = first\n  continued without equals\n",
        b"[a]\nk = v\n  [b]\n",
        b"  [a]\n  k = v\n[b]\n",
        b"[a]junk\nk = v\n",
        b"[]\n",
        b"[]]\nk = v\n",
        b"[a]\r\nk = v\r\n[b]\rk = v\r",
        b"[a]\n\x0ck = v\n",
        b"[a]\nk = v\n\xc3\x28\n",
        b"# only a comment\n",
        b"",
        b"[a]\n  # indented comment\n;another\nk = v\n",
        b"[profile a]\nregion = x\n[profile  a]\n",
        b"[a]\nk\xc2\xa0= v\nk = w\n",
        b"[a]\nk:v=w\nk = x\n",
        b"[a]\n\tk = v\n",
        b"[a]\nk =\n\tsub = 1\n\xe2\x80\x83junk\n",
        b"[a]\nk = v\n\x1cjunk\n",
        b"[a]\r\n\r\nk = v\r\n\r\n  more\r\n",
        b"[a]\nk = v\n  \n  ;comment\n  [b]\nk = w\n",
        b"[profile \"a b\"]\nregion = x\n[profile a b]\n",
        b"[a] \n[a]\n",
        // Python's str.splitlines() breaks a nested block's text at these
        // (not at \x1f, nor at other spaces); configparser does not.
        b"[a]\ns3 =\n  x = 1\x0bjunk\n",
        b"[a]\ns3 =\n  x = 1\x0by = 2\n",
        b"[a]\ns3 =\n  x\x0c= 1\n",
        b"[a]\ns3 =\n  x = 1\x1c\n",
        b"[a]\ns3 =\n  x = 1\x1djunk\n",
        b"[a]\ns3 =\n  x = 1\x1ejunk\n",
        b"[a]\ns3 =\n  x = 1\x1fjunk\n",
        b"[a]\ns3 =\n  x = 1\xc2\x85junk\n",
        b"[a]\ns3 =\n  x = 1\xe2\x80\xa8junk\n",
        b"[a]\ns3 =\n  x = 1\xe2\x80\xa9junk\n",
        b"[a]\ns3 =\n  x = 1\xc2\xa0junk\n",
        b"[a]\ns3 =\x0b\n  x = 1\n",
        b"[a]\ns3 =\n\x0cx = 1\n",
        b"[a]\nk = v\x0bjunk\n",
        b"[a]\nk = first\n  more\xe2\x80\xa8junk\n",
        b"[DEFAULT]\ns3 =\n  x = 1\x0cjunk\n[b]\n",
        b"[DEFAULT]\ns3 =\n  x = 1\x0cjunk\n",
    ];
    let sandbox = sandbox_with("");
    let files: Vec<PathBuf> = (0..samples.len())
        .map(|i| sandbox.write(&format!("samples/{i}"), samples[i]))
        .collect();
    let verdicts = botocore_reads(&sandbox, &files);
    for (sample, reads) in samples.iter().zip(verdicts) {
        std::fs::write(sandbox.config_path(), sample).unwrap();
        let run = badge(&sandbox, &["sync"], &[]);
        let refused = run.stderr.contains("so the AWS CLI cannot read this file");
        assert_eq!(
            refused,
            !reads,
            "botocore {} {:?}, badge disagrees\n{}",
            if reads { "reads" } else { "refuses" },
            String::from_utf8_lossy(sample),
            run.report()
        );
    }
}

// ---- what is at the config's path -----------------------------------------

/// Every command that reads the config says what is wrong with the path.
fn every_reader_fails(sandbox: &Sandbox, expected: &str) {
    for (args, env) in [
        (&["ls"][..], &[][..]),
        (&["use", "p"][..], HOOK),
        (&["current"][..], &[("AWS_PROFILE", "p")][..]),
        (&["login", "--sso-session", "acme"][..], &[][..]),
        (&["sync"][..], &[][..]),
        (
            &[
                "session",
                "add",
                "acme",
                "--start-url",
                START_URL,
                "--region",
                REGION,
            ][..],
            &[][..],
        ),
    ] {
        expect_error(sandbox, args, env, expected);
    }
}

#[test]
fn config_is_a_folder() {
    let sandbox = sandbox_with("");
    std::fs::remove_file(sandbox.config_path()).unwrap();
    std::fs::create_dir(sandbox.config_path()).unwrap();
    every_reader_fails(
        &sandbox,
        "badge: ~/.aws/config is a folder, not a file; move it out of the way or point AWS_CONFIG_FILE at your file",
    );
}

#[test]
fn config_is_a_dangling_symlink() {
    let sandbox = sandbox_with("");
    std::fs::remove_file(sandbox.config_path()).unwrap();
    symlink(
        sandbox.home().join("dotfiles/aws/config"),
        sandbox.config_path(),
    )
    .unwrap();
    every_reader_fails(
        &sandbox,
        "badge: ~/.aws/config is a symlink to ~/dotfiles/aws/config, which does not exist; restore that file, or remove the link with `rm ~/.aws/config`",
    );
    // A relative link, as dotfile managers make them: shown as a full path.
    std::fs::remove_file(sandbox.config_path()).unwrap();
    symlink("../dotfiles/./aws/config", sandbox.config_path()).unwrap();
    every_reader_fails(
        &sandbox,
        "badge: ~/.aws/config is a symlink to ~/dotfiles/aws/config, which does not exist; restore that file, or remove the link with `rm ~/.aws/config`",
    );
}

#[test]
fn credentials_file_is_a_folder() {
    let sandbox = sandbox_with(config(START_URL));
    std::fs::create_dir(sandbox.home().join(".aws/credentials")).unwrap();
    let expected = "badge: ~/.aws/credentials is a folder, not a file; move it out of the way or point AWS_SHARED_CREDENTIALS_FILE at your file";
    expect_error(&sandbox, &["ls"], &[], expected);
    expect_error(&sandbox, &["use", "p"], HOOK, expected);
    expect_error(&sandbox, &["sync"], &[], expected);
}

#[test]
fn read_only_config() {
    let sandbox = sandbox_with(config(START_URL));
    std::fs::set_permissions(
        sandbox.config_path(),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    expect_error(
        &sandbox,
        &["sync"],
        &[],
        "badge: ~/.aws/config is read-only (mode 0444), so `badge sync` will not change it; make it writable with `chmod u+w ~/.aws/config`",
    );
    expect_error(
        &sandbox,
        &["session", "add", "acme", "--region", "us-east-1"],
        &[],
        "badge: ~/.aws/config is read-only (mode 0444), so `badge session add` will not change it; make it writable with `chmod u+w ~/.aws/config`",
    );
    // Reading it is fine.
    expect_success_saying(&sandbox, &["ls"], &[], &[]);
    expect_success_saying(&sandbox, &["use", "p"], HOOK, &[]);
}

#[test]
fn unreadable_config() {
    // Root reads any file, so only another user can see this error.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        eprintln!("SKIPPED: running as root, which can read any file");
        return;
    }
    let sandbox = sandbox_with(config(START_URL));
    std::fs::set_permissions(
        sandbox.config_path(),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let expected = "badge: cannot read ~/.aws/config: permission denied; make it readable with `chmod u+r ~/.aws/config`";
    expect_error(&sandbox, &["ls"], &[], expected);
    expect_error(&sandbox, &["sync"], &[], expected);
}

#[test]
fn home_unset() {
    let mut sandbox = sandbox_with(config(START_URL));
    sandbox.remove_env("HOME");
    let expected = "badge: HOME is not set, so ~/.aws cannot be found; set HOME or AWS_CONFIG_FILE";
    expect_error(&sandbox, &["ls"], &[], expected);
    expect_error(&sandbox, &["use", "p"], HOOK, expected);
    expect_error(&sandbox, &["sync"], &[], expected);
    expect_error(&sandbox, &["login"], &[], expected);

    // With the config named, the commands that need more from HOME say what.
    let config = sandbox.config_path();
    sandbox.set_env("AWS_CONFIG_FILE", &config);
    sandbox.set_env(
        "AWS_SHARED_CREDENTIALS_FILE",
        sandbox.home().join(".aws/credentials"),
    );
    expect_error(
        &sandbox,
        &["sync"],
        &[],
        "badge: HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be found; set HOME",
    );
    expect_error(
        &sandbox,
        &["session", "add", "acme", "--region", "us-east-1"],
        &[],
        "badge: HOME is not set, so badge has no folder for its lock and backups (~/.local/state/badge); set HOME to your home folder",
    );
    // Switching needs nothing else from HOME (without the token cache, it
    // cannot tell whether the session is signed in).
    let switched = badge(&sandbox, &["use", "p"], HOOK);
    assert_eq!(switched.code(), Some(0), "{}", switched.report());
    assert!(switched.stdout.contains("export AWS_PROFILE='p'"));
}

// ---- variables of other tools ------------------------------------------------

/// What botocore makes of the sandbox's environment with `env` on top: the
/// profile it uses (`null` for none) and the profiles it lists.
fn botocore_view(sandbox: &Sandbox, env: &[(&str, &str)]) -> serde_json::Value {
    const SCRIPT: &str = "
import json, botocore.session
s = botocore.session.Session()
print(json.dumps({'profile': s.profile, 'profiles': sorted(s.available_profiles)}))
";
    let mut cmd = sandbox.python3();
    cmd.env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE");
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.args(["-c", SCRIPT]);
    let out = run(cmd, "python3 botocore session");
    assert!(out.status.success(), "{}", out.report());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.report()))
}

/// `badge current --json` names the profile botocore uses, and the variable
/// it comes from, for every way the two variables can be set; an empty one
/// means a profile named "" to botocore, which no file defines.
#[test]
fn current_names_the_profile_botocore_uses() {
    if !support::python_module_available("botocore") {
        return;
    }
    let sandbox = sandbox_with(format!(
        "{}\n[profile q]\nregion = us-east-1\n",
        config(START_URL)
    ));
    // The environment, the variable the profile comes from, the error.
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);
    let cases: &[Case] = &[
        (&[("AWS_PROFILE", "p")], Some("AWS_PROFILE"), None),
        (
            &[("AWS_DEFAULT_PROFILE", "q"), ("AWS_PROFILE", "p")],
            Some("AWS_DEFAULT_PROFILE"),
            None,
        ),
        (
            &[("AWS_DEFAULT_PROFILE", "q")],
            Some("AWS_DEFAULT_PROFILE"),
            None,
        ),
        (
            &[("AWS_DEFAULT_PROFILE", ""), ("AWS_PROFILE", "p")],
            Some("AWS_DEFAULT_PROFILE"),
            Some(
                "badge: AWS_DEFAULT_PROFILE is set but empty, so botocore and boto3 look for a profile named \"\", which no file defines; remove it with `unset AWS_DEFAULT_PROFILE` (switching with `badge NAME` removes it too)",
            ),
        ),
        (
            &[("AWS_PROFILE", "")],
            Some("AWS_PROFILE"),
            Some(
                "badge: AWS_PROFILE is set but empty, so the AWS CLI and SDKs look for a profile named \"\", which no file defines; choose a profile with `badge`, or `unset AWS_PROFILE`",
            ),
        ),
        (&[], None, None),
    ];
    for (env, from, error) in cases {
        let botocore = botocore_view(&sandbox, env);
        let current = badge(&sandbox, &["current", "--json"], env);
        assert_for_users(&current);
        let json: serde_json::Value = serde_json::from_str(&current.stdout)
            .unwrap_or_else(|e| panic!("{e}\n{}", current.report()));
        assert_eq!(
            json["profile"],
            botocore["profile"],
            "{env:?}\n{}",
            current.report()
        );
        match from {
            Some(var) => assert_eq!(json["profile_from"], *var, "{env:?}\n{}", current.report()),
            None => assert_eq!(
                json,
                serde_json::json!({"profile": null}),
                "{}",
                current.report()
            ),
        }
        let ok = botocore["profiles"]
            .as_array()
            .unwrap()
            .contains(&botocore["profile"]);
        assert_eq!(
            current.code(),
            Some(if ok { 0 } else { 1 }),
            "{env:?}\n{}",
            current.report()
        );
        if let Some(error) = error {
            assert_eq!(current.stderr, format!("{error}\n"), "{}", current.report());
            assert_documented(error);
            // In words too, with nothing on stdout.
            expect_error(&sandbox, &["current"], env, error);
        }
    }
}

/// Variables that would override the profile are removed by a switch, one
/// line each, as the table shows them.
#[test]
fn switching_removes_variables_that_override_the_profile() {
    let sandbox = sandbox_with(config(START_URL));
    let env = [
        HOOK[0],
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "not-a-secret"),
        ("AWS_SESSION_TOKEN", "not-a-token"),
        ("AWS_DEFAULT_PROFILE", "dev-beta"),
    ];
    let switched = expect_success_saying(
        &sandbox,
        &["use", "p"],
        &env,
        &[
            "badge: removed AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN from this shell: static keys override any profile in every AWS SDK",
            "badge: removed AWS_DEFAULT_PROFILE (dev-beta) from this shell: botocore and boto3 read it before AWS_PROFILE",
        ],
    );
    assert!(
        switched.stdout.contains("unset AWS_DEFAULT_PROFILE\n"),
        "{}",
        switched.report()
    );
}

/// `AWS_CONFIG_FILE=""` and `AWS_SHARED_CREDENTIALS_FILE=""` mean no file
/// to botocore, not the default one: badge lists what botocore lists, and
/// the commands that write the config have nowhere to write.
#[test]
fn empty_file_variables_mean_no_file() {
    let sandbox = sandbox_with(config(START_URL));
    sandbox.write(
        ".aws/credentials",
        "[keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-a-secret\n",
    );
    let no_config: &[(&str, &str)] = &[("AWS_CONFIG_FILE", "")];
    let no_credentials: &[(&str, &str)] = &[("AWS_SHARED_CREDENTIALS_FILE", "")];
    let neither: &[(&str, &str)] = &[("AWS_CONFIG_FILE", ""), ("AWS_SHARED_CREDENTIALS_FILE", "")];
    for (env, listed) in [
        (no_config, &["keys"][..]),
        (no_credentials, &["p"][..]),
        (neither, &[][..]),
    ] {
        let ls = badge(&sandbox, &["ls", "--json"], env);
        assert_eq!(ls.code(), Some(0), "{env:?}\n{}", ls.report());
        let names: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&ls.stdout)
            .unwrap_or_else(|e| panic!("{e}\n{}", ls.report()))
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, listed, "{env:?}\n{}", ls.report());
        if support::python_module_available("botocore") {
            assert_eq!(
                botocore_view(&sandbox, env)["profiles"],
                serde_json::json!(listed),
                "{env:?}: botocore lists the same"
            );
        }
    }
    let switched = badge(&sandbox, &["use", "keys"], &[no_config, HOOK].concat());
    assert_eq!(switched.code(), Some(0), "{}", switched.report());
    assert!(
        switched.stdout.contains("export AWS_PROFILE='keys'"),
        "{}",
        switched.report()
    );
    expect_success_saying(
        &sandbox,
        &["ls"],
        neither,
        &[
            "badge: there are no profiles: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are set but empty, which the AWS CLI and SDKs read as no files; `unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE` to use ~/.aws/config and ~/.aws/credentials",
        ],
    );
    for command in ["sync", "session add"] {
        let mut args: Vec<&str> = command.split(' ').collect();
        if command == "session add" {
            args.extend(["acme", "--start-url", START_URL, "--region", REGION]);
        }
        expect_error(
            &sandbox,
            &args,
            no_config,
            &format!(
                "badge: AWS_CONFIG_FILE is set but empty, which the AWS CLI and SDKs read as no config file, so `badge {command}` has nowhere to write; point AWS_CONFIG_FILE at your config file, or `unset AWS_CONFIG_FILE` to use ~/.aws/config"
            ),
        );
    }
    // A login with no config file has no sso-session to use, and
    // `badge session add` could not write one: the line says what can.
    expect_error(
        &sandbox,
        &["login"],
        no_config,
        "badge: there is no sso-session: AWS_CONFIG_FILE is set but empty, which the AWS CLI and SDKs read as no config file; point AWS_CONFIG_FILE at your config file, or `unset AWS_CONFIG_FILE` to use ~/.aws/config",
    );
}

// ---- sessions and profiles ------------------------------------------------

/// `badge current` with `p` active fails with `expected`, still showing on
/// stdout what the profile says.
#[track_caller]
fn expect_current_error(sandbox: &Sandbox, expected: &str) {
    let before = snapshot(sandbox.home());
    let current = badge(sandbox, &["current"], &[("AWS_PROFILE", "p")]);
    assert_eq!(current.code(), Some(1), "{}", current.report());
    assert_for_users(&current);
    assert_eq!(
        normalise(&current.stderr, sandbox.home()),
        format!("{expected}\n"),
        "{}",
        current.report()
    );
    assert!(current.stdout.starts_with("p\n"), "{}", current.report());
    assert!(snapshot(sandbox.home()) == before);
}

#[test]
fn profile_pointing_at_a_missing_session() {
    let sandbox = sandbox_with(
        "[profile p]\nsso_session = nope\nsso_account_id = 111111111111\nsso_role_name = Admin\n",
    );
    let expected = "badge: profile p uses sso-session nope, but there is no [sso-session nope] in ~/.aws/config; add it with `badge session add nope --start-url URL --region REGION`";
    expect_error(&sandbox, &["use", "p"], HOOK, expected);
    expect_error(&sandbox, &["login", "--profile", "p"], &[], expected);
    expect_error(&sandbox, &["login"], &[("AWS_PROFILE", "p")], expected);
    expect_error(&sandbox, &["sync"], &[("AWS_PROFILE", "p")], expected);
    expect_current_error(&sandbox, expected);
    // Naming the session directly says it is not there.
    expect_error(
        &sandbox,
        &["login", "--sso-session", "nope"],
        &[],
        "badge: there is no [sso-session nope] in ~/.aws/config; add it with `badge session add nope --start-url URL --region REGION`",
    );
}

#[test]
fn session_without_sso_region() {
    let sandbox = sandbox_with(config(START_URL).replace("sso_region = eu-west-1\n", ""));
    let expected = "badge: [sso-session acme] in ~/.aws/config has no sso_region; set it with `badge session add acme --region REGION`";
    expect_error(&sandbox, &["login"], &[], expected);
    expect_error(&sandbox, &["login", "--sso-session", "acme"], &[], expected);
    expect_error(&sandbox, &["sync"], &[], expected);
    expect_error(&sandbox, &["use", "p"], HOOK, expected);
    expect_current_error(&sandbox, expected);
    // And the fix it names works.
    let fixed = badge(
        &sandbox,
        &["session", "add", "acme", "--region", REGION],
        &[],
    );
    assert_eq!(fixed.code(), Some(0), "{}", fixed.report());
    let switched = badge(&sandbox, &["use", "p"], HOOK);
    assert_eq!(switched.code(), Some(0), "{}", switched.report());
}

#[test]
fn session_without_sso_start_url() {
    let sandbox =
        sandbox_with(config(START_URL).replace(&format!("sso_start_url = {START_URL}\n"), ""));
    expect_error(
        &sandbox,
        &["sync"],
        &[],
        "badge: [sso-session acme] in ~/.aws/config has no sso_start_url; set it with `badge session add acme --start-url URL`",
    );
}

/// The words each shell makes of `command`, a `badge …` line as a user
/// would paste it (badge itself replaced by a `printf` of its arguments).
fn pasted_words(sandbox: &Sandbox, command: &str) -> Vec<(support::Shell, Vec<String>)> {
    let args = command
        .strip_prefix("badge ")
        .unwrap_or_else(|| panic!("not a badge command: {command}"));
    support::Shell::ALL
        .into_iter()
        .filter(|shell| support::require(shell.name()))
        .map(|shell| {
            let out = support::run_shell(shell, sandbox, &format!("printf '%s\\n' {args}"));
            assert!(out.status.success(), "{}", out.report());
            (shell, out.stdout.lines().map(str::to_owned).collect())
        })
        .collect()
}

#[test]
fn session_names_with_a_space_are_quoted_in_the_commands_badge_suggests() {
    let sandbox = sandbox_with("");
    let add = badge(
        &sandbox,
        &[
            "session",
            "add",
            "ac me",
            "--start-url",
            START_URL,
            "--region",
            REGION,
        ],
        &[],
    );
    assert_eq!(add.code(), Some(0), "{}", add.report());
    assert_eq!(
        normalise(&add.stderr, sandbox.home()),
        "badge: added [sso-session \"ac me\"] to ~/.aws/config\n\
         badge: next, sign in: badge login --sso-session 'ac me'\n",
        "{}",
        add.report()
    );
    let next = "badge: next, sign in: ";
    let hint = add.stderr_line(next)[next.len()..].to_owned();
    let sync = expect_error(
        &sandbox,
        &["sync", "--sso-session", "ac me"],
        &[],
        "badge: not signed in to sso-session \"ac me\"; run `badge login --sso-session 'ac me'`",
    );
    let (_, quoted) = sync.stderr.trim_end().split_once("; run `").unwrap();
    for command in [hint.as_str(), quoted.trim_end_matches('`')] {
        for (shell, words) in pasted_words(&sandbox, command) {
            assert_eq!(
                words,
                ["login", "--sso-session", "ac me"],
                "{shell} reads {command}"
            );
        }
    }
}

/// Profiles whose names start alike, for the name-matching cases.
const STAGING: &str = "\
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1

[profile Staging-001/AdministratorAccess]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = AdministratorAccess

[profile Staging-002/ReadOnly]
sso_session = acme
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile dev-1]
[profile dev-2]
[profile dev-3]
";

#[test]
fn a_name_that_matches_several_profiles_names_the_command_that_was_run() {
    let sandbox = sandbox_with(STAGING);
    let several = "badge: \"Staging\" matches 2 profiles: Staging-001/AdministratorAccess, \
                   Staging-002/ReadOnly; name one exactly, for example";
    expect_error(
        &sandbox,
        &["use", "Staging"],
        HOOK,
        &format!("{several} `badge use Staging-001/AdministratorAccess`"),
    );
    expect_error(
        &sandbox,
        &["console", "Staging"],
        &[],
        &format!("{several} `badge console Staging-001/AdministratorAccess`"),
    );
}

/// `badge creds` and `badge exec` whose output goes to a program
/// (credential_process, a script, a pipe: here, a pipe) take exact names:
/// a fragment that a person would have the picker for is refused, with the
/// names it could mean.
#[test]
fn tools_get_exact_names_only() {
    let sandbox = sandbox_with(STAGING);
    expect_error(
        &sandbox,
        &["creds", "Staging", "--format", "process"],
        &[],
        "badge: no profile is named exactly \"Staging\", and `badge creds` takes exact names when its output goes to a program (credential_process, a script, a pipe); did you mean Staging-001/AdministratorAccess or Staging-002/ReadOnly? `badge ls` lists all profiles",
    );
    expect_error(
        &sandbox,
        &["exec", "Staging-001", "--", "true"],
        &[],
        "badge: no profile is named exactly \"Staging-001\", and `badge exec` takes exact names when its output goes to a program (credential_process, a script, a pipe); did you mean Staging-001/AdministratorAccess? `badge ls` lists all profiles",
    );
    expect_error(
        &sandbox,
        &["creds", "prod"],
        &[],
        "badge: no profile is named exactly \"prod\", and `badge creds` takes exact names when its output goes to a program (credential_process, a script, a pipe); `badge ls` lists all profiles",
    );
}

/// A typo in a region is refused with the region it is close to, in sync
/// (`--region` and a region rule) and session add; a region of a known
/// area with another number, or of an area far from every known one, may
/// be one AWS opened since, and is taken.
#[test]
fn a_region_with_a_typo_gets_the_nearest_one() {
    let sandbox = sandbox_with(STAGING);
    expect_error(
        &sandbox,
        &["sync", "--region", "eu-wst-1"],
        &[],
        "badge: \"eu-wst-1\" is not an AWS region; did you mean eu-west-1? give it with `--region eu-west-1`",
    );
    expect_error(
        &sandbox,
        &["sync", "--region-rule", "account:prod=us-esat-1"],
        &[],
        "badge: region rule \"account:prod=us-esat-1\": \"us-esat-1\" is not an AWS region; did you mean us-east-1?",
    );
    expect_usage_error(
        &sandbox,
        &["session", "add", "acme", "--region", "ap-southest-2"],
        &[],
        "badge: \"ap-southest-2\" is not an AWS region; did you mean ap-southeast-2?",
    );
    // A new number in a known area, or a new area: taken as they are.
    for region in ["eu-west-9", "xx-newland-1"] {
        let run = badge(
            &sandbox,
            &["session", "add", "acme", "--region", region],
            &[],
        );
        assert_eq!(run.code(), Some(0), "{}", run.report());
    }
}

/// A profile name so long that a shell variable holding it makes every
/// program fail to start (`Argument list too long`): switching refuses it,
/// and the shell keeps working.
#[test]
fn a_profile_name_too_long_for_a_shell_variable_is_refused() {
    let long = "p".repeat(5_000);
    let sandbox = sandbox_with(format!("[profile {long}]\nregion = eu-west-1\n"));
    expect_error(
        &sandbox,
        &["use", &long],
        HOOK,
        "badge: the profile name is 5000 bytes long, more than the 4096 a shell variable can hold for every program the shell starts (they would fail with `Argument list too long`); rename the profile in ~/.aws/config",
    );
}

/// `badge exec PROFILE COMMAND` without `--`: the command as it should be.
#[test]
fn exec_without_the_double_dash_shows_where_it_goes() {
    let sandbox = sandbox_with(STAGING);
    expect_usage_error(
        &sandbox,
        &["exec", "dev-1", "env"],
        &[],
        "badge: the command to run goes after `--`: `badge exec dev-1 -- env`",
    );
    expect_usage_error(
        &sandbox,
        &[
            "exec",
            "--env-credentials",
            "dev-1",
            "aws",
            "s3",
            "ls",
            "a b",
        ],
        &[],
        "badge: the command to run goes after `--`: `badge exec --env-credentials dev-1 -- aws s3 ls 'a b'`",
    );
}

/// `badge logn` is a typo of `login`, not a profile: with or without the
/// shell integration, the command it is close to is suggested, unless a
/// profile matches the word.
#[test]
fn a_mistyped_subcommand_suggests_the_subcommand() {
    let sandbox = sandbox_with(STAGING);
    for (typed, meant) in [("logn", "login"), ("sycn", "sync"), ("currnet", "current")] {
        for env in [&[][..], HOOK] {
            expect_usage_error(
                &sandbox,
                &[typed],
                env,
                &format!(
                    "badge: {typed:?} is no profile and no command; did you mean `badge {meant}`? \
                     (`badge --help` lists the commands, `badge ls` the profiles)"
                ),
            );
        }
    }
    // A word that is a profile's start is a switch, however close to a
    // command it is.
    let sandbox = sandbox_with("[profile lss-prod]\nregion = eu-west-1\n");
    let run = badge(&sandbox, &["lss"], HOOK);
    assert_eq!(run.code(), Some(0), "{}", run.report());
    assert!(run.stdout.contains("lss-prod"), "{}", run.report());
}

#[test]
fn a_name_that_matches_no_profile_suggests_the_closest_in_one_sentence() {
    let sandbox = sandbox_with(STAGING);
    // (`console`: `creds` in a pipe takes exact names, see below.)
    expect_error(
        &sandbox,
        &["console", "dev-4"],
        &[],
        "badge: no profile matches \"dev-4\" in ~/.aws/config; did you mean dev-1, dev-2 or dev-3? `badge ls` lists all profiles",
    );
    expect_error(
        &sandbox,
        &["use", "Stagin-001/AdministratorAcess"],
        HOOK,
        "badge: no profile matches \"Stagin-001/AdministratorAcess\" in ~/.aws/config; did you mean Staging-001/AdministratorAccess? `badge ls` lists all profiles",
    );
    expect_error(
        &sandbox,
        &["use", "prod"],
        HOOK,
        "badge: no profile matches \"prod\" in ~/.aws/config; `badge ls` lists all profiles",
    );
    // A typo in what was meant as a prefix, the account as `ls` shows it,
    // the wrong case: the names they were meant to start.
    for typed in ["Stagin-002", "staging 002", "STAGING-002/READ"] {
        expect_error(
            &sandbox,
            &["use", typed],
            HOOK,
            &format!(
                "badge: no profile matches {typed:?} in ~/.aws/config; did you mean \
                 Staging-002/ReadOnly or Staging-001/AdministratorAccess? `badge ls` lists all \
                 profiles"
            ),
        );
    }
}

// ---- the token cache ------------------------------------------------------

/// The token cache of acme holds `bytes`: `sync` fails naming the file and
/// `badge login`; the reading commands show the login as unreadable.
fn bad_token_cache(bytes: &[u8], sync: &str) {
    let sandbox = sandbox_with(config(START_URL));
    sandbox.write(CACHE_FILE, bytes);
    expect_error(&sandbox, &["sync"], &[], sync);
    let ls = expect_success_saying(&sandbox, &["ls"], &[], &[]);
    assert!(ls.stdout.contains(" unreadable "), "{}", ls.report());
    expect_success_saying(
        &sandbox,
        &["use", "p"],
        HOOK,
        &[
            "badge: switched to p, but sso-session acme has an unreadable token cache; sign in with `badge login --sso-session acme`",
        ],
    );
}

#[test]
fn empty_token_cache() {
    bad_token_cache(
        b"",
        "badge: the cached login for sso-session \"acme\" cannot be used: ~/.aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json is not a valid token cache file (line 1, column 0); run `badge login --sso-session acme`",
    );
}

#[test]
fn truncated_token_cache() {
    bad_token_cache(
        b"{\"startUrl\": \"https://acme.awsapps.com/start\", \"accessToken\": \"tok",
        "badge: the cached login for sso-session \"acme\" cannot be used: ~/.aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json is not a valid token cache file (line 1, column 66); run `badge login --sso-session acme`",
    );
}

#[test]
fn corrupt_token_cache() {
    bad_token_cache(
        b"\x00\x01 not json at all",
        "badge: the cached login for sso-session \"acme\" cannot be used: ~/.aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json is not a valid token cache file (line 1, column 1); run `badge login --sso-session acme`",
    );
    bad_token_cache(
        b"{\"accessToken\": \"tok\", \"expiresAt\": \"tomorrow\"}",
        "badge: the cached login for sso-session \"acme\" cannot be used: ~/.aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json has an unreadable expiresAt; run `badge login --sso-session acme`",
    );
}

#[test]
fn token_cache_for_another_start_url() {
    let sandbox = sandbox_with(config(START_URL));
    sandbox.write(
        CACHE_FILE,
        "{\"startUrl\": \"https://other.awsapps.com/start\", \"region\": \"eu-west-1\", \
         \"accessToken\": \"tok\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}",
    );
    expect_error(
        &sandbox,
        &["sync"],
        &[],
        "badge: the cached login for sso-session \"acme\" is for https://other.awsapps.com/start, not https://acme.awsapps.com/start; run `badge login --sso-session acme`",
    );
    // The other portal's login is no login for this session anywhere.
    let ls = expect_success_saying(&sandbox, &["ls"], &[], &[]);
    assert!(ls.stdout.contains(" none "), "{}", ls.report());
    let current = expect_success_saying(
        &sandbox,
        &["current"],
        &[("AWS_PROFILE", "p")],
        &["badge: sign in with `badge login --sso-session acme`"],
    );
    assert!(
        current.stdout.contains("not signed in"),
        "{}",
        current.report()
    );
    expect_success_saying(
        &sandbox,
        &["use", "p"],
        HOOK,
        &[
            "badge: switched to p, but sso-session acme is signed out; sign in with `badge login --sso-session acme`",
        ],
    );
}

// ---- the network ------------------------------------------------------------

/// An emulator and a HOME signed in to it.
struct World {
    emu: Emulator,
    sandbox: Sandbox,
}

impl World {
    fn new() -> World {
        World::of(Org::generated(3, 2, false))
    }

    fn of(org: Org) -> World {
        let emu = Emulator::start(EmulatorOptions {
            auto_approve: true,
            approve_on_start: true,
            ..EmulatorOptions::new(org)
        });
        let mut sandbox = sandbox_with(config(&emu.start_url()));
        sandbox.set_envs(emu.env());
        sandbox.set_env("BADGE_PORTAL_RATE", "400");
        let token = emu.mint_token();
        sandbox.write(CACHE_FILE, token.cache_file_json(&emu.start_url(), REGION));
        World { emu, sandbox }
    }

    /// Signed out: no token cache.
    fn signed_out(self) -> World {
        std::fs::remove_file(self.sandbox.home().join(CACHE_FILE)).unwrap();
        self
    }

    /// The token expired, but its refresh token is good.
    fn expired(self) -> World {
        let path = self.sandbox.home().join(CACHE_FILE);
        let mut cache: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(cache.get("refreshToken").is_some(), "{cache}");
        cache["expiresAt"] = "2001-01-01T00:00:00Z".into();
        std::fs::write(&path, cache.to_string()).unwrap();
        self
    }

    /// Points both APIs at a port nobody listens on.
    fn unreachable(mut self) -> World {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        self.sandbox
            .set_env("AWS_ENDPOINT_URL_SSO", &url)
            .set_env("AWS_ENDPOINT_URL_SSO_OIDC", &url);
        self
    }
}

const LOGIN: &[&str] = &["login", "--device-code", "--no-browser"];

#[test]
fn sync_after_the_login_was_revoked_401() {
    let world = World::new();
    world.emu.revoke_all_tokens();
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal no longer accepts the sign-in of sso-session \"acme\" (it expired or was revoked); run `badge login --sso-session acme`",
    );
}

#[test]
fn sync_refused_403() {
    let world = World::new();
    world
        .emu
        .set_forced_error(Some(ForcedError::status(403).on(&["ListAccounts"])));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal at http://127.0.0.1:PORT refused ListAccounts for sso-session \"acme\" (403 ForbiddenException: No access); sign in again with `badge login --sso-session acme`",
    );
}

#[test]
fn sync_skips_accounts_whose_roles_answer_403() {
    let world = World::new();
    world
        .emu
        .set_forced_error(Some(ForcedError::status(403).on(&["ListAccountRoles"])));
    let sync = badge(&world.sandbox, &["sync"], &[]);
    assert_eq!(sync.code(), Some(0), "{}", sync.report());
    assert_for_users(&sync);
    let skipped: Vec<String> = sync
        .stderr
        .lines()
        .filter(|l| l.starts_with("badge: warning: skipped account"))
        .map(|l| normalise(l, world.sandbox.home()))
        .collect();
    assert_eq!(skipped.len(), 3, "{}", sync.report());
    assert_documented(&skipped[0]);
}

/// Values no account or role has, that a config would hold wrongly or not
/// at all: each skipped with its own reason and the value escaped, the
/// rest synced.
#[test]
fn sync_skips_ids_and_names_the_portal_should_never_send() {
    let org = Org::new(vec![
        Account::new(
            "111111111111",
            "Good",
            &[
                "AdministratorAccess",
                " spaced ",
                "Admin\nsso_role_name = Evil",
            ],
        ),
        Account::new("12345678901", "Short", &["AdministratorAccess"]),
        Account::new(
            "33333333333\u{663}",
            "Arabic digit",
            &["AdministratorAccess"],
        ),
        Account::new(
            "222222222222\n[profile evil]",
            "Line break",
            &["AdministratorAccess"],
        ),
        Account::new(
            "444444444444",
            "Evil\u{1b}]0;title\u{7}",
            &["AdministratorAccess"],
        ),
    ]);
    let world = World::of(org);
    let sync = badge(&world.sandbox, &["sync"], &[]);
    assert_eq!(sync.code(), Some(0), "{}", sync.report());
    assert_for_users(&sync);
    let skipped: Vec<String> = sync
        .stderr
        .lines()
        .filter(|l| l.starts_with("badge: warning: skipped "))
        .map(|l| normalise(l, world.sandbox.home()))
        .collect();
    let expected = [
        "badge: warning: skipped role \" spaced \" of account 111111111111 (Good): it starts or ends with whitespace, which a config value cannot keep",
        "badge: warning: skipped role \"Admin^Jsso_role_name = Evil\" of account 111111111111 (Good): it has control characters",
        "badge: warning: skipped account \"12345678901\" (Short): its id is not 12 digits",
        "badge: warning: skipped account \"222222222222^J[profile evil]\" (Line break): its id is not 12 digits",
        "badge: warning: skipped account \"33333333333\u{663}\" (Arabic digit): its id is not 12 digits",
        "badge: warning: skipped account 444444444444 (Evil^[]0;title^G): its name has control characters",
    ];
    assert_eq!(skipped, expected, "{}", sync.report());
    for line in expected {
        assert_documented(line);
    }
    let config = std::fs::read_to_string(world.sandbox.config_path()).unwrap();
    let roles: Vec<&str> = config
        .lines()
        .filter_map(|l| l.strip_prefix("sso_role_name = "))
        .collect();
    let ids: Vec<&str> = config
        .lines()
        .filter_map(|l| l.strip_prefix("sso_account_id = "))
        .collect();
    assert_eq!(roles, ["Admin", "AdministratorAccess"], "{config}");
    assert_eq!(ids, ["111111111111", "111111111111"], "{config}");
    assert!(
        !config.contains("Evil") && !config.contains("spaced"),
        "{config}"
    );
}

#[test]
fn sync_not_found_404() {
    let world = World::new();
    world
        .emu
        .set_forced_error(Some(ForcedError::status(404).on(&["ListAccounts"])));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal at http://127.0.0.1:PORT refused ListAccounts for sso-session \"acme\" (404 ResourceNotFoundException: Not found); check AWS_ENDPOINT_URL_SSO",
    );
}

#[test]
fn sync_throttled_beyond_its_retries_429() {
    let world = World::new();
    world.emu.set_retry_after(Some(0));
    world.emu.set_throttle_every(Some(1));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal at http://127.0.0.1:PORT kept throttling ListAccounts for sso-session \"acme\" (30 times in a row); try `badge sync` again later",
    );
    assert_eq!(world.emu.requests().throttled, 30);
}

#[test]
fn sync_server_error_beyond_its_retries_500() {
    let world = World::new();
    world
        .emu
        .set_forced_error(Some(ForcedError::status(500).retry_after(0)));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal at http://127.0.0.1:PORT failed ListAccounts for sso-session \"acme\" 8 times (the last: 500 InternalServerException: An internal error occurred); try `badge sync` again later",
    );
    assert_eq!(world.emu.requests().get("ListAccounts"), 8);
}

#[test]
fn sync_against_a_portal_that_hangs() {
    let world = World::new();
    world.emu.set_latency(std::time::Duration::from_secs(20));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[("BADGE_REQUEST_TIMEOUT_SECS", "0.5")],
        "badge: cannot reach the portal at http://127.0.0.1:PORT for sso-session \"acme\": no answer within 0.5s (3 attempts); check your network, or allow more time with BADGE_REQUEST_TIMEOUT_SECS=60, then run `badge sync` again",
    );
}

#[test]
fn sync_with_the_connection_refused() {
    let world = World::new().unreachable();
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: cannot reach the portal at http://127.0.0.1:PORT for sso-session \"acme\": connection refused (3 attempts); check your network and AWS_ENDPOINT_URL_SSO, then run `badge sync` again",
    );
}

// ---- a hostile portal: bounded work ------------------------------------------

/// How long a run took, said in the test's output for the report.
fn took(what: &str, started: Instant) -> Duration {
    let took = started.elapsed();
    eprintln!("{what}: {took:?}");
    took
}

/// A portal whose account list never ends (a fresh next token and a
/// thousand new accounts on every page) is listed up to 100,000 accounts,
/// far beyond the largest organisations, and no further.
#[test]
fn sync_against_accounts_that_never_end() {
    let world = World::new();
    world.emu.set_hostile(Hostile {
        endless_accounts: Some(1000),
        ..Hostile::default()
    });
    let started = Instant::now();
    expect_error_within(
        Duration::from_secs(90),
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the portal at http://127.0.0.1:PORT kept listing accounts for sso-session \"acme\" past 100000, more than any organisation has, so badge stopped; check AWS_ENDPOINT_URL_SSO",
    );
    assert!(took("100000 accounts", started) < Duration::from_secs(60));
    assert_eq!(world.emu.requests().get("ListAccounts"), 100);
}

/// Pages with fresh next tokens and nothing new in them stop too.
#[test]
fn sync_against_empty_pages_that_never_end() {
    let world = World::new();
    world.emu.set_hostile(Hostile {
        endless_accounts: Some(0),
        ..Hostile::default()
    });
    let started = Instant::now();
    expect_error_within(
        Duration::from_secs(90),
        &world.sandbox,
        &["sync"],
        &[("BADGE_PORTAL_RATE", "0")],
        "badge: the portal at http://127.0.0.1:PORT kept listing accounts for sso-session \"acme\" past 2000 pages, more than any organisation needs, so badge stopped; check AWS_ENDPOINT_URL_SSO",
    );
    assert!(took("2000 pages of accounts", started) < Duration::from_secs(60));
    assert_eq!(world.emu.requests().get("ListAccounts"), 2000);
}

/// The roles of one account: 1,000 pages at most (an account holds at
/// most 5,000 roles), and 1,000,000 roles in all.
#[test]
fn sync_against_roles_that_never_end() {
    let org = Org::generated(1, 1, false);
    let id = org.accounts[0].id.clone();
    let world = World::of(org);
    world.emu.set_hostile(Hostile {
        endless_roles: Some(1),
        ..Hostile::default()
    });
    let started = Instant::now();
    expect_error_within(
        Duration::from_secs(90),
        &world.sandbox,
        &["sync"],
        &[("BADGE_PORTAL_RATE", "0")],
        &format!(
            "badge: the portal at http://127.0.0.1:PORT kept listing the roles of account {id} for sso-session \"acme\" past 1000 pages, more than an account can have, so badge stopped; check AWS_ENDPOINT_URL_SSO"
        ),
    );
    assert!(took("1000 pages of roles", started) < Duration::from_secs(60));
    assert_eq!(world.emu.requests().get("ListAccountRoles"), 1000);

    world.emu.set_hostile(Hostile {
        endless_roles: Some(2000),
        ..Hostile::default()
    });
    world.emu.reset_requests();
    let started = Instant::now();
    expect_error_within(
        Duration::from_secs(120),
        &world.sandbox,
        &["sync"],
        &[("BADGE_PORTAL_RATE", "0")],
        "badge: the portal at http://127.0.0.1:PORT kept listing roles for sso-session \"acme\" past 1000000, more than any organisation has, so badge stopped; check AWS_ENDPOINT_URL_SSO",
    );
    took("1000000 roles", started);
    assert_eq!(world.emu.requests().get("ListAccountRoles"), 501);
}

/// [`expect_error_within`], run under `/usr/bin/time`: also the peak
/// memory of the run, in KiB.
#[track_caller]
fn expect_error_measured(
    limit: Duration,
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    expected: &str,
) -> Option<u64> {
    if !support::require("/usr/bin/time") {
        return None;
    }
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("time");
    let before = snapshot(sandbox.home());
    let mut cmd = sandbox.command("/usr/bin/time");
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(support::badge_bin())
        .args(args)
        .envs(env.iter().copied());
    let run = support::run_within(cmd, format!("badge {}", args.join(" ")), limit);
    let text = std::fs::read_to_string(&report).unwrap();
    let peak = text.lines().last().and_then(|l| l.trim().parse().ok());
    let peak = peak.unwrap_or_else(|| panic!("no peak memory in {text:?}"));
    eprintln!("badge {}: peak memory {peak} KiB", args.join(" "));
    check_exit(1, sandbox, args, before, run, expected);
    Some(peak)
}

/// A 256 MiB answer (with a length, and sent chunked without one) is read
/// no further than 8 MiB: the sync stops at once, naming the cap, in far
/// less than 100 MB.
#[test]
fn sync_against_a_huge_answer() {
    let world = World::new();
    for chunked in [false, true] {
        let mut huge = emulator::HugeAnswer::of(256 << 20).on(&["ListAccounts"]);
        if chunked {
            huge = huge.chunked();
        }
        world.emu.set_hostile(Hostile {
            huge_answer: Some(huge),
            ..Hostile::default()
        });
        world.emu.reset_requests();
        let started = Instant::now();
        let Some(peak) = expect_error_measured(
            Duration::from_secs(60),
            &world.sandbox,
            &["sync"],
            &[],
            "badge: the portal at http://127.0.0.1:PORT answered ListAccounts for sso-session \"acme\" with more than 8 MiB, more than any answer of its API holds, so badge stopped; check AWS_ENDPOINT_URL_SSO",
        ) else {
            return;
        };
        took(&format!("huge answer, chunked {chunked}"), started);
        assert!(peak < 100_000, "peak memory {peak} KiB");
        assert_eq!(world.emu.requests().get("ListAccounts"), 1);
    }
}

/// The sign-in service's answers are capped the same way.
#[test]
fn login_against_a_huge_answer() {
    let world = World::new().signed_out();
    for chunked in [false, true] {
        let mut huge = emulator::HugeAnswer::of(256 << 20).on(&["RegisterClient"]);
        if chunked {
            huge = huge.chunked();
        }
        world.emu.set_hostile(Hostile {
            huge_answer: Some(huge),
            ..Hostile::default()
        });
        world.emu.reset_requests();
        let Some(peak) = expect_error_measured(
            Duration::from_secs(60),
            &world.sandbox,
            LOGIN,
            &[],
            "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: an answer of more than 8 MiB, more than any answer of its API holds; check your network and AWS_ENDPOINT_URL_SSO_OIDC, then run `badge login --sso-session acme` again",
        ) else {
            return;
        };
        assert!(peak < 100_000, "peak memory {peak} KiB");
        // An answer too large is not asked for again.
        assert_eq!(world.emu.requests().get("RegisterClient"), 1);
    }
}

/// A portal that asks to come back in three hours, or every second for
/// ever, holds a run no longer than BADGE_RETRY_WAIT_SECS in all.
#[test]
fn sync_told_to_wait_longer_than_a_run_waits() {
    let world = World::new();
    for retry_after in [3 * 3600, 1] {
        world
            .emu
            .set_forced_error(Some(ForcedError::status(429).retry_after(retry_after)));
        let started = Instant::now();
        expect_error_within(
            Duration::from_secs(30),
            &world.sandbox,
            &["sync"],
            &[("BADGE_RETRY_WAIT_SECS", "4")],
            "badge: the portal at http://127.0.0.1:PORT kept throttling ListAccounts for sso-session \"acme\", and waiting to retry would take more than the 4s badge waits in a run; try `badge sync` again later, or allow more with BADGE_RETRY_WAIT_SECS=600",
        );
        let took = took(&format!("Retry-After {retry_after}"), started);
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}

#[test]
fn retry_wait_that_is_not_a_number() {
    let world = World::new();
    expect_error(
        &world.sandbox,
        &["sync"],
        &[("BADGE_RETRY_WAIT_SECS", "long")],
        "badge: BADGE_RETRY_WAIT_SECS=\"long\" is not a number of seconds; use e.g. BADGE_RETRY_WAIT_SECS=600, or unset it to wait at most 120s",
    );
}

/// A token answer whose `expiresIn` is over at once, or lasts more than
/// the 90 days an Identity Center session can last, is no sign-in: the
/// cached login stays as it was.
#[test]
fn login_given_a_token_of_no_sensible_lifetime() {
    let world = World::new();
    let cache = world.sandbox.home().join(CACHE_FILE);
    let before = std::fs::read(&cache).unwrap();
    for expires_in in [0, -5, 7_776_001] {
        world.emu.set_hostile(Hostile {
            token_expires_in: Some(expires_in),
            ..Hostile::default()
        });
        let mut args = LOGIN.to_vec();
        args.push("--force");
        let login = badge(&world.sandbox, &args, &[]);
        assert_eq!(login.code(), Some(1), "{}", login.report());
        assert_for_users(&login);
        let last = normalise(login.stderr.lines().last().unwrap(), world.sandbox.home());
        let expected = format!(
            "badge: the sign-in service at http://127.0.0.1:PORT gave sso-session \"acme\" a login that lasts {expires_in} seconds, not between 1 second and 90 days, so badge kept none of it; check AWS_ENDPOINT_URL_SSO_OIDC"
        );
        assert_eq!(last, expected, "{}", login.report());
        if expires_in == 0 {
            assert_documented(&last);
        }
        assert_eq!(
            std::fs::read(&cache).unwrap(),
            before,
            "the token cache changed"
        );
    }
}

/// The same answer to a refresh: the expired login is not replaced.
#[test]
fn sync_whose_refresh_gives_a_token_of_no_sensible_lifetime() {
    let world = World::new().expired();
    world.emu.set_hostile(Hostile {
        token_expires_in: Some(0),
        ..Hostile::default()
    });
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the login for sso-session \"acme\" has expired and could not be renewed (the sign-in service at http://127.0.0.1:PORT gave sso-session \"acme\" a login that lasts 0 seconds, not between 1 second and 90 days, so badge kept none of it; check AWS_ENDPOINT_URL_SSO_OIDC); run `badge login --sso-session acme`",
    );
}

#[test]
fn request_timeout_that_is_not_a_number() {
    let world = World::new();
    expect_error(
        &world.sandbox,
        &["sync"],
        &[("BADGE_REQUEST_TIMEOUT_SECS", "soon")],
        "badge: BADGE_REQUEST_TIMEOUT_SECS=\"soon\" is not a number of seconds; use e.g. BADGE_REQUEST_TIMEOUT_SECS=30, or unset it",
    );
}

#[test]
fn login_timeout_that_is_not_a_number() {
    let world = World::new();
    expect_error(
        &world.sandbox,
        &["login"],
        &[("BADGE_LOGIN_TIMEOUT_SECS", "soon")],
        "badge: BADGE_LOGIN_TIMEOUT_SECS=\"soon\" is not a number of seconds; use e.g. BADGE_LOGIN_TIMEOUT_SECS=120, or unset it to wait 300s",
    );
}

#[test]
fn sync_that_cannot_renew_an_expired_login() {
    let world = World::new().expired();
    world
        .emu
        .set_forced_error(Some(ForcedError::status(500).on(&["CreateToken"])));
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the login for sso-session \"acme\" has expired, and the sign-in service at http://127.0.0.1:PORT could not renew it: InternalServerException: An internal error occurred; try `badge sync` again later",
    );
    let world = World::new().expired().unreachable();
    expect_error(
        &world.sandbox,
        &["sync"],
        &[],
        "badge: the login for sso-session \"acme\" has expired, and the sign-in service at http://127.0.0.1:PORT could not renew it: connection refused; check your network and AWS_ENDPOINT_URL_SSO_OIDC, then run `badge sync` again",
    );
}

#[test]
fn login_when_the_sign_in_service_fails() {
    let world = World::new().signed_out();
    for (status, expected) in [
        (
            500,
            "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: InternalServerException: An internal error occurred; try `badge login --sso-session acme` again later",
        ),
        (
            429,
            "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: TooManyRequestsException; try `badge login --sso-session acme` again later",
        ),
        (
            403,
            "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: AccessDeniedException; check sso_start_url, sso_region and sso_registration_scopes of [sso-session acme], then run `badge login --sso-session acme` again",
        ),
    ] {
        world.emu.set_forced_error(Some(
            ForcedError::status(status)
                .on(&["RegisterClient"])
                .retry_after(0),
        ));
        expect_error(&world.sandbox, LOGIN, &[], expected);
    }
}

/// An OIDC endpoint that is not the sign-in service (a wrong
/// AWS_ENDPOINT_URL_SSO_OIDC, a proxy's error page) answers 404: the
/// message says so without `-v`.
#[test]
fn login_against_an_endpoint_that_answers_404() {
    let mut world = World::new().signed_out();
    let server = support::FixedServer::start(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\
         Connection: close\r\n\r\nnot found",
    );
    world
        .sandbox
        .set_env("AWS_ENDPOINT_URL_SSO_OIDC", &server.url);
    expect_error(
        &world.sandbox,
        LOGIN,
        &[],
        "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: it answered 404 Not Found, and named no error; check sso_start_url, sso_region and sso_registration_scopes of [sso-session acme], then run `badge login --sso-session acme` again",
    );
}

#[test]
fn login_against_a_sign_in_service_that_hangs() {
    let world = World::new().signed_out();
    world.emu.set_latency(std::time::Duration::from_secs(20));
    expect_error(
        &world.sandbox,
        LOGIN,
        &[("BADGE_REQUEST_TIMEOUT_SECS", "0.5")],
        "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: no answer within 0.5s (3 attempts in TIME); check your network, or allow more time with BADGE_REQUEST_TIMEOUT_SECS=60, then run `badge login --sso-session acme` again",
    );
}

#[test]
fn login_with_the_connection_refused() {
    let world = World::new().signed_out().unreachable();
    expect_error(
        &world.sandbox,
        LOGIN,
        &[],
        "badge: cannot register badge with the sign-in service at http://127.0.0.1:PORT: connection refused; check your network and AWS_ENDPOINT_URL_SSO_OIDC, then run `badge login --sso-session acme` again",
    );
}

#[test]
fn login_replaces_a_corrupt_token_cache() {
    let world = World::new();
    world.sandbox.write(CACHE_FILE, "{\"accessToken\": \"tok");
    let login = badge(&world.sandbox, LOGIN, &[]);
    assert_eq!(login.code(), Some(0), "{}", login.report());
    assert_for_users(&login);
    let first = normalise(login.stderr.lines().next().unwrap(), world.sandbox.home());
    assert_eq!(
        first,
        "badge: the cached login for sso-session \"acme\" cannot be used: ~/.aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json is not a valid token cache file (line 1, column 20); signing in again"
    );
    assert_documented(&first);
    let sync = badge(&world.sandbox, &["sync"], &[]);
    assert_eq!(sync.code(), Some(0), "{}", sync.report());
}

#[test]
fn logout_while_the_portal_is_unreachable() {
    let world = World::new().unreachable();
    let logout = badge(&world.sandbox, &["logout"], &[]);
    assert_eq!(logout.code(), Some(0), "{}", logout.report());
    assert_for_users(&logout);
    let line = normalise(&logout.stderr, world.sandbox.home());
    assert_eq!(
        line,
        "badge: removed the cached token of sso-session \"acme\", but could not sign out at AWS (connection refused); that sign-in stays valid until it expires\n"
    );
    assert_documented(line.trim_end());
    assert!(!world.sandbox.home().join(CACHE_FILE).exists());
}

/// `ls --sso-session` with a session the config does not have says so,
/// and names those it has; with one it has but no profile uses, says that.
#[test]
fn ls_of_an_unknown_session_names_the_sessions_there_are() {
    let sandbox = Sandbox::new(
        "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n\
         [sso-session \"ac me\"]\nsso_start_url = https://b.awsapps.com/start\nsso_region = eu-west-1\n\n\
         [profile p]\nsso_session = acme\nsso_account_id = 111111111111\nsso_role_name = Admin\n",
    );
    expect_error(
        &sandbox,
        &["ls", "--sso-session", "nope"],
        &[],
        "badge: there is no sso-session \"nope\" in ~/.aws/config; the sso-sessions are \"acme\", \"ac me\"",
    );
    let run = badge(&sandbox, &["ls", "--sso-session", "ac me"], &[]);
    assert_eq!(run.code(), Some(1), "{}", run.report());
    assert!(
        run.stderr
            .starts_with("badge: no profile uses sso-session \"ac me\""),
        "{}",
        run.report()
    );
}

/// No profile yet: the next step depends on what is set up. Without an
/// sso-session, the whole recipe; with one, only login and sync for it.
#[test]
fn no_profiles_names_the_next_step() {
    let sandbox = Sandbox::new("");
    let ls = badge(&sandbox, &["ls"], &[]);
    assert!(ls.status.success(), "{}", ls.report());
    assert_eq!(
        normalise(&ls.stderr, sandbox.home()),
        "badge: there are no profiles in ~/.aws/config or ~/.aws/credentials; generate them \
         with `badge session add NAME --start-url URL --region REGION`, `badge login` and \
         `badge sync`\n"
    );
    let sandbox = Sandbox::new(
        "[sso-session \"ac me\"]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    expect_error(
        &sandbox,
        &["use", "x"],
        HOOK,
        "badge: there are no profiles in ~/.aws/config or ~/.aws/credentials; generate them \
         with `badge login --sso-session 'ac me'` and `badge sync --sso-session 'ac me'`",
    );
    let ls = badge(&sandbox, &["ls", "--sso-session", "ac me"], &[]);
    assert_eq!(
        normalise(&ls.stderr, sandbox.home()),
        "badge: no profile uses sso-session \"ac me\" in ~/.aws/config; generate them with \
         `badge sync --sso-session 'ac me'`\n"
    );
}

// ---- per-directory profiles -------------------------------------------------

/// `badge allow` on what it cannot trust, and the hook's `badge __dir` on
/// files that switch nothing: each line as the table shows it.
#[test]
fn per_directory_profiles_that_switch_nothing() {
    let sandbox = sandbox_with(config(START_URL));
    std::fs::create_dir_all(sandbox.home().join("empty")).unwrap();
    let empty = sandbox.home().join("empty").display().to_string();
    expect_error(
        &sandbox,
        &["allow", &empty],
        &[],
        "badge: there is no .aws-profile in ~/empty or any folder above it; write a profile \
         name in ~/empty/.aws-profile first",
    );
    let repo = sandbox.home().join("repo").display().to_string();
    let file = format!("{repo}/.aws-profile");
    let long = "a".repeat(5000);
    for (content, why) in [
        ("\n", "it is empty"),
        ("p\u{1b}[2J\n", "it has control characters"),
        (long.as_str(), "it is longer than 4096 bytes"),
    ] {
        sandbox.write("repo/.aws-profile", content);
        expect_error(
            &sandbox,
            &["allow", &repo],
            &[],
            &format!(
                "badge: ~/repo/.aws-profile does not name a profile on its first line: {why}; \
                 write one profile name on it"
            ),
        );
    }
    sandbox.write("repo/.aws-profile", b"p\xff\n");
    expect_error(
        &sandbox,
        &["allow", &repo],
        &[],
        "badge: ~/repo/.aws-profile does not name a profile on its first line: it is not UTF-8 \
         text; write one profile name on it",
    );
    sandbox.write("repo/.aws-profile", "nope\n");
    let missing = "badge: ~/repo/.aws-profile names the profile nope, which is not defined in \
                   ~/.aws/config or ~/.aws/credentials; fix the file, or add the profile \
                   (`badge sync`)";
    expect_error(&sandbox, &["allow", &repo], &[], missing);
    expect_success_saying(&sandbox, &["__dir", &file], HOOK, &[missing]);
    sandbox.write("repo/.aws-profile", "p\n");
    expect_success_saying(
        &sandbox,
        &["__dir", &file],
        HOOK,
        &[
            "badge: ~/repo/.aws-profile is not trusted, so this shell does not switch to p; \
           trust it with `badge allow ~/repo`",
        ],
    );
    expect_success_saying(
        &sandbox,
        &["deny", &repo],
        &[],
        &["badge: ~/repo/.aws-profile was not trusted; nothing to forget"],
    );
    let allow = badge(&sandbox, &["allow", &repo], &[]);
    assert_eq!(
        normalise(&allow.stderr, sandbox.home()),
        "badge: trusted ~/repo/.aws-profile: inside ~/repo this shell switches to p\n",
        "{}",
        allow.report()
    );
    assert_documented("badge: trusted ~/repo/.aws-profile: inside ~/repo this shell switches to p");
    sandbox.write("repo/.aws-profile", "p\n# edited\n");
    expect_success_saying(
        &sandbox,
        &["__dir", &file],
        HOOK,
        &[
            "badge: ~/repo/.aws-profile changed since it was trusted, so this shell does not \
           switch to p; check it, then trust it with `badge allow ~/repo`",
        ],
    );
    let deny = badge(&sandbox, &["deny", &repo], &[]);
    let line = "badge: ~/repo/.aws-profile is no longer trusted; it switches nothing until \
                `badge allow ~/repo`";
    assert_eq!(
        normalise(&deny.stderr, sandbox.home()),
        format!("{line}\n"),
        "{}",
        deny.report()
    );
    assert_documented(line);
}

/// `--all` with no sso-session at all: how to add one.
#[test]
fn every_session_at_once_without_a_session() {
    let sandbox = Sandbox::new("[profile x]\nregion = eu-west-1\n");
    expect_error(
        &sandbox,
        &["sync", "--all"],
        &[],
        "badge: ~/.aws/config has no [sso-session] to sync; add one with `badge session add NAME --start-url URL --region REGION`",
    );
    expect_error(
        &sandbox,
        &["login", "--all"],
        &[],
        "badge: ~/.aws/config has no [sso-session] to sign in to; add one with `badge session add NAME --start-url URL --region REGION`",
    );
}

/// badge-quick copied somewhere without badge: a command it hands over
/// has nowhere to go.
#[test]
fn badge_quick_without_badge_beside_it() {
    let sandbox = Sandbox::new("[profile x]\nregion = eu-west-1\n");
    let bin = sandbox.home().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    support::copy_program(
        Path::new(env!("CARGO_BIN_EXE_badge-quick")),
        &bin.join("badge-quick"),
    );
    let before = snapshot(sandbox.home());
    let mut cmd = sandbox.command(bin.join("badge-quick"));
    cmd.arg("ls");
    let run = run(cmd, "badge-quick ls".to_owned());
    check_exit(
        1,
        &sandbox,
        &["ls"],
        before,
        run,
        "badge: cannot run ~/bin/badge, which answers what badge-quick does not: No such file or directory",
    );
}

/// `badge init --cmd NAME` where NAME is what the shell already runs by
/// that name: one of its own words (`cd`, `if`) or a program on PATH.
#[test]
fn init_cmd_that_the_shell_already_uses() {
    let sandbox = Sandbox::new("[profile x]\nregion = eu-west-1\n");
    expect_error(
        &sandbox,
        &["init", "bash", "--cmd", "cd"],
        &[],
        "badge: --cmd cd is a word of bash itself (a builtin or reserved word), which a function of that name would replace in every bash that loads this line; choose a name of its own (for example `--cmd awsp`)",
    );
    expect_error(
        &sandbox,
        &["init", "zsh", "--cmd", "if"],
        &[],
        "badge: --cmd if is a word of zsh itself (a builtin or reserved word), which a function of that name would replace in every zsh that loads this line; choose a name of its own (for example `--cmd awsp`)",
    );
    expect_error(
        &sandbox,
        &["init", "fish", "--cmd", "ls"],
        &[],
        "badge: --cmd ls is the program /usr/bin/ls, which a function of that name would hide in every fish that loads this line; choose a name of its own (for example `--cmd awsp`)",
    );
}
