//! The one way badge edits `~/.aws/config`: under a lock, on what the file
//! holds at that moment, after keeping a backup, replacing it atomically.
//!
//! `badge sync` spends seconds on the network and `badge session add` may
//! run beside it, so an edit re-reads the file once it holds the lock and
//! never writes from a copy read earlier: two runs never lose each other's
//! work. The lock is an exclusive `flock` on a file in badge's state folder
//! (`~/.local/state/badge/locks/`), named after a hash of the config file's
//! real path (symlinks resolved), so every way of naming one file takes the
//! same lock; it is never removed, which would race. A run waits up to ten
//! seconds for it (`BADGE_LOCK_TIMEOUT_SECS`), then gives up having changed
//! nothing. The lock dies with its process, so a killed badge never leaves
//! it held; what a killed badge may leave is a temporary file beside the
//! config or a backup, which the next edit removes under the lock. The ten
//! newest backups of each config file are kept in
//! `~/.local/state/badge/backups/<hash>/`, with a `SOURCE` file naming the
//! config they belong to.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use super::atomic::{remove_stale_temps, remove_stale_temps_in, write_atomic};
use super::document::Document;
use super::paths::real_path;
use super::private;
use crate::base::hash::sha1_hex;
use crate::base::time::{format_time, took};
use crate::ui::verbose::verbose;

/// How long to wait for another badge to finish writing, unless
/// [`LOCK_TIMEOUT_VAR`] says otherwise.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);
/// The setting that changes it (seconds; 0 tries once).
pub const LOCK_TIMEOUT_VAR: &str = "BADGE_LOCK_TIMEOUT_SECS";
/// Backups kept per config file.
const BACKUPS_KEPT: usize = 10;

/// Edits one config file.
#[derive(Clone, Debug)]
pub struct ConfigWriter {
    config: PathBuf,
    state_dir: PathBuf,
    key: String,
    lock_wait: Duration,
    /// Other folders of badge's state whose files are written beside this
    /// config's edits (sync records), cleaned under the same lock.
    also_clean: Vec<PathBuf>,
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

impl ConfigWriter {
    /// The writer of `config`, keeping its lock and backups in `state_dir`,
    /// waiting up to `lock_wait` for another badge.
    pub fn new(config: &Path, state_dir: PathBuf, lock_wait: Duration) -> ConfigWriter {
        let key = sha1_hex(real_path(config).as_os_str().as_bytes())[..16].to_owned();
        ConfigWriter {
            config: config.to_path_buf(),
            state_dir,
            key,
            lock_wait,
            also_clean: Vec::new(),
        }
    }

    /// Also removes what a killed badge left in `dir` before each edit.
    pub fn also_clean(mut self, dir: PathBuf) -> ConfigWriter {
        self.also_clean.push(dir);
        self
    }

    /// Locks, reads the file as it is now, lets `edit` change it, and writes
    /// it back if its bytes changed, after a backup. `edit` runs at most once;
    /// an error from it writes nothing.
    pub fn edit<T>(&self, edit: impl FnOnce(&mut Document) -> Result<T>) -> Result<Edited<T>> {
        let _lock = self.lock()?;
        // Whatever a killed writer left; no writer is running now.
        remove_stale_temps(&self.config);
        remove_stale_temps_in(&self.backup_dir());
        for dir in &self.also_clean {
            remove_stale_temps_in(dir);
        }
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
            verbose!("{} is unchanged; not written", self.config.display());
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
        verbose!(
            "wrote {} ({} bytes){}",
            self.config.display(),
            after.len(),
            match &backup {
                Some(backup) => format!(", backup {}", backup.display()),
                None => String::new(),
            }
        );
        Ok(Edited {
            value,
            written: true,
            backup,
        })
    }

    /// The exclusive lock, waiting up to `lock_wait` for another badge.
    fn lock(&self) -> Result<File> {
        let dir = self.state_dir.join("locks");
        private::dir(&dir)?;
        let path = dir.join(format!("config-{}.lock", self.key));
        let file = private::open_lock(&path)?;
        match private::lock_within(&file, &path, self.lock_wait) {
            Ok(Some(waited)) => {
                verbose!(
                    "locked {}{}",
                    path.display(),
                    match waited.is_zero() {
                        false => format!(" after waiting {}", took(waited)),
                        true => String::new(),
                    }
                );
                Ok(file)
            }
            Ok(None) => bail!(
                "another badge has been writing {} for {}s (lock {}); nothing was changed: \
                 run this again when it is done, or wait longer with {LOCK_TIMEOUT_VAR}=60",
                self.config.display(),
                self.lock_wait.as_secs(),
                path.display()
            ),
            Err(err) => Err(err).with_context(|| format!("cannot lock {}", path.display())),
        }
    }

    /// Saves `bytes` as the newest backup and drops the oldest beyond ten.
    fn backup(&self, bytes: &[u8]) -> Result<PathBuf> {
        let dir = self.backup_dir();
        private::dir(&dir)?;
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

    fn backup_dir(&self) -> PathBuf {
        self.state_dir.join("backups").join(&self.key)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::Instant;

    #[test]
    fn edits_write_once_with_a_backup_and_keep_ten() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        fs::write(&config, b"# mine\n").unwrap();
        let writer = ConfigWriter::new(&config, tmp.path().join("state"), DEFAULT_LOCK_WAIT);
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
        let writer = ConfigWriter::new(&config, state.clone(), DEFAULT_LOCK_WAIT);
        let via_link = ConfigWriter::new(&tmp.path().join("link"), state, DEFAULT_LOCK_WAIT);
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
        let writer = ConfigWriter::new(&config, tmp.path().join("state"), DEFAULT_LOCK_WAIT);
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

    /// A process id no process has: beyond Linux's largest `pid_max`.
    const DEAD_PID: u32 = 4_000_000_000;

    #[test]
    fn an_edit_removes_what_a_killed_writer_left_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        fs::write(&config, b"x\n").unwrap();
        let writer = ConfigWriter::new(&config, tmp.path().join("state"), DEFAULT_LOCK_WAIT);
        let backups = writer.backup_dir();
        fs::create_dir_all(&backups).unwrap();
        let dead = [
            tmp.path().join(format!(".config.badge-{DEAD_PID}-0.tmp")),
            backups.join(format!(
                ".config.2026-01-01T000000.000Z.badge-{DEAD_PID}-0.tmp"
            )),
            backups.join(format!(".SOURCE.badge-{DEAD_PID}-1.tmp")),
        ];
        let kept = [
            // A running process (init), another file's writer, the user's.
            tmp.path().join(".config.badge-1-0.tmp"),
            tmp.path()
                .join(format!(".credentials.badge-{DEAD_PID}-0.tmp")),
            tmp.path().join(".config.badge-notes.tmp"),
            backups.join("config.2026-01-01T000000.000Z"),
        ];
        for path in dead.iter().chain(&kept) {
            fs::write(path, b"half").unwrap();
        }
        // Even an edit that writes nothing cleans up.
        assert!(!writer.edit(|_| Ok(())).unwrap().written);
        for path in &dead {
            assert!(!path.exists(), "{} is left", path.display());
        }
        for path in &kept {
            assert!(path.exists(), "{} was removed", path.display());
        }
        assert_eq!(fs::read(&config).unwrap(), b"x\n");
    }

    #[test]
    fn a_lock_not_free_in_time_changes_nothing_and_says_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        fs::write(&config, b"x\n").unwrap();
        let writer = ConfigWriter {
            lock_wait: Duration::ZERO,
            ..ConfigWriter::new(&config, tmp.path().join("state"), DEFAULT_LOCK_WAIT)
        };
        let held = writer.lock().unwrap();
        let err = writer
            .edit(|doc| {
                doc.add_section("profile late", &[]);
                Ok(())
            })
            .unwrap_err()
            .to_string();
        let lock = tmp
            .path()
            .join("state/locks")
            .join(format!("config-{}.lock", writer.key));
        assert_eq!(
            err,
            format!(
                "another badge has been writing {} for 0s (lock {}); nothing was changed: \
                 run this again when it is done, or wait longer with BADGE_LOCK_TIMEOUT_SECS=60",
                config.display(),
                lock.display()
            )
        );
        assert_eq!(fs::read(&config).unwrap(), b"x\n");
        assert!(!tmp.path().join("state/backups").exists());
        drop(held);
        assert!(
            writer
                .edit(|doc| {
                    doc.add_section("profile late", &[]);
                    Ok(())
                })
                .unwrap()
                .written
        );
    }
}
