//! The device code flow (RFC 8628), for SSH sessions and hosts without a
//! browser: the user approves a short code on any device while badge polls.

use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use tokio::time::{Instant, sleep};

use super::errors::{Sent, create_token_error, service_error};
use super::registration::{self, Flow, Registration};
use super::{LoginOptions, browser, cached_token, login_command};
use crate::config::sessions::SsoSession;
use crate::sso::token_cache::CachedToken;
use crate::ui::say::say;

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 8628: the interval when the service names none, and what a
/// SlowDown adds to it.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// When the service does not say how long the code lasts.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);
/// The longest wait for an approval: Identity Center's device codes last
/// 10 minutes; half an hour is room for any real one.
const MAX_APPROVAL_WAIT: Duration = Duration::from_secs(30 * 60);

pub async fn sign_in(
    oidc: &aws_sdk_ssooidc::Client,
    session: &SsoSession,
    opts: &LoginOptions,
) -> Result<CachedToken> {
    let (dir, net) = (opts.registration_dir.as_deref(), &opts.network);
    let mut client = registration::obtain(net, oidc, session, Flow::DeviceCode, dir).await?;
    let sent = Sent::oidc();
    let start = |client: &Registration| {
        oidc.start_device_authorization()
            .client_id(&client.client_id)
            .client_secret(&client.client_secret)
            .start_url(&session.start_url)
            .send()
    };
    let authorization = match start(&client).await {
        Ok(out) => out,
        Err(err) => {
            let sent = sent.answered(&err);
            let err = err.into_service_error();
            if !err.is_invalid_client_exception() {
                return Err(service_error(net, sent, err))
                    .context("cannot start the device sign-in");
            }
            // The service forgot the cached registration: register again.
            registration::forget(dir, session, Flow::DeviceCode);
            client = registration::obtain(net, oidc, session, Flow::DeviceCode, dir).await?;
            let sent = Sent::oidc();
            start(&client)
                .await
                .map_err(|err| service_error(net, sent.answered(&err), err.into_service_error()))
                .context("cannot start the device sign-in")?
        }
    };
    let (Some(device_code), Some(user_code)) =
        (authorization.device_code(), authorization.user_code())
    else {
        bail!("StartDeviceAuthorization returned no device or user code");
    };
    let url = authorization
        .verification_uri_complete()
        .or(authorization.verification_uri())
        .ok_or_else(|| anyhow!("StartDeviceAuthorization returned no verification URL"))?;
    say!(
        "signing in to {} with the code {user_code}",
        session.label()
    );
    browser::show(url, opts);
    say!("check that the page shows the code {user_code} and approve it; waiting…");

    let mut interval = positive_secs(authorization.interval()).unwrap_or(DEFAULT_INTERVAL);
    let deadline = Instant::now() + approval_wait(authorization.expires_in(), opts.timeout);
    loop {
        if Instant::now() + interval > deadline {
            bail!(
                "the sign-in code {user_code} was not approved in time; run `{} --device-code` for a new one",
                login_command(session)
            );
        }
        sleep(interval).await;
        let sent = Sent::oidc();
        let polled = oidc
            .create_token()
            .client_id(&client.client_id)
            .client_secret(&client.client_secret)
            .grant_type(DEVICE_CODE_GRANT)
            .device_code(device_code)
            .send()
            .await;
        let (sent, err) = match polled {
            Ok(out) => {
                return cached_token(
                    net,
                    session,
                    &out,
                    Some(client.client_id),
                    Some(client.client_secret),
                    Some(client.expires_at),
                    None,
                );
            }
            Err(err) => (sent.answered(&err), err.into_service_error()),
        };
        if err.is_authorization_pending_exception() {
            continue;
        }
        if err.is_slow_down_exception() {
            interval += SLOW_DOWN_STEP;
            continue;
        }
        if err.is_expired_token_exception() {
            bail!(
                "the sign-in code {user_code} expired before it was approved; \
                 run `{} --device-code` for a new one",
                login_command(session)
            );
        }
        if err.is_access_denied_exception() {
            bail!(
                "the sign-in with the code {user_code} was denied; run `{} --device-code` to try again",
                login_command(session)
            );
        }
        return Err(create_token_error(net, sent, err)).context("the device sign-in failed");
    }
}

/// How long to wait for the user's approval: as long as the service says
/// its code lasts (a default when it says nothing sensible), but never
/// more than [`MAX_APPROVAL_WAIT`], whatever a hostile service says (an
/// `expiresIn` of 2^31 s is 68 years), nor more than `timeout`
/// (`BADGE_LOGIN_TIMEOUT_SECS`).
fn approval_wait(expires_in: i32, timeout: Option<Duration>) -> Duration {
    let lifetime = positive_secs(expires_in)
        .unwrap_or(DEFAULT_LIFETIME)
        .min(MAX_APPROVAL_WAIT);
    timeout.map_or(lifetime, |t| t.min(lifetime))
}

fn positive_secs(secs: i32) -> Option<Duration> {
    u64::try_from(secs)
        .ok()
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_for_approval_is_bounded_whatever_the_service_says() {
        let secs = Duration::from_secs;
        assert_eq!(approval_wait(600, None), secs(600));
        assert_eq!(approval_wait(0, None), DEFAULT_LIFETIME);
        assert_eq!(approval_wait(-5, None), DEFAULT_LIFETIME);
        assert_eq!(approval_wait(i32::MAX, None), MAX_APPROVAL_WAIT);
        assert_eq!(approval_wait(i32::MAX, Some(secs(90))), secs(90));
        assert_eq!(approval_wait(60, Some(secs(90))), secs(60));
    }
}
