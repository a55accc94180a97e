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
        [Shell::Bash, Shell::Zsh, Shell::Fish]
            .into_iter()
            .find(|shell| shell.name() == name)
    }

    /// Its name, as typed (`bash`).
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// Whether `name` is one of the shell's own words, a builtin or a
    /// reserved word, which a function of that name would replace (`cd`)
    /// or which no function can be named (`if`). The lists are what bash's
    /// `compgen -bk`, zsh's `${(k)builtins} ${(k)reswords}` and fish's
    /// `builtin -n` print, the names a function could have.
    pub fn owns_word(self, name: &str) -> bool {
        let words = match self {
            Shell::Bash => {
                "alias bg bind break builtin caller case cd command compgen complete \
                 compopt continue coproc declare dirs disown do done echo elif else \
                 enable esac eval exec exit export false fc fg fi for function \
                 getopts hash help history if in jobs kill let local logout mapfile \
                 popd printf pushd pwd read readarray readonly return select set \
                 shift shopt source suspend test then time times trap true type \
                 typeset ulimit umask unalias unset until wait while"
            }
            Shell::Zsh => {
                "alias autoload bg bindkey break builtin bye case cd chdir command \
                 compadd comparguments compcall compctl compdescribe compfiles \
                 compgroups compquote compset comptags comptry compvalues continue \
                 coproc declare dirs disable disown do done echo echotc echoti elif \
                 else emulate enable end esac eval exec exit export false fc fg fi \
                 float for foreach function functions getln getopts hash history if \
                 integer jobs kill let limit local log logout nocorrect noglob popd \
                 print printf private pushd pushln pwd r read readonly rehash repeat \
                 return sched select set setopt shift source suspend test then time \
                 times trap true ttyctl type typeset ulimit umask unalias unfunction \
                 unhash unlimit unset unsetopt until vared wait whence where which \
                 while zcompile zformat zle zmodload zparseopts zregexparse zstyle"
            }
            Shell::Fish => {
                "_ abbr and argparse begin bg bind block break breakpoint builtin \
                 case cd command commandline complete contains continue count disown \
                 echo else emit end eval exec exit false fg for function functions \
                 history if jobs math not or path printf pwd random read realpath \
                 return set set_color source status string switch test time true type \
                 ulimit wait while"
            }
        };
        words.split_ascii_whitespace().any(|word| word == name)
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
/// --sso-session 'ac me'`), the same word in bash, zsh and fish, quoted
/// only when it has to be, so a plain name reads as typed. Or
/// [`Unpasteable`] when `text` holds a character that a pasted command
/// cannot carry as typed: a control character (a line break runs what
/// follows, a tab completes, an escape drives the terminal) or an invisible
/// one (bidi controls, zero-width characters) that hides what would run.
///
/// A plain word (letters, digits, `+,-./:@]_`) is left bare; these mean
/// themselves anywhere in a word in all three shells, where `%` (fish's
/// `%self`), `=`, `~` and `#` at a word's start, `!` and `^` (history),
/// `{}` (braces) and `*?[` (globs) do not. Anything else goes in single
/// quotes, which all three read literally as long as no `'` or `\` is
/// inside (fish reads `\'` and `\\` there as escapes, bash and zsh do
/// not); those two are written outside the quotes as `\'` and `\\`, which
/// all three read as the character itself.
pub fn shell_word(text: &str) -> Result<String, Unpasteable> {
    if text.chars().any(unpasteable) {
        return Err(Unpasteable);
    }
    if !text.is_empty() && text.chars().all(plain) {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + 2);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                if quoted {
                    out.push('\'');
                    quoted = false;
                }
                out.push('\\');
                out.push(c);
            }
            c => {
                if !quoted {
                    out.push('\'');
                    quoted = true;
                }
                out.push(c);
            }
        }
    }
    if quoted {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    Ok(out)
}

/// Why [`shell_word`] gives no word: the text has a control or invisible
/// character. It is no error of its own (a caller says instead why it
/// gives no command), so `?` cannot pass it on by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpasteable;

impl std::fmt::Display for Unpasteable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "its name has a control or invisible character, so badge gives no command to \
             paste (rename it)",
        )
    }
}

/// The end of a message that gives a command (`lead` then the command in
/// backquotes: "run `badge login --sso-session acme`"), or, when there is
/// none, why not.
pub fn hint(lead: &str, command: Result<String, Unpasteable>) -> String {
    match command {
        Ok(command) => format!("{lead} `{command}`"),
        Err(why) => why.to_string(),
    }
}

/// A character that means itself, unquoted, anywhere in a word of bash,
/// zsh and fish.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+,-./:@]_".contains(c) || (!c.is_ascii() && c.is_alphabetic())
}

/// A character no pasted command should hold: C0 (tab and line breaks
/// too), DEL, C1, and the invisible ones that reorder or hide text.
fn unpasteable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e007f}'
        )
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
        let word = |text| shell_word(text).unwrap();
        assert_eq!(word("acme-prod_1"), "acme-prod_1");
        assert_eq!(word("é-ünï-中文"), "é-ünï-中文");
        assert_eq!(word("a b"), "'a b'");
        assert_eq!(word("it's"), r"'it'\''s'");
        assert_eq!(word(r"s\'; x"), r"'s'\\\''; x'");
        assert_eq!(word("'"), r"\'");
        assert_eq!(word(""), "''");
        assert_eq!(word("$(x)"), "'$(x)'");
        assert_eq!(word("%self"), "'%self'");
        assert_eq!(word("=ls"), "'=ls'");
        for hidden in [
            "a\tb",
            "a\nb",
            "\u{1b}[31m",
            "del\u{7f}",
            "\u{9b}",
            "\u{202e}x",
            "z\u{200b}w",
        ] {
            assert_eq!(shell_word(hidden), Err(Unpasteable), "{hidden:?}");
        }
    }

    /// Names that a shell reads as syntax somewhere: every ASCII character
    /// alone, first, last and inside a word, the tricks of each shell, and
    /// random mixes of them.
    fn hostile_words() -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for c in (0x20u8..0x7f).map(char::from) {
            words.extend([
                format!("{c}"),
                format!("{c}a"),
                format!("a{c}"),
                format!("a{c}b"),
            ]);
        }
        let pieces = [
            "'",
            "\"",
            "\\",
            "\\'",
            "'\\''",
            "`",
            "$",
            "$(",
            ")",
            "(",
            "{",
            "}",
            "[",
            "]",
            "*",
            "?",
            "!",
            "!!",
            "#",
            "~",
            "=",
            "%",
            "^",
            ";",
            "&",
            "|",
            "<",
            ">",
            " ",
            ",",
            ":",
            "@",
            "+",
            "-",
            "$(touch X)",
            "`touch X`",
            "(touch X)",
            ";touch X;",
            "{touch,X}",
            "%self",
            "$HOME",
            "${HOME}",
            "$status",
            "=ls",
            "~root",
            "a",
            "prod",
            "é",
            "中文",
            "🚀",
            "\u{a0}",
            "\u{3000}",
            "e\u{301}",
        ];
        words.extend(pieces.iter().map(|p| p.to_string()));
        words.extend(
            [
                "s\\'; touch X; #",
                "'; touch X; #",
                "\\'; touch X; #",
                "a\\",
                "x\\\\'y",
                "\\x41\\u0041",
                "!(x)",
                "@(a|b)",
                "*(e:'touch X':)",
                "${(e):-\\$(touch X)}",
                "^old^new",
                "a=~root",
                "-x y",
                "",
            ]
            .map(str::to_owned),
        );
        let mut state: u64 = 0x5eed_ba49e;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..400 {
            let word: String = (0..=next(6)).map(|_| pieces[next(pieces.len())]).collect();
            words.push(word);
        }
        words
    }

    /// Each hostile word, pasted into an interactive bash, zsh and fish as
    /// `printf '%s\n' WORD`, prints itself and nothing else, and runs
    /// nothing (no file appears where it ran).
    #[test]
    fn every_word_reads_back_as_itself_in_bash_zsh_and_fish() {
        let words: Vec<(String, String)> = hostile_words()
            .into_iter()
            .filter_map(|w| shell_word(&w).ok().map(|q| (w, q)))
            .collect();
        assert!(words.len() > 600, "{} words", words.len());
        let script: String = words
            .iter()
            .map(|(_, quoted)| format!("printf '%s\\n' {quoted}\n"))
            .collect();
        let expected: String = words.iter().map(|(word, _)| format!("{word}\n")).collect();
        let shells: [(&str, &[&str]); 3] = [
            ("bash", &["--norc", "--noprofile", "-i"]),
            ("zsh", &["-f", "-i"]),
            ("fish", &["--no-config", "-i"]),
        ];
        let mut failures = Vec::new();
        for (shell, args) in shells {
            if !installed(shell) {
                continue;
            }
            let (printed, ran) = run(shell, args, &script);
            if !ran.is_empty() {
                failures.push(format!("{shell} ran something: {ran:?}"));
            }
            if printed != expected {
                // One word at a time, to name the ones it misreads.
                let wrong = words.iter().filter(|(word, quoted)| {
                    let (printed, _) = run(shell, args, &format!("printf '%s\\n' {quoted}\n"));
                    printed != format!("{word}\n")
                });
                for (word, quoted) in wrong.take(5) {
                    failures.push(format!("{shell} misreads {quoted} (for {word:?})"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Whether `shell` is here to test with; under CI it must be.
    fn installed(shell: &str) -> bool {
        let found = std::process::Command::new(shell)
            .arg("--version")
            .output()
            .is_ok();
        if !found {
            assert!(
                std::env::var_os("CI").is_none_or(|ci| ci != "true"),
                "{shell} is missing"
            );
            eprintln!("skipped: {shell} is not installed");
        }
        found
    }

    /// `script` typed into an interactive `shell` in an empty folder: what
    /// it printed, and the files that appeared.
    fn run(shell: &str, args: &[&str], script: &str) -> (String, Vec<std::ffi::OsString>) {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let mut child = std::process::Command::new(shell)
            .args(args)
            .current_dir(&work)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("HISTFILE", dir.path().join("history"))
            .env("LC_ALL", "C.UTF-8")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let ran = std::fs::read_dir(&work)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        (String::from_utf8_lossy(&out.stdout).into_owned(), ran)
    }
}
