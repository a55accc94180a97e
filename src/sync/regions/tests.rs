use proptest::prelude::*;

use super::*;

#[test]
fn globs() {
    for (glob, text) in [
        ("prod", "prod"),
        ("PROD", "Prod"),
        ("prod-*", "prod-eu"),
        ("prod-*", "prod-"),
        ("*", ""),
        ("*", "anything at all"),
        ("*-prod", "team-a-prod"),
        ("a*b*c", "aXbYbZc"),
        ("??", "ab"),
        ("*admin*", "AWSAdministratorAccess"),
        ("Ops+Admin@eu,v=2.0-x_y", "ops+admin@EU,v=2.0-X_Y"),
        ("Ärger*", "ärgerlich"),
        ("***", ""),
    ] {
        assert!(glob_matches(glob, text), "{glob:?} should match {text:?}");
    }
    for (glob, text) in [
        ("prod", "prod-eu"),
        ("prod", "my-prod"),
        ("prod-*", "prod"),
        ("?", ""),
        ("??", "a"),
        ("a*b", "ab-c"),
        ("*-prod", "production"),
        ("", "a"),
    ] {
        assert!(
            !glob_matches(glob, text),
            "{glob:?} should not match {text:?}"
        );
    }
}

#[test]
fn rules_parse_and_print() {
    let rule = RegionRule::parse(" account:Prod *=us-east-1 ").unwrap();
    assert_eq!(rule.field, Field::AccountName);
    assert_eq!(rule.glob, "Prod *");
    assert_eq!(rule.region, "us-east-1");
    assert_eq!(rule.to_string(), "account:Prod *=us-east-1");
    // The last `=` ends the glob; the first `:` the kind.
    let rule = RegionRule::parse("ROLE_NAME:Ops+Admin@eu,v=2.0*=eu-central-2").unwrap();
    assert_eq!(rule.field, Field::RoleName);
    assert_eq!(rule.glob, "Ops+Admin@eu,v=2.0*");
    assert_eq!(rule.to_string(), "role:Ops+Admin@eu,v=2.0*=eu-central-2");
    let rule = RegionRule::parse("id:1234:*=us-gov-west-1").unwrap();
    assert_eq!(
        (rule.field, rule.glob.as_str()),
        (Field::AccountId, "1234:*")
    );
    assert!(rule.matches("", "1234:5", ""));
    assert!(!rule.matches("1234:5", "1", "1234:5"));

    let rules =
        RegionRules::parse_each(["", "account:a*=eu-west-1", "  ", "role:b=us-east-1"]).unwrap();
    assert_eq!(rules.rules().len(), 2);
    assert_eq!(rules.to_line(), "account:a*=eu-west-1 | role:b=us-east-1");
    assert_eq!(RegionRules::parse_line(&rules.to_line()).unwrap(), rules);
    assert!(RegionRules::parse_each([""]).unwrap().is_empty());
    assert!(RegionRules::parse_line("").unwrap().is_empty());
}

#[test]
fn the_first_matching_rule_wins() {
    let rules = RegionRules::parse_each([
        "account:prod-eu*=eu-west-1",
        "account:prod-*=us-east-1",
        "role:*ReadOnly*=ap-south-1",
        "id:9*=ca-central-1",
    ])
    .unwrap();
    assert_eq!(rules.first_match("prod-eu-1", "1", "Admin"), Some(0));
    assert_eq!(rules.first_match("Prod-US", "1", "ReadOnly"), Some(1));
    assert_eq!(rules.first_match("dev", "9", "ViewReadOnlyAccess"), Some(2));
    assert_eq!(rules.first_match("dev", "999", "Admin"), Some(3));
    assert_eq!(rules.first_match("dev", "1", "Admin"), None);
}

#[test]
fn bad_rules_say_what_is_wrong() {
    let err = |rule: &str| RegionRule::parse(rule).unwrap_err();
    assert_eq!(
        err("account:prod"),
        "region rule \"account:prod\" has no =REGION; write KIND:GLOB=REGION with KIND \
         account, id or role, like account:prod-*=us-east-1"
    );
    assert!(err("prod=us-east-1").contains("does not start with account:, id: or role:"));
    assert!(err("team:prod=us-east-1").contains("does not start with account:, id: or role:"));
    assert!(err("account:=us-east-1").contains("no pattern between : and ="));
    assert!(err("role:  =us-east-1").contains("no pattern"));
    assert_eq!(
        err("account:prod=Europe"),
        "region rule \"account:prod=Europe\": \"Europe\" is not an AWS region name (like eu-west-1)"
    );
    assert!(err("account:prod=").contains("\"\" is not an AWS region name"));
    assert!(err("account:a|b=us-east-1").contains("match it with ? instead"));
    assert!(err("account:a\tb=us-east-1").contains("control character"));
}

/// The textbook recursive definition, to check the fast one against.
fn reference(glob: &[char], text: &[char]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| reference(rest, &text[i..])),
        Some((&g, rest)) => text
            .split_first()
            .is_some_and(|(&t, more)| (g == '?' || g == t) && reference(rest, more)),
    }
}

fn lower(s: &str) -> Vec<char> {
    s.chars().flat_map(char::to_lowercase).collect()
}

proptest! {
    #[test]
    fn agrees_with_the_reference(glob in "[abA*?]{0,8}", text in "[abB]{0,10}") {
        prop_assert_eq!(
            glob_matches(&glob, &text),
            reference(&lower(&glob), &lower(&text)),
            "{:?} on {:?}", glob, text
        );
    }

    #[test]
    fn a_name_matches_itself_in_any_case(text in "[ -)+->@-~]{0,20}") {
        prop_assert!(glob_matches(&text, &text));
        prop_assert!(glob_matches(&text.to_uppercase(), &text));
        prop_assert!(glob_matches(&text, &text.to_lowercase()));
    }

    #[test]
    fn wildcards_in_place_of_parts_still_match(
        text in "[a-zA-Z0-9 ._-]{0,20}",
        cuts in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, 0u8..3), 0..4),
    ) {
        // Replace some runs by `*` and some characters by `?`.
        let mut chars: Vec<char> = text.chars().collect();
        let mut glob = Vec::new();
        let mut pieces = cuts.clone();
        pieces.sort_by_key(|(i, _, _)| i.index(chars.len().max(1)));
        let mut at = 0;
        for (i, len, how) in pieces {
            let start = i.index(chars.len().max(1)).max(at).min(chars.len());
            let end = (start + len).min(chars.len());
            glob.extend_from_slice(&chars[at..start]);
            match how {
                0 => glob.push('*'),
                1 => glob.extend(std::iter::repeat_n('?', end - start)),
                _ => glob.extend_from_slice(&chars[start..end]),
            }
            at = end;
        }
        glob.extend_from_slice(&chars[at..]);
        let glob: String = glob.into_iter().collect();
        prop_assert!(glob_matches(&glob, &text), "{:?} on {:?}", glob, text);
        // Without a `*`, one more character breaks it; with a trailing `*`,
        // it does not.
        chars.push('#');
        let longer: String = chars.into_iter().collect();
        if !glob.contains('*') {
            prop_assert!(!glob_matches(&glob, &longer));
        }
        if glob.ends_with('*') {
            prop_assert!(glob_matches(&glob, &longer));
        }
    }

    #[test]
    fn remembered_rules_read_back_the_same(
        rules in prop::collection::vec(
            ("(account|id|role)", "[ -{}~]{1,12}", "(eu-west-1|us-east-1|ap-southeast-5)"),
            0..5,
        ),
    ) {
        let texts: Vec<String> = rules.iter().map(|(k, g, r)| format!("{k}:{g}={r}")).collect();
        let parsed = RegionRules::parse_each(texts.iter().map(String::as_str));
        // A glob of spaces only is empty.
        if rules.iter().any(|(_, g, _)| g.trim().is_empty()) {
            prop_assert!(parsed.is_err());
            return Ok(());
        }
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.rules().len(), rules.len());
        prop_assert_eq!(RegionRules::parse_line(&parsed.to_line()).unwrap(), parsed);
    }
}
