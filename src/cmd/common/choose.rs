//! Choosing a profile from what the user typed, for `badge NAME` and every
//! command that takes a profile: the match itself is `config::matching`;
//! here are the picker for several matches and the messages for none.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::base::text::{printable, quoted};
use crate::cli::mistyped_subcommand;
use crate::cmd::Context;
use crate::config::document::Document;
use crate::config::matching::{Matcher, closest, find_matches};
use crate::config::paths::Paths;
use crate::config::profiles::{Profile, Profiles};
use crate::config::sessions;
use crate::shell::{Unpasteable, shell_word};
use crate::ui::picker::{self, Choice};
use crate::ui::say::command;
use crate::ui::say::say;

/// Exact name, else the only prefix match, else the only substring match.
/// Several matches open the picker on a terminal, over every profile with
/// `query` typed in (`profiles` may hold only the matches), and are an
/// error elsewhere, whose hint is `again` with one of the names as a shell
/// word: the command the user ran. Leaving the picker is
/// [`picker::Cancelled`].
pub fn resolve(
    ctx: &Context,
    paths: &Paths,
    profiles: &Profiles,
    query: &str,
    again: impl Fn(&str) -> String,
) -> Result<String> {
    if profiles.get(query).is_some() {
        return Ok(query.to_owned());
    }
    let matches = find_matches(profiles, query);
    match matches.as_slice() {
        [only] => {
            say!("{query} → {}", only.name);
            Ok(only.name.to_owned())
        }
        // The closest names are among all of them.
        [] => bail!(
            "{}",
            unknown_message(&ctx.cmd, paths, &Profiles::load(paths)?, query)
        ),
        _ if ctx.interactive => {
            let all = Profiles::load(paths)?;
            pick(ctx, &all.iter().collect::<Vec<_>>(), query)
        }
        several => {
            let shown: Vec<&str> = several.iter().take(10).map(|p| p.name).collect();
            let more = several.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let example = match shown.iter().find_map(|name| shell_word(name).ok()) {
                Some(word) => format!("for example `{}`", again(&word)),
                None => Unpasteable.to_string(),
            };
            bail!(
                "{} matches {} profiles: {}{more}; name one exactly, {example}",
                quoted(query),
                several.len(),
                shown.join(", "),
            )
        }
    }
}

/// The profile a command gives a program: `query` must be a name, exactly.
/// A tool that calls `badge creds dev` would otherwise get the credentials
/// of `dev-admin/…` while the line that says so goes to a stderr nobody
/// reads. `command` is what ran (`badge creds`), for the message.
pub fn exact(profiles: &Profiles, query: &str, command: &str) -> Result<String> {
    if profiles.get(query).is_some() {
        return Ok(query.to_owned());
    }
    let matches = find_matches(profiles, query);
    let mut close: Vec<&str> = matches.iter().take(3).map(|p| p.name).collect();
    if close.is_empty() {
        close = closest(profiles.names(), query);
    }
    let mut message = format!(
        "no profile is named exactly {}, and `{command}` takes exact names when its output \
         goes to a program (credential_process, a script, a pipe); ",
        quoted(query)
    );
    match close.as_slice() {
        [] => {}
        [only] => message.push_str(&format!("did you mean {}? ", printable(only))),
        [first @ .., last] => message.push_str(&format!(
            "did you mean {} or {}? ",
            first
                .iter()
                .map(|n| printable(n).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            printable(last)
        )),
    }
    message.push_str(&format!(
        "`{} ls` lists all profiles",
        crate::ui::say::command()
    ));
    bail!("{message}")
}

/// `badge WORD` where WORD is no profile but a typo of a subcommand
/// (`badge logn`): says which one, and the exit code of a usage error.
/// `None` when WORD is far from every subcommand or a profile matches it.
pub fn mistyped_command(ctx: &Context, word: &str) -> Option<ExitCode> {
    let meant = mistyped_subcommand(word)?;
    let paths = ctx.paths().ok()?;
    let matcher = Matcher::new(word);
    let profiles =
        Profiles::load_matching(&paths, "", false, |name| matcher.matches(name, true)).ok()?;
    if profiles.names().any(|name| matcher.matches(name, true)) {
        return None;
    }
    say!(
        "{} is no profile and no command; did you mean `{cmd} {meant}`? \
         (`{cmd} --help` lists the commands, `{cmd} ls` the profiles)",
        quoted(word),
        cmd = ctx.cmd
    );
    Some(ExitCode::from(2))
}

/// The picker over `profiles`, starting with `query` typed in and the
/// cursor on the active profile, its lines cut to the terminal. The whole
/// binary's [`pick_on_terminal`]; in badge-quick, [`crate::cli::HandOver`].
pub fn pick(ctx: &Context, profiles: &[Profile], query: &str) -> Result<String> {
    (ctx.whole()?.pick)(ctx, profiles, query)
}

/// [`pick`] in the whole binary.
pub fn pick_on_terminal(ctx: &Context, profiles: &[Profile], query: &str) -> Result<String> {
    let choices: Vec<Choice> = profiles
        .iter()
        .map(|p| Choice {
            name: p.name,
            account_name: p.account_name,
            account_id: p.account_id,
            role_name: p.role_name,
            sso_session: p.sso_session,
        })
        .collect();
    picker::pick(&choices, query, ctx.active.as_deref(), ctx.columns())
}

fn unknown_message(cmd: &str, paths: &Paths, profiles: &Profiles, query: &str) -> String {
    if profiles.is_empty() {
        return no_profiles_message(paths, profiles.config());
    }
    // As words to type after `badge` or `cmd` (a name no pasted command can hold
    // is shown escaped, in quotes).
    let close: Vec<String> = closest(profiles.names(), query)
        .into_iter()
        .map(|name| shell_word(name).unwrap_or_else(|_| quoted(name)))
        .collect();
    let mut message = format!(
        "no profile matches {} in {}; ",
        quoted(query),
        paths.config_shown()
    );
    match close.as_slice() {
        [] => {}
        [only] => message.push_str(&format!("did you mean {only}? ")),
        [first @ .., last] => {
            message.push_str(&format!("did you mean {} or {last}? ", first.join(", ")))
        }
    }
    message.push_str(&format!("`{cmd} ls` lists all profiles"));
    message
}

/// For a config with no profile: the next step, which depends on whether
/// an sso-session is set up already.
pub fn no_profiles_message(paths: &Paths, config: &Document) -> String {
    let cmd = command();
    // No config file at all: the way back to one is the next step.
    match (paths.no_config(), paths.no_credentials()) {
        (true, true) => {
            return "there are no profiles: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE \
                    are set but empty, which the AWS CLI and SDKs read as no files; \
                    `unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE` to use ~/.aws/config \
                    and ~/.aws/credentials"
                .to_owned();
        }
        (true, false) => {
            return format!(
                "there are no profiles in {}, and AWS_CONFIG_FILE is set but empty, which the \
                 AWS CLI and SDKs read as no config file; `unset AWS_CONFIG_FILE` to use \
                 ~/.aws/config",
                paths.credentials.display()
            );
        }
        _ => {}
    }
    let none = format!(
        "there are no profiles in {} or {}",
        paths.config.display(),
        paths.credentials_shown()
    );
    let sessions = sessions::sessions(config);
    match sessions.as_slice() {
        [] => format!(
            "{none}; generate them with `{cmd} session add NAME --start-url URL --region \
             REGION`, `{cmd} login` and `{cmd} sync`"
        ),
        [(name, _), rest @ ..] => {
            let Ok(name) = shell_word(name) else {
                return format!("{none}; generate them with `{cmd} login` and `{cmd} sync`");
            };
            let others = match rest.len() {
                0 => String::new(),
                1 => " (or the other sso-session)".to_owned(),
                n => format!(" (or one of the {n} others)"),
            };
            format!(
                "{none}; generate them with `{cmd} login --sso-session {name}` and \
                 `{cmd} sync --sso-session {name}`{others}"
            )
        }
    }
}
