//! Building the async runtime and the SDK clients, only for the commands
//! that talk to AWS: switching never pays for it.
//!
//! Endpoints follow the SDK's environment convention
//! (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`, then
//! `AWS_ENDPOINT_URL`), which is also how the tests point badge at the
//! local Identity Center emulator.
//!
//! Timeouts: the SDK's defaults (for this behaviour version) give up on
//! connecting after 3.1 s and never on a connected request, so a server
//! that accepts and then hangs would hang badge. badge connects for at most
//! [`CONNECT_TIMEOUT`] and waits at most [`DEFAULT_REQUEST_TIMEOUT`] for
//! one attempt of a request (`BADGE_REQUEST_TIMEOUT_SECS` changes that, and
//! caps the connect timeout too).

use std::error::Error;
use std::io;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use aws_sdk_sso::error::SdkError;

/// How long one attempt of a request may take, unless [`REQUEST_TIMEOUT_VAR`]
/// says otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Seconds (a decimal number) one attempt of an AWS request may take.
pub const REQUEST_TIMEOUT_VAR: &str = "BADGE_REQUEST_TIMEOUT_SECS";
/// How long connecting may take (at most the request timeout).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A single-threaded runtime: badge's concurrency is I/O, not CPU. Every
/// network command starts here, so a bad [`REQUEST_TIMEOUT_VAR`] is
/// reported before any request.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    request_timeout()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// [`REQUEST_TIMEOUT_VAR`], else [`DEFAULT_REQUEST_TIMEOUT`].
pub fn request_timeout() -> Result<Duration> {
    let Some(value) = std::env::var_os(REQUEST_TIMEOUT_VAR).filter(|v| !v.is_empty()) else {
        return Ok(DEFAULT_REQUEST_TIMEOUT);
    };
    let text = value.to_string_lossy();
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => {
            Ok(Duration::from_secs_f64(secs.min(86_400.0)))
        }
        _ => bail!(
            "{REQUEST_TIMEOUT_VAR}={text:?} is not a number of seconds; use e.g. \
             {REQUEST_TIMEOUT_VAR}=30, or unset it"
        ),
    }
}

fn connect_timeout() -> Duration {
    CONNECT_TIMEOUT.min(request_timeout().unwrap_or(DEFAULT_REQUEST_TIMEOUT))
}

/// `30s`, `1.5s`.
pub fn seconds(duration: Duration) -> String {
    format!("{}s", (duration.as_secs_f64() * 10.0).round() / 10.0)
}

fn endpoint(service_var: &str) -> Option<String> {
    [service_var, "AWS_ENDPOINT_URL"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.trim().is_empty())
}

/// The variable that points a service elsewhere, when one is set: worth
/// checking when that endpoint cannot be reached.
pub fn endpoint_var(service_var: &'static str) -> Option<&'static str> {
    [service_var, "AWS_ENDPOINT_URL"]
        .into_iter()
        .find(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// The portal API's base URL, for messages.
pub fn portal_endpoint(region: &str) -> String {
    endpoint("AWS_ENDPOINT_URL_SSO")
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"))
}

/// The portal client. It does not retry by itself: `sso::portal` paces and
/// retries its requests to stay under the service's rate limit.
pub fn portal(region: &str) -> aws_sdk_sso::Client {
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new(region.to_owned()))
        .retry_config(aws_sdk_sso::config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_sdk_sso::config::timeout::TimeoutConfig::builder()
                .connect_timeout(connect_timeout())
                .operation_attempt_timeout(request_timeout().unwrap_or(DEFAULT_REQUEST_TIMEOUT))
                .build(),
        );
    if let Some(url) = endpoint("AWS_ENDPOINT_URL_SSO") {
        config = config.endpoint_url(url);
    }
    if crate::verbose::enabled() {
        config = config.interceptor(crate::verbose::ApiLog::default());
    }
    aws_sdk_sso::Client::from_conf(config.build())
}

/// The OIDC service's base URL, where the browser's `/authorize` step goes.
pub fn oidc_endpoint(region: &str) -> String {
    endpoint("AWS_ENDPOINT_URL_SSO_OIDC")
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://oidc.{region}.amazonaws.com"))
}

/// The OIDC client, with the SDK's standard retries (three attempts).
pub fn oidc(region: &str) -> aws_sdk_ssooidc::Client {
    let mut config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new(region.to_owned()))
        .timeout_config(
            aws_sdk_ssooidc::config::timeout::TimeoutConfig::builder()
                .connect_timeout(connect_timeout())
                .operation_attempt_timeout(request_timeout().unwrap_or(DEFAULT_REQUEST_TIMEOUT))
                .build(),
        );
    if let Some(url) = endpoint("AWS_ENDPOINT_URL_SSO_OIDC") {
        config = config.endpoint_url(url);
    }
    if crate::verbose::enabled() {
        config = config.interceptor(crate::verbose::ApiLog::default());
    }
    aws_sdk_ssooidc::Client::from_conf(config.build())
}

/// Why a request got no answer from the service, in a few words
/// ("connection refused", "no answer within 30s"), or `None` when the
/// service answered (see the error's code and message then). Never the
/// SDK's debug output.
pub fn no_answer<E, R>(err: &SdkError<E, R>) -> Option<String>
where
    E: Error + 'static,
    R: std::fmt::Debug + 'static,
{
    Some(match err {
        SdkError::ServiceError(_) => return None,
        SdkError::TimeoutError(_) => {
            format!(
                "no answer within {}",
                seconds(request_timeout().unwrap_or(DEFAULT_REQUEST_TIMEOUT))
            )
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            format!("could not connect within {}", seconds(connect_timeout()))
        }
        SdkError::DispatchFailure(failure) => match failure.as_connector_error() {
            Some(connector) => transport_reason(connector),
            None => "the request could not be sent".to_owned(),
        },
        SdkError::ResponseError(_) => "an answer that is not from the service".to_owned(),
        SdkError::ConstructionFailure(_) => match err.source() {
            Some(source) => innermost(source),
            None => "the request could not be built".to_owned(),
        },
        _ => "no answer".to_owned(),
    })
}

/// A connection failure in words: the I/O error's kind where there is one.
fn transport_reason(err: &(dyn Error + 'static)) -> String {
    let mut cause: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(current) = cause {
        // hyper names a failed name lookup "dns error".
        if current.to_string() == "dns error" {
            return "the host name cannot be resolved".to_owned();
        }
        if let Some(io_err) = current.downcast_ref::<io::Error>() {
            match io_err.kind() {
                io::ErrorKind::ConnectionRefused => return "connection refused".to_owned(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                    return "the connection was reset".to_owned();
                }
                io::ErrorKind::TimedOut => return "the connection timed out".to_owned(),
                _ => {}
            }
        }
        cause = current.source();
    }
    innermost(err)
}

/// The last cause's message, without Rust's `(os error N)`.
pub(crate) fn innermost(err: &(dyn Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    let text = last.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_like_people_write_them() {
        assert_eq!(seconds(Duration::from_secs(30)), "30s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn io_errors_lose_the_os_error_number() {
        let err = io::Error::from_raw_os_error(13);
        assert_eq!(innermost(&err), "Permission denied");
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(transport_reason(&refused), "connection refused");
    }
}
