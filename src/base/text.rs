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

    #[test]
    fn typos_count_a_swap_as_one_edit() {
        assert_eq!(typo_distance("sycn", "sync"), 1);
        assert_eq!(typo_distance("logn", "login"), 1);
        assert_eq!(typo_distance("eu-wst-1", "eu-west-1"), 1);
        assert_eq!(typo_distance("abc", "xyz"), 3);
        assert_eq!(typo_distance("", "ls"), 2);
    }
}
