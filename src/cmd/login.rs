//! `badge login`: sign in to an sso-session (see `sso::login`).
//!
//! A switching command in the shell integration, so stdout carries only the
//! code that updates the prompt's expiry marker; everything else is stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use crate::cli::LoginArgs;
use crate::config::sessions::{self, SsoSession};
use crate::sso::login::{LoginOptions, login_interactive};

pub fn run(ctx: &Context, args: &LoginArgs) -> Result<ExitCode> {
    let session = select_session(ctx, args.sso_session.as_deref(), args.profile.as_deref())?;
    let cache = ctx.token_cache()?;
    let opts = LoginOptions {
        device_code: args.device_code,
        open_browser: !args.no_browser,
        force: args.force,
        ..options(ctx)
    };
    login_interactive(&session, &cache, opts)?;
    io::stdout().write_all(super::prompt_state_script(ctx).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// How this process signs in (`$BROWSER`, `BADGE_LOGIN_TIMEOUT_SECS`), for
/// `badge login` and `badge use --login`.
pub fn options(ctx: &Context) -> LoginOptions {
    LoginOptions::from_vars(|name| ctx.var(name))
}

/// The sso-session named, or that of the profile named, or of the active
/// profile, or the only one.
pub fn select_session(
    ctx: &Context,
    requested: Option<&str>,
    profile: Option<&str>,
) -> Result<SsoSession> {
    let paths = ctx.paths()?;
    let doc = super::read_config(&paths)?;
    super::warn_if_refused(&paths);
    let session = sessions::select(
        &doc,
        &paths.config,
        requested,
        profile,
        ctx.active.as_deref(),
    )?;
    crate::verbose::log_session(&session);
    Ok(session)
}
