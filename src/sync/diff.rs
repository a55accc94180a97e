//! The unified diff `badge sync --dry-run` prints: what would be written,
//! in the form every reviewer reads (`--- a`, `+++ b`, `@@` hunks with three
//! lines of context).
//!
//! Lines are compared without their line ending, so a CRLF file reads
//! naturally; a missing final newline is marked as `diff` marks it. The
//! common start and end of the two files are skipped first (a sync only
//! rewrites one block), then the rest is diffed with Myers' algorithm. A
//! middle that differs in more than `MAX_EDITS` lines (a new template renames
//! every profile) is shown as all of it removed and then all of it added,
//! which is also what such a change is.
//!
//! It is for a person to read: every line is shown [`printable`], since a
//! config's lines (and the account names in a block) can hold escapes.

use crate::base::text::printable;

const CONTEXT: usize = 3;
const MAX_EDITS: usize = 1500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same,
    Delete,
    Insert,
}

/// `None` when the bytes are equal. (The tests' way in; badge itself calls
/// [`unified_ordered`].)
#[cfg(test)]
pub fn unified(
    old: &[u8],
    new: &[u8],
    old_label: &str,
    new_label: &str,
    color: bool,
) -> Option<String> {
    unified_ordered(old, new, old_label, new_label, color, None)
}

/// [`unified`], comparing the old lines in `order` (a permutation of their
/// indices), each still shown with its own line number: the profiles a
/// sync renamed, moved next to their new names, read as pairs. Hunks then
/// follow the new file, and a moved line's number can go back.
pub fn unified_ordered(
    old: &[u8],
    new: &[u8],
    old_label: &str,
    new_label: &str,
    color: bool,
    order: Option<&[usize]>,
) -> Option<String> {
    if old == new {
        return None;
    }
    let mut a = split_lines(old);
    let b = split_lines(new);
    let numbers: Vec<usize> = match order {
        Some(order) if order.len() == a.len() => {
            let mut seen = vec![false; a.len()];
            let valid = order
                .iter()
                .all(|&i| i < a.len() && !std::mem::replace(&mut seen[i], true));
            if valid {
                a = order.iter().map(|&i| a[i]).collect();
                order.iter().map(|&i| i + 1).collect()
            } else {
                (1..=a.len()).collect()
            }
        }
        _ => (1..=a.len()).collect(),
    };
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut ops = vec![Op::Same; prefix];
    ops.extend(diff_middle(
        &a[prefix..a.len() - suffix],
        &b[prefix..b.len() - suffix],
    ));
    ops.extend(std::iter::repeat_n(Op::Same, suffix));
    Some(render(&a, &b, &numbers, &ops, old_label, new_label, color))
}

/// How many lines the diff sees in `bytes` (`\n`, `\r\n` and a lone `\r`
/// each end one), the length an order for [`unified_ordered`] must have.
pub fn line_count(bytes: &[u8]) -> usize {
    split_lines(bytes).len()
}

/// A line as the diff shows it, and whether it ended with a line break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Line<'a> {
    text: &'a [u8],
    ended: bool,
}

fn split_lines(bytes: &[u8]) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(Line {
                    text: &bytes[start..i],
                    ended: true,
                });
                start = i + 1;
            }
            b'\r' => {
                lines.push(Line {
                    text: &bytes[start..i],
                    ended: true,
                });
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(Line {
            text: &bytes[start..],
            ended: false,
        });
    }
    lines
}

/// Myers' O(ND) diff, keeping each round's frontier to walk back.
fn diff_middle(a: &[Line<'_>], b: &[Line<'_>]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let all_changed = || {
        let mut ops = vec![Op::Delete; a.len()];
        ops.extend(std::iter::repeat_n(Op::Insert, b.len()));
        ops
    };
    if n == 0 || m == 0 {
        return all_changed();
    }
    let max = (n + m) as usize;
    let limit = max.min(MAX_EDITS);
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // Round d's starting frontier, for k in -d..=d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = None;
    'search: for d in 0..=limit as isize {
        trace.push(v[(offset - d) as usize..=(offset + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let idx = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) {
                v[idx + 1]
            } else {
                v[idx - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let Some(d_end) = found else {
        return all_changed();
    };
    // Walk back from the end through the saved frontiers.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=d_end).rev() {
        let frontier = &trace[d as usize];
        let at = |k: isize| frontier[(k + d) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        if x == prev_x {
            ops.push(Op::Insert);
        } else {
            ops.push(Op::Delete);
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        ops.push(Op::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

/// `numbers` are the old lines' own numbers (from 1), in the order of `a`.
fn render(
    a: &[Line<'_>],
    b: &[Line<'_>],
    numbers: &[usize],
    ops: &[Op],
    old_label: &str,
    new_label: &str,
    color: bool,
) -> String {
    let paint = |code: &str, text: String| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let mut out = String::new();
    out.push_str(&paint("1", format!("--- {}", printable(old_label))));
    out.push('\n');
    out.push_str(&paint("1", format!("+++ {}", printable(new_label))));
    out.push('\n');
    // Positions in a and b before each op.
    let mut pos = Vec::with_capacity(ops.len() + 1);
    let (mut i, mut j) = (0, 0);
    for op in ops {
        pos.push((i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Delete => i += 1,
            Op::Insert => j += 1,
        }
    }
    pos.push((i, j));
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k] != Op::Same).collect();
    let mut h = 0;
    while h < changed.len() {
        let start = changed[h].saturating_sub(CONTEXT);
        let mut end = changed[h] + 1;
        while h < changed.len() && changed[h] <= end + 2 * CONTEXT {
            end = changed[h] + 1;
            h += 1;
        }
        let end = (end + CONTEXT).min(ops.len());
        let (a0, b0) = pos[start];
        let (a1, b1) = pos[end];
        let range = |first: usize, count: usize| {
            if count == 1 {
                format!("{first}")
            } else {
                format!("{first},{count}")
            }
        };
        // The old side starts at its first line's own number (one before
        // the next line when the hunk has no old line).
        let old_first = match numbers.get(a0) {
            Some(&n) if a1 > a0 => n,
            Some(&n) => n - 1,
            None => numbers.last().copied().unwrap_or(0),
        };
        let new_first = if b1 > b0 { b0 + 1 } else { b0 };
        out.push_str(&paint(
            "36",
            format!(
                "@@ -{} +{} @@",
                range(old_first, a1 - a0),
                range(new_first, b1 - b0)
            ),
        ));
        out.push('\n');
        for k in start..end {
            let (i, j) = pos[k];
            let (mark, line, code) = match ops[k] {
                Op::Same => (' ', b[j], ""),
                Op::Delete => ('-', a[i], "31"),
                Op::Insert => ('+', b[j], "32"),
            };
            let text = format!("{mark}{}", printable(&String::from_utf8_lossy(line.text)));
            out.push_str(&if code.is_empty() {
                text
            } else {
                paint(code, text)
            });
            out.push('\n');
            if !line.ended {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(a: &str, b: &str) -> String {
        unified(a.as_bytes(), b.as_bytes(), "a", "b", false).unwrap_or_default()
    }

    #[test]
    fn lines_are_shown_printable() {
        assert_eq!(
            diff("a = x\u{1b}]0;t\u{7}\n", "a = \u{202e}y\n"),
            "--- a\n+++ b\n@@ -1 +1 @@\n-a = x^[]0;t^G\n+a = \\u{202e}y\n"
        );
    }

    #[test]
    fn equal_files_have_no_diff() {
        assert_eq!(unified(b"x\n", b"x\n", "a", "b", false), None);
    }

    #[test]
    fn hunks_with_context() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n";
        let b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\nsixteen\n";
        assert_eq!(
            diff(a, b),
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -13,3 +13,4 @@\n 13\n 14\n 15\n+sixteen\n"
        );
    }

    #[test]
    fn close_changes_share_a_hunk_and_crlf_reads_naturally() {
        let a = "a\r\nb\r\nc\r\nd\r\ne\r\n";
        let b = "a\r\nB\r\nc\r\nd\r\nE\r\n";
        assert_eq!(
            diff(a, b),
            "--- a\n+++ b\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n-e\n+E\n"
        );
    }

    #[test]
    fn missing_final_newline_and_empty_files() {
        assert_eq!(
            diff("", "x"),
            "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n"
        );
        assert_eq!(
            diff("x", "x\ny\n"),
            "--- a\n+++ b\n@@ -1 +1,2 @@\n-x\n\\ No newline at end of file\n+x\n+y\n"
        );
    }

    #[test]
    fn myers_finds_a_shortest_script() {
        let a = "a\nb\nc\na\nb\nb\na\n";
        let b = "c\nb\na\nb\na\nc\n";
        let out = diff(a, b);
        let edits = out
            .lines()
            .skip(3)
            .filter(|l| l.starts_with(['+', '-']))
            .count();
        assert_eq!(edits, 5, "{out}");
    }
}
