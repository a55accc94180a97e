//! Signing in to an sso-session, and the token a command can use now.
//!
//! `badge login` runs the authorization code flow with PKCE and a loopback
//! redirect (what the AWS CLI does today) or, for SSH sessions and headless
//! hosts, the device code flow. Either way the token lands in the AWS CLI's
//! cache file with the client registration and the refresh token, so badge,
//! botocore and the AWS CLI can all renew it without a browser.
//!
//! Nothing here prints a token, a refresh token, a client secret or a code:
//! only URLs, the user code of the device flow and expiry times reach
//! stderr, and errors are built from service error names and messages.

pub mod browser;
mod device;
mod loopback;
mod pkce;
mod registration;

use std::error::Error;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow, bail};

use aws_sdk_ssooidc::config::http::HttpResponse;
use aws_sdk_ssooidc::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssooidc::operation::create_token::CreateTokenError;

use crate::config::sessions::SsoSession;
use crate::sso::client::{self, REQUEST_TIMEOUT_VAR};
use crate::sso::token_cache::{CachedToken, TokenCache, format_time};

/// A token handed to a command must stay good at least this long.
pub const MIN_VALIDITY: Duration = Duration::from_secs(60);

/// `badge login` renews a token that has less than this left, as botocore
/// does before it uses one.
pub const RENEW_BEFORE: Duration = Duration::from_secs(15 * 60);

/// How long the loopback redirect waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Overrides [`DEFAULT_TIMEOUT`] (and caps the device code's lifetime).
pub const TIMEOUT_VAR: &str = "BADGE_LOGIN_TIMEOUT_SECS";

/// How a sign-in runs.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The device code flow instead of PKCE with a loopback redirect.
    pub device_code: bool,
    /// Open the sign-in page in a browser; otherwise only print its URL.
    pub open_browser: bool,
    /// `$BROWSER`: programs to try, separated by `:`, each run with the URL
    /// as its argument (or in place of a `%s`), never through a shell.
    pub browser: Option<OsString>,
    /// How long to wait for the user; `None`: [`DEFAULT_TIMEOUT`] for the
    /// loopback redirect, the code's own lifetime for the device flow.
    pub timeout: Option<Duration>,
    /// Where client registrations are cached; `None`: not cached.
    pub registration_dir: Option<PathBuf>,
    /// Sign in even when the cached login is good (`badge login --force`).
    pub force: bool,
}

impl LoginOptions {
    /// The defaults, with `$BROWSER` and [`TIMEOUT_VAR`] read through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> LoginOptions {
        let timeout = var(TIMEOUT_VAR)
            .and_then(|v| v.to_str()?.trim().parse::<u64>().ok())
            .filter(|&secs| secs > 0)
            .map(Duration::from_secs);
        LoginOptions {
            device_code: false,
            open_browser: true,
            browser: var("BROWSER").filter(|b| !b.is_empty()),
            timeout,
            registration_dir: registration::default_dir(),
            force: false,
        }
    }
}

/// What `badge login` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The cached token is good until then; nothing was asked of AWS.
    AlreadySignedIn(SystemTime),
    /// Renewed with the refresh token, without a browser.
    Renewed(SystemTime),
    /// Signed in through the browser.
    SignedIn(SystemTime),
}

/// The command that signs `session` in again, ready to paste.
pub fn login_command(session: &SsoSession) -> String {
    match &session.legacy_profile {
        None => format!(
            "badge login --sso-session {}",
            crate::shell::shell_word(&session.name)
        ),
        Some(profile) => format!(
            "badge login --profile {}",
            crate::shell::shell_word(profile)
        ),
    }
}

/// "2026-11-26 18:00 UTC".
pub fn human_time(at: SystemTime) -> String {
    let text = format_time(at);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

/// What the cache holds for a session, renewed when that is possible.
enum Cached {
    Valid(CachedToken),
    Renewed(CachedToken),
    /// A browser sign-in is needed; `None` when there never was a login.
    NeedsLogin(Option<String>),
    /// The token needs renewing, but the sign-in service cannot be used
    /// now (see [`Unavailable`]); a browser sign-in would fail the same way.
    Unavailable(anyhow::Error),
}

/// The sign-in service could not be used just now: it did not answer, or
/// answered with a server error. Trying again later, or fixing the network,
/// helps; signing in again does not.
#[derive(Debug)]
struct Unavailable {
    reason: String,
    timed_out: bool,
    server_error: bool,
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
struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Refused {}

/// A failed sign-in, with what to do about it where the steps that failed
/// did not say.
fn with_fix(err: anyhow::Error, session: &SsoSession) -> anyhow::Error {
    let again = login_command(session);
    let refused = err.chain().any(|c| c.is::<Refused>());
    let text = format!("{err:#}");
    if refused && !text.contains("`badge login") {
        return anyhow!(
            "{text}; check sso_start_url, sso_region and sso_registration_scopes of \
             [sso-session {}], then run `{again}` again",
            session.name
        );
    }
    with_retry_hint(err, &again)
}

/// `err`, with what to do about it when the sign-in service was
/// unavailable: `again` is the command to run once it is back.
fn with_retry_hint(err: anyhow::Error, again: &str) -> anyhow::Error {
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
        match client::endpoint_var("AWS_ENDPOINT_URL_SSO_OIDC") {
            Some(var) => format!("check your network and {var}, then run `{again}` again"),
            None => format!("check your network and proxy settings, then run `{again}` again"),
        }
    };
    anyhow!("{err:#}; {fix}")
}

async fn check_cache(session: &SsoSession, cache: &TokenCache, min_validity: Duration) -> Cached {
    let token = match cache.load(&session.name) {
        Ok(Some(token)) => token,
        Ok(None) => return Cached::NeedsLogin(None),
        Err(err) => {
            return Cached::NeedsLogin(Some(format!(
                "the cached login for {} cannot be used: {err:#}",
                session.label()
            )));
        }
    };
    if let Some(url) = token.start_url.as_deref()
        && !same_url(url, &session.start_url)
    {
        return Cached::NeedsLogin(Some(format!(
            "the cached login for {} is for {url}, not {}",
            session.label(),
            session.start_url
        )));
    }
    let now = SystemTime::now();
    if token.is_valid_at(now + min_validity) {
        return Cached::Valid(token);
    }
    let state = if token.is_valid_at(now) {
        "expires soon"
    } else {
        "has expired"
    };
    if token.is_refreshable_at(now) {
        crate::verbose::verbose!(
            "the access token of {} {state}; renewing it with the refresh token",
            session.label()
        );
        return match refresh(session, cache, &token).await {
            Ok(renewed) => Cached::Renewed(renewed),
            Err(err) if err.chain().any(|c| c.is::<Unavailable>()) => {
                Cached::Unavailable(err.context(format!(
                    "the login for {} {state}, and the sign-in service at {} could not \
                     renew it",
                    session.label(),
                    client::oidc_endpoint(&session.region)
                )))
            }
            Err(err) => Cached::NeedsLogin(Some(format!(
                "the login for {} {state} and could not be renewed ({err:#})",
                session.label()
            ))),
        };
    }
    Cached::NeedsLogin(Some(format!("the login for {} {state}", session.label())))
}

/// Whether two start URLs name the same portal (a trailing `/` aside).
pub fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// An access token for `session` that is good for at least a minute: the
/// cached one, or one renewed with the cached refresh token (stored back,
/// for the AWS tools too). Otherwise an error naming `badge login`, or,
/// when the sign-in service could not renew it, `again`: the command to
/// run again later.
pub async fn usable_token(session: &SsoSession, cache: &TokenCache, again: &str) -> Result<String> {
    match check_cache(session, cache, MIN_VALIDITY).await {
        Cached::Valid(token) | Cached::Renewed(token) => Ok(token.access_token),
        Cached::NeedsLogin(None) => bail!(
            "not signed in to {}; run `{}`",
            session.label(),
            login_command(session)
        ),
        Cached::NeedsLogin(Some(reason)) => {
            bail!("{reason}; run `{}`", login_command(session))
        }
        Cached::Unavailable(err) => Err(with_retry_hint(err, again)),
    }
}

/// CreateToken with the refresh token; stores and returns the renewed token.
pub async fn refresh(
    session: &SsoSession,
    cache: &TokenCache,
    token: &CachedToken,
) -> Result<CachedToken> {
    let (Some(client_id), Some(client_secret), Some(refresh_token)) = (
        token.client_id.as_deref(),
        token.client_secret.as_deref(),
        token.refresh_token.as_deref(),
    ) else {
        bail!("the cached login has no refresh token");
    };
    let out = crate::sso::client::oidc(&session.region)
        .create_token()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|err| create_token_error(err.into_service_error()))?;
    let renewed = cached_token(
        session,
        &out,
        token.client_id.clone(),
        token.client_secret.clone(),
        token.registration_expires_at.clone(),
        token.refresh_token.clone(),
    )?;
    cache.store(&session.name, &renewed)?;
    Ok(renewed)
}

/// `badge login`: a token good for a while, from the cache, a refresh, or
/// the browser. Progress goes to stderr; the token goes to the cache only.
pub async fn login(
    session: &SsoSession,
    cache: &TokenCache,
    opts: &LoginOptions,
) -> Result<Outcome> {
    let cached = if opts.force {
        Cached::NeedsLogin(None)
    } else {
        check_cache(session, cache, RENEW_BEFORE).await
    };
    match cached {
        // A token can end before its time (signed out elsewhere, revoked):
        // the portal says whether it still takes this one, or the user
        // would be told "already signed in" by the command that badge
        // itself named after a refusal.
        Cached::Valid(token) => match portal_takes(session, &token.access_token).await {
            Taken::Yes => {
                return Ok(Outcome::AlreadySignedIn(
                    token.expires().unwrap_or(UNIX_EPOCH),
                ));
            }
            Taken::No => eprintln!(
                "badge: the portal no longer accepts the login for {} (signed out or \
                 revoked); signing in again",
                session.label()
            ),
        },
        Cached::Renewed(token) => {
            return Ok(Outcome::Renewed(token.expires().unwrap_or(UNIX_EPOCH)));
        }
        Cached::NeedsLogin(Some(reason)) => eprintln!("badge: {reason}; signing in again"),
        Cached::NeedsLogin(None) => {}
        Cached::Unavailable(err) => return Err(with_retry_hint(err, &login_command(session))),
    }
    let oidc = crate::sso::client::oidc(&session.region);
    crate::verbose::verbose!(
        "signing in to {} ({}) with the {} flow",
        session.start_url,
        session.region,
        if opts.device_code {
            "device code"
        } else {
            "authorization code (PKCE)"
        }
    );
    let token = if opts.device_code {
        device::sign_in(&oidc, session, opts).await
    } else {
        pkce::sign_in(&oidc, session, opts).await
    }
    .map_err(|err| with_fix(err, session))?;
    cache.store(&session.name, &token)?;
    Ok(Outcome::SignedIn(token.expires().unwrap_or(UNIX_EPOCH)))
}

/// Whether the portal still takes an access token.
enum Taken {
    Yes,
    No,
}

/// Asks the portal with the cheapest call there is (one account of
/// ListAccounts). Only a refusal (401) counts as No: when the portal cannot
/// be asked now, a new sign-in would fail the same way, and the commands
/// that use the token say so themselves.
async fn portal_takes(session: &SsoSession, access_token: &str) -> Taken {
    crate::verbose::verbose!(
        "asking the portal whether it still accepts the login for {}",
        session.label()
    );
    let sent = client::portal(&session.region)
        .list_accounts()
        .access_token(access_token)
        .max_results(1)
        .send()
        .await;
    match sent {
        Ok(_) => Taken::Yes,
        Err(err) => {
            let status = err.raw_response().map(|r| r.status().as_u16());
            let code = aws_sdk_sso::error::ProvideErrorMetadata::code(&err);
            crate::verbose::verbose!(
                "ListAccounts answered {}",
                status.map_or_else(|| "nothing".to_owned(), |s| s.to_string())
            );
            if status == Some(401) || code == Some("UnauthorizedException") {
                Taken::No
            } else {
                Taken::Yes
            }
        }
    }
}

/// [`login`] for synchronous callers such as `badge use --login`: builds
/// its own runtime and says on stderr what happened.
pub fn login_interactive(
    session: &SsoSession,
    cache: &TokenCache,
    opts: LoginOptions,
) -> Result<()> {
    let outcome = crate::sso::client::runtime()?.block_on(login(session, cache, &opts))?;
    let name = session.label();
    match outcome {
        Outcome::AlreadySignedIn(at) => {
            eprintln!(
                "badge: already signed in to {name} until {}",
                human_time(at)
            );
        }
        Outcome::Renewed(at) => {
            eprintln!(
                "badge: renewed the login for {name}, valid until {}",
                human_time(at)
            );
        }
        Outcome::SignedIn(at) => {
            eprintln!("badge: signed in to {name}, valid until {}", human_time(at));
        }
    }
    Ok(())
}

/// What `badge logout` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedOut {
    /// There was no cached token.
    NotSignedIn,
    /// The portal ended the sign-in; the cached token is gone.
    SignedOut,
    /// The token had already expired or been revoked; the file is gone.
    AlreadyEnded,
    /// The file is gone, but the portal could not be told (the reason).
    NotRevoked(String),
}

/// Signs out of the sign-in cached under `name` (the portal's Logout
/// revokes the access token and its refresh tokens), then removes the cache
/// file whatever the portal said. `region` is used when the file names none.
pub async fn logout(name: &str, region: Option<&str>, cache: &TokenCache) -> Result<LoggedOut> {
    let token = match cache.load(name) {
        Ok(Some(token)) => token,
        Ok(None) => return Ok(LoggedOut::NotSignedIn),
        Err(err) => {
            cache.remove(name)?;
            return Ok(LoggedOut::NotRevoked(format!("{err:#}")));
        }
    };
    let region = token
        .region
        .as_deref()
        .or(region)
        .unwrap_or_default()
        .to_owned();
    let now = SystemTime::now();
    // An expired access token cannot sign out, but the refresh token it
    // leaves behind should die too: renew it first, then sign out.
    let access_token = if token.is_valid_at(now) {
        Some(token.access_token.clone())
    } else if token.is_refreshable_at(now) && !region.is_empty() {
        let session = SsoSession {
            name: name.to_owned(),
            start_url: token.start_url.clone().unwrap_or_default(),
            region: region.clone(),
            scopes: Vec::new(),
            legacy_profile: None,
        };
        refresh(&session, cache, &token)
            .await
            .ok()
            .map(|t| t.access_token)
    } else {
        None
    };
    let outcome = match access_token {
        None => LoggedOut::AlreadyEnded,
        Some(_) if region.is_empty() => {
            LoggedOut::NotRevoked("the cached token names no region".to_owned())
        }
        Some(access_token) => {
            let sent = crate::sso::client::portal(&region)
                .logout()
                .access_token(access_token)
                .send()
                .await;
            match sent {
                Ok(_) => LoggedOut::SignedOut,
                Err(err) => {
                    let err = err.into_service_error();
                    if err.is_unauthorized_exception() {
                        LoggedOut::AlreadyEnded
                    } else {
                        LoggedOut::NotRevoked(format!("{:#}", service_error(err)))
                    }
                }
            }
        }
    };
    cache.remove(name)?;
    Ok(outcome)
}

/// The cache entry for a CreateToken answer.
fn cached_token(
    session: &SsoSession,
    out: &aws_sdk_ssooidc::operation::create_token::CreateTokenOutput,
    client_id: Option<String>,
    client_secret: Option<String>,
    registration_expires_at: Option<String>,
    previous_refresh_token: Option<String>,
) -> Result<CachedToken> {
    let access_token = out
        .access_token()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow!("the sign-in service returned no access token"))?;
    let lifetime = Duration::from_secs(u64::try_from(out.expires_in()).unwrap_or(0));
    Ok(CachedToken {
        start_url: Some(session.start_url.clone()),
        region: Some(session.region.clone()),
        access_token: access_token.to_owned(),
        expires_at: format_time(SystemTime::now() + lifetime),
        client_id,
        client_secret,
        registration_expires_at,
        refresh_token: out
            .refresh_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or(previous_refresh_token),
    })
}

/// An SDK error as one line: the service's error name and message, or the
/// transport failure. Never the request, so never a secret.
fn service_error<E>(err: E) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    describe_error(err, None)
}

/// CreateToken's errors carry their text in OAuth's `error_description`.
fn create_token_error(err: CreateTokenError) -> anyhow::Error {
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
    describe_error(err, description.as_deref())
}

fn describe_error<E>(err: E, description: Option<&str>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let description = description.or_else(|| oauth_description(&err));
    // A request that got no answer reaches here as an unhandled error
    // wrapping the SDK's own; its debug text is for nobody.
    if let Some(sdk) = err
        .source()
        .and_then(|source| source.downcast_ref::<SdkError<E, HttpResponse>>())
        && let Some(reason) = client::no_answer(sdk)
    {
        return anyhow::Error::new(Unavailable {
            timed_out: matches!(sdk, SdkError::TimeoutError(_)),
            reason,
            server_error: false,
        });
    }
    let Some(code) = err.code() else {
        return anyhow!("the sign-in service answered with an error it did not name");
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

/// Percent-encoding of a query value (everything but RFC 3986 unreserved).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `name=value` pairs of a query string, percent- and `+`-decoded.
fn decode_query(query: &str) -> Vec<(String, String)> {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char).to_digit(16).map(|d| d as u8)
    }
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high << 4 | low);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                byte => out.push(byte),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn session() -> SsoSession {
        SsoSession {
            name: "acme".into(),
            start_url: "https://acme.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: vec!["sso:account:access".into()],
            legacy_profile: None,
        }
    }

    fn token(expires_in_secs: i64) -> CachedToken {
        let now = SystemTime::now();
        let at = if expires_in_secs >= 0 {
            now + Duration::from_secs(expires_in_secs as u64)
        } else {
            now - Duration::from_secs(expires_in_secs.unsigned_abs())
        };
        CachedToken {
            start_url: Some("https://acme.awsapps.com/start".into()),
            region: Some("eu-west-1".into()),
            access_token: "tok-secret".into(),
            expires_at: format_time(at),
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
        }
    }

    fn usable(cache: &TokenCache) -> Result<String> {
        crate::sso::client::runtime()
            .unwrap()
            .block_on(usable_token(&session(), cache, "badge sync"))
    }

    #[test]
    fn usable_token_returns_a_valid_cached_token() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::in_dir(dir.path().to_owned());
        cache.store("acme", &token(3600)).unwrap();
        assert_eq!(usable(&cache).unwrap(), "tok-secret");
    }

    #[test]
    fn usable_token_errors_name_badge_login_and_never_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::in_dir(dir.path().to_owned());
        let hint = "run `badge login --sso-session acme`";

        let err = format!("{:#}", usable(&cache).unwrap_err());
        assert!(
            err.contains("not signed in to sso-session \"acme\"") && err.contains(hint),
            "{err}"
        );

        // Expired, or good for less than a minute, and no refresh token.
        for (expires_in, state) in [(-3600, "has expired"), (30, "expires soon")] {
            cache.store("acme", &token(expires_in)).unwrap();
            let err = format!("{:#}", usable(&cache).unwrap_err());
            assert_eq!(
                err,
                format!("the login for sso-session \"acme\" {state}; {hint}")
            );
        }

        let mut other = token(3600);
        other.start_url = Some("https://other.awsapps.com/start".into());
        cache.store("acme", &other).unwrap();
        let err = format!("{:#}", usable(&cache).unwrap_err());
        assert!(
            err.contains("https://other.awsapps.com/start") && err.contains(hint),
            "{err}"
        );

        fs::write(cache.path_for("acme"), "{\"accessToken\":\"tok-secret\",").unwrap();
        let err = format!("{:#}", usable(&cache).unwrap_err());
        assert!(
            err.contains("cannot be used") && err.contains(hint),
            "{err}"
        );
        assert!(!err.contains("tok-secret"), "{err}");
    }

    #[test]
    fn a_trailing_slash_does_not_change_the_start_url() {
        assert!(same_url(
            "https://x.awsapps.com/start/",
            "https://x.awsapps.com/start"
        ));
        assert!(!same_url(
            "https://x.awsapps.com/start",
            "https://y.awsapps.com/start"
        ));
    }

    #[test]
    fn timeout_and_browser_come_from_the_environment() {
        let opts = LoginOptions::from_vars(|name| match name {
            "BROWSER" => Some("firefox".into()),
            TIMEOUT_VAR => Some("7".into()),
            _ => None,
        });
        assert_eq!(opts.timeout, Some(Duration::from_secs(7)));
        assert_eq!(opts.browser, Some("firefox".into()));
        let opts = LoginOptions::from_vars(|name| (name == TIMEOUT_VAR).then(|| "soon".into()));
        assert_eq!(opts.timeout, None);
        assert_eq!(opts.browser, None);
    }

    #[test]
    fn query_values_round_trip() {
        let value = "http://127.0.0.1:8080/oauth/callback?a=b c&d";
        let encoded = encode_query_value(value);
        assert_eq!(
            encoded,
            "http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fcallback%3Fa%3Db%20c%26d"
        );
        let pairs = decode_query(&format!("x={encoded}&y=a+b&z&bad=%zz%4"));
        assert_eq!(
            pairs,
            vec![
                ("x".into(), value.into()),
                ("y".into(), "a b".into()),
                ("z".into(), String::new()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
    }
}
