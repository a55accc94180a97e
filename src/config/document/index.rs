//! The index: botocore's view of the text, built in one pass over its
//! lines (sections, their entries, managed blocks), and the line table
//! that edits work on.

use std::borrow::Cow;

use super::lex::END_MARK;
use super::lex::{
    LineSplit, SplitLines, begin_marker, delimiter, header_of, indent_chars, is_py_space_byte,
    kind_of, offset, parse_entry, py_lstrip, py_rstrip, py_trim,
};
use super::{
    Block, Document, Entry, Line, LineKind, Marker, Name, Pos, SINGLE, SectionData, Span, pos,
};

impl Document {
    /// Builds botocore's view, and the line table if asked. The table of
    /// entries is built for every section only for edits; when reading, only
    /// for the sections where a value has continuation lines (whose joined
    /// values need a home): any other section's few lines are read when
    /// asked for, which keeps reading a big file fast.
    pub(super) fn index(&mut self, with_lines: bool) {
        if self.text.len() >= Pos::MAX as usize {
            return;
        }
        let continued = self.index_pass(with_lines, with_lines);
        if continued && !with_lines {
            self.index_continued();
        }
    }

    /// The entries of each section with continuation lines, read by the same
    /// pass over just that section's text (a header resets configparser's
    /// state, so a section reads the same alone).
    fn index_continued(&mut self) {
        for i in 0..self.sections.len() {
            let section = &self.sections[i];
            if !section.continued {
                continue;
            }
            let start = section.start;
            let text = self.text[start as usize..section.body.1 as usize].to_owned();
            let mut alone = Document::empty(text, None);
            alone.index_pass(false, true);
            let Some(read) = alone.sections.first() else {
                continue;
            };
            let first = pos(self.entries.len());
            let shift = |(a, b): Span| (a + start, b + start);
            for e in &alone.entries[read.entries()] {
                let joined = match e.joined {
                    SINGLE => SINGLE,
                    j => {
                        self.joined
                            .push(std::mem::take(&mut alone.joined[j as usize]));
                        pos(self.joined.len() - 1)
                    }
                };
                self.entries.push(Entry {
                    key: shift(e.key),
                    first: shift(e.first),
                    joined,
                    ..*e
                });
            }
            self.sections[i].entries = (first, pos(self.entries.len()));
        }
    }

    /// One pass of configparser's reading (see [`Pass`]); tells whether a
    /// continuation line was seen.
    fn index_pass(&mut self, with_lines: bool, with_entries: bool) -> bool {
        let mut pass = Pass::new(&self.text, with_entries);
        let mut lines = Vec::new();
        for (start, end, next) in LineSplit::new(self.text.as_bytes()) {
            let kind = pass.line(start, end, next);
            if with_lines {
                lines.push(Line {
                    raw: (start, next),
                    text: (start, end),
                    term: next - end,
                    kind,
                });
            }
        }
        pass.finish();
        // Map lines to the raw bytes where they differ from the text.
        if let Some(raw) = self.raw.as_ref().filter(|_| with_lines) {
            for (line, (start, _, next)) in lines.iter_mut().zip(LineSplit::new(raw)) {
                line.raw = (start, next);
            }
        }
        self.lines = lines;
        self.sections = pass.sections;
        self.entries = pass.entries;
        self.has_entries = with_entries;
        self.joined = pass.joined;
        self.names = pass.names;
        self.blocks = pass.blocks;
        self.markers = pass.markers;
        self.defaults = pass.defaults;
        pass.continued
    }

    /// A section's own entries: from the table, or read from its lines.
    pub(super) fn entries_in(&self, index: usize) -> EntriesIn<'_> {
        let section = &self.sections[index];
        if self.has_entries || section.continued {
            EntriesIn::Table(self.entries[section.entries()].iter())
        } else {
            EntriesIn::Lines(&self.text, SplitLines(self.span(section.body)))
        }
    }

    /// Builds the line table that edits work on.
    pub(super) fn with_lines(&mut self) {
        if self.lines.is_empty() && !self.text.is_empty() {
            self.index(true);
        }
    }
}

/// The entries of one section.
pub(super) enum EntriesIn<'a> {
    Table(std::slice::Iter<'a, Entry>),
    /// Read from the section's lines, in a file without continuation lines,
    /// where a line that is not blank, a comment or the header is a key or
    /// means nothing. Line numbers are not known there.
    Lines(&'a str, SplitLines<'a>),
}

impl Iterator for EntriesIn<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        match self {
            EntriesIn::Table(entries) => entries.next().copied(),
            EntriesIn::Lines(text, lines) => lines.find_map(|content| {
                let trimmed = py_trim(content);
                if trimmed.starts_with(['#', ';']) {
                    return None;
                }
                let eq = delimiter(trimmed)?;
                Some(parse_entry(trimmed, offset(*text, trimmed), 0, eq))
            }),
        }
    }
}

/// configparser's state between lines.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    in_section: bool,
    /// The entry that a deeper-indented line would continue (none after a
    /// header or a key with an empty name).
    key: Option<Pos>,
    /// Indentation, in characters, of the last header, key or invalid line.
    indent: Pos,
}

/// One pass of configparser's reading over a text: what it has read so
/// far, and its state between lines. Each kind of line is a step of its
/// own; [`Pass::line`] tells which one a line takes.
struct Pass<'t> {
    text: &'t str,
    /// Whether to keep every entry (for edits), or only to note which
    /// sections have continuation lines (for reading; see `index`).
    with_entries: bool,
    /// Whether a continuation line was seen.
    continued: bool,
    sections: Vec<SectionData>,
    entries: Vec<Entry>,
    joined: Vec<String>,
    names: Vec<String>,
    blocks: Vec<Block>,
    markers: Vec<Marker>,
    defaults: Vec<Pos>,
    /// An open `# BEGIN` line: (its marker, session, first section after it).
    open: Option<(usize, Span, usize)>,
    state: State,
    /// Blank lines seen since the current key's last line.
    blanks: usize,
    /// Lines read so far; the number of the next one.
    line: usize,
}

/// One line of the text, as the steps of a [`Pass`] see it.
struct LineAt<'t> {
    /// Its number, from 0.
    i: usize,
    /// Where it starts in the text, and where the next line starts.
    start: usize,
    next: usize,
    /// The line without its terminator.
    content: &'t str,
    /// `content` stripped on the left, and where that starts in the text.
    trimmed: &'t str,
    at: usize,
}

impl<'t> Pass<'t> {
    fn new(text: &'t str, with_entries: bool) -> Pass<'t> {
        Pass {
            text,
            with_entries,
            continued: false,
            // Room for a section every 32 bytes costs only address space,
            // and growing would copy (and touch) it all again.
            sections: Vec::with_capacity((text.len() / 32).min(1 << 20)),
            entries: Vec::new(),
            joined: Vec::new(),
            names: Vec::new(),
            blocks: Vec::new(),
            markers: Vec::new(),
            defaults: Vec::new(),
            open: None,
            state: State::default(),
            blanks: 0,
            line: 0,
        }
    }

    /// Reads the next line, `text[start..end]`, whose terminator ends at
    /// `next`, and says what it is.
    fn line(&mut self, start: usize, end: usize, next: usize) -> LineKind {
        let text = self.text;
        let content = &text[start..end];
        // Stripped on the left only: the right end matters to few lines
        // (comments, and values when entries are read), which strip it.
        // Most lines start with a character that is not whitespace.
        let trimmed = match content.as_bytes().first() {
            Some(&b) if b < 0x80 && !is_py_space_byte(b) => content,
            _ => py_lstrip(content),
        };
        let line = LineAt {
            i: self.line,
            start,
            next,
            content,
            trimmed,
            at: start + content.len() - trimmed.len(),
        };
        self.line += 1;
        if trimmed.is_empty() {
            self.blank()
        } else if trimmed.starts_with(['#', ';']) {
            self.comment(&line)
        } else {
            self.content_line(&line)
        }
    }

    /// A blank line: it does not end a value, but a continuation line
    /// after it puts a line break in the value for it.
    fn blank(&mut self) -> LineKind {
        if self.state.key.is_some() {
            self.blanks += 1;
        }
        LineKind::Blank
    }

    /// A comment, wherever it is; block markers open and close blocks.
    fn comment(&mut self, line: &LineAt<'t>) -> LineKind {
        let trimmed = py_rstrip(line.trimmed);
        let marker = Marker {
            line: pos(line.i),
            text: (pos(line.start), pos(line.start + line.content.len())),
        };
        if let Some(name) = begin_marker(trimmed) {
            let name_at = line.at + offset(trimmed, name);
            let session = (pos(name_at), pos(name_at + name.len()));
            self.open = Some((self.markers.len(), session, self.sections.len()));
            self.markers.push(marker);
        } else if let Some(name) = trimmed.strip_prefix(END_MARK) {
            self.markers.push(marker);
            self.close_block(name);
        }
        LineKind::Comment
    }

    /// An `# END` line of `session`, the last marker: it closes the open
    /// block if that is the same session's.
    fn close_block(&mut self, session: &str) {
        let Some((begin, open, first)) = self.open else {
            return;
        };
        if &self.text[open.0 as usize..open.1 as usize] != session {
            return;
        }
        let (begin, end) = (self.markers[begin], self.markers[self.markers.len() - 1]);
        for s in &mut self.sections[first..] {
            s.block = Some(pos(self.blocks.len()));
        }
        self.blocks.push(Block {
            session: open,
            begin: begin.line,
            end: end.line,
            end_at: end.text.0,
        });
        self.open = None;
    }

    /// A line that is neither blank nor a comment: a continuation line when
    /// indented deeper than the key before it, else a header, a key, or a
    /// line that means nothing.
    fn content_line(&mut self, line: &LineAt<'t>) -> LineKind {
        let indent = pos(indent_chars(&line.content[..line.at - line.start]));
        let kind = match self.state.key {
            Some(entry) if indent > self.state.indent => self.continuation(line, entry),
            _ => {
                self.state.indent = indent;
                if let Some(header) = header_of(line.trimmed) {
                    self.header(line, header, indent)
                } else if !self.state.in_section {
                    LineKind::Invalid
                } else if let Some(eq) = delimiter(line.trimmed) {
                    self.key(line, eq)
                } else {
                    LineKind::Invalid
                }
            }
        };
        // The state at the section's last line is the state at the next
        // header, which an edit at the end of the section must know.
        if let Some(s) = self.sections.last_mut().filter(|_| self.state.in_section) {
            s.last = pos(line.i);
            s.end_key = self.state.key.is_some();
            s.end_indent = self.state.indent;
        }
        kind
    }

    /// A line of the value of `entry`, joined to it like configparser does
    /// (after the blank lines since its last line); without a table of
    /// entries, only noted.
    fn continuation(&mut self, line: &LineAt<'t>, entry: Pos) -> LineKind {
        self.continued = true;
        if !self.with_entries {
            if let Some(s) = self.sections.last_mut() {
                s.continued = true;
            }
            return LineKind::Continuation;
        }
        let entry = &mut self.entries[entry as usize];
        if entry.joined == SINGLE {
            let first = &self.text[entry.first.0 as usize..entry.first.1 as usize];
            self.joined.push(first.to_owned());
            entry.joined = pos(self.joined.len() - 1);
        }
        let value = &mut self.joined[entry.joined as usize];
        for _ in 0..self.blanks {
            value.push('\n');
        }
        value.push('\n');
        value.push_str(py_rstrip(line.trimmed));
        entry.last = pos(line.i);
        self.blanks = 0;
        LineKind::Continuation
    }

    /// A `[header]` line: it ends the section before it and starts one.
    fn header(&mut self, line: &LineAt<'t>, header: &str, indent: Pos) -> LineKind {
        if let Some(prev) = self.sections.last_mut() {
            prev.end = pos(line.i);
            prev.body.1 = pos(line.start);
        }
        let header_at = line.at + 1;
        let (kind, name) = kind_of(header);
        let name = match name {
            None => Name::None,
            Some(Cow::Borrowed(n)) => {
                let name_at = header_at + offset(header, n);
                Name::Span(pos(name_at), pos(name_at + n.len()))
            }
            Some(Cow::Owned(n)) => {
                self.names.push(n);
                Name::Unquoted(pos(self.names.len() - 1))
            }
        };
        if header == "DEFAULT" {
            self.defaults.push(pos(self.sections.len()));
        }
        self.state.in_section = true;
        self.state.key = None;
        let entries = pos(self.entries.len());
        self.sections.push(SectionData {
            line: pos(line.i),
            start: pos(line.start),
            end: pos(line.i + 1),
            last: pos(line.i),
            header: (pos(header_at), pos(header_at + header.len())),
            body: (pos(line.next), pos(self.text.len())),
            kind,
            name,
            entries: (entries, entries),
            continued: false,
            block: None,
            end_key: false,
            end_indent: indent,
        });
        LineKind::Header
    }

    /// A `key = value` line in a section, its delimiter at `eq`.
    fn key(&mut self, line: &LineAt<'t>, eq: usize) -> LineKind {
        // configparser: an empty name takes no continuation (the stripped
        // line starts with no space).
        self.state.key = (eq > 0).then_some(pos(self.entries.len()));
        self.blanks = 0;
        if self.with_entries {
            let entry = parse_entry(py_rstrip(line.trimmed), line.at, pos(line.i), eq);
            self.entries.push(entry);
            if let Some(s) = self.sections.last_mut() {
                s.entries.1 = pos(self.entries.len());
            }
        }
        LineKind::Key
    }

    /// After the last line: the last section ends with the text.
    fn finish(&mut self) {
        if let Some(last) = self.sections.last_mut() {
            last.end = pos(self.line);
        }
    }
}
