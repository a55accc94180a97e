//! Target `config_document`: parse, write back, and every edit of the
//! document, against the plain reading of `reference`.

use super::reference::{self, Reading, key_eq, trim};
use super::*;
use crate::config::document::{Document, SectionKind, section_header};

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

pub(super) fn choose_name(c: &mut Choices) -> String {
    if c.below(4) == 0 {
        c.text(10)
    } else {
        c.pick(NAMES).to_owned()
    }
}

pub(super) fn choose_session(c: &mut Choices) -> BlockSession {
    match c.below(4) {
        0 | 1 => BlockSession::Existing(c.byte().into()),
        2 => BlockSession::Named(c.pick(SESSIONS).to_owned()),
        _ => BlockSession::Named(c.text(8)),
    }
}

pub(super) fn choose_entries(c: &mut Choices, max: usize) -> Vec<(String, String)> {
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

pub(super) fn show(bytes: &[u8]) -> String {
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
pub(super) fn check_removal(
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

pub(super) fn expected_entries(entries: &[(String, String)]) -> Vec<(String, String)> {
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
