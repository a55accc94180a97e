//! Which profiles a typed name means, the way `badge NAME` reads it: an
//! exact name, else the names that start with it, else the names that
//! contain it, smart case (an upper-case letter makes the match exact);
//! and, for a name that matches none, the closest names.

use anyhow::Result;
use memchr::memmem::Finder;

use super::paths::Paths;
use super::profiles::{Profile, Profiles};

/// A typed name, ready to be matched against many profile names.
pub struct Matcher {
    /// The text matched: the query, lower-cased unless case matters.
    needle: String,
    case_sensitive: bool,
    finder: Finder<'static>,
}

impl Matcher {
    pub fn new(query: &str) -> Matcher {
        let case_sensitive = query.chars().any(char::is_uppercase);
        let needle = if case_sensitive {
            query.to_owned()
        } else {
            query.to_lowercase()
        };
        let finder = Finder::new(needle.as_bytes()).into_owned();
        Matcher {
            needle,
            case_sensitive,
            finder,
        }
    }

    /// The text every match contains (lower case when case is ignored).
    pub fn needle(&self) -> &str {
        &self.needle
    }

    pub fn ignores_case(&self) -> bool {
        !self.case_sensitive
    }

    /// Whether `name` starts with (or, with `substring`, contains) the
    /// query. Every name that starts with the query, or is the query,
    /// contains it.
    pub fn matches(&self, name: &str, substring: bool) -> bool {
        let needle = self.needle.as_str();
        if self.case_sensitive {
            return if substring {
                self.finder.find(name.as_bytes()).is_some()
            } else {
                name.starts_with(needle)
            };
        }
        // ASCII names compare byte by byte without lower-casing a copy;
        // others as `to_lowercase` reads them (`K`, the Kelvin sign, is `k`).
        if !(needle.is_ascii() && name.is_ascii()) {
            let name = name.to_lowercase();
            return if substring {
                name.contains(needle)
            } else {
                name.starts_with(needle)
            };
        }
        let (name, needle) = (name.as_bytes(), needle.as_bytes());
        if substring {
            needle.is_empty()
                || (name.windows(needle.len())).any(|w| w.eq_ignore_ascii_case(needle))
        } else {
            name.get(..needle.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(needle))
        }
    }
}

/// The profiles a typed name can mean, read from the files: for a big
/// file only those whose name contains it (as [`Matcher`] reads it), which
/// holds every match of [`find_matches`] and [`matching_names`]. `badge
/// NAME` and Tab read the files this one way.
pub fn load_candidates(paths: &Paths, query: &str) -> Result<Profiles> {
    if query.is_empty() {
        return Profiles::load(paths);
    }
    let matcher = Matcher::new(query);
    Profiles::load_matching(
        paths,
        quick_needle(&matcher),
        matcher.ignores_case(),
        |name| matcher.matches(name, true),
    )
}

/// What the pieces' quick check looks for: a query with letters beyond
/// ASCII folds case by Unicode rules, which that check does not know, so
/// then nothing (every piece is read).
fn quick_needle(matcher: &Matcher) -> &str {
    if matcher.needle().is_ascii() {
        matcher.needle()
    } else {
        ""
    }
}

/// Prefix matches, or substring matches when no name starts with `query`.
pub fn find_matches<'a>(profiles: &'a Profiles, query: &str) -> Vec<Profile<'a>> {
    let matcher = Matcher::new(query);
    let substring = by_substring(profiles.names(), &matcher);
    profiles
        .iter_where(|name| matcher.matches(name, substring))
        .collect()
}

/// The names of [`find_matches`], without reading the profiles: what Tab
/// offers in bash. A big file is read as [`load_candidates`] reads it, and
/// only the names are kept.
pub fn load_matching_names(paths: &Paths, query: &str) -> Result<Vec<String>> {
    let matcher = Matcher::new(query);
    let mut names: Vec<String> = if query.is_empty() {
        Profiles::load(paths)?.names().map(str::to_owned).collect()
    } else {
        let keep = |name: &str| matcher.matches(name, true);
        Profiles::names_matching(paths, quick_needle(&matcher), matcher.ignores_case(), keep)?
    };
    let substring = by_substring(names.iter().map(String::as_str), &matcher);
    names.retain(|name| matcher.matches(name, substring));
    Ok(names)
}

/// Whether names are matched anywhere in them: only when none starts with
/// the query.
fn by_substring<'a>(mut names: impl Iterator<Item = &'a str>, matcher: &Matcher) -> bool {
    !names.any(|name| matcher.matches(name, false))
}

/// The (at most three) names closest to `query`, for "did you mean".
pub fn closest<'a>(names: impl Iterator<Item = &'a str>, query: &str) -> Vec<&'a str> {
    let query_chars: Vec<char> = query.to_lowercase().chars().collect();
    // A name is close when the query is a few edits from all of it (a typo
    // in a whole name), or from its start (a typo in what was meant as a
    // prefix: `stagin-031` for `staging-031/ReadOnly`, or the account name
    // as `ls` shows it, `staging 031`), ignoring case either way.
    let whole_limit = (query_chars.len() / 2).max(2);
    let start_limit = (query_chars.len() / 3).max(1);
    // The three closest names, nearest start first, then nearest whole,
    // then by name: once three are found, only as close a name can still
    // enter, which keeps the edit distances narrow and cheap.
    let mut close: Vec<((usize, usize), &str)> = Vec::with_capacity(4);
    let mut name_chars = Vec::new();
    for name in names {
        let within = close.get(2).map_or(whole_limit, |&((d, _), _)| d);
        name_chars.clear();
        if name.is_ascii() {
            name_chars.extend(name.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            name_chars.extend(name.to_lowercase().chars());
        }
        let Some((start, whole)) = distances(&query_chars, &name_chars, within) else {
            continue;
        };
        if start > start_limit && whole.is_none_or(|w| w > whole_limit) {
            continue;
        }
        let key = ((start, whole.unwrap_or(usize::MAX)), name);
        let at = close.partition_point(|&found| found < key);
        close.insert(at, key);
        close.truncate(3);
    }
    close.iter().map(|(_, n)| *n).collect()
}

/// Levenshtein distances from `a`, for "did you mean": to the closest start
/// of `b`, and to all of `b`, each when it is at most `max` (the first is
/// never more than the second, so `None` when it is past `max`). Only the
/// band of cells within `max` of the diagonal is computed.
fn distances(a: &[char], b: &[char], max: usize) -> Option<(usize, Option<usize>)> {
    if b.len() + max < a.len() {
        return None;
    }
    let far = max + 1;
    let mut row: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    for (i, ca) in a.iter().enumerate() {
        let i = i + 1;
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        let mut diagonal = row[lo - 1];
        row[lo - 1] = if lo == 1 { i.min(far) } else { far };
        let mut row_min = row[lo - 1];
        for j in lo..=hi {
            let above = row[j];
            let cell = (above + 1)
                .min(row[j - 1] + 1)
                .min(diagonal + usize::from(*ca != b[j - 1]))
                .min(far);
            diagonal = above;
            row[j] = cell;
            row_min = row_min.min(cell);
        }
        if row_min > max {
            return None;
        }
    }
    let last = a.len();
    let (lo, hi) = (last.saturating_sub(max), (last + max).min(b.len()));
    let start = row[lo..=hi].iter().copied().min().unwrap_or(far);
    let whole = (b.len() <= hi)
        .then_some(row[b.len()])
        .filter(|&d| d <= max);
    (start <= max).then_some((start, whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distances(&a, &b, max).and_then(|(_, whole)| whole)
    }

    fn start_distance(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distances(&a, &b, max).map(|(start, _)| start)
    }

    /// The distance to the closest start of `b`, the slow way.
    fn start_distance_by_prefixes(a: &str, b: &str) -> usize {
        let chars: Vec<char> = b.chars().collect();
        (0..=chars.len())
            .map(|n| distance(a, &chars[..n].iter().collect::<String>(), 100).unwrap())
            .min()
            .unwrap()
    }

    #[test]
    fn start_distance_is_to_the_closest_start() {
        assert_eq!(
            start_distance("stagin-031", "staging-031/readonlyaccess", 9),
            Some(1)
        );
        assert_eq!(
            start_distance("staging 031", "staging-031/readonlyaccess", 9),
            Some(1)
        );
        assert_eq!(
            start_distance("staging-031/view", "staging-031/viewonly", 9),
            Some(0)
        );
        assert_eq!(start_distance("prod", "dev-prod", 1), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(distance("prod", "prod", 9), Some(0));
        assert_eq!(distance("prdo", "prod", 9), Some(2));
        assert_eq!(distance("", "abc", 9), Some(3));
        assert_eq!(distance("staging", "stage", 9), Some(3));
        assert_eq!(distance("kitten", "sitting", 9), Some(3));
        assert_eq!(distance("abcdef", "badcfe", 9), Some(4));
    }

    #[test]
    fn distances_stop_past_max() {
        assert_eq!(distance("staging", "stage", 3), Some(3));
        assert_eq!(distance("staging", "stage", 2), None);
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("abc", "xyz", 3), Some(3));
        assert_eq!(distance("abc", "xyz", 2), None);
        assert_eq!(distance("", "", 0), Some(0));
        let words = [
            "",
            "a",
            "ab",
            "prod",
            "prdo",
            "staging",
            "stage",
            "stagin-03",
            "acct-0042-prd/Admin",
        ];
        // Both distances of every pair, at every bound, against the plain
        // computation.
        for a in words {
            for b in words {
                let start = start_distance_by_prefixes(a, b);
                for max in 0..8 {
                    let want = (start <= max).then_some(start);
                    assert_eq!(start_distance(a, b, max), want, "{a:?} {b:?} {max}");
                }
                let exact = distance(a, b, 100).expect("within 100");
                for max in 0..8 {
                    let want = (exact <= max).then_some(exact);
                    assert_eq!(distance(a, b, max), want, "{a:?} {b:?} {max}");
                }
            }
        }
    }

    /// What a Tab in bash offers is the names of what zsh and fish offer
    /// (`find_matches`), for a file read whole and for one read in pieces.
    #[test]
    fn matching_names_are_those_of_the_matches() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
        };
        let mut big = String::new();
        for i in 0..8000 {
            big.push_str(&format!("[profile acct-{i:04}/Admin]\nregion = r\n"));
            if i % 1000 == 7 {
                big.push_str(&format!("[profile Prod-{i}]\n[profile dev-acct-{i}]\n"));
            }
        }
        big.push_str("[profile acct-0001/Admin]\n[default]\n");
        assert!(big.len() > 2 * crate::config::pieces::PIECE);
        let small = "[profile prod]\n[profile Prod-ReadOnly]\n[profile dev-prod]\n[default]\n";
        std::fs::write(&paths.credentials, "[only-cred]\n[prod-cred]\n").unwrap();
        for config in [big.as_str(), small] {
            std::fs::write(&paths.config, config).unwrap();
            for query in [
                "", "acct-00", "Acct-00", "ACCT", "prod", "Prod", "7", "dev", "default", "cred",
                "zz",
            ] {
                let profiles = load_candidates(&paths, query).unwrap();
                let expected: Vec<&str> = find_matches(&profiles, query)
                    .iter()
                    .map(|p| p.name)
                    .collect();
                assert_eq!(
                    load_matching_names(&paths, query).unwrap(),
                    expected,
                    "{query:?}"
                );
            }
        }
    }
}
