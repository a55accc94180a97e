//! Fuzz targets: the properties badge promises about the files it edits,
//! the names it makes, the token cache it reads and the words it hands to a
//! shell, each as a function that panics when one does not hold.
//!
//! The cargo-fuzz crate under `fuzz/` calls the `&[u8]` functions; the
//! proptests in `tests/fuzz_props.rs` call the same functions, and the
//! structured ones, with generated input. Nothing here is used by badge
//! itself.
//!
//! Byte input: most targets read `CONFIG [\0\xff CHOICES]`. `CONFIG` is a
//! config file as it would be on disk (so a seed corpus is a set of real
//! looking files); `CHOICES`, after the first `\0\xff`, steers the edits, one
//! byte per choice. Without them the choices come from a hash of `CONFIG`.
//!
//! Where a target must not feed badge what its own contract forbids (a key
//! with `=`, a session name with spaces around it), it skips that input and
//! says so next to the check.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::base::time::{format_time, parse_time};
use crate::config::document::{Document, SectionKind, section_header};
use crate::config::paths::Paths;
use crate::config::pieces;
use crate::config::profiles::Profiles;
use crate::config::sessions::SsoSession;
use crate::sso::portal::{Assignment, Discovery, SkippedAccount};
use crate::sso::token_cache::{CachedToken, LoginState, TokenCache};
use crate::sync::naming::{
    Collision, DEFAULT_TEMPLATE, Template, Vars, assign_names, clean_value, is_allowed, is_sdk_safe,
};
use crate::sync::plan::{PlanInput, SyncPlan};
use crate::sync::regions::RegionRules;
use crate::sync::settings::SyncSettings;

pub mod reference;
mod shells;

pub use reference::read_back;
use reference::{Reading, key_eq, trim};
pub use shells::{SHELLS, shell_round_trip};

/// Separates a config file from the choices that steer a target.
pub const CHOICES_MARK: &[u8] = b"\0\xff";

// ----- input -----

/// The config bytes and the choices of a byte input.
pub fn split_input(data: &[u8]) -> (&[u8], Vec<u8>) {
    match memchr::memmem::find(data, CHOICES_MARK) {
        Some(at) => (&data[..at], data[at + CHOICES_MARK.len()..].to_vec()),
        None => (data, derived_choices(data, 64)),
    }
}

/// `n` choices from a hash of `data` (FNV-1a, then xorshift).
fn derived_choices(data: &[u8], n: usize) -> Vec<u8> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut state = hash | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Choices read one byte at a time; past the end every choice is 0.
pub struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u8]) -> Choices<'a> {
        Choices { data, at: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.at >= self.data.len()
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.byte()) % n
        }
    }

    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    pub fn pick<T: Clone>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())].clone()
    }

    /// Up to `max` bytes of the choices as text.
    pub fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        let start = self.at.min(self.data.len());
        let end = (self.at + len).min(self.data.len());
        self.at += len;
        String::from_utf8_lossy(&self.data[start..end]).into_owned()
    }
}

/// A folder of this process's own for the targets that need files.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Those of processes that are gone first.
        let tmp = std::env::temp_dir();
        for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix("badge-fuzz-"));
            if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("badge-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("cannot create a scratch folder");
        dir
    })
}

/// A scratch folder for the calling thread (tests run targets in parallel).
fn thread_scratch(what: &str) -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let name: String = thread.chars().filter(char::is_ascii_digit).collect();
    let dir = scratch().join(format!("{what}-{name}"));
    fs::create_dir_all(&dir).expect("cannot create a scratch folder");
    dir
}

// ----- the config document -----

/// Keys the edits use; [`valid_key`] says which of any others `set` takes.
const KEYS: &[&str] = &[
    "region",
    "REGION",
    "output",
    "sso_session",
    "s3",
    "new_key",
    "ключ",
    "\u{212a}ey",
];
const VALUES: &[&str] = &[
    "eu-west-1",
    "",
    "a\nb",
    "x = y",
    "[profile z]",
    "  spaced  ",
    "line\r\nbreak\rhere",
    "\n  max_concurrent_requests = 20\n  addressing_style = path",
    "first\n\n\nafter blanks\n\n",
    "# not a comment",
    "tab\tin",
    "\u{a0}nbsp\u{a0}",
];
const NAMES: &[&str] = &[
    "dev",
    "Prod/Admin",
    "a b",
    "quote\"d",
    "x'y",
    "back\\slash",
    "default",
    "ünï",
    " padded ",
    "",
];
const SESSIONS: &[&str] = &["acme", "other", "a (b", "x y", "ünï", "acme2"];

/// An edit of a config document, as the public editing API offers them.
#[derive(Clone, Debug)]
pub enum Edit {
    /// `set` on the section at this place (modulo the number of sections).
    Set {
        section: usize,
        key: String,
        value: String,
    },
    RemoveKey {
        section: usize,
        key: String,
    },
    AddSection {
        header: Header,
        entries: Vec<(String, String)>,
    },
    ReplaceBlock {
        session: BlockSession,
        profiles: Vec<(String, Vec<(String, String)>)>,
    },
    RemoveBlock {
        session: BlockSession,
    },
}

/// The header of a new section.
#[derive(Clone, Debug)]
pub enum Header {
    /// Built by `section_header(prefix, name)`, so its kind is known.
    Named(&'static str, String),
    Raw(String),
}

/// Which managed block an edit names.
#[derive(Clone, Debug)]
pub enum BlockSession {
    /// The session of the file's block at this place, if it has blocks.
    Existing(usize),
    Named(String),
}

fn choose_key(c: &mut Choices) -> String {
    if c.below(8) == 0 {
        c.text(8)
    } else {
        c.pick(KEYS).to_owned()
    }
}

fn choose_value(c: &mut Choices) -> String {
    if c.flag() {
        c.pick(VALUES).to_owned()
    } else {
        c.text(24)
    }
}

fn choose_name(c: &mut Choices) -> String {
    if c.below(4) == 0 {
        c.text(10)
    } else {
        c.pick(NAMES).to_owned()
    }
}

fn choose_session(c: &mut Choices) -> BlockSession {
    match c.below(4) {
        0 | 1 => BlockSession::Existing(c.byte().into()),
        2 => BlockSession::Named(c.pick(SESSIONS).to_owned()),
        _ => BlockSession::Named(c.text(8)),
    }
}

fn choose_entries(c: &mut Choices, max: usize) -> Vec<(String, String)> {
    (0..c.below(max + 1))
        .map(|_| (choose_key(c), choose_value(c)))
        .collect()
}

/// Edits steered by `choices`, at most `max`.
pub fn decode_edits(choices: &[u8], max: usize) -> Vec<Edit> {
    let mut c = Choices::new(choices);
    let mut edits = Vec::new();
    for _ in 0..max {
        if c.is_done() {
            break;
        }
        let edit = match c.below(8) {
            0 | 1 => Edit::Set {
                section: c.byte().into(),
                key: choose_key(&mut c),
                value: choose_value(&mut c),
            },
            2 => Edit::RemoveKey {
                section: c.byte().into(),
                key: choose_key(&mut c),
            },
            3 => Edit::AddSection {
                header: if c.flag() {
                    let prefix = c.pick(&["profile", "sso-session", "services"]);
                    Header::Named(prefix, choose_name(&mut c))
                } else {
                    Header::Raw(c.text(12))
                },
                entries: choose_entries(&mut c, 3),
            },
            // Removing one section, which badge never does: its byte is
            // still read, so that committed inputs decode as they always did.
            4 => {
                c.byte();
                continue;
            }
            5 | 6 => Edit::ReplaceBlock {
                session: choose_session(&mut c),
                profiles: (0..c.below(4))
                    .map(|_| (choose_name(&mut c), choose_entries(&mut c, 4)))
                    .collect(),
            },
            _ => Edit::RemoveBlock {
                session: choose_session(&mut c),
            },
        };
        edits.push(edit);
    }
    edits
}

/// `key` is one `set` and `add_section` take: the document panics on any
/// other, by contract (keys are badge's own names, never user data).
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && trim(key) == key
        && !key.contains(['=', ':', '\r', '\n'])
        && !key.starts_with(['[', '#', ';'])
}

/// A session name a managed block can hold (`badge sync` refuses others).
pub fn valid_session(name: &str) -> bool {
    !name.is_empty() && trim(name) == name && !name.contains(['\r', '\n'])
}

/// A value a config file can hold: `set` and the block edits panic on any
/// other, by contract (a later line that starts with `#` or `;` would read
/// back as a comment); badge checks what users give before.
fn holdable(value: &str) -> bool {
    Document::can_hold(value)
}

/// Target `config_document`: any bytes read back byte for byte, read as the
/// plain reading does, and every edit steered by the choices changes only
/// its target and reads back as intended.
pub fn config_document(data: &[u8]) {
    let (config, choices) = split_input(data);
    let edits = decode_edits(&choices, 8);
    config_edits(config, &edits);
}

/// [`config_document`] with the edits given.
pub fn config_edits(config: &[u8], edits: &[Edit]) {
    let mut doc = Document::parse(config);
    assert_eq!(doc.to_bytes(), config, "parse then write changed the bytes");
    let mut reading = reference::read(config);
    check_reading(&doc, &reading);
    for edit in edits {
        let before = doc.to_bytes();
        if !apply_edit(&mut doc, &reading, edit) {
            continue;
        }
        let after = doc.to_bytes();
        let after_reading = reference::read(&after);
        check_reading(&doc, &after_reading);
        let again = Document::parse(&after);
        assert_eq!(again.to_bytes(), after);
        check_reading(&again, &after_reading);
        check_edit(&before, &reading, edit, &after, &after_reading, &doc);
        reading = after_reading;
    }
}

/// The document reads as the plain reading does: same sections, headers,
/// entries, managed blocks, and values as `get` finds them.
pub fn check_reading(doc: &Document, reading: &Reading) {
    let sections: Vec<_> = doc.sections().collect();
    assert_eq!(sections.len(), reading.sections.len(), "number of sections");
    for (i, (s, r)) in sections.iter().zip(&reading.sections).enumerate() {
        assert_eq!(s.header, r.header, "header of section {i}");
        let entries: Vec<(&str, &str)> = s.entries().collect();
        let expected: Vec<(&str, &str)> = r
            .entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(entries, expected, "entries of section {i} [{}]", r.header);
        assert_eq!(s.managed_by, reading.managed_by(i), "block of section {i}");
        if i < 64 {
            let keys = r.entries.iter().map(|(k, _)| k.as_str()).take(8);
            for key in keys.chain(["region", "sso_session"]) {
                assert_eq!(s.get(key), reading.get(i, key), "section {i}, key {key:?}");
            }
        }
        if let Some(name) = s.kind.profile_name().filter(|_| i < 64) {
            let last = sections
                .iter()
                .rposition(|t| t.kind.profile_name() == Some(name));
            let last = last.map(|i| sections[i].id);
            assert_eq!(doc.profile(name), last, "profile {name:?}");
        }
    }
    for block in &reading.blocks {
        let found = doc.managed_block(&block.session);
        assert!(found.is_some(), "block {:?} not found", block.session);
    }
    // Each block, with its lines from `# BEGIN` to `# END` and their numbers.
    let bytes = doc.to_bytes();
    let blocks: Vec<_> = doc.managed_blocks().collect();
    assert_eq!(blocks.len(), reading.blocks.len(), "number of blocks");
    for (block, r) in blocks.iter().zip(&reading.blocks) {
        assert_eq!(block.session, r.session, "session of a block");
        let lines: Vec<(usize, &str)> = block.lines().iter().collect();
        let expected: Vec<(usize, String)> = (r.begin..=r.end)
            .map(|i| {
                let line = &reading.lines[i];
                let text = String::from_utf8_lossy(&bytes[line.start..line.end]);
                (i + 1, text.into_owned())
            })
            .collect();
        let expected: Vec<(usize, &str)> = expected.iter().map(|(n, l)| (*n, l.as_str())).collect();
        assert_eq!(lines, expected, "lines of the block of {:?}", r.session);
        let text: Vec<&str> = expected.iter().map(|(_, l)| *l).collect();
        assert_eq!(
            block.lines().text(),
            text.join("\n"),
            "text of the block of {:?}",
            r.session
        );
    }
    for (i, s) in sections.iter().enumerate() {
        assert_eq!(
            s.line(),
            reading.sections[i].line + 1,
            "line of section {i}"
        );
    }
}

fn section_index(reading: &Reading, at: usize) -> Option<usize> {
    (!reading.sections.is_empty()).then(|| at % reading.sections.len())
}

fn block_session(reading: &Reading, session: &BlockSession) -> Option<String> {
    match session {
        BlockSession::Existing(at) => {
            let blocks = &reading.blocks;
            (!blocks.is_empty()).then(|| blocks[at % blocks.len()].session.clone())
        }
        BlockSession::Named(name) => Some(name.clone()),
    }
}

/// Applies an edit the document's contract allows; false when it skipped it.
fn apply_edit(doc: &mut Document, reading: &Reading, edit: &Edit) -> bool {
    let id = |i: usize| doc.sections().nth(i).map(|s| s.id);
    match edit {
        Edit::Set {
            section,
            key,
            value,
        } => {
            let Some(i) = section_index(reading, *section) else {
                return false;
            };
            if !valid_key(key) || !holdable(value) {
                return false;
            }
            let id = id(i).expect("section");
            doc.set(id, key, value);
            assert_eq!(
                doc.get(id, key),
                Some(read_back(value).as_str()),
                "set {key:?} to {value:?} did not read back"
            );
        }
        Edit::RemoveKey { section, key } => {
            let Some(i) = section_index(reading, *section) else {
                return false;
            };
            // Only badge's own keys: removing a line with an empty key name
            // (`= x`, which configparser rejects) lets the deeper lines under
            // it continue the key above instead.
            if !valid_key(key) {
                return false;
            }
            let id = id(i).expect("section");
            let had = reading.sections[i]
                .entries
                .iter()
                .any(|(k, _)| key_eq(k, key));
            assert_eq!(doc.remove_key(id, key), had, "remove_key {key:?}");
        }
        Edit::AddSection { header, entries } => {
            let header = match header {
                Header::Named(prefix, name) => match section_header(prefix, name) {
                    Some(h) => h,
                    None => {
                        assert!(name.contains(['\r', '\n']), "no header for {name:?}");
                        return false;
                    }
                },
                Header::Raw(h) => h.clone(),
            };
            if header.is_empty()
                || header.contains(['\r', '\n'])
                || entries.iter().any(|(k, v)| !valid_key(k) || !holdable(v))
            {
                return false;
            }
            let pairs: Vec<(&str, &str)> = entries
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let id = doc.add_section(&header, &pairs);
            assert_eq!(doc.sections().last().map(|s| s.id), Some(id));
        }
        Edit::ReplaceBlock { session, profiles } => {
            let Some(session) = block_session(reading, session) else {
                return false;
            };
            if !block_items_allowed(&session, profiles) {
                return false;
            }
            doc.replace_managed_block(&session, profiles);
        }
        Edit::RemoveBlock { session } => {
            let Some(session) = block_session(reading, session) else {
                return false;
            };
            let had = reading.block_of(&session).is_some();
            assert_eq!(doc.remove_managed_block(&session), had);
        }
    }
    true
}

/// What `replace_managed_block` takes by contract: a session a marker line
/// can hold, profile names a header can hold, keys `set` takes.
fn block_items_allowed(session: &str, profiles: &[(String, Vec<(String, String)>)]) -> bool {
    valid_session(session)
        && profiles.iter().all(|(name, entries)| {
            !name.contains(['\r', '\n']) && entries.iter().all(|(k, v)| valid_key(k) && holdable(v))
        })
}

/// A section as compared across an edit: header, entries, block.
type View = (String, Vec<(String, String)>, Option<String>);

/// Entries of a section in a block count up to the block's `# END` line:
/// key lines after it read as part of the block's last section, but are the
/// user's, and move to the section before when that one is removed.
fn view(reading: &Reading, i: usize) -> View {
    let s = &reading.sections[i];
    let end = s.block.map_or(usize::MAX, |b| reading.blocks[b].end);
    let entries = (s.entries.iter().zip(&s.entry_lines))
        .filter(|(_, (line, _))| *line < end)
        .map(|(e, _)| e.clone())
        .collect();
    (
        s.header.clone(),
        entries,
        reading.managed_by(i).map(str::to_owned),
    )
}

fn views(reading: &Reading) -> Vec<View> {
    (0..reading.sections.len())
        .map(|i| view(reading, i))
        .collect()
}

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// `bytes` from `from` on, and the same with the indentation of the first
/// header after `from` removed (the one change an edit may make after its
/// target: a header that an edit above turned into a continuation line).
fn tails(bytes: &[u8], reading: &Reading, from_line: usize) -> Vec<Vec<u8>> {
    let from = reading.line_start(from_line);
    let mut tails = vec![bytes[from..].to_vec()];
    if let Some(i) = reading.next_meaningful(from_line)
        && reading.lines[i].kind == reference::Kind::Header
    {
        let line = &reading.lines[i];
        let text = String::from_utf8_lossy(&bytes[line.start..line.end]);
        let ws = text.len() - reference::lstrip(&text).len();
        if ws > 0 {
            let mut tail = bytes[from..line.start].to_vec();
            tail.extend_from_slice(&bytes[line.start + ws..]);
            tails.push(tail);
        }
    }
    tails
}

/// `after` is `before` without lines `lines` (widened by one blank line
/// before or after, as a removal tidies up), but for the block marker lines
/// among them when `keep_markers` (a section's lines may run past a
/// `# BEGIN` or `# END` line, which stays).
fn check_removal(
    before: &[u8],
    reading: &Reading,
    lines: (usize, usize),
    after: &[u8],
    keep_markers: bool,
) {
    let (first, last) = lines;
    // Removing a block whose last profile has key or continuation lines
    // after `# END` keeps that profile's header above them (it may lose its
    // indentation, which means nothing for a header).
    let kept_header = (!keep_markers)
        .then(|| {
            reading.sections.iter().enumerate().find_map(|(i, s)| {
                let next = reading
                    .sections
                    .get(i + 1)
                    .map_or(reading.lines.len(), |n| n.line);
                let after_end = (last + 1..next).any(|l| {
                    matches!(
                        reading.lines[l].kind,
                        reference::Kind::Key | reference::Kind::Continuation
                    )
                });
                (first < s.line && s.line < last && after_end).then_some(s.line)
            })
        })
        .flatten();
    let mut cuts = vec![(first, last + 1)];
    if kept_header.is_none() && reading.is_blank(last + 1) {
        cuts.push((first, last + 2));
    }
    if kept_header.is_none() && first > 0 && reading.is_blank(first - 1) {
        cuts.push((first - 1, last + 1));
    }
    let ok = cuts.iter().any(|&(from, to)| {
        let mut heads = vec![before[..reading.line_start(from)].to_vec()];
        for l in from..to {
            let line = &reading.lines[l];
            if keep_markers && reading.marker_lines.contains(&l) {
                heads[0].extend_from_slice(&before[line.start..line.next]);
            } else if kept_header == Some(l) {
                let text = String::from_utf8_lossy(&before[line.start..line.end]);
                let ws = text.len() - reference::lstrip(&text).len();
                let mut stripped = heads[0].clone();
                stripped.extend_from_slice(&before[line.start + ws..line.next]);
                heads[0].extend_from_slice(&before[line.start..line.next]);
                heads.push(stripped);
            }
        }
        heads.iter().any(|head| {
            tails(before, reading, to).iter().any(|tail| {
                after.len() == head.len() + tail.len()
                    && after.starts_with(head)
                    && after.ends_with(tail)
            })
        })
    });
    assert!(
        ok,
        "removing lines {first}..={last} of {} gave {}",
        show(before),
        show(after)
    );
}

fn expected_entries(entries: &[(String, String)]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|(k, v)| (k.clone(), read_back(v)))
        .collect()
}

/// The edit changed only its target, and the target reads as intended.
fn check_edit(
    before: &[u8],
    rb: &Reading,
    edit: &Edit,
    after: &[u8],
    ra: &Reading,
    doc: &Document,
) {
    let context = || format!("{edit:?} on {} gave {}", show(before), show(after));
    match edit {
        Edit::Set { section, key, .. } | Edit::RemoveKey { section, key } => {
            let i = section_index(rb, *section).expect("a section");
            assert_eq!(ra.sections.len(), rb.sections.len(), "{}", context());
            let (b, a) = (rb.section_range(i), ra.section_range(i));
            assert_eq!(b.start, a.start, "{}", context());
            assert!(before[..b.start] == after[..a.start], "{}", context());
            assert!(
                before[b.end..] == after[a.end..],
                "bytes after the target changed: {}",
                context()
            );
            let mut expected = rb.sections[i].entries.clone();
            match edit {
                Edit::Set { value, .. } => {
                    match expected.iter().rposition(|(k, _)| key_eq(k, key)) {
                        Some(j) => expected[j].1 = read_back(value),
                        None => expected.push((key.clone(), read_back(value))),
                    }
                }
                _ => expected.retain(|(k, _)| !key_eq(k, key)),
            }
            assert_eq!(ra.sections[i].entries, expected, "{}", context());
            assert_eq!(ra.sections[i].header, rb.sections[i].header);
            for j in (0..rb.sections.len()).filter(|&j| j != i) {
                assert_eq!(view(ra, j), view(rb, j), "section {j}: {}", context());
            }
        }
        Edit::AddSection { header, entries } => {
            assert!(after.starts_with(before), "{}", context());
            let n = rb.sections.len();
            assert_eq!(ra.sections.len(), n + 1, "{}", context());
            assert_eq!(views(ra)[..n], views(rb)[..], "{}", context());
            let added = &ra.sections[n];
            assert_eq!(added.entries, expected_entries(entries), "{}", context());
            assert_eq!(ra.managed_by(n), None);
            if let Header::Named(prefix, name) = header {
                let kind = doc.sections().last().expect("added").kind;
                let want = match *prefix {
                    "profile" => SectionKind::Profile(name.clone()),
                    "sso-session" => SectionKind::SsoSession(name.clone()),
                    _ => SectionKind::Services(name.clone()),
                };
                assert_eq!(kind, want, "{}", context());
            } else {
                assert!(Some(added.header.as_str()) == header_text(header));
            }
        }
        Edit::ReplaceBlock { session, profiles } => {
            let session = block_session(rb, session).expect("a session");
            check_block_replaced(before, rb, &session, profiles, after, ra, doc);
        }
        Edit::RemoveBlock { session } => {
            let session = block_session(rb, session).expect("a session");
            let count = |r: &Reading| r.blocks.iter().filter(|b| b.session == session).count();
            match rb.block_of(&session) {
                Some(k) if count(ra) + 1 == count(rb) => {
                    let block = &rb.blocks[k];
                    check_removal(before, rb, (block.begin, block.end), after, false);
                }
                // Stray markers of the session around the block would pair
                // up into a new block once it is gone: it stays, empty.
                Some(_) => check_block_replaced(before, rb, &session, &[], after, ra, doc),
                None => assert_eq!(before, after, "{}", context()),
            }
        }
    }
}

fn header_text(header: &Header) -> Option<&str> {
    match header {
        Header::Raw(h) => Some(h),
        Header::Named(..) => None,
    }
}

/// After `replace_managed_block`: the bytes before the block and after it are
/// as they were (a new block only appends), the block holds exactly the
/// profiles given, and replacing it again with the same profiles changes
/// nothing.
pub fn check_block_replaced(
    before: &[u8],
    rb: &Reading,
    session: &str,
    profiles: &[(String, Vec<(String, String)>)],
    after: &[u8],
    ra: &Reading,
    doc: &Document,
) {
    let context = || format!("block {session:?} on {} gave {}", show(before), show(after));
    let k = ra.block_of(session).expect("the block is there");
    let block = &ra.blocks[k];
    match rb.block_of(session) {
        Some(old) => {
            let old = &rb.blocks[old];
            let head = &before[..rb.line_start(old.begin)];
            assert!(after.starts_with(head), "{}", context());
            assert_eq!(ra.line_start(block.begin), head.len(), "{}", context());
            let end = ra.lines[block.end].next;
            let tail_ok = tails(before, rb, old.end + 1)
                .iter()
                .any(|tail| &after[end..] == tail.as_slice());
            assert!(tail_ok, "bytes after the block changed: {}", context());
        }
        None => {
            assert!(after.starts_with(before), "{}", context());
            assert_eq!(ra.lines[block.end].next, after.len(), "{}", context());
            assert_eq!(k + 1, ra.blocks.len(), "{}", context());
        }
    }
    let inside: Vec<(SectionKind, Vec<(String, String)>)> = doc
        .managed_block(session)
        .expect("block")
        .sections()
        .map(|s| {
            let entries = s.entries().map(|(k, v)| (k.to_owned(), v.to_owned()));
            (s.kind.clone(), entries.collect())
        })
        .collect();
    let wanted: Vec<(SectionKind, Vec<(String, String)>)> = profiles
        .iter()
        .map(|(name, entries)| {
            (
                SectionKind::Profile(name.clone()),
                expected_entries(entries),
            )
        })
        .collect();
    // Lines after `# END` that no header starts (a key, a line that means
    // nothing) read as part of the block's last profile, before and after
    // the edit (as `tests` in `config::document` also leave aside): that
    // profile may have more entries than were written.
    let orphans = ra
        .next_meaningful(block.end + 1)
        .is_some_and(|i| ra.lines[i].kind != reference::Kind::Header);
    if orphans && !wanted.is_empty() {
        let n = wanted.len() - 1;
        assert_eq!(inside.len(), wanted.len(), "{}", context());
        assert_eq!(inside[..n], wanted[..n], "{}", context());
        assert_eq!(inside[n].0, wanted[n].0, "{}", context());
        // They may even continue its last value.
        let (got, want) = (&inside[n].1, &wanted[n].1);
        let keep = want.len().saturating_sub(1);
        assert!(got.len() >= want.len(), "{}", context());
        assert_eq!(got[..keep], want[..keep], "{}", context());
    } else {
        assert_eq!(inside, wanted, "{}", context());
    }
    let mut again = doc.clone();
    again.replace_managed_block(session, profiles);
    let again = again.to_bytes();
    assert!(again == after, "replacing again changed {}", context());
}

// ----- managed blocks and sync -----

const ACCOUNT_IDS: &[&str] = &[
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
];
const ACCOUNT_NAMES: &[&str] = &[
    "Prod",
    "Team A",
    "Team-A",
    "Café Ünïcode",
    "中文",
    "semi;colon $(x)",
    "",
    "Mine",
    "line\nbreak",
];
const ROLES: &[&str] = &["Admin", "ReadOnly", "a=b", "a,b", "Dev.Ops", "x@y+z"];
const TEMPLATES: &[&str] = &[
    DEFAULT_TEMPLATE,
    "{role_name}",
    "{account_id}/{role_name}",
    "{session}.{region}:{account_name} {role_name}",
    "{account_name}",
    "p-{account_name}-{role_name}-{region}",
];
const CREDENTIALS: &[&str] = &[
    "",
    "[default]\naws_access_key_id = AKIAEXAMPLE\n",
    "[Prod/Admin]\naws_access_key_id = AKIAEXAMPLE\n",
    "[DEFAULT]\nregion = x\n[Team-A/Admin]\n",
    "[mine]\n[Admin-111111111111]\n",
];

/// Target `managed_block`: edits of managed blocks on any config, then a
/// whole `badge sync` plan (naming, taken names, stale profiles) written
/// into it: only the block changes, it holds what the plan says, and
/// syncing again with the same answer from the portal changes nothing.
pub fn managed_block(data: &[u8]) {
    let (config, choices) = split_input(data);
    let mut c = Choices::new(&choices);
    // Block edits first, on the file as it is.
    let mut edits = Vec::new();
    for _ in 0..c.below(3) {
        edits.push(if c.below(4) == 0 {
            Edit::RemoveBlock {
                session: choose_session(&mut c),
            }
        } else {
            Edit::ReplaceBlock {
                session: choose_session(&mut c),
                profiles: (0..c.below(4))
                    .map(|_| (choose_name(&mut c), choose_entries(&mut c, 3)))
                    .collect(),
            }
        });
    }
    config_edits(config, &edits);
    sync_plan_props(config, &choose_sync(&mut c));
}

/// One `badge sync`: the session (of the config, or `acme`), the settings,
/// the credentials file, and what the portal answers.
#[derive(Clone, Debug)]
pub struct SyncInput {
    /// Which `[sso-session]` of the config (modulo their number, the last
    /// choice being `acme`).
    pub session: usize,
    pub start_url: String,
    pub template: String,
    pub region: String,
    pub output: Option<String>,
    pub credentials: String,
    /// (account id, account name, role name), in the portal's order.
    pub assignments: Vec<(String, String, String)>,
    /// Accounts whose roles could not be listed: (id, name).
    pub skipped: Vec<(String, String)>,
    pub prune: bool,
}

fn choose_sync(c: &mut Choices) -> SyncInput {
    let session = c.byte().into();
    let start_url = c
        .pick(&[
            "https://acme.awsapps.com/start",
            "https://acme.awsapps.com/start/",
        ])
        .to_owned();
    let template = if c.below(6) == 0 {
        c.text(24)
    } else {
        c.pick(TEMPLATES).to_owned()
    };
    let region = c.pick(&["eu-west-1", "us-east-1"]).to_owned();
    let output = c.pick(&[None, Some("json".to_owned())]);
    let credentials = c.pick(CREDENTIALS).to_owned();
    let accounts: Vec<(String, String)> = (0..1 + c.below(4))
        .map(|i| {
            let name = if c.below(5) == 0 {
                c.text(12)
            } else {
                c.pick(ACCOUNT_NAMES).to_owned()
            };
            (ACCOUNT_IDS[i].to_owned(), name)
        })
        .collect();
    let mut assignments = Vec::new();
    for _ in 0..c.below(10) {
        let (id, name) = c.pick(&accounts);
        let role = if c.below(6) == 0 {
            c.text(8)
        } else {
            c.pick(ROLES).to_owned()
        };
        assignments.push((id, name, role));
    }
    let skipped = accounts
        .iter()
        .filter(|_| c.below(5) == 0)
        .cloned()
        .collect();
    SyncInput {
        session,
        start_url,
        template,
        region,
        output,
        credentials,
        assignments,
        skipped,
        prune: c.flag(),
    }
}

/// A `badge sync` of `config` as `input` says, checked as [`managed_block`]
/// says: the plan keeps its promises, only the block changes, and a second
/// sync with the same answer plans the same and changes nothing.
pub fn sync_plan_props(config: &[u8], input: &SyncInput) {
    let doc = Document::parse(config);
    let mut names: Vec<String> = doc
        .sections()
        .filter_map(|s| match s.kind {
            SectionKind::SsoSession(name) => Some(name),
            _ => None,
        })
        .collect();
    names.push("acme".to_owned());
    let session_name = names[input.session % names.len()].clone();
    // `badge sync` refuses a session no marker line can hold.
    if !valid_session(&session_name) || session_name.chars().any(char::is_control) {
        return;
    }
    let session = SsoSession {
        name: session_name,
        start_url: input.start_url.clone(),
        region: "eu-west-1".to_owned(),
        scopes: vec!["sso:account:access".to_owned()],
        legacy_profile: None,
    };
    let Ok(template) = Template::parse(&input.template) else {
        return;
    };
    let settings = SyncSettings {
        template,
        region: input.region.clone(),
        output: input.output.clone(),
        region_rules: RegionRules::default(),
    };
    let credentials = Document::parse(input.credentials.as_bytes());
    // The portal lists each account role once.
    let mut seen = BTreeSet::new();
    let assignments = (input.assignments.iter())
        .filter(|(id, _, role)| seen.insert((id.clone(), role.clone())))
        .map(|(id, name, role)| Assignment {
            account_id: id.clone(),
            account_name: name.clone(),
            role_name: role.clone(),
        })
        .collect();
    let skipped = (input.skipped.iter())
        .map(|(id, name)| SkippedAccount {
            account_id: id.clone(),
            account_name: name.clone(),
            reason: "AccessDenied".to_owned(),
        })
        .collect();
    let discovery = Discovery {
        accounts: 0,
        assignments,
        skipped,
        requests: 0,
        throttled: 0,
    };
    let prune = input.prune;
    let plan = SyncPlan::new(&PlanInput {
        config: &doc,
        credentials: &credentials,
        session: &session,
        settings: &settings,
        discovery: &discovery,
        prune,
    });
    check_plan(&doc, &credentials, &session, &discovery, &plan);
    let rb = reference::read(config);

    let mut written = doc.clone();
    let summary = plan.apply(&mut written);
    let after = written.to_bytes();
    let ra = reference::read(&after);
    check_reading(&written, &ra);
    if plan.profiles.is_empty() {
        if let Some(k) = rb.block_of(&session.name) {
            let block = &rb.blocks[k];
            let count = |r: &Reading| {
                r.blocks
                    .iter()
                    .filter(|b| b.session == session.name)
                    .count()
            };
            if count(&ra) + 1 == count(&rb) {
                check_removal(config, &rb, (block.begin, block.end), &after, false);
            } else {
                check_block_replaced(config, &rb, &session.name, &[], &after, &ra, &written);
            }
        } else {
            assert_eq!(
                after, config,
                "an empty plan with no block changed the file"
            );
        }
    } else {
        check_block_replaced(
            config,
            &rb,
            &session.name,
            &plan.profiles,
            &after,
            &ra,
            &written,
        );
    }
    for name in summary.added.iter().chain(&summary.changed) {
        let in_block = written
            .managed_block(&session.name)
            .is_some_and(|b| b.sections().any(|s| s.kind.profile_name() == Some(name)));
        let renamed = summary.renamed.iter().any(|(old, _)| old == name);
        assert!(
            in_block || renamed,
            "summary names {name:?}, not in the block"
        );
    }

    // A section whose header is above `# BEGIN` but whose lines run into the
    // block (no header right after `# BEGIN`) loses those lines to the
    // sync, and so may point at another account afterwards: the next sync
    // may then plan differently, once.
    let straddles = rb.block_of(&session.name).is_some_and(|k| {
        let begin = rb.blocks[k].begin;
        rb.sections.iter().any(|s| s.line < begin && s.last > begin)
    });
    if straddles {
        return;
    }

    // The same answer again: the same plan, and not a byte changes.
    let again = SyncPlan::new(&PlanInput {
        config: &written,
        credentials: &credentials,
        session: &session,
        settings: &settings,
        discovery: &discovery,
        prune,
    });
    let read_back_profiles = |p: &SyncPlan| -> Vec<(String, Vec<(String, String)>)> {
        p.profiles
            .iter()
            .map(|(n, e)| (n.clone(), expected_entries(e)))
            .collect()
    };
    assert_eq!(
        read_back_profiles(&again),
        read_back_profiles(&plan),
        "a second sync plans differently, on {}",
        show(&after)
    );
    let mut twice = written.clone();
    let summary = again.apply(&mut twice);
    assert!(twice.to_bytes() == after, "a second sync changed the file");
    assert!(
        summary.added.is_empty() && summary.changed.is_empty() && summary.removed.is_empty(),
        "a second sync reports changes: {summary:?}"
    );
}

/// What a plan promises before it is written.
fn check_plan(
    doc: &Document,
    credentials: &Document,
    session: &SsoSession,
    discovery: &Discovery,
    plan: &SyncPlan,
) {
    let names: Vec<&str> = plan.profiles.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted, "the block is sorted, each name once");
    // Names of the user's: every profile outside this block, every
    // credentials section, and `default`.
    let mut taken: BTreeSet<String> = BTreeSet::from(["default".to_owned()]);
    for s in doc.sections() {
        if let Some(name) = s.kind.profile_name()
            && s.managed_by != Some(session.name.as_str())
        {
            taken.insert(name.to_owned());
        }
    }
    for s in credentials.sections() {
        if s.header != "DEFAULT" {
            taken.insert(s.header.to_owned());
        }
    }
    for a in &discovery.assignments {
        let covered = plan
            .covered
            .iter()
            .any(|c| c.account_id == a.account_id && c.role_name == a.role_name);
        let generated: Vec<&str> = plan
            .profiles
            .iter()
            .filter(|(_, e)| {
                // The last of a key, as the plan will write it and as
                // botocore reads it: keys ignore case (`sso_roLe_name`).
                let get = |key: &str| {
                    e.iter()
                        .rfind(|(k, _)| key_eq(k, key))
                        .map(|(_, v)| v.as_str())
                };
                get("sso_account_id") == Some(a.account_id.as_str())
                    && get("sso_role_name") == Some(a.role_name.as_str())
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if covered {
            assert!(generated.is_empty(), "{a:?} is covered and generated");
            continue;
        }
        // An id or role name with a line break is skipped, and reported.
        if [&a.account_id, &a.role_name]
            .iter()
            .any(|v| v.contains(['\r', '\n']))
        {
            assert!(
                generated.is_empty(),
                "{a:?} has a line break and is generated"
            );
            assert!(
                plan.skipped.iter().any(|s| s.account_id == a.account_id),
                "{a:?} is not reported as skipped"
            );
            continue;
        }
        assert_eq!(generated.len(), 1, "{a:?} has profiles {generated:?}");
        let name = generated[0];
        assert!(is_sdk_safe(name), "generated name {name:?}");
        assert!(
            !taken.contains(name),
            "generated {name:?} takes a user's name"
        );
    }
}

// ----- profile names -----

/// Target `naming`: templates parse or fail without panicking; cleaning and
/// rendering give SDK-safe, non-empty names that need no quoting in a
/// header; assigning names gives each assignment one name, unique, never a
/// taken one, whatever order the assignments come in.
pub fn naming(data: &[u8]) {
    let mut c = Choices::new(data);
    let template_text = if c.flag() {
        c.text(32)
    } else {
        c.pick(TEMPLATES).to_owned()
    };
    let values: Vec<String> = (0..c.below(12)).map(|_| c.text(16)).collect();
    let taken: BTreeSet<String> = (0..c.below(6))
        .map(|_| {
            if c.flag() {
                c.text(8)
            } else {
                c.pick(&["Prod/Admin", "Team-A/Admin", "Admin-111111111111", "x"])
                    .to_owned()
            }
        })
        .collect();
    let rotate = c.byte().into();
    naming_props(&template_text, &values, &taken, rotate);
}

/// [`naming`] on given input: `values` become account names, ids and roles
/// in turn.
pub fn naming_props(
    template_text: &str,
    values: &[String],
    taken: &BTreeSet<String>,
    rotate: usize,
) {
    for v in values {
        let clean = clean_value(v);
        assert!(clean.chars().all(is_allowed), "{v:?} cleaned to {clean:?}");
        assert_eq!(clean_value(&clean), clean, "cleaning {v:?} twice");
        if is_sdk_safe(v) {
            assert_eq!(&clean, v, "a safe value changed");
        }
    }
    let template = match Template::parse(template_text) {
        Ok(t) => t,
        Err(err) => {
            let text = err.to_string();
            assert!(text.starts_with("template "), "{text}");
            return;
        }
    };
    assert_eq!(template.to_string(), template_text);
    assert_eq!(
        Template::parse(&template.to_string()).ok(),
        Some(template.clone())
    );

    // Accounts with one name each; each account role once, as the portal
    // lists them.
    let value = |i: usize| values.get(i).map_or("", String::as_str);
    let mut list: Vec<(String, String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for i in 0..values.len() {
        let account = i % 3;
        let id = if value(i).len() % 4 == 0 {
            clean_value(value(i))
        } else {
            ACCOUNT_IDS[account].to_owned()
        };
        if id.is_empty() {
            continue;
        }
        let name = value(account * 2 + 1).to_owned();
        let role = value(i).to_owned();
        if seen.insert((id.clone(), role.clone())) {
            list.push((id, name, role));
        }
    }
    let vars: Vec<Vars> = list
        .iter()
        .map(|(id, name, role)| Vars {
            account_name: name,
            account_id: id,
            role_name: role,
            session: value(0),
            region: "eu-west-1",
        })
        .collect();
    for v in &vars {
        let name = template.render(v);
        assert!(is_sdk_safe(&name), "{v:?} rendered as {name:?}");
        assert_eq!(template.render(v), name, "rendering twice");
        assert_eq!(
            section_header("profile", &name),
            Some(format!("profile {name}")),
            "a generated name needs quoting"
        );
    }
    let is_taken = |name: &str| taken.contains(name);
    let (named, collisions) = assign_names(&template, &vars, &is_taken);
    assert_eq!(named.len(), vars.len());
    let mut unique = BTreeSet::new();
    for (i, n) in named.iter().enumerate() {
        assert_eq!(n.index, i);
        assert!(is_sdk_safe(&n.name), "{:?}", n.name);
        assert!(!taken.contains(&n.name), "{:?} is taken", n.name);
        assert!(unique.insert(n.name.clone()), "{:?} given twice", n.name);
    }
    // Names nobody else wanted and nobody has are kept as rendered.
    let wanted: Vec<String> = vars.iter().map(|v| template.render(v)).collect();
    for (i, n) in named.iter().enumerate() {
        let shared = wanted.iter().filter(|w| **w == wanted[i]).count() > 1;
        if !shared && !taken.contains(&wanted[i]) {
            assert_eq!(n.name, wanted[i]);
        }
    }
    for collision in &collisions {
        match collision {
            Collision::Shared { wanted: w, given } => {
                let members: Vec<&str> = (0..vars.len())
                    .filter(|&i| wanted[i] == *w)
                    .map(|i| named[i].name.as_str())
                    .collect();
                assert!(members.len() > 1);
                let mut given: Vec<&str> = given.iter().map(String::as_str).collect();
                let mut members = members;
                given.sort_unstable();
                members.sort_unstable();
                assert_eq!(given, members);
            }
            Collision::Taken { wanted: w, given } => {
                assert!(taken.contains(w));
                let i = wanted.iter().position(|x| x == w).expect("wanted");
                assert_eq!(&named[i].name, given);
            }
        }
    }
    // Any other order: the same name for the same assignment, the same
    // collisions in the same order.
    if !vars.is_empty() {
        let mut order: Vec<usize> = (0..vars.len()).collect();
        order.reverse();
        order.rotate_left(rotate % vars.len());
        let shuffled: Vec<Vars> = order.iter().map(|&i| vars[i]).collect();
        let (again, again_collisions) = assign_names(&template, &shuffled, &is_taken);
        for (j, &i) in order.iter().enumerate() {
            assert_eq!(again[j].name, named[i].name, "order changed a name");
        }
        assert_eq!(again_collisions, collisions);
    }
}

// ----- the token cache -----

/// Target `token_cache`: any bytes as a cache file: loading never panics;
/// an error names the file and a position, never the content; what loads
/// stores and loads again equal; its times format and parse back; its
/// debug output shows no secret.
pub fn token_cache(data: &[u8]) {
    let dir = thread_scratch("cache");
    let cache = TokenCache::in_dir(dir.clone());
    let path = cache.path_for("fuzz");
    fs::write(&path, data).expect("cannot write the cache file");
    let now = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let loaded = cache.load("fuzz");
    let state = cache.state("fuzz", now);
    match loaded {
        Err(err) => {
            assert_eq!(state, LoginState::Unreadable);
            let message = format!("{err:#}");
            let shown = path.display().to_string();
            let rest = message
                .strip_prefix(&shown)
                .unwrap_or_else(|| panic!("{message:?} does not start with the path"));
            let position = rest
                .strip_prefix(" is not a valid token cache file (line ")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|r| r.split_once(", column "))
                .is_some_and(|(l, c)| {
                    l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit())
                });
            assert!(
                position || rest == " has an unreadable expiresAt",
                "the error says more than where: {message:?}"
            );
        }
        Ok(None) => panic!("the file is there"),
        Ok(Some(token)) => {
            assert_ne!(state, LoginState::Unreadable);
            assert_ne!(state, LoginState::Missing);
            let expires = token.expires().expect("load checks expiresAt");
            check_time_round_trip(expires);
            if let Some(at) = token.registration_expires() {
                check_time_round_trip(at);
            }
            cache.store("fuzz-again", &token).expect("store");
            let again = cache.load("fuzz-again").expect("load what was stored");
            assert!(
                again.as_ref() == Some(&token),
                "store then load changed the token"
            );
            check_debug_hides_secrets(&token);
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(at) = parse_time(&text) {
        check_time_round_trip(at);
    }
    let mut secs = [0u8; 8];
    for (s, d) in secs.iter_mut().zip(data) {
        *s = *d;
    }
    time_props(u64::from_le_bytes(secs));
}

/// The last second `format_time` writes with four digits of year.
const LAST_FORMATTED: u64 = 253_402_300_799;

/// `format_time` then `parse_time` gives the same second, for any second
/// from 1970 to the end of year 9999, in the AWS CLI's exact shape.
pub fn time_props(secs: u64) {
    let secs = secs % (LAST_FORMATTED + 1);
    let at = UNIX_EPOCH + Duration::from_secs(secs);
    let text = format_time(at);
    let b = text.as_bytes();
    assert_eq!(text.len(), 20, "{text}");
    assert!(
        b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':',
        "{text}"
    );
    assert_eq!(b[19], b'Z');
    assert_eq!(parse_time(&text), Some(at), "{text}");
    let with_fraction = text.replace('Z', ".123456Z");
    assert_eq!(parse_time(&with_fraction), Some(at), "{with_fraction}");
}

/// A time `parse_time` accepted writes in a form it reads back the same.
fn check_time_round_trip(at: SystemTime) {
    let secs = at.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    if secs <= LAST_FORMATTED {
        assert_eq!(parse_time(&format_time(at)), Some(at));
    }
}

/// The debug form of a token is the same whatever its secrets are.
fn check_debug_hides_secrets(token: &CachedToken) {
    let mut blank = token.clone();
    blank.access_token = String::new();
    blank.client_secret = blank.client_secret.as_ref().map(|_| String::new());
    blank.refresh_token = blank.refresh_token.as_ref().map(|_| String::new());
    blank.client_id = blank.client_id.as_ref().map(|_| String::new());
    assert_eq!(format!("{token:?}"), format!("{blank:?}"));
}

// ----- shell quoting -----

/// Target `shell_quote`: the bytes as text, through `quote` and the scripts
/// a switch prints, evaluated by the real bash, zsh and fish, read back
/// exactly. A NUL, which no shell can hold in a string (bash drops it, zsh
/// cuts an exported value there), is never given to a shell: `badge use`
/// refuses a profile whose name has one; here each piece between NULs is
/// checked on its own.
pub fn shell_quote(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let pieces: Vec<String> = text.split('\0').map(str::to_owned).collect();
    for shell in SHELLS {
        shell_round_trip(shell, &pieces);
    }
}

// ----- the fast path for a big config -----

/// Target `config_pieces`: reading a file piece by piece gives the same
/// sections, with the same entries, as reading it whole, and the profiles a
/// switch loads from a big file are those of the whole file.
pub fn config_pieces(data: &[u8]) {
    let (config, choices) = split_input(data);
    let mut c = Choices::new(&choices);
    let whole = Document::parse(config);
    let piece = 1 + c.below(96);
    let mut joined = Vec::new();
    let mut sections = Vec::new();
    let mut count = 0;
    pieces::read(
        config,
        piece,
        |_| true,
        |p: &Document| {
            let bytes = p.to_bytes();
            if count > 0 {
                assert!(
                    bytes.first() == Some(&b'['),
                    "a piece starts with {}",
                    show(&bytes[..bytes.len().min(40)])
                );
            }
            count += 1;
            joined.extend_from_slice(&bytes);
            sections.extend(p.sections().map(|s| {
                let entries: Vec<(String, String)> = s
                    .entries()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                (s.header.to_owned(), s.kind.clone(), entries)
            }));
        },
    )
    .expect("reading from memory");
    assert!(joined == config, "the pieces do not add up to the file");
    let expected: Vec<_> = whole
        .sections()
        .map(|s| {
            let entries: Vec<(String, String)> = s
                .entries()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (s.header.to_owned(), s.kind.clone(), entries)
        })
        .collect();
    assert_eq!(sections, expected, "piece size {piece}");

    // A file big enough for the piece-by-piece path: padding profiles, then
    // the input, so that pieces end inside it. Slow (a 128 KiB file, read
    // three ways), so one run in four.
    if c.below(4) != 0 {
        return;
    }
    let pad = pieces::PIECE - c.below(1024);
    let mut file = Vec::with_capacity(pad + config.len() + 64);
    let mut n = 0;
    while file.len() < pad {
        file.extend_from_slice(format!("[profile pad{n}]\nregion = eu-west-1\n").as_bytes());
        n += 1;
    }
    file.extend_from_slice(config);
    let dir = thread_scratch("pieces");
    let paths = Paths {
        config: dir.join("config"),
        credentials: dir.join("credentials"),
    };
    fs::write(&paths.config, &file).expect("write config");
    fs::write(&paths.credentials, c.pick(CREDENTIALS)).expect("write credentials");
    let needle = c
        .pick(&["", "a", "pad1", "dev", "prod", "/", " ", "\u{e9}"])
        .to_owned();
    let ignore_case = c.flag();
    let keep = |name: &str| {
        if ignore_case {
            name.to_ascii_lowercase().contains(needle.as_str())
        } else {
            name.contains(needle.as_str())
        }
    };
    let all = Profiles::load(&paths).expect("load");
    let some = Profiles::load_matching(&paths, &needle, ignore_case, keep).expect("load_matching");
    let wanted: Vec<_> = all
        .iter_where(keep)
        .map(|mut p| {
            p.generated_by = None;
            p
        })
        .collect();
    let got: Vec<_> = some
        .iter_where(keep)
        .map(|mut p| {
            p.generated_by = None;
            p
        })
        .collect();
    assert_eq!(got, wanted, "profiles matching {needle:?}");
    let sessions = |p: &Profiles| -> BTreeMap<String, String> {
        crate::config::sessions::sessions(p.config())
            .into_iter()
            .map(|(name, s)| (name, format!("{:?}", s.map_err(|e| e.to_string()))))
            .collect()
    };
    assert_eq!(sessions(&some), sessions(&all), "sso-sessions");
}
