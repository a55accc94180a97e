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
