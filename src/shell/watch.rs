//! The folder of the prompt's stamps: how a prompt sees, with builtins
//! only, that the token cache file of the profile it shows changed since
//! badge read it (another terminal's `badge login` or `badge logout`, `aws
//! sso login`, a refresh by any SDK).
//!
//! No shell can read a file's modification time without a process (bash
//! has no `stat` builtin), but bash, zsh and fish all compare two files'
//! times with a builtin (`-nt`). So each shell keeps a stamp, an empty file
//! named after its process id that it touches (`: >|`) just before badge
//! reads the login for it; a cache file (or its folder: a new file renamed
//! over it, a removed one) newer than the stamp has changed since, and only
//! then does the prompt ask badge again (see `shell/init.*`).
//!
//! The shells only touch their stamps; `badge init` makes the folder and
//! removes the stamps of shells that are gone, so the folder holds one
//! empty file per running shell. Without `/proc` to tell which are, a
//! stamp untouched for [`UNTOUCHED`] is taken for a dead shell's (a live
//! one whose stamp goes just stops following other processes until its
//! next switch).

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::base::process;

/// Where no `/proc` tells which shells run: how long a stamp may go
/// untouched before it is taken for a dead shell's.
pub const UNTOUCHED: Duration = Duration::from_secs(30 * 86_400);

/// Makes `folder` (0700) and removes the stamps in it of processes that are
/// gone. Errors other than making the folder are ignored: a stamp left over
/// is an empty file.
pub fn prepare(folder: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    remove_dead_stamps(folder);
    Ok(())
}

/// Removes the stamps of shells that are no longer running.
pub fn remove_dead_stamps(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let gone = match process::runs(pid) {
            Some(runs) => !runs,
            None => meta
                .modified()
                .ok()
                .and_then(|at| SystemTime::now().duration_since(at).ok())
                .is_some_and(|age| age > UNTOUCHED),
        };
        if gone && meta.is_file() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamps_of_shells_that_are_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/prompt");
        prepare(&folder).unwrap();
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&folder).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o700);
        let alive = folder.join(std::process::id().to_string());
        // Beyond any pid_max.
        let gone = folder.join("4294967295");
        let other = folder.join("notes");
        for path in [&alive, &gone, &other] {
            fs::write(path, "").unwrap();
        }
        prepare(&folder).unwrap();
        assert!(alive.exists() && !gone.exists() && other.exists());
    }
}
