//! A lossless `~/.aws/config` (or credentials) document.
//!
//! Why our own: users keep comments, odd spacing, CRLF line ends, nested
//! `s3 =` blocks and sections no tool knows in this file, and tools that
//! rewrite it lose them. A [`Document`] keeps the file's exact bytes; an index
//! over them gives the view botocore has (Python's
//! `configparser.RawConfigParser` plus `botocore.configloader`), and every edit
//! splices whole lines, leaving every other byte as it was.
//!
//! Reading rules, as botocore's:
//! - lines end at `\n`, `\r\n` or a lone `\r` (Python's universal newlines);
//! - whitespace is Python's `str.isspace` (NBSP and `\x0c` count);
//! - a line whose stripped text starts with `#` or `;` is a comment wherever it
//!   is; there are no inline comments (`a = b # c` has the value `b # c`);
//! - a line indented deeper than the key line before it continues that key's
//!   value (botocore reads `s3 =` plus indented `k = v` lines as a nested
//!   block); blank and comment lines do not end a value;
//! - the header of a `[...]` line is the text between the `[` that starts the
//!   stripped line and the last `]` on it (configparser's `SECTCRE`);
//! - `key = value` or `key: value` splits at the first `=` or `:`; keys match
//!   case-insensitively and values are stripped;
//! - a header that starts with `profile`, `sso-session` or `services` names a
//!   profile, session or services section when `shlex.split` gives exactly two
//!   words (`[profile "a b"]` is profile `a b`); `[default]` is the default
//!   profile; the keys of `[DEFAULT]` are seen in every section.
//!
//! (botocore only checks that a header *starts* with `profile`, so
//! `[profilex y]` is profile `y` to it, and to us.)
//!
//! Where botocore refuses a file (text before the first section, a line that
//! is neither a header nor a key, duplicate sections or keys, bytes that are
//! not UTF-8) this view still reads the rest: such lines are kept but mean
//! nothing, the last of duplicated sections or keys wins, and bad bytes read
//! as U+FFFD.
//!
//! Edits replace, insert or remove whole lines and then read the result
//! again, so the view can never drift from the bytes. New lines use the
//! file's most common line ending, and a value or header is never written
//! where it would read back as something else: a line break in a value
//! becomes a continuation line, and a new key is indented so that it neither
//! continues the key above it nor swallows the header below it.
//!
//! Reading a 10,000-profile file is on the path of every Tab and every
//! switch, so the index holds 32-bit offsets and, unless a value has
//! continuation lines, no table of keys: a section's few lines are read when
//! asked for.
//!
//! The parts, in the order a file goes through them: `lex` reads one line
//! at a time (where it ends, what it says), `index` puts the lines together
//! into sections, entries and blocks, `edits` splices lines, and `blocks`
//! holds what is particular to the managed blocks. This file holds the
//! types and the reading API.

use std::fs;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result};

mod blocks;
mod edits;
mod index;
mod lex;

pub use edits::section_header;
use lex::header_of;

/// A section of one [`Document`]; valid until the next structural edit
/// (`add_section`, the managed-block edits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(usize);

/// What a section header means to botocore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SectionKind {
    /// `[default]`.
    Default,
    /// `[profile NAME]` (also `[profile default]`).
    Profile(String),
    /// `[sso-session NAME]`.
    SsoSession(String),
    /// `[services NAME]`.
    Services(String),
    /// Anything else, including `[DEFAULT]` and `[profile a b]`.
    Other,
}

impl SectionKind {
    /// The profile this section defines: `default` for `[default]`.
    pub fn profile_name(&self) -> Option<&str> {
        match self {
            SectionKind::Default => Some("default"),
            SectionKind::Profile(name) => Some(name),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    Blank,
    Comment,
    Header,
    Key,
    Continuation,
    /// Neither header nor key: configparser would reject the file.
    Invalid,
}

#[derive(Clone, Copy, Debug)]
struct Line {
    /// The whole line with its terminator, in the raw bytes.
    raw: (usize, usize),
    /// The line without its terminator, in the text.
    text: (usize, usize),
    /// Length of the terminator (0, 1 or 2 bytes).
    term: usize,
    kind: LineKind,
}

/// A byte offset or line number in the index: 32 bits keep the index small,
/// and so fast to build; a file of 4 GiB or more is kept but not read.
type Pos = u32;

/// A range of the text.
type Span = (Pos, Pos);

fn pos(n: usize) -> Pos {
    n as Pos
}

/// A section's kind without its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Default,
    Profile,
    SsoSession,
    Services,
    Other,
}

/// A name, as a range of the text or, when shlex unquoted it, in `names`.
#[derive(Clone, Copy, Debug)]
enum Name {
    None,
    Span(Pos, Pos),
    Unquoted(Pos),
}

#[derive(Clone, Debug)]
struct SectionData {
    line: Pos,
    /// Where the header's line starts in the text.
    start: Pos,
    /// First line after the section.
    end: Pos,
    /// Last line of the section that is not blank or a comment.
    last: Pos,
    header: Span,
    /// From the line after the header to the next header's line.
    body: Span,
    kind: Kind,
    name: Name,
    entries: (Pos, Pos),
    /// Whether a value has continuation lines; then, even when reading, the
    /// section's entries are in the table.
    continued: bool,
    block: Option<Pos>,
    /// Parser state after `last`, which is the state at the next header:
    /// whether a deeper line would continue a key, and the indentation.
    end_key: bool,
    end_indent: Pos,
}

/// No joined value.
const SINGLE: Pos = Pos::MAX;

#[derive(Clone, Copy, Debug)]
struct Entry {
    line: Pos,
    /// Last continuation line (`line` when there is none).
    last: Pos,
    key: Span,
    /// The value's part on the key line.
    first: Span,
    /// Index in `joined` of the value with its continuation lines, joined
    /// like configparser does, or `SINGLE`.
    joined: Pos,
}

#[derive(Clone, Debug)]
struct Block {
    session: Span,
    begin: Pos,
    end: Pos,
    /// Where the `# END` line starts in the text.
    end_at: Pos,
}

/// A line that reads as a `# BEGIN badge` or `# END badge` marker, whether
/// it pairs into a block or not.
#[derive(Clone, Copy, Debug)]
struct Marker {
    line: Pos,
    /// The line without its line end.
    text: Span,
}

/// The generated profiles of one sso-session, between its `# BEGIN badge`
/// and `# END badge` lines.
#[derive(Clone, Debug)]
pub struct ManagedBlock<'a> {
    #[allow(
        dead_code,
        reason = "for callers that list blocks; sync looks blocks up by session"
    )]
    pub session: &'a str,
    doc: &'a Document,
    index: usize,
}

/// Whole lines of a [`Document`], from a `# BEGIN badge` line to an
/// `# END badge` line: a block's, or those a sync record hashes (see
/// [`Document::recorded_block`]).
#[derive(Clone, Copy, Debug)]
pub struct BlockLines<'a> {
    /// From the start of the first line to the end of the last one, without
    /// its line end.
    text: &'a str,
    /// The number of the first line, from 1.
    first: usize,
}

impl Entry {
    /// The key line and its continuation lines.
    fn lines(&self) -> Range<usize> {
        self.line as usize..self.last as usize + 1
    }
}

impl SectionData {
    fn entries(&self) -> Range<usize> {
        self.entries.0 as usize..self.entries.1 as usize
    }
}

/// A config or credentials file, byte for byte, with botocore's view of it.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file as text; bytes that are not UTF-8 read as U+FFFD.
    text: String,
    /// The exact bytes, kept only when they differ from `text`.
    raw: Option<Vec<u8>>,
    /// Every line; built only for edits, reading needs none.
    lines: Vec<Line>,
    sections: Vec<SectionData>,
    entries: Vec<Entry>,
    /// Whether `entries` holds every entry (see `index`).
    has_entries: bool,
    joined: Vec<String>,
    /// Section names that shlex unquoted.
    names: Vec<String>,
    blocks: Vec<Block>,
    /// Every marker line, in a block or stray, in file order.
    markers: Vec<Marker>,
    /// `[DEFAULT]` sections, whose keys every section sees.
    defaults: Vec<Pos>,
}

/// One section, as [`Document::sections`] gives it.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    pub id: SectionId,
    pub kind: SectionKind,
    /// The raw text between `[` and `]`.
    pub header: &'a str,
    /// The session of the managed block this section is in.
    pub managed_by: Option<&'a str>,
    doc: &'a Document,
}

impl<'a> Section<'a> {
    /// The number of the header's line, from 1, counting lines as botocore
    /// does (`\n`, `\r\n` and a lone `\r` each end one).
    pub fn line(&self) -> usize {
        self.doc.sections[self.id.0].line as usize + 1
    }

    /// The section's lines, from its header to its last key or
    /// continuation line (blank lines and comments after it left out), as
    /// line indices (from 0).
    pub fn line_range(&self) -> std::ops::Range<usize> {
        let data = &self.doc.sections[self.id.0];
        data.line as usize..data.last as usize + 1
    }

    /// The value of `key` as botocore reads it (see [`Document::get`]).
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.doc.get(self.id, key)
    }

    /// The section's own `key = value` lines in file order, keys as written.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let doc = self.doc;
        doc.entries_in(self.id.0)
            .map(move |e| (doc.span(e.key), doc.value(&e)))
    }
}

impl Document {
    /// Reads any bytes; never fails.
    pub fn parse(bytes: &[u8]) -> Document {
        Document::from_vec(bytes.to_vec())
    }

    /// Reads bytes it takes over (see [`Document::into_bytes`]).
    pub(super) fn from_vec(bytes: Vec<u8>) -> Document {
        let (text, raw) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let raw = err.into_bytes();
                (String::from_utf8_lossy(&raw).into_owned(), Some(raw))
            }
        };
        let mut doc = Document::empty(text, raw);
        doc.index(false);
        doc
    }

    /// A document of `text` with no index yet.
    fn empty(text: String, raw: Option<Vec<u8>>) -> Document {
        Document {
            text,
            raw,
            lines: Vec::new(),
            sections: Vec::new(),
            entries: Vec::new(),
            has_entries: false,
            joined: Vec::new(),
            names: Vec::new(),
            blocks: Vec::new(),
            markers: Vec::new(),
            defaults: Vec::new(),
        }
    }

    /// Reads and parses a file; a missing file is an empty document. Any other
    /// failure (no permission, a folder) names the path.
    pub fn read(path: &Path) -> Result<Document> {
        match fs::read(path) {
            Ok(bytes) => Ok(Document::from_vec(bytes)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(Document::parse(b"")),
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// The exact bytes of the file, including every edit made.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.raw_bytes().to_vec()
    }

    /// Every section in file order.
    pub fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        (0..self.sections.len()).map(|i| self.section(i))
    }

    /// The section botocore reads for profile `name`: with duplicates, the
    /// last one (`[profile default]` and `[default]` both define `default`).
    pub fn profile(&self, name: &str) -> Option<SectionId> {
        self.sections
            .iter()
            .rposition(|s| self.profile_name(s) == Some(name))
            .map(SectionId)
    }

    /// The `[sso-session name]` section botocore reads (the last one).
    pub fn sso_session(&self, name: &str) -> Option<SectionId> {
        self.sections
            .iter()
            .rposition(|s| s.kind == Kind::SsoSession && self.name(s) == name)
            .map(SectionId)
    }

    /// The value of `key` in a section: keys compare case-insensitively, the
    /// last of duplicated keys wins, then `[DEFAULT]` is looked in. A value
    /// with continuation lines reads like botocore's raw value (lines joined
    /// with `\n`; a nested `s3 =` block starts with `\n`).
    pub fn get(&self, id: SectionId, key: &str) -> Option<&str> {
        if id.0 >= self.sections.len() {
            return None;
        }
        let entry = self.own_entry(id.0, key);
        let entry = entry.or_else(|| {
            self.defaults
                .iter()
                .rev()
                .find_map(|&d| self.own_entry(d as usize, key))
        })?;
        Some(self.value(&entry))
    }

    /// Profile sections, cheaply, for the profile list.
    pub(super) fn profile_sections(&self) -> impl Iterator<Item = (SectionId, &str)> {
        self.sections
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((SectionId(i), self.profile_name(s)?)))
    }

    /// A section's own entries, cheaply.
    pub(super) fn entries_of(&self, id: SectionId) -> impl Iterator<Item = (&str, &str)> {
        let index = (id.0 < self.sections.len()).then_some(id.0);
        index
            .into_iter()
            .flat_map(|i| self.entries_in(i))
            .map(|e| (self.span(e.key), self.value(&e)))
    }

    /// Appends to `out` the sections that a view of only the profiles whose
    /// names pass `keep` needs: those profiles, every `[sso-session]` (their
    /// logins) and every `[DEFAULT]` (keys every section sees), in file
    /// order. Read on its own, `out` gives these sections exactly as this
    /// document does: each starts at its `[` (indentation before a header
    /// means nothing to the lines after it) and ends with a line break.
    pub(super) fn extract_sections(&self, keep: impl Fn(&str) -> bool, out: &mut String) {
        for (i, s) in self.sections.iter().enumerate() {
            let wanted = match s.kind {
                Kind::Default | Kind::Profile => keep(self.profile_name(s).unwrap_or_default()),
                Kind::SsoSession => true,
                Kind::Other => self.defaults.contains(&pos(i)),
                Kind::Services => false,
            };
            if !wanted {
                continue;
            }
            out.push_str(&self.text[s.header.0 as usize - 1..s.body.1 as usize]);
            if !out.ends_with(['\n', '\r']) {
                out.push('\n');
            }
        }
    }

    /// Whether any `[DEFAULT]` section gives keys to every section.
    pub(super) fn has_defaults(&self) -> bool {
        !self.defaults.is_empty()
    }

    /// The credentials file's profile names, cheaply: every section's
    /// header but configparser's own default section, which is not a
    /// section.
    pub(super) fn profile_headers(&self) -> impl Iterator<Item = (SectionId, &str)> {
        (self.sections.iter().enumerate())
            .map(|(i, s)| (SectionId(i), self.span(s.header)))
            .filter(|&(_, name)| name != "DEFAULT")
    }

    pub(super) fn section_count(&self) -> usize {
        self.sections.len()
    }

    /// The profile a section defines.
    pub(super) fn profile_name_of(&self, id: SectionId) -> Option<&str> {
        self.profile_name(self.sections.get(id.0)?)
    }

    /// The raw header of a section.
    pub(super) fn header_of(&self, id: SectionId) -> Option<&str> {
        Some(self.span(self.sections.get(id.0)?.header))
    }

    /// The session of the managed block a section is in.
    pub(super) fn managed_by(&self, id: SectionId) -> Option<&str> {
        let block = self.sections.get(id.0)?.block?;
        Some(self.span(self.blocks[block as usize].session))
    }

    // ----- reading -----

    fn raw_bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.text.as_bytes())
    }

    fn span(&self, (start, end): Span) -> &str {
        &self.text[start as usize..end as usize]
    }

    fn value(&self, entry: &Entry) -> &str {
        match entry.joined {
            SINGLE => self.span(entry.first),
            i => &self.joined[i as usize],
        }
    }

    fn name(&self, s: &SectionData) -> &str {
        match s.name {
            Name::None => "",
            Name::Span(start, end) => self.span((start, end)),
            Name::Unquoted(i) => &self.names[i as usize],
        }
    }

    fn profile_name(&self, s: &SectionData) -> Option<&str> {
        match s.kind {
            Kind::Default => Some("default"),
            Kind::Profile => Some(self.name(s)),
            _ => None,
        }
    }

    fn kind(&self, s: &SectionData) -> SectionKind {
        let name = || self.name(s).to_owned();
        match s.kind {
            Kind::Default => SectionKind::Default,
            Kind::Profile => SectionKind::Profile(name()),
            Kind::SsoSession => SectionKind::SsoSession(name()),
            Kind::Services => SectionKind::Services(name()),
            Kind::Other => SectionKind::Other,
        }
    }

    fn line_text(&self, line: usize) -> &str {
        let (start, end) = self.lines[line].text;
        &self.text[start..end]
    }

    fn section(&self, i: usize) -> Section<'_> {
        let s = &self.sections[i];
        Section {
            id: SectionId(i),
            kind: self.kind(s),
            header: self.span(s.header),
            managed_by: s.block.map(|b| self.span(self.blocks[b as usize].session)),
            doc: self,
        }
    }

    /// The last entry of `key` in a section.
    fn own_entry(&self, index: usize, key: &str) -> Option<Entry> {
        self.entries_in(index)
            .filter(|e| key_eq(self.span(e.key), key))
            .last()
    }

    /// Whether a line that starts with `[` is a section header wherever it
    /// is (see `lex::header_of`).
    pub(super) fn is_header_line(line: &str) -> bool {
        line.starts_with('[') && header_of(line).is_some()
    }
}

/// configparser's key comparison: both sides lower-cased.
pub(crate) fn key_eq(stored: &str, query: &str) -> bool {
    if stored.is_ascii() && query.is_ascii() {
        stored.eq_ignore_ascii_case(query)
    } else {
        stored.to_lowercase() == query.to_lowercase()
    }
}

#[cfg(test)]
pub(crate) mod tests;
