//! Profile names: the template, cleaning to names every AWS SDK accepts, and
//! telling apart assignments that would get the same name.
//!
//! The Rust SDK refuses a profile name with anything but ASCII letters,
//! digits and `-_./%@:+`, and shells, prompts and completion are all easier
//! with such names, so every generated name is made of those only.
//!
//! Cleaning works on each variable's value: common Latin letters with
//! accents lose them (`Café` → `Cafe`), characters at either end that are
//! not allowed are dropped, and every run of characters that are not allowed
//! inside the value, together with any `-` next to it, becomes one `-`
//! (`Acme "Prod" (EU)` → `Acme-Prod-EU`, `Team - A` → `Team-A`). A `-`
//! the value already had twice (`a--b`) is left alone. Characters of the
//! template itself that are not allowed become `-` one for one. An account
//! name with nothing left (`中文`) falls back to the account id, and so does
//! a name that comes out empty, so a name is never empty.
//!
//! Two assignments with the same name, or one named like a profile the user
//! wrote by hand, are told apart by the account id: `Team-A/Admin` becomes
//! `Team-A-111111111111/Admin` when the template has `{account_name}`, else
//! the id is appended. If that still collides (two roles of one account that
//! clean to the same text), `-2`, `-3`… follow, in the order of account id
//! then role name, so the result never depends on the order the portal
//! listed things in.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use anyhow::{Result, bail};

use crate::base::hash::sha1_hex;
use crate::base::text::quoted;

/// The template used when none was given or remembered.
pub const DEFAULT_TEMPLATE: &str = "{account_name}/{role_name}";

/// Template variables, as written between braces.
pub const VARIABLES: [&str; 5] = [
    "account_name",
    "account_id",
    "role_name",
    "session",
    "region",
];

/// Characters a profile name may have besides ASCII letters and digits.
pub const ALLOWED_PUNCTUATION: &str = "-_./%@:+";

/// The longest generated name, in bytes: generous for any real account and
/// role, and far below what a shell variable (`AWS_PROFILE`) can hold.
pub const MAX_NAME_BYTES: usize = 256;

/// Whether every SDK accepts `c` in a profile name.
pub fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || ALLOWED_PUNCTUATION.contains(c)
}

/// Whether `name` is a non-empty name of allowed characters only.
pub fn is_sdk_safe(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_allowed)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    AccountName,
    AccountId,
    RoleName,
    Session,
    Region,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Var(Var),
}

/// A parsed profile name template such as `{account_name}/{role_name}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

/// The values of one assignment, before cleaning.
#[derive(Clone, Copy, Debug)]
pub struct Vars<'a> {
    pub account_name: &'a str,
    pub account_id: &'a str,
    pub role_name: &'a str,
    pub session: &'a str,
    pub region: &'a str,
}

impl Template {
    /// Parses `{variable}` placeholders; an unknown variable, a lone brace or
    /// a template without any variable is an error that lists the valid ones.
    pub fn parse(text: &str) -> Result<Template> {
        let valid = || {
            VARIABLES
                .iter()
                .map(|v| format!("{{{v}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown = quoted(text);
        // The template is remembered in the config, on one line.
        if text.contains(['\r', '\n']) {
            bail!("template {shown} cannot hold a line break");
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                None => {
                    parts.push(Part::Literal(rest.to_owned()));
                    break;
                }
                Some(at) if rest.as_bytes()[at] == b'}' => {
                    bail!(
                        "template {shown} has a `}}` without its `{{`; variables are {}",
                        valid()
                    )
                }
                Some(at) => {
                    if at > 0 {
                        parts.push(Part::Literal(rest[..at].to_owned()));
                    }
                    let Some(len) = rest[at + 1..].find('}') else {
                        bail!(
                            "template {shown} has a `{{` without its `}}`; variables are {}",
                            valid()
                        )
                    };
                    let name = &rest[at + 1..at + 1 + len];
                    let var = match name {
                        "account_name" => Var::AccountName,
                        "account_id" => Var::AccountId,
                        "role_name" => Var::RoleName,
                        "session" => Var::Session,
                        "region" => Var::Region,
                        _ => bail!(
                            "template {shown} has an unknown variable {{{name}}}; variables are {}",
                            valid()
                        ),
                    };
                    parts.push(Part::Var(var));
                    rest = &rest[at + len + 2..];
                }
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Var(_))) {
            bail!(
                "template {shown} has no variable, so every profile would get the same name; \
                 variables are {}",
                valid()
            );
        }
        Ok(Template {
            text: text.to_owned(),
            parts,
        })
    }

    fn uses(&self, var: Var) -> bool {
        self.parts.contains(&Part::Var(var))
    }

    /// The clean profile name of an assignment.
    pub fn render(&self, vars: &Vars<'_>) -> String {
        self.render_with(vars, None)
    }

    /// The name that tells this assignment apart by its account id.
    fn render_distinct(&self, vars: &Vars<'_>) -> String {
        if self.uses(Var::AccountId) {
            // The id is already in the name: only a counter can help.
            return self.render(vars);
        }
        if self.uses(Var::AccountName) {
            return self.render_with(vars, Some(vars.account_id));
        }
        format!("{}-{}", self.render(vars), clean_value(vars.account_id))
    }

    fn render_with(&self, vars: &Vars<'_>, account_suffix: Option<&str>) -> String {
        let mut name = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => {
                    name.extend(text.chars().map(|c| if is_allowed(c) { c } else { '-' }))
                }
                Part::Var(var) => {
                    let value = match var {
                        Var::AccountName => {
                            let cleaned = clean_value(vars.account_name);
                            let mut value = if cleaned.is_empty() {
                                clean_value(vars.account_id)
                            } else {
                                cleaned
                            };
                            if let Some(id) = account_suffix.filter(|_| !value.is_empty()) {
                                value.push('-');
                                value.push_str(&clean_value(id));
                            }
                            value
                        }
                        Var::AccountId => clean_value(vars.account_id),
                        Var::RoleName => clean_value(vars.role_name),
                        Var::Session => clean_value(vars.session),
                        Var::Region => clean_value(vars.region),
                    };
                    name.push_str(&value);
                }
            }
        }
        if name.is_empty() {
            name = clean_value(vars.account_id);
        }
        if name.is_empty() {
            // An account id is never empty; this keeps the promise anyway.
            name.push('-');
        }
        bounded(name)
    }
}

/// `name` cut to [`MAX_NAME_BYTES`] at a character's edge, when it is
/// longer, and ended by 8 hex digits of its whole text's hash: the same
/// every time, and two long names that start alike stay apart.
fn bounded(name: String) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let hash = &sha1_hex(name.as_bytes())[..8];
    let mut end = MAX_NAME_BYTES - hash.len() - 1;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-{hash}", &name[..end])
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One value cleaned as the module documentation says. May be empty.
pub fn clean_value(value: &str) -> String {
    let mut folded = String::with_capacity(value.len());
    for c in value.chars() {
        match fold(c) {
            Some(ascii) => folded.push_str(ascii),
            None => folded.push(c),
        }
    }
    let trimmed = folded.trim_matches(|c: char| !is_allowed(c));
    let mut out = String::with_capacity(trimmed.len());
    // Whether the last `-` written stands for characters that were dropped.
    let mut replaced = false;
    for c in trimmed.chars() {
        if !is_allowed(c) {
            if !out.ends_with('-') {
                out.push('-');
            }
            replaced = true;
        } else if c == '-' && replaced && out.ends_with('-') {
            // A `-` next to dropped characters joins their `-`.
        } else {
            out.push(c);
            replaced = false;
        }
    }
    out
}

/// ASCII for the accented Latin letters of European account names.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Č' => "C",
        'ç' | 'ć' | 'č' => "c",
        'Ð' | 'Ď' | 'Đ' => "D",
        'ð' | 'ď' | 'đ' => "d",
        'È'..='Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'Ğ' => "G",
        'ğ' => "g",
        'Ì'..='Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ì'..='ï' | 'ī' | 'į' | 'ı' => "i",
        'Ł' | 'Ľ' => "L",
        'ł' | 'ľ' => "l",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ñ' | 'ń' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ř' => "R",
        'ř' => "r",
        'Ś' | 'Ş' | 'Š' => "S",
        'ś' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'Ť' | 'Ţ' => "T",
        'ť' | 'ţ' => "t",
        'Þ' => "Th",
        'þ' => "th",
        'Ù'..='Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù'..='ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The assignment a name was given to: its place in the caller's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub index: usize,
}

/// Why assignments did not get the name the template gave them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collision {
    /// Several assignments wanted `wanted`; each got the name listed.
    Shared { wanted: String, given: Vec<String> },
    /// `wanted` is a profile of the user's; the assignment got `given`.
    Taken { wanted: String, given: String },
}

/// Names every assignment (given as its template variables), unique among
/// themselves and never one that `taken` says is someone else's.
/// Returns the names in the order of `vars`, and what had to be renamed, in
/// a deterministic order.
pub fn assign_names(
    template: &Template,
    vars: &[Vars<'_>],
    taken: &dyn Fn(&str) -> bool,
) -> (Vec<Named>, Vec<Collision>) {
    // Work in account id then role name order, whatever order came in.
    let mut order: Vec<usize> = (0..vars.len()).collect();
    order.sort_by(|&a, &b| {
        (vars[a].account_id, vars[a].role_name, a).cmp(&(vars[b].account_id, vars[b].role_name, b))
    });
    let wanted: Vec<String> = vars.iter().map(|v| template.render(v)).collect();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        groups.entry(wanted[i].as_str()).or_default().push(i);
    }
    let mut names: Vec<Option<String>> = vec![None; vars.len()];
    let mut used: HashSet<String> = HashSet::new();
    let mut contested: Vec<usize> = Vec::new();
    for (name, members) in &groups {
        if members.len() == 1 && !taken(name) {
            names[members[0]] = Some((*name).to_owned());
            used.insert((*name).to_owned());
        } else {
            contested.extend(members);
        }
    }
    contested.sort_by(|&a, &b| {
        (vars[a].account_id, vars[a].role_name, a).cmp(&(vars[b].account_id, vars[b].role_name, b))
    });
    for &i in &contested {
        let base = template.render_distinct(&vars[i]);
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) || taken(&name) {
            name = bounded(format!("{base}-{n}"));
            n += 1;
        }
        debug_assert!(is_sdk_safe(&name), "{name:?}");
        used.insert(name.clone());
        names[i] = Some(name);
    }
    let mut collisions = Vec::new();
    for (name, members) in &groups {
        let given: Vec<String> = members
            .iter()
            .map(|&i| names[i].clone().unwrap_or_default())
            .collect();
        if members.len() > 1 {
            collisions.push(Collision::Shared {
                wanted: (*name).to_owned(),
                given,
            });
        } else if taken(name) {
            collisions.push(Collision::Taken {
                wanted: (*name).to_owned(),
                given: given.into_iter().next().unwrap_or_default(),
            });
        }
    }
    let named = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| Named {
            name: name.unwrap_or_default(),
            index,
        })
        .collect();
    (named, collisions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars<'a>(account_name: &'a str, account_id: &'a str, role_name: &'a str) -> Vars<'a> {
        Vars {
            account_name,
            account_id,
            role_name,
            session: "acme",
            region: "eu-west-1",
        }
    }

    #[test]
    fn cleans_odd_account_names() {
        let cases = [
            ("Acme \"Prod\" (EU)", "Acme-Prod-EU"),
            ("Café Ünïcode 中文", "Cafe-Unicode"),
            ("semi;colon", "semi-colon"),
            ("dollar $(x)", "dollar-x"),
            ("back`tick`", "back-tick"),
            ("Team A", "Team-A"),
            ("Team - A", "Team-A"),
            ("a--b", "a--b"),
            ("trailing space ", "trailing-space"),
            ("  leading spaces", "leading-spaces"),
            ("emoji 🚀 rocket", "emoji-rocket"),
            ("slash/and\\backslash", "slash/and-backslash"),
            ("percent %s 100%", "percent-%s-100%"),
            (
                "[section] = value # not a comment",
                "section-value-not-a-comment",
            ),
            ("Ops+Admin@eu,v=2.0-x_y", "Ops+Admin@eu-v-2.0-x_y"),
            ("Straße Łódź", "Strasse-Lodz"),
            ("中文", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_value(input), expected, "{input:?}");
        }
    }

    #[test]
    fn renders_the_default_template_and_falls_back_to_the_account_id() {
        let t = Template::parse(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(t.render(&vars("Prod", "111", "Admin")), "Prod/Admin");
        assert_eq!(t.render(&vars("中文", "111", "Admin")), "111/Admin");
        let t = Template::parse("{session}.{region}:{account_id} {role_name}").unwrap();
        assert_eq!(
            t.render(&vars("x", "111", "Admin")),
            "acme.eu-west-1:111-Admin"
        );
        let t = Template::parse("{account_name}").unwrap();
        assert_eq!(t.render(&vars("🚀", "222", "Admin")), "222");
    }

    #[test]
    fn template_errors_list_the_variables() {
        for (text, says) in [
            ("{account}/{role_name}", "unknown variable {account}"),
            ("{account_name", "without its `}`"),
            ("x}", "without its `{`"),
            ("plain", "no variable"),
            ("", "no variable"),
        ] {
            let err = Template::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text:?}: {err}");
            assert!(
                err.contains("{account_name}, {account_id}, {role_name}, {session}, {region}"),
                "{err}"
            );
        }
    }

    #[test]
    fn collisions_are_told_apart_by_account_id_whatever_the_order() {
        let t = Template::parse(DEFAULT_TEMPLATE).unwrap();
        let list = [
            vars("Team A", "222", "Admin"),
            vars("Team-A", "111", "Admin"),
            vars("Solo", "333", "a=b"),
            vars("Solo", "333", "a,b"),
            vars("Mine", "444", "Admin"),
        ];
        let taken = |name: &str| name == "Mine/Admin";
        let (named, collisions) = assign_names(&t, &list, &taken);
        let names: Vec<&str> = named.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Team-A-222/Admin",
                "Team-A-111/Admin",
                "Solo-333/a-b-2",
                "Solo-333/a-b",
                "Mine-444/Admin"
            ]
        );
        assert_eq!(
            collisions,
            [
                Collision::Taken {
                    wanted: "Mine/Admin".into(),
                    given: "Mine-444/Admin".into()
                },
                Collision::Shared {
                    wanted: "Solo/a-b".into(),
                    given: vec!["Solo-333/a-b".into(), "Solo-333/a-b-2".into()]
                },
                Collision::Shared {
                    wanted: "Team-A/Admin".into(),
                    given: vec!["Team-A-111/Admin".into(), "Team-A-222/Admin".into()]
                },
            ]
        );
        // Same input in another order: same names for the same assignments.
        let mut reversed = list;
        reversed.reverse();
        let (again, _) = assign_names(&t, &reversed, &taken);
        for n in &again {
            let original = list.len() - 1 - n.index;
            assert_eq!(n.name, names[original]);
        }
    }

    #[test]
    fn a_template_without_the_account_name_appends_the_id() {
        let t = Template::parse("{role_name}").unwrap();
        let list = [vars("A", "111", "Admin"), vars("B", "222", "Admin")];
        let (named, _) = assign_names(&t, &list, &|_| false);
        assert_eq!(named[0].name, "Admin-111");
        assert_eq!(named[1].name, "Admin-222");
    }

    /// The template is remembered in the config, where a line break would
    /// make a continuation line, or a comment.
    #[test]
    fn a_template_is_one_line() {
        for text in ["{account_name}\n# x", "{role_name}\r", "a\r\n{account_id}"] {
            let err = Template::parse(text).unwrap_err().to_string();
            assert!(err.contains("cannot hold a line break"), "{err}");
        }
    }

    /// A 100,000-character account name must not become a profile name a
    /// shell variable cannot hold: names are cut to MAX_NAME_BYTES, the same
    /// way every time, and still told apart.
    #[test]
    fn long_names_are_cut_deterministically_and_stay_unique() {
        let long_a = "A".repeat(100_000);
        let long_b = format!("{}B", "A".repeat(99_999));
        let template = Template::parse(DEFAULT_TEMPLATE).unwrap();
        let a = vars(&long_a, "111111111111", "Admin");
        let b = vars(&long_b, "222222222222", "Admin");
        let name = template.render(&a);
        assert!(name.len() <= MAX_NAME_BYTES, "{}", name.len());
        assert!(is_sdk_safe(&name));
        assert_eq!(name, template.render(&a));
        assert_ne!(name, template.render(&b));
        // Several assignments that cut to the same start: still one each.
        let (named, _) = assign_names(&template, &[a, a, b], &|_| false);
        let names: HashSet<&str> = named.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names.len(), 3, "{named:?}");
        assert!(
            named
                .iter()
                .all(|n| n.name.len() <= MAX_NAME_BYTES && is_sdk_safe(&n.name))
        );
        // Names are ASCII (see `is_allowed`), so any cut is a character's
        // edge; a name of folded characters is cut the same way.
        let wide = "Ünïcödé ".repeat(20_000);
        let name = template.render(&vars(&wide, "333333333333", "Admin"));
        assert!(name.len() <= MAX_NAME_BYTES && is_sdk_safe(&name), "{name}");
    }

    proptest! {
        #[test]
        fn names_are_always_safe_non_empty_and_deterministic(
            name in "\\PC{0,24}",
            role in "[\\w+=,.@-]{1,20}",
            id in "[0-9]{12}",
            literal in "[^{}\r\n]{0,6}",
        ) {
            let template = Template::parse(&format!("{{account_name}}{literal}{{role_name}}")).unwrap();
            let v = vars(&name, &id, &role);
            let rendered = template.render(&v);
            prop_assert!(is_sdk_safe(&rendered), "{:?}", rendered);
            prop_assert_eq!(&rendered, &template.render(&v));
            let cleaned = clean_value(&name);
            prop_assert!(cleaned.chars().all(is_allowed));
            prop_assert_eq!(clean_value(&cleaned), cleaned.clone());
            let (named, _) = assign_names(&template, &[v, v], &|_| false);
            prop_assert!(named.iter().all(|n| is_sdk_safe(&n.name)));
            prop_assert_ne!(&named[0].name, &named[1].name);
        }
    }
}
