//! `badge __prompt`: what the prompt runs, once, when the token cache file
//! of the profile it shows changed since badge last read it for this shell
//! (a login, a logout or a refresh in another process): the new login
//! mark, as code for the shell to evaluate. Hidden, like `__complete`;
//! quiet, as a prompt must be.

use std::io::{self, Write};
use std::process::ExitCode;

use super::Context;
use super::common::prompt::active_login_mark;
use crate::shell::watch;

pub fn run(ctx: &Context) -> ExitCode {
    let _ = io::stdout().write_all(active_login_mark(ctx).as_bytes());
    // A shell that runs for weeks sees others come and go.
    if let Some(dir) = ctx.stamp_dir() {
        watch::remove_dead_stamps(&dir);
    }
    ExitCode::SUCCESS
}
