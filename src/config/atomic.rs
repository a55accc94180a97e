//! The one place that replaces a file on disk.
//!
//! A config file half written by a killed process loses a user's profiles, so
//! new bytes go to a temporary file beside the real one, reach the disk, and
//! then take its place in a single rename. A symlinked `~/.aws/config` (as
//! dotfile managers make) stays a link: the file it points to is replaced.
//! The file keeps its permission bits; a new one is private (0600).
//!
//! A writer killed between creating its temporary file and the rename leaves
//! that file behind (`.config.badge-<pid>-<n>.tmp`). The file it was about
//! to replace is untouched, and [`remove_stale_temps`], run by the next
//! writer under its lock, removes what a dead writer left.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::base::process;

/// Replaces the file at `path` (or at the end of its symlinks) with `bytes`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = follow_links(path)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            ErrorKind::InvalidInput,
            format!("{} is not a file name", target.display()),
        )
    })?;
    DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
    let existing = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(err) if err.kind() == ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };

    let (temp, mut file) = create_temp(&dir, &name.to_string_lossy())?;
    let written = (|| {
        file.write_all(bytes)?;
        if let Some(meta) = &existing {
            file.set_permissions(Permissions::from_mode(meta.mode() & 0o7777))?;
            // Root editing a user's file must leave it theirs; anyone else
            // cannot change the owner, and the file becomes theirs.
            let theirs = file.metadata()?;
            if (theirs.uid(), theirs.gid()) != (meta.uid(), meta.gid()) {
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
        }
        file.sync_all()?;
        fs::rename(&temp, &target)
    })();
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err);
    }
    File::open(&dir)?.sync_all()
}

/// Where a chain of symlinks ends, even if nothing is there yet.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                // Relative links are relative to the link's own folder.
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(path),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(path),
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// The temporary file names of `name`: `.NAME.badge-PID-N.tmp`.
const TEMP_MARK: &str = ".badge-";
const TEMP_END: &str = ".tmp";

/// A new private file beside the target, named after it.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut attempt = 0;
    loop {
        let temp = dir.join(format!(".{name}{TEMP_MARK}{pid}-{attempt}{TEMP_END}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(err) => return Err(err),
        }
    }
}

/// Removes the temporary files that writers of the file at `path` (or at
/// the end of its symlinks) left when they were killed, and returns how
/// many. Only call it holding the lock every writer of that file takes: then
/// no writer is between creating its temporary file and the rename. As a
/// second guard, a file whose process still runs (or might: without `/proc`
/// nothing can be told) is kept, as is this process's own. Errors are
/// ignored: a leftover file is harmless.
pub fn remove_stale_temps(path: &Path) -> usize {
    let Ok(target) = follow_links(path) else {
        return 0;
    };
    let Some(name) = target.file_name() else {
        return 0;
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    remove_temps_in(dir, Some(&name.to_string_lossy()))
}

/// [`remove_stale_temps`] for every file in `dir`, for a folder whose files
/// are all written under one lock.
pub fn remove_stale_temps_in(dir: &Path) -> usize {
    remove_temps_in(dir, None)
}

fn remove_temps_in(dir: &Path, name: Option<&str>) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let own = std::process::id();
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some(pid) = temp_owner(&entry.file_name().to_string_lossy(), name) else {
            continue;
        };
        if pid == own || process::may_run(pid) {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a temporary file name made by [`create_temp`] for
/// `name` (for any name when `None`).
fn temp_owner(file_name: &str, name: Option<&str>) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(TEMP_END)?;
    let (base, tail) = rest.rsplit_once(TEMP_MARK)?;
    if base.is_empty() || name.is_some_and(|name| name != base) {
        return None;
    }
    let (pid, attempt) = tail.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(attempt) {
        return None;
    }
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().mode() & 0o7777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn new_file_is_private_in_a_new_private_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/config");
        write_atomic(&path, b"[default]\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[default]\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&tmp.path().join("a/b")), 0o700);
        assert_eq!(entries(&tmp.path().join("a/b")), ["config"]);
    }

    #[test]
    fn replacing_keeps_the_mode_and_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o640);
        assert_eq!(entries(tmp.path()), ["config"]);
    }

    #[test]
    fn a_symlink_stays_a_link_and_its_target_changes() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("dotfiles")).unwrap();
        fs::create_dir(tmp.path().join(".aws")).unwrap();
        let target = tmp.path().join("dotfiles/aws-config");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
        // A relative link to a relative link: .aws/config -> link2 -> ../dotfiles/aws-config
        symlink("../dotfiles/aws-config", tmp.path().join(".aws/link2")).unwrap();
        symlink("link2", tmp.path().join(".aws/config")).unwrap();
        let link = tmp.path().join(".aws/config");
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), PathBuf::from("link2"));
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(mode(&target), 0o640);
        assert_eq!(entries(&tmp.path().join("dotfiles")), ["aws-config"]);
        assert_eq!(entries(&tmp.path().join(".aws")), ["config", "link2"]);
    }

    #[test]
    fn a_dangling_symlink_writes_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let link = tmp.path().join("config");
        symlink("store/real", &link).unwrap();
        write_atomic(&link, b"x").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(tmp.path().join("store/real")).unwrap(), b"x");
        assert_eq!(mode(&tmp.path().join("store/real")), 0o600);
    }

    #[test]
    fn a_symlink_loop_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        symlink("b", tmp.path().join("a")).unwrap();
        symlink("a", tmp.path().join("b")).unwrap();
        assert!(write_atomic(&tmp.path().join("a"), b"x").is_err());
    }

    #[test]
    fn a_folder_in_the_way_fails_and_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("config")).unwrap();
        assert!(write_atomic(&tmp.path().join("config"), b"x").is_err());
        assert_eq!(entries(tmp.path()), ["config"]);
    }

    #[test]
    fn temp_names_carry_the_writers_pid() {
        assert_eq!(
            temp_owner(".config.badge-42-0.tmp", Some("config")),
            Some(42)
        );
        assert_eq!(temp_owner(".config.badge-42-17.tmp", None), Some(42));
        assert_eq!(
            temp_owner(".my.config.badge-7-0.tmp", Some("my.config")),
            Some(7)
        );
        assert_eq!(temp_owner(".a.badge-1-0.tmp.badge-9-0.tmp", None), Some(9));
        for other in [
            ".config.badge-42-0.tmp~",
            "config.badge-42-0.tmp",
            ".config.badge-42.tmp",
            ".config.badge-x-0.tmp",
            ".config.badge--0.tmp",
            ".badge-42-0.tmp",
            ".config.badge-42-0-1.tmp",
        ] {
            assert_eq!(temp_owner(other, None), None, "{other}");
        }
        assert_eq!(
            temp_owner(".credentials.badge-42-0.tmp", Some("config")),
            None
        );
    }

    #[test]
    fn stale_temps_of_the_link_target_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("dotfiles")).unwrap();
        fs::write(tmp.path().join("dotfiles/aws-config"), "old").unwrap();
        symlink("dotfiles/aws-config", tmp.path().join("config")).unwrap();
        // A writer that is gone: started and waited for.
        let gone = std::process::Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        let mut gone = gone;
        gone.wait().unwrap();
        let own = std::process::id();
        for name in [
            format!(".aws-config.badge-{gone_pid}-0.tmp"),
            format!(".aws-config.badge-{own}-0.tmp"),
            ".aws-config.badge-1-3.tmp".to_owned(),
            format!(".other.badge-{gone_pid}-0.tmp"),
        ] {
            fs::write(tmp.path().join("dotfiles").join(name), "half").unwrap();
        }
        // What the link names is not where its temporary files are.
        fs::write(
            tmp.path().join(format!(".config.badge-{gone_pid}-0.tmp")),
            "",
        )
        .unwrap();
        assert_eq!(remove_stale_temps(&tmp.path().join("config")), 1);
        let mut left = vec![
            format!(".aws-config.badge-{own}-0.tmp"),
            ".aws-config.badge-1-3.tmp".to_owned(),
            format!(".other.badge-{gone_pid}-0.tmp"),
            "aws-config".to_owned(),
        ];
        left.sort();
        assert_eq!(entries(&tmp.path().join("dotfiles")), left);
        assert_eq!(remove_stale_temps_in(&tmp.path().join("dotfiles")), 1);
        assert_eq!(remove_stale_temps(&tmp.path().join("missing/config")), 0);
    }
}
