//! Short-lived role credentials from the portal's GetRoleCredentials, for
//! `badge exec --env-credentials`, `badge creds` and `badge console`.
//!
//! Nothing here writes them anywhere: `badge creds` and `badge exec
//! --env-credentials` keep them in `role_cache`. Signing in is left to
//! `badge login`; an expired token is renewed with its refresh token as the
//! AWS tools would.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow, bail};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};

use super::client::Network;
use super::login::{login_command, usable_token};
use super::token_cache::TokenCache;
use crate::base::time::format_time;
use crate::config::sessions::SsoSession;
use crate::shell::shell_word;
use crate::ui::say::command;
use crate::ui::verbose::{self, verbose};

/// The role a profile names: `sso_account_id` and `sso_role_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub account_id: String,
    pub role_name: String,
}

/// One set of role credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: SystemTime,
}

/// Never show secrets, not even in debug output.
impl fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("expiration", &self.expiration_text())
            .finish_non_exhaustive()
    }
}

impl RoleCredentials {
    /// `2026-11-26T18:00:00Z`, as `AWS_CREDENTIAL_EXPIRATION` and the
    /// credential_process format want it.
    pub fn expiration_text(&self) -> String {
        format_time(self.expiration)
    }
}

/// The credentials of `role`, with the cached login of `session` (renewed
/// with its refresh token when it has expired). `again` is the command to
/// run again when the service could not be reached.
pub async fn get(
    net: &Network,
    session: &SsoSession,
    cache: &TokenCache,
    role: &Role,
    again: &str,
) -> Result<RoleCredentials> {
    let token = usable_token(net, session, cache, again).await?;
    verbose!(
        "GetRoleCredentials for role {} in account {} ({})",
        role.role_name,
        role.account_id,
        session.label()
    );
    let sent = net
        .portal(&session.region)
        .get_role_credentials()
        .access_token(token)
        .account_id(&role.account_id)
        .role_name(&role.role_name)
        .send()
        .await;
    let out = match sent {
        Ok(out) => out,
        Err(err) => return Err(refused(net, session, role, &err, again)),
    };
    let Some(creds) = out.role_credentials() else {
        bail!(
            "the portal at {} answered GetRoleCredentials without credentials; run `{again}` again",
            net.portal_endpoint(&session.region)
        );
    };
    let text = |value: Option<&str>, what: &str| -> Result<String> {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => Ok(v.to_owned()),
            None => bail!(
                "the portal at {} answered GetRoleCredentials without {what}",
                net.portal_endpoint(&session.region)
            ),
        }
    };
    let credentials = RoleCredentials {
        access_key_id: text(creds.access_key_id(), "an access key id")?,
        secret_access_key: text(creds.secret_access_key(), "a secret access key")?,
        session_token: text(creds.session_token(), "a session token")?,
        expiration: UNIX_EPOCH
            + Duration::from_millis(u64::try_from(creds.expiration()).unwrap_or(0)),
    };
    for secret in [
        &credentials.access_key_id,
        &credentials.secret_access_key,
        &credentials.session_token,
    ] {
        verbose::conceal(secret);
    }
    verbose!(
        "role credentials valid until {}",
        credentials.expiration_text()
    );
    Ok(credentials)
}

/// What went wrong, and the command that fixes it.
fn refused<E>(
    net: &Network,
    session: &SsoSession,
    role: &Role,
    err: &SdkError<E>,
    again: &str,
) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let cmd = command();
    let endpoint = net.portal_endpoint(&session.region);
    if let Some(reason) = net.no_answer(err) {
        return anyhow!(
            "no answer from the portal at {endpoint} ({reason}); check your network, then run \
             `{again}` again"
        );
    }
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = err.code().unwrap_or("an error");
    match (status, code) {
        (_, "UnauthorizedException") | (Some(401), _) => anyhow!(
            "the login for {} is no longer valid (signed out or revoked); run `{}`",
            session.label(),
            login_command(session)
        ),
        (_, "ForbiddenException") | (Some(403), _) if session.legacy_profile.is_some() => anyhow!(
            "{} has no access to role {} in account {}; check the profile's sso_account_id \
             and sso_role_name",
            session.label(),
            role.role_name,
            role.account_id,
        ),
        (_, "ForbiddenException") | (Some(403), _) => anyhow!(
            "sso-session \"{}\" has no access to role {} in account {}; see your roles with \
             `{cmd} sync --sso-session {} --dry-run`",
            session.name,
            role.role_name,
            role.account_id,
            shell_word(&session.name).unwrap_or_else(|_| "NAME".to_owned())
        ),
        (_, "TooManyRequestsException") | (Some(429), _) => anyhow!(
            "the portal at {endpoint} is throttling requests; wait a moment, then run `{again}` again"
        ),
        _ => {
            let status = status.map(|s| format!("{s} ")).unwrap_or_default();
            let message = err.message().unwrap_or("");
            anyhow!(
                "the portal at {endpoint} refused GetRoleCredentials ({status}{code}{}{message}); \
                 run `{again}` again",
                if message.is_empty() { "" } else { ": " }
            )
        }
    }
}
