//! `badge init SHELL`: print the shell integration. A shell starts here,
//! so this is where the folder of the prompt's stamps is made, and where
//! the stamps of shells that are gone are removed (see `shell::watch`).

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::Context;
use crate::cli::{InitArgs, passthrough_words};
use crate::shell::init::{InitOptions, QUICK, WHOLE, render_init};
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
        quick: quick_program(ctx),
    })?;
    io::stdout().write_all(code.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// badge-quick when the one the shell finds on PATH is in the same folder
/// as the badge it finds there (one install): badge-quick hands what it
/// does not answer to the badge beside it, so another install's would
/// switch with other code than `badge ls` lists with. Else badge itself.
fn quick_program(ctx: &Context) -> &'static str {
    let Some(path) = ctx.var("PATH") else {
        return WHOLE;
    };
    let folder_of = |name: &str| {
        let file = std::env::split_paths(&path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(name))
            .find(|file| executable(file))?;
        Some(file.canonicalize().ok()?.parent()?.to_owned())
    };
    match (folder_of(QUICK), folder_of(WHOLE)) {
        (Some(quick), Some(whole)) if quick == whole => QUICK,
        _ => WHOLE,
    }
}

/// A file the shell would run (as `command -v` finds one).
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
