//! The script that moves the shell to a profile (or to none), and what a
//! switching command says when the shell integration is not loaded.

use std::process::ExitCode;

use anyhow::Result;

use crate::base::text::printable;
use crate::cmd::Context;
use crate::shell::{Script, Shell, vars};

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
                eprintln!(
                    "badge: removed {} from this shell: static keys override any profile in every AWS SDK",
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
        let shown = if value.is_empty() {
            "empty".into()
        } else {
            printable(value)
        };
        eprintln!(
            "badge: removed AWS_DEFAULT_PROFILE ({shown}) from this shell: botocore and boto3 \
             read it before AWS_PROFILE"
        );
    }
    script.finish()
}

/// A switching command run without the integration: say how to add it.
pub fn not_integrated(ctx: &Context) -> Result<ExitCode> {
    let mut message = String::from(
        "badge: switching changes this shell's AWS_PROFILE, which needs the shell integration; \
         it is not loaded here.\n",
    );
    match ctx.login_shell {
        Some(shell) => message.push_str(&format!(
            "Add this line to {}, then open a new shell:\n    {}\n",
            shell.rc_file(),
            shell.init_line()
        )),
        None => {
            message
                .push_str("Add the line for your shell to its rc file, then open a new shell:\n");
            for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
                message.push_str(&format!(
                    "    {:<28} in {}\n",
                    shell.init_line(),
                    shell.rc_file()
                ));
            }
        }
    }
    message.push_str(
        "To run a single command with a profile: badge exec NAME -- aws sts get-caller-identity\n",
    );
    eprint!("{message}");
    Ok(ExitCode::FAILURE)
}
