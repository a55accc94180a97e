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

/// One line per profile: name, account name and id, role, session. The
/// active profile is marked so the user sees where they are.
fn line(profile: &Profile, name_width: usize, active: Option<&str>) -> String {
    let mark = if active == Some(profile.name) {
        "*"
    } else {
        " "
    };
    let mut line = format!("{mark} {:<name_width$}", printable(profile.name));
    let account = match (&profile.account_name, &profile.account_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.to_string(),
        (Some(name), None) => name.to_string(),
        (None, None) => String::new(),
    };
    for part in [
        account,
        profile.role_name.unwrap_or_default().to_owned(),
        profile
            .sso_session
            .as_ref()
            .map(|s| format!("[{s}]"))
            .unwrap_or_default(),
    ] {
        if !part.is_empty() {
            line.push_str("  ");
            line.push_str(&part);
        }
    }
    printable(&line).into_owned()
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
    let name_width = profiles
        .iter()
        .map(|p| printable(p.name).chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut picker = PickerOptions::new()
        .query(query)
        .prefer_prefix(true)
        .picker(RowRenderer);
    let injector = picker.injector();
    for profile in profiles {
        injector.push(Row {
            name: profile.name.to_owned(),
            line: line(profile, name_width, active),
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
    use super::printable;

    #[test]
    fn control_characters_are_drawn_not_sent() {
        assert_eq!(printable("prod/Admin é"), "prod/Admin é");
        assert_eq!(
            printable("a\x1b[31mb\tc\nd\x7f\u{9b}e"),
            r"a^[[31mb^Ic^Jd^?\u{9b}e"
        );
    }
}
