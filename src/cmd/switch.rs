//! `badge use NAME`, `badge NAME`, `badge -` and bare `badge`: choose a
//! profile and print the script that points this shell at it.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::login_state::{LoginStates, login_command, prompt_state};
use super::{Context, Previous};
use crate::cli::Shell;
use crate::config::document::Document;
use crate::config::paths::Paths;
use crate::config::profiles::{Profile, Profiles};
use crate::config::sessions;
use crate::picker::{self, printable};
use crate::shell::{Script, shell_word};
use crate::sso::token_cache::LoginState;

/// Shell variable in which the integration keeps the previous profile.
pub const PREVIOUS_SHELL_VAR: &str = "__badge_previous";

/// Where a switching command sends the shell.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Profile(String),
    Off,
}

pub fn run(ctx: &Context, query: Option<&str>, login_first: bool) -> Result<ExitCode> {
    let Some(shell) = ctx.hook else {
        return not_integrated(ctx);
    };
    let paths = ctx.paths()?;
    paths.check_files()?;
    // A switch needs the profiles the query can name, not all of them.
    let profiles = match (query, &ctx.previous) {
        (Some("-"), Previous::Profile(name)) => {
            Profiles::load_matching(&paths, name, false, |n| n == name)?
        }
        (Some("-"), _) => Profiles::load_matching(&paths, "", false, |_| false)?,
        (Some(query), _) => {
            let (matches, needle, ignore_ascii_case) = matcher(query);
            // A query with letters beyond ASCII folds case by Unicode rules.
            let needle = if needle.is_ascii() {
                needle.as_str()
            } else {
                ""
            };
            Profiles::load_matching(&paths, needle, ignore_ascii_case, |name| {
                matches(name, true)
            })?
        }
        (None, _) => Profiles::load(&paths)?,
    };
    let again = |name: &str| format!("badge use {}", shell_word(name));
    let target = match query {
        Some("-") => match &ctx.previous {
            Previous::Unknown => bail!(
                "there is no previous profile in this shell yet; switch with `badge NAME` first"
            ),
            Previous::Off => Target::Off,
            Previous::Profile(name) => Target::Profile(name.clone()),
            Previous::NotText => bail!(
                "the previous profile of this shell is not UTF-8 text, so it names no profile; switch with `badge NAME`"
            ),
        },
        Some(query) => match resolve(ctx, &paths, &profiles, query, again)? {
            Some(name) => Target::Profile(name),
            None => return Ok(ExitCode::SUCCESS),
        },
        None => {
            if profiles.is_empty() {
                bail!("{}", no_profiles_message(&paths, profiles.config()));
            }
            if !ctx.interactive {
                bail!(
                    "the picker needs a terminal; name a profile instead, for example `{}`",
                    again(profiles.names().next().unwrap_or_default())
                );
            }
            let all: Vec<Profile> = profiles.iter().collect();
            match picker::pick(&all, "", ctx.active.as_deref())? {
                Some(name) => Target::Profile(name),
                None => return Ok(ExitCode::SUCCESS),
            }
        }
    };
    // No shell variable can hold a NUL: bash would drop it and switch to
    // another profile's name, zsh's environment would cut the name there.
    if let Target::Profile(name) = &target
        && name.contains('\0')
    {
        bail!(
            "the profile name {name:?} has a NUL byte, which no shell variable can hold; \
             rename the profile in {}",
            paths.config.display()
        );
    }
    let mut script = switch_script(ctx, shell, &target);
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let profile = match &target {
        Target::Profile(name) => profiles.get(name),
        Target::Off => None,
    };
    // A profile whose sso-session is missing or incomplete works in no AWS
    // tool: say what to add instead of switching to it.
    if let Some(profile) = &profile
        && let Some(session) = profile.sso_session
    {
        sessions::of_profile(profiles.config(), profile.name, session, &paths.config)?;
    }
    if let Some(profile) = &profile
        && let Some(state) = states.of(&profiles, profile)
        && !state.is_usable()
    {
        if login_first {
            sign_in_for_profile(ctx, profile)?;
            states = LoginStates::new(ctx.token_cache().ok());
        } else {
            let why = match state {
                LoginState::Missing => "is not signed in yet",
                LoginState::Unreadable => "has an unreadable token cache",
                _ => "has an expired login",
            };
            let session = profile.sso_session.unwrap_or(profile.name);
            eprintln!(
                "badge: switched to {}, but sso-session {} {why}; sign in with `{}`",
                printable(profile.name),
                printable(session),
                printable(&login_command(profile))
            );
        }
    }
    script.push_str(&prompt_state(
        shell,
        profile.as_ref().map(|p| (&profiles, p)),
        &mut states,
    ));
    io::stdout().write_all(script.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `badge use --login`: sign the profile's session in before switching.
fn sign_in_for_profile(ctx: &Context, profile: &Profile) -> Result<()> {
    let session = super::login::select_session(ctx, None, Some(profile.name))?;
    crate::sso::login::login_interactive(&session, &ctx.token_cache()?, super::login::options(ctx))
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
        script.set_global(PREVIOUS_SHELL_VAR, current.unwrap_or(""));
    }
    match target {
        Target::Profile(name) => {
            script.export("AWS_PROFILE", name);
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
        Target::Off => script.unset("AWS_PROFILE"),
    }
    script.finish()
}

/// Exact name, else the only prefix match, else the only substring match.
/// Several matches open the picker on a terminal and are an error elsewhere,
/// whose hint is `again` with one of the names: the command the user ran.
pub fn resolve(
    ctx: &Context,
    paths: &Paths,
    profiles: &Profiles,
    query: &str,
    again: impl Fn(&str) -> String,
) -> Result<Option<String>> {
    if profiles.get(query).is_some() {
        return Ok(Some(query.to_owned()));
    }
    let matches = find_matches(profiles, query);
    match matches.as_slice() {
        [only] => {
            eprintln!("badge: {} → {}", printable(query), printable(only.name));
            Ok(Some(only.name.to_owned()))
        }
        // The closest names are among all of them.
        [] => bail!("{}", unknown_message(paths, &Profiles::load(paths)?, query)),
        several if ctx.interactive => picker::pick(several, query, ctx.active.as_deref()),
        several => {
            let shown: Vec<&str> = several.iter().take(10).map(|p| p.name).collect();
            let more = several.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            bail!(
                "{query:?} matches {} profiles: {}{more}; name one exactly, for example `{}`",
                several.len(),
                shown.join(", "),
                again(shown[0])
            )
        }
    }
}

/// Prefix matches, or substring matches when no name starts with `query`.
/// Smart case: a query with an upper-case letter is matched exactly.
pub fn find_matches<'a>(profiles: &'a Profiles, query: &str) -> Vec<Profile<'a>> {
    let (matches, ..) = matcher(query);
    let prefix: Vec<Profile> = profiles.iter_where(|name| matches(name, false)).collect();
    if !prefix.is_empty() {
        return prefix;
    }
    profiles.iter_where(|name| matches(name, true)).collect()
}

/// Whether a name starts with (or, given `true`, contains) `query`, smart
/// case. Every name that starts with `query`, or is `query`, contains it.
/// Also gives the text matched, and whether case is ignored.
fn matcher(query: &str) -> (impl Fn(&str, bool) -> bool, String, bool) {
    let case_sensitive = query.chars().any(char::is_uppercase);
    let needle = if case_sensitive {
        query.to_owned()
    } else {
        query.to_lowercase()
    };
    let finder = memchr::memmem::Finder::new(needle.as_bytes()).into_owned();
    let text = needle.clone();
    let matches = move |name: &str, substring: bool| {
        let needle = needle.as_str();
        if case_sensitive {
            return if substring {
                finder.find(name.as_bytes()).is_some()
            } else {
                name.starts_with(needle)
            };
        }
        // ASCII names compare byte by byte without lower-casing a copy;
        // others as `to_lowercase` reads them (`K`, the Kelvin sign, is `k`).
        if !(needle.is_ascii() && name.is_ascii()) {
            let name = name.to_lowercase();
            return if substring {
                name.contains(needle)
            } else {
                name.starts_with(needle)
            };
        }
        let (name, needle) = (name.as_bytes(), needle.as_bytes());
        if substring {
            needle.is_empty()
                || (name.windows(needle.len())).any(|w| w.eq_ignore_ascii_case(needle))
        } else {
            name.get(..needle.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(needle))
        }
    };
    (matches, text, !case_sensitive)
}

fn unknown_message(paths: &Paths, profiles: &Profiles, query: &str) -> String {
    if profiles.is_empty() {
        return no_profiles_message(paths, profiles.config());
    }
    let query_chars: Vec<char> = query.to_lowercase().chars().collect();
    // A name is close when the query is a few edits from all of it (a typo
    // in a whole name), or from its start (a typo in what was meant as a
    // prefix: `stagin-031` for `staging-031/ReadOnly`, or the account name
    // as `ls` shows it, `staging 031`), ignoring case either way.
    let whole_limit = (query_chars.len() / 2).max(2);
    let start_limit = (query_chars.len() / 3).max(1);
    // The three closest names, nearest start first, then nearest whole,
    // then by name: once three are found, only as close a name can still
    // enter, which keeps the edit distances narrow and cheap.
    let mut close: Vec<((usize, usize), &str)> = Vec::with_capacity(4);
    let mut name_chars = Vec::new();
    for name in profiles.names() {
        let within = close.get(2).map_or(whole_limit, |&((d, _), _)| d);
        name_chars.clear();
        if name.is_ascii() {
            name_chars.extend(name.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            name_chars.extend(name.to_lowercase().chars());
        }
        let Some((start, whole)) = distances(&query_chars, &name_chars, within) else {
            continue;
        };
        if start > start_limit && whole.is_none_or(|w| w > whole_limit) {
            continue;
        }
        let key = ((start, whole.unwrap_or(usize::MAX)), name);
        let at = close.partition_point(|&found| found < key);
        close.insert(at, key);
        close.truncate(3);
    }
    let close: Vec<&str> = close.iter().map(|(_, n)| *n).collect();
    let mut message = format!(
        "no profile matches {query:?} in {}; ",
        paths.config.display()
    );
    match close.as_slice() {
        [] => {}
        [only] => message.push_str(&format!("did you mean {only}? ")),
        [first @ .., last] => {
            message.push_str(&format!("did you mean {} or {last}? ", first.join(", ")))
        }
    }
    message.push_str("`badge ls` lists all profiles");
    message
}

/// For a config with no profile: the next step, which depends on whether
/// an sso-session is set up already.
pub fn no_profiles_message(paths: &Paths, config: &Document) -> String {
    let none = format!(
        "there are no profiles in {} or {}",
        paths.config.display(),
        paths.credentials.display()
    );
    let sessions = sessions::sessions(config);
    match sessions.as_slice() {
        [] => format!(
            "{none}; generate them with `badge session add NAME --start-url URL --region \
             REGION`, `badge login` and `badge sync`"
        ),
        [(name, _), rest @ ..] => {
            let name = shell_word(name);
            let others = match rest.len() {
                0 => String::new(),
                1 => " (or the other sso-session)".to_owned(),
                n => format!(" (or one of the {n} others)"),
            };
            format!(
                "{none}; generate them with `badge login --sso-session {name}` and \
                 `badge sync --sso-session {name}`{others}"
            )
        }
    }
}

/// Levenshtein distances from `a`, for "did you mean": to the closest start
/// of `b`, and to all of `b`, each when it is at most `max` (the first is
/// never more than the second, so `None` when it is past `max`). Only the
/// band of cells within `max` of the diagonal is computed.
fn distances(a: &[char], b: &[char], max: usize) -> Option<(usize, Option<usize>)> {
    if b.len() + max < a.len() {
        return None;
    }
    let far = max + 1;
    let mut row: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    for (i, ca) in a.iter().enumerate() {
        let i = i + 1;
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        let mut diagonal = row[lo - 1];
        row[lo - 1] = if lo == 1 { i.min(far) } else { far };
        let mut row_min = row[lo - 1];
        for j in lo..=hi {
            let above = row[j];
            let cell = (above + 1)
                .min(row[j - 1] + 1)
                .min(diagonal + usize::from(*ca != b[j - 1]))
                .min(far);
            diagonal = above;
            row[j] = cell;
            row_min = row_min.min(cell);
        }
        if row_min > max {
            return None;
        }
    }
    let last = a.len();
    let (lo, hi) = (last.saturating_sub(max), (last + max).min(b.len()));
    let start = row[lo..=hi].iter().copied().min().unwrap_or(far);
    let whole = (b.len() <= hi)
        .then_some(row[b.len()])
        .filter(|&d| d <= max);
    (start <= max).then_some((start, whole))
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

#[cfg(test)]
mod tests {
    use super::distances;

    fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distances(&a, &b, max).and_then(|(_, whole)| whole)
    }

    fn start_distance(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distances(&a, &b, max).map(|(start, _)| start)
    }

    /// The distance to the closest start of `b`, the slow way.
    fn start_distance_by_prefixes(a: &str, b: &str) -> usize {
        let chars: Vec<char> = b.chars().collect();
        (0..=chars.len())
            .map(|n| distance(a, &chars[..n].iter().collect::<String>(), 100).unwrap())
            .min()
            .unwrap()
    }

    #[test]
    fn start_distance_is_to_the_closest_start() {
        assert_eq!(
            start_distance("stagin-031", "staging-031/readonlyaccess", 9),
            Some(1)
        );
        assert_eq!(
            start_distance("staging 031", "staging-031/readonlyaccess", 9),
            Some(1)
        );
        assert_eq!(
            start_distance("staging-031/view", "staging-031/viewonly", 9),
            Some(0)
        );
        assert_eq!(start_distance("prod", "dev-prod", 1), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(distance("prod", "prod", 9), Some(0));
        assert_eq!(distance("prdo", "prod", 9), Some(2));
        assert_eq!(distance("", "abc", 9), Some(3));
        assert_eq!(distance("staging", "stage", 9), Some(3));
        assert_eq!(distance("kitten", "sitting", 9), Some(3));
        assert_eq!(distance("abcdef", "badcfe", 9), Some(4));
    }

    #[test]
    fn distances_stop_past_max() {
        assert_eq!(distance("staging", "stage", 3), Some(3));
        assert_eq!(distance("staging", "stage", 2), None);
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("abc", "xyz", 3), Some(3));
        assert_eq!(distance("abc", "xyz", 2), None);
        assert_eq!(distance("", "", 0), Some(0));
        let words = [
            "",
            "a",
            "ab",
            "prod",
            "prdo",
            "staging",
            "stage",
            "stagin-03",
            "acct-0042-prd/Admin",
        ];
        // Both distances of every pair, at every bound, against the plain
        // computation.
        for a in words {
            for b in words {
                let start = start_distance_by_prefixes(a, b);
                for max in 0..8 {
                    let want = (start <= max).then_some(start);
                    assert_eq!(start_distance(a, b, max), want, "{a:?} {b:?} {max}");
                }
                let exact = distance(a, b, 100).expect("within 100");
                for max in 0..8 {
                    let want = (exact <= max).then_some(exact);
                    assert_eq!(distance(a, b, max), want, "{a:?} {b:?} {max}");
                }
            }
        }
    }
}
