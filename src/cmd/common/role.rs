//! The role credentials of a profile, for `badge creds`, `badge exec
//! --env-credentials` and `badge console`: the profile found like `badge
//! use` finds one, its sso-session or legacy start URL, and one
//! GetRoleCredentials with the login the AWS tools share, or the cached
//! answer to it (`sso::role_cache`).

use std::time::{Duration, SystemTime};

use anyhow::{Result, bail};

use super::choose::{exact, resolve};
use super::files::load_profiles;
use crate::base::text::{printable, quoted};
use crate::base::url::same_url;
use crate::cmd::Context;
use crate::config::document::Document;
use crate::config::sessions::{self, SsoSession};
use crate::shell::shell_word;
use crate::sso::client;
use crate::sso::credentials::{self, Role, RoleCredentials};
use crate::sso::role_cache::{Lookup, RoleCache};
use crate::sso::token_cache::{CachedToken, TokenCache};
use crate::ui::say::command;
use crate::ui::say::say;

/// Cached role credentials are handed out only with more than this left,
/// so that the tool that gets them can use them for a while.
pub const REUSE_MARGIN: Duration = Duration::from_secs(10 * 60);

/// Whether [`fetch`] may answer from the cache of role credentials and
/// keep what it fetched there (`--no-cache`: neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    Use,
    Bypass,
}

impl Caching {
    /// `--no-cache` given or not.
    pub fn unless(no_cache: bool) -> Caching {
        if no_cache {
            Caching::Bypass
        } else {
            Caching::Use
        }
    }
}

/// A profile that names an Identity Center role, found like `badge use`
/// finds one.
pub struct SsoProfile {
    pub name: String,
    pub session: SsoSession,
    pub role: Role,
    pub region: Option<String>,
}

/// The profile `query` names (exact, unique prefix, unique substring), or
/// the active one without a query. `again` turns a profile name, as a
/// shell word, into the command the user ran, for hints. With `tool` (the command, `badge
/// creds`), a program reads the output: the name must be exact.
pub fn sso_profile(
    ctx: &Context,
    query: Option<&str>,
    tool: Option<&str>,
    again: impl Fn(&str) -> String,
) -> Result<SsoProfile> {
    let cmd = command();
    let query = match query.or(ctx.active.as_deref()) {
        Some(query) => query.to_owned(),
        None => bail!(
            "no profile named and AWS_PROFILE is not set; name one, for example \
             `{}` (`{cmd} ls` lists them)",
            again("PROFILE")
        ),
    };
    let paths = ctx.paths()?;
    let profiles = load_profiles(&paths)?;
    let name = match tool {
        Some(command) => exact(&profiles, &query, command)?,
        None => resolve(ctx, &paths, &profiles, &query, &again)?,
    };
    let Some(profile) = profiles.get(&name) else {
        bail!(
            "there is no profile {}; `{cmd} ls` lists them",
            quoted(&name)
        );
    };
    let shown = printable(&name).into_owned();
    let session = match profile.sso_session {
        Some(session_name) => {
            if profile.account_id.is_none() || profile.role_name.is_none() {
                bail!(
                    "profile {shown} has no sso_account_id or no sso_role_name, so it names no \
                     role; {}",
                    match shell_word(session_name) {
                        Ok(name) => format!(
                            "`{cmd} sync --sso-session {name}` writes a profile for every role"
                        ),
                        Err(why) => why.to_string(),
                    }
                );
            }
            sessions::of_profile(profiles.config(), &name, session_name, &paths.config)?
        }
        // A legacy SSO profile names its portal itself.
        None => match sessions::legacy(profiles.config(), &name) {
            Some(session) => session,
            None => return Err(not_sso(profiles.config(), &name, &shown)),
        },
    };
    let (Some(account_id), Some(role_name)) = (profile.account_id, profile.role_name) else {
        bail!("profile {shown} has no sso_account_id or no sso_role_name, so it names no role");
    };
    session.log();
    Ok(SsoProfile {
        region: profile
            .region
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        role: Role {
            account_id: account_id.trim().to_owned(),
            role_name: role_name.trim().to_owned(),
        },
        session,
        name,
    })
}

/// Why a profile with neither an sso-session nor a start URL of its own
/// gives badge no role to ask for.
fn not_sso(doc: &Document, name: &str, shown: &str) -> anyhow::Error {
    let cmd = command();
    let process = doc
        .profile(name)
        .and_then(|id| doc.get(id, "credential_process"));
    if let Some(process) = process.filter(|p| calls_badge(p)) {
        return anyhow::anyhow!(
            "profile {shown} gets its credentials from `{}`, which is badge itself, and has \
             no sso_session for badge to use: name a profile with sso_session, sso_account_id \
             and sso_role_name in that line instead",
            printable(process.trim())
        );
    }
    anyhow::anyhow!(
        "profile {shown} is not an IAM Identity Center profile (it has no sso_session); \
         `{cmd} ls` shows the ones that are, and `{cmd} sync` writes them"
    )
}

/// Whether a `credential_process` line runs `badge creds`.
fn calls_badge(process: &str) -> bool {
    let mut words = process.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let program = program.trim_matches(['"', '\'']);
    program.rsplit('/').next() == Some("badge") && words.any(|w| w == "creds")
}

/// The role credentials of `profile`; `again` makes the command to repeat
/// when the service could not be reached (with `PROFILE` for a name no
/// pasted command can hold). With [`Caching::Use`], those cached for this
/// login when more than [`REUSE_MARGIN`] remains (no network, no runtime),
/// and what is fetched is kept for the next call.
pub fn fetch(
    ctx: &Context,
    profile: &SsoProfile,
    again: impl Fn(&str) -> String,
    caching: Caching,
) -> Result<RoleCredentials> {
    let again = match shell_word(&profile.name) {
        Ok(word) => again(&word),
        Err(_) => again("PROFILE"),
    };
    let cache = ctx.token_cache()?;
    let roles = match caching {
        Caching::Use => ctx.role_cache().ok(),
        Caching::Bypass => None,
    };
    let cached = |roles: &RoleCache, token: &CachedToken, quiet: bool| {
        let until = SystemTime::now() + REUSE_MARGIN;
        match roles.load(&profile.session.name, &profile.role, token, until) {
            Lookup::Hit(credentials) => Some(credentials),
            Lookup::Miss => None,
            Lookup::Refused(path, why) => {
                if !quiet {
                    say!(
                        "not using the cached role credentials in {}: {why}; asked IAM \
                         Identity Center for new ones",
                        path.display()
                    );
                }
                None
            }
        }
    };
    let login = roles.as_ref().and_then(|_| login_of(&cache, profile));
    if let (Some(roles), Some(token)) = (&roles, &login)
        && let Some(credentials) = cached(roles, token, false)
    {
        return Ok(credentials);
    }
    // One fetch for the calls that missed together with a usable login:
    // the others wait for it, then read what it kept (for the login there
    // is now, which a renewal beside it may have replaced).
    let fetching = match (&roles, &login) {
        (Some(roles), Some(_)) => roles.fetching(&profile.session.name, &profile.role),
        _ => None,
    };
    if fetching.is_some()
        && let Some(roles) = &roles
        && let Some(token) = login_of(&cache, profile)
        && let Some(credentials) = cached(roles, &token, true)
    {
        return Ok(credentials);
    }
    let network = ctx.settings.network()?;
    let credentials = client::runtime()?.block_on(credentials::get(
        &network,
        &profile.session,
        &cache,
        &profile.role,
        &again,
    ))?;
    // The login they came with (renewed, perhaps, on the way).
    if let Some(roles) = &roles
        && let Some(token) = login_of(&cache, profile)
        && let Err(err) = roles.store(&profile.session.name, &profile.role, &token, &credentials)
    {
        say!(
            "could not cache the role credentials of profile {} in {}: {err:#}; \
             the next call asks IAM Identity Center again",
            printable(&profile.name),
            roles.dir().display()
        );
    }
    Ok(credentials)
}

/// The cached login of `profile`'s session, when it is one that can be
/// used now: there, for that start URL, not expired.
fn login_of(cache: &TokenCache, profile: &SsoProfile) -> Option<CachedToken> {
    let token = cache.load(&profile.session.name).ok()??;
    let url_matches = token
        .start_url
        .as_deref()
        .is_none_or(|url| same_url(url, &profile.session.start_url));
    (url_matches && token.is_valid_at(SystemTime::now())).then_some(token)
}

/// The variables `badge creds` and `badge exec --env-credentials` set.
pub fn variables(
    credentials: &RoleCredentials,
    region: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.clone(),
        ),
        ("AWS_SESSION_TOKEN", credentials.session_token.clone()),
        ("AWS_CREDENTIAL_EXPIRATION", credentials.expiration_text()),
    ];
    if let Some(region) = region {
        vars.push(("AWS_REGION", region.to_owned()));
        vars.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_process_that_runs_badge_creds_is_recognised() {
        assert!(calls_badge("badge creds prod --format process"));
        assert!(calls_badge("/usr/local/bin/badge creds --format process"));
        assert!(calls_badge("'badge' creds x"));
        assert!(!calls_badge("aws-vault export prod"));
        assert!(!calls_badge("badge-helper creds"));
        assert!(!calls_badge("badge ls"));
    }
}
