//! `badge creds` and `badge exec` end to end: the binary in a temporary
//! HOME against the Identity Center emulator on 127.0.0.1, its output read
//! by bash, zsh and fish, boto3 and the AWS CLI v2.

mod support;

use badge_emulator as emulator;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use emulator::{Emulator, EmulatorOptions, Org};
use serde_json::Value;
use support::{Run, Sandbox, Shell, run, run_shell};

const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const REGION: &str = "eu-west-1";

/// An emulator, and a HOME with `[profile p]` on one of its roles (region
/// eu-west-1), `[profile q]` on another account without a region, and
/// `[profile loop]`, whose credential_process is badge for itself.
struct World {
    emu: Emulator,
    sandbox: Sandbox,
}

impl World {
    fn new() -> World {
        let emu = Emulator::start(EmulatorOptions::new(Org::generated(2, 2, false)));
        let org = emu.org();
        let (a, b) = (&org.accounts[0], &org.accounts[1]);
        let config = format!(
            "[sso-session acme]\nsso_start_url = {}\nsso_region = {REGION}\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile p]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\nregion = {REGION}\n\n\
             [profile q]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\n\n\
             [profile loop]\ncredential_process = badge creds loop --format process\n\n\
             [profile via-badge]\ncredential_process = badge creds p --format process\n",
            emu.start_url(),
            a.id,
            a.roles[0],
            b.id,
            b.roles[0],
        );
        let mut sandbox = Sandbox::new(&config);
        sandbox.set_envs(emu.env());
        let world = World { emu, sandbox };
        world.sign_in();
        world
    }

    fn sign_in(&self) {
        let token = self.emu.mint_token();
        self.sandbox.write(
            CACHE_FILE,
            token.cache_file_json(&self.emu.start_url(), REGION),
        );
    }

    fn badge(&self, args: &[&str]) -> Run {
        self.sandbox.run_badge(args)
    }

    /// The last role credentials the emulator issued: key, secret, token.
    fn issued(&self) -> [String; 3] {
        let secrets = self.emu.issued_secrets();
        let last = |kind: &str| {
            secrets
                .iter()
                .rev()
                .find(|(k, _)| *k == kind)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("the emulator issued no {kind}"))
        };
        [
            last("accessKeyId"),
            last("secretAccessKey"),
            last("sessionToken"),
        ]
    }

    fn role_credentials_issued(&self) -> u64 {
        self.emu.requests().get("GetRoleCredentials")
    }
}

#[track_caller]
fn assert_fails_with(run: &Run, code: i32, needle: &str) {
    assert_eq!(run.code(), Some(code), "{}", run.report());
    assert!(
        run.stderr.contains(needle),
        "want {needle:?}\n{}",
        run.report()
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line\n{}", run.report());
    assert!(run.stdout.is_empty(), "{}", run.report());
}

/// Every file under `dir`, with its size.
fn files(dir: &Path) -> BTreeSet<(PathBuf, u64)> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                found.insert((entry.path(), meta.len()));
            }
        }
    }
    found
}

fn is_iso_utc(text: &str) -> bool {
    text.len() == 20 && text.ends_with('Z') && text.as_bytes()[10] == b'T'
}

#[test]
fn creds_prints_what_the_emulator_issued_in_every_format_and_writes_nothing() {
    let world = World::new();
    let before = files(world.sandbox.home());

    let json = world.badge(&["creds", "p", "--format", "json"]);
    json.assert_success();
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let [key, secret, token] = world.issued();
    assert_eq!(value["AccessKeyId"], key.as_str());
    assert_eq!(value["SecretAccessKey"], secret.as_str());
    assert_eq!(value["SessionToken"], token.as_str());
    assert_eq!(value["Region"], REGION);
    assert_eq!(value["Profile"], "p");
    assert!(is_iso_utc(value["Expiration"].as_str().unwrap()), "{value}");

    let process = world.badge(&["creds", "p", "--format", "process"]);
    process.assert_success();
    let value: Value = serde_json::from_str(&process.stdout).unwrap();
    let [key, secret, token] = world.issued();
    let keys: BTreeSet<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "Version",
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration"
        ])
    );
    assert_eq!(value["Version"], 1);
    assert_eq!(value["AccessKeyId"], key.as_str());
    assert_eq!(value["SecretAccessKey"], secret.as_str());
    assert_eq!(value["SessionToken"], token.as_str());

    // A unique prefix finds the profile, as `badge use` does.
    let env = world.badge(&["creds", "q"]);
    env.assert_success();
    let [key, ..] = world.issued();
    assert!(
        env.stdout
            .starts_with(&format!("export AWS_ACCESS_KEY_ID='{key}'\n")),
        "{}",
        env.report()
    );
    assert!(!env.stdout.contains("AWS_REGION"), "q has no region");
    // p's credentials are cached for the login (see the role credentials
    // cache below): json and process got one answer, q another.
    assert_eq!(
        world.role_credentials_issued(),
        2,
        "asked once for each role"
    );
    let role_cache = world.sandbox.home().join(".local/state/badge/credentials");
    let written: BTreeSet<_> = files(world.sandbox.home())
        .into_iter()
        .filter(|(path, _)| !path.starts_with(&role_cache))
        .collect();
    assert_eq!(written, before, "no other file written or changed");
}

fn creds_env_sets_the_variables_in_the_shell(shell: Shell) {
    let world = World::new();
    let load = match shell {
        Shell::Fish => "badge creds p | source",
        _ => "eval \"$(badge creds p)\"",
    };
    let script = format!(
        "{load}\nprintf '%s\\n' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \
         \"$AWS_SESSION_TOKEN\" \"$AWS_CREDENTIAL_EXPIRATION\" \"$AWS_REGION\" \"$AWS_DEFAULT_REGION\"\n\
         env | grep -c '^AWS_' "
    );
    let out = run_shell(shell, &world.sandbox, &script);
    out.assert_success();
    let [key, secret, token] = world.issued();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        &lines[..3],
        &[key.as_str(), secret.as_str(), token.as_str()],
        "{}",
        out.report()
    );
    assert!(is_iso_utc(lines[3]), "{}", out.report());
    assert_eq!(&lines[4..6], &[REGION, REGION]);
    // Exported, not only set: 6 of them, plus the two emulator endpoints.
    assert_eq!(lines[6], "8", "{}", out.report());
}

per_shell!(creds_env_sets_the_variables_in_the_shell);

#[test]
fn creds_says_how_to_sign_in_and_renews_an_expired_login() {
    let world = World::new();
    std::fs::remove_file(world.sandbox.home().join(CACHE_FILE)).unwrap();
    let out = world.badge(&["creds", "p"]);
    assert_fails_with(&out, 1, "run `badge login --sso-session acme`");

    // Expired but refreshable: renewed without a browser.
    world.sign_in();
    world.emu.expire_tokens();
    let path = world.sandbox.home().join(CACHE_FILE);
    let mut cached: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    cached["expiresAt"] = Value::from("2001-01-01T00:00:00Z");
    std::fs::write(&path, cached.to_string()).unwrap();
    let out = world.badge(&["creds", "p", "--format", "process"]);
    out.assert_success();
    assert_eq!(world.emu.requests().get("CreateToken"), 1, "one refresh");
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["AccessKeyId"], world.issued()[0].as_str());

    // Revoked: nothing to renew it with. The role credentials cached for
    // this login stay what AWS issued (a revoked sign-in does not end
    // them), so the cache is bypassed to ask again.
    world.emu.revoke_all_tokens();
    let out = world.badge(&["creds", "p", "--no-cache"]);
    assert_fails_with(&out, 1, "badge login --sso-session acme");
}

#[test]
fn creds_refuses_profiles_it_cannot_serve() {
    let world = World::new();
    let out = world.badge(&["creds", "loop", "--format", "process"]);
    assert_fails_with(&out, 1, "which is badge itself");
    let out = world.badge(&["creds", "nope"]);
    assert_eq!(out.code(), Some(1), "{}", out.report());
    let mut cmd = world.sandbox.badge();
    cmd.args(["creds"]).env_remove("AWS_PROFILE");
    let out = run(cmd, "badge creds without a profile");
    assert_fails_with(&out, 1, "AWS_PROFILE is not set");
    assert_eq!(world.role_credentials_issued(), 0);
}

/// `python3 -c script args...` in the sandbox.
fn python(sandbox: &Sandbox, script: &str, args: &[&str]) -> Run {
    let mut cmd = sandbox.python3();
    cmd.arg("-c").arg(script).args(args);
    run(cmd, format!("python3 {}", args.join(" ")))
}

#[test]
fn boto3_uses_badge_creds_as_credential_process() {
    if !support::python_module_available("boto3") {
        return;
    }
    let world = World::new();
    let script = "import json, sys, boto3\n\
        c = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()\n\
        print(json.dumps([c.access_key, c.secret_key, c.token]))";
    let out = python(&world.sandbox, script, &["via-badge"]);
    out.assert_success();
    let got: Vec<String> = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(got, world.issued().to_vec());
    assert_eq!(world.role_credentials_issued(), 1);
}

/// A credential_process line that names a fragment (`badge creds d`, meant
/// for `dev-admin/…`) gets nothing: boto3 fails with badge's reason, and
/// no role credentials are asked for. Before, boto3 got another profile's
/// credentials, and the stderr line that said which was thrown away.
#[test]
fn boto3_gets_no_credentials_for_a_fragment_of_a_name() {
    if !support::python_module_available("boto3") {
        return;
    }
    let world = World::new();
    let config = std::fs::read_to_string(world.sandbox.config_path()).unwrap();
    world.sandbox.write(
        ".aws/config",
        format!(
            "{config}\n[profile fragment]\ncredential_process = badge creds q- --format process\n"
        )
        .replace("[profile q]", "[profile q-admin/AdministratorAccess]"),
    );
    let script = "import sys, boto3\n\
        try:\n    boto3.Session(profile_name='fragment').get_credentials().get_frozen_credentials()\n\
        except Exception as e:\n    print('refused:', e)\n    sys.exit(0)\n\
        print('got credentials')";
    let out = python(&world.sandbox, script, &[]);
    out.assert_success();
    assert!(
        out.stdout.contains("refused:")
            && out.stdout.contains("no profile is named exactly \"q-\""),
        "{}",
        out.report()
    );
    assert_eq!(world.role_credentials_issued(), 0);
}

#[test]
fn aws_cli_v2_uses_badge_creds_as_credential_process() {
    if !support::aws_cli_v2_available() {
        return;
    }
    let world = World::new();
    let mut cmd = world.sandbox.command("/usr/bin/aws");
    cmd.args(["configure", "export-credentials", "--profile", "via-badge"])
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let out = run(cmd, "aws configure export-credentials --profile via-badge");
    out.assert_success();
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    let [key, secret, token] = world.issued();
    assert_eq!(value["AccessKeyId"], key.as_str(), "{}", out.report());
    assert_eq!(value["SecretAccessKey"], secret.as_str());
    assert_eq!(value["SessionToken"], token.as_str());
    assert!(value["Expiration"].as_str().is_some(), "{}", out.report());
}

#[test]
fn exec_runs_the_command_with_the_profile_and_no_static_keys() {
    let world = World::new();
    let mut cmd = world.sandbox.badge();
    cmd.args([
        "exec",
        "p",
        "--",
        "printenv",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_PROFILE",
    ])
    .env("AWS_ACCESS_KEY_ID", "AKIASTATICKEY")
    .env("AWS_SECRET_ACCESS_KEY", "static-secret")
    .env("AWS_PROFILE", "q")
    // botocore would read it before AWS_PROFILE.
    .env("AWS_DEFAULT_PROFILE", "q");
    let out = run(cmd, "badge exec p -- printenv");
    // printenv exits 1 when one of the variables is not set.
    assert_eq!(out.code(), Some(1), "{}", out.report());
    assert_eq!(out.stdout, "p\n", "{}", out.report());
    assert!(out.stderr.is_empty(), "{}", out.report());

    // The active profile of the shell by default; arguments arrive as typed.
    let mut cmd = world.sandbox.badge();
    cmd.args([
        "exec",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_PROFILE $1\"; exit 3",
        "sh",
        "$(id) 'x'",
    ])
    .env("AWS_PROFILE", "q");
    let out = run(cmd, "badge exec -- sh -c");
    assert_eq!(
        out.code(),
        Some(3),
        "exit code passed through\n{}",
        out.report()
    );
    assert_eq!(out.stdout, "q $(id) 'x'\n");

    let out = world.badge(&["exec", "p", "--", "no-such-command-here"]);
    assert_fails_with(
        &out,
        127,
        "badge: cannot run no-such-command-here: not found",
    );

    let mut cmd = world.sandbox.badge();
    cmd.args(["exec", "--", "true"]).env_remove("AWS_PROFILE");
    let out = run(cmd, "badge exec without a profile");
    assert_fails_with(&out, 1, "AWS_PROFILE is not set");
    assert_eq!(
        world.role_credentials_issued(),
        0,
        "AWS_PROFILE only: no credentials"
    );
}

#[test]
fn exec_env_credentials_hands_the_role_credentials_to_the_command() {
    let world = World::new();
    let mut cmd = world.sandbox.badge();
    cmd.args([
        "exec",
        "p",
        "--env-credentials",
        "--",
        "sh",
        "-c",
        "printf '%s\\n' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" \
         \"$AWS_CREDENTIAL_EXPIRATION\" \"$AWS_REGION\" \"${AWS_PROFILE-unset}\"",
    ])
    .env("AWS_PROFILE", "q")
    .env("AWS_ACCESS_KEY_ID", "AKIASTATICKEY");
    let out = run(cmd, "badge exec --env-credentials");
    out.assert_success();
    let [key, secret, token] = world.issued();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        &lines[..3],
        &[key.as_str(), secret.as_str(), token.as_str()]
    );
    assert!(is_iso_utc(lines[3]), "{}", out.report());
    assert_eq!(&lines[4..], &[REGION, "unset"]);

    if support::python_module_available("boto3") {
        let mut cmd = world.sandbox.badge();
        cmd.args([
            "exec",
            "q",
            "--env-credentials",
            "--",
            "python3",
            "-c",
            "import boto3, json\n\
             c = boto3.Session().get_credentials().get_frozen_credentials()\n\
             print(json.dumps([c.access_key, c.secret_key, c.token]))",
        ]);
        cmd.envs(support::python_env());
        let out = run(cmd, "boto3 under badge exec --env-credentials");
        out.assert_success();
        let got: Vec<String> = serde_json::from_str(out.stdout.trim()).unwrap();
        assert_eq!(got, world.issued().to_vec());
    }
}

#[test]
fn exec_env_credentials_without_a_login_names_the_login_command() {
    let world = World::new();
    std::fs::remove_file(world.sandbox.home().join(CACHE_FILE)).unwrap();
    let out = world.badge(&["exec", "p", "--env-credentials", "--", "true"]);
    assert_fails_with(&out, 1, "run `badge login --sso-session acme`");
}

// ---- the role credentials cache ----------------------------------------------

/// sha1 of "acme": the folder of that sso-session's cached role credentials,
/// as its token cache file is named.
const ROLE_CACHE: &str = ".local/state/badge/credentials/293abb6b76d7791c0732cc517d38c4b5c734b87f";

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

impl World {
    fn with_emulator(options: impl FnOnce(&mut EmulatorOptions)) -> World {
        let mut world = World::new();
        let mut opts = EmulatorOptions::new(Org::generated(2, 2, false));
        options(&mut opts);
        // The same org (Org::generated is deterministic), another lifetime.
        world.emu = Emulator::start(opts);
        world.sandbox.set_envs(world.emu.env());
        let config = std::fs::read_to_string(world.sandbox.config_path()).unwrap();
        let old = config
            .lines()
            .find_map(|l| l.strip_prefix("sso_start_url = "))
            .unwrap()
            .to_owned();
        world
            .sandbox
            .write(".aws/config", config.replace(&old, &world.emu.start_url()));
        world.sign_in();
        world
    }

    /// The cached role credentials files of sso-session acme. Beside
    /// each is the lock a fetch of that role holds: empty, 0600.
    fn role_cache_files(&self) -> Vec<PathBuf> {
        let (locks, entries): (Vec<_>, Vec<_>) = files(&self.sandbox.home().join(ROLE_CACHE))
            .into_iter()
            .partition(|(path, _)| path.extension().is_some_and(|e| e == "lock"));
        for (lock, size) in locks {
            assert_eq!((size, mode(&lock)), (0, 0o600), "{}", lock.display());
        }
        entries.into_iter().map(|(path, _)| path).collect()
    }

    fn process(&self, args: &[&str]) -> Value {
        let mut all = vec!["creds", "p", "--format", "process"];
        all.extend(args);
        let out = self.badge(&all);
        out.assert_success();
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.report()))
    }
}

#[test]
fn creds_and_exec_reuse_cached_role_credentials_in_every_format() {
    let world = World::new();
    let first = world.process(&[]);
    assert_eq!(world.role_credentials_issued(), 1);
    assert_eq!(world.process(&[]), first, "the same credentials");
    let json = world.badge(&["creds", "p", "--format", "json"]);
    json.assert_success();
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(value["Expiration"], first["Expiration"]);
    let env = world.badge(&["creds", "p"]);
    env.assert_success();
    assert!(
        env.stdout.contains(&format!(
            "export AWS_SESSION_TOKEN='{}'\n",
            first["SessionToken"].as_str().unwrap()
        )),
        "{}",
        env.report()
    );
    let exec = world.badge(&[
        "exec",
        "p",
        "--env-credentials",
        "--",
        "sh",
        "-c",
        "printf %s \"$AWS_ACCESS_KEY_ID\"",
    ]);
    exec.assert_success();
    assert_eq!(exec.stdout, first["AccessKeyId"].as_str().unwrap());
    assert_eq!(
        world.role_credentials_issued(),
        1,
        "one GetRoleCredentials for five calls"
    );
    for out in [&json, &env, &exec] {
        assert!(out.stderr.is_empty(), "{}", out.report());
    }

    // Another role is another entry.
    world.badge(&["creds", "q"]).assert_success();
    assert_eq!(world.role_credentials_issued(), 2);

    // 0600 files in 0700 folders, one per role, named by a sha1.
    let files = world.role_cache_files();
    assert_eq!(files.len(), 2, "{files:?}");
    let home = world.sandbox.home();
    assert_eq!(mode(&home.join(ROLE_CACHE)), 0o700);
    assert_eq!(mode(&home.join(".local/state/badge/credentials")), 0o700);
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.len() == 45 && name.ends_with(".json"),
            "a sha1 name: {name}"
        );
    }
    // Never in the config, never in the AWS CLI's caches.
    let config = std::fs::read_to_string(world.sandbox.config_path()).unwrap();
    assert!(!config.contains(first["AccessKeyId"].as_str().unwrap()));
    assert!(!home.join(".aws/cli").exists());
}

#[test]
fn cached_credentials_with_ten_minutes_or_less_left_are_fetched_again() {
    let world = World::with_emulator(|o| o.credentials_lifetime = Duration::from_secs(9 * 60));
    let first = world.process(&[]);
    let second = world.process(&[]);
    assert_eq!(world.role_credentials_issued(), 2, "9 minutes are too few");
    assert_ne!(first["AccessKeyId"], second["AccessKeyId"]);

    let world = World::with_emulator(|o| o.credentials_lifetime = Duration::from_secs(11 * 60));
    let first = world.process(&[]);
    assert_eq!(world.process(&[]), first);
    assert_eq!(world.role_credentials_issued(), 1, "11 minutes are enough");
}

#[test]
fn logout_drops_cached_credentials_and_a_new_login_does_not_see_them() {
    let world = World::new();
    world.process(&[]);
    world.badge(&["creds", "q"]).assert_success();
    assert_eq!(world.role_cache_files().len(), 2);
    world
        .badge(&["logout", "--sso-session", "acme"])
        .assert_success();
    assert!(
        !world.sandbox.home().join(ROLE_CACHE).exists(),
        "logout drops the session's cached credentials"
    );
    world.sign_in();
    world.process(&[]);
    assert_eq!(world.role_credentials_issued(), 3);

    // A new login (here: written by another tool, as `aws sso login`
    // would) is not the one the cached credentials came from.
    let cached = world.process(&[]);
    assert_eq!(world.role_credentials_issued(), 3);
    world.sign_in();
    let after = world.process(&[]);
    assert_eq!(
        world.role_credentials_issued(),
        4,
        "a new login, new credentials"
    );
    assert_ne!(cached["AccessKeyId"], after["AccessKeyId"]);
    assert_eq!(world.role_cache_files().len(), 1, "the entry replaced");

    // A login gone from the token cache leaves no credentials to use.
    std::fs::remove_file(world.sandbox.home().join(CACHE_FILE)).unwrap();
    let out = world.badge(&["creds", "p", "--format", "process"]);
    assert_fails_with(&out, 1, "run `badge login --sso-session acme`");
}

#[test]
fn no_cache_reads_nothing_and_writes_nothing() {
    let world = World::new();
    let before = files(world.sandbox.home());
    let first = world.process(&["--no-cache"]);
    world.process(&["--no-cache"]);
    assert_eq!(world.role_credentials_issued(), 2);
    assert_eq!(files(world.sandbox.home()), before, "no file written");

    let cached = world.process(&[]);
    let fresh = world.process(&["--no-cache"]);
    assert_eq!(
        world.role_credentials_issued(),
        4,
        "the cached entry not read"
    );
    assert_ne!(cached["AccessKeyId"], fresh["AccessKeyId"]);
    assert_ne!(first["AccessKeyId"], fresh["AccessKeyId"]);
    assert_eq!(world.process(&[]), cached, "nor replaced");
    let exec = world.badge(&["exec", "p", "--env-credentials", "--no-cache", "--", "true"]);
    exec.assert_success();
    assert_eq!(world.role_credentials_issued(), 5);
}

#[test]
fn a_cache_file_others_could_read_or_badge_did_not_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::new();
    let first = world.process(&[]);
    let file = world.role_cache_files().remove(0);

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = world.badge(&["creds", "p", "--format", "process"]);
    out.assert_success();
    let path = file.display().to_string();
    assert_eq!(
        out.stderr,
        format!(
            "badge: not using the cached role credentials in {path}: other users could read \
             or change it (mode 644); asked IAM Identity Center for new ones\n"
        ),
        "{}",
        out.report()
    );
    assert_eq!(world.role_credentials_issued(), 2);
    let second: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_ne!(second["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(mode(&file), 0o600, "replaced, private");

    for hostile in [
        "{\"Version\": 1, trunc".to_owned(),
        format!("{{\"Version\":1,\"pad\":\"{}\"}}", "x".repeat(1 << 20)),
        "[]".to_owned(),
    ] {
        std::fs::write(&file, hostile).unwrap();
        let out = world.badge(&["creds", "p", "--format", "process"]);
        out.assert_success();
        assert_eq!(
            out.stderr,
            format!(
                "badge: not using the cached role credentials in {path}: it is not a cache file \
                 badge wrote; asked IAM Identity Center for new ones\n"
            ),
            "{}",
            out.report()
        );
    }
    assert_eq!(world.role_credentials_issued(), 5);
    assert_eq!(mode(&file), 0o600);
    world.process(&[]);
    assert_eq!(
        world.role_credentials_issued(),
        5,
        "the replacement is used"
    );
}

#[test]
fn boto3_and_the_aws_cli_read_cached_credentials_through_credential_process() {
    let boto3 = support::python_module_available("boto3");
    let aws = support::aws_cli_v2_available();
    if !boto3 && !aws {
        return;
    }
    let world = World::new();
    let mut keys = Vec::new();
    if boto3 {
        let script = "import json, sys, boto3\n\
            c = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()\n\
            print(json.dumps([c.access_key, c.secret_key, c.token]))";
        for _ in 0..2 {
            let out = python(&world.sandbox, script, &["via-badge"]);
            out.assert_success();
            let got: Vec<String> = serde_json::from_str(out.stdout.trim()).unwrap();
            keys.push(got[0].clone());
        }
    }
    if aws {
        for _ in 0..2 {
            let mut cmd = world.sandbox.command("/usr/bin/aws");
            cmd.args(["configure", "export-credentials", "--profile", "via-badge"])
                .env("AWS_EC2_METADATA_DISABLED", "true");
            let out = run(cmd, "aws configure export-credentials --profile via-badge");
            out.assert_success();
            let value: Value = serde_json::from_str(&out.stdout).unwrap();
            keys.push(value["AccessKeyId"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(world.role_credentials_issued(), 1, "one GetRoleCredentials");
    assert!(keys.iter().all(|k| *k == world.issued()[0]), "{keys:?}");
}

/// A cache file of another user (who could have planted any credentials
/// there) is not used, and replaced by one of the user's own.
#[test]
fn a_cache_file_of_another_user_is_not_used() {
    use std::os::unix::fs::MetadataExt;
    if !support::running_as_root() {
        return;
    }
    let world = World::new();
    let first = world.process(&[]);
    let file = world.role_cache_files().remove(0);
    std::os::unix::fs::chown(&file, Some(4242), Some(4242)).unwrap();
    let out = world.badge(&["creds", "p", "--format", "process"]);
    out.assert_success();
    assert_eq!(
        out.stderr,
        format!(
            "badge: not using the cached role credentials in {}: it belongs to another user \
             (uid 4242); asked IAM Identity Center for new ones\n",
            file.display()
        ),
        "{}",
        out.report()
    );
    let second: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_ne!(second["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(world.role_credentials_issued(), 2);
    assert_eq!(
        std::fs::metadata(&file).unwrap().uid(),
        0,
        "replaced, the user's own"
    );
    assert_eq!(mode(&file), 0o600);
}

/// Tools that start together (Terraform's providers, a shell's prompt and
/// a script) on an empty cache: one of them asks IAM Identity Center, the
/// others wait for its answer and read it from the cache.
#[test]
fn calls_at_once_on_an_empty_cache_ask_once() {
    let world = World::with_emulator(|o| o.latency = Duration::from_millis(300));
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = world.sandbox.badge();
            cmd.args(["creds", "p", "--format", "process"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let mut keys = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
        let value: Value = serde_json::from_slice(&out.stdout).unwrap();
        keys.insert(value["AccessKeyId"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        keys.len(),
        1,
        "every call got the same credentials: {keys:?}"
    );
    assert_eq!(
        world.role_credentials_issued(),
        1,
        "one GetRoleCredentials for six calls at once"
    );
}

/// The morning after: the access token has expired, the refresh token is
/// good, and several tools start at once. One of them renews the login
/// (the service hands out a new refresh token and takes the old one back);
/// the others wait for it and use the renewed login, instead of failing
/// with the refresh token it used up.
#[test]
fn calls_at_once_on_an_expired_login_renew_it_once() {
    let world = World::with_emulator(|o| o.latency = Duration::from_millis(300));
    let path = world.sandbox.home().join(CACHE_FILE);
    let mut cache: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(cache.get("refreshToken").is_some(), "{cache}");
    cache["expiresAt"] = "2001-01-01T00:00:00Z".into();
    std::fs::write(&path, cache.to_string()).unwrap();
    let children: Vec<_> = (0..5)
        .map(|i| {
            let mut cmd = world.sandbox.badge();
            cmd.args([
                "creds",
                if i % 2 == 0 { "p" } else { "q" },
                "--format",
                "process",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
    assert_eq!(
        world.emu.requests().get("CreateToken"),
        1,
        "one renewal for five calls at once"
    );
}
