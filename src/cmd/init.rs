//! `badge init SHELL`: print the shell integration.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::InitArgs;
use crate::shell::{InitOptions, render_init};

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    let code = render_init(&InitOptions {
        shell: args.shell,
        cmd: args.cmd.clone(),
        prompt: !args.no_prompt,
    })?;
    io::stdout().write_all(code.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
