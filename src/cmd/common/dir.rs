//! Per-directory profiles, for `badge allow`, `badge deny`, the hook's
//! `badge __dir`, `current` and `doctor`: what a `.aws-profile` says, and
//! the messages that refuse it. Its text is hostile: names are shown
//! through `printable` and suggested only through `shell_word`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::base::text::printable;
use crate::config::dir_profile::{self, Trust, TrustStore};
use crate::config::paths::Paths;
use crate::config::profiles::Profiles;
use crate::shell::{Unpasteable, hint, shell_word};
use crate::ui::say::command;

/// A `.aws-profile` as read.
pub struct Found {
    /// Its real path, the key of its trust.
    pub real: PathBuf,
    /// The folder it is in (real).
    pub folder: PathBuf,
    pub name: std::result::Result<String, &'static str>,
    pub hash: String,
}

/// Reads the `.aws-profile` at `file`. Its real path is that of its
/// folder with the file's own name: a `.aws-profile` that is a link to a
/// trusted file elsewhere is a file of its own, not trusted, or a
/// repository could link to the file of a production tree.
pub fn look(file: &Path) -> Result<Found> {
    let parent = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let folder =
        std::fs::canonicalize(parent).with_context(|| format!("cannot read {}", file.display()))?;
    let real = folder.join(dir_profile::FILE_NAME);
    let read =
        dir_profile::read(&real).with_context(|| format!("cannot read {}", real.display()))?;
    Ok(Found {
        real,
        folder,
        name: read.name,
        hash: read.hash,
    })
}

/// The command that trusts the file in `folder`, as `cmd` (the name the
/// shell function goes by) runs it, unless no pasted command can name
/// that folder.
pub fn allow_command(cmd: &str, folder: &Path) -> Result<String, Unpasteable> {
    shell_word(&folder.to_string_lossy()).map(|folder| format!("{cmd} allow {folder}"))
}

/// Why `found` switches nothing before any trust: its first line names no
/// profile, or one that no file defines.
pub fn refusal(found: &Found, paths: &Paths, profiles: &Profiles) -> Option<String> {
    let cmd = command();
    let file = printable(&found.real.to_string_lossy()).into_owned();
    match &found.name {
        Err(why) => Some(format!(
            "{file} does not name a profile on its first line: {why}; write one profile name on it"
        )),
        Ok(name) if profiles.get(name).is_none() => Some(format!(
            "{file} names the profile {}, which is not defined in {} or {}; fix the file, or \
             add the profile (`{cmd} sync`)",
            printable(name),
            paths.config_shown(),
            paths.credentials_shown()
        )),
        Ok(_) => None,
    }
}

/// Why a file naming `name` does not switch until trusted; `None` when it
/// is trusted. `cmd` is the name the shell function goes by.
pub fn untrusted(cmd: &str, found: &Found, name: &str, store: &TrustStore) -> Option<String> {
    let file = printable(&found.real.to_string_lossy()).into_owned();
    let name = printable(name);
    let allow = printable(&hint("trust it with", allow_command(cmd, &found.folder))).into_owned();
    match store.trust(&found.real, &found.hash) {
        Trust::Trusted => None,
        Trust::Unknown => Some(format!(
            "{file} is not trusted, so this shell does not switch to {name}; {allow}"
        )),
        Trust::Changed => Some(format!(
            "{file} changed since it was trusted, so this shell does not switch to {name}; \
             check it, then {allow}"
        )),
    }
}
