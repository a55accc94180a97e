//! The fuzzy picker behind bare `badge` and ambiguous names.
//!
//! It draws on stderr, because the shell function captures stdout to
//! evaluate it, and reads keys from the terminal. Names and account names
//! are drawn through [`printable`]: a config can hold escape sequences, and
//! the terminal must show them, not obey them. It knows nothing of the
//! config: the caller hands it one [`Choice`] a profile.
//!
//! It behaves like fzf: every profile is in it, with what was typed as the
//! query, which can be edited or cleared; the cursor starts on the active
//! profile; Esc and Ctrl-C leave it with [`Cancelled`] (exit status 130).
//! Lines are cut to the terminal's width here, one `…` a cut cell, so
//! that nucleo-picker never cuts them itself (it draws two ellipses where
//! a wide character meets the edge). What a cut hides is not searched:
//! nucleo-picker matches the text it shows.

use std::convert::Infallible;
use std::fmt;
use std::io::{self, BufWriter, IsTerminal};
use std::mem;
use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::KeyEvent;
use nucleo_picker::error::PickError;
use nucleo_picker::event::{
    Event, EventSource, MatchListEvent, Observer, PickerStatus, RecvError, StdinReader,
    keybind_no_multi,
};
use nucleo_picker::nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_picker::nucleo::{Config, Matcher, Utf32String};
use nucleo_picker::{PickerOptions, Render};

use crate::base::text::{display_width, ellipsized, padded, printable, shrink_to_fit};

/// A profile as the picker shows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choice<'a> {
    pub name: &'a str,
    pub account_name: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub role_name: Option<&'a str>,
    pub sso_session: Option<&'a str>,
}

/// The user left the picker (Esc or Ctrl-C) without choosing. badge then
/// changes nothing and exits with 130, as fzf does and as a shell reports
/// an interrupted command.
#[derive(Debug)]
pub struct Cancelled;

impl Cancelled {
    pub const EXIT_STATUS: u8 = 130;
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no profile chosen")
    }
}

impl std::error::Error for Cancelled {}

struct Row {
    name: String,
    line: String,
}

struct RowRenderer;

impl Render<Row> for RowRenderer {
    type Str<'a> = &'a str;

    fn render<'a>(&self, row: &'a Row) -> &'a str {
        &row.line
    }
}

/// Columns nucleo-picker takes from a line: its selection mark (two) and
/// the room it keeps after a highlighted match (three), past which it
/// scrolls the line sideways.
const PICKER_MARGIN: usize = 5;
/// Our mark of the active profile, and the gaps between the four columns.
const LINE_OVERHEAD: usize = 2 + 3 * 2;
/// No column is cut below this many columns while another can give; the
/// name keeps more.
const MIN_NAME: usize = 24;
const MIN_COLUMN: usize = 5;

/// The columns of a profile's line: name, account name and id, role,
/// session, each made printable.
fn cells(profile: &Choice) -> [String; 4] {
    let account = match (&profile.account_name, &profile.account_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.to_string(),
        (Some(name), None) => name.to_string(),
        (None, None) => String::new(),
    };
    let session = profile
        .sso_session
        .as_ref()
        .map(|s| format!("[{s}]"))
        .unwrap_or_default();
    [
        profile.name.to_owned(),
        account,
        profile.role_name.unwrap_or_default().to_owned(),
        session,
    ]
    .map(|cell| printable(&cell).into_owned())
}

/// Column widths for `rows`, narrowed to fit a terminal of `columns` (the
/// widest column first, the name last below [`MIN_NAME`]).
fn widths(rows: &[[String; 4]], columns: Option<usize>) -> [usize; 4] {
    let mut widths = [0; 4];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    if let Some(columns) = columns {
        let room = columns.saturating_sub(PICKER_MARGIN + LINE_OVERHEAD);
        let min = |name_min: usize| {
            let mut min = widths.map(|w| w.min(MIN_COLUMN));
            min[0] = widths[0].min(name_min);
            min
        };
        let (soft, hard) = (min(MIN_NAME), min(MIN_COLUMN));
        shrink_to_fit(&mut widths, &soft, room);
        shrink_to_fit(&mut widths, &hard, room);
    }
    widths
}

/// One line per profile, in columns: name, account name and id, role,
/// session, each cut to its width. The active profile is marked so the
/// user sees where they are.
fn line(cells: &[String; 4], widths: &[usize; 4], active: bool) -> String {
    let mut line = String::from(if active { "* " } else { "  " });
    let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
    for (i, (cell, &width)) in cells.iter().zip(widths).enumerate().take(last + 1) {
        if i > 0 {
            line.push_str("  ");
        }
        let cell = ellipsized(cell, width);
        if i < last {
            line.push_str(&padded(&cell, width));
        } else {
            line.push_str(&cell);
        }
    }
    line
}

/// Where line `wanted` of `lines` stands in the list the picker shows for
/// `query`, counted from the best match; `None` when `query` does not
/// match it. The order is nucleo's: every line in order for an empty
/// query, else by score (as the picker scores: smart case, prefixes
/// preferred), then shorter lines, then in order.
fn rank(lines: &[String], wanted: usize, query: &str) -> Option<(u32, u32)> {
    if query.is_empty() {
        let total = u32::try_from(lines.len()).ok()?;
        return Some((u32::try_from(wanted).ok()?, total));
    }
    let mut config = Config::DEFAULT;
    config.prefer_prefix = true;
    let mut matcher = Matcher::new(config);
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let key = |i: usize, matcher: &mut Matcher| {
        let haystack = Utf32String::from(lines[i].as_str());
        let score = pattern.score(haystack.slice(..), matcher)?;
        Some((std::cmp::Reverse(score), haystack.len(), i))
    };
    let wanted_key = key(wanted, &mut matcher)?;
    let (mut before, mut matched) = (0u32, 0u32);
    for i in 0..lines.len() {
        if let Some(k) = key(i, &mut matcher) {
            matched += 1;
            before += u32::from(k < wanted_key);
        }
    }
    Some((before, matched))
}

/// The keys typed, read as nucleo-picker reads them, plus two things fzf
/// does: the cursor is moved to where it should start once the list is
/// matched (`start`: its place, and how many lines match), and it goes
/// back to the best match whenever the query changes.
struct Keys {
    keys: StdinReader<Infallible, fn(KeyEvent) -> Option<Event>>,
    status: Observer<PickerStatus>,
    start: Option<(u32, u32)>,
    asked: bool,
    to_top: bool,
}

impl EventSource for Keys {
    type AbortErr = Infallible;

    fn recv_timeout(&mut self, duration: Duration) -> Result<Event, RecvError> {
        if mem::take(&mut self.to_top) {
            return Ok(Event::MatchList(MatchListEvent::Reset));
        }
        if let Some((place, matched)) = self.start {
            if let Ok(status) = self.status.try_recv() {
                self.asked = false;
                if !status.matching && !status.injecting {
                    self.start = None;
                    // The list is what we expect: the line is there.
                    if status.matched_item_count == matched && place > 0 {
                        return Ok(Event::MatchList(MatchListEvent::Up(place as usize)));
                    }
                }
            }
            if !mem::replace(&mut self.asked, true) {
                return Ok(Event::Status { id: 0 });
            }
        }
        let event = match self.keys.recv_timeout(duration) {
            // A terminal that hung up (its window closed) reads as nothing
            // at once, forever: without this the picker would spin on it.
            Err(RecvError::Timeout) if !terminal_is_there() => {
                return Err(RecvError::Disconnected);
            }
            other => other?,
        };
        // Once the user acts, the cursor is theirs.
        self.start = None;
        if let Event::Prompt(edit) = &event {
            self.to_top = !edit.is_cursor_movement();
        }
        Ok(event)
    }
}

/// Whether the picker still has its terminal: after a hang-up, every
/// terminal request on it fails, so it is no terminal any more.
fn terminal_is_there() -> bool {
    io::stdin().is_terminal() && io::stderr().is_terminal()
}

/// Let the user choose among `profiles`, starting with `query` typed in
/// and the cursor on `active`, lines cut to a terminal of `columns`.
/// [`Cancelled`] when they leave with Esc or Ctrl-C.
pub fn pick(
    profiles: &[Choice],
    query: &str,
    active: Option<&str>,
    columns: Option<usize>,
) -> Result<String> {
    let rows: Vec<[String; 4]> = profiles.iter().map(cells).collect();
    let widths = widths(&rows, columns);
    let lines: Vec<String> = profiles
        .iter()
        .zip(&rows)
        .map(|(profile, cells)| line(cells, &widths, active == Some(profile.name)))
        .collect();
    let start = active
        .and_then(|name| profiles.iter().position(|p| p.name == name))
        .and_then(|i| rank(&lines, i, query));
    let mut picker = PickerOptions::new()
        .query(query)
        .prefer_prefix(true)
        .picker(RowRenderer);
    let status = picker.status_observer();
    // All rows at once, and no injector left open: nucleo-picker spins its
    // spinner while one is, and shows its matching mark only while it
    // matches.
    picker.push_batch(profiles.iter().zip(lines).map(|(profile, line)| Row {
        name: profile.name.to_owned(),
        line,
    }));
    let stderr = io::stderr();
    if !stderr.is_terminal() {
        return Err(PickError::<Infallible>::NotInteractive).context("the picker failed");
    }
    let keys = Keys {
        keys: StdinReader::new(keybind_no_multi as fn(KeyEvent) -> Option<Event>),
        status,
        start,
        asked: false,
        to_top: false,
    };
    match picker.pick_with_io(keys, &mut BufWriter::new(stderr.lock())) {
        Ok(Some(row)) => Ok(row.name.clone()),
        Ok(None) | Err(PickError::UserInterrupted) => Err(Cancelled.into()),
        Err(err) => Err(err).context("the picker failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use nucleo_picker::nucleo::{MatchListConfig, Nucleo};

    use super::*;

    fn profile<'a>(name: &'a str, account: &'a str, role: &'a str) -> Choice<'a> {
        Choice {
            name,
            sso_session: Some("acme"),
            account_id: Some("111111111111"),
            account_name: Some(account),
            role_name: Some(role),
        }
    }

    /// Where each of `columns` starts in `line`, counted in terminal columns.
    fn starts(line: &str, columns: &[&str]) -> Vec<usize> {
        columns
            .iter()
            .map(|c| display_width(&line[..line.find(c).expect(c)]))
            .collect()
    }

    #[test]
    fn columns_line_up_with_wide_characters() {
        let profiles = [
            profile("café/Admin", "Café Ünïcode 中文", "AdministratorAccess"),
            profile("rocket/Read", "emoji 🚀 rocket", "ReadOnly"),
            profile("p", "plain", "PowerUser"),
        ];
        let rows: Vec<[String; 4]> = profiles.iter().map(cells).collect();
        let widths = widths(&rows, None);
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| line(r, &widths, i == 2))
            .collect();
        let account = |i: usize| profiles[i].account_name.unwrap();
        let role = |i: usize| profiles[i].role_name.unwrap();
        let at: Vec<Vec<usize>> = (0..3)
            .map(|i| starts(&lines[i], &[account(i), role(i), "[acme]"]))
            .collect();
        assert_eq!(at[0], at[1], "{lines:#?}");
        assert_eq!(at[0], at[2], "{lines:#?}");
        assert!(lines[2].starts_with("* p "), "{lines:#?}");
        assert!(lines[0].starts_with("  café/Admin  "), "{lines:#?}");
        assert!(lines.iter().all(|l| !l.ends_with(' ')), "{lines:#?}");
    }

    #[test]
    fn lines_fit_the_terminal_with_one_ellipsis_a_cut() {
        let long = "中文".repeat(30) + "/Admin";
        let account = "開発環境".repeat(10);
        let profiles = [
            profile(&long, &account, "AdministratorAccess"),
            profile("prod", "Production", "ReadOnlyAccess"),
        ];
        let rows: Vec<[String; 4]> = profiles.iter().map(cells).collect();
        for columns in [40, 80, 81, 120, 160] {
            let widths = widths(&rows, Some(columns));
            for (i, row) in rows.iter().enumerate() {
                let line = line(row, &widths, false);
                assert!(
                    display_width(&line) + PICKER_MARGIN <= columns,
                    "{columns}: {line}"
                );
                assert!(!line.contains("……"), "{columns}: {line}");
                if i == 1 && columns >= 80 {
                    assert!(line.contains("  prod  "), "{columns}: {line}");
                }
            }
            if columns >= 120 {
                // The name and the account are cut, once each.
                assert_eq!(line(&rows[0], &widths, false).matches('…').count(), 2);
            }
        }
    }

    /// The engine the picker runs, over `lines`, for `query`: the lines
    /// it shows, best first.
    fn engine_order(lines: &[String], query: &str) -> Vec<usize> {
        let mut config = Config::DEFAULT;
        config.prefer_prefix = true;
        let list = MatchListConfig {
            sort_results: true,
            reverse_items: false,
        };
        let mut nucleo = Nucleo::with_match_list_config(config, Arc::new(|| {}), Some(1), 1, list);
        let injector = nucleo.injector();
        for (i, line) in lines.iter().enumerate() {
            injector.push(i, |_, columns| columns[0] = line.as_str().into());
        }
        nucleo
            .pattern
            .reparse(0, query, CaseMatching::Smart, Normalization::Smart, false);
        while nucleo.tick(50).running {}
        let snapshot = nucleo.snapshot();
        snapshot.matched_items(..).map(|item| *item.data).collect()
    }

    #[test]
    fn rank_is_where_the_engine_shows_a_line() {
        let names = [
            "dev-alpha",
            "dev-beta",
            "prod",
            "prod-readonly",
            "Production-Admin",
            "staging-eu",
            "über-中文",
            "acct-0042-prod/AdministratorAccess",
            "acct-0042-prod/ReadOnly",
            "acct-0420-staging/AdministratorAccess",
        ];
        let lines: Vec<String> = names
            .iter()
            .map(|n| line(&cells(&profile(n, "acct", "Role")), &[40, 20, 10, 6], false))
            .collect();
        for query in [
            "", "dev", "prod", "Prod", "adm", "ro", "a", "中", "zzz", "acct 42",
        ] {
            let order = engine_order(&lines, query);
            for (wanted, name) in names.iter().enumerate() {
                let want = order
                    .iter()
                    .position(|&i| i == wanted)
                    .map(|at| (at as u32, order.len() as u32));
                assert_eq!(rank(&lines, wanted, query), want, "{query:?} {name}");
            }
        }
    }
}
