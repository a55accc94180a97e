//! `badge login` and `badge logout` end to end against the Identity Center
//! emulator: the PKCE flow driven by a real headless Chromium, the device
//! code flow, refresh without a browser, logout, expired and revoked
//! logins, and the token cache read back by boto3 and the AWS CLI v2 (and
//! theirs read by badge).
//!
//! Every test runs in its own temporary HOME; the emulator listens on
//! 127.0.0.1 only. "Browsers" are scripts in the sandbox: headless Chromium,
//! curl following the redirect, or a trap that fails the test if run.

mod support;

use badge_emulator as emulator;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use emulator::{Emulator, EmulatorOptions, Org};
use serde_json::Value;
use support::{Run, Sandbox, Shell, require, run, run_shell};

/// `~/.aws/sso/cache/<sha1("acme")>.json`, as the AWS CLI names it.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const REGION: &str = "eu-west-1";

fn start_emulator(configure: impl FnOnce(&mut EmulatorOptions)) -> Emulator {
    let mut options = EmulatorOptions::new(Org::generated(3, 2, false));
    configure(&mut options);
    Emulator::start(options)
}

/// A sandbox with `[sso-session acme]` on the emulator and a hand-written
/// profile `p` using it, pointed at the emulator.
fn sandbox(emu: &Emulator) -> Sandbox {
    let org = emu.org();
    let account = &org.accounts[0];
    let config = format!(
        "[sso-session acme]\nsso_start_url = {}\nsso_region = {REGION}\n\
         sso_registration_scopes = sso:account:access\n\n\
         [profile p]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\nregion = {REGION}\n",
        emu.start_url(),
        account.id,
        account.roles[0]
    );
    let mut sandbox = Sandbox::new(&config);
    // Start signed out, with no token cache folder at all.
    let _ = std::fs::remove_dir_all(sandbox.home().join(".aws/sso"));
    sandbox.set_envs(emu.env());
    sandbox
}

/// An executable script in the sandbox.
fn script(sandbox: &Sandbox, name: &str, body: &str) -> PathBuf {
    let path = sandbox.write(&format!("bin/{name}"), format!("#!/bin/sh\n{body}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A browser that follows the redirect with curl, keeping the page and URL.
fn curl_browser(sandbox: &mut Sandbox) {
    let path = script(
        sandbox,
        "curl-browser",
        "echo \"$1\" >> \"$HOME/browser-urls\"\n\
         exec /usr/bin/curl -sS -L --max-time 20 -o \"$HOME/browser-page.html\" \"$1\"\n",
    );
    sandbox.set_env("BROWSER", path);
}

/// A browser that must not be started: it leaves a marker.
fn trap_browser(sandbox: &mut Sandbox) {
    let path = script(
        sandbox,
        "trap-browser",
        "touch \"$HOME/browser-was-run\"\nexit 1\n",
    );
    sandbox.set_env("BROWSER", path);
}

#[track_caller]
fn assert_browser_not_run(sandbox: &Sandbox) {
    assert!(
        !sandbox.home().join("browser-was-run").exists(),
        "a browser was started"
    );
}

fn badge(sandbox: &Sandbox, args: &[&str]) -> Run {
    sandbox.run_badge(args)
}

fn cache(sandbox: &Sandbox) -> Value {
    let text = std::fs::read_to_string(sandbox.home().join(CACHE_FILE)).expect("the token cache");
    serde_json::from_str(&text).expect("the token cache is JSON")
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {value:#}"))
}

fn epoch(iso: &str) -> u64 {
    // 2026-11-26T18:00:00Z, via the date program to stay independent of
    // badge's own parser.
    let out = Command::new("date")
        .args(["-u", "-d", iso, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The whole token cache as the AWS CLI writes it, private, and valid.
#[track_caller]
fn assert_aws_cli_cache(sandbox: &Sandbox, emu: &Emulator) -> Value {
    let file = sandbox.home().join(CACHE_FILE);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600, "{}", file.display());
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let token = cache(sandbox);
    let mut keys: Vec<&str> = token
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "accessToken",
            "clientId",
            "clientSecret",
            "expiresAt",
            "refreshToken",
            "region",
            "registrationExpiresAt",
            "startUrl"
        ]
    );
    assert_eq!(text(&token, "startUrl"), emu.start_url());
    assert_eq!(text(&token, "region"), REGION);
    for key in ["expiresAt", "registrationExpiresAt"] {
        let value = text(&token, key);
        assert!(value.len() == 20 && value.ends_with('Z'), "{key} = {value}");
        assert!(epoch(value) > now() + 3600, "{key} = {value}");
    }
    assert!(
        emu.token_is_valid(text(&token, "accessToken")),
        "the emulator rejects the cached token"
    );
    token
}

/// No secret from the cache in anything badge printed.
#[track_caller]
fn assert_no_secrets(run: &Run, token: &Value) {
    for key in ["accessToken", "refreshToken", "clientSecret"] {
        if let Some(secret) = token[key].as_str() {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{key} printed\n{}",
                run.report()
            );
        }
    }
}

fn operation_count(emu: &Emulator, operation: &str) -> u64 {
    emu.requests()
        .by_operation
        .get(operation)
        .copied()
        .unwrap_or(0)
}

/// A cache file in the AWS CLI's format for a token minted by the
/// emulator, with `expiresAt` moved when asked.
fn write_minted_cache(sandbox: &Sandbox, emu: &Emulator, expires_at: Option<&str>) -> Value {
    let minted = emu.mint_token();
    let mut token: Value =
        serde_json::from_str(&minted.cache_file_json(&emu.start_url(), REGION)).unwrap();
    if let Some(at) = expires_at {
        token["expiresAt"] = Value::from(at);
    }
    sandbox.write(CACHE_FILE, serde_json::to_string_pretty(&token).unwrap());
    token
}

// ---- the real browser -------------------------------------------------------

#[test]
fn pkce_login_in_headless_chromium() {
    if !require("chromium") {
        return;
    }
    let started = Instant::now();
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    let profile_dir = sandbox.home().join("chromium-profile");
    let browser = script(
        &sandbox,
        "chromium-browser",
        &format!(
            "exec /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic \
             --no-first-run --disable-background-networking --disable-component-update \
             --disable-sync --user-data-dir='{}' --dump-dom \"$1\" \
             > \"$HOME/chromium-dom.html\" 2> \"$HOME/chromium.log\"\n",
            profile_dir.display()
        ),
    );
    sandbox.set_env("BROWSER", &browser);

    let login = badge(&sandbox, &["login"]);
    login.assert_success();
    assert_eq!(
        login.stdout, "",
        "nothing on stdout outside the shell integration"
    );
    assert!(
        login
            .stderr
            .contains("signed in to sso-session \"acme\", valid until"),
        "{}",
        login.report()
    );
    assert!(
        login.stderr.contains("/authorize?response_type=code"),
        "{}",
        login.report()
    );
    let token = assert_aws_cli_cache(&sandbox, &emu);
    assert_no_secrets(&login, &token);
    assert_eq!(operation_count(&emu, "Authorize"), 1);
    assert_eq!(operation_count(&emu, "RegisterClient"), 1);

    // Chromium showed badge's page on the loopback redirect.
    let dom = sandbox.home().join("chromium-dom.html");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&dom).is_ok_and(|d| d.contains("</html>"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = std::fs::read_to_string(&dom).unwrap_or_default();
    assert!(
        page.contains("You can close this tab"),
        "chromium's page:\n{page}\nchromium's log:\n{}",
        std::fs::read_to_string(sandbox.home().join("chromium.log")).unwrap_or_default()
    );

    // The client registration is cached privately in badge's state folder.
    let registrations = sandbox.files_named("");
    let registration = registrations
        .iter()
        .find(|p| {
            p.starts_with(sandbox.home().join(".local/state/badge/clients"))
                && p.extension().is_some_and(|e| e == "json")
        })
        .expect("a cached client registration");
    let mode = std::fs::metadata(registration)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    eprintln!("pkce_login_in_headless_chromium: {:?}", started.elapsed());
}

// ---- PKCE without a real browser --------------------------------------------

/// A sign-in service that hands out logins shorter than the minute badge
/// needs to give one to a command: `badge login` says so once, clearly,
/// instead of "signed in", then sync "expires soon, run badge login", and
/// round again.
#[test]
fn a_login_too_short_to_use_says_so_instead_of_looping() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|o| {
        o.token_lifetime = Duration::from_secs(30);
        o.refresh_allowed = false;
    });
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let login = badge(&sandbox, &["login"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert_eq!(
        login.stderr.lines().last().unwrap_or_default(),
        "badge: signed in to sso-session \"acme\", but the sign-in service gave a login that \
         lasts less than a minute, and badge hands a login to a command only with a minute or \
         more left: sync, creds, exec and console cannot use it; ask your IAM Identity Center \
         administrator for a longer session",
        "{}",
        login.report()
    );
    assert!(!login.stderr.contains("valid until"), "{}", login.report());
    // The AWS tools may still use the token: it is cached.
    assert!(sandbox.home().join(CACHE_FILE).is_file());
}

/// `badge login --profile` finds the profile as `badge use` does: a unique
/// start or part of a name will do.
#[test]
fn login_profile_matches_names_like_use() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    sandbox.write(
        ".aws/config",
        config.replace("[profile p]", "[profile prod-admin]"),
    );
    curl_browser(&mut sandbox);
    let login = badge(&sandbox, &["login", "--profile", "prod"]);
    login.assert_success();
    assert!(
        login.stderr.starts_with("badge: prod → prod-admin\n")
            && login
                .stderr
                .contains("badge: signed in to sso-session \"acme\", valid until "),
        "{}",
        login.report()
    );
    assert_aws_cli_cache(&sandbox, &emu);
}

#[test]
fn pkce_login_reuses_the_client_registration_and_checks_the_url() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    badge(&sandbox, &["login", "--sso-session", "acme"]).assert_success();
    let first = assert_aws_cli_cache(&sandbox, &emu);
    std::fs::remove_file(sandbox.home().join(CACHE_FILE)).unwrap();
    badge(&sandbox, &["login", "--profile", "p"]).assert_success();
    let second = assert_aws_cli_cache(&sandbox, &emu);

    assert_eq!(
        operation_count(&emu, "RegisterClient"),
        1,
        "registration reused"
    );
    assert_eq!(text(&first, "clientId"), text(&second, "clientId"));
    assert_ne!(text(&first, "accessToken"), text(&second, "accessToken"));

    let urls = std::fs::read_to_string(sandbox.home().join("browser-urls")).unwrap();
    let urls: Vec<&str> = urls.lines().collect();
    assert_eq!(urls.len(), 2);
    let url = urls[0];
    assert!(
        url.starts_with(&format!("{}/authorize?response_type=code&", emu.url)),
        "{url}"
    );
    for part in [
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A",
        "%2Foauth%2Fcallback&",
        "&code_challenge_method=S256&",
        "&scopes=sso%3Aaccount%3Aaccess",
    ] {
        assert!(url.contains(part), "{part} not in {url}");
    }
    let param = |url: &str, name: &str| -> String {
        url.split(['?', '&'])
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    // Fresh state, verifier and port each time.
    for name in ["state", "code_challenge"] {
        assert_eq!(param(urls[0], name).len(), 43, "{name} in {url}");
        assert_ne!(param(urls[0], name), param(urls[1], name));
    }
    let page = std::fs::read_to_string(sandbox.home().join("browser-page.html")).unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
}

#[test]
fn no_browser_prints_the_url_and_times_out_with_a_clear_message() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "1");
    let login = badge(&sandbox, &["login", "--no-browser"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert_browser_not_run(&sandbox);
    assert_eq!(login.stdout, "");
    assert!(
        login.stderr.contains(&format!("{}/authorize?", emu.url)),
        "{}",
        login.report()
    );
    assert!(
        login.stderr.contains(
            "badge: no sign-in came back from the browser within 1 s; \
             run `badge login --sso-session acme` to try again"
        ),
        "{}",
        login.report()
    );
    assert!(
        !sandbox.home().join(CACHE_FILE).exists(),
        "{:?}",
        std::fs::read_to_string(sandbox.home().join(CACHE_FILE))
    );
}

#[test]
fn a_login_for_another_start_url_is_not_used() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "1");
    let mut other = write_minted_cache(&sandbox, &emu, None);
    other["startUrl"] = Value::from("https://other.awsapps.com/start");
    sandbox.write(CACHE_FILE, other.to_string());
    let login = badge(&sandbox, &["login", "--no-browser"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login.stderr.starts_with(&format!(
            "badge: the cached login for sso-session \"acme\" is for \
             https://other.awsapps.com/start, not {}; signing in again\n",
            emu.start_url()
        )),
        "{}",
        login.report()
    );
    assert_no_secrets(&login, &other);
}

#[test]
fn a_browser_that_fails_to_start_still_leaves_the_url() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    sandbox.set_env("BROWSER", sandbox.home().join("no-such-browser"));
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "2");
    let login = badge(&sandbox, &["login"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login.stderr.contains("could not open a browser"),
        "{}",
        login.report()
    );
    assert!(
        login.stderr.contains(&format!("{}/authorize?", emu.url)),
        "{}",
        login.report()
    );
}

// ---- device code --------------------------------------------------------------

#[test]
fn device_code_login_polls_until_approved() {
    let emu = start_emulator(|o| o.auto_approve = false);
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    let mut cmd = sandbox.badge();
    cmd.args(["login", "--device-code", "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Approve as the user would, once badge has a code and is polling.
    let deadline = Instant::now() + Duration::from_secs(20);
    while emu.approve_device(None) == 0 {
        assert!(
            Instant::now() < deadline,
            "badge never started a device sign-in"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("badge login --device-code did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_browser_not_run(&sandbox);
    assert!(
        stderr.contains(&format!("{}/device?user_code=", emu.url)),
        "{stderr}"
    );
    assert!(
        stderr.contains("signed in to sso-session \"acme\""),
        "{stderr}"
    );
    let token = assert_aws_cli_cache(&sandbox, &emu);
    for secret in ["accessToken", "refreshToken", "clientSecret"] {
        assert!(!stderr.contains(text(&token, secret)), "{secret} printed");
    }
    assert!(operation_count(&emu, "StartDeviceAuthorization") == 1);
    assert!(operation_count(&emu, "CreateToken") >= 1);
    assert_eq!(emu.requests().errors.get("SlowDownException"), None);
}

#[test]
fn device_code_login_opens_the_verification_page() {
    if !require("curl") {
        return;
    }
    // Visiting the page approves, as a user clicking through would.
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let login = badge(&sandbox, &["login", "--device-code"]);
    login.assert_success();
    assert_aws_cli_cache(&sandbox, &emu);
    let urls = std::fs::read_to_string(sandbox.home().join("browser-urls")).unwrap();
    assert!(
        urls.starts_with(&format!("{}/device?user_code=", emu.url)),
        "{urls}"
    );
    assert_eq!(operation_count(&emu, "Device"), 1);
}

#[test]
fn device_code_not_approved_in_time() {
    let emu = start_emulator(|o| o.auto_approve = false);
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "2");
    let login = badge(&sandbox, &["login", "--device-code", "--no-browser"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login.stderr.contains(
            "was not approved in time; run `badge login --sso-session acme --device-code`"
        ),
        "{}",
        login.report()
    );
    assert!(operation_count(&emu, "CreateToken") >= 1, "badge polled");
}

// ---- refresh, expiry, logout ------------------------------------------------

#[test]
fn already_signed_in_needs_no_browser() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    let written = write_minted_cache(&sandbox, &emu, None);
    let login = badge(&sandbox, &["login"]);
    login.assert_success();
    assert!(
        login
            .stderr
            .starts_with("badge: already signed in to sso-session \"acme\" until "),
        "{}",
        login.report()
    );
    assert_browser_not_run(&sandbox);
    assert_eq!(cache(&sandbox), written, "the cache is left alone");
    // One question to the portal (does it still take the token?), nothing
    // else: no sign-in, no renewal.
    assert_eq!(operation_count(&emu, "ListAccounts"), 1);
    assert_eq!(emu.requests().total, 1, "one request to AWS");
}

/// A token the portal refused (revoked, or signed out elsewhere) before its
/// expiry time: `badge sync` names `badge login`, and `badge login` then
/// signs in again instead of saying "already signed in".
#[test]
fn a_login_the_portal_no_longer_accepts_is_signed_in_again() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let old = write_minted_cache(&sandbox, &emu, None);
    emu.revoke_all_tokens();
    let sync = badge(&sandbox, &["sync", "--dry-run"]);
    assert_eq!(sync.code(), Some(1), "{}", sync.report());
    assert!(
        sync.stderr.contains("run `badge login --sso-session acme`"),
        "{}",
        sync.report()
    );
    let login = badge(&sandbox, &["login"]);
    login.assert_success();
    assert!(
        login.stderr.starts_with(
            "badge: the portal no longer accepts the login for sso-session \"acme\" (signed out \
             or revoked); signing in again\n"
        ),
        "{}",
        login.report()
    );
    assert!(
        login
            .stderr
            .contains("badge: signed in to sso-session \"acme\", valid until "),
        "{}",
        login.report()
    );
    let new = assert_aws_cli_cache(&sandbox, &emu);
    assert_ne!(text(&new, "accessToken"), text(&old, "accessToken"));
    assert!(emu.token_is_valid(text(&new, "accessToken")));
    assert_no_secrets(&login, &new);
    badge(&sandbox, &["sync", "--dry-run"]).assert_success();
}

/// `badge login --force` signs in even with a good cached login, without
/// asking the portal about the old one.
#[test]
fn login_force_signs_in_again() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let old = write_minted_cache(&sandbox, &emu, None);
    let login = badge(&sandbox, &["login", "--force"]);
    login.assert_success();
    assert!(
        login
            .stderr
            .contains("badge: signed in to sso-session \"acme\", valid until "),
        "{}",
        login.report()
    );
    let new = assert_aws_cli_cache(&sandbox, &emu);
    assert_ne!(text(&new, "accessToken"), text(&old, "accessToken"));
    assert_eq!(operation_count(&emu, "ListAccounts"), 0);
    assert_no_secrets(&login, &new);
}

#[test]
fn an_expired_token_is_refreshed_without_a_browser() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    let old = write_minted_cache(&sandbox, &emu, Some("2020-01-01T00:00:00Z"));
    emu.expire_tokens();
    assert!(!emu.token_is_valid(text(&old, "accessToken")));

    let login = badge(&sandbox, &["login"]);
    login.assert_success();
    assert!(
        login
            .stderr
            .contains("renewed the login for sso-session \"acme\", valid until"),
        "{}",
        login.report()
    );
    assert_browser_not_run(&sandbox);
    let new = assert_aws_cli_cache(&sandbox, &emu);
    assert_no_secrets(&login, &new);
    assert_no_secrets(&login, &old);
    assert_ne!(text(&new, "accessToken"), text(&old, "accessToken"));
    // The emulator rotates refresh tokens; the registration is kept.
    assert_ne!(text(&new, "refreshToken"), text(&old, "refreshToken"));
    for key in [
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "startUrl",
    ] {
        assert_eq!(new[key], old[key], "{key}");
    }
    assert_eq!(operation_count(&emu, "RegisterClient"), 0);
}

#[test]
fn a_revoked_login_says_to_sign_in_again() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "1");
    write_minted_cache(&sandbox, &emu, Some("2020-01-01T00:00:00Z"));
    emu.revoke_all_tokens();
    let login = badge(&sandbox, &["login", "--no-browser"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login.stderr.starts_with(
            "badge: the login for sso-session \"acme\" has expired and could not be renewed ("
        ),
        "{}",
        login.report()
    );
    assert!(
        login.stderr.contains("signing in again"),
        "{}",
        login.report()
    );
    assert!(
        login
            .stderr
            .contains("run `badge login --sso-session acme`"),
        "{}",
        login.report()
    );
    assert_browser_not_run(&sandbox);
}

#[test]
fn an_expired_login_without_refresh_token_says_so() {
    let emu = start_emulator(|o| o.refresh_allowed = false);
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("BADGE_LOGIN_TIMEOUT_SECS", "1");
    let token = write_minted_cache(&sandbox, &emu, Some("2020-01-01T00:00:00Z"));
    assert!(token.get("refreshToken").is_none());
    let login = badge(&sandbox, &["login", "--no-browser"]);
    assert_eq!(login.code(), Some(1), "{}", login.report());
    assert!(
        login
            .stderr
            .starts_with("badge: the login for sso-session \"acme\" has expired; signing in again"),
        "{}",
        login.report()
    );
    assert!(
        login
            .stderr
            .contains("run `badge login --sso-session acme`"),
        "{}",
        login.report()
    );
}

/// `badge sync` needs a token: through `usable_token` it renews an expired
/// one without a browser, and names `badge login` when it cannot.
#[test]
fn a_command_that_needs_a_token_renews_it_or_names_badge_login() {
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    let old = write_minted_cache(&sandbox, &emu, Some("2020-01-01T00:00:00Z"));
    emu.expire_tokens();
    let sync = badge(&sandbox, &["sync", "--dry-run"]);
    sync.assert_success();
    let new = assert_aws_cli_cache(&sandbox, &emu);
    assert_ne!(new["accessToken"], old["accessToken"]);
    assert_no_secrets(&sync, &new);

    let mut expired = new.clone();
    expired["expiresAt"] = Value::from("2020-01-01T00:00:00Z");
    sandbox.write(CACHE_FILE, expired.to_string());
    emu.revoke_all_tokens();
    let sync = badge(&sandbox, &["sync", "--dry-run"]);
    assert_eq!(sync.code(), Some(1), "{}", sync.report());
    assert!(
        sync.stderr.starts_with(
            "badge: the login for sso-session \"acme\" has expired and could not be renewed \
             (InvalidGrantException: "
        ) && sync
            .stderr
            .ends_with("); run `badge login --sso-session acme`\n"),
        "{}",
        sync.report()
    );
    assert_no_secrets(&sync, &new);

    std::fs::remove_file(sandbox.home().join(CACHE_FILE)).unwrap();
    let sync = badge(&sandbox, &["sync", "--dry-run"]);
    assert_eq!(
        sync.stderr,
        "badge: not signed in to sso-session \"acme\"; run `badge login --sso-session acme`\n"
    );
    assert_browser_not_run(&sandbox);
}

#[test]
fn logout_ends_the_sign_in_and_removes_the_cache() {
    let emu = start_emulator(|_| {});
    let sandbox = sandbox(&emu);
    let token = write_minted_cache(&sandbox, &emu, None);
    let logout = badge(&sandbox, &["logout"]);
    logout.assert_success();
    assert_eq!(logout.stdout, "");
    assert_eq!(
        logout.stderr,
        "badge: signed out of sso-session \"acme\" and removed its cached token\n"
    );
    assert!(!sandbox.home().join(CACHE_FILE).exists());
    assert!(!emu.token_is_valid(text(&token, "accessToken")));
    assert_eq!(operation_count(&emu, "Logout"), 1);

    let again = badge(&sandbox, &["logout", "--sso-session", "acme"]);
    again.assert_success();
    assert_eq!(
        again.stderr,
        "badge: not signed in to sso-session \"acme\"; nothing to do\n"
    );
}

#[test]
fn logout_of_a_dead_token_still_removes_the_cache() {
    let emu = start_emulator(|_| {});
    let sandbox = sandbox(&emu);
    write_minted_cache(&sandbox, &emu, None);
    emu.revoke_all_tokens();
    let logout = badge(&sandbox, &["logout"]);
    logout.assert_success();
    assert_eq!(
        logout.stderr,
        "badge: the login for sso-session \"acme\" had already ended; removed its cached token\n"
    );
    assert!(!sandbox.home().join(CACHE_FILE).exists());
}

#[test]
fn login_with_nothing_configured_says_how_to_add_a_session() {
    let mut sandbox = Sandbox::new("");
    trap_browser(&mut sandbox);
    let login = badge(&sandbox, &["login"]);
    assert_eq!(login.code(), Some(1));
    assert!(
        login.stderr.contains("badge session add NAME --start-url"),
        "{}",
        login.report()
    );
    let logout = badge(&sandbox, &["logout"]);
    assert_eq!(logout.code(), Some(1));
    assert!(
        logout.stderr.contains("badge session add"),
        "{}",
        logout.report()
    );
    assert_browser_not_run(&sandbox);
}

// ---- the shell integration ----------------------------------------------------

#[test]
fn login_and_logout_in_the_shell_update_the_prompt_marker() {
    if !require("bash") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    sandbox.set_env("AWS_PROFILE", "p");
    let token = write_minted_cache(&sandbox, &emu, None);
    let expires = epoch(text(&token, "expiresAt"));
    let shell = Shell::Bash;
    let script = format!(
        "{}\nbadge login; echo \"login=$? for=$__badge_expires_for at=$__badge_expires\"\n\
         badge logout; echo \"logout=$? for=$__badge_expires_for at=$__badge_expires\"\n",
        shell.init()
    );
    let out = run_shell(shell, &sandbox, &script);
    assert_eq!(
        out.stdout,
        format!("login=0 for=p at={expires}\nlogout=0 for=p at=1\n"),
        "{}",
        out.report()
    );
    assert_no_secrets(&out, &token);
}

/// After `badge logout`, a switch to a profile of that session says it is
/// signed out (it used to say "not signed in yet", as if it never was).
#[test]
fn a_switch_after_logout_says_signed_out() {
    if !require("bash") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let shell = Shell::Bash;
    let script = format!(
        "{}\nbadge login 2>/dev/null\nbadge logout 2>/dev/null\nbadge use p\n",
        shell.init()
    );
    let out = run_shell(shell, &sandbox, &script);
    assert_eq!(
        out.stderr,
        "badge: switched to p, but sso-session acme is signed out; sign in with \
         `badge login --sso-session acme`\n",
        "{}",
        out.report()
    );
}

/// `badge use` on a profile whose session is signed out still switches and
/// names the login command; `badge use --login` signs in first.
#[test]
fn use_with_login_signs_in_first() {
    if !require("bash") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    let shell = Shell::Bash;
    let script = format!(
        "{}
badge use p; echo \"use=$? [$AWS_PROFILE] at=$__badge_expires\"\n\
         badge off\nbadge use --login p; echo \"login=$? [$AWS_PROFILE] at=${{__badge_expires:-0}}\"\n",
        shell.init()
    );
    let out = run_shell(shell, &sandbox, &script);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"use=0 [p] at=1"), "{}", out.report());
    assert!(
        out.stderr.contains(
            "sso-session acme is signed out; sign in with `badge login --sso-session acme`"
        ),
        "{}",
        out.report()
    );
    let token = cache(&sandbox);
    let expires = epoch(text(&token, "expiresAt"));
    assert_eq!(
        lines.get(1).copied(),
        Some(format!("login=0 [p] at={expires}").as_str()),
        "{}",
        out.report()
    );
    assert!(emu.token_is_valid(text(&token, "accessToken")));
    assert_no_secrets(&out, &token);
}

// ---- compatibility with the AWS tools ----------------------------------------

/// boto3 in a subprocess with the sandbox's HOME and config: credentials
/// of profile `p`, as JSON.
fn boto3_credentials(sandbox: &Sandbox) -> Value {
    boto3_credentials_of(sandbox, "p")
}

/// Credentials of `profile` as boto3 resolves them, in a subprocess with the
/// sandbox environment (HOME, which botocore reads when it is imported, and
/// the emulator's endpoints).
fn boto3_credentials_of(sandbox: &Sandbox, profile: &str) -> Value {
    let script = "import json, sys, boto3\n\
        c = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()\n\
        print(json.dumps({'accessKey': c.access_key, 'hasSecret': bool(c.secret_key), 'hasToken': bool(c.token)}))\n";
    let mut cmd = sandbox.python3();
    cmd.args(["-c", script, profile]);
    let out = run(cmd, "boto3 get_credentials");
    assert!(out.status.success(), "{}", out.report());
    serde_json::from_str(out.stdout.trim()).unwrap_or_else(|_| panic!("{}", out.report()))
}

#[test]
fn boto3_uses_and_refreshes_badges_login() {
    if !support::python_module_available("boto3") || !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    badge(&sandbox, &["login"]).assert_success();
    let badge_token = cache(&sandbox);
    emu.reset_requests();

    let credentials = boto3_credentials(&sandbox);
    assert!(
        credentials["accessKey"]
            .as_str()
            .is_some_and(|k| !k.is_empty()),
        "{credentials}"
    );
    assert_eq!(credentials["hasSecret"], true);
    assert_eq!(credentials["hasToken"], true);
    assert_eq!(operation_count(&emu, "GetRoleCredentials"), 1);
    assert_eq!(operation_count(&emu, "CreateToken"), 0, "no further login");
    assert_eq!(
        operation_count(&emu, "RegisterClient"),
        0,
        "no further login"
    );

    // botocore renews badge's token with the refresh token and client that
    // badge cached, and writes it back where badge finds it.
    let mut stale = badge_token.clone();
    stale["expiresAt"] = Value::from("2020-01-01T00:00:00Z");
    sandbox.write(CACHE_FILE, serde_json::to_string(&stale).unwrap());
    emu.expire_tokens();
    let credentials = boto3_credentials(&sandbox);
    assert!(credentials["accessKey"].as_str().is_some(), "{credentials}");
    assert_eq!(
        operation_count(&emu, "CreateToken"),
        1,
        "botocore refreshed"
    );
    let renewed = cache(&sandbox);
    assert_ne!(renewed["accessToken"], badge_token["accessToken"]);
    assert!(emu.token_is_valid(text(&renewed, "accessToken")));

    let mut trap = sandbox;
    trap_browser(&mut trap);
    let login = badge(&trap, &["login"]);
    login.assert_success();
    assert!(
        login.stderr.contains("already signed in"),
        "{}",
        login.report()
    );
}

/// The Debian AWS CLI v2 (`/usr/bin/aws`, not a pip `aws` v1 on the PATH),
/// pointed at the emulator through endpoint rules in `AWS_DATA_PATH`.
fn aws_cli(sandbox: &Sandbox, emu: &Emulator, args: &[&str]) -> Run {
    let data_path = sandbox.home().join("aws-data");
    emu.write_endpoint_rules(&data_path).unwrap();
    let mut cmd = sandbox.command("/usr/bin/aws");
    cmd.args(args)
        .env("AWS_DATA_PATH", &data_path)
        .env("AWS_CONFIG_FILE", sandbox.config_path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PATH", "/usr/bin:/bin");
    run(cmd, format!("/usr/bin/aws {}", args.join(" ")))
}

#[test]
fn aws_cli_v2_uses_badges_login() {
    if !support::aws_cli_v2_available() || !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    badge(&sandbox, &["login"]).assert_success();
    emu.reset_requests();
    let export = aws_cli(
        &sandbox,
        &emu,
        &["configure", "export-credentials", "--profile", "p"],
    );
    assert!(export.status.success(), "{}", export.report());
    let credentials: Value = serde_json::from_str(&export.stdout).unwrap();
    assert!(
        credentials["AccessKeyId"]
            .as_str()
            .is_some_and(|k| !k.is_empty()),
        "{}",
        export.report()
    );
    assert_eq!(operation_count(&emu, "GetRoleCredentials"), 1);
    assert_eq!(operation_count(&emu, "CreateToken"), 0, "no further login");
}

#[test]
fn generated_profiles_work_in_boto3_and_the_aws_cli_with_no_further_login() {
    if !support::python_module_available("boto3")
        || !support::aws_cli_v2_available()
        || !require("curl")
    {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = sandbox(&emu);
    curl_browser(&mut sandbox);
    badge(&sandbox, &["login"]).assert_success();
    badge(&sandbox, &["sync"]).assert_success();
    let listed = badge(&sandbox, &["ls", "--json"]);
    listed.assert_success();
    let profiles: Value = serde_json::from_str(&listed.stdout).unwrap();
    let generated: Vec<&str> = profiles
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["generated"] == Value::Bool(true))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let org = emu.org();
    let expected: usize = org.accounts.iter().map(|a| a.roles.len()).sum();
    // `p` is hand-written for the first account's first role: not duplicated.
    assert_eq!(generated.len(), expected - 1, "{}", listed.report());
    emu.reset_requests();
    let first = generated[0];
    let from_boto3 = boto3_credentials_of(&sandbox, first);
    assert_eq!(from_boto3["hasSecret"], Value::Bool(true));
    let last = generated[generated.len() - 1];
    let export = aws_cli(
        &sandbox,
        &emu,
        &["configure", "export-credentials", "--profile", last],
    );
    assert!(export.status.success(), "{}", export.report());
    assert_eq!(operation_count(&emu, "GetRoleCredentials"), 2);
    assert_eq!(operation_count(&emu, "CreateToken"), 0, "no further login");
}

#[test]
fn badge_uses_the_aws_cli_v2_login() {
    if !support::aws_cli_v2_available() {
        return;
    }
    let emu = start_emulator(|o| o.approve_on_start = true);
    let mut sandbox = sandbox(&emu);
    trap_browser(&mut sandbox);
    let login = aws_cli(
        &sandbox,
        &emu,
        &["sso", "login", "--sso-session", "acme", "--no-browser"],
    );
    assert!(login.status.success(), "{}", login.report());
    let written = cache(&sandbox);
    assert!(emu.token_is_valid(text(&written, "accessToken")));

    let check = badge(&sandbox, &["login"]);
    check.assert_success();
    assert!(
        check.stderr.contains("already signed in"),
        "{}",
        check.report()
    );
    assert_browser_not_run(&sandbox);
    assert_eq!(cache(&sandbox), written);

    // And badge renews the AWS CLI's token with the AWS CLI's registration.
    let mut stale = written.clone();
    stale["expiresAt"] = Value::from("2020-01-01T00:00:00Z");
    sandbox.write(CACHE_FILE, serde_json::to_string(&stale).unwrap());
    emu.expire_tokens();
    let renew = badge(&sandbox, &["login"]);
    renew.assert_success();
    assert!(
        renew.stderr.contains("renewed the login"),
        "{}",
        renew.report()
    );
    let renewed = cache(&sandbox);
    assert!(emu.token_is_valid(text(&renewed, "accessToken")));
    assert_eq!(renewed["clientId"], written["clientId"]);

    let logout = badge(&sandbox, &["logout"]);
    logout.assert_success();
    assert!(!emu.token_is_valid(text(&renewed, "accessToken")));
}

// ---- legacy SSO profiles ------------------------------------------------------

/// A legacy profile (`sso_start_url` and `sso_region` in the profile, no
/// sso-session): `badge login --profile` signs in and caches the token where
/// botocore's legacy provider looks (the sha1 of the start URL), `badge
/// creds` uses it, and boto3 gets credentials with it.
#[test]
fn a_legacy_profile_signs_in_and_gets_credentials() {
    if !require("curl") || !support::python_module_available("boto3") {
        return;
    }
    let emu = start_emulator(|_| {});
    let account = &emu.org().accounts[1];
    let start_url = emu.start_url();
    let config = format!(
        "[profile old]\nsso_start_url = {start_url}\nsso_region = {REGION}\n\
         sso_account_id = {}\nsso_role_name = {}\nregion = {REGION}\n",
        account.id, account.roles[0]
    );
    let mut sandbox = Sandbox::new(&config);
    let _ = std::fs::remove_dir_all(sandbox.home().join(".aws/sso"));
    sandbox.set_envs(emu.env());
    trap_browser(&mut sandbox);

    let creds = badge(&sandbox, &["creds", "old"]);
    assert_eq!(creds.code(), Some(1), "{}", creds.report());
    assert_eq!(
        creds.stderr,
        format!(
            "badge: not signed in to {start_url} (profile \"old\"); run `badge login --profile old`\n"
        )
    );
    // A switch to it names its portal, not an sso-session it does not have.
    let mut switch = sandbox.badge();
    switch.env("__BADGE_SHELL", "bash").args(["use", "old"]);
    let switch = support::run(switch, "badge use old");
    switch.assert_success();
    assert_eq!(
        switch.stderr,
        format!(
            "badge: switched to old, but {start_url} (profile \"old\") is signed out; sign in \
             with `badge login --profile old`\n"
        )
    );
    assert_browser_not_run(&sandbox);

    curl_browser(&mut sandbox);
    let login = badge(&sandbox, &["login", "--profile", "old"]);
    login.assert_success();
    assert!(
        login.stderr.contains(&format!(
            "badge: signed in to {start_url} (profile \"old\"), valid until "
        )),
        "{}",
        login.report()
    );
    let mut sha1 = sandbox.command("sh");
    sha1.args([
        "-c",
        "printf %s \"$1\" | sha1sum | cut -d' ' -f1",
        "sh",
        &start_url,
    ]);
    let digest = run(sha1, "sha1sum").stdout.trim().to_owned();
    let file = sandbox.home().join(format!(".aws/sso/cache/{digest}.json"));
    let token: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("the legacy cache file"))
            .expect("JSON");
    assert_eq!(text(&token, "startUrl"), start_url);
    assert!(emu.token_is_valid(text(&token, "accessToken")));
    assert_no_secrets(&login, &token);

    let json = badge(&sandbox, &["creds", "old", "--format", "json"]);
    json.assert_success();
    let value: Value = serde_json::from_str(&json.stdout).expect("JSON credentials");
    assert!(
        text(&value, "AccessKeyId").starts_with("ASIA"),
        "{}",
        json.report()
    );
    // exec --env-credentials and console take the same path.
    let exec = badge(
        &sandbox,
        &[
            "exec",
            "old",
            "--env-credentials",
            "--",
            "sh",
            "-c",
            "printf %s \"$AWS_ACCESS_KEY_ID\"",
        ],
    );
    exec.assert_success();
    assert!(exec.stdout.starts_with("ASIA"), "{}", exec.report());
    sandbox.set_env("BADGE_SIGNIN_URL", emu.url());
    let console = badge(&sandbox, &["console", "old", "--print"]);
    console.assert_success();
    assert!(
        console.stdout.contains("SigninToken="),
        "{}",
        console.report()
    );
    // boto3 reads the same legacy profile with badge's login.
    let boto3 = boto3_credentials_of(&sandbox, "old");
    assert_eq!(boto3["hasSecret"], true, "{boto3}");
    assert!(
        emu.issued_secrets()
            .iter()
            .any(|(_, secret)| Some(secret.as_str()) == boto3["accessKey"].as_str()),
        "{boto3}"
    );

    // Signed in already: asked once, no browser.
    trap_browser(&mut sandbox);
    let again = badge(&sandbox, &["login", "--profile", "old"]);
    again.assert_success();
    assert!(
        again.stderr.starts_with(&format!(
            "badge: already signed in to {start_url} (profile \"old\") until "
        )),
        "{}",
        again.report()
    );
    assert_browser_not_run(&sandbox);

    // With the legacy profile active, badge logout ends its sign-in.
    sandbox.set_env("AWS_PROFILE", "old");
    let logout = badge(&sandbox, &["logout"]);
    logout.assert_success();
    assert_eq!(
        logout.stderr,
        format!(
            "badge: signed out of {start_url} (profile \"old\") and removed its cached token\n"
        )
    );
    assert!(!file.exists());
    assert!(!emu.token_is_valid(text(&token, "accessToken")));
}

/// `login --help` says what the browser sign-in shows other local users,
/// and names the safe way to sign in on a shared machine.
#[test]
fn login_help_warns_about_shared_machines() {
    let sandbox = Sandbox::new("");
    let help = badge(&sandbox, &["login", "--help"]);
    help.assert_success();
    for text in [
        "/proc/PID/cmdline",
        "state, PKCE code challenge",
        "badge login --device-code --no-browser",
    ] {
        assert!(help.stdout.contains(text), "{text}\n{}", help.stdout);
    }
}

// ---- every sso-session at once ----------------------------------------------

/// Three sso-sessions on the emulator's portal, as three organisations
/// would be: acme, beta and gamma (which remembers a template of its own),
/// none signed in.
fn three_sessions(emu: &Emulator) -> Sandbox {
    let mut config = String::new();
    for name in ["acme", "beta", "gamma"] {
        config.push_str(&format!(
            "[sso-session {name}]\nsso_start_url = {}\nsso_region = {REGION}\n\
             sso_registration_scopes = sso:account:access\n",
            emu.start_url()
        ));
        if name == "gamma" {
            config.push_str("badge_sync_template = gamma/{account_name}/{role_name}\n");
        }
        config.push('\n');
    }
    let mut sandbox = Sandbox::new(&config);
    let _ = std::fs::remove_dir_all(sandbox.home().join(".aws/sso"));
    sandbox.set_envs(emu.env());
    sandbox
}

fn block_names(config: &str, session: &str) -> Vec<String> {
    let begin = format!("# BEGIN badge sso-session={session} ");
    let Some(start) = config.find(&begin) else {
        return Vec::new();
    };
    let end = config[start..]
        .find(&format!("# END badge sso-session={session}"))
        .unwrap();
    config[start..start + end]
        .lines()
        .filter_map(|l| l.strip_prefix("[profile ")?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn sync_all_and_login_all_serve_every_sso_session_with_its_own_settings() {
    if !require("curl") {
        return;
    }
    let emu = start_emulator(|_| {});
    let mut sandbox = three_sessions(&emu);
    curl_browser(&mut sandbox);
    let roles: usize = emu.org().accounts.iter().map(|a| a.roles.len()).sum();

    // Nothing signed in: nothing synced, each named with its login.
    let none = badge(&sandbox, &["sync", "--all"]);
    assert_eq!(none.code(), Some(1), "{}", none.report());
    for name in ["acme", "beta", "gamma"] {
        let line = format!(
            "badge: sso-session {name} is not signed in, so it was not synced; sign in with \
             `badge login --sso-session {name}` (or all at once: `badge login --all`)"
        );
        assert!(none.stderr.lines().any(|l| l == line), "{}", none.report());
    }

    badge(&sandbox, &["login", "--sso-session", "beta"]).assert_success();
    badge(
        &sandbox,
        &[
            "sync",
            "--sso-session",
            "beta",
            "--template",
            "{account_id}.{role_name}",
        ],
    )
    .assert_success();
    let some = badge(&sandbox, &["sync", "--all"]);
    some.assert_success();
    assert!(
        some.stderr.contains("sso-session acme is not signed in"),
        "{}",
        some.report()
    );
    assert!(
        some.stderr.contains("sso-session gamma is not signed in"),
        "{}",
        some.report()
    );
    assert!(
        !some.stderr.contains("sso-session beta is not"),
        "{}",
        some.report()
    );

    // login --all: acme and gamma through the browser, beta already in.
    emu.reset_requests();
    let login = badge(&sandbox, &["login", "--all"]);
    login.assert_success();
    assert!(
        login
            .stderr
            .contains("already signed in to sso-session \"beta\""),
        "{}",
        login.report()
    );
    for name in ["acme", "gamma"] {
        assert!(
            login.stderr.contains(&format!(
                "badge: signed in to sso-session \"{name}\", valid until"
            )),
            "{}",
            login.report()
        );
    }
    let urls = std::fs::read_to_string(sandbox.home().join("browser-urls")).unwrap();
    assert_eq!(
        urls.lines().count(),
        3,
        "beta once, then acme and gamma: {urls}"
    );

    let all = badge(&sandbox, &["sync", "--all"]);
    all.assert_success();
    assert!(!all.stderr.contains("not signed in"), "{}", all.report());
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    let org = emu.org();
    for name in ["acme", "beta", "gamma"] {
        let names = block_names(&config, name);
        assert_eq!(names.len(), roles, "{name}: {names:?}\n{config}");
    }
    // beta keeps the template it was synced with; the others the default.
    let first = &org.accounts[0];
    assert!(block_names(&config, "beta").contains(&format!("{}.{}", first.id, first.roles[0])));
    assert!(
        block_names(&config, "gamma")
            .iter()
            .all(|n| n.starts_with("gamma/")),
        "{config}"
    );
    assert!(
        block_names(&config, "acme")
            .iter()
            .all(|n| !n.starts_with("gamma/") && n.contains('/')),
        "{config}"
    );

    // Two sso-sessions over the same organisation: the second's names give
    // way to the first's, which are generated, not the user's.
    let mut config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    config.push_str(&format!(
        "\n[sso-session acme2]\nsso_start_url = {}\nsso_region = {REGION}\n\
         sso_registration_scopes = sso:account:access\n",
        emu.start_url()
    ));
    std::fs::write(sandbox.config_path(), config).unwrap();
    badge(&sandbox, &["login", "--sso-session", "acme2"]).assert_success();
    let twice = badge(&sandbox, &["sync", "--sso-session", "acme2"]);
    twice.assert_success();
    assert!(
        !twice.stderr.contains("a profile of yours"),
        "{}",
        twice.report()
    );
    let generated = twice
        .stderr
        .lines()
        .filter(|l| l.contains("\" is generated for sso-session acme; this one is named \""))
        .count();
    assert!(generated > 0 && generated == roles, "{}", twice.report());

    // Flags that are one session's settings do not go with --all.
    let out = badge(&sandbox, &["sync", "--all", "--template", "{role_name}"]);
    assert_eq!(out.code(), Some(2), "{}", out.report());
}
