use proptest::prelude::*;

use super::*;
use crate::config::document::tests::config_text;

/// A section as the document reads it: header, kind and own entries.
type SectionView = (String, String, Vec<(String, String)>);

fn view(doc: &Document) -> Vec<SectionView> {
    doc.sections()
        .map(|s| {
            let entries = s.entries().map(|(k, v)| (k.to_owned(), v.to_owned()));
            (
                s.header.to_owned(),
                format!("{:?}", s.kind),
                entries.collect(),
            )
        })
        .collect()
}

fn pieces_of(text: &[u8], piece: usize) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    read(text, piece, |_| true, |doc| pieces.push(doc.to_bytes())).unwrap();
    pieces
}

/// Pieces cover the input, and each after the first starts with a header at
/// the start of a line.
fn check_pieces(text: &[u8], piece: usize) -> Vec<Vec<u8>> {
    let pieces = pieces_of(text, piece);
    assert_eq!(pieces.concat(), text, "piece size {piece}");
    for p in pieces.iter().skip(1) {
        let line = p.split(|&b| b == b'\n' || b == b'\r').next().unwrap();
        assert!(
            Document::is_header_line(std::str::from_utf8(line).unwrap()),
            "piece size {piece}: a piece starts with {:?}",
            String::from_utf8_lossy(line)
        );
    }
    pieces
}

#[test]
fn pieces_end_before_headers_at_a_line_start() {
    let text =
        b"[default]\nregion = a\n[profile x]\n  [profile y]\nk = v\n  [profile z]\n[profile w]\n";
    let mut cuts = 0;
    for piece in 1..=text.len() + 1 {
        let pieces = check_pieces(text, piece);
        cuts += pieces.len() - 1;
        // Indented headers may continue a value: never cut before them.
        assert!(pieces.iter().all(|p| !p.starts_with(b"  ")));
    }
    assert!(cuts > 0);
}

#[test]
fn a_section_longer_than_a_piece_stays_whole() {
    let mut text = b"[profile big]\n".to_vec();
    for i in 0..100 {
        text.extend_from_slice(format!("key{i} = value\n").as_bytes());
    }
    let big = text.len();
    text.extend_from_slice(b"[profile next]\r\nregion = x\r\n[profile last]\rk = v");
    let pieces = check_pieces(&text, 16);
    assert!(pieces[0].len() >= big);
}

#[test]
fn an_unfinished_header_line_is_no_boundary() {
    // The buffer ends inside `[profile b]`'s line: the cut is before `[profile a]`.
    let text = b"[profile a]\nk = v\n[profile b] and more text after it\n";
    for piece in 1..text.len() {
        check_pieces(text, piece);
    }
}

#[test]
fn missing_file_has_no_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for_each(&dir.path().join("none"), PIECE, |_| true, |_| seen += 1).unwrap();
    assert_eq!(seen, 0);
}

proptest! {
    /// The pieces are the file, and their sections are the file's sections,
    /// each with the same entries, as long as no `[DEFAULT]` lends keys.
    #[test]
    fn pieces_read_like_the_whole_file(text in config_text(), piece in 1usize..200) {
        let whole = Document::parse(text.as_bytes());
        check_pieces(text.as_bytes(), piece);
        let mut views = Vec::new();
        let mut extracted = String::new();
        read(text.as_bytes(), piece, |_| true, |doc| {
            views.extend(view(doc));
            doc.extract_sections(|_| true, &mut extracted);
        })
        .unwrap();
        let has_defaults = whole.sections().any(|s| s.header == "DEFAULT");
        if !has_defaults {
            prop_assert_eq!(&views, &view(&whole));
        }
        // What the pieces keep of every profile reads like the whole file,
        // `[DEFAULT]` included.
        let kept = Document::parse(extracted.as_bytes());
        let profiles = |doc: &Document| -> Vec<(String, Vec<Option<String>>)> {
            doc.sections()
                .filter_map(|s| {
                    let name = s.kind.profile_name()?.to_owned();
                    let keys = ["region", "Region", "sso_session", "s3", "output", "key with space", "ключ", ""];
                    Some((name, keys.iter().map(|k| s.get(k).map(str::to_owned)).collect()))
                })
                .collect()
        };
        prop_assert_eq!(profiles(&kept), profiles(&whole));
    }
}

proptest! {
    /// A piece that `may_hold` passes over holds nothing the view keeps.
    #[test]
    fn skipped_pieces_hold_nothing_kept(
        text in config_text(),
        ascii in any::<bool>(),
        quoted in prop::collection::vec(
            prop::sample::select(&["[profile a\"b\"c]", "[profile 'q r']", "[profile e\\f]", "[profile abc]", "[profile \u{212a}ey]", "[profile ab-12]", "[profile AB-12x]"][..]),
            0..3,
        ),
        piece in 1usize..200,
        needle in prop::sample::select(
            &["", "a", "b", "c d", "x", "sp", "y", "ü", "default", "c", "A", "D", "abc", "bc", "q r", "ef", "key", "a = 1", "b-1", "-1", "r\n", "= r", "1 2"][..],
        ),
        ignore_ascii_case in any::<bool>(),
    ) {
        // Pieces with bytes beyond ASCII are always read: test without them too.
        let mut text: String = if ascii { text.chars().filter(char::is_ascii).collect() } else { text };
        for header in quoted {
            text.push('\n');
            text.push_str(header);
            text.push_str("\nregion = r\n");
        }
        let needle = if ignore_ascii_case { needle.to_ascii_lowercase() } else { needle.to_owned() };
        // As `badge use` matches: Unicode case rules for names beyond ASCII.
        let keep = |name: &str| {
            if ignore_ascii_case {
                name.to_lowercase().contains(&needle)
            } else {
                name.contains(&needle)
            }
        };
        let mut prefilter = Prefilter::new(&needle, ignore_ascii_case);
        let mut all = String::new();
        let mut filtered = String::new();
        read(text.as_bytes(), piece, |_| true, |doc| {
            let mut kept = String::new();
            doc.extract_sections(keep, &mut kept);
            let bytes = doc.to_bytes();
            if !kept.is_empty() {
                assert!(
                    prefilter.may_hold(&bytes),
                    "skipped a piece that holds {kept:?}"
                );
            }
            all.push_str(&kept);
        })
        .unwrap();
        read(
            text.as_bytes(),
            piece,
            |bytes| prefilter.may_hold(bytes),
            |doc| doc.extract_sections(keep, &mut filtered),
        )
        .unwrap();
        prop_assert_eq!(all, filtered);
    }
}

/// Bytes beyond ASCII cannot make a name equal to, or contain, an ASCII
/// needle compared case by case (a name's text is its bytes, with
/// U+FFFD for those that are not UTF-8): a switch skips such pieces. With
/// case ignored, Unicode rules apply (`K`, the Kelvin sign, is `k`): read.
#[test]
fn bytes_beyond_ascii_matter_only_when_case_is_ignored() {
    let piece = "[profile caf\u{e9}]\nregion = r\n[profile \u{212a}ey]\n".as_bytes();
    assert!(!Prefilter::new("key", false).may_hold(piece));
    assert!(Prefilter::new("key", true).may_hold(piece));
    let mut invalid = piece.to_vec();
    invalid.extend_from_slice(b"[profile \xff]\n");
    // U+FFFD stands for bytes that are not UTF-8: a needle with it is
    // looked for in the text, not in the bytes.
    assert!(Prefilter::new("\u{fffd}x", false).may_hold(b"[profile \xffx]\n"));
    assert!(!Prefilter::new("key", false).may_hold(&invalid));
    // A needle beyond ASCII is looked for as it is, and found.
    assert!(Prefilter::new("caf\u{e9}", false).may_hold(piece));
}

/// The sections every view keeps are found wherever they are.
#[test]
fn sessions_and_defaults_are_found_anywhere() {
    for text in [
        "[profile a]\n[sso-session s]\n",
        "[sso-session]\n",
        "[profile a]\n[DEFAULT]\nk = v\n",
        "[DEFAULT]",
        "x\r[sso-session s]",
    ] {
        assert!(
            Prefilter::new("zz", false).may_hold(text.as_bytes()),
            "{text:?}"
        );
        assert!(
            Prefilter::new("zz", true).may_hold(text.as_bytes()),
            "{text:?}"
        );
    }
    for text in [
        "[profile a]\nk = [s\n",
        "[profile T]\n",
        "[profile DEFAULT]\n",
        "[s",
        "T]",
    ] {
        assert!(
            !Prefilter::new("zz", false).may_hold(text.as_bytes()),
            "{text:?}"
        );
    }
}
