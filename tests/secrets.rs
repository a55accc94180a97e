//! No secret ever reaches badge's output, and the ones it keeps are private.
//!
//! - Every command runs against the Identity Center emulator with
//!   `--verbose`, and again with `RUST_LOG=trace BADGE_LOG=trace`, and
//!   through the bash function with `badge -v …`: the emulator remembers
//!   every secret it issued or received (client ids and secrets, device and
//!   authorization codes, PKCE verifiers, access and refresh tokens, role
//!   credentials), and none of them, nor a 16-character piece of one,
//!   appears on stdout or stderr. The one allowed exception is the client
//!   id as the `client_id` parameter of the sign-in URL, which the user
//!   must be able to open; and the stdout of `badge creds`, `badge exec
//!   --env-credentials` and `badge console --print`, which print role
//!   credentials or a sign-in URL on purpose (their stderr is scanned).
//!   The scanner is itself tested on planted secrets.
//! - Token cache files are 0600 in a 0700 folder, also when another tool
//!   made that folder (or the file) wider; the client registration too.
//! - The loopback redirect listens on 127.0.0.1 only (read from
//!   `/proc/net/tcp*` while it waits), ignores an answer with the wrong
//!   `state` even when it carries a real authorization code, and times out
//!   with a clear message.
//!
//! Failure messages never print a secret: leaked values are masked.

mod support;

use badge_emulator as emulator;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use emulator::{Emulator, EmulatorOptions, Org};
use serde_json::Value;
use support::{Run, Sandbox, Shell, require, run, run_shell};

const REGION: &str = "eu-west-1";
/// `~/.aws/sso/cache/<sha1("acme")>.json`.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
/// A leak is a piece of a secret at least this long (or the whole of a
/// shorter one).
const PIECE: usize = 16;

// ---- the scanner ------------------------------------------------------------

/// Finds secrets, or pieces of them, in text.
struct Scanner {
    /// Every `PIECE`-byte window of every secret, with the secret's kind.
    pieces: HashMap<Vec<u8>, &'static str>,
    /// Secrets shorter than a piece, whole.
    short: Vec<(&'static str, String)>,
    /// Every secret, for masking a report.
    whole: Vec<(&'static str, String)>,
    client_ids: Vec<String>,
}

impl Scanner {
    fn new(secrets: &[(&'static str, String)]) -> Scanner {
        let mut scanner = Scanner {
            pieces: HashMap::new(),
            short: Vec::new(),
            whole: Vec::new(),
            client_ids: Vec::new(),
        };
        for (kind, value) in secrets {
            if value.is_empty() {
                continue;
            }
            scanner.whole.push((kind, value.clone()));
            if *kind == "clientId" {
                scanner.client_ids.push(value.clone());
            }
            let bytes = value.as_bytes();
            if bytes.len() < PIECE {
                scanner.short.push((kind, value.clone()));
                continue;
            }
            for window in bytes.windows(PIECE) {
                scanner.pieces.insert(window.to_vec(), kind);
            }
        }
        scanner
            .whole
            .sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        scanner
    }

    /// The sign-in URL must carry the client id; nothing else may.
    fn without_allowed(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for id in &self.client_ids {
            text = text.replace(&format!("client_id={id}&"), "client_id=<allowed>&");
        }
        text
    }

    /// The kinds of secret found in `text`, and where (byte ranges).
    fn find(&self, text: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let text = self.without_allowed(text);
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        if bytes.len() >= PIECE {
            for (at, window) in bytes.windows(PIECE).enumerate() {
                if let Some(kind) = self.pieces.get(window) {
                    found.push((*kind, at..at + PIECE));
                }
            }
        }
        for (kind, value) in &self.short {
            for (at, _) in text.match_indices(value.as_str()) {
                found.push((*kind, at..at + value.len()));
            }
        }
        found
    }

    /// `text` safe to print: every secret and every piece found masked.
    fn mask(&self, text: &str) -> String {
        let text = self.without_allowed(text);
        let mut bytes = text.clone().into_bytes();
        for (_, range) in self.find(&text) {
            for b in &mut bytes[range] {
                *b = b'#';
            }
        }
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        for (kind, value) in &self.whole {
            text = text.replace(value.as_str(), &format!("[{kind}]"));
        }
        text
    }

    /// Panics, naming the kind of secret and where it appeared (but not
    /// its value), if any output holds one.
    #[track_caller]
    fn assert_clean(&self, outputs: &[Output]) {
        let mut problems = Vec::new();
        for output in outputs {
            for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                let mut kinds: Vec<&str> = self.find(text).into_iter().map(|(k, _)| k).collect();
                kinds.sort_unstable();
                kinds.dedup();
                if !kinds.is_empty() {
                    problems.push(format!(
                        "{} ({:?}) on {stream} of `{}`:\n{}",
                        kinds.join(", "),
                        output.mode,
                        output.what,
                        self.mask(text)
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "secrets in badge's output (masked here):\n{}",
            problems.join("\n---\n")
        );
    }
}

/// The scanner must be able to fail: planted secrets are found, whole or in
/// part, and masked in the report; the sign-in URL's client id is not a leak.
#[test]
fn the_scanner_finds_planted_secrets() {
    let secrets = vec![
        (
            "accessToken",
            "aoaAAAAAGplantedAccessToken0123456789:abcdefghij".to_owned(),
        ),
        ("clientId", "plantedClientId0123456789".to_owned()),
        ("accessKeyId", "ASIAPLANTED".to_owned()),
    ];
    let scanner = Scanner::new(&secrets);
    let clean = "badge [  0.010s] CreateToken (refresh_token) → 200 in 3 ms\n";
    assert!(scanner.find(clean).is_empty());

    let whole = format!("token: {}\n", secrets[0].1);
    assert_eq!(scanner.find(&whole)[0].0, "accessToken");
    assert!(!scanner.mask(&whole).contains(&secrets[0].1));

    let piece = "starts GplantedAccessToken01 and more";
    assert_eq!(scanner.find(piece)[0].0, "accessToken");
    assert!(!scanner.mask(piece).contains("plantedAccessToken"));

    let short = "key ASIAPLANTED set";
    assert_eq!(scanner.find(short)[0].0, "accessKeyId");

    let url = "open http://127.0.0.1/authorize?response_type=code&client_id=plantedClientId0123456789&redirect_uri=x";
    assert!(scanner.find(url).is_empty(), "the sign-in URL's client id");
    let bare = "client plantedClientId0123456789 registered";
    assert_eq!(scanner.find(bare)[0].0, "clientId");

    let outputs = [Output {
        what: "badge planted".into(),
        mode: Mode::Flag,
        stdout: String::new(),
        stderr: whole.clone(),
    }];
    let caught = std::panic::catch_unwind(|| scanner.assert_clean(&outputs));
    let message = caught.expect_err("a planted secret must fail the check");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("accessToken"), "{message}");
    assert!(!message.contains(&secrets[0].1), "the report masks it");
}

// ---- running badge ------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `--verbose` on the command line.
    Flag,
    /// `RUST_LOG=trace BADGE_LOG=trace` in the environment.
    Env,
    /// Through the bash function, `badge -v …`.
    ShellFunction,
}

struct Output {
    what: String,
    mode: Mode,
    stdout: String,
    stderr: String,
}

impl Output {
    fn of(run: &Run, mode: Mode) -> Output {
        Output {
            what: run.what.clone(),
            mode,
            stdout: run.stdout.clone(),
            stderr: run.stderr.clone(),
        }
    }
}

fn start_emulator() -> Emulator {
    Emulator::start(EmulatorOptions::new(Org::generated(3, 2, false)))
}

/// A sandbox on the emulator, signed out, with no sso-session yet, and a
/// "browser" that follows the sign-in URL with curl.
fn sandbox(emu: &Emulator) -> Sandbox {
    let mut sandbox = Sandbox::new("# my AWS config\n");
    let _ = std::fs::remove_dir_all(sandbox.home().join(".aws/sso"));
    for (name, value) in emu.env() {
        sandbox.set_env(name, value);
    }
    let browser = script(
        &sandbox,
        "curl-browser",
        "echo \"$1\" >> \"$HOME/browser-urls\"\n\
         exec /usr/bin/curl -sS -L --max-time 20 -o \"$HOME/browser-page.html\" \"$1\"\n",
    );
    sandbox.set_env("BROWSER", browser);
    sandbox
}

/// An executable script in the sandbox.
fn script(sandbox: &Sandbox, name: &str, body: &str) -> PathBuf {
    let path = sandbox.write(&format!("bin/{name}"), format!("#!/bin/sh\n{body}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Runs badge commands in one mode and keeps what they printed.
struct Session<'a> {
    sandbox: &'a Sandbox,
    mode: Mode,
    outputs: Vec<Output>,
}

impl Session<'_> {
    /// `badge ARGS` with `env` added, verbose as the mode says; checks the
    /// exit code.
    #[track_caller]
    fn badge(&mut self, args: &[&str], env: &[(&str, &str)], code: i32) -> Run {
        let mut cmd = self.sandbox.badge();
        let mut words: Vec<&str> = Vec::new();
        match self.mode {
            // Completion is not a command a user types.
            Mode::Flag if args.first() == Some(&"__complete") => words.extend(args),
            // The flag goes first or last, as users write it.
            Mode::Flag if self.outputs.len().is_multiple_of(2) => {
                words.push("--verbose");
                words.extend(args);
            }
            Mode::Flag => {
                words.extend(args);
                words.push("-v");
            }
            _ => {
                words.extend(args);
                cmd.env("RUST_LOG", "trace").env("BADGE_LOG", "trace");
            }
        }
        cmd.args(&words);
        for (name, value) in env {
            cmd.env(name, value);
        }
        let run = run(cmd, format!("badge {}", words.join(" ")));
        assert_eq!(run.code(), Some(code), "{}", run.report());
        self.outputs.push(Output::of(&run, self.mode));
        run
    }
}

/// `badge session add acme` on the emulator.
fn add_session(sandbox: &Sandbox, emu: &Emulator) {
    let mut cmd = sandbox.badge();
    cmd.args(["session", "add", "acme", "--start-url"])
        .arg(emu.start_url())
        .args(["--region", REGION]);
    let add = run(cmd, "badge session add");
    assert!(add.status.success(), "{}", add.report());
}

/// The access token expires, at the emulator and in the cache file, so
/// that the next `badge login` renews it with the refresh token.
fn expire_access_token(emu: &Emulator, sandbox: &Sandbox) {
    emu.expire_tokens();
    let mut token = json_file(sandbox, CACHE_FILE);
    token["expiresAt"] = Value::from("2000-01-01T00:00:00Z");
    std::fs::write(sandbox.home().join(CACHE_FILE), token.to_string()).unwrap();
}

/// The value of a JSON file under HOME.
fn json_file(sandbox: &Sandbox, relative: &str) -> Value {
    let text = std::fs::read_to_string(sandbox.home().join(relative))
        .unwrap_or_else(|err| panic!("{relative}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

/// GetRoleCredentials straight from the emulator, as the AWS CLI would
/// call it with badge's cached token: role credentials for the tests to
/// leave in the environment and the credentials file.
fn role_credentials(emu: &Emulator, access_token: &str) -> (String, String, String) {
    let org = emu.org();
    let account = &org.accounts[0];
    let mut stream = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    write!(
        stream,
        "GET /federation/credentials?account_id={}&role_name={} HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nx-amz-sso_bearer_token: {access_token}\r\nConnection: close\r\n\r\n",
        account.id, account.roles[0]
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = &response[response.find('{').expect("a JSON body")..=response.rfind('}').unwrap()];
    let value: Value = serde_json::from_str(body).unwrap();
    let creds = &value["roleCredentials"];
    (
        text(creds, "accessKeyId"),
        text(creds, "secretAccessKey"),
        text(creds, "sessionToken"),
    )
}

/// Every secret the emulator issued or saw, plus those in the files badge
/// wrote (the same values, read independently).
fn secrets(emu: &Emulator, sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    let mut secrets = emu.issued_secrets();
    let kinds = [
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "accessToken",
        "refreshToken",
        "clientSecret",
        "clientId",
        "authorizationCode",
        "codeVerifier",
        "deviceCode",
    ];
    for kind in kinds {
        assert!(
            secrets.iter().any(|(k, _)| *k == kind),
            "the emulator issued or saw no {kind}: the test did not cover it"
        );
    }
    for file in sandbox.files_named("") {
        let is_secret_file = file.extension().is_some_and(|e| e == "json")
            && (file.starts_with(sandbox.home().join(".aws/sso/cache"))
                || file.starts_with(sandbox.home().join(".local/state/badge/clients")));
        if !is_secret_file {
            continue;
        }
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for (key, kind) in [
            ("accessToken", "accessToken"),
            ("refreshToken", "refreshToken"),
            ("clientSecret", "clientSecret"),
            ("clientId", "clientId"),
        ] {
            let value = text(&value, key);
            if !value.is_empty() {
                secrets.push((kind, value));
            }
        }
    }
    secrets
}

/// The `name` parameter of a URL's query.
fn param(url: &str, name: &str) -> Option<String> {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
}

/// `badge [  0.012s] …`, a line of `--verbose` output.
fn is_diagnostic(line: &str) -> bool {
    line.strip_prefix("badge [")
        .and_then(|rest| rest.split_once("s] "))
        .is_some_and(|(secs, _)| secs.trim().parse::<f64>().is_ok())
}

#[track_caller]
fn assert_has(run: &Run, needle: &str) {
    assert!(
        run.stderr.contains(needle),
        "`{needle}` not on stderr\n{}",
        run.report()
    );
}

// ---- every command, verbose ---------------------------------------------------

/// Every command once, in the order a new user runs them, in one mode.
fn every_command(mode: Mode) {
    if !require("curl") {
        return;
    }
    let emu = start_emulator();
    let sandbox = sandbox(&emu);
    let mut s = Session {
        sandbox: &sandbox,
        mode,
        outputs: Vec::new(),
    };
    let none: &[(&str, &str)] = &[];

    s.badge(&["--help"], none, 0);
    let start_url = emu.start_url();
    s.badge(
        &[
            "session",
            "add",
            "acme",
            "--start-url",
            &start_url,
            "--region",
            REGION,
        ],
        none,
        0,
    );
    // Sign in with the authorization code flow and PKCE.
    let login = s.badge(&["login"], none, 0);
    assert_has(&login, "signed in to sso-session \"acme\"");
    assert_has(&login, "RegisterClient → 200");
    assert_has(&login, "CreateToken (authorization_code) → 200");
    assert_has(&login, "loopback: GET /oauth/callback → 200 OK");
    assert_has(&login, "wrote the token cache of \"acme\"");

    // Role credentials, left by another tool in the environment and in the
    // credentials file, where badge reads profile names.
    let token = json_file(&sandbox, CACHE_FILE);
    let (key_id, secret_key, session_token) = role_credentials(&emu, &text(&token, "accessToken"));
    sandbox.write(
        ".aws/credentials",
        format!(
            "[static-keys]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret_key}\n\
             aws_session_token = {session_token}\n"
        ),
    );
    let keys = [
        ("AWS_ACCESS_KEY_ID", key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret_key.as_str()),
        ("AWS_SESSION_TOKEN", session_token.as_str()),
    ];

    // The access token expires: `login` renews it with the refresh token.

    expire_access_token(&emu, &sandbox);
    let renewed = s.badge(&["login"], &keys, 0);
    assert_has(&renewed, "renewing it with the refresh token");
    assert_has(&renewed, "CreateToken (refresh_token) → 200");
    s.badge(&["login", "--sso-session", "acme"], &keys, 0);

    // Some throttling, so that retries show in the output; no Retry-After,
    // so they back off in milliseconds.
    emu.set_retry_after(None);
    emu.set_throttle_every(Some(4));
    let sync = s.badge(&["sync", "--dry-run"], &keys, 0);
    assert_has(&sync, "ListAccountRoles account ");
    assert_has(&sync, "→ 429 TooManyRequestsException");
    assert_has(&sync, "throttled; retry 1 in");
    s.badge(&["sync"], &keys, 0);
    emu.set_throttle_every(None);

    let ls = s.badge(&["ls", "--json"], &keys, 0);
    let profiles: Value = serde_json::from_str(&ls.stdout).expect("ls --json");
    let generated: Vec<String> = profiles
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["generated"] == Value::Bool(true))
        .map(|p| text(p, "name"))
        .collect();
    assert_eq!(generated.len(), 6, "{}", ls.stdout);
    s.badge(&["ls"], &keys, 0);

    // Switching, as the shell function runs the binary.
    let hooked = |previous: Option<&str>| -> Vec<(&str, String)> {
        let mut env: Vec<(&str, String)> = keys.iter().map(|(k, v)| (*k, v.to_string())).collect();
        env.push(("__BADGE_SHELL", "bash".to_owned()));
        if let Some(previous) = previous {
            env.push(("__BADGE_PREVIOUS", format!("={previous}")));
        }
        env
    };
    let run_hooked = |s: &mut Session, args: &[&str], env: Vec<(&str, String)>| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        s.badge(args, &env, 0)
    };
    let used = run_hooked(&mut s, &["use", &generated[0]], hooked(None));
    assert!(used.stdout.contains("AWS_PROFILE"), "{}", used.report());
    assert_has(&used, "AWS_ACCESS_KEY_ID");
    run_hooked(&mut s, &[&generated[1]], hooked(Some(&generated[0])));
    let mut back = hooked(Some(&generated[1]));
    back.push(("AWS_PROFILE", generated[0].clone()));
    run_hooked(&mut s, &["-"], back);
    run_hooked(&mut s, &["use", "static-keys"], hooked(None));
    run_hooked(&mut s, &["off"], hooked(None));
    for profile in [generated[0].as_str(), "static-keys"] {
        let mut env = keys.to_vec();
        env.push(("AWS_PROFILE", profile));
        s.badge(&["current"], &env, 0);
        s.badge(&["current", "--json"], &env, 0);
    }

    for shell in ["bash", "zsh", "fish"] {
        s.badge(&["init", shell], none, 0);
        s.badge(&["completions", shell], none, 0);
    }
    s.badge(&["__complete", "bash", "--", "badge -v ", ""], none, 0);
    s.badge(&["__complete", "zsh", "--", "badge", "use", ""], none, 0);
    s.badge(
        &[
            "__complete",
            "fish",
            "--",
            "badge",
            "login",
            "--sso-session",
            "",
        ],
        none,
        0,
    );

    // Credentials and a console sign-in URL on stdout are what these are
    // for: their stdout is exempt (cleared once checked), their stderr is
    // scanned like any other.
    let mut env = keys.to_vec();
    let signin = emu.url().to_owned();
    env.extend([("BADGE_SIGNIN_URL", signin.as_str()), ("BROWSER", "true")]);
    let profile = generated[0].as_str();
    let on_purpose: [&[&str]; 5] = [
        &["creds", profile],
        &["creds", profile, "--format", "json"],
        &["creds", profile, "--format", "process"],
        &[
            "exec",
            profile,
            "--env-credentials",
            "--",
            "sh",
            "-c",
            "printenv AWS_SESSION_TOKEN",
        ],
        &["console", profile, "--print"],
    ];
    for args in on_purpose {
        let run = s.badge(args, &env, 0);
        assert!(!run.stdout.is_empty(), "{}", run.what);
        s.outputs.last_mut().expect("the run").stdout.clear();
    }
    s.badge(&["exec", profile, "--", "sh", "-c", "true"], &env, 0);
    s.badge(&["console", profile], &env, 0);

    let logout = s.badge(&["logout"], &keys, 0);
    assert_has(&logout, "Logout → 200");
    assert!(!sandbox.home().join(CACHE_FILE).exists());

    // The device code flow; the "browser" approves the code.
    let device = s.badge(&["login", "--device-code"], &keys, 0);
    assert_has(&device, "StartDeviceAuthorization → 200");
    assert_has(&device, "CreateToken (device_code) → 200");
    // A login the portal revoked fails with a message, scanned too.
    emu.revoke_all_tokens();
    s.badge(&["sync"], &keys, 1);
    s.badge(&["logout"], &keys, 0);

    let mut all = secrets(&emu, &sandbox);
    let signin_tokens = emu.issued_signin_tokens();
    assert_eq!(signin_tokens.len(), 2, "console ran twice");
    all.extend(signin_tokens.into_iter().map(|t| ("signinToken", t)));
    let scanner = Scanner::new(&all);
    scanner.assert_clean(&s.outputs);
    // Every command printed diagnostics, but help, and completion, which
    // stays quiet so that Tab does not scribble over the command line.
    for output in &s.outputs {
        let quiet = output.what.contains("__complete") || output.what.contains("--help");
        assert_eq!(
            output.stderr.lines().any(is_diagnostic),
            !quiet,
            "verbose output of `{}`:\n{}",
            output.what,
            scanner.mask(&output.stderr)
        );
        // Diagnostics never go to stdout, which the shell may evaluate.
        assert!(
            !output.stdout.lines().any(is_diagnostic),
            "`{}`",
            output.what
        );
    }
    // The config file holds no secret either.
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert!(
        scanner.find(&config).is_empty(),
        "{}",
        scanner.mask(&config)
    );
}

#[test]
fn every_command_with_verbose_prints_no_secret() {
    every_command(Mode::Flag);
}

#[test]
fn every_command_with_rust_log_trace_prints_no_secret() {
    every_command(Mode::Env);
}

/// `badge -v …` through the real bash function: diagnostics on stderr,
/// switching still switches, other commands still print and exit as they
/// should, and no secret shows.
#[test]
fn the_shell_function_takes_verbose_first() {
    if !require("curl") || !require("bash") {
        return;
    }
    let emu = start_emulator();
    let sandbox = sandbox(&emu);
    let start_url = emu.start_url();
    let script = format!(
        "{init}\n\
         badge -v session add acme --start-url '{start_url}' --region {REGION} || exit 10\n\
         badge -v login || exit 11\n\
         badge --verbose sync || exit 12\n\
         first=$(badge ls --json | sed -n 's/.*\"name\": *\"\\([^\"]*\\)\".*/\\1/p' | head -1)\n\
         badge -v \"$first\" || exit 13\n\
         echo \"profile=[$AWS_PROFILE]\"\n\
         badge -v off || exit 14\n\
         echo \"after off=[${{AWS_PROFILE-}}]\"\n\
         badge -v - || exit 15\n\
         echo \"back=[$AWS_PROFILE]\"\n\
         badge -v ls | grep -c acme\n\
         badge -v ls --sso-session nope; echo \"ls status=$?\"\n\
         badge -v current --json | grep -c account_id\n\
         echo \"BADGE_LOG=[${{BADGE_LOG-unset}}]\"\n\
         badge -v logout || exit 16\n",
        init = Shell::Bash.init()
    );
    let run = run_shell(Shell::Bash, &sandbox, &script);
    assert!(run.status.success(), "{}", run.report());
    let lines: Vec<&str> = run.stdout.lines().collect();
    let profile = lines
        .iter()
        .find_map(|l| l.strip_prefix("profile=["))
        .unwrap_or_else(|| panic!("{}", run.report()));
    assert!(profile.len() > 2, "{}", run.report());
    assert!(lines.contains(&"after off=[]"), "{}", run.report());
    let back = format!("back=[{profile}");
    assert!(lines.contains(&back.as_str()), "{}", run.report());
    assert!(
        lines.contains(&"6"),
        "ls through the function prints: {}",
        run.report()
    );
    assert!(lines.contains(&"ls status=1"), "{}", run.report());
    assert!(
        lines.contains(&"1"),
        "current --json prints: {}",
        run.report()
    );
    assert!(
        lines.contains(&"BADGE_LOG=[unset]"),
        "the flag does not stick to the shell: {}",
        run.report()
    );
    assert!(run.stderr.contains("run by the bash shell function"));
    assert!(run.stderr.contains("ListAccounts → 200"));
    let scanner = Scanner::new(&emu.issued_secrets());
    scanner.assert_clean(&[Output::of(&run, Mode::ShellFunction)]);
}

// ---- files --------------------------------------------------------------------

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Another tool made `~/.aws/sso/cache` world-writable and left a readable
/// token file; badge's state folder is wide open too. After a login the
/// token cache and the client registration are private, the folders badge
/// writes secrets into are 0700, and the folders above them are untouched.
#[test]
fn token_cache_and_registration_are_private_even_in_wider_folders() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator();
    let sandbox = sandbox(&emu);
    let home = sandbox.home();
    let cache_dir = home.join(".aws/sso/cache");
    let clients = home.join(".local/state/badge/clients");
    for (dir, wide) in [
        (home.join(".aws"), 0o755),
        (home.join(".aws/sso"), 0o775),
        (cache_dir.clone(), 0o777),
        (home.join(".local/state/badge"), 0o755),
        (clients.clone(), 0o777),
    ] {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(wide)).unwrap();
    }
    let stale = sandbox.write(
        CACHE_FILE,
        "{\"accessToken\": \"stale-token-from-another-tool\", \"expiresAt\": \"2000-01-01T00:00:00Z\"}",
    );
    std::fs::set_permissions(&stale, std::fs::Permissions::from_mode(0o644)).unwrap();
    add_session(&sandbox, &emu);
    let mut cmd = sandbox.badge();
    cmd.args(["login", "--verbose"]);
    let login = run(cmd, "badge login --verbose");
    assert!(login.status.success(), "{}", login.report());
    assert_has(
        &login,
        &format!("made {} private (0700)", cache_dir.display()),
    );

    assert_eq!(mode(&cache_dir), 0o700);
    assert_eq!(mode(&home.join(CACHE_FILE)), 0o600);
    assert_eq!(mode(&clients), 0o700);
    let registrations: Vec<PathBuf> = std::fs::read_dir(&clients)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(registrations.len(), 1, "{registrations:?}");
    assert_eq!(mode(&registrations[0]), 0o600);
    // Not badge's to tighten: shared with other tools.
    assert_eq!(mode(&home.join(".aws")), 0o755);
    assert_eq!(mode(&home.join(".aws/sso")), 0o775);
    assert_eq!(mode(&home.join(".local/state/badge")), 0o755);
    // No temporary file left beside the cache.
    let names: Vec<String> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    // A renewal rewrites the file: still private.
    std::fs::set_permissions(
        home.join(CACHE_FILE),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    expire_access_token(&emu, &sandbox);
    let mut cmd = sandbox.badge();
    cmd.arg("login");
    let renewed = run(cmd, "badge login (renew)");
    assert!(renewed.status.success(), "{}", renewed.report());
    assert!(
        renewed.stderr.contains("renewed the login"),
        "{}",
        renewed.report()
    );
    assert_eq!(mode(&home.join(CACHE_FILE)), 0o600);
}

/// `badge ARGS` under `umask 000`, as a careless profile script leaves it.
fn badge_under_umask(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut cmd = sandbox.command("sh");
    cmd.args(["-c", "umask 000; exec \"$0\" \"$@\""])
        .arg(support::badge_bin())
        .args(args);
    run(cmd, format!("umask 000; badge {}", args.join(" ")))
}

/// Every folder badge makes is 0700 and every file 0600 whatever the umask
/// (others could otherwise replace the backups folder, or hold the config
/// lock: flock works on any handle a user can open).
#[test]
fn badge_keeps_its_files_private_under_umask_000() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator();
    let sandbox = sandbox(&emu);
    let home = sandbox.home();
    let mut add = vec!["session", "add", "acme", "--region", REGION, "--start-url"];
    let start_url = emu.start_url();
    add.push(&start_url);
    for args in [
        &add[..],
        &["login"],
        &["sync"],
        &["sync", "--template", "{account_id}.{role_name}"],
    ] {
        let done = badge_under_umask(&sandbox, args);
        assert!(done.status.success(), "{}", done.report());
    }
    let state = home.join(".local/state/badge");
    let mut checked = 0;
    for dir in [state.clone(), home.join(".aws/sso/cache")] {
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            assert_eq!(mode(&dir), 0o700, "{}", dir.display());
            checked += 1;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    assert_eq!(mode(&path), 0o600, "{}", path.display());
                    checked += 1;
                }
            }
        }
    }
    // The state folder, locks, backups, synced, clients, and their files.
    assert!(checked >= 10, "only {checked} files and folders");
}

/// A folder of badge's owned by another user, or reached through another
/// user's symlink, could be theirs to fill or empty: badge refuses it, in
/// one line, and changes nothing.
#[test]
fn badge_refuses_folders_of_other_users() {
    if !support::running_as_root() {
        return;
    }
    let emu = start_emulator();
    let sandbox = sandbox(&emu);
    add_session(&sandbox, &emu);
    let home = sandbox.home();
    let config = std::fs::read(sandbox.config_path()).unwrap();
    let chown = |path: &Path, uid: u32| {
        std::os::unix::fs::lchown(path, Some(uid), Some(uid)).unwrap();
    };
    let add_again = |what: &str| {
        let mut cmd = sandbox.badge();
        cmd.args(["session", "add", "acme", "--region", "us-east-1"]);
        let refused = run(cmd, format!("badge session add ({what})"));
        assert_eq!(refused.code(), Some(1), "{what}: {}", refused.report());
        assert_eq!(
            refused.stderr.lines().count(),
            1,
            "{what}: {}",
            refused.report()
        );
        assert_eq!(
            std::fs::read(sandbox.config_path()).unwrap(),
            config,
            "{what}"
        );
        refused.stderr
    };

    let locks = home.join(".local/state/badge/locks");
    chown(&locks, 4242);
    let said = add_again("another user's locks folder");
    assert_eq!(
        said,
        format!(
            "badge: {} belongs to another user (uid 4242), so badge will not keep its files \
             there; remove it (badge makes a new one) or give it back with `chown -R $(id -u) {}`\n",
            locks.display(),
            locks.display()
        )
    );
    chown(&locks, 0);

    // The backups folder replaced by another user's symlink to theirs.
    let theirs = home.join("theirs");
    std::fs::create_dir_all(&theirs).unwrap();
    chown(&theirs, 4242);
    let backups = home.join(".local/state/badge/backups");
    let _ = std::fs::remove_dir_all(&backups);
    std::os::unix::fs::symlink(&theirs, &backups).unwrap();
    chown(&backups, 4242);
    let said = add_again("another user's symlink");
    assert!(
        said.starts_with(&format!(
            "badge: {} is a symlink of another user (uid 4242)",
            backups.display()
        )),
        "{said}"
    );
    std::fs::remove_file(&backups).unwrap();

    // The token cache folder of another user: no login goes there.
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    chown(&cache, 4242);
    let mut cmd = sandbox.badge();
    cmd.arg("login");
    let login = run(cmd, "badge login (another user's cache)");
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login.stderr.contains(&format!(
            "badge: {} belongs to another user (uid 4242)",
            cache.display()
        )),
        "{}",
        login.report()
    );
}

// ---- the loopback redirect ------------------------------------------------------

/// A "browser" that asks the emulator for the sign-in without following the
/// redirect (so it holds a real, unused authorization code), records which
/// sockets listen, answers the loopback with the code and a *tampered*
/// state, and then, if `then_honest`, with the real state.
fn tampering_browser(sandbox: &mut Sandbox, then_honest: bool) {
    let honest = if then_honest {
        "curl -sS --max-time 20 -o \"$HOME/right-page.html\" -w '%{http_code}' \"$location\" > \"$HOME/right-status\"\n"
    } else {
        ""
    };
    let path = script(
        sandbox,
        "tampering-browser",
        &format!(
            "cat /proc/net/tcp > \"$HOME/tcp4\"; cat /proc/net/tcp6 > \"$HOME/tcp6\" 2>/dev/null\n\
             echo \"$1\" > \"$HOME/browser-url\"\n\
             location=$(curl -sS --max-time 20 -o /dev/null -w '%{{redirect_url}}' \"$1\")\n\
             case \"$location\" in *'&state='*) ;; *) echo \"no redirect: $location\" > \"$HOME/browser-error\"; exit 1 ;; esac\n\
             tampered=\"${{location%%&state=*}}&state=tampered-state\"\n\
             curl -sS --max-time 20 -o \"$HOME/wrong-page.html\" -w '%{{http_code}}' \"$tampered\" > \"$HOME/wrong-status\"\n\
             {honest}"
        ),
    );
    sandbox.set_env("BROWSER", path);
}

fn read(sandbox: &Sandbox, name: &str) -> String {
    std::fs::read_to_string(sandbox.home().join(name)).unwrap_or_default()
}

/// The loopback port, from the redirect URI of the sign-in URL.
fn loopback_port(url: &str) -> u16 {
    let redirect = param(url, "redirect_uri").expect("a redirect_uri");
    let rest = redirect
        .strip_prefix("http%3A%2F%2F127.0.0.1%3A")
        .unwrap_or_else(|| panic!("redirect_uri {redirect}"));
    rest.split('%').next().unwrap().parse().unwrap()
}

/// Local addresses (hex, as `/proc/net/tcp*` has them) listening on `port`.
fn listening(table: &str, port: u16) -> Vec<String> {
    let port = format!("{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, state) = (fields.get(1)?, fields.get(3)?);
            let (ip, p) = address.split_once(':')?;
            (p == port && *state == "0A").then(|| ip.to_owned())
        })
        .collect()
}

/// An answer with a real authorization code but the wrong `state` does not
/// sign in: badge answers 400, keeps waiting, never redeems the code, and
/// gives up with a clear message when the time is over. Meanwhile its
/// listener is on 127.0.0.1 only.
#[test]
fn a_wrong_state_does_not_sign_in_and_the_wait_times_out() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator();
    let mut sandbox = sandbox(&emu);
    tampering_browser(&mut sandbox, false);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "3");
    add_session(&sandbox, &emu);
    emu.reset_requests();

    let mut cmd = sandbox.badge();
    cmd.args(["login", "--verbose"]);
    let login = run(cmd, "badge login --verbose");
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert_eq!(read(&sandbox, "browser-error"), "");
    assert_eq!(read(&sandbox, "wrong-status"), "400", "{}", login.report());
    assert!(read(&sandbox, "wrong-page.html").contains("Not this sign-in"));
    assert_has(
        &login,
        "loopback: GET /oauth/callback → 400 Bad Request, ignored",
    );
    assert!(
        login.stderr.ends_with(
            "badge: no sign-in came back from the browser within 3 s; run \
             `badge login --sso-session acme` to try again, or \
             `badge login --sso-session acme --device-code` on a host the browser cannot reach\n"
        ),
        "{}",
        login.report()
    );
    assert!(!sandbox.home().join(CACHE_FILE).exists());
    let counts = emu.requests();
    assert_eq!(counts.get("Authorize"), 1);
    assert_eq!(counts.get("CreateToken"), 0, "the code was never redeemed");

    // The listener was on 127.0.0.1, and on no other address.
    let port = loopback_port(&read(&sandbox, "browser-url"));
    assert_eq!(listening(&read(&sandbox, "tcp4"), port), ["0100007F"]);
    assert_eq!(
        listening(&read(&sandbox, "tcp6"), port),
        Vec::<String>::new()
    );

    let scanner = Scanner::new(&emu.issued_secrets());
    scanner.assert_clean(&[Output::of(&login, Mode::Flag)]);
}

/// The same tampered answer first, then the browser's real one: the real
/// one signs in, with the code the emulator issued, redeemed once.
#[test]
fn a_wrong_state_is_ignored_and_the_right_one_signs_in() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator();
    let mut sandbox = sandbox(&emu);
    tampering_browser(&mut sandbox, true);
    add_session(&sandbox, &emu);
    emu.reset_requests();

    let mut cmd = sandbox.badge();
    cmd.args(["login", "-v"]);
    let login = run(cmd, "badge login -v");
    assert!(login.status.success(), "{}", login.report());
    assert_eq!(read(&sandbox, "wrong-status"), "400");
    assert_eq!(read(&sandbox, "right-status"), "200");
    assert!(read(&sandbox, "right-page.html").contains("You can close this tab"));
    let counts = emu.requests();
    assert_eq!(counts.get("CreateToken"), 1);
    assert_eq!(counts.errors.values().sum::<u64>(), 0, "{counts:?}");
    assert!(emu.token_is_valid(&text(&json_file(&sandbox, CACHE_FILE), "accessToken")));
    let scanner = Scanner::new(&emu.issued_secrets());
    scanner.assert_clean(&[Output::of(&login, Mode::Flag)]);
}
