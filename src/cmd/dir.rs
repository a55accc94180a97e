//! `badge __dir [FILE]`: what the shell's directory hook runs when the
//! nearest `.aws-profile` at or above the working folder appears, changes,
//! or is left (no FILE, or an empty one): the switch into that file's
//! profile, or back to the one the shell had before the tree, as code for
//! the shell to evaluate. Hidden, like `__prompt`.
//!
//! The shell keeps the state in variables (see `shell::vars`): the profile
//! before the tree ([`vars::DIR_PREV`]), the one the directory set
//! ([`vars::DIR_PROFILE`]) and the file it came from ([`vars::DIR_SOURCE`]).
//! A profile chosen by hand inside the tree wins until the shell leaves it.
//! A file that switches nothing is pointed out once: badge leaves in
//! [`vars::DIR_SEEN`] which file and content it spoke about.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::dir::{look, refusal, untrusted};
use super::common::files::load_profiles;
use super::common::prompt::login_mark_of;
use super::common::switching::{Target, switch_script};
use super::{Context, Previous};
use crate::base::hash::sha256_hex;
use crate::config::dir_profile::TrustStore;
use crate::config::sessions;
use crate::shell::{Script, Shell, vars};
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &[OsString]) -> ExitCode {
    let Some(shell) = ctx.hook else {
        return ExitCode::FAILURE;
    };
    let file = args.first().filter(|a| !a.is_empty()).map(PathBuf::from);
    let code = match file {
        Some(file) => enter(ctx, shell, &file),
        None => leave(ctx, shell),
    };
    let _ = io::stdout().write_all(code.as_bytes());
    ExitCode::SUCCESS
}

/// The variables of a directory profile, set or cleared.
fn dir_vars(script: &mut Script, set: Option<(&Previous, &str, &Path)>) {
    match set {
        Some((prev, profile, source)) => {
            let prev = match prev {
                Previous::Profile(name) => format!("={name}"),
                _ => "=".to_owned(),
            };
            script.export(vars::DIR_PREV, &prev);
            script.export(vars::DIR_PROFILE, profile);
            script.export(vars::DIR_SOURCE, &source.to_string_lossy());
        }
        None => {
            script.unset(vars::DIR_PREV);
            script.unset(vars::DIR_PROFILE);
            script.unset(vars::DIR_SOURCE);
        }
    }
}

/// Out of every tree: back to the profile before it.
fn leave(ctx: &Context, shell: Shell) -> String {
    let mut script = Script::new(shell);
    dir_vars(&mut script, None);
    script.unset(vars::DIR_SEEN);
    let mut code = script.finish();
    let Some(prev) = &ctx.dir.prev else {
        return code;
    };
    let target = match prev {
        Previous::Profile(name) => Target::Profile(name.clone()),
        _ => Target::Off,
    };
    code.push_str(&switch_script(ctx, shell, &target));
    if let Ok(profiles) = ctx.paths().and_then(|p| load_profiles(&p)) {
        let name = match &target {
            Target::Profile(name) => Some(name.as_str()),
            Target::Off => None,
        };
        code.push_str(&login_mark_of(shell, &profiles, name, ctx));
    }
    code
}

/// Nested trees: one file's folder is at or below the other's.
fn same_tree(a: &Path, b: &Path) -> bool {
    match (a.parent(), b.parent()) {
        (Some(a), Some(b)) => a.starts_with(b) || b.starts_with(a),
        _ => false,
    }
}

/// Into the tree of `file`.
fn enter(ctx: &Context, shell: Shell, file: &Path) -> String {
    let mut script = Script::new(shell);
    let Ok(found) = look(file) else {
        // Gone since the hook saw it: the next prompt looks again.
        script.unset(vars::DIR_FILE);
        return script.finish();
    };
    let mut key = found.real.to_string_lossy().into_owned();
    key.push('\0');
    key.push_str(&found.hash);
    let seen = sha256_hex(key.as_bytes());
    let said_before = ctx.dir.seen.as_deref() == Some(seen.as_str());
    script.set_global(vars::DIR_SEEN, &seen);
    let say = |message: String| {
        if !said_before {
            say!("{message}");
        }
    };
    let paths = match ctx.paths() {
        Ok(paths) => paths,
        Err(err) => {
            say(format!("{err:#}"));
            return script.finish();
        }
    };
    let profiles = match load_profiles(&paths) {
        Ok(profiles) => profiles,
        Err(err) => {
            say(format!("{err:#}"));
            return script.finish();
        }
    };
    if let Some(message) = refusal(&found, &paths, &profiles) {
        say(message);
        return script.finish();
    }
    let Ok(name) = &found.name else {
        return script.finish();
    };
    let Ok(state_dir) = ctx.state_dir() else {
        return script.finish();
    };
    if let Some(message) = untrusted(&ctx.cmd, &found, name, &TrustStore::new(&state_dir)) {
        say(message);
        return script.finish();
    }
    // A profile whose sso-session is missing or incomplete works in no AWS
    // tool: as `badge NAME`, say what to add instead of switching to it.
    if let Some(profile) = profiles.get(name)
        && let Some(session) = profile.sso_session
        && let Err(err) =
            sessions::of_profile(profiles.config(), profile.name, session, &paths.config)
    {
        say(format!("{err:#}"));
        return script.finish();
    }
    let active = ctx.active.as_deref();
    // A profile chosen by hand inside the tree wins until the shell leaves it.
    if let (Some(profile), Some(source)) = (&ctx.dir.profile, &ctx.dir.source)
        && active != Some(profile.as_str())
        && same_tree(source, &found.real)
    {
        return script.finish();
    }
    let prev = match (&ctx.dir.prev, active) {
        (Some(prev), _) => prev.clone(),
        (None, Some(active)) => Previous::Profile(active.to_owned()),
        (None, None) => Previous::Off,
    };
    dir_vars(&mut script, Some((&prev, name, &found.real)));
    let mut code = script.finish();
    code.push_str(&switch_script(ctx, shell, &Target::Profile(name.clone())));
    code.push_str(&login_mark_of(shell, &profiles, Some(name), ctx));
    code
}
