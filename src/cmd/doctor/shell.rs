//! Whether `badge` can switch this shell: only the shell function can
//! change the shell's variables, so it must be loaded there.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Finding, Severity, or_ok};
use crate::base::text::{printable, quoted};
use crate::cmd::Context;
use crate::config::document::Document;
use crate::config::paths::Paths;
use crate::shell::{Shell, shell_word, vars};
use crate::sync::record::renamed_to;

/// The binary cannot see shell functions, so the function says it ran us:
/// it sets [`vars::INIT`] on every run it does not capture (and
/// `__BADGE_SHELL` on those it does).
pub(super) fn integration(ctx: &Context) -> Finding {
    let check = "shell-integration";
    let loaded = ctx
        .var(vars::INIT)
        .and_then(|v| Shell::from_name(&v.to_string_lossy()))
        .or(ctx.hook);
    if let Some(shell) = loaded {
        let name = shell.name();
        // Loaded under another name (`--cmd`), which is what the user types.
        let named = match ctx.cmd.as_str() {
            "badge" => String::new(),
            cmd => format!(", as `{cmd}`"),
        };
        return Finding::new(
            check,
            Severity::Ok,
            format!("the shell integration is loaded in this {name} shell{named}"),
        );
    }
    let Some(shell) = ctx.login_shell else {
        return Finding::new(
            check,
            Severity::Warning,
            "the shell integration is not loaded in this shell, so badge cannot switch it; \
             add one line to your rc file: `eval \"$(badge init bash)\"` to ~/.bashrc, \
             `eval \"$(badge init zsh)\"` to ~/.zshrc or `badge init fish | source` to \
             ~/.config/fish/config.fish",
        );
    };
    let rc = shell.rc_file();
    let rc_path = ctx
        .var("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(rc.trim_start_matches("~/")));
    let in_rc = rc_path
        .as_deref()
        .and_then(|p| fs::read_to_string(p).ok())
        .is_some_and(|text| {
            text.lines()
                .any(|l| !l.trim_start().starts_with('#') && l.contains("badge init"))
        });
    let finding = if in_rc {
        Finding::new(
            check,
            Severity::Warning,
            format!(
                "the shell integration is not loaded in this shell, though {rc} loads it; \
                 open a new shell, or load it in this one"
            ),
        )
        .fix(shell.init_line())
    } else {
        Finding::new(
            check,
            Severity::Warning,
            format!(
                "the shell integration is not loaded in this shell, so badge cannot switch it; \
                 add `{}` to {rc}, then open a new shell",
                shell.init_line()
            ),
        )
        .fix(format!("echo '{}' >> {rc}", shell.init_line()))
    };
    match rc_path {
        Some(path) => finding.path(&path),
        None => finding,
    }
}

/// The profile variables of this shell: each names a profile a file
/// defines (else every AWS tool fails with it; the rename is the fix when
/// a sync renamed it), and AWS_DEFAULT_PROFILE does not quietly win over
/// AWS_PROFILE.
pub(super) fn active_profile(
    ctx: &Context,
    paths: &Paths,
    config: &Document,
    credentials: &Document,
    state: Option<&Path>,
) -> Vec<Finding> {
    let check = "active-profile";
    let defined = |name: &str| {
        config.profile(name).is_some() || credentials.sections().any(|s| s.header == name)
    };
    let set: Vec<(&str, String)> = [vars::AWS_DEFAULT_PROFILE, vars::AWS_PROFILE]
        .into_iter()
        .filter_map(|var| {
            let value = ctx.var(var)?.to_string_lossy().into_owned();
            Some((var, value))
        })
        .collect();
    let mut found = Vec::new();
    for (var, name) in &set {
        if defined(name) {
            continue;
        }
        let renamed = state
            .and_then(|dir| renamed_to(dir, &paths.config, name))
            .filter(|new| defined(new));
        let (then, fix) = match &renamed {
            Some(new) => (
                format!("; badge sync renamed it to {}", quoted(new)),
                shell_word(new).map(|new| format!("{} {new}", ctx.cmd)),
            ),
            None => (String::new(), Ok(format!("{} ls", ctx.cmd))),
        };
        found.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "{var} is {}, which is not defined in {} or {}, so the AWS CLI and SDKs \
                     fail in this shell{then}",
                    quoted(name),
                    paths.config_shown(),
                    paths.credentials_shown()
                ),
            )
            .fix_word(fix)
            .profile(name),
        );
    }
    if let [(_, default), (_, profile)] = set.as_slice()
        && default != profile
    {
        found.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "AWS_DEFAULT_PROFILE ({}) comes before AWS_PROFILE ({}) in botocore and \
                     boto3, so they use {} in this shell",
                    quoted(default),
                    quoted(profile),
                    quoted(default)
                ),
            )
            .fix("unset AWS_DEFAULT_PROFILE"),
        );
    }
    let ok = match set.first() {
        Some((var, name)) => Finding::new(
            check,
            Severity::Ok,
            format!("this shell's profile {} ({var}) is defined", quoted(name)),
        ),
        None => Finding::new(check, Severity::Ok, "no profile is active in this shell"),
    };
    or_ok(found, ok)
}

/// A directory profile in effect: which, and from which `.aws-profile`.
pub(super) fn directory_profile(ctx: &Context) -> Option<Finding> {
    let active = ctx.active.as_deref()?;
    let source = ctx.dir.in_effect(Some(active))?;
    let file = source.to_string_lossy();
    Some(
        Finding::new(
            "directory-profile",
            Severity::Ok,
            format!(
                "directory profile {} in effect, from {}",
                printable(active),
                printable(&file)
            ),
        )
        .path(source)
        .profile(active),
    )
}
