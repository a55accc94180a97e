//! The fuzzy picker behind bare `badge` and ambiguous names.
//!
//! It draws on stderr, because the shell function captures stdout to
//! evaluate it, and reads keys from the terminal.

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
    let mut line = format!("{mark} {:<name_width$}", profile.name);
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
    line
}

/// Let the user choose among `profiles`, starting with `query` typed in.
/// `Ok(None)` when they leave with Esc or Ctrl-C.
pub fn pick(profiles: &[Profile], query: &str, active: Option<&str>) -> Result<Option<String>> {
    let name_width = profiles
        .iter()
        .map(|p| p.name.chars().count())
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
