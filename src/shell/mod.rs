//! Everything badge says to a shell: the init and completion code rendered
//! from `shell/*` ([`init`]), the small scripts a switching command prints
//! for the shell function to evaluate ([`script`], [`prompt`]), the stamps
//! that let a prompt see a changed login with builtins ([`watch`]), and
//! the names of the variables the two share ([`vars`]).
//!
//! Profile names are user data. They reach a shell only through [`quote`],
//! as single-quoted words, which no shell expands; names in the commands
//! badge suggests go through [`shell_word`]. This is the one place that
//! quotes for each shell. It imports no other floor of badge.

pub mod init;
pub mod prompt;
pub mod script;
pub mod vars;
pub mod watch;

pub use script::Script;

/// The shells badge integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub fn from_name(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }

    /// Where a user puts the init line, for messages.
    pub fn rc_file(self) -> &'static str {
        match self {
            Shell::Bash => "~/.bashrc",
            Shell::Zsh => "~/.zshrc",
            Shell::Fish => "~/.config/fish/config.fish",
        }
    }

    pub fn init_line(self) -> &'static str {
        match self {
            Shell::Bash => "eval \"$(badge init bash)\"",
            Shell::Zsh => "eval \"$(badge init zsh)\"",
            Shell::Fish => "badge init fish | source",
        }
    }
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
}
