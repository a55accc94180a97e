//! Target `config_pieces`: reading a big file piece by piece.

use std::collections::BTreeMap;
use std::fs;

use super::*;
use crate::config::document::Document;
use crate::config::paths::Paths;
use crate::config::pieces as config_pieces;
use crate::config::profiles::Profiles;

/// Target `config_pieces`: reading a file piece by piece gives the same
/// sections, with the same entries, as reading it whole, and the profiles a
/// switch loads from a big file are those of the whole file.
pub fn config_pieces(data: &[u8]) {
    let (config, choices) = split_input(data);
    let mut c = Choices::new(&choices);
    let whole = Document::parse(config);
    let piece = 1 + c.below(96);
    let mut joined = Vec::new();
    let mut sections = Vec::new();
    let mut count = 0;
    config_pieces::read(
        config,
        piece,
        |_| true,
        |p: &Document| {
            let bytes = p.to_bytes();
            if count > 0 {
                assert!(
                    bytes.first() == Some(&b'['),
                    "a piece starts with {}",
                    show(&bytes[..bytes.len().min(40)])
                );
            }
            count += 1;
            joined.extend_from_slice(&bytes);
            sections.extend(p.sections().map(|s| {
                let entries: Vec<(String, String)> = s
                    .entries()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                (s.header.to_owned(), s.kind.clone(), entries)
            }));
        },
    )
    .expect("reading from memory");
    assert!(joined == config, "the pieces do not add up to the file");
    let expected: Vec<_> = whole
        .sections()
        .map(|s| {
            let entries: Vec<(String, String)> = s
                .entries()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (s.header.to_owned(), s.kind.clone(), entries)
        })
        .collect();
    assert_eq!(sections, expected, "piece size {piece}");

    // A file big enough for the piece-by-piece path: padding profiles, then
    // the input, so that pieces end inside it. Slow (a 32 KiB file, read
    // three ways), so one run in four.
    if c.below(4) != 0 {
        return;
    }
    let pad = config_pieces::PIECE - c.below(1024);
    let mut file = Vec::with_capacity(pad + config.len() + 64);
    let mut n = 0;
    while file.len() < pad {
        file.extend_from_slice(format!("[profile pad{n}]\nregion = eu-west-1\n").as_bytes());
        n += 1;
    }
    file.extend_from_slice(config);
    let dir = thread_scratch("pieces");
    let paths = Paths {
        config: dir.join("config"),
        credentials: dir.join("credentials"),
    };
    fs::write(&paths.config, &file).expect("write config");
    fs::write(&paths.credentials, c.pick(CREDENTIALS)).expect("write credentials");
    let needle = c
        .pick(&["", "a", "pad1", "dev", "prod", "/", " ", "\u{e9}"])
        .to_owned();
    let ignore_case = c.flag();
    let keep = |name: &str| {
        if ignore_case {
            name.to_ascii_lowercase().contains(needle.as_str())
        } else {
            name.contains(needle.as_str())
        }
    };
    let all = Profiles::load(&paths).expect("load");
    let some = Profiles::load_matching(&paths, &needle, ignore_case, keep).expect("load_matching");
    let wanted: Vec<_> = all
        .iter_where(keep)
        .map(|mut p| {
            p.generated_by = None;
            p
        })
        .collect();
    let got: Vec<_> = some
        .iter_where(keep)
        .map(|mut p| {
            p.generated_by = None;
            p
        })
        .collect();
    assert_eq!(got, wanted, "profiles matching {needle:?}");
    // What a Tab in bash reads: the names alone, as the whole file lists them.
    let names = Profiles::names_matching(&paths, &needle, ignore_case, keep).expect("names");
    let wanted: Vec<&str> = all.names().filter(|n| keep(n)).collect();
    assert_eq!(names, wanted, "names matching {needle:?}");
    let sessions = |p: &Profiles| -> BTreeMap<String, String> {
        crate::config::sessions::sessions(p.config())
            .into_iter()
            .map(|(name, s)| (name, format!("{:?}", s.map_err(|e| e.to_string()))))
            .collect()
    };
    assert_eq!(sessions(&some), sessions(&all), "sso-sessions");
}
