//! `badge completions SHELL`: the completion script on its own, for
//! packagers and for users who do not load `badge init`.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::CompletionsArgs;
use crate::shell::init::{WHOLE, render_completion};

pub fn run(args: &CompletionsArgs) -> Result<ExitCode> {
    let script = render_completion(args.shell, "badge", WHOLE)?;
    io::stdout().write_all(script.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
