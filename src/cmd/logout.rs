//! `badge logout`: end the sign-in at AWS and remove the cached token,
//! and the role credentials cached for tools with it.
//!
//! A switching command in the shell integration, so stdout carries only the
//! code that updates the prompt's expiry marker; everything else is stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use super::common::prompt::active_login_mark;
use super::common::session::select_session;
use crate::cli::LogoutArgs;
use crate::shell::{hint, shell_word};
use crate::sso::client::runtime;
use crate::sso::login::{LoggedOut, logout};
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &LogoutArgs) -> Result<ExitCode> {
    let cache = ctx.token_cache()?;
    // With the active profile a legacy one, its own start URL's sign-in.
    let (name, region, label) = match select_session(ctx, args.sso_session.as_deref(), None) {
        Ok(session) => {
            let label = session.label();
            (session.name, Some(session.region), label)
        }
        // A session gone from the config may still have a token to end.
        Err(_)
            if args
                .sso_session
                .as_deref()
                .is_some_and(|n| cache.path_for(n).exists()) =>
        {
            let name = args.sso_session.clone().unwrap_or_default();
            let label = format!("sso-session \"{name}\"");
            (name, None, label)
        }
        Err(err) => return Err(err),
    };
    let network = ctx.settings.network()?;
    let outcome = runtime()?.block_on(logout(&network, &name, region.as_deref(), &cache))?;
    // Unusable once the login is gone anyway; not kept to be found.
    if let Ok(roles) = ctx.role_cache()
        && let Err(err) = roles.forget(&name)
    {
        say!(
            "could not remove the role credentials cached for {label}: {err:#}; \
             they are no longer used, {}",
            hint(
                "remove them with",
                shell_word(&roles.dir().to_string_lossy()).map(|dir| format!("rm -r {dir}"))
            )
        );
    }
    match outcome {
        LoggedOut::NotSignedIn => {
            say!("not signed in to {label}; nothing to do");
        }
        LoggedOut::SignedOut => {
            say!("signed out of {label} and removed its cached token");
        }
        LoggedOut::AlreadyEnded => {
            say!("the login for {label} had already ended; removed its cached token")
        }
        LoggedOut::NotRevoked(reason) => say!(
            "removed the cached token of {label}, but could not sign out at AWS \
             ({reason}); that sign-in stays valid until it expires"
        ),
    }
    io::stdout().write_all(active_login_mark(ctx).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
