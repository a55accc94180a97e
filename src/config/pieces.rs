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

use super::document::Document;

/// Bytes read at a time; a piece may be longer when a single section is.
pub const PIECE: usize = 128 * 1024;

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
        if wanted(&buf) {
            let doc = Document::from_vec(buf);
            visit(&doc);
            buf = doc.into_bytes();
        }
        if at_end {
            return Ok(());
        }
        buf.clear();
        buf.extend_from_slice(&rest);
        want = piece.max(buf.len() + 1);
    }
}

/// Whether a piece may hold a section that a view of the profiles whose
/// names contain `needle` keeps (see `Document::extract_sections`): a
/// profile whose name contains it, an `[sso-session]` or a `[DEFAULT]`. A
/// name is its header's text unless quotes or escapes made it, or bytes that
/// are not ASCII (Unicode case rules, or bytes that are not UTF-8) are
/// involved: pieces with any of those are always read. With
/// `ignore_ascii_case`, `needle` is lower case; `lower` is room to reuse.
pub fn may_hold(piece: &[u8], needle: &str, ignore_ascii_case: bool, lower: &mut Vec<u8>) -> bool {
    if !piece.is_ascii() || memchr::memchr3(b'"', b'\'', b'\\', piece).is_some() {
        return true;
    }
    let found = |hay: &[u8], what: &[u8]| memchr::memmem::find(hay, what).is_some();
    if found(piece, b"[sso-session") || found(piece, b"[DEFAULT]") {
        return true;
    }
    if ignore_ascii_case {
        // Case changes letters only: a piece without the longest run of
        // the needle's other bytes (`-0042-` of `acct-0042-prod/`) cannot
        // hold it, and is not lowered, which costs a 10,000-profile file
        // some 50 µs.
        let run = needle
            .split(|c: char| c.is_ascii_alphabetic())
            .max_by_key(|run| run.len())
            .unwrap_or("");
        if run.len() > 1 && !found(piece, run.as_bytes()) {
            return false;
        }
        lower.clear();
        lower.extend(piece.iter().map(u8::to_ascii_lowercase));
        found(lower, needle.as_bytes())
    } else {
        found(piece, needle.as_bytes())
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
