//! How a failed sign-in step reads: the service's error name and message
//! (OAuth's `error_description` for the OIDC API), whether trying again
//! later could help ([`Unavailable`]) or the sso-session's settings are the
//! likely cause ([`Refused`]), and the command that fixes it.

use std::error::Error;
use std::fmt;
use std::time::Instant;

use anyhow::anyhow;
use aws_sdk_ssooidc::config::http::HttpResponse;
use aws_sdk_ssooidc::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssooidc::operation::create_token::CreateTokenError;

use super::login_command;
use crate::base::time::span;
use crate::config::sessions::SsoSession;
use crate::sso::client::{Network, OIDC_ATTEMPTS, REQUEST_TIMEOUT_VAR};
use crate::ui::say::command;

/// A request as its error is told: when it was sent, how many attempts
/// its client makes of it, and the HTTP status of the last answer.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    pub at: Instant,
    pub attempts: u32,
    pub status: Option<u16>,
}

impl Sent {
    /// A request of the OIDC client, sent now.
    pub fn oidc() -> Sent {
        Sent {
            at: Instant::now(),
            attempts: OIDC_ATTEMPTS,
            status: None,
        }
    }

    /// A request of the portal client (one attempt), sent now.
    pub fn portal() -> Sent {
        Sent {
            at: Instant::now(),
            attempts: 1,
            status: None,
        }
    }

    /// The same request, answered as `err` says (the status is lost once
    /// the SDK's error becomes the operation's).
    pub fn answered<E>(self, err: &SdkError<E, HttpResponse>) -> Sent {
        Sent {
            status: err.raw_response().map(|r| r.status().as_u16()),
            ..self
        }
    }
}

/// The sign-in service could not be used just now: it did not answer, or
/// answered with a server error. Trying again later, or fixing the network,
/// helps; signing in again does not.
#[derive(Debug)]
pub struct Unavailable {
    pub reason: String,
    pub timed_out: bool,
    pub server_error: bool,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl Error for Unavailable {}

/// A sign-in step failed because the service refused it (a 4xx answer that
/// no retry changes), usually for something in the sso-session's settings.
#[derive(Debug)]
pub struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Refused {}

/// A failed sign-in, with what to do about it where the steps that failed
/// did not say.
pub fn with_fix(net: &Network, err: anyhow::Error, session: &SsoSession) -> anyhow::Error {
    let again = login_command(session);
    let refused = err.chain().any(|c| c.is::<Refused>());
    let text = format!("{err:#}");
    if refused && !text.contains(&format!("`{} login", command())) {
        return anyhow!(
            "{text}; check sso_start_url, sso_region and sso_registration_scopes of \
             [sso-session {}], then run `{again}` again",
            session.name
        );
    }
    with_retry_hint(net, err, &again)
}

/// `err`, with what to do about it when the sign-in service was
/// unavailable: `again` is the command to run once it is back.
pub fn with_retry_hint(net: &Network, err: anyhow::Error, again: &str) -> anyhow::Error {
    let Some(unavailable) = err.chain().find_map(|c| c.downcast_ref::<Unavailable>()) else {
        return err;
    };
    let fix = if unavailable.server_error {
        format!("try `{again}` again later")
    } else if unavailable.timed_out {
        format!(
            "check your network, or allow more time with {REQUEST_TIMEOUT_VAR}=60, \
             then run `{again}` again"
        )
    } else {
        match &net.oidc_endpoint {
            Some(endpoint) => format!(
                "check your network and {}, then run `{again}` again",
                endpoint.var
            ),
            None => format!("check your network and proxy settings, then run `{again}` again"),
        }
    };
    anyhow!("{err:#}; {fix}")
}

/// An SDK error as one line: the service's error name and message, or the
/// transport failure. Never the request, so never a secret.
pub fn service_error<E>(net: &Network, sent: Sent, err: E) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    describe_error(net, sent, err, None)
}

/// CreateToken's errors carry their text in OAuth's `error_description`.
pub fn create_token_error(net: &Network, sent: Sent, err: CreateTokenError) -> anyhow::Error {
    use CreateTokenError as E;
    let description = match &err {
        E::AccessDeniedException(e) => e.error_description(),
        E::AuthorizationPendingException(e) => e.error_description(),
        E::ExpiredTokenException(e) => e.error_description(),
        E::InternalServerException(e) => e.error_description(),
        E::InvalidClientException(e) => e.error_description(),
        E::InvalidGrantException(e) => e.error_description(),
        E::InvalidRequestException(e) => e.error_description(),
        E::InvalidScopeException(e) => e.error_description(),
        E::SlowDownException(e) => e.error_description(),
        E::UnauthorizedClientException(e) => e.error_description(),
        E::UnsupportedGrantTypeException(e) => e.error_description(),
        _ => None,
    }
    .map(str::to_owned);
    describe_error(net, sent, err, description.as_deref())
}

fn describe_error<E>(net: &Network, sent: Sent, err: E, description: Option<&str>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let description = description.or_else(|| oauth_description(&err));
    // A request that got no answer reaches here as an unhandled error
    // wrapping the SDK's own; its debug text is for nobody.
    if let Some(sdk) = err
        .source()
        .and_then(|source| source.downcast_ref::<SdkError<E, HttpResponse>>())
        && let Some(reason) = net.no_answer(sdk)
    {
        let timed_out = matches!(sdk, SdkError::TimeoutError(_));
        // "no answer within 30s" after a minute and a half of waiting
        // reads wrong: say how many attempts and how long in all.
        let reason = if timed_out && sent.attempts > 1 {
            format!(
                "{reason} ({} attempts in {})",
                sent.attempts,
                span(sent.at.elapsed())
            )
        } else {
            reason
        };
        return anyhow::Error::new(Unavailable {
            timed_out,
            reason,
            server_error: false,
        });
    }
    let Some(code) = err.code() else {
        // Not the sign-in service's answer: a wrong endpoint, a proxy.
        let Some(status) = sent.status else {
            return anyhow!("the sign-in service answered with an error it did not name");
        };
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map_or(String::new(), |r| format!(" {r}"));
        return anyhow::Error::new(Refused(format!(
            "it answered {status}{reason}, and named no error"
        )));
    };
    let text = match err
        .message()
        .or(description)
        .filter(|m| !m.trim().is_empty())
    {
        Some(message) => format!("{code}: {message}"),
        None => code.to_owned(),
    };
    if matches!(
        code,
        "InternalServerException"
            | "ServiceUnavailableException"
            | "TooManyRequestsException"
            | "ThrottlingException"
    ) {
        return anyhow::Error::new(Unavailable {
            reason: text,
            timed_out: false,
            server_error: true,
        });
    }
    anyhow::Error::new(Refused(text))
}

/// The OIDC service puts its message in OAuth's `error_description`, which
/// the SDK keeps per exception rather than as the error's message.
fn oauth_description<E: 'static>(err: &E) -> Option<&str> {
    use aws_sdk_ssooidc::operation::register_client::RegisterClientError as R;
    use aws_sdk_ssooidc::operation::start_device_authorization::StartDeviceAuthorizationError as S;
    let any: &dyn std::any::Any = err;
    if let Some(err) = any.downcast_ref::<R>() {
        return match err {
            R::InternalServerException(e) => e.error_description(),
            R::InvalidClientMetadataException(e) => e.error_description(),
            R::InvalidRedirectUriException(e) => e.error_description(),
            R::InvalidRequestException(e) => e.error_description(),
            R::InvalidScopeException(e) => e.error_description(),
            R::UnsupportedGrantTypeException(e) => e.error_description(),
            _ => None,
        };
    }
    if let Some(err) = any.downcast_ref::<S>() {
        return match err {
            S::InternalServerException(e) => e.error_description(),
            S::InvalidClientException(e) => e.error_description(),
            S::InvalidRequestException(e) => e.error_description(),
            S::SlowDownException(e) => e.error_description(),
            S::UnauthorizedClientException(e) => e.error_description(),
            _ => None,
        };
    }
    None
}
