//! `badge console [PROFILE] [--service S] [--print]`: the AWS console as a
//! profile's role, through the federation sign-in (see `sso::federation`).
//!
//! The login URL signs in whoever opens it while its token lives: it goes
//! to the browser, or to stdout with `--print`, and nowhere else.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use super::common::role::{Caching, fetch, sso_profile};
use crate::base::text::quoted;
use crate::cli::ConsoleArgs;
use crate::sso::client;
use crate::sso::federation;
use crate::sso::login::browser;
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &ConsoleArgs) -> Result<ExitCode> {
    let service = args.service.as_deref().map(str::trim);
    if let Some(service) = service
        && !federation::valid_service(service)
    {
        bail!(
            "--service {} is not a console name; use the one in the console's address, \
             for example `--service s3` or `--service cloudwatch`",
            quoted(service)
        );
    }
    let signin_url = ctx.settings.signin_url()?;
    let cmd = &ctx.cmd;
    let again = |word: &str| format!("{cmd} console {word}");
    let profile = sso_profile(ctx, args.profile.as_deref(), None, again)?;
    let credentials = fetch(ctx, &profile, again, Caching::Bypass)?;
    let base = federation::signin_base(profile.region.as_deref(), signin_url.as_deref());
    let network = ctx.settings.network()?;
    let token =
        client::runtime()?.block_on(federation::signin_token(&network, &base, &credentials))?;
    let destination = federation::console_url(profile.region.as_deref(), service);
    let url = federation::login_url(&base, &destination, &token);
    if args.print {
        io::stdout().write_all(format!("{url}\n").as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let browser_var = ctx.var("BROWSER").filter(|b| !b.is_empty());
    match browser::open_quietly(&url, browser_var.as_deref()) {
        Ok(()) => {
            say!("opened the console as {} in your browser", profile.name);
            Ok(ExitCode::SUCCESS)
        }
        Err(failures) => bail!(
            "could not open a browser ({failures}); set BROWSER, or print the URL with \
             `{} --print`",
            again(&profile.name)
        ),
    }
}
