//! The record of the last `badge sync` of each sso-session, so that
//! `badge doctor` can tell whether the generated profiles are still what
//! badge wrote: a small JSON file per config file and session in badge's
//! state folder (`~/.local/state/badge/synced/<config>/<session>.json`,
//! both names hashes), holding when the sync ran, the settings it ran with
//! and a hash of the managed block as it was written.
//!
//! The config file itself is not the place: a key badge wrote there would
//! be edited along with the block it is meant to check. No token or secret
//! is ever part of a record.

use std::collections::BTreeMap;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::base::hash::{sha1_hex, sha256_hex};
use crate::base::time::format_time;
use crate::config::atomic::{remove_stale_temps, write_atomic};
use crate::config::document::Document;
use crate::config::paths::real_path;
use crate::config::private;

/// Format of the record files; a newer badge may write another.
const VERSION: u32 = 1;

/// What every key `badge sync` remembers starts with (see `settings`).
const REMEMBERED_PREFIX: &str = "badge_sync_";

/// What one sync left behind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    pub version: u32,
    pub sso_session: String,
    /// The config file, as its real path.
    pub config: PathBuf,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub synced_at: String,
    /// The keys of the `[sso-session]` section that decide what a sync
    /// writes (see [`settings_of`]), lower case, values trimmed.
    pub settings: BTreeMap<String, String>,
    /// SHA-256 of the managed block (its lines, `# BEGIN` to `# END`,
    /// joined by `\n`; see [`block_hash`]), or `None` when the sync left
    /// no block.
    pub block_sha256: Option<String>,
    /// Profiles the syncs of this session renamed, by old name, each to its
    /// newest name, for a shell whose `AWS_PROFILE` still names the old one
    /// (`badge current`, `badge doctor`). Added in badge 0.1; older records
    /// have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renamed: BTreeMap<String, String>,
}

/// Renames a record keeps at most; a record past it keeps only the last
/// sync's.
const MAX_RENAMES: usize = 20_000;

/// The settings of `session` that a sync depends on: where the portal is
/// (`sso_start_url`, `sso_region`, the default region) and every
/// `badge_sync_*` key it remembers, including any a later badge adds.
pub fn settings_of(doc: &Document, session: &str) -> BTreeMap<String, String> {
    let mut settings = BTreeMap::new();
    let Some(id) = doc.sso_session(session) else {
        return settings;
    };
    let section = doc.sections().find(|s| s.id == id);
    for (key, _) in section.iter().flat_map(|s| s.entries()) {
        let key = key.trim().to_lowercase();
        let wanted =
            key == "sso_start_url" || key == "sso_region" || key.starts_with(REMEMBERED_PREFIX);
        if wanted && let Some(value) = doc.get(id, &key) {
            settings.insert(key, value.trim().to_owned());
        }
    }
    settings
}

/// SHA-256 hex of the managed block of `session` in `doc`, line endings
/// left out (an editor that turns the file to CRLF edits no profile);
/// `None` when there is no such block. The lines hashed are
/// [`Document::recorded_block`]'s, which keeps the reading that records
/// already written hold.
pub fn block_hash(doc: &Document, session: &str) -> Option<String> {
    let lines = doc.recorded_block(session)?;
    Some(sha256_hex(lines.text().as_bytes()))
}

impl SyncRecord {
    /// The record of a sync that leaves `doc` as the config file.
    pub fn of(doc: &Document, config: &Path, session: &str) -> SyncRecord {
        SyncRecord {
            version: VERSION,
            sso_session: session.to_owned(),
            config: real_path(config),
            synced_at: format_time(SystemTime::now()),
            settings: settings_of(doc, session),
            block_sha256: block_hash(doc, session),
            renamed: BTreeMap::new(),
        }
    }

    /// This record with the renames of `previous` (the session's last
    /// record) followed through `renamed`, this sync's (old, new) names.
    pub fn with_renames(
        mut self,
        previous: Option<&SyncRecord>,
        renamed: &[(String, String)],
    ) -> SyncRecord {
        let now: BTreeMap<&str, &str> = renamed
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        let mut all: BTreeMap<String, String> = previous
            .map(|p| p.renamed.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|(from, to)| {
                let to = now.get(to.as_str()).map_or(to, |t| (*t).to_owned());
                (from, to)
            })
            .collect();
        for (from, to) in renamed {
            all.insert(from.clone(), to.clone());
        }
        all.retain(|from, to| from != to);
        if all.len() > MAX_RENAMES {
            all = renamed.iter().cloned().collect();
        }
        self.renamed = all;
        self
    }

    /// Writes the record into `state_dir`, atomically.
    pub fn save(&self, state_dir: &Path) -> Result<PathBuf> {
        let path = record_path(state_dir, &self.config, &self.sso_session);
        if let Some(dir) = path.parent() {
            private::dir(dir)?;
        }
        let mut json = serde_json::to_vec_pretty(self)?;
        json.push(b'\n');
        // What a sync killed while saving its record left.
        remove_stale_temps(&path);
        write_atomic(&path, &json).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// The record of the last sync of `session` into `config`: `Ok(None)`
    /// when there is none; an error names a file that cannot be read.
    pub fn load(state_dir: &Path, config: &Path, session: &str) -> Result<Option<SyncRecord>> {
        let path = record_path(state_dir, &real_path(config), session);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        let record: SyncRecord = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a sync record badge can read", path.display()))?;
        Ok((record.sso_session == session).then_some(record))
    }
}

/// The newest name of the profile `name` of `config`, when a sync of one of
/// its sessions renamed it (see [`SyncRecord::renamed`]).
pub fn renamed_to(state_dir: &Path, config: &Path, name: &str) -> Option<String> {
    let folder = folder_for(state_dir, config);
    let mut records: Vec<PathBuf> = fs::read_dir(folder)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    records.sort();
    records.iter().find_map(|path| {
        let record: SyncRecord = serde_json::from_slice(&fs::read(path).ok()?).ok()?;
        record.renamed.get(name).cloned()
    })
}

/// `<state>/synced/<hash of the config's real path>/<hash of the session>.json`.
/// The folder of the records of every sso-session synced into `config`.
pub fn folder_for(state_dir: &Path, config: &Path) -> PathBuf {
    let real = real_path(config);
    let config_key = &sha1_hex(real.as_os_str().as_bytes())[..16];
    state_dir.join("synced").join(config_key)
}

fn record_path(state_dir: &Path, real_config: &Path, session: &str) -> PathBuf {
    let config_key = &sha1_hex(real_config.as_os_str().as_bytes())[..16];
    state_dir
        .join("synced")
        .join(config_key)
        .join(format!("{}.json", &sha1_hex(session.as_bytes())[..16]))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::document::tests::config_text;

    /// [`super::block_hash`] of a config given as bytes.
    fn block_hash(bytes: &[u8], session: &str) -> Option<String> {
        super::block_hash(&Document::parse(bytes), session)
    }

    const CONFIG: &str = "[sso-session acme]\nsso_start_url = https://acme/start\n\
        sso_region = eu-west-1\nbadge_sync_template = {role_name}\nsso_registration_scopes = x\n\n\
        # BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)\n\
        [profile a]\nsso_session = acme\n# END badge sso-session=acme\n[profile mine]\n";

    #[test]
    fn block_hash_sees_edits_inside_the_block_only() {
        let hash = block_hash(CONFIG.as_bytes(), "acme").unwrap();
        assert_eq!(hash.len(), 64);
        let crlf = CONFIG.replace('\n', "\r\n");
        assert_eq!(block_hash(crlf.as_bytes(), "acme").as_ref(), Some(&hash));
        let outside = CONFIG.replace("[profile mine]", "[profile yours]");
        assert_eq!(block_hash(outside.as_bytes(), "acme").as_ref(), Some(&hash));
        let inside = CONFIG.replace("[profile a]", "[profile a]\nregion = us-east-1");
        assert_ne!(block_hash(inside.as_bytes(), "acme").as_ref(), Some(&hash));
        assert_eq!(block_hash(CONFIG.as_bytes(), "other"), None);
        assert_eq!(block_hash(CONFIG.as_bytes(), "acm"), None);
    }

    #[test]
    fn settings_are_the_portal_and_the_remembered_keys() {
        let doc = Document::parse(CONFIG.as_bytes());
        let settings = settings_of(&doc, "acme");
        let keys: Vec<&str> = settings.keys().map(String::as_str).collect();
        assert_eq!(keys, ["badge_sync_template", "sso_region", "sso_start_url"]);
        assert_eq!(settings["badge_sync_template"], "{role_name}");
    }

    #[test]
    fn saved_records_load_back_for_their_config_and_session_only() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        fs::write(&config, CONFIG).unwrap();
        let state = tmp.path().join("state");
        let doc = Document::parse(CONFIG.as_bytes());
        let record = SyncRecord::of(&doc, &config, "acme");
        record.save(&state).unwrap();
        assert_eq!(
            SyncRecord::load(&state, &config, "acme").unwrap(),
            Some(record)
        );
        assert_eq!(SyncRecord::load(&state, &config, "other").unwrap(), None);
        let elsewhere = tmp.path().join("config2");
        assert_eq!(SyncRecord::load(&state, &elsewhere, "acme").unwrap(), None);
    }

    /// `block_hash` as badge 0.1 wrote it into every record, kept here to
    /// hold the one that reads the document's markers to the same values:
    /// records already on users' disks must keep matching their blocks.
    fn reference_block_hash(bytes: &[u8], session: &str) -> Option<String> {
        const BEGIN_MARK: &str = "# BEGIN badge sso-session=";
        const END_MARK: &str = "# END badge sso-session=";
        fn begin_marker(trimmed: &str) -> Option<&str> {
            let rest = trimmed.strip_prefix(BEGIN_MARK)?;
            Some(
                rest.split_once(" (")
                    .map_or(rest, |(name, _)| name)
                    .trim_end(),
            )
        }
        fn split_lines(text: &str) -> impl Iterator<Item = &str> {
            let mut rest = Some(text);
            std::iter::from_fn(move || {
                let current = rest?;
                match current.find(['\n', '\r']) {
                    Some(at) => {
                        let len = if current[at..].starts_with("\r\n") {
                            2
                        } else {
                            1
                        };
                        rest = Some(&current[at + len..]).filter(|r| !r.is_empty());
                        Some(&current[..at])
                    }
                    None => {
                        rest = None;
                        Some(current)
                    }
                }
            })
        }
        let text = String::from_utf8_lossy(bytes);
        let mut block: Option<Vec<&str>> = None;
        for line in split_lines(&text) {
            let trimmed = line.trim();
            match &mut block {
                None => {
                    if begin_marker(trimmed) == Some(session) {
                        block = Some(vec![line]);
                    }
                }
                Some(lines) => {
                    lines.push(line);
                    if trimmed.strip_prefix(END_MARK) == Some(session) {
                        return Some(sha256_hex(lines.join("\n").as_bytes()));
                    }
                }
            }
        }
        None
    }

    fn pick(options: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
        prop::sample::select(options)
    }

    /// Sessions a block is written for: names `badge sync` can write.
    const WRITTEN: &[&str] = &["acme", "other", "a (b", "a"];
    /// Sessions hashed: those, and names only a hand edit makes.
    const HASHED: &[&str] = &["acme", "other", "a (b", "a", "acm", "acme ", ""];

    /// A marker line as a hand edit, a bad merge or a copied block leaves
    /// it: indented (also by whitespace only Python sees), with space after
    /// it, with the note, another one or none, of any session.
    fn marker_line() -> impl Strategy<Value = String> {
        (
            pick(&["", "", " ", "\t", "\u{a0}", "\x0c", "\x1c", "\u{3000}"]),
            pick(&["# BEGIN badge sso-session=", "# END badge sso-session="]),
            pick(HASHED),
            pick(&[
                " (generated by `badge sync`; edits inside are replaced)",
                "",
                "  (generated by `badge sync`; edits inside are replaced)",
                "(generated by `badge sync`; edits inside are replaced)",
                "\t(generated by `badge sync`; edits inside are replaced)",
                " (x)",
            ]),
            pick(&["", "", " ", "\t", "\x1c", "\u{a0}"]),
        )
            .prop_map(|(lead, mark, session, note, trail)| {
                format!("{lead}{mark}{session}{note}{trail}")
            })
    }

    type Pieces = (
        Vec<(String, &'static str)>,
        bool,
        Vec<(&'static str, Vec<String>, bool)>,
    );

    /// A config with marker lines anywhere, any line ends, with or without
    /// a final one, and then blocks written or removed by `badge sync`.
    fn config_with_markers() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![1 => config_text(), 3 => marker_line()];
        let pieces = prop::collection::vec((piece, pick(&["\n", "\r\n", "\r"])), 0..8);
        let names = prop::collection::vec("[a-z/]{1,6}", 0..3);
        let edits = prop::collection::vec((pick(WRITTEN), names, any::<bool>()), 0..3);
        (pieces, any::<bool>(), edits).prop_map(|(pieces, final_newline, edits): Pieces| {
            let mut text = String::new();
            let count = pieces.len();
            for (i, (piece, end)) in pieces.into_iter().enumerate() {
                text.push_str(&piece);
                if i + 1 < count || final_newline {
                    text.push_str(end);
                }
            }
            let mut doc = Document::parse(text.as_bytes());
            for (session, names, remove) in edits {
                if remove {
                    doc.remove_managed_block(session);
                } else {
                    let profiles: Vec<(String, Vec<(String, String)>)> = names
                        .into_iter()
                        .map(|n| (n, vec![("sso_session".to_owned(), session.to_owned())]))
                        .collect();
                    doc.replace_managed_block(session, &profiles);
                }
            }
            doc.to_bytes()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn block_hashes_are_those_records_hold(bytes in config_with_markers()) {
            for session in HASHED {
                prop_assert_eq!(
                    block_hash(&bytes, session),
                    reference_block_hash(&bytes, session),
                    "session {:?} of {:?}", session, String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

    /// Every sequence of up to three marker lines from a small set, between
    /// key lines of a profile, hashed for every session.
    #[test]
    fn block_hashes_are_those_records_hold_for_every_small_sequence() {
        let mut variants = Vec::new();
        for mark in ["# BEGIN badge sso-session=", "# END badge sso-session="] {
            for session in ["acme", "other", "a (b", "acme "] {
                for note in [
                    " (generated by `badge sync`; edits inside are replaced)",
                    "",
                ] {
                    variants.push(format!("{mark}{session}{note}"));
                }
            }
        }
        let mut sequences: Vec<Vec<&str>> = vec![Vec::new()];
        let mut compared = 0;
        for _ in 0..3 {
            let longer: Vec<Vec<&str>> = sequences
                .iter()
                .flat_map(|s| {
                    variants.iter().map(move |v| {
                        let mut s = s.clone();
                        s.push(v.as_str());
                        s
                    })
                })
                .collect();
            for sequence in &longer {
                let mut text = String::from("[profile a]\nregion = x\n");
                for marker in sequence {
                    text.push_str(marker);
                    text.push_str("\n[profile b]\nk = v\n");
                }
                for session in ["acme", "other", "a (b", "acme ", "a"] {
                    assert_eq!(
                        block_hash(text.as_bytes(), session),
                        reference_block_hash(text.as_bytes(), session),
                        "session {session:?} of {text:?}"
                    );
                    compared += 1;
                }
            }
            sequences = longer;
        }
        assert_eq!(compared, (16 + 16 * 16 + 16 * 16 * 16) * 5);
    }
}
