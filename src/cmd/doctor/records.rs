//! The managed blocks against the record of their last sync: edited by
//! hand since, or written with settings the session no longer has.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Finding, Severity};
use crate::config::document::Document;
use crate::config::paths::Paths;
use crate::shell::shell_word;
use crate::sync::record::{SyncRecord, block_hash, settings_of};
use crate::ui::say::command;

/// Generated profiles as the last sync wrote them, with the settings the
/// session remembers now, for each of `sessions`.
pub(super) fn sync_records(
    paths: &Paths,
    state: Option<&Path>,
    config: &Document,
    sessions: &[String],
) -> Vec<Finding> {
    let cmd = command();
    let check = "sync";
    let file = paths.config.display();
    let mut found = Vec::new();
    for name in sessions {
        let sync = shell_word(name).map(|name| format!("{cmd} sync --sso-session {name}"));
        let record = match state {
            Some(dir) => SyncRecord::load(dir, &paths.config, name),
            None => Ok(None),
        };
        let hash = block_hash(config, name);
        let finding = match (record, &hash) {
            (Err(err), _) => Finding::new(
                check,
                Severity::Warning,
                format!("{err:#}; the next sync writes a new one"),
            )
            .fix_word(sync),
            (Ok(None), None) => continue,
            (Ok(None), Some(_)) => Finding::new(
                check,
                Severity::Ok,
                format!(
                    "the generated profiles of sso-session {name} have no record of their last \
                     sync (written by an older badge, or another copy of this file); the next \
                     sync keeps one"
                ),
            )
            .fix_word(sync),
            (Ok(Some(record)), _) if record.block_sha256 != hash => {
                let what = match hash {
                    Some(_) => "was edited by hand since",
                    None => "is gone from the file since",
                };
                Finding::new(
                    check,
                    Severity::Warning,
                    format!(
                        "the managed block of sso-session {name} in {file} {what} badge sync \
                         wrote it ({}); the next sync replaces it: move edits you want to keep \
                         outside the block",
                        record.synced_at
                    ),
                )
                .fix_word(sync)
            }
            (Ok(Some(record)), _) => {
                let now = settings_of(config, name);
                if now != record.settings {
                    let changed: BTreeSet<&str> = now
                        .keys()
                        .chain(record.settings.keys())
                        .filter(|k| now.get(*k) != record.settings.get(*k))
                        .map(String::as_str)
                        .collect();
                    Finding::new(
                        check,
                        Severity::Warning,
                        format!(
                            "the generated profiles of sso-session {name} are stale: {} changed \
                             in [sso-session {name}] since the last sync ({})",
                            changed.into_iter().collect::<Vec<_>>().join(", "),
                            record.synced_at
                        ),
                    )
                    .fix_word(sync)
                } else {
                    Finding::new(
                        check,
                        Severity::Ok,
                        format!(
                            "the generated profiles of sso-session {name} are as the last sync \
                             wrote them ({})",
                            record.synced_at
                        ),
                    )
                }
            }
        };
        found.push(finding.path(&paths.config).session(name));
    }
    found
}
