//! `badge init SHELL`: print the shell integration. A shell starts here,
//! so this is where the folder of the prompt's stamps is made, and where
//! the stamps of shells that are gone are removed (see `shell::watch`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use crate::cli::{InitArgs, passthrough_words};
use crate::shell::Shell;
use crate::shell::init::{InitOptions, QUICK, WHOLE, render_init, validate_cmd_name};
use crate::shell::watch;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<ExitCode> {
    validate_cmd_name(&args.cmd)?;
    check_cmd_is_free(ctx, args.shell, &args.cmd)?;
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

/// A `--cmd` name must be the function's own: not a word of the shell
/// itself (`cd`, `if`), nor a program on PATH (`aws`), which every use
/// would then run badge in place of. `badge`, the default, is the one
/// program the function is meant to stand for.
fn check_cmd_is_free(ctx: &Context, shell: Shell, name: &str) -> Result<()> {
    let choose = "choose a name of its own (for example `--cmd awsp`)";
    let sh = shell.name();
    if shell.owns_word(name) {
        bail!(
            "--cmd {name} is a word of {sh} itself (a builtin or reserved word), which a \
             function of that name would replace in every {sh} that loads this line; {choose}"
        );
    }
    if name != WHOLE
        && let Some(program) = on_path(ctx, name)
    {
        bail!(
            "--cmd {name} is the program {}, which a function of that name would hide in \
             every {sh} that loads this line; {choose}",
            program.display()
        );
    }
    Ok(())
}

/// The file the shell runs for `name`, the first on PATH.
fn on_path(ctx: &Context, name: &str) -> Option<PathBuf> {
    let path = ctx.var("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|file| executable(file))
}

/// badge-quick when the one the shell finds on PATH is in the same folder
/// as the badge it finds there (one install): badge-quick hands what it
/// does not answer to the badge beside it, so another install's would
/// switch with other code than `badge ls` lists with. Else badge itself.
fn quick_program(ctx: &Context) -> &'static str {
    let folder_of = |name: &str| {
        let file = on_path(ctx, name)?;
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
