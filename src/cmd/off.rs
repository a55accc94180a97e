//! `badge off`: no profile in this shell.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use super::common::switching::{Target, not_integrated, switch_script};

pub fn run(ctx: &Context) -> Result<ExitCode> {
    let Some(shell) = ctx.hook else {
        return not_integrated(ctx);
    };
    io::stdout().write_all(switch_script(ctx, shell, &Target::Off).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
