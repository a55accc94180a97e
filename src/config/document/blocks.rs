//! Managed blocks: the generated profiles of one sso-session between a
//! `# BEGIN badge` and an `# END badge` line, which `badge sync` rewrites
//! whole and leaves everything around untouched.

use std::ops::Range;

use super::edits::{Splice, assert_key, push_line, render_entry, section_header};
use super::lex::{BEGIN_MARK, BEGIN_NOTE, END_MARK, LineSplit, begin_marker, py_trim};
use super::{BlockLines, Document, LineKind, ManagedBlock, Marker, Pos, Section, pos};

impl<'a> ManagedBlock<'a> {
    /// The block's lines, from its `# BEGIN` line to its `# END` line.
    ///
    /// Built for the tests and the fuzz harness only, which check it
    /// against their own reading: nothing in badge needs a block's lines
    /// yet (sync records hash [`Document::recorded_block`], which is these
    /// lines wherever the markers pair up as badge writes them).
    #[cfg(any(test, feature = "fuzz"))]
    pub fn lines(&self) -> BlockLines<'a> {
        let (doc, block) = (self.doc, &self.doc.blocks[self.index]);
        let marker = |line| {
            let at = doc.markers.binary_search_by_key(&line, |m| m.line);
            &doc.markers[at.expect("a block's lines are markers")]
        };
        doc.lines_between(marker(block.begin), marker(block.end))
    }

    /// The block's lines, from its `# BEGIN` line to its `# END` line, as
    /// line indices (from 0).
    pub fn line_range(&self) -> std::ops::Range<usize> {
        let block = &self.doc.blocks[self.index];
        block.begin as usize..block.end as usize + 1
    }

    /// The sections whose header is inside the block, in file order.
    pub fn sections(&self) -> impl Iterator<Item = Section<'a>> + use<'a> {
        let (doc, index) = (self.doc, self.index);
        (0..doc.sections.len())
            .filter(move |&i| doc.sections[i].block == Some(pos(index)))
            .map(move |i| doc.section(i))
    }
}

impl Section<'_> {
    /// [`Section::entries`], but for the last section of a managed block only
    /// those before the block's `# END` line: key lines after it read as part
    /// of the section (to botocore, and to [`Section::get`]), yet they are
    /// the user's, not the block's, and a rewrite of the block leaves them.
    pub fn block_entries(&self) -> Vec<(String, String)> {
        let doc = self.doc;
        let s = &doc.sections[self.id.0];
        match doc.block_end(self.id.0) {
            // The section runs past `# END`: read what is before it alone
            // (a header resets the reader, so it reads the same), which
            // also leaves out continuation lines after `# END`.
            Some(end) if end < s.body.1 => {
                let alone = Document::parse(&doc.text.as_bytes()[s.start as usize..end as usize]);
                let entries = alone.sections().next().map(|s| {
                    let owned = s.entries().map(|(k, v)| (k.to_owned(), v.to_owned()));
                    owned.collect()
                });
                entries.unwrap_or_default()
            }
            _ => self
                .entries()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

impl<'a> BlockLines<'a> {
    /// Each line without its line end, with its number (from 1).
    pub fn iter(&self) -> impl Iterator<Item = (usize, &'a str)> + use<'a> {
        let (text, first) = (self.text, self.first);
        let lines = LineSplit::new(text.as_bytes()).enumerate();
        lines.map(move |(i, (start, end, _))| (first + i, &text[start..end]))
    }

    /// The lines joined by `\n`, the same whatever line ends the file has.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for (i, (_, line)) in self.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }
}

impl Document {
    /// Every managed block, in file order.
    pub fn managed_blocks(&self) -> impl Iterator<Item = ManagedBlock<'_>> {
        (0..self.blocks.len()).map(|index| ManagedBlock {
            session: self.span(self.blocks[index].session),
            doc: self,
            index,
        })
    }

    /// The managed block of `session`, if the file has one.
    pub fn managed_block(&self, session: &str) -> Option<ManagedBlock<'_>> {
        self.managed_blocks().nth(self.block_index(session)?)
    }

    /// Rewrites the managed block of `session` (from its `# BEGIN` line to its
    /// `# END` line) with one `[profile NAME]` section per item, or appends a
    /// new block at the end of the file.
    ///
    /// Panics on a session name that the marker lines cannot hold (empty, with
    /// a line break or whitespace around it) or a key `set` would refuse.
    /// A profile name that no header can hold (a line break) is skipped.
    pub fn replace_managed_block(
        &mut self,
        session: &str,
        sections: &[(String, Vec<(String, String)>)],
    ) {
        assert!(
            !session.is_empty() && py_trim(session) == session && !session.contains(['\r', '\n']),
            "invalid sso-session name for a managed block {session:?}"
        );
        self.with_lines();
        // A block keeps the line ending it was written with (the file's most
        // common one may change with the block itself), and its `# END` line
        // keeps its own terminator: a lone `\r` there could otherwise meet
        // the `\n` of the line after it.
        let old = self.block_index(session).map(|i| {
            let block = &self.blocks[i];
            let term = |line: usize| {
                let l = self.lines[line];
                &self.raw_bytes()[l.raw.1 - l.term..l.raw.1]
            };
            (
                term(block.begin as usize).to_vec(),
                term(block.end as usize).to_vec(),
            )
        });
        let nl = match old.as_ref().map(|(begin, _)| std::str::from_utf8(begin)) {
            Some(Ok(nl)) if !nl.is_empty() => match nl {
                "\r\n" => "\r\n",
                "\r" => "\r",
                _ => "\n",
            },
            _ => self.newline(),
        };
        let mut text = String::new();
        push_line(
            &mut text,
            &format!("{BEGIN_MARK}{session} {BEGIN_NOTE}"),
            nl,
        );
        let mut first = true;
        for (name, entries) in sections {
            let Some(header) = section_header("profile", name) else {
                debug_assert!(false, "profile name no header can hold: {name:?}");
                continue;
            };
            if !first {
                text.push_str(nl);
            }
            first = false;
            push_line(&mut text, &format!("[{header}]"), nl);
            for (key, value) in entries {
                assert_key(key);
                render_entry(&mut text, "", key, value, nl);
            }
        }
        push_line(&mut text, &format!("{END_MARK}{session}"), nl);
        match (self.block_index(session), old) {
            (Some(i), Some((_, end_term))) => {
                let block = &self.blocks[i];
                let lines = block.begin as usize..block.end as usize + 1;
                let mut bytes = text.into_bytes();
                bytes.truncate(bytes.len() - nl.len());
                bytes.extend_from_slice(&end_term);
                self.apply(vec![Splice { lines, bytes }]);
            }
            _ => self.append(&text, nl),
        }
    }

    /// Removes the managed block of `session` and everything in it. Where
    /// stray markers of the same session around it (a bad merge, a copied
    /// block) would pair up into a new block once it is gone, and so make
    /// the user's sections between them generated, the block stays, empty.
    ///
    /// Key lines after `# END` that no header starts (or continuation lines
    /// of a key above it) belong, for botocore, to the block's last profile.
    /// They are outside the block, so they stay, and so does that profile's
    /// header line: without it they would join the section above the block,
    /// a profile of the user's.
    pub fn remove_managed_block(&mut self, session: &str) -> bool {
        self.with_lines();
        let Some(i) = self.block_index(session) else {
            return false;
        };
        let block = &self.blocks[i];
        let (begin, end) = (block.begin as usize, block.end as usize);
        let last_header = self
            .sections
            .iter()
            .find(|s| {
                begin < s.line as usize
                    && (s.line as usize) < end
                    && (end + 1..s.end as usize).any(|l| {
                        matches!(self.lines[l].kind, LineKind::Key | LineKind::Continuation)
                    })
            })
            .map(|s| s.line as usize);
        let splices = match last_header {
            Some(header) => vec![
                Splice {
                    lines: begin..header,
                    bytes: Vec::new(),
                },
                Splice {
                    lines: header + 1..end + 1,
                    bytes: Vec::new(),
                },
            ],
            None => vec![Splice {
                lines: self.tidy_removal(begin..end + 1),
                bytes: Vec::new(),
            }],
        };
        let mut removed = self.clone();
        removed.apply(splices);
        if removed.block_index(session).is_none() {
            *self = removed;
        } else {
            self.replace_managed_block(session, &[]);
        }
        true
    }

    /// The block marker lines (`# BEGIN badge`, `# END badge`) among `lines`,
    /// with their line ends, for an edit that removes the lines around them.
    pub(super) fn markers_in(&self, lines: Range<usize>) -> Vec<u8> {
        let raw = self.raw_bytes();
        let mut bytes = Vec::new();
        for l in lines {
            if self.is_marker(l) {
                let line = self.lines[l];
                bytes.extend_from_slice(&raw[line.raw.0..line.raw.1]);
            }
        }
        bytes
    }

    pub(super) fn is_marker(&self, line: usize) -> bool {
        self.lines[line].kind == LineKind::Comment && {
            let trimmed = py_trim(self.line_text(line));
            begin_marker(trimmed).is_some() || trimmed.starts_with(END_MARK)
        }
    }

    /// Where the `# END` line of the block a section is in starts.
    fn block_end(&self, index: usize) -> Option<Pos> {
        let block = self.sections.get(index)?.block?;
        Some(self.blocks[block as usize].end_at)
    }

    fn block_index(&self, session: &str) -> Option<usize> {
        self.blocks
            .iter()
            .position(|b| self.span(b.session) == session)
    }

    /// The lines that the record of a sync of `session` hashes (see
    /// `sync::record`): from the first `# BEGIN` line of `session` to the
    /// first `# END` line of it after that.
    ///
    /// Wherever the markers pair up as badge writes them, these are the
    /// lines of [`Document::managed_block`]. Records hold hashes of these
    /// lines as badge has always read them, so they keep that reading where
    /// it differs from the block's:
    /// - a `# BEGIN` line is the first one of the session even if another
    ///   `# BEGIN` line (of any session) follows it before the `# END`, where
    ///   the block starts at the last one, or is not a block at all;
    /// - the whole line is trimmed of Rust's whitespace, not Python's (a
    ///   line indented by `\x1c`..`\x1f` is no marker, and such a byte
    ///   after a session name is part of it);
    /// - a session name ends at the first ` (` on its `# BEGIN` line, and
    ///   whitespace at its end is no part of it.
    pub fn recorded_block(&self, session: &str) -> Option<BlockLines<'_>> {
        let mut markers = (self.markers.iter()).map(|m| (m, self.span(m.text).trim()));
        let (begin, _) = markers.find(|(_, line)| recorded_begin(line) == Some(session))?;
        let (end, _) = markers.find(|(_, line)| line.strip_prefix(END_MARK) == Some(session))?;
        Some(self.lines_between(begin, end))
    }

    /// The lines from marker `begin` to marker `end`.
    fn lines_between(&self, begin: &Marker, end: &Marker) -> BlockLines<'_> {
        BlockLines {
            text: self.span((begin.text.0, end.text.1)),
            first: begin.line as usize + 1,
        }
    }
}

/// The session a `# BEGIN` line names as sync records read it (see
/// [`Document::recorded_block`]); `lex::begin_marker` is the block's own.
fn recorded_begin(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix(BEGIN_MARK)?;
    Some(
        rest.split_once(" (")
            .map_or(rest, |(name, _)| name)
            .trim_end(),
    )
}
