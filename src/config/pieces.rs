//! Reading a big config file piece by piece.
//!
//! A switch or a Tab with 10,000 profiles needs a handful of sections, yet
//! reading the whole 2 MB file into memory costs more than parsing it: the
//! kernel has to fault in and zero every page of the buffer, and unmap them
//! all at exit. Reading into one reused buffer of [`PIECE`] bytes instead,
//! and parsing each piece as a [`Document`] of its own, touches a few dozen
//! pages, whatever the size of the file.
//!
//! A piece always ends right before a line that starts, at its first byte,
//! with a section header. Such a line is a header whatever came before it
//! (configparser continues a value only on a line indented deeper than the
//! key, and no line is indented less than not at all), and a header resets
//! the reader's state; so the sections of the pieces, one after the other,
//! are the sections of the whole file, each with the same entries. What a
//! piece alone cannot know is which sections a `# BEGIN badge` block around
//! it holds, and the keys of a `[DEFAULT]` in another piece: callers that
//! need those read the whole file.

use std::fs::File;
use std::io::{self, ErrorKind, Read};
use std::path::Path;

use anyhow::{Context, Result};
use memchr::memmem::Finder;

use super::document::Document;

/// Bytes read at a time; a piece may be longer when a single section is.
/// Each page of the buffer faults once, when a read first fills it: 32 KiB
/// (8 pages) against the 128 KiB of before took a switch on a
/// 10,000-profile file from 142 to 117 page faults (GNU time, the median
/// of 20), for 4 % more instructions in the four times as many reads.
pub const PIECE: usize = 32 * 1024;

/// Calls `visit` with each piece of the file at `path`, in order, each read
/// as its own document, if `wanted` says yes to its bytes. A missing file
/// has no pieces.
pub fn for_each(
    path: &Path,
    piece: usize,
    wanted: impl FnMut(&[u8]) -> bool,
    visit: impl FnMut(&Document),
) -> Result<()> {
    let read_error = || format!("cannot read {}", path.display());
    match File::open(path) {
        Ok(file) => read(file, piece, wanted, visit).with_context(read_error),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err).with_context(read_error),
    }
}

/// [`for_each`] on any reader.
pub fn read(
    mut reader: impl Read,
    piece: usize,
    mut wanted: impl FnMut(&[u8]) -> bool,
    mut visit: impl FnMut(&Document),
) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(piece);
    let mut want = piece.max(1);
    loop {
        // Fill the buffer up to `want` bytes, or to the end of the input.
        let missing = want.saturating_sub(buf.len()) as u64;
        (&mut reader).take(missing).read_to_end(&mut buf)?;
        let at_end = buf.len() < want;
        let cut = if at_end {
            buf.len()
        } else {
            match last_boundary(&buf) {
                Some(cut) => cut,
                None => {
                    // One section longer than the buffer: read more of it.
                    want = want.saturating_mul(2);
                    continue;
                }
            }
        };
        let rest = buf.split_off(cut);
        // The parts of a piece that may hold something, alone: most of a
        // piece is other profiles.
        if wanted(&buf) {
            for part in parts(&buf) {
                if part.len() == buf.len() || wanted(part) {
                    visit(&Document::parse(part));
                }
            }
        }
        if at_end {
            return Ok(());
        }
        buf.clear();
        buf.extend_from_slice(&rest);
        want = piece.max(buf.len() + 1);
    }
}

/// What a piece is looked at in: parts of about this many bytes, each cut
/// right before a header line as the pieces are. Reading big pieces keeps
/// the reads few; looking at small parts keeps the parsing to the few
/// sections that may matter (the `[sso-session]` near the top of a file,
/// the profile asked for), not the whole piece around them.
pub const PART: usize = 8 * 1024;

/// `piece` cut into parts of about [`PART`] bytes (more when one section
/// is longer), each starting at a header line but the first.
fn parts(piece: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = piece;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut window = PART;
        let cut = loop {
            if rest.len() <= window + PART {
                break rest.len();
            }
            if let Some(cut) = last_boundary(&rest[..window]) {
                break cut;
            }
            window = window.saturating_mul(2);
        };
        let (part, after) = rest.split_at(cut);
        rest = after;
        Some(part)
    })
}

/// Whether a piece may hold a section that a view of the profiles whose
/// names contain a needle keeps (see `Document::extract_sections`): a
/// profile whose name contains it, an `[sso-session]` or a `[DEFAULT]`. A
/// name is its header's text unless quotes or escapes made it, and pieces
/// with any of those are always read. Bytes beyond ASCII matter only when
/// case is ignored (Unicode case rules: `K`, the Kelvin sign, is `k`) or
/// the needle itself is not ASCII (U+FFFD stands for bytes that are not
/// UTF-8): such pieces are then always read. The searches are built once
/// for every piece of a file (building one costs more than searching a
/// part with it).
pub struct Prefilter {
    /// With `ignore_ascii_case`, the needle is lower case.
    needle: Finder<'static>,
    ignore_ascii_case: bool,
    /// Whether a byte beyond ASCII makes a piece worth reading.
    beyond_ascii: bool,
    /// Case changes letters only: a piece without the longest run of the
    /// needle's other bytes (`-0042-` of `acct-0042-prod/`) cannot hold it,
    /// and is not lowered, which costs a 10,000-profile file some 50 µs.
    run: Option<Finder<'static>>,
    sso_session: Marker,
    default: Marker,
    lower: Vec<u8>,
}

impl Prefilter {
    pub fn new(needle: &str, ignore_ascii_case: bool) -> Prefilter {
        let run = needle
            .split(|c: char| c.is_ascii_alphabetic())
            .max_by_key(|run| run.len())
            .filter(|run| ignore_ascii_case && run.len() > 1);
        Prefilter {
            needle: Finder::new(needle.as_bytes()).into_owned(),
            ignore_ascii_case,
            beyond_ascii: ignore_ascii_case || !needle.is_ascii(),
            run: run.map(|run| Finder::new(run.as_bytes()).into_owned()),
            sso_session: Marker::new(b"[sso-session", 0),
            default: Marker::new(b"[DEFAULT]", 7),
            lower: Vec::new(),
        }
    }

    pub fn may_hold(&mut self, piece: &[u8]) -> bool {
        if self.beyond_ascii && !piece.is_ascii() {
            return true;
        }
        if memchr::memchr3(b'"', b'\'', b'\\', piece).is_some() {
            return true;
        }
        if self.sso_session.is_in(piece) || self.default.is_in(piece) {
            return true;
        }
        if !self.ignore_ascii_case {
            return self.needle.find(piece).is_some();
        }
        if let Some(run) = &self.run
            && run.find(piece).is_none()
        {
            return false;
        }
        self.lower.clear();
        self.lower.extend(piece.iter().map(u8::to_ascii_lowercase));
        self.needle.find(&self.lower).is_some()
    }
}

/// A fixed text found by two of its bytes, next to each other, that are
/// rarely so in a config: `[s` of `[sso-session`, `T]` of `[DEFAULT]`.
/// memmem's own choice of bytes to look for first in these texts meets a
/// candidate at every header; the two bytes alone halve the cost of the
/// search (callgrind, over a 10,000-profile file: 790,000 instructions
/// down to 470,000 for `[sso-session`).
struct Marker {
    pair: Finder<'static>,
    text: &'static [u8],
    /// Where the pair is in `text`.
    at: usize,
}

impl Marker {
    fn new(text: &'static [u8], at: usize) -> Marker {
        Marker {
            pair: Finder::new(&text[at..at + 2]).into_owned(),
            text,
            at,
        }
    }

    fn is_in(&self, piece: &[u8]) -> bool {
        self.pair.find_iter(piece).any(|found| {
            found
                .checked_sub(self.at)
                .is_some_and(|start| piece[start..].starts_with(self.text))
        })
    }
}

/// Where the last complete line of `buf` that starts at its first byte with
/// a section header begins, if after the start of `buf`.
fn last_boundary(buf: &[u8]) -> Option<usize> {
    for at in memchr::memrchr_iter(b'[', buf) {
        if at == 0 {
            return None;
        }
        // A line starts after `\n` or after a lone `\r` (which `\r[` is).
        if !matches!(buf[at - 1], b'\n' | b'\r') {
            continue;
        }
        let Some(len) = memchr::memchr2(b'\n', b'\r', &buf[at..]) else {
            continue; // The line goes on past the buffer.
        };
        let Ok(line) = std::str::from_utf8(&buf[at..at + len]) else {
            continue;
        };
        if Document::is_header_line(line) {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests;
