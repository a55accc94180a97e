//! Region rules of `badge sync`: `--region-rule KIND:GLOB=REGION` gives the
//! generated profiles of matching assignments another `region` than the
//! default one (`--region`, else the remembered one, else the session's
//! `sso_region`).
//!
//! - KIND is `account` (the account name), `id` (the account id) or `role`
//!   (the role, i.e. permission set, name); `account_name`, `account_id`
//!   and `role_name` are accepted as the same kinds.
//! - GLOB matches the whole value, case-insensitively: `*` any run of
//!   characters (also none), `?` exactly one; every other character is
//!   itself. Spaces around it are ignored.
//! - REGION is everything after the last `=` (role names may hold a `=`),
//!   and must look like an AWS region name.
//! - The first rule that matches wins.
//!
//! The rules are remembered on one line of the `[sso-session]` section,
//! `badge_sync_region_rules = account:prod-*=us-east-1 | role:*ReadOnly*=eu-west-1`,
//! separated by [`SEPARATOR`], which a rule therefore cannot hold (a `?`
//! matches it in a name); nor can a rule hold a control character.

use std::fmt;

use crate::base::text::quoted;
use crate::config::sessions::{looks_like_region, region_typo};

/// Separates the rules where they are remembered.
pub const SEPARATOR: char = '|';

/// How a rule is written, for the error messages.
const SHAPE: &str = "write KIND:GLOB=REGION with KIND account, id or role, \
                     like account:prod-*=us-east-1";

/// What a rule's glob is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    AccountName,
    AccountId,
    RoleName,
}

impl Field {
    fn parse(kind: &str) -> Option<Field> {
        match kind.trim().to_ascii_lowercase().as_str() {
            "account" | "account_name" => Some(Field::AccountName),
            "id" | "account_id" => Some(Field::AccountId),
            "role" | "role_name" => Some(Field::RoleName),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::AccountName => "account",
            Field::AccountId => "id",
            Field::RoleName => "role",
        }
    }
}

/// One `KIND:GLOB=REGION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionRule {
    pub field: Field,
    pub glob: String,
    pub region: String,
}

impl RegionRule {
    /// A rule as the user wrote it; the error is one sentence that names
    /// the rule and says how to write it.
    pub fn parse(text: &str) -> Result<RegionRule, String> {
        let rule = text.trim();
        let shown = quoted(rule);
        if rule.contains(SEPARATOR) {
            return Err(format!(
                "region rule {shown} holds a {SEPARATOR:?}, which separates the rules where \
                 badge remembers them; match it with ? instead"
            ));
        }
        if rule.chars().any(char::is_control) {
            return Err(format!(
                "region rule {shown} holds a control character; match it with ? instead"
            ));
        }
        let Some((lhs, region)) = rule.rsplit_once('=') else {
            return Err(format!("region rule {shown} has no =REGION; {SHAPE}"));
        };
        let kind_and_glob = lhs
            .split_once(':')
            .and_then(|(kind, glob)| Some((Field::parse(kind)?, glob)));
        let Some((field, glob)) = kind_and_glob else {
            return Err(format!(
                "region rule {shown} does not start with account:, id: or role:; {SHAPE}"
            ));
        };
        let glob = glob.trim();
        if glob.is_empty() {
            return Err(format!(
                "region rule {shown} has no pattern between : and =; {SHAPE} (* matches all)"
            ));
        }
        let region = region.trim();
        if !looks_like_region(region) {
            return Err(format!(
                "region rule {shown}: {} is not an AWS region name (like eu-west-1)",
                quoted(region)
            ));
        }
        if let Some(meant) = region_typo(region) {
            return Err(format!(
                "region rule {shown}: {} is not an AWS region; did you mean {meant}?",
                quoted(region)
            ));
        }
        Ok(RegionRule {
            field,
            glob: glob.to_owned(),
            region: region.to_owned(),
        })
    }

    /// Whether the rule matches an assignment.
    pub fn matches(&self, account_name: &str, account_id: &str, role_name: &str) -> bool {
        let value = match self.field {
            Field::AccountName => account_name,
            Field::AccountId => account_id,
            Field::RoleName => role_name,
        };
        glob_matches(&self.glob, value)
    }
}

/// The rule as badge writes it: `account:prod-*=us-east-1`.
impl fmt::Display for RegionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}={}", self.field.name(), self.glob, self.region)
    }
}

/// The rules of a sync, in order; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionRules(Vec<RegionRule>);

impl RegionRules {
    /// Rules given one by one; empty ones are left out (so `--region-rule ''`
    /// gives none).
    pub fn parse_each<'a>(rules: impl IntoIterator<Item = &'a str>) -> Result<RegionRules, String> {
        rules
            .into_iter()
            .filter(|r| !r.trim().is_empty())
            .map(RegionRule::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(RegionRules)
    }

    /// The remembered line: rules separated by [`SEPARATOR`].
    pub fn parse_line(line: &str) -> Result<RegionRules, String> {
        RegionRules::parse_each(line.split(SEPARATOR))
    }

    /// The line to remember, as [`parse_line`](Self::parse_line) reads it.
    pub fn to_line(&self) -> String {
        let rules: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        rules.join(&format!(" {SEPARATOR} "))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn rules(&self) -> &[RegionRule] {
        &self.0
    }

    /// The index of the first rule that matches an assignment.
    pub fn first_match(
        &self,
        account_name: &str,
        account_id: &str,
        role_name: &str,
    ) -> Option<usize> {
        self.0
            .iter()
            .position(|r| r.matches(account_name, account_id, role_name))
    }
}

/// Whether `glob` (`*` any run, `?` one character) matches all of `text`,
/// ignoring case.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let glob: Vec<char> = glob.chars().flat_map(char::to_lowercase).collect();
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Greedy, going back to the last `*` on a mismatch: linear space, and
    // O(glob × text) time at worst.
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some((g, t));
                g += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                g += 1;
                t += 1;
            }
            _ => match star {
                Some((sg, st)) => {
                    g = sg + 1;
                    t = st + 1;
                    star = Some((sg, st + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests;
