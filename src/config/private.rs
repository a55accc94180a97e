//! badge's own folders and files, private to the user whatever the umask:
//! folders 0700, files 0600, and none that another user owns or reaches
//! through a symlink of theirs. Another user who could replace the backups
//! folder could read every backup; one who could open the lock file could
//! hold the config lock forever (`flock` works on a read-only handle).
//!
//! Used for the state folder (locks, backups, sync records, client
//! registrations, cached role credentials) and the token cache folder
//! badge writes logins into.

use std::fmt;
use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, ErrorKind, Read};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::shell::shell_word;
use crate::ui::verbose::verbose;

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

/// Takes the exclusive lock on `file` (from [`open_lock`] at `path`),
/// waiting at most `wait` for another process that holds it: how long it
/// waited (zero when the lock was free), or `None` when the wait ran out.
pub fn lock_within(file: &File, path: &Path, wait: Duration) -> io::Result<Option<Duration>> {
    let started = Instant::now();
    let deadline = started + wait;
    let mut waited = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(Some(if waited {
                    started.elapsed()
                } else {
                    Duration::ZERO
                }));
            }
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                if !waited {
                    waited = true;
                    verbose!(
                        "another badge holds {}; waiting up to {} s",
                        path.display(),
                        wait.as_secs()
                    );
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(fs::TryLockError::WouldBlock) => return Ok(None),
            Err(fs::TryLockError::Error(err)) => return Err(err),
        }
    }
}

/// A lock held by [`hold_waiting`]: its file is removed when it is
/// dropped, so a command leaves no file behind. (Another process that
/// opened the file before then takes the lock on the removed file, after
/// the work is done and its result stored, which is all it waits for.)
pub struct Held {
    path: PathBuf,
    _file: File,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Waits (at most `wait`) until no other process holds the lock file at
/// `path` in a folder of the user's own, then holds it until dropped: one
/// process does a piece of work (renew a login, fetch role credentials)
/// while the others that wanted it wait, then read its result. `None` when
/// the lock cannot be had (the file cannot be made, or the wait ran out):
/// the caller then does the work itself, as with no lock.
pub fn hold_waiting(path: &Path, wait: Duration) -> Option<Held> {
    let file = open_lock(path).ok()?;
    lock_within(&file, path, wait).ok()??;
    Some(Held {
        path: path.to_owned(),
        _file: file,
    })
}

/// Why [`read_private`] did not read a file.
#[derive(Debug)]
pub enum NotPrivate {
    /// Other users may read or change it: its mode bits.
    Shared(u32),
    /// It belongs to another user: their uid.
    Foreign(u32),
    /// A symlink, a folder, a pipe or a device, or replaced while opened.
    NotAFile,
    /// Larger than the limit.
    TooLarge,
    Io(io::Error),
}

impl fmt::Display for NotPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotPrivate::Shared(mode) => write!(
                f,
                "other users could read or change it (mode {:o})",
                mode & 0o777
            ),
            NotPrivate::Foreign(uid) => write!(f, "it belongs to another user (uid {uid})"),
            NotPrivate::NotAFile => f.write_str("it is not a plain file"),
            NotPrivate::TooLarge => f.write_str("it is larger than badge ever writes one"),
            NotPrivate::Io(err) => write!(f, "it cannot be read ({err})"),
        }
    }
}

/// The bytes of a file badge wrote for itself, only when it still is what
/// badge wrote: a plain file (no symlink, and the one that was checked is
/// the one read), the user's own, 0600 or tighter, and at most `limit`
/// bytes. `Ok(None)` when there is no file.
pub fn read_private(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, NotPrivate> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(NotPrivate::Io(err)),
    };
    own_plain_file(&meta, limit)?;
    let file = File::open(path).map_err(NotPrivate::Io)?;
    let opened = file.metadata().map_err(NotPrivate::Io)?;
    if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
        return Err(NotPrivate::NotAFile);
    }
    own_plain_file(&opened, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(NotPrivate::Io)?;
    if bytes.len() as u64 > limit {
        return Err(NotPrivate::TooLarge);
    }
    Ok(Some(bytes))
}

/// Removes `path` when it is not a plain file of the user's own, so that
/// what is written there next is (an atomic write would keep the owner of
/// the file it replaces). Nothing there, or the user's own: left alone.
pub fn remove_unless_own(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_file() && meta.uid() == me() {
        return Ok(());
    }
    fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))
}

fn own_plain_file(meta: &Metadata, limit: u64) -> Result<(), NotPrivate> {
    if !meta.file_type().is_file() {
        return Err(NotPrivate::NotAFile);
    }
    if meta.uid() != me() {
        return Err(NotPrivate::Foreign(meta.uid()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(NotPrivate::Shared(meta.mode()));
    }
    if meta.len() > limit {
        return Err(NotPrivate::TooLarge);
    }
    Ok(())
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

    #[test]
    fn private_files_are_read_only_when_they_are_still_private() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        assert!(read_private(&file, 8).unwrap().is_none());
        fs::write(&file, "12345").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&file, 8).unwrap().unwrap(), b"12345");
        assert!(matches!(read_private(&file, 4), Err(NotPrivate::TooLarge)));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        let err = read_private(&file, 8).unwrap_err();
        assert_eq!(
            err.to_string(),
            "other users could read or change it (mode 640)"
        );
        let link = tmp.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(read_private(&link, 8), Err(NotPrivate::NotAFile)));
        assert!(matches!(
            read_private(tmp.path(), 8),
            Err(NotPrivate::NotAFile)
        ));
    }
}
