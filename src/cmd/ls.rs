//! `badge ls`: every profile, one a line, or as JSON.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use super::Context;
use super::common::choose::no_profiles_message;
use super::common::files::{load_profiles, warn_if_refused};
use crate::base::text::{
    display_width, ellipsized, padded, printable, quoted, shrink_to_fit, to_json,
};
use crate::cli::LsArgs;
use crate::config::profiles::{Profile, Source};
use crate::sso::login_state::LoginStates;
use crate::sso::token_cache::LoginState;
use crate::ui::say::command;
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &LsArgs) -> Result<ExitCode> {
    let cmd = command();
    let paths = ctx.paths()?;
    let profiles = load_profiles(&paths)?;
    warn_if_refused(&paths);
    let shown: Vec<Profile> = match &args.sso_session {
        Some(session) => {
            let list: Vec<Profile> = profiles
                .iter()
                .filter(|p| p.sso_session == Some(session.as_str()))
                .collect();
            if list.is_empty() && profiles.config().sso_session(session).is_none() {
                let known = crate::config::sessions::sessions(profiles.config());
                let names: Vec<String> = known.iter().map(|(n, _)| quoted(n)).collect();
                bail!(
                    "there is no sso-session {} in {}{}",
                    quoted(session),
                    paths.config_shown(),
                    match names.as_slice() {
                        [] => format!("; add one with `{cmd} session add`"),
                        names => format!("; the sso-sessions are {}", names.join(", ")),
                    }
                );
            }
            if list.is_empty() {
                bail!(
                    "no profile uses sso-session {} in {}; {}",
                    quoted(session),
                    paths.config_shown(),
                    crate::shell::hint(
                        "generate them with",
                        crate::shell::shell_word(session)
                            .map(|name| format!("{cmd} sync --sso-session {name}"))
                    )
                );
            }
            list
        }
        None => profiles.iter().collect(),
    };
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let logins: Vec<&'static str> = shown
        .iter()
        .map(|p| states.of(&profiles, p).map_or("-", LoginState::label))
        .collect();
    if shown.is_empty() && !args.json {
        say!("{}", no_profiles_message(&paths, profiles.config()));
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        let items: Vec<_> = shown
            .iter()
            .zip(&logins)
            .map(|(p, login)| json_profile(ctx, p, login))
            .collect();
        // A closed pipe must reach main as an io::Error (exit 0, no message).
        writeln!(out, "{}", to_json(&items, true)?)?;
    } else {
        write_table(ctx, &mut out, &shown, &logins)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn source(p: &Profile) -> &'static str {
    match (p.source, p.generated_by.is_some()) {
        (_, true) => "generated",
        (Source::Config, false) => "config",
        (Source::Credentials, false) => "credentials",
    }
}

/// One profile in `badge ls --json`. Fields in alphabetical order, the order
/// the output has always had (see README.md, "JSON output").
#[derive(Serialize)]
struct JsonProfile<'a> {
    account_id: Option<&'a str>,
    account_name: Option<&'a str>,
    active: bool,
    generated: bool,
    login: Option<&'a str>,
    name: &'a str,
    region: Option<&'a str>,
    role_name: Option<&'a str>,
    source: &'static str,
    sso_session: Option<&'a str>,
}

fn json_profile<'a>(ctx: &Context, p: &Profile<'a>, login: &'a str) -> JsonProfile<'a> {
    JsonProfile {
        account_id: p.account_id,
        account_name: p.account_name,
        active: ctx.active.as_deref() == Some(p.name),
        generated: p.generated_by.is_some(),
        login: (login != "-").then_some(login),
        name: p.name,
        region: p.region,
        role_name: p.role_name,
        source: match p.source {
            Source::Config => "config",
            Source::Credentials => "credentials",
        },
        sso_session: p.sso_session,
    }
}

fn write_table(
    ctx: &Context,
    out: &mut impl Write,
    profiles: &[Profile],
    logins: &[&'static str],
) -> io::Result<()> {
    // Names are shown with control characters made visible: a table is for
    // eyes (`--json` has the exact bytes).
    let rows: Vec<[Cow<str>; 7]> = profiles
        .iter()
        .zip(logins)
        .map(|(p, login)| {
            [
                printable(p.name),
                printable(p.account_name.unwrap_or("-")),
                printable(p.account_id.unwrap_or("-")),
                printable(p.role_name.unwrap_or("-")),
                printable(p.sso_session.unwrap_or("-")),
                Cow::Borrowed(*login),
                Cow::Borrowed(source(p)),
            ]
        })
        .collect();
    let header = [
        "PROFILE",
        "ACCOUNT",
        "ACCOUNT ID",
        "ROLE",
        "SESSION",
        "LOGIN",
        "SOURCE",
    ];
    let mut widths = header.map(display_width);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    // On a terminal, rows fit its width: the widest columns are cut first,
    // with `…`. Elsewhere (a pipe, a file) lines stay whole.
    if ctx.stdout_tty
        && let Some(columns) = ctx.columns()
    {
        fit(&mut widths, columns);
    }
    let (bold, green, reset) = if ctx.color_stdout {
        ("\x1b[1m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    if ctx.stdout_tty {
        write!(out, "{bold}  ")?;
        write_row(out, &header, &widths)?;
        write!(out, "{reset}")?;
        writeln!(out)?;
    }
    for (row, profile) in rows.iter().zip(profiles) {
        if ctx.active.as_deref() == Some(profile.name) {
            write!(out, "{green}* ")?;
            write_row(out, row, &widths)?;
            write!(out, "{reset}")?;
        } else {
            write!(out, "  ")?;
            write_row(out, row, &widths)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// No column is cut below this many columns while another can give, and
/// PROFILE keeps [`MIN_PROFILE`]; ACCOUNT ID is never cut (part of an id
/// is no id).
const MIN_COLUMN: usize = 5;
const MIN_PROFILE: usize = 24;
const ACCOUNT_ID: usize = 2;

/// Narrow `widths` so that a row (the `* ` mark, the cells and the gaps
/// between them) fits in `columns`.
fn fit(widths: &mut [usize; 7], columns: usize) {
    let room = columns.saturating_sub(2 + 2 * (widths.len() - 1));
    let min = |profile: usize| {
        let mut min = widths.map(|w| w.min(MIN_COLUMN));
        min[0] = widths[0].min(profile);
        min[ACCOUNT_ID] = widths[ACCOUNT_ID];
        min
    };
    let (soft, hard) = (min(MIN_PROFILE), min(MIN_COLUMN));
    shrink_to_fit(widths, &soft, room);
    shrink_to_fit(widths, &hard, room);
}

fn write_row(
    out: &mut impl Write,
    cells: &[impl AsRef<str>; 7],
    widths: &[usize; 7],
) -> io::Result<()> {
    for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        let cell = ellipsized(cell.as_ref(), width);
        if i + 1 == cells.len() {
            write!(out, "{cell}")?;
        } else {
            write!(out, "{}  ", padded(&cell, width))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn rows_fit_ids_stay_whole_and_profile_gives_last() {
        // PROFILE, ACCOUNT, ACCOUNT ID, ROLE, SESSION, LOGIN, SOURCE
        let natural = [50, 27, 12, 22, 16, 5, 9];
        let row = |w: &[usize; 7]| 2 + w.iter().sum::<usize>() + 2 * 6;
        let mut wide = natural;
        fit(&mut wide, 200);
        assert_eq!(wide, natural);
        for columns in [120, 100, 70, 40] {
            let mut widths = natural;
            fit(&mut widths, columns);
            assert_eq!(widths[2], 12, "{columns}: {widths:?}");
            if columns >= 100 {
                assert!(widths[0] >= 24, "{columns}: {widths:?}");
            }
            if columns >= 70 {
                assert_eq!(row(&widths), columns, "{columns}: {widths:?}");
            }
        }
    }
}
