//! Dynamic completion. The shell code from `badge init` and `badge
//! completions` calls `badge __complete SHELL -- WORDS…` on Tab; clap's
//! completion engine walks the command line, and the candidates for profile
//! and session names are read from the AWS config right then.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result, bail};
use clap::CommandFactory;
use clap::builder::StyledStr;
use clap_complete::engine::{self, CompletionCandidate};

use crate::cli::{Cli, Shell};
use crate::config::document::{Document, SectionKind};
use crate::config::paths::Paths;
use crate::config::profiles::{Profile, Profiles};

pub const COMPLETE_SUBCOMMAND: &str = "__complete";

fn paths() -> Option<Paths> {
    Paths::from_vars(|name| std::env::var_os(name)).ok()
}

/// Whether the shell shows a description next to each candidate (zsh and
/// fish do; bash has nowhere to put one).
static SHOW_HELP: AtomicBool = AtomicBool::new(true);

/// Profile names that start with `current`, with the account and role as the
/// description. Filtering first means that with 10,000 profiles only the few
/// shown are read and formatted.
pub fn profile_candidates(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let load = |paths: Paths| match prefix.as_ref() {
        "" => Profiles::load(&paths),
        prefix => Profiles::load_matching(&paths, prefix, false, |name| name.starts_with(prefix)),
    };
    let Some(profiles) = paths().and_then(|p| load(p).ok()) else {
        return Vec::new();
    };
    let show_help = SHOW_HELP.load(Ordering::Relaxed);
    profiles
        .iter_where(|name| name.starts_with(&*prefix))
        .map(|p| {
            let help = show_help.then(|| profile_help(&p)).flatten();
            CompletionCandidate::new(p.name).help(help.map(StyledStr::from))
        })
        .collect()
}

fn profile_help(p: &Profile) -> Option<String> {
    let account = p.account_name.or(p.account_id);
    match (account, p.role_name) {
        (Some(a), Some(r)) => Some(format!("{a} {r}")),
        (Some(a), None) => Some(a.to_owned()),
        (None, Some(r)) => Some(r.to_owned()),
        (None, None) => None,
    }
}

/// Names of the `[sso-session NAME]` sections.
pub fn session_candidates() -> Vec<CompletionCandidate> {
    let Some(bytes) = paths().and_then(|p| std::fs::read(p.config).ok()) else {
        return Vec::new();
    };
    let document = Document::parse(&bytes);
    document
        .sections()
        .filter_map(|section| match section.kind {
            SectionKind::SsoSession(name) => Some(CompletionCandidate::new(name)),
            _ => None,
        })
        .collect()
}

/// `args` is everything after `__complete`: the shell, `--`, then what that
/// shell's completion function passes (see `shell/complete.*`).
pub fn run(args: &[OsString]) -> Result<ExitCode> {
    let shell = args
        .first()
        .and_then(|s| s.to_str())
        .and_then(Shell::from_name)
        .context("usage: badge __complete bash|zsh|fish -- WORDS…")?;
    let rest: Vec<String> = args
        .iter()
        .skip(1)
        .skip_while(|a| *a != "--")
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    match shell {
        Shell::Bash => {
            let [line, word] = rest.as_slice() else {
                bail!("usage: badge __complete bash -- LINE WORD");
            };
            SHOW_HELP.store(false, Ordering::Relaxed);
            let (mut words, current_raw) = split_line(line);
            let current = words.pop().unwrap_or_default();
            words.push(current);
            // Bash replaces only the part of the token after its last word
            // break (`:` and `=` by default), so drop what comes before it.
            let cut = current_raw.len().saturating_sub(word.len());
            let before_word = current_raw.get(..cut).unwrap_or("");
            for candidate in candidates(words)? {
                let quoted = bash_escape(&candidate.get_value().to_string_lossy());
                if let Some(tail) = quoted.strip_prefix(before_word) {
                    writeln!(out, "{tail}")?;
                }
            }
        }
        Shell::Zsh | Shell::Fish => {
            let mut words = rest;
            if words.is_empty() {
                words.push(String::new());
            }
            for candidate in candidates(words)? {
                let value = candidate.get_value().to_string_lossy();
                match candidate.get_help() {
                    Some(help) => writeln!(out, "{value}\t{}", one_line(&help.to_string()))?,
                    None => writeln!(out, "{value}")?,
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Candidates for the last of `words`; the first word is the command name,
/// whatever the user called the function.
fn candidates(mut words: Vec<String>) -> Result<Vec<CompletionCandidate>> {
    if let Some(first) = words.first_mut() {
        *first = "badge".to_owned();
    }
    let index = words.len().saturating_sub(1);
    let args: Vec<OsString> = words.into_iter().map(OsString::from).collect();
    let mut cmd = Cli::command();
    let mut found = engine::complete(&mut cmd, args, index, None)?;
    found.retain(|c| !c.is_hide_set() && c.get_value() != "-");
    Ok(found)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split a bash command line the way bash reads words: quotes and
/// backslashes removed, an unfinished quote kept open. Returns the words
/// (the last one is the word being completed, empty after a space) and the
/// raw text of that last word.
fn split_line(line: &str) -> (Vec<String>, String) {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut raw_start = 0;
    let mut in_word = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !in_word {
            if c.is_whitespace() {
                continue;
            }
            in_word = true;
            raw_start = i;
        }
        match c {
            c if c.is_whitespace() => {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    word.push(next);
                }
            }
            '\'' => {
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                while let Some((_, q)) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some((_, '"' | '\\' | '$' | '`'))) => {
                            if let Some((_, escaped)) = chars.next() {
                                word.push(escaped);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            _ => word.push(c),
        }
    }
    if in_word {
        words.push(word);
        (words, line[raw_start..].to_owned())
    } else {
        words.push(String::new());
        (words, String::new())
    }
}

/// Backslash-escape what bash would otherwise read as syntax.
fn bash_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let safe = c.is_alphanumeric()
            || matches!(c, '_' | '.' | '/' | '%' | '@' | ':' | '+' | ',' | '-' | '=')
            || (c == '~' && i > 0)
            || (c == '#' && i > 0);
        if !safe {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_bash() {
        let (words, raw) = split_line("badge use 'a b");
        assert_eq!(words, ["badge", "use", "a b"]);
        assert_eq!(raw, "'a b");
        let (words, raw) = split_line("badge ls --sso-session ");
        assert_eq!(words, ["badge", "ls", "--sso-session", ""]);
        assert_eq!(raw, "");
        let (words, _) = split_line(r#"x "q\"z" a\ b"#);
        assert_eq!(words, ["x", "q\"z", "a b"]);
    }

    #[test]
    fn escapes_for_bash() {
        assert_eq!(bash_escape("prod/Admin"), "prod/Admin");
        assert_eq!(bash_escape("a b"), r"a\ b");
        assert_eq!(bash_escape("x$(y)"), r"x\$\(y\)");
        assert_eq!(bash_escape("~a~"), r"\~a~");
    }
}
