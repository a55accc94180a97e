//! Whether `badge` can switch this shell: only the shell function can
//! change the shell's variables, so it must be loaded there.

use std::fs;
use std::path::PathBuf;

use super::{Finding, Severity};
use crate::cmd::Context;
use crate::shell::{Shell, vars};

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
        let name = format!("{shell:?}").to_lowercase();
        return Finding::new(
            check,
            Severity::Ok,
            format!("the shell integration is loaded in this {name} shell"),
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
