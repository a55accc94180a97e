use super::lex::{py_rstrip, py_trim, shlex_pair, shlex_split};
use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn doc(text: &str) -> Document {
    Document::parse(text.as_bytes())
}

fn text(doc: &Document) -> String {
    String::from_utf8(doc.to_bytes()).unwrap()
}

fn id(doc: &Document, header: &str) -> SectionId {
    doc.sections()
        .find(|s| s.header == header)
        .map(|s| s.id)
        .unwrap()
}

fn kinds(doc: &Document) -> Vec<(String, SectionKind)> {
    doc.sections()
        .map(|s| (s.header.to_owned(), s.kind))
        .collect()
}

fn entries(doc: &Document, header: &str) -> Vec<(String, String)> {
    let section = doc.sections().find(|s| s.header == header).unwrap();
    section
        .entries()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// What a section means: header, kind, own entries.
type Meaning = (String, SectionKind, Vec<(String, String)>);

fn meaning(doc: &Document) -> Vec<Meaning> {
    doc.sections()
        .map(|s| {
            let entries = s
                .entries()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (s.header.to_owned(), s.kind.clone(), entries)
        })
        .collect()
}

/// The bytes of each section, from its header to the next one.
fn section_bytes(doc: &Document) -> Vec<Vec<u8>> {
    let mut doc = doc.clone();
    doc.with_lines();
    let doc = &doc;
    let raw = doc.raw_bytes();
    let start = |line: usize| doc.lines.get(line).map_or(raw.len(), |l| l.raw.0);
    doc.sections
        .iter()
        .map(|s| raw[start(s.line as usize)..start(s.end as usize)].to_vec())
        .collect()
}

fn preamble(doc: &Document) -> Vec<u8> {
    let mut doc = doc.clone();
    doc.with_lines();
    let doc = &doc;
    let raw = doc.raw_bytes();
    let end = doc
        .sections
        .first()
        .map_or(raw.len(), |s| doc.lines[s.line as usize].raw.0);
    raw[..end].to_vec()
}

// ----- reading -----

#[test]
fn reads_keys_values_and_comments_like_configparser() {
    let d = doc(
        "# top\n; also top\n[default]\nregion = eu-west-1\nOutput:json\n  ; indented comment\nkey with spaces = a = b : c\ninline = x # not a comment\nempty =\nspaced\t =  \u{a0}v\u{a0} \n",
    );
    let s = d.profile("default").unwrap();
    assert_eq!(d.get(s, "region"), Some("eu-west-1"));
    assert_eq!(d.get(s, "output"), Some("json"));
    assert_eq!(d.get(s, "OUTPUT"), Some("json"));
    assert_eq!(d.get(s, "key with spaces"), Some("a = b : c"));
    assert_eq!(d.get(s, "inline"), Some("x # not a comment"));
    assert_eq!(d.get(s, "empty"), Some(""));
    assert_eq!(d.get(s, "spaced"), Some("v"));
    assert_eq!(d.get(s, "missing"), None);
}

#[test]
fn continuation_lines_belong_to_their_key() {
    let d = doc(concat!(
        "[profile a]\n",
        "s3 =\n",
        "    addressing_style = path\n",
        "\n",
        "    # a comment inside\n",
        "    signature_version = s3v4\n",
        "region = us-east-1\n",
        "note = first\n",
        "  second\n",
        "  [not a header]\n",
        "output = json\n",
    ));
    let s = d.profile("a").unwrap();
    assert_eq!(
        d.get(s, "s3"),
        Some("\naddressing_style = path\n\nsignature_version = s3v4")
    );
    assert_eq!(d.get(s, "note"), Some("first\nsecond\n[not a header]"));
    assert_eq!(d.get(s, "addressing_style"), None);
    assert_eq!(d.get(s, "output"), Some("json"));
    let keys: Vec<String> = entries(&d, "profile a")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["s3", "region", "note", "output"]);
    assert_eq!(d.sections().count(), 1);
}

#[test]
fn section_headers_mean_what_botocore_says() {
    let d = doc(concat!(
        "[default]\n",
        "[profile default]\n",
        "[profile \"a b\"]\n",
        "[profile a b]\n",
        "[profile x'y]\n",
        "[profile]\n",
        "[ profile sp ]\n",
        "[profilex y]\n",
        "[profile a\\ c]\n",
        "[profile \"q\\\"r\"]\n",
        "[profile c] trailing\n",
        "[sso-session acme]\n",
        "[services s3-local]\n",
        "[DEFAULT]\n",
        "[Default]\n",
        "[a]b]\n",
        "[]\n",
        "  [profile indented]\n",
    ));
    let expected = [
        ("default", SectionKind::Default),
        ("profile default", SectionKind::Profile("default".into())),
        ("profile \"a b\"", SectionKind::Profile("a b".into())),
        ("profile a b", SectionKind::Other),
        ("profile x'y", SectionKind::Other),
        ("profile", SectionKind::Other),
        (" profile sp ", SectionKind::Other),
        ("profilex y", SectionKind::Profile("y".into())),
        ("profile a\\ c", SectionKind::Profile("a c".into())),
        ("profile \"q\\\"r\"", SectionKind::Profile("q\"r".into())),
        ("profile c", SectionKind::Profile("c".into())),
        ("sso-session acme", SectionKind::SsoSession("acme".into())),
        (
            "services s3-local",
            SectionKind::Services("s3-local".into()),
        ),
        ("DEFAULT", SectionKind::Other),
        ("Default", SectionKind::Other),
        ("a]b", SectionKind::Other),
        ("profile indented", SectionKind::Profile("indented".into())),
    ];
    let expected: Vec<(String, SectionKind)> = expected
        .into_iter()
        .map(|(h, k)| (h.to_owned(), k))
        .collect();
    assert_eq!(kinds(&d), expected);
}

#[test]
fn the_last_of_repeated_profiles_and_keys_wins() {
    let d = doc(
        "[profile default]\nregion = a\n[default]\nregion = b\nregion = c\n[sso-session s]\nx = 1\n[sso-session s]\nx = 2\n",
    );
    let s = d.profile("default").unwrap();
    assert_eq!(d.sections().nth(1).unwrap().id, s);
    assert_eq!(d.get(s, "region"), Some("c"));
    assert_eq!(d.get(d.sso_session("s").unwrap(), "x"), Some("2"));
    assert_eq!(d.profile("nope"), None);
}

#[test]
fn default_section_keys_are_seen_everywhere() {
    let d = doc("[profile a]\nregion = a\n[DEFAULT]\nregion = d\noutput = json\n[profile b]\n");
    assert_eq!(d.get(d.profile("a").unwrap(), "region"), Some("a"));
    assert_eq!(d.get(d.profile("a").unwrap(), "output"), Some("json"));
    assert_eq!(d.get(d.profile("b").unwrap(), "region"), Some("d"));
}

#[test]
fn lines_end_at_lf_crlf_and_lone_cr() {
    let d = doc(
        "[profile a]\r\nregion = a\r\n[profile b]\rregion = b\r  more\r[profile c]\nregion = c",
    );
    assert_eq!(d.get(d.profile("a").unwrap(), "region"), Some("a"));
    assert_eq!(d.get(d.profile("b").unwrap(), "region"), Some("b\nmore"));
    assert_eq!(d.get(d.profile("c").unwrap(), "region"), Some("c"));
}

#[test]
fn section_lines_follow_every_line_ending() {
    let d = doc("# c\r\n[default]\rregion = x\n\n[profile a]\n  [not]\n");
    let lines: Vec<usize> = d.sections().map(|s| s.line()).collect();
    assert_eq!(lines, [2, 5, 6]);
}

#[test]
fn bytes_that_are_not_utf8_read_as_replacement_characters() {
    let bytes = b"[profile caf\xe9]\nregion = x\xff\n\x00[profile b]\n";
    let d = Document::parse(bytes);
    assert_eq!(d.to_bytes(), bytes);
    let s = d.profile("caf\u{fffd}").unwrap();
    assert_eq!(d.get(s, "region"), Some("x\u{fffd}"));
    // Not a header: a NUL starts the line.
    assert_eq!(d.sections().count(), 1);
}

#[test]
fn text_before_the_first_section_means_nothing() {
    let d = doc("region = x\n  more\n[a]\nk = v\n");
    assert_eq!(d.sections().count(), 1);
    assert_eq!(entries(&d, "a"), [("k".to_owned(), "v".to_owned())]);
}

#[test]
fn managed_blocks_mark_their_sections() {
    let d = doc(concat!(
        "[profile mine]\n",
        "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)\n",
        "[profile gen]\n",
        "# END badge sso-session=other\n",
        "[profile gen2]\n",
        "# END badge sso-session=acme\n",
        "[profile after]\n",
        "# BEGIN badge sso-session=dangling (generated by `badge sync`; edits inside are replaced)\n",
        "[profile late]\n",
    ));
    let managed: Vec<(String, Option<String>)> = d
        .sections()
        .map(|s| (s.header.to_owned(), s.managed_by.map(str::to_owned)))
        .collect();
    let acme = Some("acme".to_owned());
    assert_eq!(
        managed,
        [
            ("profile mine".to_owned(), None),
            ("profile gen".to_owned(), acme.clone()),
            ("profile gen2".to_owned(), acme),
            ("profile after".to_owned(), None),
            ("profile late".to_owned(), None),
        ]
    );
    let block = d.managed_block("acme").unwrap();
    assert_eq!(block.session, "acme");
    let names: Vec<String> = block.sections().map(|s| s.header.to_owned()).collect();
    assert_eq!(names, ["profile gen", "profile gen2"]);
    assert!(d.managed_block("dangling").is_none());
    assert!(d.managed_block("other").is_none());
}

#[test]
fn a_block_has_its_lines_and_its_sections_their_line_numbers() {
    let d = doc(concat!(
        "[profile mine]\r\n",
        "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)\r\n",
        "[profile a]\r",
        "k = v\n",
        "# END badge sso-session=acme",
    ));
    let block = d.managed_block("acme").unwrap();
    let lines: Vec<(usize, &str)> = block.lines().iter().collect();
    assert_eq!(
        lines,
        [
            (
                2,
                "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)"
            ),
            (3, "[profile a]"),
            (4, "k = v"),
            (5, "# END badge sso-session=acme"),
        ]
    );
    let text: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    assert_eq!(block.lines().text(), text.join("\n"));
    let sections: Vec<usize> = block.sections().map(|s| s.line()).collect();
    assert_eq!(sections, [3]);
    let blocks: Vec<&str> = d.managed_blocks().map(|b| b.session).collect();
    assert_eq!(blocks, ["acme"]);
    assert_eq!(
        d.recorded_block("acme").unwrap().text(),
        block.lines().text()
    );
}

/// Where sync records read a block otherwise than the document does, they
/// keep their reading (see `Document::recorded_block`): the lines of the
/// block, and those a record hashes, as (first, last) line numbers.
#[test]
fn records_keep_their_reading_of_markers_that_do_not_pair() {
    const NOTE: &str = " (generated by `badge sync`; edits inside are replaced)";
    let begin = |session: &str| format!("# BEGIN badge sso-session={session}{NOTE}");
    let end = |session: &str| format!("# END badge sso-session={session}");
    type Case = (
        Vec<String>,
        &'static str,
        Option<(usize, usize)>,
        Option<(usize, usize)>,
    );
    let cases: Vec<Case> = vec![
        // A stray `# BEGIN` above the block: the block starts at the last.
        (
            vec![
                begin("acme"),
                "[profile mine]".into(),
                begin("acme"),
                "[profile a]".into(),
                end("acme"),
            ],
            "acme",
            Some((3, 5)),
            Some((1, 5)),
        ),
        // Another session's `# BEGIN` inside: no block at all.
        (
            vec![
                begin("acme"),
                "[profile a]".into(),
                begin("other"),
                end("acme"),
            ],
            "acme",
            None,
            Some((1, 4)),
        ),
        // Another session's whole block inside: only that one is a block.
        (
            vec![
                begin("acme"),
                begin("other"),
                "[profile o]".into(),
                end("other"),
                end("acme"),
            ],
            "acme",
            None,
            Some((1, 5)),
        ),
        // A name with ` (` in it: records end it there.
        (
            vec![begin("a (b"), "[profile a]".into(), end("a (b")],
            "a (b",
            Some((1, 3)),
            None,
        ),
        // Two spaces before the note: records trim the name.
        (
            vec![
                format!("# BEGIN badge sso-session=acme {NOTE}"),
                end("acme"),
            ],
            "acme",
            None,
            Some((1, 2)),
        ),
        // No space before the note: the block still sees the session.
        (
            vec![
                format!("# BEGIN badge sso-session=acme{}", NOTE.trim_start()),
                end("acme"),
            ],
            "acme",
            Some((1, 2)),
            None,
        ),
        // Whitespace only Python sees: no marker to records.
        (
            vec![
                format!("\x1c{}", begin("acme")),
                "[profile a]".into(),
                end("acme"),
            ],
            "acme",
            Some((1, 3)),
            None,
        ),
        (
            vec![
                begin("acme"),
                "[profile a]".into(),
                format!("{}\x1c", end("acme")),
            ],
            "acme",
            Some((1, 3)),
            None,
        ),
    ];
    for (lines, session, block, recorded) in cases {
        let text = lines.join("\n");
        let d = doc(&text);
        let span = |lines: BlockLines<'_>| {
            let numbers: Vec<usize> = lines.iter().map(|(n, _)| n).collect();
            (numbers[0], numbers[numbers.len() - 1])
        };
        assert_eq!(
            d.managed_block(session).map(|b| span(b.lines())),
            block,
            "{text:?}"
        );
        assert_eq!(d.recorded_block(session).map(span), recorded, "{text:?}");
    }
}

#[test]
fn shlex_matches_python() {
    let cases: &[(&str, Option<&[&str]>)] = &[
        ("profile a", Some(&["profile", "a"])),
        ("  profile \t a  ", Some(&["profile", "a"])),
        ("profile \"a b\"", Some(&["profile", "a b"])),
        ("profile 'a b'", Some(&["profile", "a b"])),
        ("profile a\\ b", Some(&["profile", "a b"])),
        ("profile \"x\\\"y\"", Some(&["profile", "x\"y"])),
        ("profile \"a\\b\"", Some(&["profile", "a\\b"])),
        ("profile 'a\\b'", Some(&["profile", "a\\b"])),
        ("profile \"\"", Some(&["profile", ""])),
        ("profile ''", Some(&["profile", ""])),
        ("profile a\"b c\"d", Some(&["profile", "ab cd"])),
        ("profile x'y", None),
        ("profile a\\", None),
        ("profile\u{a0}a", Some(&["profile\u{a0}a"])),
    ];
    for (input, expected) in cases {
        let expected = expected.map(|e| e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(shlex_split(input), expected, "{input:?}");
    }
}

proptest! {
    /// The quick reading of a header's two words is `shlex.split`'s.
    #[test]
    fn shlex_pair_is_the_second_of_two_words(
        s in r#"[ \t\r\n\x0c\u{a0}a-c"'\\é]{0,12}"#,
    ) {
        let expected = shlex_split(&s).and_then(|words| match words.as_slice() {
            [_, second] => Some(second.clone()),
            _ => None,
        });
        prop_assert_eq!(shlex_pair(&s).map(|w| w.into_owned()), expected, "{:?}", s);
    }
}

#[test]
fn section_headers_are_quoted_only_when_needed() {
    assert_eq!(
        section_header("profile", "prod/Admin").as_deref(),
        Some("profile prod/Admin")
    );
    assert_eq!(
        section_header("profile", "a b").as_deref(),
        Some("profile \"a b\"")
    );
    assert_eq!(
        section_header("profile", "x'y").as_deref(),
        Some("profile \"x'y\"")
    );
    assert_eq!(
        section_header("profile", "q\"\\").as_deref(),
        Some("profile \"q\\\"\\\\\"")
    );
    assert_eq!(
        section_header("sso-session", "").as_deref(),
        Some("sso-session \"\"")
    );
    assert_eq!(section_header("profile", "a\nb"), None);
}

// ----- editing: whole files -----

#[test]
fn set_replaces_a_value_keeping_its_spacing() {
    let mut d = doc(
        "# keep\n[default]\nRegion   :  us-east-1  \noutput=json\nempty =\nbare=\n\n[profile b]\nregion = x\n",
    );
    let s = d.profile("default").unwrap();
    d.set(s, "region", "eu-west-1");
    d.set(s, "output", "text");
    d.set(s, "empty", "1");
    d.set(s, "bare", "2");
    assert_eq!(
        text(&d),
        "# keep\n[default]\nRegion   :  eu-west-1  \noutput=text\nempty = 1\nbare=2\n\n[profile b]\nregion = x\n"
    );
}

#[test]
fn set_appends_after_the_last_entry_before_trailing_comments() {
    let mut d = doc("[profile a]\nregion = x\n# about b\n\n[profile b]\n");
    d.set(d.profile("a").unwrap(), "output", "json");
    assert_eq!(
        text(&d),
        "[profile a]\nregion = x\noutput = json\n# about b\n\n[profile b]\n"
    );
}

#[test]
fn set_appends_indented_like_the_key_before() {
    let mut d = doc("[a]\n  k = v\n[b]\n");
    d.set(id(&d, "a"), "new", "1");
    assert_eq!(text(&d), "[a]\n  k = v\n  new = 1\n[b]\n");
}

#[test]
fn set_in_an_empty_section_does_not_swallow_an_indented_header() {
    let mut d = doc("[a]\n  [b]\nx = 1\n");
    d.set(id(&d, "a"), "k", "v");
    assert_eq!(text(&d), "[a]\n  k = v\n  [b]\nx = 1\n");
    assert_eq!(d.sections().count(), 2);
}

#[test]
fn set_keeps_crlf_and_a_missing_final_newline() {
    let mut d = doc("[a]\r\nk = v\r\n");
    d.set(id(&d, "a"), "j", "w");
    assert_eq!(text(&d), "[a]\r\nk = v\r\nj = w\r\n");

    let mut d = doc("[a]\nk = v");
    d.set(id(&d, "a"), "k", "x");
    assert_eq!(text(&d), "[a]\nk = x");
    d.set(id(&d, "a"), "j", "w");
    assert_eq!(text(&d), "[a]\nk = x\nj = w\n");

    let mut d = doc("[a]");
    d.set(id(&d, "a"), "k", "v");
    assert_eq!(text(&d), "[a]\nk = v\n");
}

#[test]
fn set_replaces_a_nested_block_whole() {
    let before = concat!(
        "[profile a]\n",
        "s3 =\n",
        "    addressing_style = path\n",
        "    # note\n",
        "    signature_version = s3v4\n",
        "# after\n",
        "region = x\n",
    );
    let mut d = doc(before);
    let s = d.profile("a").unwrap();
    d.set(s, "s3", "\naddressing_style = virtual");
    assert_eq!(
        text(&d),
        "[profile a]\ns3 =\n    addressing_style = virtual\n# after\nregion = x\n"
    );
    assert_eq!(d.get(s, "s3"), Some("\naddressing_style = virtual"));
    d.set(s, "s3", "plain");
    assert_eq!(text(&d), "[profile a]\ns3 = plain\n# after\nregion = x\n");
}

#[test]
fn set_turns_line_breaks_into_continuation_lines() {
    let mut d = doc("[profile a]\r\nregion = x\r\n[profile b]\r\n");
    let s = d.profile("a").unwrap();
    d.set(s, "note", "one\n[profile evil]\r\n\nregion = y\n\n");
    assert_eq!(
        text(&d),
        "[profile a]\r\nregion = x\r\nnote = one\r\n    [profile evil]\r\n\r\n    region = y\r\n[profile b]\r\n"
    );
    assert_eq!(d.get(s, "note"), Some("one\n[profile evil]\n\nregion = y"));
    assert_eq!(d.sections().count(), 2);
}

#[test]
fn remove_key_takes_its_continuation_lines() {
    let mut d = doc("[a]\nk = 1\ns3 =\n  x = 1\n\n  y = 2\n# c\nK = 3\nj = 2\n");
    assert!(d.remove_key(id(&d, "a"), "s3"));
    assert!(d.remove_key(id(&d, "a"), "k"));
    assert!(!d.remove_key(id(&d, "a"), "nope"));
    assert_eq!(text(&d), "[a]\n# c\nj = 2\n");
}

#[test]
fn add_section_appends_after_one_blank_line() {
    let mut d = doc("");
    d.add_section("profile x", &[("region", "r")]);
    assert_eq!(text(&d), "[profile x]\nregion = r\n");

    let mut d = doc("[a]\nk = v");
    let s = d.add_section(
        "sso-session acme",
        &[("sso_start_url", "https://x"), ("sso_region", "eu-west-1")],
    );
    assert_eq!(
        text(&d),
        "[a]\nk = v\n\n[sso-session acme]\nsso_start_url = https://x\nsso_region = eu-west-1\n"
    );
    assert_eq!(d.sso_session("acme"), Some(s));

    let mut d = doc("[a]\r\nk = v\r\n\r\n");
    d.add_section("profile \"b c\"", &[]);
    assert_eq!(text(&d), "[a]\r\nk = v\r\n\r\n[profile \"b c\"]\r\n");
    assert!(d.profile("b c").is_some());
}

fn generated(names: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
    names
        .iter()
        .map(|n| {
            let entries = [
                ("sso_session", "acme"),
                ("sso_account_id", "111111111111"),
                ("badge_account_name", "My Prod"),
            ];
            (
                n.to_string(),
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn managed_block_is_appended_then_replaced_in_place_then_removed() {
    let mut d = doc("# mine\n[profile mine]\r\nregion = x\r\n");
    d.replace_managed_block("acme", &generated(&["prod/Admin", "dev team/Read"]));
    let block = concat!(
        "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)\r\n",
        "[profile prod/Admin]\r\n",
        "sso_session = acme\r\n",
        "sso_account_id = 111111111111\r\n",
        "badge_account_name = My Prod\r\n",
        "\r\n",
        "[profile \"dev team/Read\"]\r\n",
        "sso_session = acme\r\n",
        "sso_account_id = 111111111111\r\n",
        "badge_account_name = My Prod\r\n",
        "# END badge sso-session=acme\r\n",
    );
    assert_eq!(
        text(&d),
        format!("# mine\n[profile mine]\r\nregion = x\r\n\r\n{block}")
    );
    let managed: Vec<Option<&str>> = d.sections().map(|s| s.managed_by).collect();
    assert_eq!(managed, [None, Some("acme"), Some("acme")]);
    assert!(d.profile("dev team/Read").is_some());

    d.add_section("profile after", &[("region", "y")]);
    d.replace_managed_block("acme", &generated(&["only"]));
    let block = concat!(
        "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)\r\n",
        "[profile only]\r\n",
        "sso_session = acme\r\n",
        "sso_account_id = 111111111111\r\n",
        "badge_account_name = My Prod\r\n",
        "# END badge sso-session=acme\r\n",
    );
    let after = "\r\n[profile after]\r\nregion = y\r\n";
    assert_eq!(
        text(&d),
        format!("# mine\n[profile mine]\r\nregion = x\r\n\r\n{block}{after}")
    );

    assert!(d.remove_managed_block("acme"));
    assert!(!d.remove_managed_block("acme"));
    assert_eq!(
        text(&d),
        format!("# mine\n[profile mine]\r\nregion = x\r\n{after}")
    );
}

/// Key lines after `# END` that no header starts belong to the block's last
/// profile; removing the block keeps them under that profile's header, so
/// they do not join the user's profile above the block.
#[test]
fn removing_a_block_keeps_the_header_of_lines_after_its_end() {
    let before = "[profile mine]\nsso_account_id = 111111111111\n\n\
                  # BEGIN badge sso-session=acme\n\
                  [profile a]\nsso_account_id = 222222222222\n\
                  [profile b]\nsso_account_id = 333333333333\n\
                  # END badge sso-session=acme\n\
                  output = json\n\n[profile after]\nregion = x\n";
    let mut d = Document::parse(before.as_bytes());
    assert!(d.remove_managed_block("acme"));
    assert_eq!(
        text(&d),
        "[profile mine]\nsso_account_id = 111111111111\n\n\
         [profile b]\noutput = json\n\n[profile after]\nregion = x\n"
    );
    let mine = d.profile("mine").unwrap();
    assert_eq!(d.get(mine, "output"), None);
    // Only comments and blank lines after `# END`: the whole block goes.
    let mut d = Document::parse(
        "[profile mine]\nregion = x\n\n# BEGIN badge sso-session=acme\n\
         [profile a]\nregion = y\n# END badge sso-session=acme\n# note\n"
            .as_bytes(),
    );
    assert!(d.remove_managed_block("acme"));
    assert_eq!(text(&d), "[profile mine]\nregion = x\n\n# note\n");
}

// ----- properties -----

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(options)
}

const WS: &[&str] = &["", "", " ", "  ", "\t", "\u{a0}", "\u{3000}", "\x0c"];
const HEADERS: &[&str] = &[
    "default",
    "DEFAULT",
    "profile a",
    "profile b",
    "profile \"c d\"",
    "profile a b",
    "profile x'y",
    "profile",
    "sso-session acme",
    "sso-session \"s s\"",
    "services s3",
    "other",
    " profile sp ",
    "profilex y",
    "profile ünï",
    "a]b",
];
const KEYS: &[&str] = &[
    "region",
    "Region",
    "output",
    "sso_session",
    "s3",
    "key with space",
    "ключ",
    "",
];
const DELIMS: &[&str] = &[" = ", "=", ": ", " :", "\t=\t", " = \u{a0}"];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (pick(WS), pick(HEADERS), pick(&["", "", " trailing", "]x"])).prop_map(|(w, h, t)| format!("{w}[{h}]{t}")),
        6 => (pick(WS), pick(KEYS), pick(DELIMS), "[a-z0-9 #;=:ü\t\\[\\]]{0,12}").prop_map(|(w, k, d, v)| format!("{w}{k}{d}{v}")),
        2 => (pick(&["  ", "    ", "\t", "\u{3000}"]), "[a-z =#\\[\\]]{1,10}").prop_map(|(w, t)| format!("{w}{t}")),
        2 => (pick(WS), pick(&["#", ";"]), "[ -~]{0,10}").prop_map(|(w, c, t)| format!("{w}{c}{t}")),
        2 => pick(WS).prop_map(str::to_owned),
        1 => pick(&["garbage", "  garbage", "\u{feff}[default]"]).prop_map(str::to_owned),
        1 => pick(&[
            "# BEGIN badge sso-session=acme (generated by `badge sync`; edits inside are replaced)",
            "# END badge sso-session=acme",
            "# BEGIN badge sso-session=other (generated by `badge sync`; edits inside are replaced)",
            "# END badge sso-session=other",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Config-like text: any mix of lines and line endings, with or without a
/// final line ending.
pub(crate) fn config_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((line(), pick(&["\n", "\n", "\r\n", "\r"])), 0..30),
        any::<bool>(),
    )
        .prop_map(|(lines, final_newline)| {
            let mut text = String::new();
            let count = lines.len();
            for (i, (line, end)) in lines.into_iter().enumerate() {
                text.push_str(&line);
                if i + 1 < count || final_newline {
                    text.push_str(end);
                }
            }
            text
        })
}

/// Config-like text with at least one section, maybe after a preamble.
fn config_with_sections() -> impl Strategy<Value = String> {
    (
        config_text(),
        pick(HEADERS),
        pick(&["\n", "\r\n", "\r"]),
        config_text(),
    )
        .prop_map(|(before, header, end, after)| format!("{before}\n[{header}]{end}{after}"))
}

/// What configparser reads back for a value written by `set`.
fn read_back(value: &str) -> String {
    let lines: Vec<&str> = value
        .split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .map(py_trim)
        .collect();
    py_rstrip(&lines.join("\n")).to_owned()
}

proptest! {
    #[test]
    fn any_bytes_read_back_identical(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        prop_assert_eq!(Document::parse(&bytes).to_bytes(), bytes);
    }

    #[test]
    fn config_like_text_reads_back_identical(text in config_text()) {
        prop_assert_eq!(Document::parse(text.as_bytes()).to_bytes(), text.as_bytes());
    }

    #[test]
    fn reading_without_a_table_of_keys_agrees_with_it(text in config_text()) {
        let d = Document::parse(text.as_bytes());
        let mut table = d.clone();
        table.with_lines();
        prop_assert!(table.has_entries || text.is_empty());
        prop_assert_eq!(meaning(&d), meaning(&table));
        for s in d.sections() {
            for key in ["region", "s3", "output", "missing"] {
                prop_assert_eq!(s.get(key), table.get(s.id, key));
            }
        }
    }

    #[test]
    fn set_changes_only_its_target(
        text in config_with_sections(),
        which in any::<prop::sample::Index>(),
        key in pick(&["region", "REGION", "output", "s3", "new_key", "ключ"]),
        value in "[a-z0-9 =\\[\\]]{0,8}(\n[a-z0-9 =\\[\\]]{0,8}){0,3}",
    ) {
        let mut d = Document::parse(text.as_bytes());
        let target = which.index(d.sections.len());
        let id = SectionId(target);
        let before_meaning = meaning(&d);
        let before_bytes = section_bytes(&d);
        let before_preamble = preamble(&d);
        let other_keys: Vec<(String, Option<String>)> = d.sections().nth(target).unwrap().entries()
            .filter(|(k, _)| !key_eq(k, key))
            .map(|(k, _)| (k.to_owned(), d.get(id, k).map(str::to_owned)))
            .collect();

        d.set(id, key, &value);

        let expected = read_back(&value);
        prop_assert_eq!(d.get(id, key), Some(expected.as_str()));
        prop_assert_eq!(d.sections.len(), before_meaning.len());
        prop_assert_eq!(preamble(&d), before_preamble);
        let after_meaning = meaning(&d);
        let after_bytes = section_bytes(&d);
        for i in (0..before_meaning.len()).filter(|&i| i != target) {
            prop_assert_eq!(&after_meaning[i], &before_meaning[i]);
            prop_assert_eq!(&after_bytes[i], &before_bytes[i]);
        }
        for (k, v) in other_keys {
            prop_assert_eq!(d.get(id, &k).map(str::to_owned), v);
        }
    }

    #[test]
    fn remove_key_changes_only_its_target(text in config_with_sections(), which in any::<prop::sample::Index>(), key in pick(&["region", "Region", "output", "sso_session", "s3", "key with space", "ключ"])) {
        let mut d = Document::parse(text.as_bytes());
        let target = which.index(d.sections.len());
        let before_meaning = meaning(&d);
        let before_bytes = section_bytes(&d);
        d.remove_key(SectionId(target), key);
        let after_meaning = meaning(&d);
        let after_bytes = section_bytes(&d);
        prop_assert_eq!(after_meaning.len(), before_meaning.len());
        for i in 0..before_meaning.len() {
            if i == target {
                let kept: Vec<_> = before_meaning[i].2.iter().filter(|(k, _)| !key_eq(k, key)).cloned().collect();
                prop_assert_eq!(&after_meaning[i].2, &kept);
            } else {
                prop_assert_eq!(&after_meaning[i], &before_meaning[i]);
                prop_assert_eq!(&after_bytes[i], &before_bytes[i]);
            }
        }
    }

    #[test]
    fn add_section_only_appends(text in config_text()) {
        let mut d = Document::parse(text.as_bytes());
        let before = meaning(&d);
        let id = d.add_section("profile new one", &[("region", "r"), ("note", "a\n b")]);
        let bytes = d.to_bytes();
        // Nothing before the end changes, except a final line ending added.
        let text = text.as_bytes();
        prop_assert!(bytes.starts_with(text));
        prop_assert_eq!(&meaning(&d)[..before.len()], &before[..]);
        prop_assert_eq!(d.sections.len(), before.len() + 1);
        prop_assert_eq!(d.get(id, "note"), Some("a\nb"));
        prop_assert_eq!(d.sections().last().unwrap().kind, SectionKind::Other);
    }

    #[test]
    fn replacing_a_managed_block_keeps_everything_outside_it(
        text in config_text(),
        names in prop::collection::vec("[a-z/ '\"\\\\]{0,6}", 0..4),
    ) {
        let mut d = Document::parse(text.as_bytes());
        // Sections clear of the block (its region may split a section in two).
        d.with_lines();
        let end = d.managed_block("acme").map_or(usize::MAX, |b| d.blocks[b.index].end as usize);
        // What each section outside the block means; a section that starts
        // before it counts only up to `# BEGIN`.
        let outside = |d: &Document| -> Vec<Meaning> {
            let (begin, end) = d.managed_block("acme")
                .map(|b| (d.blocks[b.index].begin, d.blocks[b.index].end))
                .unwrap_or((Pos::MAX, Pos::MAX));
            d.sections.iter()
                .filter(|s| s.line < begin || (s.line > end && end != Pos::MAX))
                .map(|s| {
                    let entries = d.entries[s.entries()].iter()
                        .filter(|e| e.line < begin || s.line > end)
                        .map(|e| (d.span(e.key).to_owned(), d.value(e).to_owned()))
                        .collect();
                    (d.span(s.header).to_owned(), d.kind(s), entries)
                })
                .collect()
        };
        // Lines after `# END` that no header starts read as part of the
        // block's last profile, before and after: not this test's business.
        let orphans = end != usize::MAX
            && (end + 1..d.lines.len())
                .map(|i| d.lines[i].kind)
                .find(|k| !matches!(k, LineKind::Blank | LineKind::Comment))
                .is_some_and(|k| k != LineKind::Header);
        prop_assume!(!orphans);
        // Nor are values whose continuation lines run into the block.
        let begin = d.managed_block("acme").map_or(Pos::MAX, |b| d.blocks[b.index].begin);
        prop_assume!(!d.entries.iter().any(|e| e.line < begin && e.last > begin));
        let before = outside(&d);
        let items = generated(&names.iter().map(String::as_str).collect::<Vec<_>>());
        d.replace_managed_block("acme", &items);
        d.with_lines();

        let block = d.managed_block("acme").unwrap();
        let inside: Vec<(SectionKind, Vec<(String, String)>)> = block.sections()
            .map(|s| (s.kind.clone(), s.entries().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()))
            .collect();
        let wanted: Vec<(SectionKind, Vec<(String, String)>)> = items.iter()
            .map(|(n, e)| (SectionKind::Profile(n.clone()), e.clone()))
            .collect();
        prop_assert_eq!(inside, wanted);
        prop_assert_eq!(outside(&d), before);
    }
}

// ----- agreement with botocore -----

/// What botocore reads from each file: `None` when python3 or botocore is
/// missing, which fails the test under CI.
fn botocore(files: &[PathBuf]) -> Option<Vec<serde_json::Value>> {
    const SCRIPT: &str = r#"
import json, sys
import botocore.configloader as c
out = []
for path in sys.argv[1:]:
    try:
        raw = c.raw_config_parse(path, parse_subsections=False)
        pm = c.build_profile_map(raw)
        out.append({
            "sections": [[k, v] for k, v in raw.items()],
            "profiles": [[k, v] for k, v in pm["profiles"].items()],
            "sso_sessions": list(pm["sso_sessions"]),
            "services": list(pm["services"]),
        })
    except Exception as e:
        out.append({"error": repr(e)})
print(json.dumps(out))
"#;
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match output {
        Ok(out) if out.status.success() => {
            Some(serde_json::from_slice(&out.stdout).expect("botocore output is JSON"))
        }
        other => {
            let why = match other {
                Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                Err(err) => err.to_string(),
            };
            assert!(!ci, "python3 with botocore is needed under CI: {why}");
            eprintln!("SKIPPED: botocore comparison, python3 with botocore not available: {why}");
            None
        }
    }
}

/// Our view in the shape of the script's output.
fn our_view(d: &Document) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let defaults: Vec<String> = d
        .defaults
        .iter()
        .flat_map(|&i| {
            d.sections()
                .nth(i as usize)
                .unwrap()
                .entries()
                .map(|(k, _)| k.to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let values = |s: &Section| -> Value {
        let mut map = Map::new();
        for key in s
            .entries()
            .map(|(k, _)| k.to_lowercase())
            .chain(defaults.iter().cloned())
        {
            let value = s.get(&key).unwrap().to_owned();
            map.insert(key, Value::String(value));
        }
        Value::Object(map)
    };
    let sections: Vec<Value> = d
        .sections()
        .filter(|s| s.header != "DEFAULT")
        .map(|s| json!([s.header, values(&s)]))
        .collect();
    let mut profiles: Vec<String> = Vec::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut services: Vec<String> = Vec::new();
    for s in d.sections() {
        let (list, name) = match &s.kind {
            SectionKind::Default => (&mut profiles, "default"),
            SectionKind::Profile(n) => (&mut profiles, n.as_str()),
            SectionKind::SsoSession(n) => (&mut sessions, n.as_str()),
            SectionKind::Services(n) => (&mut services, n.as_str()),
            SectionKind::Other => continue,
        };
        if !list.iter().any(|x| x == name) {
            list.push(name.to_owned());
        }
    }
    let profiles: Vec<Value> = profiles
        .iter()
        .map(|name| {
            let id = d.profile(name).unwrap();
            json!([name, values(&d.sections().nth(id.0).unwrap())])
        })
        .collect();
    json!({ "sections": sections, "profiles": profiles, "sso_sessions": sessions, "services": services })
}

const TRICKY: &str = concat!(
    "# comment\n",
    "; another\n",
    "[default]\r\n",
    "region = eu-west-1\r\n",
    "Output : json\r\n",
    "\n",
    "[profile default]\n",
    "region = us-east-2\n",
    "[profile \"a b\"]  trailing text\n",
    "s3 =\n",
    "    addressing_style = path\n",
    "\n",
    "    # inside\n",
    "\tsignature_version = s3v4\n",
    "  region = inline # not a comment\n",
    "   deeper\n",
    "[profile x'y]\n",
    "k = v\n",
    "[profile a b]\n",
    "[ profile sp ]\n",
    "[profilex y]\n",
    "sso_session = acme\n",
    "[sso-session acme]\r",
    "sso_start_url = https://acme.awsapps.com/start\r",
    "sso_region = eu-west-1\r",
    "[services \"s 3\"]\n",
    "s3 =\n",
    "  endpoint_url = http://localhost:4566\n",
    "[DEFAULT]\n",
    "from_default = yes\n",
    "[profile ünïcode]\n",
    "key\u{a0}= \u{3000}spaced\u{3000}\n",
    "  [profile not-a-header]\n",
    "[profile last]\n",
    "region = ap-south-1",
);

#[test]
fn agrees_with_botocore_on_a_tricky_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, TRICKY).unwrap();
    let Some(theirs) = botocore(std::slice::from_ref(&path)) else {
        return;
    };
    assert!(
        theirs[0].get("error").is_none(),
        "botocore refused the tricky config: {}",
        theirs[0]
    );
    let ours = our_view(&doc(TRICKY));
    assert_eq!(ours, theirs[0]);
    // And a few values spelled out, so that the test reads on its own.
    assert_eq!(
        ours["profiles"][0],
        serde_json::json!(["default", {"region": "us-east-2", "from_default": "yes"}])
    );
    let names: Vec<&str> = ours["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "a b", "y", "ünïcode", "last"]);
}

#[test]
fn agrees_with_botocore_on_generated_configs() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let strategy =
        ("\\[[a-z ]{1,8}\\]", config_text()).prop_map(|(header, rest)| format!("{header}\n{rest}"));
    let texts: Vec<String> = (0..400)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    let files: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.path().join(format!("config{i}"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let Some(theirs) = botocore(&files) else {
        return;
    };
    let mut compared = 0;
    for (text, theirs) in texts.iter().zip(&theirs) {
        if theirs.get("error").is_some() {
            continue;
        }
        compared += 1;
        assert_eq!(&our_view(&doc(text)), theirs, "config:\n{text:?}");
    }
    eprintln!("compared {compared} generated configs with botocore");
    assert!(
        compared >= 40,
        "only {compared} generated configs were valid for botocore"
    );
}
