//! Edits: each one splices whole lines, then the document is read again
//! (see the module doc of `document`), and how new lines are rendered so
//! that they read back as what was meant.

use std::ops::Range;

use super::lex::{header_of, indent_chars, is_py_space, kind_of, leading_ws, py_trim};
use super::{Document, Entry, Kind, LineKind, SectionData, SectionId, key_eq, pos};

/// A replacement of whole lines by new bytes.
pub(super) struct Splice {
    pub(super) lines: Range<usize>,
    pub(super) bytes: Vec<u8>,
}

impl Document {
    /// Whether `key` can be written as a key line that reads back as
    /// itself; the edits take no other (keys are badge's own names, or
    /// ones read from the file and written back).
    pub fn is_writable_key(key: &str) -> bool {
        !key.is_empty()
            && py_trim(key) == key
            && !key.contains(['=', ':', '\r', '\n'])
            && !key.starts_with(['[', '#', ';'])
    }

    /// Whether a value reads back as itself once written: every line after
    /// the first becomes a continuation line, and one that starts with `#`
    /// or `;` would read as a comment instead (configparser has no escape).
    pub fn can_hold(value: &str) -> bool {
        let (_, rest) = value_lines(value);
        !rest.iter().any(|line| line.starts_with(['#', ';']))
    }

    /// Sets `key` in a section. An existing key (the last, if repeated) keeps
    /// its line, its spelling and its spacing; only the value changes, and a
    /// value that had continuation lines loses them. A new key goes right after
    /// the section's last line that is not blank or a comment, indented like
    /// the key before it. Line breaks in `value` become continuation lines.
    ///
    /// Panics if `key` could not be read back as that key (empty, with `=`,
    /// `:` or a line break, starting with `[`, `#` or `;`, or with whitespace
    /// around it): keys are the program's own names, never user data. Also
    /// panics on a value that no config file can hold (see
    /// [`Document::can_hold`]): callers check what users give.
    pub fn set(&mut self, id: SectionId, key: &str, value: &str) {
        assert!(
            Document::can_hold(value),
            "a value no config can hold: {value:?}"
        );
        assert_key(key);
        self.with_lines();
        let Some(section) = self.sections.get(id.0) else {
            debug_assert!(false, "stale {id:?}");
            return;
        };
        let nl = self.newline();
        let splice = match self.own_entry(id.0, key) {
            Some(e) => self.replace_entry(&e, value, nl),
            None => self.insert_entry(section, key, value, nl),
        };
        let sections = self.sections.len();
        self.apply(vec![splice]);
        debug_assert_eq!(sections, self.sections.len());
    }

    /// Removes every `key` line of a section with its continuation lines.
    /// `get` may still find the key in `[DEFAULT]`.
    pub fn remove_key(&mut self, id: SectionId, key: &str) -> bool {
        self.with_lines();
        let Some(section) = self.sections.get(id.0) else {
            return false;
        };
        let splices: Vec<Splice> = self.entries[section.entries()]
            .iter()
            .filter(|e| key_eq(self.span(e.key), key))
            .map(|e| Splice {
                lines: e.lines(),
                bytes: self.markers_in(e.lines()),
            })
            .collect();
        let found = !splices.is_empty();
        self.apply(splices);
        found
    }

    /// Appends `[header]` and its entries at the end of the file, after one
    /// blank line, with the file's own line ending.
    ///
    /// Panics if `[header]` would not read back as `header` (empty, or with a
    /// line break); build headers with [`section_header`].
    pub fn add_section(&mut self, header: &str, entries: &[(&str, &str)]) -> SectionId {
        assert!(
            !header.is_empty() && !header.contains(['\r', '\n']),
            "invalid section header {header:?}"
        );
        entries.iter().for_each(|(k, _)| assert_key(k));
        self.with_lines();
        let nl = self.newline();
        let mut text = String::new();
        push_line(&mut text, &format!("[{header}]"), nl);
        for (key, value) in entries {
            render_entry(&mut text, "", key, value, nl);
        }
        self.append(&text, nl);
        SectionId(self.sections.len() - 1)
    }

    /// The line ending most lines have (`\n` on a tie or with none).
    pub(super) fn newline(&self) -> &'static str {
        let mut counts = [0usize; 3];
        let bytes = self.raw_bytes();
        for line in &self.lines {
            match &bytes[line.raw.1 - line.term..line.raw.1] {
                b"\n" => counts[0] += 1,
                b"\r\n" => counts[1] += 1,
                b"\r" => counts[2] += 1,
                _ => {}
            }
        }
        if counts[1] > counts[0] && counts[1] >= counts[2] {
            "\r\n"
        } else if counts[2] > counts[0] && counts[2] > counts[1] {
            "\r"
        } else {
            "\n"
        }
    }

    fn replace_entry(&self, e: &Entry, value: &str, nl: &str) -> Splice {
        let line = self.lines[e.line as usize];
        let content = self.line_text(e.line as usize);
        let prefix = &content[..e.first.0 as usize - line.text.0];
        let suffix = &content[e.first.1 as usize - line.text.0..];
        let (first, rest) = value_lines(value);
        let mut text = prefix.to_owned();
        // `k =` with no value becomes `k = v`; `k=` becomes `k=v`.
        let before_delimiter = prefix.trim_end_matches(['=', ':']).chars().next_back();
        if e.first.0 == e.first.1
            && !first.is_empty()
            && !prefix.ends_with(is_py_space)
            && before_delimiter.is_some_and(is_py_space)
        {
            text.push(' ');
        }
        text.push_str(first);
        text.push_str(suffix);
        let key_term = &self.raw_bytes()[line.raw.1 - line.term..line.raw.1];
        let line_nl = std::str::from_utf8(key_term)
            .ok()
            .filter(|t| !t.is_empty())
            .unwrap_or(nl);
        if !rest.is_empty() {
            let key_indent = indent_chars(content);
            let indent = (e.lines().skip(1))
                .find(|&l| self.lines[l].kind == LineKind::Continuation)
                .map(|l| leading_ws(self.line_text(l)))
                .filter(|ws| ws.chars().count() > key_indent)
                .map_or_else(|| format!("{}    ", leading_ws(content)), str::to_owned);
            text.push_str(line_nl);
            render_continuation(&mut text, &indent, &rest, line_nl);
            text.truncate(text.len() - line_nl.len());
        }
        // Block markers among the old value's lines (a comment does not end a
        // value) stay, in order, after the new value: the block stays whole.
        let raw = self.raw_bytes();
        let mut bytes = text.into_bytes();
        for l in e.lines().skip(1) {
            if self.is_marker(l) {
                let line = self.lines[l];
                bytes.extend_from_slice(line_nl.as_bytes());
                bytes.extend_from_slice(&raw[line.raw.0..line.raw.1 - line.term]);
            }
        }
        // The entry's last line keeps its terminator (or its lack of one).
        let last = self.lines[e.last as usize];
        bytes.extend_from_slice(&raw[last.raw.1 - last.term..last.raw.1]);
        Splice {
            lines: e.lines(),
            bytes,
        }
    }

    fn insert_entry(&self, section: &SectionData, key: &str, value: &str, nl: &str) -> Splice {
        // Indented no deeper than configparser allows for a new key, and as
        // deep as the next header so that it does not become a continuation.
        let next_ws = if (section.end as usize) < self.lines.len() {
            leading_ws(self.line_text(section.end as usize))
        } else {
            ""
        };
        let next_indent = pos(indent_chars(next_ws));
        let (end_key, end_indent) = (section.end_key, section.end_indent);
        let fits = |ws: &str| {
            let n = pos(indent_chars(ws));
            n >= next_indent && !(end_key && n > end_indent)
        };
        let last_key_ws = self.entries[section.entries()]
            .last()
            .map_or("", |e| leading_ws(self.line_text(e.line as usize)));
        let indent = [last_key_ws, ""]
            .into_iter()
            .find(|ws| fits(ws))
            .unwrap_or(next_ws);
        let mut text = String::new();
        render_entry(&mut text, indent, key, value, nl);
        let at = section.last as usize + 1;
        Splice {
            lines: at..at,
            bytes: text.into_bytes(),
        }
    }

    /// Appends `text` (whole lines) after one blank line.
    pub(super) fn append(&mut self, text: &str, nl: &str) {
        let mut bytes = Vec::new();
        if self.lines.last().is_some_and(|l| l.kind != LineKind::Blank) {
            bytes.extend_from_slice(nl.as_bytes());
        }
        bytes.extend_from_slice(text.as_bytes());
        let end = self.lines.len();
        self.apply(vec![Splice {
            lines: end..end,
            bytes,
        }]);
    }

    /// Widens a removal so that it leaves no double blank line behind.
    pub(super) fn tidy_removal(&self, lines: Range<usize>) -> Range<usize> {
        let blank = |i: usize| self.lines.get(i).is_some_and(|l| l.kind == LineKind::Blank);
        let before_blank = lines.start == 0 || blank(lines.start - 1);
        if before_blank && blank(lines.end) {
            lines.start..lines.end + 1
        } else if lines.end == self.lines.len() && lines.start > 0 && blank(lines.start - 1) {
            lines.start - 1..lines.end
        } else {
            lines
        }
    }

    /// Replaces lines, then reads the result again. A header right after a
    /// splice that now reads as a continuation line (it was indented deeper
    /// than a key now above it) loses its indentation, which means nothing
    /// for a header.
    pub(super) fn apply(&mut self, mut splices: Vec<Splice>) {
        if splices.is_empty() {
            return;
        }
        splices.sort_by_key(|s| s.lines.start);
        let raw = self.raw_bytes();
        let line_start = |i: usize| self.lines.get(i).map_or(raw.len(), |l| l.raw.0);
        let mut out = Vec::with_capacity(
            raw.len() + splices.iter().map(|s| s.bytes.len()).sum::<usize>() + 2,
        );
        // Where a header that follows a splice starts in `out`.
        let mut headers = Vec::new();
        let mut at = 0;
        for splice in &mut splices {
            let mut start = splice.lines.start;
            // Text added after a last line without terminator first ends it.
            if start == self.lines.len()
                && start > 0
                && self.lines[start - 1].term == 0
                && !splice.bytes.is_empty()
            {
                start -= 1;
                let mut bytes = raw[self.lines[start].raw.0..].to_vec();
                bytes.extend_from_slice(self.newline().as_bytes());
                bytes.append(&mut splice.bytes);
                splice.bytes = bytes;
            }
            out.extend_from_slice(&raw[line_start(at)..line_start(start)]);
            out.extend_from_slice(&splice.bytes);
            at = splice.lines.end;
            let next = (at..self.lines.len())
                .find(|&i| !matches!(self.lines[i].kind, LineKind::Blank | LineKind::Comment));
            if let Some(next) = next.filter(|&i| self.lines[i].kind == LineKind::Header) {
                headers.push(out.len() + line_start(next) - line_start(at));
            }
        }
        out.extend_from_slice(&raw[line_start(at)..]);
        *self = Document::from_vec(out);
        if headers.is_empty() {
            return;
        }
        self.with_lines();

        let mut fix: Vec<(usize, usize)> = headers
            .into_iter()
            .filter_map(|at| self.lines.binary_search_by_key(&at, |l| l.raw.0).ok())
            .map(|i| &self.lines[i])
            .filter(|l| l.kind == LineKind::Continuation)
            .map(|l| (l.raw.0, leading_ws(&self.text[l.text.0..l.text.1]).len()))
            .collect();
        if fix.is_empty() {
            return;
        }
        fix.sort_unstable();
        let raw = self.raw_bytes();
        let mut out = Vec::with_capacity(raw.len());
        let mut at = 0;
        for (start, ws) in fix {
            out.extend_from_slice(&raw[at..start]);
            at = start + ws;
        }
        out.extend_from_slice(&raw[at..]);
        *self = Document::from_vec(out);
    }
}

/// The text between `[` and `]` for a section of kind `prefix` (`profile`,
/// `sso-session`, `services`) named `name`, quoted with `"` when botocore
/// would otherwise not read back exactly `name`; `None` when no header can
/// hold it (a line break).
pub fn section_header(prefix: &str, name: &str) -> Option<String> {
    if name.contains(['\r', '\n']) {
        return None;
    }
    let reads_back = |header: &str| {
        let kind = match kind_of(header) {
            (Kind::Profile, Some(n)) if n == name => "profile",
            (Kind::SsoSession, Some(n)) if n == name => "sso-session",
            (Kind::Services, Some(n)) if n == name => "services",
            _ => return false,
        };
        kind == prefix && header_of(&format!("[{header}]")) == Some(header)
    };
    let plain = format!("{prefix} {name}");
    if reads_back(&plain) {
        return Some(plain);
    }
    let quoted = format!(
        "{prefix} \"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    );
    reads_back(&quoted).then_some(quoted)
}

pub(super) fn assert_key(key: &str) {
    assert!(Document::is_writable_key(key), "invalid config key {key:?}");
}

pub(super) fn push_line(text: &mut String, line: &str, nl: &str) {
    text.push_str(line);
    text.push_str(nl);
}

/// `key = value`, and continuation lines for the lines of a multi-line value.
pub(super) fn render_entry(text: &mut String, indent: &str, key: &str, value: &str, nl: &str) {
    let (first, rest) = value_lines(value);
    text.push_str(indent);
    text.push_str(key);
    text.push_str(if first.is_empty() { " =" } else { " = " });
    push_line(text, first, nl);
    render_continuation(text, &format!("{indent}    "), &rest, nl);
}

fn render_continuation(text: &mut String, indent: &str, rest: &[&str], nl: &str) {
    for line in rest {
        if !line.is_empty() {
            text.push_str(indent);
        }
        push_line(text, line, nl);
    }
}

/// A value's first line and its further lines, stripped; trailing empty lines
/// are dropped, as configparser would drop them.
fn value_lines(value: &str) -> (&str, Vec<&str>) {
    let mut lines = value
        .split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .map(py_trim);
    let first = lines.next().unwrap_or("");
    let mut rest: Vec<&str> = lines.collect();
    while rest.last().is_some_and(|l| l.is_empty()) {
        rest.pop();
    }
    (first, rest)
}
