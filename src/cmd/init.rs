//! `badge init SHELL`: print the shell integration. A shell starts here,
//! so this is where the folder of the prompt's stamps is made, and where
//! the stamps of shells that are gone are removed (see `shell::watch`).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use crate::cli::{InitArgs, passthrough_words};
use crate::shell::init::{InitOptions, render_init};
use crate::shell::watch;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<ExitCode> {
    let stamps = match args.no_prompt {
        true => None,
        false => ctx
            .stamp_dir()
            .filter(|dir| watch::prepare(dir).is_ok())
            .and_then(|dir| dir.to_str().map(str::to_owned)),
    };
    // The directory hook's stamps, with or without the prompt.
    let dir_stamps = ctx
        .dir_stamp_dir()
        .filter(|dir| watch::prepare(dir).is_ok())
        .and_then(|dir| dir.to_str().map(str::to_owned));
    let code = render_init(&InitOptions {
        shell: args.shell,
        cmd: &args.cmd,
        prompt: !args.no_prompt,
        passthrough: &passthrough_words(),
        stamp_dir: stamps.as_deref(),
        dir_stamp_dir: dir_stamps.as_deref(),
    })?;
    io::stdout().write_all(code.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
