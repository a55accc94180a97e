//! Dynamic completion. The shell code from `badge init` and `badge
//! completions` calls `badge __complete SHELL -- WORDS…` on Tab; clap's
//! completion engine walks the command line, and the candidates for profile
//! and session names are read from the AWS config right then.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result, bail};
use clap::CommandFactory;
use clap::builder::StyledStr;
use clap_complete::engine::{self, CompletionCandidate};

use super::{Cli, Shell};
use crate::base::text::{display_width, padded, printable};
use crate::config::document::{Document, SectionKind};
use crate::config::matching::{find_matches, load_candidates, load_matching_names};
use crate::config::paths::Paths;
use crate::config::profiles::Profile;

/// The files the candidates come from, set by [`run`] for the one
/// completion a process answers (clap calls the candidate functions with
/// nothing but the word).
static PATHS: OnceLock<Option<Paths>> = OnceLock::new();

fn paths() -> Option<Paths> {
    PATHS.get()?.clone()
}

/// Whether the shell shows a description next to each candidate (zsh and
/// fish do; bash has nowhere to put one).
static SHOW_HELP: AtomicBool = AtomicBool::new(true);

/// The group profile candidates are listed under (zsh shows it).
const PROFILES: &str = "Profiles";
/// The group of sso-session names.
const SESSIONS: &str = "SSO sessions";

/// The profiles `current` would switch to (`badge NAME` reads it the same
/// way, through the same matcher: smart case, a prefix, else a substring),
/// with the account and role as the description. Reading only the names
/// that can match means that with 10,000 profiles only the few shown are
/// read and formatted.
pub fn profile_candidates(current: &OsStr) -> Vec<CompletionCandidate> {
    let query = current.to_string_lossy();
    if !SHOW_HELP.load(Ordering::Relaxed) {
        // Bash: the names alone, no profile's fields read, no group.
        let names = paths().and_then(|p| load_matching_names(&p, &query).ok());
        let names = names.unwrap_or_default().into_iter();
        return names.map(CompletionCandidate::new).collect();
    }
    let Some(profiles) = paths().and_then(|p| load_candidates(&p, &query).ok()) else {
        return Vec::new();
    };
    find_matches(&profiles, &query)
        .iter()
        .map(|p| {
            CompletionCandidate::new(p.name)
                .help(profile_help(p).map(StyledStr::from))
                .tag(Some(PROFILES.into()))
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
            SectionKind::SsoSession(name) => {
                Some(CompletionCandidate::new(name).tag(Some(SESSIONS.into())))
            }
            _ => None,
        })
        .collect()
}

/// clap's completion engine over badge's whole command tree, for the
/// lines [`quick_candidates`] leaves to it: the candidates for the last of
/// the words. A function the whole binary passes in, so that badge-quick,
/// which has no command tree, links none of it.
pub type Engine = fn(Vec<String>) -> Result<Vec<CompletionCandidate>>;

/// `args` is everything after `__complete`: the shell, `--`, then what that
/// shell's completion function passes (see `shell/complete.*`). `paths`
/// are the config and credentials files (none: no names to offer).
/// Without an `engine`, a line that needs one is [`super::HandOver`],
/// before anything is printed.
pub fn run(paths: Option<Paths>, args: &[OsString], engine: Option<Engine>) -> Result<ExitCode> {
    let _ = PATHS.set(paths);
    let offered = |words: Vec<String>| candidates(words, engine);
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
            let (line, word, comp_type) = match rest.as_slice() {
                [line, word] => (line, word, ""),
                [line, word, comp_type] => (line, word, comp_type.as_str()),
                _ => bail!("usage: badge __complete bash -- LINE WORD [COMP_TYPE]"),
            };
            SHOW_HELP.store(false, Ordering::Relaxed);
            let typed = split_line(line);
            // Bash replaces only the end of the word, `word`: what follows
            // its last word break (`:` and `=` by default) or the quote
            // that opens it. An expansion typed in the word (`$x`, `*`)
            // stands for text we cannot know: no candidate fits it.
            let Some(kept) = typed.raw.strip_suffix(word.as_str()) else {
                return Ok(ExitCode::SUCCESS);
            };
            if !typed.literal {
                return Ok(ExitCode::SUCCESS);
            }
            let current = typed.words.last().cloned().unwrap_or_default();
            // What the part bash keeps stands for, and its quoting.
            let before = split_line(kept);
            let before_text = before.words.last().map_or("", String::as_str);
            // The tails, each followed by a line break.
            let mut tails = String::new();
            let mut marked = false;
            // Each candidate as it would read on the line, in one buffer.
            let mut whole = String::new();
            for candidate in offered(typed.words.clone())? {
                let value = candidate.get_value().to_string_lossy();
                if value.contains('\n') {
                    continue;
                }
                // The word as typed, quotes and all, continued with the rest
                // of the candidate quoted the same way, so the line reads
                // back as exactly the candidate. A candidate that does not
                // start with the word as typed (another case, or the word
                // in its middle) replaces what bash lets us replace: the
                // part before stays, and must stand for its start.
                whole.clear();
                match value.strip_prefix(current.as_str()) {
                    Some(rest) => typed.continue_into(rest, &mut whole),
                    None => {
                        let Some(rest) = value.strip_prefix(before_text) else {
                            continue;
                        };
                        before.continue_into(rest, &mut whole)
                    }
                }
                if let Some(tail) = whole.strip_prefix(kept) {
                    marked |= tail.is_empty() || tail.starts_with('_');
                    tails.push_str(tail);
                    tails.push('\n');
                }
            }
            // On a first Tab (COMP_TYPE 9) readline replaces the word with
            // what all candidates start with. When that would drop what
            // was typed (`alpha` → `dev-` for `dev-alpha` and
            // `dev-beta-alpha`), offer nothing on that Tab: the second one
            // (COMP_TYPE `?`) lists the candidates and leaves the word.
            // Without COMP_TYPE (not readline asking) every candidate is
            // offered.
            if comp_type == "9" && !keeps_the_word(&tails, word) {
                return Ok(ExitCode::SUCCESS);
            }
            // One tail a line. An empty tail (the word is complete already)
            // would vanish in the shell function's split, so when there is
            // one, or a tail that starts with `_`, every line gets a `_` in
            // front, and the function, seeing the first line start with
            // `_`, takes it off again: a pass over the whole array that
            // costs bash more than the rest of a Tab on hundreds of names,
            // paid only then.
            if marked {
                for tail in tails.split_terminator('\n') {
                    writeln!(out, "_{tail}")?;
                }
            } else {
                out.write_all(tails.as_bytes())?;
            }
        }
        Shell::Zsh => {
            // `VALUE<tab>SHOWN`: the shell function splits at the last tab,
            // so a value may hold tabs; SHOWN never does. Candidates come in
            // groups (clap orders them by tag), each after a line with its
            // name and no tab; SHOWN lines up the descriptions of a group
            // in one column.
            let mut found = offered(nonempty(rest))?;
            found.retain(|c| !c.get_value().to_string_lossy().contains('\n'));
            for group in found.chunk_by(|a, b| a.get_tag() == b.get_tag()) {
                let name = group[0]
                    .get_tag()
                    .map(|tag| one_line(&tag.to_string()))
                    .filter(|tag| !tag.is_empty())
                    .unwrap_or_else(|| "Values".to_owned());
                writeln!(out, "{name}")?;
                let shown: Vec<String> = group
                    .iter()
                    .map(|c| printable(&c.get_value().to_string_lossy()).into_owned())
                    .collect();
                let width = group
                    .iter()
                    .zip(&shown)
                    .filter(|(c, _)| c.get_help().is_some())
                    .map(|(_, s)| display_width(s))
                    .max()
                    .unwrap_or(0);
                for (candidate, shown) in group.iter().zip(shown) {
                    let value = candidate.get_value().to_string_lossy();
                    let mut shown = shown;
                    if let Some(help) = candidate.get_help() {
                        shown = padded(&shown, width);
                        shown.push_str("  -- ");
                        shown.push_str(&printable(&one_line(&help.to_string())));
                    }
                    writeln!(out, "{value}\t{shown}")?;
                }
            }
        }
        Shell::Fish => {
            for candidate in offered(nonempty(rest))? {
                let value = candidate.get_value().to_string_lossy();
                // fish reads `VALUE<tab>DESCRIPTION` and has no escape for a
                // tab or a line break in VALUE: such a name cannot be
                // offered without offering another one.
                if value.contains(['\t', '\n']) {
                    continue;
                }
                match candidate.get_help() {
                    Some(help) => {
                        writeln!(out, "{value}\t{}", printable(&one_line(&help.to_string())))?
                    }
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
fn candidates(words: Vec<String>, engine: Option<Engine>) -> Result<Vec<CompletionCandidate>> {
    if let Some(found) = quick_candidates(&words) {
        return Ok(found);
    }
    match engine {
        Some(engine) => engine(words),
        None => Err(super::HandOver.into()),
    }
}

/// The [`Engine`] of the whole binary.
pub fn engine_candidates(mut words: Vec<String>) -> Result<Vec<CompletionCandidate>> {
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

/// What clap's engine would offer for a profile name, without building
/// the command tree it walks: `badge WORD` where no subcommand starts with
/// WORD, and `badge use WORD`, WORD not an option. That is nearly every
/// Tab, and the tree costs more than finding the names. `None` for any
/// other line (a unit test checks that the two agree wherever this one
/// answers).
fn quick_candidates(words: &[String]) -> Option<Vec<CompletionCandidate>> {
    // The group the engine puts values with none under: their argument's
    // name, in brackets where the argument is optional.
    let (word, group) = match words {
        [_, word]
            if !super::SUBCOMMANDS
                .iter()
                .any(|sub| sub.starts_with(word.as_str())) =>
        {
            (word, "[PROFILE]")
        }
        [_, sub, word] if sub == "use" => (word, "<PROFILE>"),
        _ => return None,
    };
    // An empty word is also offered the options; an option is clap's.
    if word.is_empty() || word.starts_with('-') {
        return None;
    }
    let found = profile_candidates(OsStr::new(word))
        .into_iter()
        .map(|c| match c.get_tag() {
            Some(_) => c,
            None => c.tag(Some(group.into())),
        });
    Some(found.collect())
}

/// Whether readline, replacing `word` with what all of `tails` (one a
/// line) start with, keeps what was typed: when they share no start (the
/// word stays), or when what they share continues the word, in any case.
/// Both ways readline compares are checked: exactly, and ignoring case
/// (`completion-ignore-case`). A single tail is inserted whole, whatever
/// it starts with.
fn keeps_the_word(tails: &str, word: &str) -> bool {
    let mut lines = tails.split_terminator('\n');
    let Some(first) = lines.next() else {
        return true;
    };
    if word.is_empty() || lines.clone().next().is_none() {
        // Anything continues nothing; a single tail is inserted whole.
        return true;
    }
    let continues =
        |start: &str| start.is_empty() || start.to_lowercase().starts_with(&word.to_lowercase());
    let mut exact = first.len();
    for tail in lines.clone() {
        exact = shared_start(&first[..exact], tail, |a, b| a == b);
        if exact == 0 {
            break;
        }
    }
    if exact > 0 {
        // What they share ignoring case starts with what they share.
        return continues(&first[..exact]);
    }
    let mut folded = first.len();
    for tail in lines {
        folded = shared_start(&first[..folded], tail, |a, b| {
            a == b || a.to_lowercase().eq(b.to_lowercase())
        });
        if folded == 0 {
            return true;
        }
    }
    continues(&first[..folded])
}

/// How many bytes of `a` start `b` too, comparing characters with `same`
/// (which must hold for equal characters).
fn shared_start(a: &str, b: &str, same: impl Fn(char, char) -> bool) -> usize {
    // Most names are ASCII: equal bytes first.
    let mut at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(at) {
        at -= 1;
    }
    let mut rest = b[at..].chars();
    for (i, x) in a[at..].char_indices() {
        match rest.next() {
            Some(y) if same(x, y) => {}
            _ => return at + i,
        }
    }
    a.len()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the text of the word being completed ends, for bash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    Unquoted,
    /// Right after an unquoted backslash.
    Backslash,
    Single,
    Double,
}

/// A bash command line up to the cursor, read the way bash reads words.
#[derive(Debug)]
struct TypedLine {
    /// The words, quotes and backslashes removed; the last one is the word
    /// being completed (empty after a space).
    words: Vec<String>,
    /// The text of that last word as typed.
    raw: String,
    /// The quote that is open at its end.
    quoting: Quoting,
    /// Whether the last word, as typed, means exactly its text: no
    /// expansion, glob, operator or history reference in it.
    literal: bool,
}

impl TypedLine {
    /// Appends to `out` the last word as typed, continued with `rest`
    /// quoted so that the shell reads the whole as the typed text followed
    /// by `rest`. Bash closes an open quote itself once a single candidate
    /// is inserted.
    fn continue_into(&self, rest: &str, out: &mut String) {
        out.push_str(&self.raw);
        let mut chars = rest.chars();
        match self.quoting {
            Quoting::Unquoted => escape_into(rest, out),
            Quoting::Backslash => match chars.next() {
                // The typed backslash quotes the first character.
                Some(first) => {
                    out.push(first);
                    escape_into(chars.as_str(), out);
                }
                // Nothing to quote: the backslash would quote the space
                // bash adds after the word.
                None => {
                    out.pop();
                }
            },
            Quoting::Single => {
                for (i, part) in rest.split('\'').enumerate() {
                    if i > 0 {
                        out.push_str(r"'\''");
                    }
                    out.push_str(part);
                }
            }
            Quoting::Double => {
                for c in chars {
                    match c {
                        '"' | '\\' | '$' | '`' => {
                            out.push('\\');
                            out.push(c);
                        }
                        // Interactive bash expands `!` even between double
                        // quotes; outside them a backslash stops it.
                        '!' => out.push_str(r#""\!""#),
                        c => out.push(c),
                    }
                }
            }
        }
    }
}

/// Split a bash command line the way bash reads words: quotes and
/// backslashes removed, an unfinished quote kept open.
fn split_line(line: &str) -> TypedLine {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut raw_start = None;
    let mut quoting = Quoting::Unquoted;
    let mut literal = true;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quoting {
            Quoting::Single => {
                if c == '\'' {
                    quoting = Quoting::Unquoted;
                } else {
                    word.push(c);
                }
                continue;
            }
            Quoting::Double => {
                match c {
                    '"' => quoting = Quoting::Unquoted,
                    '\\' => match chars.peek() {
                        Some(&(_, next @ ('"' | '\\' | '$' | '`'))) => {
                            chars.next();
                            word.push(next);
                        }
                        _ => word.push(c),
                    },
                    '$' | '`' | '!' => {
                        literal = false;
                        word.push(c);
                    }
                    c => word.push(c),
                }
                continue;
            }
            Quoting::Unquoted | Quoting::Backslash => {}
        }
        if raw_start.is_none() {
            if is_blank(c) {
                continue;
            }
            raw_start = Some(i);
            literal = true;
        }
        match c {
            c if is_blank(c) => {
                words.push(std::mem::take(&mut word));
                raw_start = None;
            }
            '\\' => match chars.next() {
                Some((_, next)) => word.push(next),
                None => quoting = Quoting::Backslash,
            },
            '\'' => quoting = Quoting::Single,
            '"' => quoting = Quoting::Double,
            c => {
                // `$'…'` and `$"…"` quote by other rules; `$x`, globs,
                // braces, `!` and operators are not text either, nor `#`
                // that starts a word or `~` that starts it or follows an
                // `=` or `:` (`a=~root`).
                let starts = raw_start == Some(i);
                let after_assign = line[..i].ends_with(['=', ':']);
                let special = match c {
                    '#' => starts,
                    '~' => starts || after_assign,
                    c => "$`*?[{!|&;()<>".contains(c),
                };
                if special {
                    literal = false;
                }
                word.push(c);
            }
        }
    }
    let raw = match raw_start {
        Some(start) => {
            words.push(word);
            line[start..].to_owned()
        }
        None => {
            words.push(String::new());
            String::new()
        }
    };
    TypedLine {
        words,
        raw,
        quoting,
        literal,
    }
}

/// What separates words for bash.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

/// Appends `value` to `out`, backslash-escaping what bash would otherwise
/// read as syntax. `~` and `#` are escaped everywhere: bash expands `~`
/// after the `=` of a word that looks like an assignment (`a=~root`), even
/// as an argument.
fn escape_into(value: &str, out: &mut String) {
    let safe = |c: char| {
        c.is_alphanumeric()
            || matches!(c, '_' | '.' | '/' | '%' | '@' | ':' | '+' | ',' | '-' | '=')
    };
    // Nearly every name needs no escape: one copy, not a push a character.
    if value.bytes().all(|b| b.is_ascii() && safe(char::from(b))) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        if !safe(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The words zsh or fish passed; the last is the one being completed.
fn nonempty(mut words: Vec<String>) -> Vec<String> {
    if words.is_empty() {
        words.push(String::new());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wherever the quick reading answers, clap's engine offers the same
    /// candidates, in the same order, with the same descriptions and groups,
    /// for bash (names alone) and for zsh and fish.
    #[test]
    fn quick_candidates_are_the_engine_s() {
        let dir = std::env::temp_dir().join(format!("badge-quick-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("config");
        std::fs::write(
            &config,
            "[profile prod]\nsso_account_id = 111111111111\nsso_role_name = Admin\n\
             [profile Prod-ReadOnly]\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\n\
             [profile dev-alpha]\nregion = eu-west-1\n[profile logs]\n[profile use]\n\
             [profile -dash]\n[sso-session acme]\nsso_region = eu-west-1\n",
        )
        .unwrap();
        let _ = PATHS.set(Some(Paths {
            config,
            credentials: dir.join("credentials"),
        }));
        let mut answered = 0;
        for show_help in [false, true] {
            SHOW_HELP.store(show_help, Ordering::Relaxed);
            for word in [
                "", "p", "prod", "Prod", "alpha", "l", "lo", "logs", "u", "use", "-", "--", "-d",
                "--login", "x", "é",
            ] {
                for before in [&[][..], &["use"], &["ls"], &["-v"], &["use", "prod"]] {
                    let mut words = vec!["awsp".to_owned()];
                    words.extend(before.iter().map(|w| w.to_string()));
                    words.push(word.to_owned());
                    let Some(quick) = quick_candidates(&words) else {
                        continue;
                    };
                    answered += 1;
                    let engine = engine_candidates(words.clone()).unwrap();
                    assert_eq!(format!("{quick:?}"), format!("{engine:?}"), "{words:?}");
                }
            }
        }
        // On each of the two passes: `badge WORD` for the 7 words no
        // subcommand starts with and that are no option, `badge use WORD`
        // for the 11 that are no option and not empty.
        assert_eq!(answered, 2 * (7 + 11));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn splits_like_bash() {
        let typed = split_line("badge use 'a b");
        assert_eq!(typed.words, ["badge", "use", "a b"]);
        assert_eq!(
            (typed.raw.as_str(), typed.quoting),
            ("'a b", Quoting::Single)
        );
        let typed = split_line("badge ls --sso-session ");
        assert_eq!(typed.words, ["badge", "ls", "--sso-session", ""]);
        assert_eq!((typed.raw.as_str(), typed.quoting), ("", Quoting::Unquoted));
        let typed = split_line(r#"x "q\"z" a\ b"#);
        assert_eq!(typed.words, ["x", "q\"z", "a b"]);
        assert_eq!(split_line(r#"x "a\"#).quoting, Quoting::Double);
        assert_eq!(split_line(r"x a\").quoting, Quoting::Backslash);
    }

    #[test]
    fn only_literal_words_are_continued() {
        for literal in [
            "a", r"a\$b", "'$(x)'", r#""a\$""#, "a=b:c", r"\~x", "a#b", "a~b",
        ] {
            assert!(
                split_line(&format!("badge use {literal}")).literal,
                "{literal}"
            );
        }
        for expands in [
            "$HOME", "a*", "~x", "a=~x", "b:~", "#x", "a$(b", r#""$x"#, r#""a!"#, "$'a", "{a,b}",
        ] {
            assert!(
                !split_line(&format!("badge use {expands}")).literal,
                "{expands}"
            );
        }
    }

    #[test]
    fn continues_the_word_in_its_quoting() {
        let cases = [
            ("quo", "te'name", r"quote\'name"),
            ("'quo", "te'name", r"'quote'\''name"),
            (r#""quo"#, "te'name", r#""quote'name"#),
            (r#""a"#, r#"$"`\!"#, r#""a\$\"\`\\"\!""#),
            (r"a\", " ;", r"a\ \;"),
            (r"a\", "", "a"),
            ("a=", "~root", r"a=\~root"),
        ];
        for (typed, rest, want) in cases {
            let mut whole = String::new();
            split_line(typed).continue_into(rest, &mut whole);
            assert_eq!(whole, want, "{typed} + {rest}");
        }
    }

    #[test]
    fn keeps_the_word_unless_readline_would_drop_it() {
        let cases = [
            ("dev-alpha\ndev-beta-alpha\n", "alpha", false),
            ("Production-Admin\nProduction-ReadOnly\n", "prod", true),
            ("prod-x\nProduction-Admin\n", "prod", true),
            ("Production-ReadOnly\n", "readonly", true),
            ("PRod-a\nProd-b\n", "prod", false),
            ("Ab-x\nab-y\n", "b", false),
            ("über-a\nÜBER-b\n", "üb", true),
            ("\nx\n", "", true),
            ("", "x", true),
        ];
        for (tails, word, keeps) in cases {
            assert_eq!(keeps_the_word(tails, word), keeps, "{tails:?} {word:?}");
        }
    }

    #[test]
    fn escapes_for_bash() {
        let bash_escape = |value: &str| {
            let mut out = "kept ".to_owned();
            escape_into(value, &mut out);
            out.strip_prefix("kept ").unwrap().to_owned()
        };
        assert_eq!(bash_escape("ünï/Adm\u{e9}n"), "ünï/Adm\u{e9}n");
        assert_eq!(bash_escape("a\u{a0}b"), "a\\\u{a0}b");
        assert_eq!(bash_escape("prod/Admin"), "prod/Admin");
        assert_eq!(bash_escape("a b"), r"a\ b");
        assert_eq!(bash_escape("x$(y)"), r"x\$\(y\)");
        assert_eq!(bash_escape("~a~#"), r"\~a\~\#");
    }
}
