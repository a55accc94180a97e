//! Text for a terminal. Names, account names and server messages can hold
//! escape sequences, bidi controls and invisible characters: a terminal
//! must show them, not obey them, and a person must see what a name holds.
//!
//! [`printable`] is the one function that makes such text safe to show;
//! every line badge prints for a person goes through it (`ui::say`, the
//! `--verbose` log, the error line of `main`), or has each value that did
//! not come from badge go through it (tables, doctor, the picker).

use std::borrow::Cow;
use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// `text` as a terminal may show it: every character that [`must_escape`]
/// names is drawn as text. C0 controls as readline and zsh draw them (`^[`
/// for ESC, `^I` for a tab, `^J` for a line feed), DEL as `^?`, anything
/// else as `\u{…}`. What is left holds no line break, so the text cannot
/// start a line of its own, and printing it again changes nothing.
///
/// A tab too: harmless to a terminal, but it breaks the columns of `ls`
/// and the picker, and the `value<TAB>description` lines of completion.
pub fn printable(text: &str) -> Cow<'_, str> {
    // Plain ASCII, nearly always: nothing to look up.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(must_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0'..='\x1f' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\x7f' => out.push_str("^?"),
            c if must_escape(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` between double quotes, [`printable`], with `"` and `\` escaped
/// so that where the quotes end is not in doubt: `"prod/Admin"`, as Rust's
/// `{:?}` would show a plain name.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    // Escaped after the quotes, so that its own `\u{…}` keeps one `\`.
    printable(&out).into_owned()
}

/// Whether `c` must not reach a terminal as itself:
///
/// - the control characters, C0 (tab and line feed too), DEL and C1, which
///   terminals obey (colours, the window title, clearing the screen, a
///   carriage return that writes over a line);
/// - the line and paragraph separators U+2028 and U+2029, which end a line
///   for many readers;
/// - Unicode's Default_Ignorable_Code_Point characters, those a renderer
///   draws as nothing: the bidi controls (U+061C, U+200E, U+200F, U+202A
///   to U+202E, U+2066 to U+2069), which reorder what follows them, and
///   the zero-width and other invisible characters (U+200B to U+200D,
///   U+2060, U+FEFF, the soft hyphen, the variation selectors, the tag
///   characters, ...), which hide text or make two names look the same.
///   An emoji sequence joined by U+200D or styled by a variation selector
///   reads as its parts; AWS issues no such names (account names are
///   printable ASCII, roles `[\w+=,.@-]`), and few people write them.
pub fn must_escape(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// `value` as JSON for a program, which a person may read at a terminal
/// too: the same values, with every character [`must_escape`] names
/// written as a `\u` escape. serde_json escapes only C0 controls, and
/// would let DEL, C1 and bidi controls through raw.
pub fn to_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> serde_json::Result<String> {
    let mut out = Vec::new();
    if pretty {
        let formatter = Escaping(PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, formatter,
        ))?;
    } else {
        let formatter = Escaping(CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, formatter,
        ))?;
    }
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

/// A serde_json formatter that escapes what [`must_escape`] names in its
/// strings and lays out the rest as `F` does.
struct Escaping<F>(F);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        }
    )*};
}

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if must_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }
}

/// The columns `text` takes on a terminal: two for wide characters (CJK,
/// most emoji), none for combining marks.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` columns (none when it is wider).
/// Not `{:width$}`: a format width above 65,535 panics, and a name from
/// elsewhere can be that long.
pub fn padded(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    let mut out = String::with_capacity(text.len() + pad);
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Edits from `a` to `b`, a swap of neighbours counting as one (the
/// optimal string alignment distance); for words of a few letters.
pub fn typo_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// `text` cut to at most `width` columns, with one `…` in place of what is
/// cut. A wide character (CJK, most emoji) that would not fit whole is cut
/// too, so the result can be a column short of `width`: [`padded`] fills it.
pub fn ellipsized(text: &str, width: usize) -> Cow<'_, str> {
    // No character takes more columns than it has bytes in UTF-8.
    if text.len() <= width || display_width(text) <= width {
        return Cow::Borrowed(text);
    }
    let Some(room) = width.checked_sub(1) else {
        return Cow::Borrowed("");
    };
    let mut end = 0;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > room {
            break;
        }
        end = i + c.len_utf8();
    }
    // A string can be wider than its characters (an emoji sequence).
    let mut kept = &text[..end];
    while display_width(kept) > room {
        let last = kept.chars().next_back().map_or(0, char::len_utf8);
        kept = &kept[..kept.len() - last];
    }
    Cow::Owned(format!("{kept}…"))
}

/// Narrow the columns of a table, `widths`, until they add up to at most
/// `room`: the widest column first (the rightmost of equals), none below
/// its `min`. When every column is at its minimum the rest stays.
pub fn shrink_to_fit(widths: &mut [usize], min: &[usize], room: usize) {
    let mut total: usize = widths.iter().sum();
    while total > room {
        let Some(widest) = (0..widths.len())
            .filter(|&i| widths[i] > min[i])
            .max_by_key(|&i| (widths[i], i))
        else {
            return;
        };
        // A column at a time, so that the widest ones end equal.
        widths[widest] -= 1;
        total -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_drawn_not_sent() {
        assert_eq!(printable("prod/Admin é"), "prod/Admin é");
        assert_eq!(
            printable("a\x1b[31mb\tc\nd\x7f\u{9b}e"),
            r"a^[[31mb^Ic^Jd^?\u{9b}e"
        );
    }

    #[test]
    fn bidi_controls_and_invisible_characters_are_shown_not_obeyed() {
        // Right-to-left overrides, isolates and marks reorder what follows.
        assert_eq!(
            printable("a\u{202e}b\u{2066}c\u{2069}d\u{200e}\u{200f}\u{61c}\u{202a}"),
            r"a\u{202e}b\u{2066}c\u{2069}d\u{200e}\u{200f}\u{61c}\u{202a}"
        );
        // Zero-width and other characters drawn as nothing hide text, or
        // make two names that look the same.
        assert_eq!(
            printable("z\u{200b}w\u{200c}\u{200d}j\u{2060}\u{feff}\u{ad}\u{3164}\u{fe0f}\u{e0041}"),
            r"z\u{200b}w\u{200c}\u{200d}j\u{2060}\u{feff}\u{ad}\u{3164}\u{fe0f}\u{e0041}"
        );
        // Line and paragraph separators end a line for many readers.
        assert_eq!(printable("a\u{2028}b\u{2029}c"), r"a\u{2028}b\u{2029}c");
        // Text a person reads stays as it is, right-to-left scripts too.
        for kept in [
            "Café Ünïcode 中文",
            "emoji 🚀 rocket",
            "שלום",
            "مرحبا",
            "a^b\\c",
        ] {
            assert_eq!(printable(kept), kept);
        }
    }

    #[test]
    fn printable_text_stays_as_it_is() {
        let hostile = "x\x1b]0;t\x07\r\n\t\u{9b}\u{202e}\u{200d}\u{2028}y";
        let once = printable(hostile).into_owned();
        assert!(!once.chars().any(must_escape), "{once:?}");
        assert_eq!(printable(&once), once);
    }

    #[test]
    fn quoted_text_is_printable_between_quotes() {
        assert_eq!(quoted("prod/Admin"), "\"prod/Admin\"");
        assert_eq!(
            quoted("a\"b\\c\x1b[1m\n\u{202e}"),
            r#""a\"b\\c^[[1m^J\u{202e}""#
        );
    }

    #[test]
    fn json_keeps_the_values_and_shows_no_control() {
        let value = serde_json::json!({"name\u{202e}": "a\x1b\u{9b}\x7f\u{202e}\u{e0041}é\"\\"});
        let text = to_json(&value, false).unwrap();
        assert_eq!(
            text,
            r#"{"name\u202e":"a\u001b\u009b\u007f\u202e\udb40\udc41é\"\\"}"#
        );
        assert!(!text.chars().any(must_escape));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let pretty = to_json(&serde_json::json!([{"a": [1]}]), true).unwrap();
        assert_eq!(pretty, "[\n  {\n    \"a\": [\n      1\n    ]\n  }\n]");
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("中文"), 4);
        assert_eq!(padded("中", 4), "中  ");
        assert_eq!(padded("toolong", 3), "toolong");
    }

    #[test]
    fn typos_count_a_swap_as_one_edit() {
        assert_eq!(typo_distance("sycn", "sync"), 1);
        assert_eq!(typo_distance("logn", "login"), 1);
        assert_eq!(typo_distance("eu-wst-1", "eu-west-1"), 1);
        assert_eq!(typo_distance("abc", "xyz"), 3);
        assert_eq!(typo_distance("", "ls"), 2);
    }

    #[test]
    fn one_ellipsis_by_columns() {
        assert_eq!(ellipsized("prod/Admin", 10), "prod/Admin");
        assert_eq!(ellipsized("prod/Admin", 6), "prod/…");
        assert_eq!(ellipsized("prod", 1), "…");
        assert_eq!(ellipsized("prod", 0), "");
        // A wide character that does not fit whole goes, and the result is
        // a column short; one ellipsis either way.
        assert_eq!(ellipsized("中文中文", 5), "中文…");
        assert_eq!(ellipsized("中文中文", 6), "中文…");
        assert_eq!(padded(&ellipsized("中文中文", 6), 6), "中文… ");
        assert_eq!(ellipsized("a🚀b🚀c", 4), "a🚀…");
        for width in 0..12 {
            let cut = ellipsized("über-中文-🚀-prod", width);
            assert!(display_width(&cut) <= width, "{cut:?} at {width}");
            assert!(cut.matches('…').count() <= 1, "{cut:?}");
        }
    }

    #[test]
    fn the_widest_columns_give_first() {
        let fit = |widths: &[usize], min: &[usize], room| {
            let mut widths = widths.to_vec();
            shrink_to_fit(&mut widths, min, room);
            widths
        };
        assert_eq!(fit(&[10, 40, 20], &[1, 1, 1], 100), [10, 40, 20]);
        assert_eq!(fit(&[10, 40, 20], &[1, 1, 1], 60), [10, 30, 20]);
        assert_eq!(fit(&[10, 40, 20], &[1, 1, 1], 40), [10, 15, 15]);
        assert_eq!(fit(&[10, 40, 20], &[1, 30, 1], 40), [5, 30, 5]);
        assert_eq!(fit(&[10, 40, 20], &[10, 30, 20], 40), [10, 30, 20]);
        assert_eq!(fit(&[3, 3], &[0, 0], 5), [3, 2]);
    }
}
