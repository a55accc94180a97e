//! The index: botocore's view of the text, built in one pass over its
//! lines (sections, their entries, managed blocks), and the line table
//! that edits work on.

use std::borrow::Cow;

use super::blocks::END_MARK;
use super::lex::{
    LineSplit, SplitLines, begin_marker, delimiter, header_of, indent_chars, is_py_space_byte,
    kind_of, offset, parse_entry, py_lstrip, py_rstrip, py_trim,
};
use super::{Block, Document, Entry, Line, LineKind, Name, Pos, SINGLE, SectionData, Span, pos};

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

    /// One pass of configparser's reading; tells whether a continuation line
    /// was seen.
    fn index_pass(&mut self, with_lines: bool, with_entries: bool) -> bool {
        let text = self.text.as_str();
        let mut continued = false;
        let mut lines = Vec::new();
        // Room for a section every 32 bytes costs only address space, and
        // growing would copy (and touch) it all again.
        let mut sections: Vec<SectionData> = Vec::with_capacity((text.len() / 32).min(1 << 20));
        let mut entries: Vec<Entry> = Vec::new();
        let mut joined: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut blocks = Vec::new();
        let mut defaults = Vec::new();
        // An open `# BEGIN` line: (line, session, first section after it).
        let mut open: Option<(usize, Span, usize)> = None;
        let mut state = State::default();
        // Blank lines seen since the current key's last line.
        let mut blanks = 0;
        let mut line_count = 0;

        for (i, (start, end, next)) in LineSplit::new(text.as_bytes()).enumerate() {
            line_count = i + 1;
            let content = &text[start..end];
            // Stripped on the left only: the right end matters to few lines
            // (comments, and values when entries are read), which strip it.
            // Most lines start with a character that is not whitespace.
            let trimmed = match content.as_bytes().first() {
                Some(&b) if b < 0x80 && !is_py_space_byte(b) => content,
                _ => py_lstrip(content),
            };
            let lead = content.len() - trimmed.len();
            let at = start + lead;
            let kind = if trimmed.is_empty() {
                if state.key.is_some() {
                    blanks += 1;
                }
                LineKind::Blank
            } else if trimmed.starts_with(['#', ';']) {
                let trimmed = py_rstrip(trimmed);
                if let Some(name) = begin_marker(trimmed) {
                    let name_at = at + offset(trimmed, name);
                    open = Some((i, (pos(name_at), pos(name_at + name.len())), sections.len()));
                } else if let Some(name) = trimmed.strip_prefix(END_MARK)
                    && let Some((begin, session, first)) = open
                    && &text[session.0 as usize..session.1 as usize] == name
                {
                    for s in &mut sections[first..] {
                        s.block = Some(pos(blocks.len()));
                    }
                    blocks.push(Block {
                        session,
                        begin: pos(begin),
                        end: pos(i),
                        end_at: pos(start),
                    });
                    open = None;
                }
                LineKind::Comment
            } else {
                let indent = pos(indent_chars(&content[..lead]));
                let trimmed_right = || py_rstrip(trimmed);
                let kind = match state.key {
                    Some(_) if indent > state.indent && !with_entries => {
                        continued = true;
                        if let Some(s) = sections.last_mut() {
                            s.continued = true;
                        }
                        LineKind::Continuation
                    }
                    Some(e) if indent > state.indent => {
                        continued = true;
                        let entry = &mut entries[e as usize];
                        if entry.joined == SINGLE {
                            joined.push(
                                text[entry.first.0 as usize..entry.first.1 as usize].to_owned(),
                            );
                            entry.joined = pos(joined.len() - 1);
                        }
                        let value = &mut joined[entry.joined as usize];
                        for _ in 0..blanks {
                            value.push('\n');
                        }
                        value.push('\n');
                        value.push_str(trimmed_right());
                        entry.last = pos(i);
                        blanks = 0;
                        LineKind::Continuation
                    }
                    _ => {
                        state.indent = indent;
                        if let Some(header) = header_of(trimmed) {
                            if let Some(prev) = sections.last_mut() {
                                prev.end = pos(i);
                                prev.body.1 = pos(start);
                            }
                            let header_at = at + 1;
                            let (kind, name) = kind_of(header);
                            let name = match name {
                                None => Name::None,
                                Some(Cow::Borrowed(n)) => {
                                    let name_at = header_at + offset(header, n);
                                    Name::Span(pos(name_at), pos(name_at + n.len()))
                                }
                                Some(Cow::Owned(n)) => {
                                    names.push(n);
                                    Name::Unquoted(pos(names.len() - 1))
                                }
                            };
                            if header == "DEFAULT" {
                                defaults.push(pos(sections.len()));
                            }
                            state.in_section = true;
                            state.key = None;
                            sections.push(SectionData {
                                line: pos(i),
                                start: pos(start),
                                end: pos(i + 1),
                                last: pos(i),
                                header: (pos(header_at), pos(header_at + header.len())),
                                body: (pos(next), pos(text.len())),
                                kind,
                                name,
                                entries: (pos(entries.len()), pos(entries.len())),
                                continued: false,
                                block: None,
                                end_key: false,
                                end_indent: indent,
                            });
                            LineKind::Header
                        } else if !state.in_section {
                            LineKind::Invalid
                        } else if let Some(eq) = delimiter(trimmed) {
                            // configparser: an empty name takes no continuation
                            // (the stripped line starts with no space).
                            state.key = (eq > 0).then_some(pos(entries.len()));
                            blanks = 0;
                            if with_entries {
                                entries.push(parse_entry(trimmed_right(), at, pos(i), eq));
                                if let Some(s) = sections.last_mut() {
                                    s.entries.1 = pos(entries.len());
                                }
                            }
                            LineKind::Key
                        } else {
                            LineKind::Invalid
                        }
                    }
                };
                if let Some(s) = sections.last_mut().filter(|_| state.in_section) {
                    s.last = pos(i);
                    s.end_key = state.key.is_some();
                    s.end_indent = state.indent;
                }
                kind
            };
            if with_lines {
                lines.push(Line {
                    raw: (start, next),
                    text: (start, end),
                    term: next - end,
                    kind,
                });
            }
        }
        if let Some(last) = sections.last_mut() {
            last.end = pos(line_count);
        }
        // Map lines to the raw bytes where they differ from the text.
        if let Some(raw) = self.raw.as_ref().filter(|_| with_lines) {
            for (line, (start, _, next)) in lines.iter_mut().zip(LineSplit::new(raw)) {
                line.raw = (start, next);
            }
        }
        self.lines = lines;
        self.sections = sections;
        self.entries = entries;
        self.has_entries = with_entries;
        self.joined = joined;
        self.names = names;
        self.blocks = blocks;
        self.defaults = defaults;
        continued
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
                Some(parse_entry(trimmed, offset(text, trimmed), 0, eq))
            }),
        }
    }
}
