//! Building the async runtime and the SDK clients, only for the commands
//! that talk to AWS: switching never pays for it.
//!
//! Endpoints follow the SDK's environment convention
//! (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`, then
//! `AWS_ENDPOINT_URL`), which is also how the tests point badge at the
//! local Identity Center emulator; the command reads them and hands them
//! over in a [`Network`].
//!
//! Timeouts: the SDK's defaults (for this behaviour version) give up on
//! connecting after 3.1 s and never on a connected request, so a server
//! that accepts and then hangs would hang badge. badge connects for at most
//! [`CONNECT_TIMEOUT`] and waits at most [`DEFAULT_REQUEST_TIMEOUT`] for
//! one attempt of a request (`BADGE_REQUEST_TIMEOUT_SECS` changes that, and
//! caps the connect timeout too).
//!
//! Answers: no answer of either API comes near [`MAX_ANSWER`] (a page of
//! 100 accounts is about 15 KB), so every client reads at most that much
//! of a body ([`AnswerLimit`]): an answer that announces more is refused
//! before its body is read, one sent without a length stops where it
//! passes the cap, and either fails as [`AnswerTooLarge`].

use std::error::Error;
use std::fmt;
use std::io;
use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_sso::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_sso::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sso::error::SdkError;
use aws_sdk_ssooidc::config::interceptors::InterceptorContext;
use aws_sdk_ssooidc::config::retry::{ClassifyRetry, RetryAction};
use aws_smithy_types::body::SdkBody;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::base::time::seconds;
use crate::ui::verbose;

/// How long one attempt of a request may take, unless the user says
/// otherwise (`BADGE_REQUEST_TIMEOUT_SECS`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The setting that changes it, for hints.
pub const REQUEST_TIMEOUT_VAR: &str = "BADGE_REQUEST_TIMEOUT_SECS";
/// How long the retries of one run may wait in all, unless the user says
/// otherwise (`BADGE_RETRY_WAIT_SECS`).
pub const DEFAULT_RETRY_WAIT: Duration = Duration::from_secs(120);
/// The setting that changes it, for hints.
pub const RETRY_WAIT_VAR: &str = "BADGE_RETRY_WAIT_SECS";
/// How long connecting may take (at most the request timeout).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts the OIDC client makes of a request (the SDK's standard
/// retries); the portal client makes one, `sso::portal` retries itself.
pub const OIDC_ATTEMPTS: u32 = 3;

/// The most of an answer's body badge reads.
pub const MAX_ANSWER: u64 = 8 << 20;

/// An answer's body went past [`MAX_ANSWER`].
#[derive(Debug)]
pub struct AnswerTooLarge;

impl fmt::Display for AnswerTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an answer of more than {} MiB, more than any answer of its API holds",
            MAX_ANSWER >> 20
        )
    }
}

impl Error for AnswerTooLarge {}

/// Whether `err` or one of its causes is [`AnswerTooLarge`].
pub fn too_large(err: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(current) = cause {
        if current.is::<AnswerTooLarge>() {
            return true;
        }
        cause = current.source();
    }
    false
}

/// The SDK interceptor that caps every answer's body at [`MAX_ANSWER`].
#[derive(Debug)]
struct AnswerLimit;

impl Intercept for AnswerLimit {
    fn name(&self) -> &'static str {
        "badge answer limit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn Error + Send + Sync>> {
        let response = context.response_mut();
        let announced = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|len| len > MAX_ANSWER) {
            return Err(Box::new(AnswerTooLarge));
        }
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        let limited = Limited::new(body, MAX_ANSWER as usize).map_err(|err| {
            if err.is::<LengthLimitError>() {
                Box::new(AnswerTooLarge) as Box<dyn Error + Send + Sync>
            } else {
                err
            }
        });
        *response.body_mut() = SdkBody::from_body_1_x(limited);
        Ok(())
    }
}

/// Tells the SDK's retries not to ask again for an answer that was too
/// large: it would be as large the next time.
#[derive(Debug)]
struct NoRetryOfTooLarge;

impl ClassifyRetry for NoRetryOfTooLarge {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(err)) if too_large(err) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "badge: no retry of an answer too large"
    }
}

/// A service endpoint the environment points elsewhere, and the variable
/// that did (worth naming when that endpoint cannot be reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub var: &'static str,
}

/// What every Identity Center client is built with.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub request_timeout: Duration,
    /// How long the portal's retries may wait in all, in one run.
    pub retry_wait: Duration,
    /// The portal API's endpoint (`AWS_ENDPOINT_URL_SSO`), if not AWS's.
    pub sso_endpoint: Option<Endpoint>,
    /// The OIDC API's endpoint (`AWS_ENDPOINT_URL_SSO_OIDC`), if not AWS's.
    pub oidc_endpoint: Option<Endpoint>,
}

impl Default for Network {
    fn default() -> Network {
        Network {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry_wait: DEFAULT_RETRY_WAIT,
            sso_endpoint: None,
            oidc_endpoint: None,
        }
    }
}

/// A single-threaded runtime: badge's concurrency is I/O, not CPU.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

impl Network {
    fn connect_timeout(&self) -> Duration {
        CONNECT_TIMEOUT.min(self.request_timeout)
    }

    /// The portal API's base URL, for messages.
    pub fn portal_endpoint(&self, region: &str) -> String {
        match &self.sso_endpoint {
            Some(endpoint) => endpoint.url.clone(),
            None => format!("https://portal.sso.{region}.amazonaws.com"),
        }
    }

    /// The OIDC service's base URL, where the browser's `/authorize` step goes.
    pub fn oidc_endpoint(&self, region: &str) -> String {
        match &self.oidc_endpoint {
            Some(endpoint) => endpoint.url.clone(),
            None => format!("https://oidc.{region}.amazonaws.com"),
        }
    }

    /// The portal client. It does not retry by itself: `sso::portal` paces
    /// and retries its requests to stay under the service's rate limit.
    pub fn portal(&self, region: &str) -> aws_sdk_sso::Client {
        let mut config = aws_sdk_sso::Config::builder()
            .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
            .region(aws_sdk_sso::config::Region::new(region.to_owned()))
            .retry_config(aws_sdk_sso::config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_sdk_sso::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout())
                    .operation_attempt_timeout(self.request_timeout)
                    .build(),
            );
        if let Some(endpoint) = &self.sso_endpoint {
            config = config.endpoint_url(&endpoint.url);
        }
        config = config.interceptor(AnswerLimit);
        if verbose::enabled() {
            config = config.interceptor(super::api_log::ApiLog::default());
        }
        aws_sdk_sso::Client::from_conf(config.build())
    }

    /// The OIDC client, with the SDK's standard retries (three attempts).
    pub fn oidc(&self, region: &str) -> aws_sdk_ssooidc::Client {
        let mut config = aws_sdk_ssooidc::Config::builder()
            .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
            .region(aws_sdk_ssooidc::config::Region::new(region.to_owned()))
            .retry_config(
                aws_sdk_ssooidc::config::retry::RetryConfig::standard()
                    .with_max_attempts(OIDC_ATTEMPTS),
            )
            .timeout_config(
                aws_sdk_ssooidc::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout())
                    .operation_attempt_timeout(self.request_timeout)
                    .build(),
            );
        if let Some(endpoint) = &self.oidc_endpoint {
            config = config.endpoint_url(&endpoint.url);
        }
        config = config
            .interceptor(AnswerLimit)
            .retry_classifier(NoRetryOfTooLarge);
        if verbose::enabled() {
            config = config.interceptor(super::api_log::ApiLog::default());
        }
        aws_sdk_ssooidc::Client::from_conf(config.build())
    }

    /// Why a request got no answer from the service, in a few words
    /// ("connection refused", "no answer within 30s"), or `None` when the
    /// service answered (see the error's code and message then). Never the
    /// SDK's debug output.
    pub fn no_answer<E, R>(&self, err: &SdkError<E, R>) -> Option<String>
    where
        E: Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        if too_large(err) {
            return Some(AnswerTooLarge.to_string());
        }
        Some(match err {
            SdkError::ServiceError(_) => return None,
            SdkError::TimeoutError(_) => {
                format!("no answer within {}", seconds(self.request_timeout))
            }
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                format!(
                    "could not connect within {}",
                    seconds(self.connect_timeout())
                )
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
    fn io_errors_lose_the_os_error_number() {
        let err = io::Error::from_raw_os_error(13);
        assert_eq!(innermost(&err), "Permission denied");
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(transport_reason(&refused), "connection refused");
    }
}
