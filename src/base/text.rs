//! Text for a terminal. Names, account names and server messages can hold
//! escape sequences: a terminal must show them, not obey them.

use std::borrow::Cow;

/// `text` with its control characters made visible, for a terminal:
/// `^[` for ESC, `^I` for a tab, `^?` for DEL (as readline and zsh show
/// them), `\u{9b}` for the C1 controls that some terminals obey too.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
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
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The columns `text` takes on a terminal: two for wide characters (CJK,
/// most emoji), none for combining marks.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` columns (none when it is wider).
pub fn padded(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    format!("{text}{:pad$}", "")
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
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("中文"), 4);
        assert_eq!(padded("中", 4), "中  ");
        assert_eq!(padded("toolong", 3), "toolong");
    }
}
