//! The script that moves the shell to a profile (or to none), and what a
//! switching command says when the shell integration is not loaded.

use std::process::ExitCode;

use anyhow::Result;

use crate::cmd::Context;
use crate::shell::{Script, Shell, vars};
use crate::ui::say::command;
use crate::ui::say::{continued, say};

/// Where a switching command sends the shell.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Profile(String),
    Off,
}

/// The script that moves the shell to `target`, remembering where it was.
pub fn switch_script(ctx: &Context, shell: Shell, target: &Target) -> String {
    let mut script = Script::new(shell);
    let current = ctx.active.as_deref();
    let unchanged = match target {
        Target::Profile(name) => current == Some(name.as_str()),
        Target::Off => current.is_none(),
    };
    if !unchanged {
        script.set_global(vars::PREVIOUS, current.unwrap_or(""));
    }
    match target {
        Target::Profile(name) => {
            script.export(vars::AWS_PROFILE, name);
            if !ctx.static_keys.is_empty() {
                for var in &ctx.static_keys {
                    script.unset(var);
                }
                say!(
                    "removed {} from this shell: static keys override any profile in every AWS SDK",
                    ctx.static_keys.join(", ")
                );
            }
        }
        Target::Off => script.unset(vars::AWS_PROFILE),
    }
    // Read before AWS_PROFILE by botocore and boto3: left set, it would
    // win over the switch (and `off` would leave a profile).
    if let Some(value) = &ctx.default_profile {
        script.unset(vars::AWS_DEFAULT_PROFILE);
        let shown = if value.is_empty() { "empty" } else { value };
        say!(
            "removed AWS_DEFAULT_PROFILE ({shown}) from this shell: botocore and boto3 \
             read it before AWS_PROFILE"
        );
    }
    script.finish()
}

/// A switching command run without the integration: say how to add it.
pub fn not_integrated(ctx: &Context) -> Result<ExitCode> {
    let cmd = command();
    say!(
        "switching changes this shell's AWS_PROFILE, which needs the shell integration; \
         it is not loaded here."
    );
    match ctx.login_shell {
        Some(shell) => {
            say!(
                "add this line to {}, then open a new shell:",
                shell.rc_file()
            );
            continued(format_args!("{}", shell.init_line()));
        }
        None => {
            say!("add the line for your shell to its rc file, then open a new shell:");
            for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
                continued(format_args!(
                    "{:<28} in {}",
                    shell.init_line(),
                    shell.rc_file()
                ));
            }
        }
    }
    say!("to run a single command with a profile: {cmd} exec NAME -- aws sts get-caller-identity");
    Ok(ExitCode::FAILURE)
}
