//! Whether the AWS CLI and boto3 would refuse a config or credentials file.
//!
//! badge reads any file (see [`super::document`]), but botocore reads it
//! with Python's strict `configparser` and refuses the whole file for one
//! bad line: every `aws` command then fails with "Unable to parse config
//! file", naming no line. So badge refuses to write such a file (profiles
//! no AWS tool can read help nobody) and its reading commands warn, naming
//! the line.
//!
//! The rules are those of `RawConfigParser._read` (Python 3.11: strict,
//! `=` and `:` delimiters, full-line `#` and `;` comments, no values
//! without a delimiter) and of botocore's `raw_config_parse`, which also
//! refuses a nested block (`s3 =` followed by indented lines) with a line
//! that has no `=`. botocore splits that block's text with Python's
//! `str.splitlines()`, which also breaks lines at `\v`, `\f`, `\x1c`..`\x1e`,
//! NEL, U+2028 and U+2029, where configparser (universal newlines) does not:
//! a part without `=` that such a character cuts out of a line is refused
//! too. `tests/errors.rs` checks this module against botocore itself. Line text is never quoted: a broken credentials line may hold a
//! secret.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// The first thing in a file that botocore refuses, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based.
    pub line: usize,
    pub reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    NotUtf8,
    /// A key or other text before the first `[section]` header.
    BeforeFirstSection,
    /// Neither a header, a `key = value` line, a comment nor a continuation.
    NotAKey,
    /// `= value`.
    EmptyKey,
    DuplicateSection {
        name: String,
        first: usize,
    },
    DuplicateKey {
        section: String,
        key: String,
        first: usize,
    },
    /// A line of a nested `key =` block without `=`.
    NestedNotAKey {
        key: String,
    },
    /// A line of a nested `key =` block that has `=`, but that a line
    /// break of Python's `str.splitlines()` (`at`, the first in the line)
    /// splits into a part without.
    NestedLineBreak {
        key: String,
        at: char,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line;
        match &self.reason {
            Reason::NotUtf8 => write!(f, "line {line} is not UTF-8 text"),
            Reason::BeforeFirstSection => {
                write!(f, "line {line} comes before the first [section] header")
            }
            Reason::NotAKey => write!(
                f,
                "line {line} is not a [section] header, a key = value line or a comment"
            ),
            Reason::EmptyKey => write!(f, "line {line} has no key before its `=`"),
            Reason::DuplicateSection { name, first } => {
                write!(f, "[{name}] appears twice (lines {first} and {line})")
            }
            Reason::DuplicateKey {
                section,
                key,
                first,
            } => write!(
                f,
                "{key} is set twice in [{section}] (lines {first} and {line})"
            ),
            Reason::NestedNotAKey { key } => write!(
                f,
                "line {line} of the nested `{key} =` block is not a key = value line"
            ),
            Reason::NestedLineBreak { key, at } => write!(
                f,
                "line {line} of the nested `{key} =` block has a U+{:04X} character, at which \
                 Python splits it into a part without `=`",
                u32::from(*at)
            ),
        }
    }
}

impl Refusal {
    /// What the user can do about it, in a few words.
    pub fn fix(&self) -> &'static str {
        match self.reason {
            Reason::NotUtf8 => "save it as UTF-8",
            Reason::BeforeFirstSection => "move that line under a [section] header or delete it",
            Reason::DuplicateSection { .. } => "merge the two sections",
            Reason::DuplicateKey { .. } => "delete one of the two lines",
            Reason::NotAKey | Reason::EmptyKey | Reason::NestedNotAKey { .. } => {
                "fix or delete that line"
            }
            Reason::NestedLineBreak { .. } => "delete that character",
        }
    }
}

/// Python's `str.isspace`: Unicode White_Space plus the four ASCII
/// separators `\x1c`..`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The key an option line sets, as configparser stores it.
fn option_name(name: &str) -> Cow<'_, str> {
    let name = name.trim_end_matches(is_py_space);
    if name
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Where Python's `str.splitlines()` breaks a line that universal newlines
/// (`\n`, `\r`) left whole.
fn is_py_line_break(c: char) -> bool {
    matches!(
        c,
        '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Why botocore refuses `value`, a stripped line of a nested block of
/// `key`, if it does: `_parse_nested` splits the block with
/// `str.splitlines()` and needs an `=` in every part that is not blank.
fn nested_refusal(key: &str, value: &str) -> Option<Reason> {
    let keyless = |part: &str| !part.trim_matches(is_py_space).is_empty() && !part.contains('=');
    if !value.contains('=') {
        return Some(Reason::NestedNotAKey {
            key: key.to_owned(),
        });
    }
    let at = value.chars().find(|&c| is_py_line_break(c))?;
    value
        .split(is_py_line_break)
        .any(keyless)
        .then(|| Reason::NestedLineBreak {
            key: key.to_owned(),
            at,
        })
}

/// Lines as Python's universal newlines split them (`\n`, `\r\n`, `\r`),
/// without their ends.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr2(b'\n', b'\r', current.as_bytes()) {
            Some(at) => {
                let end = if current[at..].starts_with("\r\n") {
                    at + 2
                } else {
                    at + 1
                };
                rest = Some(&current[end..]).filter(|r| !r.is_empty());
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// The first line botocore refuses, or `None` when it reads the file.
pub fn check(bytes: &[u8]) -> Option<Refusal> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let before = &bytes[..err.valid_up_to()];
            let mut line = 1;
            let mut i = 0;
            while i < before.len() {
                match before[i] {
                    b'\n' => line += 1,
                    b'\r' if before.get(i + 1) != Some(&b'\n') => line += 1,
                    _ => {}
                }
                i += 1;
            }
            return Some(Refusal {
                line,
                reason: Reason::NotUtf8,
            });
        }
    };

    /// The option that deeper-indented lines continue.
    struct Open<'a> {
        key: Cow<'a, str>,
        /// Its value starts on the next line: botocore reads a nested block.
        nested: bool,
    }
    let mut sections: HashMap<&str, usize> = HashMap::new();
    // The keys of the section being read (a section appears once), and those
    // of every `[DEFAULT]` (which may appear more than once).
    // A section has a few keys: a list is faster than hashing.
    let mut keys: Vec<(Cow<'_, str>, usize)> = Vec::new();
    let mut default_keys: Vec<(Cow<'_, str>, usize)> = Vec::new();
    let mut section: Option<&str> = None;
    let mut option: Option<Open> = None;
    let mut indent_level = 0;
    // A nested block of [DEFAULT] only matters if some section reads it.
    let mut default_nested: Option<Refusal> = None;
    let refuse = |line, reason| Some(Refusal { line, reason });

    for (i, line) in lines(text).enumerate() {
        let number = i + 1;
        let value = line.trim_matches(is_py_space);
        if value.is_empty() || value.starts_with(['#', ';']) {
            continue;
        }
        let indent = line.chars().take_while(|&c| is_py_space(c)).count();
        if let (Some(name), Some(open)) = (section, &option)
            && indent > indent_level
        {
            if open.nested
                && let Some(reason) = nested_refusal(&open.key, value)
            {
                let refusal = Refusal {
                    line: number,
                    reason,
                };
                if name != "DEFAULT" {
                    return Some(refusal);
                }
                default_nested.get_or_insert(refusal);
            }
            continue;
        }
        indent_level = indent;
        // configparser's SECTCRE: `[`, at least one character, the last `]`.
        if let Some(close) = value
            .rfind(']')
            .filter(|&at| value.starts_with('[') && at >= 2)
        {
            let name = &value[1..close];
            if let Some(&first) = sections.get(name) {
                return refuse(
                    number,
                    Reason::DuplicateSection {
                        name: name.to_owned(),
                        first,
                    },
                );
            }
            if name != "DEFAULT" {
                sections.insert(name, number);
            }
            keys.clear();
            section = Some(name);
            option = None;
            continue;
        }
        let Some(name) = section else {
            return refuse(number, Reason::BeforeFirstSection);
        };
        let Some(at) = value.find(['=', ':']) else {
            return refuse(number, Reason::NotAKey);
        };
        let key = option_name(&value[..at]);
        if key.is_empty() {
            return refuse(number, Reason::EmptyKey);
        }
        let seen = if name == "DEFAULT" {
            &mut default_keys
        } else {
            &mut keys
        };
        if let Some(&(_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return refuse(
                number,
                Reason::DuplicateKey {
                    section: name.to_owned(),
                    key: key.into_owned(),
                    first,
                },
            );
        }
        seen.push((key.clone(), number));
        let nested = value[at + 1..].trim_matches(is_py_space).is_empty();
        option = Some(Open { key, nested });
    }
    default_nested.filter(|_| !sections.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<(usize, Reason)> {
        check(text.as_bytes()).map(|r| (r.line, r.reason))
    }

    #[test]
    fn files_botocore_reads() {
        for text in [
            "",
            "\n\n# only comments\n; and these\n",
            "[default]\nregion = eu-west-1\n\n[profile a]\nregion: x\n",
            "[profile a]\ns3 =\n    max_concurrent_requests = 20\n\n    addressing_style = path\n",
            "[profile a]\nkey = first\n  more text without equals\n",
            "[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n[a]\n",
            "[default]\n[profile default]\n",
            "[a]\r\nk = v\r\n[b]\rk = v\r",
            "  [a]\n  k = v\n",
            "[a]\n  # indented comment\nk = v # not a comment\n",
            "[a]junk after the header\nk=v\n",
            "[DEFAULT]\ns3 =\n  no equals here\n",
            // Python's line breaks inside a nested block, each part a key.
            "[a]\ns3 =\n  x = 1\u{b}y = 2\n  z = 3\u{2028}\n",
            // \x1f and other spaces break no line; outside a nested block
            // nothing splits a line.
            "[a]\ns3 =\n  x = 1\u{1f}junk\n  y = 1\u{a0}junk\n",
            "[a]\ns3 =\u{b}\n\u{c}x = 1\n",
            "[a]\nk = v\u{b}junk\nl = first\n  more\u{85}junk\n",
            "[DEFAULT]\ns3 =\n  x = 1\u{c}junk\n",
        ] {
            assert_eq!(reason(text), None, "{text:?}");
        }
    }

    #[test]
    fn files_botocore_refuses() {
        let cases: &[(&str, usize, Reason)] = &[
            ("[a]\nk = v\njunk\n", 3, Reason::NotAKey),
            ("junk\n[a]\n", 1, Reason::BeforeFirstSection),
            ("k = v\n", 1, Reason::BeforeFirstSection),
            ("\u{feff}[a]\n", 1, Reason::BeforeFirstSection),
            ("[a]\n= v\n", 2, Reason::EmptyKey),
            ("[]\n", 1, Reason::BeforeFirstSection),
            (
                "[a]\nk = 1\n\n[a]\n",
                4,
                Reason::DuplicateSection {
                    name: "a".into(),
                    first: 1,
                },
            ),
            (
                "[a]\nRegion = 1\nregion = 2\n",
                3,
                Reason::DuplicateKey {
                    section: "a".into(),
                    key: "region".into(),
                    first: 2,
                },
            ),
            (
                "[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n",
                4,
                Reason::DuplicateKey {
                    section: "DEFAULT".into(),
                    key: "x".into(),
                    first: 2,
                },
            ),
            (
                "[a]\ns3 =\n    max = 1\n    junk\n",
                4,
                Reason::NestedNotAKey { key: "s3".into() },
            ),
            (
                "[a]\ns3 =\n    max = 1\u{2029}junk\n",
                3,
                Reason::NestedLineBreak {
                    key: "s3".into(),
                    at: '\u{2029}',
                },
            ),
            (
                "[a]\ns3 =\n    max\u{1c}= 1\n",
                3,
                Reason::NestedLineBreak {
                    key: "s3".into(),
                    at: '\u{1c}',
                },
            ),
            (
                "[DEFAULT]\ns3 =\n  x = 1\u{85}junk\n[b]\n",
                3,
                Reason::NestedLineBreak {
                    key: "s3".into(),
                    at: '\u{85}',
                },
            ),
            (
                "[a]\ns3 =\n  x = 1\u{b}\u{c}junk\n",
                3,
                Reason::NestedLineBreak {
                    key: "s3".into(),
                    at: '\u{b}',
                },
            ),
        ];
        for (text, line, why) in cases {
            assert_eq!(reason(text), Some((*line, why.clone())), "{text:?}");
        }
        let refusal = check(b"[a]\r\nk = v\r\n\xff\n").unwrap();
        assert_eq!((refusal.line, refusal.reason), (3, Reason::NotUtf8));
    }

    #[test]
    fn messages_name_the_line_but_never_quote_it() {
        let refusal = check(b"[a]\naws_secret_access_key secret\n").unwrap();
        let text = refusal.to_string();
        assert_eq!(
            text,
            "line 2 is not a [section] header, a key = value line or a comment"
        );
        assert!(!text.contains("secret"));
    }
}
