//! The small scripts a switching command prints for the shell function to
//! evaluate: every value in them is quoted by [`quote`].

use super::{Shell, quote};

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
