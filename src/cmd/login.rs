//! `badge login`: sign in to an sso-session (see `sso::login`).
//!
//! A switching command in the shell integration, so stdout carries only the
//! code that updates the prompt's expiry marker; everything else is stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use super::common::prompt::active_login_mark;
use super::common::session::{login_options, select_session};
use crate::cli::LoginArgs;
use crate::sso::login::{LoginOptions, login_interactive};

pub fn run(ctx: &Context, args: &LoginArgs) -> Result<ExitCode> {
    let session = select_session(ctx, args.sso_session.as_deref(), args.profile.as_deref())?;
    let cache = ctx.token_cache()?;
    let opts = LoginOptions {
        device_code: args.device_code,
        open_browser: !args.no_browser,
        force: args.force,
        ..login_options(ctx)?
    };
    // Before any browser opens: a login could not be kept there.
    cache.check_private()?;
    login_interactive(&session, &cache, opts)?;
    io::stdout().write_all(active_login_mark(ctx).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
