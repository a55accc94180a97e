//! `badge init SHELL`: print the shell integration.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{InitArgs, passthrough_words};
use crate::shell::init::{InitOptions, render_init};

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    let code = render_init(&InitOptions {
        shell: args.shell,
        cmd: &args.cmd,
        prompt: !args.no_prompt,
        passthrough: &passthrough_words(),
    })?;
    io::stdout().write_all(code.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
