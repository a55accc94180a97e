//! The sso-session a command signs in to, and how this process signs in.

use anyhow::Result;

use super::choose::resolve;
use super::files::{load_profiles, read_config, warn_if_refused};
use crate::cmd::Context;
use crate::config::sessions::{self, SsoSession};
use crate::sso::login::LoginOptions;

/// The sso-session named, or that of the profile named (found as `badge
/// use` finds one), or of the active profile, or the only one.
pub fn select_session(
    ctx: &Context,
    requested: Option<&str>,
    profile: Option<&str>,
) -> Result<SsoSession> {
    let paths = ctx.paths()?;
    let doc = read_config(&paths)?;
    warn_if_refused(&paths);
    let profile = match profile {
        Some(query) => {
            let cmd = &ctx.cmd;
            let again = |word: &str| format!("{cmd} login --profile {word}");
            let profiles = load_profiles(&paths)?;
            Some(resolve(ctx, &paths, &profiles, query, again)?)
        }
        None => None,
    };
    let session = sessions::select(
        &doc,
        &paths.config,
        requested,
        profile.as_deref(),
        ctx.active.as_deref(),
    )?;
    session.log();
    Ok(session)
}

/// How this process signs in (`$BROWSER`, `BADGE_LOGIN_TIMEOUT_SECS`, the
/// endpoints), for `badge login` and `badge use --login`.
pub fn login_options(ctx: &Context) -> Result<LoginOptions> {
    Ok(LoginOptions {
        device_code: false,
        open_browser: true,
        browser: ctx.var("BROWSER").filter(|b| !b.is_empty()),
        timeout: ctx.settings.login_timeout()?,
        registration_dir: ctx.state_dir().ok().map(|dir| dir.join("clients")),
        force: false,
        network: ctx.settings.network()?,
    })
}
