//! `--verbose` (or `BADGE_LOG=1`): what badge did, on stderr, for a user
//! working out why something does not work: the files it read and wrote,
//! the sso-session it used, each Identity Center API call with its status
//! and timing, retries, and waits for the config lock.
//!
//! Diagnostics go to stderr only: in the shell integration, stdout is code
//! that the shell evaluates. They never carry a token, a refresh token, a
//! client id or secret, a PKCE verifier, an authorization or device code,
//! or role credentials:
//!
//! - lines are built from names, paths, times and statuses, never from a
//!   request or response body or a header that carries a credential;
//! - the API log ([`ApiLog`]) names an operation from its path and keeps
//!   only the query parameters known to be harmless (`account_id`,
//!   `role_name`);
//! - as a last guard, every value handed to [`conceal`] (badge hands over
//!   every secret it reads or receives) is replaced by `[secret]` in any
//!   line printed here.
//!
//! Switching must stay fast, so when verbose output is off every call here
//! is one relaxed atomic load.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_sso::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_sso::config::{ConfigBag, Intercept, RuntimeComponents};

/// The environment variable that turns verbose output on, like `--verbose`.
pub const LOG_VAR: &str = "BADGE_LOG";

static ENABLED: AtomicBool = AtomicBool::new(false);
static STARTED: OnceLock<Instant> = OnceLock::new();
static CONCEALED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// `verbose!("format", args…)`: a diagnostic line on stderr when verbose
/// output is on; the arguments are not even evaluated otherwise.
macro_rules! verbose {
    ($($arg:tt)*) => {
        if $crate::verbose::enabled() {
            $crate::verbose::line(format_args!($($arg)*));
        }
    };
}
pub(crate) use verbose;

/// Values shorter than this are not concealed: replacing every `1` or
/// `eu` in the output would hide more than it protects.
const MIN_CONCEALED_LEN: usize = 8;

/// Whether a `BADGE_LOG` value asks for verbose output: anything but
/// empty, `0`, `false`, `no` or `off`.
pub fn wanted(value: Option<&std::ffi::OsStr>) -> bool {
    let Some(value) = value else {
        return false;
    };
    let value = value.to_string_lossy();
    let value = value.trim();
    !(value.is_empty()
        || value == "0"
        || ["false", "no", "off"]
            .iter()
            .any(|word| value.eq_ignore_ascii_case(word)))
}

/// Turns verbose output on for the rest of the process.
pub fn enable() {
    STARTED.get_or_init(Instant::now);
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A secret badge holds: never printed by a diagnostic line, even by
/// mistake. Cheap and a no-op when verbose output is off.
pub fn conceal(secret: &str) {
    if !enabled() {
        return;
    }
    add_concealed(
        &mut CONCEALED.lock().unwrap_or_else(|e| e.into_inner()),
        secret,
    );
}

fn add_concealed(concealed: &mut Vec<String>, secret: &str) {
    if secret.len() >= MIN_CONCEALED_LEN && !concealed.iter().any(|known| known == secret) {
        concealed.push(secret.to_owned());
        // Longest first, so a secret that contains another goes whole.
        concealed.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Prints one diagnostic line; use the [`verbose!`] macro.
pub fn line(args: fmt::Arguments) {
    let started = *STARTED.get_or_init(Instant::now);
    let text = scrub(
        &CONCEALED.lock().unwrap_or_else(|e| e.into_inner()),
        &args.to_string(),
    );
    let elapsed = started.elapsed().as_secs_f64();
    let mut err = std::io::stderr().lock();
    for part in text.lines() {
        let _ = writeln!(err, "badge [{elapsed:7.3}s] {part}");
    }
}

/// `text` with every concealed value replaced.
fn scrub(concealed: &[String], text: &str) -> String {
    let mut text = text.to_owned();
    for secret in concealed.iter() {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "[secret]");
        }
    }
    text
}

/// Which sso-session a command uses, and where it signs in.
pub fn log_session(session: &crate::config::sessions::SsoSession) {
    verbose!(
        "sso-session \"{}\": start URL {}, region {}, scopes {}",
        session.name,
        session.start_url,
        session.region,
        if session.scopes.is_empty() {
            "none".to_owned()
        } else {
            session.scopes.join(" ")
        }
    );
}

/// A URL without a `user:password@` part, which may hold a credential.
pub fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match scheme {
        "" => format!("{host}{tail}"),
        scheme => format!("{scheme}://{host}{tail}"),
    }
}

/// "12 ms", "1.25 s".
pub fn took(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.2} s", duration.as_secs_f64())
    }
}

/// Logs every attempt of every Identity Center API call: operation,
/// account, HTTP status (and the error name the service gave), attempt
/// number when the SDK retried, and how long it took. Installed on the
/// SDK clients only when verbose output is on.
#[derive(Debug, Default)]
pub struct ApiLog {
    /// Attempts in flight, by operation invocation. An invocation keeps
    /// one `ConfigBag` at one address from its first attempt to its last,
    /// and runs its attempts one after the other, so that address tells
    /// concurrent calls apart.
    calls: Mutex<HashMap<usize, Call>>,
}

#[derive(Debug)]
struct Call {
    what: String,
    attempt: u32,
    started: Instant,
}

type HookResult = Result<(), Box<dyn StdError + Send + Sync>>;

impl ApiLog {
    fn key(cfg: &ConfigBag) -> usize {
        cfg as *const ConfigBag as usize
    }
}

impl Intercept for ApiLog {
    fn name(&self) -> &'static str {
        "badge verbose API log"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> HookResult {
        let request = context.request();
        let body = request.body().bytes();
        let what = describe_request(request.method(), request.uri(), body);
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let call = calls.entry(ApiLog::key(cfg)).or_insert(Call {
            what: String::new(),
            attempt: 0,
            started: Instant::now(),
        });
        call.what = what;
        call.attempt += 1;
        call.started = Instant::now();
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> HookResult {
        let (what, attempt, took_ms) = {
            let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            match calls.get(&ApiLog::key(cfg)) {
                Some(call) => (call.what.clone(), call.attempt, call.started.elapsed()),
                // Failed before it was sent (e.g. the endpoint is invalid).
                None => return Ok(()),
            }
        };
        let attempt = if attempt > 1 {
            format!(" (attempt {attempt})")
        } else {
            String::new()
        };
        let outcome = match context.response() {
            Some(response) => {
                let status = response.status().as_u16();
                let error = response
                    .headers()
                    .get("x-amzn-errortype")
                    .map(|value| value.split(':').next().unwrap_or_default())
                    .filter(|name| is_identifier(name));
                match error {
                    Some(name) => format!("{status} {name}"),
                    None => status.to_string(),
                }
            }
            None => match context.output_or_error() {
                Some(Err(err)) if err.is_timeout_error() => "no answer (timed out)".to_owned(),
                Some(Err(err)) => match err.as_connector_error() {
                    Some(conn) if conn.is_timeout() => "no answer (timed out)".to_owned(),
                    Some(conn) => format!("no answer ({})", io_cause(conn)),
                    None => "no answer".to_owned(),
                },
                _ => "no answer".to_owned(),
            },
        };
        verbose!("{what}{attempt} → {outcome} in {}", took(took_ms));
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> HookResult {
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&ApiLog::key(cfg));
        Ok(())
    }
}

/// The operating system's words for a failed connection ("Connection
/// refused"), found in the error's causes; never the request.
fn io_cause(err: &(dyn StdError + 'static)) -> String {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return io.kind().to_string();
        }
        cause = current.source();
    }
    "connection failed".to_owned()
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.len() <= 80 && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `ListAccountRoles account 111111111111`, `CreateToken (refresh_token)`:
/// the operation, named from its path (both APIs have one path per
/// operation), with the harmless parts of its query, and for CreateToken
/// the grant type, read from the body and printed only if it is one of the
/// known names.
fn describe_request(method: &str, uri: &str, body: Option<&[u8]>) -> String {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let path_and_query = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let operation = match (method, path.trim_end_matches('/')) {
        ("GET", "/assignment/accounts") => "ListAccounts",
        ("GET", "/assignment/roles") => "ListAccountRoles",
        ("GET", "/federation/credentials") => "GetRoleCredentials",
        ("POST", "/logout") => "Logout",
        ("POST", "/client/register") => "RegisterClient",
        ("POST", "/device_authorization") => "StartDeviceAuthorization",
        ("POST", "/token") => "CreateToken",
        _ => return format!("{method} {path}"),
    };
    let mut text = operation.to_owned();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let shown = match name {
            "account_id" => "account",
            "role_name" => "role",
            "next_token" => {
                text.push_str(" (next page)");
                continue;
            }
            _ => continue,
        };
        let value = percent_decode(value);
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        text.push_str(&format!(" {shown} {value}"));
    }
    if operation == "CreateToken"
        && let Some(grant) = body
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|v| v.get("grantType")?.as_str().map(str::to_owned))
    {
        let grant = match grant.as_str() {
            "urn:ietf:params:oauth:grant-type:device_code" => "device_code",
            "authorization_code" => "authorization_code",
            "refresh_token" => "refresh_token",
            _ => "another grant",
        };
        text.push_str(&format!(" ({grant})"));
    }
    text
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_log_values() {
        let on = |v: &str| wanted(Some(std::ffi::OsStr::new(v)));
        assert!(!wanted(None));
        for off in ["", " ", "0", "false", "No", "OFF"] {
            assert!(!on(off), "{off:?}");
        }
        for yes in ["1", "true", "debug", "trace", "yes"] {
            assert!(on(yes), "{yes:?}");
        }
    }

    #[test]
    fn requests_are_described_without_their_secrets() {
        assert_eq!(
            describe_request(
                "GET",
                "https://portal.sso.eu-west-1.amazonaws.com/assignment/roles?account_id=111111111111&max_result=100&next_token=a%2Bb%3D",
                None
            ),
            "ListAccountRoles account 111111111111 (next page)"
        );
        assert_eq!(
            describe_request(
                "GET",
                "http://127.0.0.1:9/federation/credentials?account_id=2&role_name=Admin%20Access",
                None
            ),
            "GetRoleCredentials account 2 role Admin Access"
        );
        let body = br#"{"clientId":"id-123456789","clientSecret":"secret-123456789","grantType":"refresh_token","refreshToken":"rt-123456789"}"#;
        let text = describe_request("POST", "http://127.0.0.1:9/token", Some(body));
        assert_eq!(text, "CreateToken (refresh_token)");
        let odd = br#"{"grantType":"rt-123456789"}"#;
        assert_eq!(
            describe_request("POST", "http://127.0.0.1:9/token", Some(odd)),
            "CreateToken (another grant)"
        );
        assert_eq!(
            describe_request("GET", "http://127.0.0.1:9/other?x=secret", None),
            "GET /other"
        );
    }

    #[test]
    fn concealed_values_never_reach_a_line() {
        let mut concealed = Vec::new();
        for secret in [
            "short",
            "the-access-token-1234",
            "the-access-token-1234-and-more",
            "the-access-token-1234",
        ] {
            add_concealed(&mut concealed, secret);
        }
        assert_eq!(concealed.len(), 2);
        let text = scrub(
            &concealed,
            "a the-access-token-1234-and-more b the-access-token-1234 c short",
        );
        assert_eq!(text, "a [secret] b [secret] c short");
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            without_userinfo("https://me:pw@proxy.example:8443/sso?x=1"),
            "https://proxy.example:8443/sso?x=1"
        );
        assert_eq!(without_userinfo("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(took(Duration::from_millis(12)), "12 ms");
        assert_eq!(took(Duration::from_millis(1250)), "1.25 s");
    }
}
