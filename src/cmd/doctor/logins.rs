//! Logins and the token cache: each sso-session signed in (with a token
//! for its start URL), and the cache private to the user.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::SystemTime;

use super::{Finding, Severity, or_ok, path_word};
use crate::base::time::human_time;
use crate::base::url::same_url;
use crate::config::document::Document;
use crate::shell::shell_word;
use crate::sso::token_cache::{LoginState, TokenCache};
use crate::ui::say::command;

/// The login of each of `sessions` that is complete enough to sign in.
pub(super) fn logins(config: &Document, sessions: &[String], cache: &TokenCache) -> Vec<Finding> {
    let cmd = command();
    let check = "login";
    let now = SystemTime::now();
    let complete = sessions
        .iter()
        .filter_map(|name| crate::config::sessions::session(config, name).ok());
    let mut found = Vec::new();
    for session in complete {
        let name = session.name.as_str();
        let path = cache.path_for(name);
        let mut state = cache.state(name, now);
        if state.is_usable()
            && let Ok(Some(token)) = cache.load(name)
            && token
                .start_url
                .as_deref()
                .is_some_and(|cached| !same_url(&session.start_url, cached))
        {
            state = LoginState::Missing;
        }
        let login = shell_word(name).map(|name| format!("{cmd} login --sso-session {name}"));
        let finding = match state {
            LoginState::Valid(at) => Finding::new(
                check,
                Severity::Ok,
                format!(
                    "signed in to sso-session {name}, valid until {}",
                    human_time(at)
                ),
            ),
            LoginState::Refreshable => Finding::new(
                check,
                Severity::Ok,
                format!("signed in to sso-session {name} (renewed on next use)"),
            ),
            LoginState::Expired => Finding::new(
                check,
                Severity::Warning,
                format!("the login of sso-session {name} has expired"),
            )
            .fix_word(login),
            LoginState::Missing => Finding::new(
                check,
                Severity::Warning,
                format!("not signed in to sso-session {name}"),
            )
            .fix_word(login),
            LoginState::Unreadable => Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache file of sso-session {name} ({}) cannot be read as a token",
                    path.display()
                ),
            )
            .fix_word(login),
        };
        found.push(finding.path(&path).session(name));
    }
    found
}

/// The cache holds sign-in tokens: 0700 folder, 0600 files, as the AWS CLI
/// makes them.
pub(super) fn cache_permissions(cache: &TokenCache) -> Vec<Finding> {
    let check = "token-cache-permissions";
    let probe = cache.path_for("");
    let Some(dir) = probe.parent() else {
        return Vec::new();
    };
    let mode = |meta: &fs::Metadata| meta.permissions().mode() & 0o7777;
    let Ok(meta) = fs::metadata(dir) else {
        // No cache yet: nothing to protect.
        return Vec::new();
    };
    let mut found = Vec::new();
    if mode(&meta) & 0o077 != 0 {
        found.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache folder {} can be opened by other users (mode {:04o}); \
                     it holds sign-in tokens",
                    dir.display(),
                    mode(&meta)
                ),
            )
            .fix_word(path_word(dir).map(|dir| format!("chmod 700 {dir}")))
            .path(dir),
        );
    }
    let mut files: Vec<(PathBuf, u32)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let meta = entry.metadata().ok()?;
            (meta.is_file() && mode(&meta) & 0o077 != 0).then(|| (entry.path(), mode(&meta)))
        })
        .collect();
    files.sort();
    for (file, file_mode) in files {
        found.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache file {} can be read by other users (mode {file_mode:04o})",
                    file.display()
                ),
            )
            .fix_word(path_word(&file).map(|file| format!("chmod 600 {file}")))
            .path(&file),
        );
    }
    let ok = Finding::new(
        check,
        Severity::Ok,
        format!("the token cache {} is private to you", dir.display()),
    )
    .path(dir);
    or_ok(found, ok)
}
