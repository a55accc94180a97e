//! The floors of `src/` (see ARCHITECTURE.md), checked from the code's own
//! paths: every `crate::…` and `super::…` path in every source file names
//! a module, and a module may only name the floors below its own. Leaves
//! (`base`, `shell`, `ui`) name no floor but `base`; no subcommand of
//! `cmd` names a sibling subcommand; nothing names the fuzz harness.
//!
//! A new module must be given a floor here, which is the point: its place
//! in the house is a decision, not an accident.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules by floor: a module may name modules of lower floors.
const FLOORS: &[(&str, u8)] = &[
    ("cmd", 5),
    ("cli", 4),
    ("sync", 3),
    ("sso", 2),
    ("config", 1),
    ("shell", 0),
    ("ui", 0),
    ("base", 0),
];

/// What a leaf may name besides itself.
const LEAF_IMPORTS: &[(&str, &[&str])] = &[("base", &[]), ("shell", &["base"]), ("ui", &["base"])];

/// Floors that may name fewer of the floors below them than their number
/// allows (ARCHITECTURE.md's table): the command line knows the config
/// and the leaves, not sign-in or sync.
const NARROWER: &[(&str, &[&str])] = &[("cli", &["config", "shell", "ui", "base"])];

/// The code of a file without its unit tests (`#[cfg(test)] mod …`), which
/// may reach anywhere they need for fixtures. A `#[cfg(test)]` on an import
/// or a function keeps what follows it.
fn without_test_modules(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]") {
        let at = from + at;
        let after = text[at + "#[cfg(test)]".len()..].trim_start();
        if after.starts_with("mod ") {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// Files of `cmd` that are not subcommands: the dispatcher, the context
/// and what several subcommands share.
const CMD_SHARED: &[&str] = &["mod", "context", "settings", "common", "entry"];

fn floor(module: &str) -> Option<u8> {
    FLOORS.iter().find(|(m, _)| *m == module).map(|(_, f)| *f)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `src/sso/login/mod.rs` is
/// `["sso", "login"]`, `src/cmd/ls.rs` is `["cmd", "ls"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_owned());
    }
    parts
}

/// Every module path a file names through `crate::` or `super::`, as the
/// path from the crate root (its first two segments at most).
fn named_paths(text: &str, here: &[String]) -> Vec<Vec<String>> {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let word = |at: usize| -> (String, usize) {
        let end = at + bytes[at..].iter().take_while(|&&b| is_ident(b)).count();
        (text[at..end].to_owned(), end)
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        let rest = &bytes[i..];
        let (mut path, mut at) = if starts_word && rest.starts_with(b"crate::") {
            (Vec::new(), i + 7)
        } else if starts_word && rest.starts_with(b"super::") {
            // `super` of the file's module, as many times as written.
            let mut path = here.to_vec();
            let mut at = i;
            while bytes[at..].starts_with(b"super::") {
                path.pop();
                at += 7;
            }
            (path, at)
        } else {
            i += 1;
            continue;
        };
        let (next, end) = word(at);
        path.push(next);
        at = end;
        if bytes[at..].starts_with(b"::") && path.len() < 2 {
            let (next, end) = word(at + 2);
            path.push(next);
            at = end;
        }
        path.truncate(2);
        found.push(path);
        i = at.max(i + 1);
    }
    found
}

#[test]
fn every_module_names_only_the_floors_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // The subcommands: every module of `cmd` but the shared ones.
    let subcommands: BTreeSet<String> = files
        .iter()
        .map(|f| module_path(&src, f))
        .filter(|m| m.len() >= 2 && m[0] == "cmd" && !CMD_SHARED.contains(&m[1].as_str()))
        .map(|m| m[1].clone())
        .collect();
    let mut problems = BTreeSet::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let here = module_path(&src, file);
        let Some(top) = here.first().cloned() else {
            continue; // lib.rs and main.rs name every floor.
        };
        if top == "fuzz_targets" {
            continue; // The harness may read anything; nothing reads it.
        }
        if top == "bin" {
            continue; // badge-quick's main, a crate of its own like main.rs.
        }
        let Some(own) = floor(&top) else {
            problems.insert(format!("src/{top} has no floor in tests/layers.rs"));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        let code = without_test_modules(&text);
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        for path in named_paths(code, &here) {
            let target = &path[0];
            if target == "fuzz_targets" {
                problems.insert(format!("src/{shown} names the fuzz harness"));
                continue;
            }
            if target == &top {
                // Inside cmd: a subcommand never names a sibling one.
                if top == "cmd"
                    && here.len() > 1
                    && !CMD_SHARED.contains(&here[1].as_str())
                    && let Some(other) = path.get(1)
                    && other != &here[1]
                    && subcommands.contains(other)
                {
                    problems.insert(format!(
                        "src/{shown} names the subcommand cmd::{other}; share it through cmd::common"
                    ));
                }
                continue;
            }
            let Some(theirs) = floor(target) else {
                continue; // std paths such as `super::*` in tests, or macros.
            };
            edges.entry(top.clone()).or_default().insert(target.clone());
            if own == 0 {
                let allowed = LEAF_IMPORTS
                    .iter()
                    .find(|(leaf, _)| *leaf == top)
                    .map_or(&[][..], |(_, a)| *a);
                if !allowed.contains(&target.as_str()) {
                    problems.insert(format!("src/{shown}: the leaf {top} names {target}"));
                }
            } else if theirs >= own {
                problems.insert(format!(
                    "src/{shown}: {top} (floor {own}) names {target} (floor {theirs})"
                ));
            } else if let Some((_, allowed)) = NARROWER.iter().find(|(m, _)| *m == top)
                && !allowed.contains(&target.as_str())
            {
                problems.insert(format!("src/{shown}: {top} names {target}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the floors are crossed:\n  {}\nimports between top-level modules: {edges:#?}",
        problems.into_iter().collect::<Vec<_>>().join("\n  ")
    );
}

#[test]
fn only_test_modules_are_skipped() {
    let text = "#[cfg(test)]\nuse std::x;\nuse crate::sso::y;\n#[cfg(test)]\nmod tests;\n";
    assert_eq!(
        without_test_modules(text),
        "#[cfg(test)]\nuse std::x;\nuse crate::sso::y;\n"
    );
    assert_eq!(without_test_modules("fn a() {}\n"), "fn a() {}\n");
}

#[test]
fn the_checker_sees_paths_both_ways() {
    let here = vec!["cmd".to_owned(), "ls".to_owned()];
    let found = named_paths(
        "use crate::config::profiles;\nuse super::switch::x;\nfn a() { super::super::sso::y(); }",
        &here,
    );
    let want: Vec<Vec<String>> = [["config", "profiles"], ["cmd", "switch"], ["sso", "y"]]
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(found, want);
}
