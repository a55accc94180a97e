//! The one way badge edits `~/.aws/config`: under a lock, on what the file
//! holds at that moment, after keeping a backup, replacing it atomically.
//!
//! `badge sync` spends seconds on the network and `badge session add` may
//! run beside it, so an edit re-reads the file once it holds the lock and
//! never writes from a copy read earlier: two runs never lose each other's
//! work. The lock is an exclusive `flock` on a file in badge's state folder
//! (`~/.local/state/badge/locks/`), named after a hash of the config file's
//! real path (symlinks resolved), so every way of naming one file takes the
//! same lock; it is never removed, which would race. The ten newest backups
//! of each config file are kept in `~/.local/state/badge/backups/<hash>/`,
//! with a `SOURCE` file naming the config they belong to.

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::config::atomic::write_atomic;
use crate::config::document::Document;
use crate::sso::token_cache::{format_time, sha1_hex};

/// How long to wait for another badge to finish writing.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Backups kept per config file.
const BACKUPS_KEPT: usize = 10;

/// Edits one config file.
#[derive(Clone, Debug)]
pub struct ConfigWriter {
    config: PathBuf,
    state_dir: PathBuf,
    key: String,
}

/// What an edit did.
#[derive(Debug)]
pub struct Edited<T> {
    /// What the edit function returned.
    pub value: T,
    /// Whether the file was written (false when the bytes came out equal).
    pub written: bool,
    /// The backup of the file as it was, if it was written and existed.
    pub backup: Option<PathBuf>,
}

/// badge's state folder, or an error saying why there is none.
pub fn state_dir() -> Result<PathBuf> {
    crate::config::paths::state_dir().context("cannot find badge's state folder: HOME is not set")
}

impl ConfigWriter {
    pub fn new(config: &Path) -> Result<ConfigWriter> {
        Ok(ConfigWriter::with_state_dir(config, state_dir()?))
    }

    pub fn with_state_dir(config: &Path, state_dir: PathBuf) -> ConfigWriter {
        let key = sha1_hex(real_path(config).as_os_str().as_bytes())[..16].to_owned();
        ConfigWriter {
            config: config.to_path_buf(),
            state_dir,
            key,
        }
    }

    /// Locks, reads the file as it is now, lets `edit` change it, and writes
    /// it back if its bytes changed, after a backup. `edit` runs at most once;
    /// an error from it writes nothing.
    pub fn edit<T>(&self, edit: impl FnOnce(&mut Document) -> Result<T>) -> Result<Edited<T>> {
        let _lock = self.lock()?;
        let before = match fs::read(&self.config) {
            Ok(bytes) => Some(bytes),
            Err(err) if err.kind() == ErrorKind::NotFound => None,
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", self.config.display()));
            }
        };
        let mut doc = Document::parse(before.as_deref().unwrap_or_default());
        let value = edit(&mut doc)?;
        let after = doc.to_bytes();
        if before.as_deref() == Some(after.as_slice()) || (before.is_none() && after.is_empty()) {
            return Ok(Edited {
                value,
                written: false,
                backup: None,
            });
        }
        let backup = match &before {
            Some(bytes) => Some(self.backup(bytes)?),
            None => None,
        };
        write_atomic(&self.config, &after)
            .with_context(|| format!("cannot write {}", self.config.display()))?;
        Ok(Edited {
            value,
            written: true,
            backup,
        })
    }

    /// The exclusive lock, waiting up to `LOCK_WAIT` for another badge.
    fn lock(&self) -> Result<File> {
        let dir = self.state_dir.join("locks");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("config-{}.lock", self.key));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(fs::TryLockError::WouldBlock) => bail!(
                    "another badge has been writing {} for {}s (lock {}); try again when it is done",
                    self.config.display(),
                    LOCK_WAIT.as_secs(),
                    path.display()
                ),
                Err(fs::TryLockError::Error(err)) => {
                    return Err(err).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
    }

    /// Saves `bytes` as the newest backup and drops the oldest beyond ten.
    fn backup(&self, bytes: &[u8]) -> Result<PathBuf> {
        let dir = self.state_dir.join("backups").join(&self.key);
        // `2026-11-18T110640.123Z`: fixed width, so names sort by time.
        let now = SystemTime::now();
        let millis = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_millis();
        let stamp = format_time(now)
            .replace(':', "")
            .replace('Z', &format!(".{millis:03}Z"));
        let name = self
            .config
            .file_name()
            .map_or("config".into(), |n| n.to_string_lossy().into_owned());
        let mut path = dir.join(format!("{name}.{stamp}"));
        let mut n = 1;
        while path.exists() {
            path = dir.join(format!("{name}.{stamp}-{n:04}"));
            n += 1;
        }
        write_atomic(&path, bytes)
            .with_context(|| format!("cannot keep a backup in {}", path.display()))?;
        let source = dir.join("SOURCE");
        if !source.exists() {
            let mut text = real_path(&self.config).as_os_str().as_bytes().to_vec();
            text.push(b'\n');
            let _ = write_atomic(&source, &text);
        }
        self.prune_backups(&dir, &name);
        Ok(path)
    }

    fn prune_backups(&self, dir: &Path, name: &str) {
        let prefix = format!("{name}.");
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut backups: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect();
        backups.sort();
        let excess = backups.len().saturating_sub(BACKUPS_KEPT);
        for old in &backups[..excess] {
            let _ = fs::remove_file(old);
        }
    }
}

/// The file's real path: symlinks resolved, or, for a file not there yet,
/// its folder's real path and its name.
fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => fs::canonicalize(dir).map_or(absolute.clone(), |d| d.join(name)),
        _ => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn edits_write_once_with_a_backup_and_keep_ten() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        fs::write(&config, b"# mine\n").unwrap();
        let writer = ConfigWriter::with_state_dir(&config, tmp.path().join("state"));
        let unchanged = writer.edit(|_| Ok(())).unwrap();
        assert!(!unchanged.written && unchanged.backup.is_none());
        for i in 0..12 {
            let edited = writer
                .edit(|doc| {
                    doc.add_section(&format!("profile p{i}"), &[("region", "eu-west-1")]);
                    Ok(i)
                })
                .unwrap();
            assert!(edited.written);
            assert_eq!(edited.value, i);
            let backup = edited.backup.unwrap();
            assert!(fs::read(&backup).unwrap().starts_with(b"# mine\n"));
        }
        let dir = tmp.path().join("state/backups").join(&writer.key);
        let backups = fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("config.")
            })
            .count();
        assert_eq!(backups, BACKUPS_KEPT);
        assert_eq!(
            fs::read_to_string(dir.join("SOURCE")).unwrap().trim_end(),
            fs::canonicalize(&config).unwrap().to_string_lossy()
        );
        let text = fs::read_to_string(&config).unwrap();
        assert!(text.starts_with("# mine\n") && text.contains("[profile p11]"));
    }

    #[test]
    fn a_failed_edit_writes_nothing_and_a_link_shares_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("real");
        fs::write(&config, b"x\n").unwrap();
        symlink("real", tmp.path().join("link")).unwrap();
        let state = tmp.path().join("state");
        let writer = ConfigWriter::with_state_dir(&config, state.clone());
        let via_link = ConfigWriter::with_state_dir(&tmp.path().join("link"), state);
        assert_eq!(writer.key, via_link.key);
        let err = writer
            .edit(|doc| -> Result<()> {
                doc.add_section("profile x", &[]);
                bail!("no")
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(fs::read(&config).unwrap(), b"x\n");
    }

    #[test]
    fn a_held_lock_makes_the_next_edit_wait() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        let writer = ConfigWriter::with_state_dir(&config, tmp.path().join("state"));
        let held = writer.lock().unwrap();
        let other = writer.clone();
        let started = Instant::now();
        let waiter = std::thread::spawn(move || {
            other.edit(|doc| {
                doc.add_section("profile late", &[]);
                Ok(())
            })
        });
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
        let edited = waiter.join().unwrap().unwrap();
        assert!(edited.written && edited.backup.is_none());
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(fs::read_to_string(&config).unwrap(), "[profile late]\n");
    }
}
