//! The `--verbose` log of Identity Center API calls: an SDK interceptor,
//! installed on the clients only when verbose output is on.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::Instant;

use aws_sdk_sso::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_sso::config::{ConfigBag, Intercept, RuntimeComponents};

use crate::base::time::took;
use crate::base::url::percent_decode;
use crate::ui::verbose::verbose;

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
        // Made printable with the rest of the line by the log.
        text.push_str(&format!(" {shown} {}", percent_decode(value)));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
