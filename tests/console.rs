//! `badge console` end to end: role credentials from the Identity Center
//! emulator, a sign-in token from its federation endpoint, and the login
//! URL followed with curl to the emulator's redirect.

mod support;

use badge_emulator as emulator;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use emulator::{Emulator, EmulatorOptions, Org};
use support::{Run, Sandbox, require, run};

const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const REGION: &str = "eu-west-1";

fn world() -> (Emulator, Sandbox) {
    let emu = Emulator::start(EmulatorOptions::new(Org::generated(1, 1, false)));
    let account = &emu.org().accounts[0];
    let config = format!(
        "[sso-session acme]\nsso_start_url = {}\nsso_region = {REGION}\n\n\
         [profile p]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\nregion = {REGION}\n",
        emu.start_url(),
        account.id,
        account.roles[0],
    );
    let mut sandbox = Sandbox::new(&config);
    for (name, value) in emu.env() {
        sandbox.set_env(name, value);
    }
    sandbox.set_env("BADGE_SIGNIN_URL", emu.url());
    let token = emu.mint_token();
    sandbox.write(CACHE_FILE, token.cache_file_json(&emu.start_url(), REGION));
    (emu, sandbox)
}

fn badge(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut cmd = sandbox.badge();
    cmd.args(args);
    run(cmd, format!("badge {}", args.join(" ")))
}

/// `STATUS LOCATION` of a GET with curl, not following redirects.
fn curl(sandbox: &Sandbox, url: &str) -> String {
    let mut cmd = sandbox.command("curl");
    cmd.args([
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        url,
    ]);
    let out = run(cmd, "curl");
    assert!(out.status.success(), "{}", out.report());
    out.stdout
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query_value(url: &str, name: &str) -> String {
    let query = url.split_once('?').expect("a query").1;
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"));
    decode(raw)
}

#[test]
fn console_print_gives_a_single_use_login_url_to_the_service() {
    if !require("curl") {
        return;
    }
    let (emu, sandbox) = world();
    let out = badge(&sandbox, &["console", "p", "--service", "s3", "--print"]);
    assert!(out.status.success(), "{}", out.report());
    let url = out.stdout.trim_end().to_owned();
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(url.starts_with(&format!(
        "{}/federation?Action=login&Issuer=badge&",
        emu.url()
    )));
    let destination = format!("https://{REGION}.console.aws.amazon.com/s3/home?region={REGION}");
    assert_eq!(query_value(&url, "Destination"), destination);
    let token = query_value(&url, "SigninToken");
    assert_eq!(emu.issued_signin_tokens(), vec![token.clone()]);
    assert!(!out.stderr.contains(&token), "{}", out.report());

    assert_eq!(curl(&sandbox, &url), format!("302 {destination}"));
    // Single use.
    assert!(curl(&sandbox, &url).starts_with("400 "));
    // A token the endpoint did not issue.
    let forged = url.replace(&token, "0123456789abcdef0123456789abcdef");
    assert!(curl(&sandbox, &forged).starts_with("400 "));
    assert_eq!(emu.requests().get("GetRoleCredentials"), 1);
}

#[test]
fn the_federation_endpoint_refuses_foreign_and_expired_credentials() {
    if !require("curl") {
        return;
    }
    let (emu, sandbox) = world();
    let out = badge(&sandbox, &["creds", "p", "--format", "json"]);
    assert!(out.status.success(), "{}", out.report());
    let creds: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let session = |key: &str| {
        let json = serde_json::json!({
            "sessionId": creds["AccessKeyId"],
            "sessionKey": key,
            "sessionToken": creds["SessionToken"],
        })
        .to_string();
        let encoded: String = json.bytes().map(|b| format!("%{b:02X}")).collect();
        format!(
            "{}/federation?Action=getSigninToken&Session={encoded}",
            emu.url()
        )
    };
    let good = session(creds["SecretAccessKey"].as_str().unwrap());
    assert!(curl(&sandbox, &good).starts_with("200 "));
    assert!(curl(&sandbox, &session("not-the-secret")).starts_with("403 "));
    emu.expire_role_credentials();
    assert!(curl(&sandbox, &good).starts_with("403 "));
}

#[test]
fn console_opens_the_browser_without_printing_the_url() {
    if !require("curl") {
        return;
    }
    let (emu, mut sandbox) = world();
    let result = sandbox.home().join("browser-result");
    let browser = sandbox.write(
        "bin/browser",
        format!(
            "#!/bin/sh\ncurl -s -o /dev/null -w '%{{http_code}} %{{redirect_url}}' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
            result.display()
        ),
    );
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    sandbox.set_env("BROWSER", &browser);
    let out = badge(&sandbox, &["console", "p"]);
    assert!(out.status.success(), "{}", out.report());
    assert!(out.stdout.is_empty(), "{}", out.report());
    assert!(!out.stderr.contains("SigninToken"), "{}", out.report());
    // The browser may still run after badge exits.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !result.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let answer = std::fs::read_to_string(&result).expect("the browser ran");
    assert_eq!(
        answer,
        format!("302 https://{REGION}.console.aws.amazon.com/console/home?region={REGION}")
    );
    assert_eq!(emu.issued_signin_tokens().len(), 1);
}

#[test]
fn console_errors_say_what_to_do() {
    let (emu, sandbox) = world();
    let out = badge(
        &sandbox,
        &["console", "p", "--service", "s3/../x", "--print"],
    );
    assert_eq!(out.code(), Some(1), "{}", out.report());
    assert!(out.stderr.contains("--service s3"), "{}", out.report());
    std::fs::remove_file(sandbox.home().join(CACHE_FILE)).unwrap();
    let out = badge(&sandbox, &["console", "p", "--print"]);
    assert_eq!(out.code(), Some(1), "{}", out.report());
    assert!(
        out.stderr.contains("badge login --sso-session acme"),
        "{}",
        out.report()
    );
    assert!(out.stdout.is_empty());
    assert!(emu.issued_signin_tokens().is_empty());
}

/// A `BADGE_SIGNIN_URL` that is no URL is refused before badge asks for
/// anything, with the variable named, as every BADGE_* setting is.
#[test]
fn a_sign_in_url_that_is_no_url_is_refused_first() {
    let (emu, mut sandbox) = world();
    sandbox.set_env("BADGE_SIGNIN_URL", "signin.aws.amazon.com");
    let out = badge(&sandbox, &["console", "p", "--print"]);
    assert_eq!(out.code(), Some(1), "{}", out.report());
    assert_eq!(
        out.stderr,
        "badge: BADGE_SIGNIN_URL=\"signin.aws.amazon.com\" is not an http(s) URL; use e.g. \
         BADGE_SIGNIN_URL=https://signin.aws.amazon.com, or unset it for the sign-in endpoint \
         of the profile's region\n",
        "{}",
        out.report()
    );
    assert_eq!(emu.requests().get("GetRoleCredentials"), 0);
}

/// Without BROWSER, `badge console` hands the URL to `xdg-open` (the one on
/// PATH), and says what to do when that fails, without the URL.
#[test]
fn console_without_browser_uses_xdg_open() {
    if !require("curl") {
        return;
    }
    let (emu, mut sandbox) = world();
    let result = sandbox.home().join("opened");
    let opener = sandbox.write(
        "bin/xdg-open",
        format!(
            "#!/bin/sh\n[ \"$#\" = 1 ] || exit 9\n\
             curl -s -o /dev/null -w '%{{http_code}} %{{redirect_url}}' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
            result.display()
        ),
    );
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(
        std::iter::once(sandbox.home().join("bin")).chain(std::env::split_paths(
            &sandbox
                .env()
                .find(|(k, _)| *k == "PATH")
                .map(|(_, v)| v.to_owned())
                .unwrap_or_default(),
        )),
    )
    .unwrap();
    sandbox.remove_env("BROWSER").set_env("PATH", &path);
    let out = badge(&sandbox, &["console", "p", "--service", "s3"]);
    assert!(out.status.success(), "{}", out.report());
    assert!(out.stdout.is_empty(), "{}", out.report());
    assert!(
        out.stderr.contains("opened the console as p"),
        "{}",
        out.report()
    );
    // badge waits a moment for the opener, not for ever.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !result.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let answer = std::fs::read_to_string(&result).expect("xdg-open ran");
    assert_eq!(
        answer,
        format!("302 https://{REGION}.console.aws.amazon.com/s3/home?region={REGION}")
    );
    assert_eq!(emu.issued_signin_tokens().len(), 1);

    // An opener that fails: exit 1, one line that names it and the way out.
    sandbox.write("bin/xdg-open", "#!/bin/sh\nexit 3\n");
    let out = badge(&sandbox, &["console", "p"]);
    assert_eq!(out.code(), Some(1), "{}", out.report());
    assert!(out.stdout.is_empty(), "{}", out.report());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.report());
    assert!(
        out.stderr.contains("xdg-open exit status: 3") && out.stderr.contains("--print"),
        "{}",
        out.report()
    );
    assert!(!out.stderr.contains("SigninToken"), "{}", out.report());
}
