//! badge's own folders and files, private to the user whatever the umask:
//! folders 0700, files 0600, and none that another user owns or reaches
//! through a symlink of theirs. Another user who could replace the backups
//! folder could read every backup; one who could open the lock file could
//! hold the config lock forever (`flock` works on a read-only handle).
//!
//! Used for the state folder (locks, backups, sync records, client
//! registrations) and the token cache folder badge writes logins into.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::shell::shell_word;

/// The user badge runs as.
fn me() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Makes `dir` and whatever it lacks above it, 0700 (the umask only takes
/// bits away), then checks the whole path with [`check`].
pub fn dir(dir: &Path) -> Result<()> {
    check(dir)?;
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    check(dir)
}

/// Refuses `path` when it, or a folder or symlink on the way to it, belongs
/// to another user (root's are fine: root can do anything anyway). Parts
/// not there yet are fine.
pub fn check(path: &Path) -> Result<()> {
    let me = me();
    let mut at = PathBuf::new();
    for part in path.components() {
        at.push(part);
        if matches!(part, Component::RootDir | Component::CurDir) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&at) else {
            return Ok(());
        };
        let owner = meta.uid();
        if owner == me || owner == 0 {
            continue;
        }
        if meta.file_type().is_symlink() {
            bail!(
                "{} is a symlink of another user (uid {owner}), so badge will not keep its files \
                 there; remove it{} (badge makes a folder of its own)",
                at.display(),
                match shell_word(&at.to_string_lossy()) {
                    Ok(path) => format!(" with `rm {path}`"),
                    Err(_) => String::new(),
                }
            );
        }
        bail!(
            "{} belongs to another user (uid {owner}), so badge will not keep its files there; \
             remove it (badge makes a new one) or give it back{}",
            at.display(),
            match shell_word(&at.to_string_lossy()) {
                Ok(path) => format!(" with `chown -R $(id -u) {path}`"),
                Err(_) => " to yourself with chown".to_owned(),
            }
        );
    }
    Ok(())
}

/// Opens (making it, 0600, if need be) the lock file at `path` in a folder
/// of [`dir`]'s: only its owner can open it, so only they can hold it.
pub fn open_lock(path: &Path) -> Result<File> {
    check(path)?;
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn folders_are_made_private_and_others_left_as_they_are() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        dir(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            let mode = fs::metadata(tmp.path().join(d))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{d}");
        }
        // An existing folder keeps its mode: it may be shared on purpose.
        fs::set_permissions(tmp.path().join("a"), fs::Permissions::from_mode(0o755)).unwrap();
        dir(&deep).unwrap();
        let mode = fs::metadata(tmp.path().join("a"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        let lock = open_lock(&deep.join("x.lock")).unwrap();
        assert_eq!(lock.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    }
}
