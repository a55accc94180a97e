//! The fuzzy picker behind bare `badge` and ambiguous names.
//!
//! It draws on stderr, because the shell function captures stdout to
//! evaluate it, and reads keys from the terminal. Names and account names
//! are drawn through [`printable`]: a config can hold escape sequences, and
//! the terminal must show them, not obey them.

use std::borrow::Cow;

use anyhow::{Context as _, Result};
use nucleo_picker::error::PickError;
use nucleo_picker::{PickerOptions, Render};

use crate::config::profiles::Profile;

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

/// The columns of a profile's line: name, account name and id, role,
/// session, each made printable.
fn cells(profile: &Profile) -> [String; 4] {
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

/// Column widths for `rows`, each capped so that one long value does not
/// push every other line off the screen.
fn widths(rows: &[[String; 4]]) -> [usize; 3] {
    let mut widths = [0; 3];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    [widths[0].min(48), widths[1].min(48), widths[2].min(32)]
}

/// One line per profile, in columns: name, account name and id, role,
/// session. The active profile is marked so the user sees where they are.
fn line(cells: &[String; 4], widths: &[usize; 3], active: bool) -> String {
    let mut line = String::from(if active { "* " } else { "  " });
    let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
    for (i, cell) in cells.iter().enumerate().take(last + 1) {
        if i > 0 {
            line.push_str("  ");
        }
        match widths.get(i) {
            Some(&width) if i < last => line.push_str(&padded(cell, width)),
            _ => line.push_str(cell),
        }
    }
    line
}

/// The columns `text` takes on a terminal: two for wide characters (CJK,
/// most emoji), none for combining marks.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` columns (none when it is wider).
fn padded(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    format!("{text}{:pad$}", "")
}

/// `text` with its control characters made visible, for a terminal:
/// `^[` for ESC, `^I` for a tab, `^?` for DEL (as readline and zsh show
/// them), `\u{9b}` for the C1 controls that some terminals obey too.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0'..='\x1f' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\x7f' => out.push_str("^?"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Let the user choose among `profiles`, starting with `query` typed in.
/// `Ok(None)` when they leave with Esc or Ctrl-C.
pub fn pick(profiles: &[Profile], query: &str, active: Option<&str>) -> Result<Option<String>> {
    let rows: Vec<[String; 4]> = profiles.iter().map(cells).collect();
    let widths = widths(&rows);
    let mut picker = PickerOptions::new()
        .query(query)
        .prefer_prefix(true)
        .picker(RowRenderer);
    let injector = picker.injector();
    for (profile, cells) in profiles.iter().zip(&rows) {
        injector.push(Row {
            name: profile.name.to_owned(),
            line: line(cells, &widths, active == Some(profile.name)),
        });
    }
    match picker.pick() {
        Ok(choice) => Ok(choice.map(|row| row.name.clone())),
        Err(PickError::UserInterrupted) => Ok(None),
        Err(err) => Err(err).context("the picker failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profiles::Source;

    fn profile<'a>(name: &'a str, account: &'a str, role: &'a str) -> Profile<'a> {
        Profile {
            name,
            source: Source::Config,
            sso_session: Some("acme"),
            account_id: Some("111111111111"),
            account_name: Some(account),
            role_name: Some(role),
            region: None,
            generated_by: None,
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
        let widths = widths(&rows);
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
    fn control_characters_are_drawn_not_sent() {
        assert_eq!(printable("prod/Admin é"), "prod/Admin é");
        assert_eq!(
            printable("a\x1b[31mb\tc\nd\x7f\u{9b}e"),
            r"a^[[31mb^Ic^Jd^?\u{9b}e"
        );
    }
}
