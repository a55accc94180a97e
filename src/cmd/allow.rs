//! `badge allow [DIR]` and `badge deny [DIR]`: trust, or forget, the
//! nearest `.aws-profile` at or above DIR, with its current content (see
//! `config::dir_profile`). The shell function looks at the folder's file
//! again at the next prompt, so a trusted file takes effect at once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use super::Context;
use super::common::dir::{Found, allow_command, look, refusal};
use super::common::files::load_profiles;
use crate::base::text::printable;
use crate::cli::DirArgs;
use crate::config::dir_profile::{self, FILE_NAME, TrustStore};
use crate::ui::say::say;

/// The file DIR means, read.
fn nearest(ctx: &Context, args: &DirArgs) -> Result<Found> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => ctx.current_dir()?,
    };
    let dir: PathBuf = std::fs::canonicalize(&dir)
        .with_context(|| format!("cannot find the folder {}", dir.display()))?;
    let Some(file) = dir_profile::find(&dir) else {
        let shown = printable(&dir.to_string_lossy()).into_owned();
        bail!(
            "there is no {FILE_NAME} in {shown} or any folder above it; write a profile name in \
             {shown}/{FILE_NAME} first"
        );
    };
    look(&file)
}

pub fn allow(ctx: &Context, args: &DirArgs) -> Result<ExitCode> {
    let found = nearest(ctx, args)?;
    let paths = ctx.paths()?;
    let profiles = load_profiles(&paths)?;
    if let Some(message) = refusal(&found, &paths, &profiles) {
        bail!("{message}");
    }
    let Ok(name) = &found.name else {
        return Ok(ExitCode::FAILURE);
    };
    TrustStore::new(&ctx.state_dir()?).allow(&found.real, &found.hash)?;
    say!(
        "trusted {}: inside {} this shell switches to {}",
        printable(&found.real.to_string_lossy()),
        printable(&found.folder.to_string_lossy()),
        printable(name)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn deny(ctx: &Context, args: &DirArgs) -> Result<ExitCode> {
    let found = nearest(ctx, args)?;
    let file = printable(&found.real.to_string_lossy()).into_owned();
    if TrustStore::new(&ctx.state_dir()?).deny(&found.real)? {
        match allow_command(&ctx.cmd, &found.folder) {
            Ok(allow) => say!(
                "{file} is no longer trusted; it switches nothing until `{}`",
                printable(&allow)
            ),
            Err(why) => {
                say!("{file} is no longer trusted; it switches nothing until trusted again ({why})")
            }
        }
    } else {
        say!("{file} was not trusted; nothing to forget");
    }
    Ok(ExitCode::SUCCESS)
}
