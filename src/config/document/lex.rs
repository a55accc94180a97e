//! Reading lines the way configparser does: where lines end, what Python
//! calls whitespace, and what a header, a key line or a block marker line
//! says. Everything here looks at one line (or one header) at a time; the
//! index puts the lines together.

use std::borrow::Cow;

use super::blocks::{BEGIN_MARK, BEGIN_NOTE};
use super::{Entry, Kind, Pos, SINGLE, pos};

/// Lines of `bytes` as (start, end of content, end with terminator).
pub(super) struct LineSplit<'a> {
    bytes: &'a [u8],
    pos: usize,
    ends: LineEnds<'a>,
}

/// Every line end, found in one pass over the whole text: only `\n` when the
/// text has no `\r` (nearly always; the one-byte search is the faster).
pub(super) enum LineEnds<'a> {
    Lf(memchr::Memchr<'a>),
    Any(memchr::Memchr2<'a>),
}

impl<'a> LineSplit<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        let ends = if memchr::memchr(b'\r', bytes).is_none() {
            LineEnds::Lf(memchr::memchr_iter(b'\n', bytes))
        } else {
            LineEnds::Any(memchr::memchr2_iter(b'\n', b'\r', bytes))
        };
        LineSplit {
            bytes,
            pos: 0,
            ends,
        }
    }
}

impl Iterator for LineSplit<'_> {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        if start >= self.bytes.len() {
            return None;
        }
        // Skip the `\n` of a `\r\n` already taken.
        let end = match &mut self.ends {
            LineEnds::Lf(ends) => ends.next(),
            LineEnds::Any(ends) => ends.find(|&i| i >= start),
        };
        let end = end.unwrap_or(self.bytes.len());
        let next = match self.bytes.get(end) {
            None => end,
            Some(b'\r') if self.bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        self.pos = next;
        Some((start, end, next))
    }
}

/// The pieces of a text between `\n` and `\r` bytes, for short texts.
pub(super) struct SplitLines<'a>(pub(super) &'a str);

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.0.is_empty() {
            return None;
        }
        let end = self.0.bytes().position(|b| b == b'\n' || b == b'\r');
        let (line, rest) = match end {
            Some(end) => (&self.0[..end], &self.0[end + 1..]),
            None => (self.0, ""),
        };
        self.0 = rest;
        Some(line)
    }
}

/// Python's `str.isspace`.
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `is_py_space` for an ASCII byte.
pub(super) fn is_py_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r' | 0x1c..=0x1f)
}

pub(super) fn py_trim(s: &str) -> &str {
    py_rstrip(py_lstrip(s))
}

pub(super) fn py_lstrip(s: &str) -> &str {
    // Bytes while they are ASCII (nearly always), chars after.
    match s.bytes().position(|b| !is_py_space_byte(b)) {
        Some(i) if s.as_bytes()[i] >= 0x80 => s[i..].trim_start_matches(is_py_space),
        Some(i) => &s[i..],
        None => &s[s.len()..],
    }
}

pub(super) fn py_rstrip(s: &str) -> &str {
    match s.bytes().rposition(|b| !is_py_space_byte(b)) {
        Some(i) if s.as_bytes()[i] >= 0x80 => s[..=i].trim_end_matches(is_py_space),
        Some(i) => &s[..=i],
        None => &s[..0],
    }
}

pub(super) fn leading_ws(s: &str) -> &str {
    &s[..s.len() - py_lstrip(s).len()]
}

/// Indentation in characters, as configparser measures it, of a line that
/// starts with `ws`.
pub(super) fn indent_chars(ws: &str) -> usize {
    let ws = leading_ws(ws);
    if ws.is_ascii() {
        ws.len()
    } else {
        ws.chars().count()
    }
}

/// Byte offset of `inner`, a subslice, within `outer`.
pub(super) fn offset(outer: &str, inner: &str) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// Where a key ends: the first `=` or `:`.
pub(super) fn delimiter(trimmed: &str) -> Option<usize> {
    trimmed.bytes().position(|b| b == b'=' || b == b':')
}

/// A `key = value` line: `trimmed` is the stripped line, found at `at`, and
/// `eq` is where its delimiter is.
pub(super) fn parse_entry(trimmed: &str, at: usize, line: Pos, eq: usize) -> Entry {
    let key = py_rstrip(&trimmed[..eq]);
    let value = py_trim(&trimmed[eq + 1..]);
    let value_at = if value.is_empty() {
        at + trimmed.len()
    } else {
        at + offset(trimmed, value)
    };
    Entry {
        line,
        last: line,
        key: (pos(at), pos(at + key.len())),
        first: (pos(value_at), pos(value_at + value.len())),
        joined: SINGLE,
    }
}

/// configparser's `SECTCRE` on a stripped line (or one stripped on the left
/// only: the last `]` is the same): `[`, then the longest run of at least one
/// character that ends before a `]`.
pub(super) fn header_of(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix('[')?;
    let close = memchr::memrchr(b']', rest.as_bytes())?;
    (close > 0).then(|| &rest[..close])
}

/// The session named on a `# BEGIN badge sso-session=NAME (...)` line.
pub(super) fn begin_marker(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix(BEGIN_MARK)?;
    Some(match rest.strip_suffix(BEGIN_NOTE) {
        Some(name) => name.strip_suffix(' ').unwrap_or(name),
        None => rest.split_once(" (").map_or(rest, |(name, _)| name),
    })
}

/// botocore's `build_profile_map` on one section name: the kind, and the
/// name for the kinds that have one.
pub(super) fn kind_of(header: &str) -> (Kind, Option<Cow<'_, str>>) {
    let named = |kind| match shlex_pair(header) {
        Some(name) => (kind, Some(name)),
        None => (Kind::Other, None),
    };
    if header.starts_with("profile") {
        named(Kind::Profile)
    } else if header.starts_with("sso-session") {
        named(Kind::SsoSession)
    } else if header.starts_with("services") {
        named(Kind::Services)
    } else if header == "default" {
        (Kind::Default, None)
    } else {
        (Kind::Other, None)
    }
}

/// The second word when `shlex.split` gives exactly two; borrowed when no
/// quote or escape made it.
pub(super) fn shlex_pair(s: &str) -> Option<Cow<'_, str>> {
    // Without quotes or escapes, words are runs of non-space bytes.
    const SPACE: u8 = 1;
    const QUOTE: u8 = 2;
    const CLASS: [u8; 256] = {
        let mut class = [0; 256];
        class[b' ' as usize] = SPACE;
        class[b'\t' as usize] = SPACE;
        class[b'\r' as usize] = SPACE;
        class[b'\n' as usize] = SPACE;
        class[b'"' as usize] = QUOTE;
        class[b'\'' as usize] = QUOTE;
        class[b'\\' as usize] = QUOTE;
        class
    };
    let bytes = s.as_bytes();
    let class = |i: usize| CLASS[bytes[i] as usize];
    let mut words = [(0, 0); 2];
    let mut count = 0;
    let mut i = 0;
    let mut plain = true;
    while i < bytes.len() && plain {
        if class(i) == SPACE {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && class(i) != SPACE {
            plain &= class(i) != QUOTE;
            i += 1;
        }
        if count == 2 {
            return None;
        }
        words[count] = (start, i);
        count += 1;
    }
    if plain {
        return (count == 2).then(|| Cow::Borrowed(&s[words[1].0..words[1].1]));
    }
    match <[String; 2]>::try_from(shlex_split(s)?) {
        Ok([_, second]) => Some(Cow::Owned(second)),
        Err(_) => None,
    }
}

/// Python's `shlex.split(s)` (POSIX mode, no comments); `None` where it raises
/// (an unclosed quote or a trailing backslash).
pub(super) fn shlex_split(s: &str) -> Option<Vec<String>> {
    #[derive(Clone, Copy)]
    enum St {
        Space,
        Word,
        Quote(char),
        Escape(Option<char>),
    }
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut words = Vec::new();
    let mut word = String::new();
    let mut state = St::Space;
    for c in s.chars() {
        state = match state {
            St::Space | St::Word if is_ws(c) => {
                if let St::Word = state {
                    words.push(std::mem::take(&mut word));
                }
                St::Space
            }
            St::Space | St::Word => match c {
                '\\' => St::Escape(None),
                '"' | '\'' => St::Quote(c),
                _ => {
                    word.push(c);
                    St::Word
                }
            },
            St::Quote(q) if c == q => St::Word,
            St::Quote('"') if c == '\\' => St::Escape(Some('"')),
            St::Quote(q) => {
                word.push(c);
                St::Quote(q)
            }
            St::Escape(quote) => {
                // Inside double quotes only `\"` and `\\` are escapes.
                if quote.is_some_and(|q| c != q && c != '\\') {
                    word.push('\\');
                }
                word.push(c);
                quote.map_or(St::Word, St::Quote)
            }
        };
    }
    match state {
        St::Space => {}
        St::Word => words.push(word),
        St::Quote(_) | St::Escape(_) => return None,
    }
    Some(words)
}
