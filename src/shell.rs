//! Everything badge says to a shell: the init and completion code rendered
//! from `shell/*`, and the small scripts a switching command prints for the
//! shell function to evaluate.
//!
//! Profile names are user data. They reach a shell only through [`quote`],
//! as single-quoted words, which no shell expands; names in the commands
//! badge suggests go through [`shell_word`]. This is the one place that
//! quotes for each shell.

use anyhow::{Result, bail};

use crate::cli::{SWITCHING_SUBCOMMANDS, Shell};

const INIT_BASH: &str = include_str!("../shell/init.bash");
const INIT_ZSH: &str = include_str!("../shell/init.zsh");
const INIT_FISH: &str = include_str!("../shell/init.fish");
const COMPLETE_BASH: &str = include_str!("../shell/complete.bash");
const COMPLETE_ZSH: &str = include_str!("../shell/complete.zsh");
const COMPLETE_FISH: &str = include_str!("../shell/complete.fish");

/// How `badge init` renders the integration.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub shell: Shell,
    /// Name of the shell function (`--cmd`).
    pub cmd: String,
    /// Whether to add the prompt segment (`--no-prompt` turns it off).
    pub prompt: bool,
}

/// The `--cmd` name becomes a function name and a completion target in three
/// shells; keep it to characters all of them take without quoting.
pub fn validate_cmd_name(name: &str) -> Result<()> {
    let valid_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let valid_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_start || !valid_rest {
        bail!(
            "--cmd {name:?} is not a usable function name: use letters, digits, `_` and `-`, \
             starting with a letter or `_` (for example `--cmd awsp`)"
        );
    }
    Ok(())
}

pub fn render_init(opts: &InitOptions) -> Result<String> {
    validate_cmd_name(&opts.cmd)?;
    let template = match opts.shell {
        Shell::Bash => INIT_BASH,
        Shell::Zsh => INIT_ZSH,
        Shell::Fish => INIT_FISH,
    };
    let completion = render_completion(opts.shell, &opts.cmd)?;
    let completion = completion.trim_end();
    Ok(render(template, &opts.cmd, opts.prompt).replace("{{completion}}", completion))
}

/// The completion part on its own, as `badge completions` prints it.
pub fn render_completion(shell: Shell, cmd: &str) -> Result<String> {
    validate_cmd_name(cmd)?;
    let template = match shell {
        Shell::Bash => COMPLETE_BASH,
        Shell::Zsh => COMPLETE_ZSH,
        Shell::Fish => COMPLETE_FISH,
    };
    Ok(render(template, cmd, true))
}

fn render(template: &str, cmd: &str, prompt: bool) -> String {
    let passthrough = passthrough_words();
    let mut out = String::with_capacity(template.len() + 256);
    let mut keep = true;
    for line in template.split_inclusive('\n') {
        match line.trim_end() {
            "#@if prompt" => keep = prompt,
            "#@end" => keep = true,
            _ if keep => out.push_str(line),
            _ => {}
        }
    }
    out.replace("{{cmd}}", cmd)
        .replace("{{cmd_ident}}", &cmd.replace('-', "_"))
        .replace("{{passthrough_bash}}", &passthrough.join("|"))
        .replace("{{passthrough_fish}}", &passthrough.join(" "))
}

/// First words for which the shell function runs the binary untouched:
/// every subcommand that does not switch, and the help and version flags.
fn passthrough_words() -> Vec<String> {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let mut words: Vec<String> = cli
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter(|name| !SWITCHING_SUBCOMMANDS.contains(&name.as_str()))
        .collect();
    words.extend(
        [
            "help",
            "-h",
            "--help",
            "-V",
            "--version",
            crate::cmd::complete::COMPLETE_SUBCOMMAND,
        ]
        .map(String::from),
    );
    words
}

/// `value` as one single-quoted word that `shell` reads back byte for byte.
/// Except a NUL, which no shell string can hold (bash drops it, zsh's
/// environment ends the value there): a switch refuses such a name before
/// quoting it (see `cmd::switch`).
pub fn quote(shell: Shell, value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match (shell, c) {
            (Shell::Bash | Shell::Zsh, '\'') => out.push_str(r"'\''"),
            (Shell::Fish, '\'') => out.push_str(r"\'"),
            (Shell::Fish, '\\') => out.push_str(r"\\"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `text` as one word of a command badge suggests (`badge login
/// --sso-session 'ac me'`), quoted only when it has to be, so a plain name
/// reads as typed. The quoting is a POSIX shell's (bash, zsh), which fish
/// reads the same way too, so the command works pasted into any of them.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A script for the shell function to evaluate after a switching command.
pub struct Script {
    shell: Shell,
    text: String,
}

impl Script {
    pub fn new(shell: Shell) -> Script {
        Script {
            shell,
            text: String::new(),
        }
    }

    /// Set and export an environment variable.
    pub fn export(&mut self, name: &str, value: &str) {
        let value = quote(self.shell, value);
        let line = match self.shell {
            Shell::Bash | Shell::Zsh => format!("export {name}={value}\n"),
            Shell::Fish => format!("set -gx {name} {value}\n"),
        };
        self.text.push_str(&line);
    }

    /// Set a global shell variable that is not exported.
    pub fn set_global(&mut self, name: &str, value: &str) {
        let value = quote(self.shell, value);
        let line = match self.shell {
            Shell::Bash => format!("declare -g {name}={value}\n"),
            Shell::Zsh => format!("typeset -g {name}={value}\n"),
            Shell::Fish => format!("set -g {name} {value}\n"),
        };
        self.text.push_str(&line);
    }

    pub fn unset(&mut self, name: &str) {
        let line = match self.shell {
            Shell::Bash | Shell::Zsh => format!("unset {name}\n"),
            Shell::Fish => format!("set -e -g {name}\n"),
        };
        self.text.push_str(&line);
    }

    /// Print `text` on the shell's stdout.
    pub fn print(&mut self, text: &str) {
        let line = format!("printf '%s' {}\n", quote(self.shell, text));
        self.text.push_str(&line);
    }

    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_single_quotes_and_backslashes() {
        assert_eq!(quote(Shell::Bash, "it's"), r"'it'\''s'");
        assert_eq!(quote(Shell::Zsh, "$(x)"), "'$(x)'");
        assert_eq!(quote(Shell::Fish, r"a'b\c"), r"'a\'b\\c'");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("acme-prod_1"), "acme-prod_1");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$(x)"), "'$(x)'");
    }

    #[test]
    fn rejects_cmd_names_that_need_quoting() {
        for bad in ["", "-x", "a b", "a;b", "a$b", "1x", "é"] {
            assert!(validate_cmd_name(bad).is_err(), "{bad:?}");
        }
        for good in ["badge", "awsp", "aws-p", "_b2"] {
            assert!(validate_cmd_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn prompt_block_follows_the_option() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let with = render_init(&InitOptions {
                shell,
                cmd: "badge".into(),
                prompt: true,
            })
            .unwrap();
            let without = render_init(&InitOptions {
                shell,
                cmd: "badge".into(),
                prompt: false,
            })
            .unwrap();
            assert!(with.contains("aws:"), "{shell:?}");
            assert!(!without.contains("aws:"), "{shell:?}");
            assert!(!with.contains("{{") && !with.contains("#@"), "{shell:?}");
        }
    }
}
