//! `badge login`: sign in to an sso-session (see `sso::login`).
//!
//! A switching command in the shell integration, so stdout carries only the
//! code that updates the prompt's expiry marker; everything else is stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use super::common::files::{read_config, warn_if_refused};
use super::common::prompt::active_login_mark;
use super::common::session::{login_options, select_session};
use crate::cli::LoginArgs;
use crate::config::sessions;
use crate::sso::login::{LoginOptions, login_interactive};
use crate::ui::say::command;
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &LoginArgs) -> Result<ExitCode> {
    if args.all {
        return login_all(ctx, args);
    }
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

/// `badge login --all`: every sso-session of the config, one after the
/// other; those whose login is good say so and ask nothing of a browser.
/// One that fails is said and the next one follows; exit 1 then.
fn login_all(ctx: &Context, args: &LoginArgs) -> Result<ExitCode> {
    let cmd = command();
    let paths = ctx.paths()?;
    let doc = read_config(&paths)?;
    warn_if_refused(&paths);
    let all = sessions::sessions(&doc);
    if all.is_empty() {
        bail!(
            "{} has no [sso-session] to sign in to; add one with `{cmd} session add NAME \
             --start-url URL --region REGION`",
            paths.config_shown()
        );
    }
    let cache = ctx.token_cache()?;
    cache.check_private()?;
    let mut failed = false;
    for (_, session) in all {
        let signed_in = session.and_then(|session| {
            session.log();
            let opts = LoginOptions {
                device_code: args.device_code,
                open_browser: !args.no_browser,
                force: args.force,
                ..login_options(ctx)?
            };
            login_interactive(&session, &cache, opts)
        });
        if let Err(err) = signed_in {
            say!("{err:#}");
            failed = true;
        }
    }
    io::stdout().write_all(active_login_mark(ctx).as_bytes())?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
