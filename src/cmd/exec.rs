//! `badge exec [PROFILE] -- COMMAND ARGS...`: runs a command with a profile
//! applied, leaving the shell as it is.
//!
//! badge replaces itself with the command (no shell in between, so the
//! arguments arrive as typed and the exit code is the command's). Without
//! `--env-credentials` the command gets `AWS_PROFILE` and finds the login
//! itself; with it, role credentials in the static key variables, for tools
//! that do not read SSO profiles.

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use anyhow::{Result, bail};

use super::Context;
use super::common::choose::{exact, resolve};
use super::common::files::load_profiles;
use super::common::role::{Caching, fetch, sso_profile, variables};
use crate::base::text::printable;
use crate::cli::ExecArgs;
use crate::shell::vars;
use crate::ui::say::command;
use crate::ui::say::say;
use crate::ui::verbose::verbose;

/// What a shell exits with when it cannot find a command, and when it
/// finds one it may not run.
const NOT_FOUND: u8 = 127;
const NOT_EXECUTABLE: u8 = 126;

pub fn run(ctx: &Context, args: &ExecArgs) -> Result<ExitCode> {
    let cmd = command();
    let Some((program, rest)) = args.command.split_first() else {
        bail!(
            "name a command after `--`, for example `{cmd} exec PROFILE -- aws sts get-caller-identity`"
        );
    };
    let mut command = Command::new(program);
    command.args(rest);
    for var in vars::FUNCTION_VARS {
        command.env_remove(var);
    }
    if args.env_credentials {
        let cmd = &ctx.cmd;
        let again = |word: &str| format!("{cmd} exec {word} --env-credentials -- ...");
        let profile = sso_profile(ctx, args.profile.as_deref(), tool(ctx).as_deref(), again)?;
        let credentials = fetch(ctx, &profile, again, Caching::unless(args.no_cache))?;
        // The credentials are the profile: another profile must not win.
        command.env_remove(vars::AWS_PROFILE);
        command.env_remove(vars::AWS_DEFAULT_PROFILE);
        let vars = variables(&credentials, profile.region.as_deref());
        let names: Vec<&str> = vars.iter().map(|(name, _)| *name).collect();
        verbose!(
            "running {} with role credentials of profile {} in {}",
            program.to_string_lossy(),
            profile.name,
            names.join(", ")
        );
        command.envs(vars);
    } else {
        let name = profile_name(ctx, args.profile.as_deref())?;
        for var in vars::STATIC_KEYS {
            command.env_remove(var);
        }
        command.env_remove("AWS_CREDENTIAL_EXPIRATION");
        // botocore would read it before AWS_PROFILE.
        command.env_remove(vars::AWS_DEFAULT_PROFILE);
        command.env(vars::AWS_PROFILE, &name);
        verbose!(
            "running {} with AWS_PROFILE={name}",
            program.to_string_lossy()
        );
    }
    // Only returns when the command could not be started.
    let err = command.exec();
    cannot_run(program, &err)
}

/// The profile `query` names, as `badge use` finds it, or the active one.
fn profile_name(ctx: &Context, query: Option<&str>) -> Result<String> {
    let cmd = command();
    let Some(query) = query.or(ctx.active.as_deref()) else {
        bail!(
            "no profile named and AWS_PROFILE is not set; name one, for example \
             `{cmd} exec PROFILE -- COMMAND` (`{cmd} ls` lists them)"
        );
    };
    let paths = ctx.paths()?;
    let profiles = load_profiles(&paths)?;
    if let Some(command) = tool(ctx) {
        return exact(&profiles, query, &command);
    }
    let cmd = &ctx.cmd;
    let again = |word: &str| format!("{cmd} exec {word} -- COMMAND");
    resolve(ctx, &paths, &profiles, query, again)
}

/// A command run by a program (a script, a pipe: its output is not a
/// terminal) gets the profile it names exactly; a person, the match.
fn tool(ctx: &Context) -> Option<String> {
    (!ctx.stdout_tty).then(|| format!("{} exec", ctx.cmd))
}

/// A shell's answer to a command it cannot run: 127 for one that is not
/// there, 126 for one that may not be run; other errors are badge's.
fn cannot_run(program: &OsStr, err: &io::Error) -> Result<ExitCode> {
    let name = printable(&program.to_string_lossy()).into_owned();
    let (code, why) = match err.kind() {
        io::ErrorKind::NotFound => (NOT_FOUND, "not found"),
        io::ErrorKind::PermissionDenied => (NOT_EXECUTABLE, "permission denied"),
        _ => bail!("cannot run {name}: {err}"),
    };
    say!("cannot run {name}: {why}");
    Ok(ExitCode::from(code))
}
