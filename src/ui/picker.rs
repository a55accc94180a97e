//! The fuzzy picker behind bare `badge` and ambiguous names.
//!
//! It draws on stderr, because the shell function captures stdout to
//! evaluate it, and reads keys from the terminal. Names and account names
//! are drawn through [`printable`]: a config can hold escape sequences, and
//! the terminal must show them, not obey them. It knows nothing of the
//! config: the caller hands it one [`Choice`] a profile.

use anyhow::{Context as _, Result};
use nucleo_picker::error::PickError;
use nucleo_picker::{PickerOptions, Render};

use crate::base::text::{display_width, padded, printable};

/// A profile as the picker shows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choice<'a> {
    pub name: &'a str,
    pub account_name: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub role_name: Option<&'a str>,
    pub sso_session: Option<&'a str>,
}

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

/// Let the user choose among `profiles`, starting with `query` typed in.
/// `Ok(None)` when they leave with Esc or Ctrl-C.
pub fn pick(profiles: &[Choice], query: &str, active: Option<&str>) -> Result<Option<String>> {
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
}
