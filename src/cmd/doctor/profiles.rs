//! Sessions and profiles as the AWS tools will read them: every
//! sso-session complete and every profile's sso-session there, no profile
//! defined twice, none overridden by the credentials file, and no
//! hand-written profile doing what a generated one does.

use std::collections::{BTreeMap, HashMap};

use super::{Finding, Severity, edit_at, or_ok};
use crate::config::document::{Document, Section};
use crate::config::paths::Paths;
use crate::shell::shell_word;
use crate::ui::say::command;

/// Every sso-session of `sessions` complete, and every profile's
/// sso-session there.
pub(super) fn sessions(paths: &Paths, config: &Document, sessions: &[String]) -> Vec<Finding> {
    let mut found = incomplete_sessions(paths, config, sessions);
    found.extend(missing_sessions(paths, config));
    if sessions.is_empty() {
        return found;
    }
    let ok = Finding::new(
        "sso-session",
        Severity::Ok,
        "every sso-session has sso_start_url and sso_region, and every profile's \
         sso-session is defined",
    )
    .path(&paths.config);
    or_ok(found, ok)
}

/// What an sso-session needs to sign in, with the flag of `badge session
/// add` that sets it.
const NEEDED: [(&str, &str); 2] = [
    ("sso_start_url", "--start-url URL"),
    ("sso_region", "--region REGION"),
];

/// An sso-session without the start URL or the region it signs in with.
fn incomplete_sessions(paths: &Paths, config: &Document, sessions: &[String]) -> Vec<Finding> {
    let cmd = command();
    let file = paths.config_shown();
    let mut found = Vec::new();
    for name in sessions {
        let Some(id) = config.sso_session(name) else {
            continue;
        };
        let has = |key| config.get(id, key).is_some_and(|v| !v.trim().is_empty());
        let missing: Vec<(&str, &str)> = NEEDED.into_iter().filter(|(key, _)| !has(key)).collect();
        if missing.is_empty() {
            continue;
        }
        let keys: Vec<&str> = missing.iter().map(|(key, _)| *key).collect();
        let flags: Vec<&str> = missing.iter().map(|(_, flag)| *flag).collect();
        found.push(
            Finding::new(
                "sso-session",
                Severity::Problem,
                format!(
                    "[sso-session {name}] in {file} has no {}, so no profile of it can sign in",
                    keys.join(" and no ")
                ),
            )
            .fix_word(
                shell_word(name)
                    .map(|name| format!("{cmd} session add {name} {}", flags.join(" "))),
            )
            .path(&paths.config)
            .session(name),
        );
    }
    found
}

/// Profiles whose `sso_session` names a session the config does not have,
/// one finding per such session.
fn missing_sessions(paths: &Paths, config: &Document) -> Vec<Finding> {
    let cmd = command();
    let file = paths.config_shown();
    let mut orphans: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for section in config.sections() {
        let Some(profile) = section.kind.profile_name() else {
            continue;
        };
        if let Some(session) = section.get("sso_session").map(str::trim)
            && !session.is_empty()
            && config.sso_session(session).is_none()
        {
            let names = orphans.entry(session.to_owned()).or_default();
            if !names.iter().any(|n| n == profile) {
                names.push(profile.to_owned());
            }
        }
    }
    let mut found = Vec::new();
    for (session, profiles) in orphans {
        let named = match profiles.as_slice() {
            [one] => format!("profile {one} uses"),
            many => format!("profiles {} use", many.join(", ")),
        };
        let mut finding = Finding::new(
            "missing-sso-session",
            Severity::Problem,
            format!("{named} sso-session {session}, which is not in {file}"),
        )
        .fix_word(
            shell_word(&session)
                .map(|name| format!("{cmd} session add {name} --start-url URL --region REGION")),
        )
        .path(&paths.config)
        .session(&session);
        if let [one] = profiles.as_slice() {
            finding = finding.profile(one);
        }
        found.push(finding);
    }
    found
}

/// The same profile defined by two sections the parser tells apart
/// (`[default]` and `[profile default]`, `[profile a]` and `[profile "a"]`).
pub(super) fn duplicates(paths: &Paths, config: &Document, editor: &str) -> Vec<Finding> {
    let check = "duplicate-profile";
    let mut by_name: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    let sections: Vec<_> = config.sections().collect();
    for section in &sections {
        if let Some(name) = section.kind.profile_name() {
            by_name
                .entry(name)
                .or_default()
                .push((section.header, section.line()));
        }
    }
    if by_name.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (name, places) in &by_name {
        if places.len() < 2 {
            continue;
        }
        let described: Vec<String> = places
            .iter()
            .map(|(header, line)| format!("[{header}] on line {line}"))
            .collect();
        found.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "profile {name} is defined {} times in {} ({}); the AWS tools read only one \
                     of them: merge them into one section",
                    places.len(),
                    paths.config.display(),
                    described.join(", ")
                ),
            )
            .fix_word(edit_at(editor, &paths.config, places[1].1))
            .path(&paths.config)
            .profile(name),
        );
    }
    let ok = Finding::new(check, Severity::Ok, "no profile is defined twice").path(&paths.config);
    or_ok(found, ok)
}

/// A credentials section named like a config profile: its keys override
/// (or add to) the profile's, and SDKs disagree on which credentials win.
pub(super) fn shadowed(
    paths: &Paths,
    config: &Document,
    credentials: &Document,
    editor: &str,
) -> Vec<Finding> {
    let check = "shadowed-profile";
    let mut found = Vec::new();
    for section in credentials.sections() {
        let name = section.header;
        if name == "DEFAULT" {
            continue;
        }
        let Some(id) = config.profile(name) else {
            continue;
        };
        let keys: Vec<String> = section
            .entries()
            .map(|(k, _)| k.trim().to_lowercase())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let overridden: Vec<&str> = keys
            .iter()
            .filter(|k| config.get(id, k).is_some())
            .map(String::as_str)
            .collect();
        let what = if overridden.is_empty() {
            format!("adds {}", keys.join(", "))
        } else {
            format!("overrides {}", overridden.join(", "))
        };
        found.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "profile {name} of {} is also in {}, which {what}; remove the section from \
                     one of the files",
                    paths.config.display(),
                    paths.credentials.display()
                ),
            )
            .fix_word(edit_at(editor, &paths.credentials, section.line()))
            .path(&paths.credentials)
            .profile(name),
        );
    }
    let ok = Finding::new(
        check,
        Severity::Ok,
        "no profile of the config is overridden by the credentials file",
    );
    or_ok(found, ok)
}

/// A profile written by hand for an assignment that a generated one has.
pub(super) fn hand_written_duplicates(config: &Document) -> Vec<Finding> {
    let cmd = command();
    let check = "hand-written-duplicate";
    let mut generated: HashMap<(String, String, String), String> = HashMap::new();
    for section in config.managed_blocks().flat_map(|block| block.sections()) {
        if let Some(name) = section.kind.profile_name()
            && let Some(key) = assignment(&section)
        {
            generated.entry(key).or_insert_with(|| name.to_owned());
        }
    }
    let mut found = Vec::new();
    for section in config.sections() {
        if section.managed_by.is_some() {
            continue;
        }
        let (Some(name), Some(key)) = (section.kind.profile_name(), assignment(&section)) else {
            continue;
        };
        let Some(theirs) = generated.get(&key) else {
            continue;
        };
        let session = &key.0;
        found.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "your profile {name} and the generated profile {theirs} both sign in to \
                     account {} as {} through sso-session {session}; the next sync leaves the \
                     generated one out (or delete yours)",
                    key.1, key.2
                ),
            )
            .fix_word(shell_word(session).map(|name| format!("{cmd} sync --sso-session {name}")))
            .profile(name)
            .session(session),
        );
    }
    found
}

/// (sso-session, account, role) of an SSO profile.
fn assignment(section: &Section<'_>) -> Option<(String, String, String)> {
    let get = |key| section.get(key).map(str::trim).filter(|v| !v.is_empty());
    Some((
        get("sso_session")?.to_owned(),
        get("sso_account_id")?.to_owned(),
        get("sso_role_name")?.to_owned(),
    ))
}
