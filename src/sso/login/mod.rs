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
mod errors;
mod logout;
mod loopback;
mod pkce;
mod registration;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow, bail};

use self::errors::{Sent, Unavailable, create_token_error, with_fix, with_retry_hint};
pub use self::logout::{LoggedOut, logout};
use crate::base::time::{format_time, human_time};
use crate::base::url::same_url;
use crate::config::sessions::SsoSession;
use crate::shell::shell_word;
use crate::sso::client::Network;
use crate::sso::token_cache::{CachedToken, TokenCache};
use crate::ui::say::command;
use crate::ui::say::say;
use crate::ui::verbose::verbose;

/// A token handed to a command must stay good at least this long.
pub const MIN_VALIDITY: Duration = Duration::from_secs(60);

/// `badge login` renews a token that has less than this left, as botocore
/// does before it uses one.
pub const RENEW_BEFORE: Duration = Duration::from_secs(15 * 60);

/// The longest login badge believes a sign-in service gives: IAM Identity
/// Center's sessions last at most 90 days, and no access token outlives
/// its session. A longer `expiresIn` (or one of no time at all) is no
/// sign-in, and nothing of it is cached.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

/// How long the loopback redirect waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

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
    /// Endpoints and timeouts of the sign-in service and the portal.
    pub network: Network,
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

/// The command that signs `session` in again, ready to paste; with `NAME`
/// or `PROFILE` in place of a name that no pasted command can hold (the
/// messages it goes in name the session themselves).
pub fn login_command(session: &SsoSession) -> String {
    let cmd = command();
    match &session.legacy_profile {
        None => format!(
            "{cmd} login --sso-session {}",
            shell_word(&session.name).unwrap_or_else(|_| "NAME".to_owned())
        ),
        Some(profile) => format!(
            "{cmd} login --profile {}",
            shell_word(profile).unwrap_or_else(|_| "PROFILE".to_owned())
        ),
    }
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

async fn check_cache(
    net: &Network,
    session: &SsoSession,
    cache: &TokenCache,
    min_validity: Duration,
) -> Cached {
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
        verbose!(
            "the access token of {} {state}; renewing it with the refresh token",
            session.label()
        );
        // Another badge may be renewing it right now: wait for it, and use
        // what it stored if that is good enough.
        let renewing = cache.renewing(&session.name);
        let reloaded = renewing
            .as_ref()
            .and_then(|_| cache.load(&session.name).ok().flatten());
        let token = match reloaded {
            Some(again)
                if again
                    .start_url
                    .as_deref()
                    .is_none_or(|url| same_url(url, &session.start_url)) =>
            {
                if again.is_valid_at(SystemTime::now() + min_validity) {
                    verbose!("another badge renewed the login of {}", session.label());
                    return Cached::Renewed(again);
                }
                again
            }
            _ => token,
        };
        return match refresh(net, session, cache, &token).await {
            Ok(renewed) => Cached::Renewed(renewed),
            Err(err) if err.chain().any(|c| c.is::<Unavailable>()) => {
                Cached::Unavailable(err.context(format!(
                    "the login for {} {state}, and the sign-in service at {} could not \
                     renew it",
                    session.label(),
                    net.oidc_endpoint(&session.region)
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

/// An access token for `session` that is good for at least a minute: the
/// cached one, or one renewed with the cached refresh token (stored back,
/// for the AWS tools too). Otherwise an error naming `badge login`, or,
/// when the sign-in service could not renew it, `again`: the command to
/// run again later.
pub async fn usable_token(
    net: &Network,
    session: &SsoSession,
    cache: &TokenCache,
    again: &str,
) -> Result<String> {
    match check_cache(net, session, cache, MIN_VALIDITY).await {
        Cached::Valid(token) | Cached::Renewed(token) => Ok(token.access_token),
        Cached::NeedsLogin(None) => bail!(
            "not signed in to {}; run `{}`",
            session.label(),
            login_command(session)
        ),
        Cached::NeedsLogin(Some(reason)) => {
            bail!("{reason}; run `{}`", login_command(session))
        }
        Cached::Unavailable(err) => Err(with_retry_hint(net, err, again)),
    }
}

/// CreateToken with the refresh token; stores and returns the renewed token.
pub async fn refresh(
    net: &Network,
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
    let sent = Sent::oidc();
    let out = net
        .oidc(&session.region)
        .create_token()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|err| create_token_error(net, sent.answered(&err), err.into_service_error()))?;
    let renewed = cached_token(
        net,
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
    let net = &opts.network;
    let cached = if opts.force {
        Cached::NeedsLogin(None)
    } else {
        check_cache(net, session, cache, RENEW_BEFORE).await
    };
    match cached {
        // A token can end before its time (signed out elsewhere, revoked):
        // the portal says whether it still takes this one, or the user
        // would be told "already signed in" by the command that badge
        // itself named after a refusal.
        Cached::Valid(token) => match portal_takes(net, session, &token.access_token).await {
            Taken::Yes => {
                return Ok(Outcome::AlreadySignedIn(
                    token.expires().unwrap_or(UNIX_EPOCH),
                ));
            }
            Taken::No => say!(
                "the portal no longer accepts the login for {} (signed out or \
                 revoked); signing in again",
                session.label()
            ),
        },
        Cached::Renewed(token) => {
            return Ok(Outcome::Renewed(token.expires().unwrap_or(UNIX_EPOCH)));
        }
        Cached::NeedsLogin(Some(reason)) => say!("{reason}; signing in again"),
        Cached::NeedsLogin(None) => {}
        Cached::Unavailable(err) => {
            return Err(with_retry_hint(net, err, &login_command(session)));
        }
    }
    let oidc = net.oidc(&session.region);
    verbose!(
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
    .map_err(|err| with_fix(net, err, session))?;
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
async fn portal_takes(net: &Network, session: &SsoSession, access_token: &str) -> Taken {
    verbose!(
        "asking the portal whether it still accepts the login for {}",
        session.label()
    );
    let sent = net
        .portal(&session.region)
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
            verbose!(
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
    let outcome = super::client::runtime()?.block_on(login(session, cache, &opts))?;
    let name = session.label();
    // A login that ends within the minute every command needs would have
    // sync say "expires soon, run badge login", and login sign in again.
    if let Outcome::SignedIn(at) | Outcome::Renewed(at) = outcome
        && at < SystemTime::now() + MIN_VALIDITY
    {
        bail!(
            "signed in to {name}, but the sign-in service gave a login that lasts less than a \
             minute, and badge hands a login to a command only with a minute or more left: \
             sync, creds, exec and console cannot use it; ask your IAM Identity Center \
             administrator for a longer session"
        );
    }
    match outcome {
        Outcome::AlreadySignedIn(at) => {
            say!("already signed in to {name} until {}", human_time(at));
        }
        Outcome::Renewed(at) => {
            say!(
                "renewed the login for {name}, valid until {}",
                human_time(at)
            );
        }
        Outcome::SignedIn(at) => {
            say!("signed in to {name}, valid until {}", human_time(at));
        }
    }
    Ok(())
}

/// The cache entry for a CreateToken answer; an error when the answer's
/// lifetime is over at once or longer than [`MAX_TOKEN_LIFETIME`].
fn cached_token(
    net: &Network,
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
    let lifetime = u64::try_from(out.expires_in())
        .ok()
        .map(Duration::from_secs)
        .filter(|l| !l.is_zero() && *l <= MAX_TOKEN_LIFETIME);
    let Some(lifetime) = lifetime else {
        let fix = match &net.oidc_endpoint {
            Some(endpoint) => format!("check {}", endpoint.var),
            None => "ask your IAM Identity Center administrator".to_owned(),
        };
        bail!(
            "the sign-in service at {} gave {} a login that lasts {} seconds, not between 1 \
             second and 90 days, so badge kept none of it; {fix}",
            net.oidc_endpoint(&session.region),
            session.label(),
            out.expires_in()
        );
    };
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
            .block_on(usable_token(
                &Network::default(),
                &session(),
                cache,
                "badge sync",
            ))
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
}
