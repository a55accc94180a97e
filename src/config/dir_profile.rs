//! Per-directory profiles: the `.aws-profile` file a folder may carry, whose
//! first line names a profile, and the trust the user gave it with `badge
//! allow` (direnv's model: a repository is not trusted).
//!
//! The file is hostile until trusted, and its text even after: it is read
//! bounded ([`MAX_FILE`] bytes, a first line of at most [`MAX_LINE`]), a
//! line with control characters or that is not UTF-8 is refused, and the
//! name goes on only as data. Trust is one private file per trusted file in
//! `allowed/` of badge's state folder, named by the SHA-256 of the file's
//! real path (see `cmd::common::dir::look`) and holding the SHA-256 of its
//! content: a changed file is trusted no more.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{atomic, private};
use crate::base::hash::sha256_hex;

/// The name of the file.
pub const FILE_NAME: &str = ".aws-profile";
/// The longest first line read, in bytes.
pub const MAX_LINE: usize = 4096;
/// The most of the file read (and hashed), in bytes.
pub const MAX_FILE: usize = 65536;

/// The nearest `.aws-profile` at or above `dir` (an absolute folder).
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|file| file.is_file())
}

/// What a `.aws-profile` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirFile {
    /// The profile its first line names, or why it names none.
    pub name: std::result::Result<String, &'static str>,
    /// The SHA-256 of its content.
    pub hash: String,
}

/// Reads `file`, bounded.
pub fn read(file: &Path) -> io::Result<DirFile> {
    let mut bytes = Vec::with_capacity(256);
    File::open(file)?
        .take(MAX_FILE as u64 + 1)
        .read_to_end(&mut bytes)?;
    let hash = sha256_hex(&bytes);
    Ok(DirFile {
        name: first_line(&bytes),
        hash,
    })
}

fn first_line(bytes: &[u8]) -> std::result::Result<String, &'static str> {
    let end = bytes.iter().position(|&b| b == b'\n');
    let line = &bytes[..end.unwrap_or(bytes.len())];
    if line.len() > MAX_LINE {
        return Err("it is longer than 4096 bytes");
    }
    if end.is_none() && bytes.len() > MAX_FILE {
        return Err("it is longer than 4096 bytes");
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Ok(line) = std::str::from_utf8(line) else {
        return Err("it is not UTF-8 text");
    };
    let line = line.trim_matches([' ', '\t']);
    if line.is_empty() {
        return Err("it is empty");
    }
    if line.chars().any(char::is_control) {
        return Err("it has control characters");
    }
    Ok(line.to_owned())
}

/// Whether the user trusts a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    Trusted,
    /// Trusted once, with other content.
    Changed,
    Unknown,
}

/// The trusted files, in `allowed/` of badge's state folder.
pub struct TrustStore {
    dir: PathBuf,
}

impl TrustStore {
    pub fn new(state_dir: &Path) -> TrustStore {
        TrustStore {
            dir: state_dir.join("allowed"),
        }
    }

    fn entry(&self, real: &Path) -> PathBuf {
        self.dir.join(sha256_hex(real.as_os_str().as_bytes()))
    }

    /// The trust in the file at real path `real` with content hash `hash`.
    pub fn trust(&self, real: &Path, hash: &str) -> Trust {
        let entry = self.entry(real);
        // Another user's folder or file is no trust of this user's.
        if private::check(&entry).is_err() {
            return Trust::Unknown;
        }
        let mut text = String::new();
        let read = File::open(&entry).and_then(|f| f.take(8192).read_to_string(&mut text));
        match read {
            Err(_) => Trust::Unknown,
            Ok(_) if text.lines().next() == Some(hash) => Trust::Trusted,
            Ok(_) => Trust::Changed,
        }
    }

    /// Trusts the file at `real` with content hash `hash`.
    pub fn allow(&self, real: &Path, hash: &str) -> Result<()> {
        private::dir(&self.dir)?;
        let entry = self.entry(real);
        let text = format!("{hash}\n{}\n", real.display());
        atomic::write_atomic(&entry, text.as_bytes())
            .with_context(|| format!("cannot write {}", entry.display()))
    }

    /// Forgets the file at `real`; whether it was trusted.
    pub fn deny(&self, real: &Path) -> Result<bool> {
        let entry = self.entry(real);
        private::check(&entry)?;
        match fs::remove_file(&entry) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err).with_context(|| format!("cannot remove {}", entry.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_a_name_or_why_not() {
        assert_eq!(first_line(b"prod\n# note\n"), Ok("prod".to_owned()));
        assert_eq!(first_line(b" prod \r\n"), Ok("prod".to_owned()));
        assert_eq!(first_line(b"prod"), Ok("prod".to_owned()));
        assert_eq!(first_line(b"\nprod"), Err("it is empty"));
        assert_eq!(first_line(b"a\x1b[31m"), Err("it has control characters"));
        assert_eq!(first_line(b"a\xc2\x9bb"), Err("it has control characters"));
        assert_eq!(first_line(b"a\xff"), Err("it is not UTF-8 text"));
        let long = vec![b'a'; MAX_LINE + 1];
        assert_eq!(first_line(&long), Err("it is longer than 4096 bytes"));
        assert_eq!(first_line(&long[..MAX_LINE]).map(|n| n.len()), Ok(MAX_LINE));
    }

    #[test]
    fn trust_follows_the_content() {
        let tmp = tempfile::tempdir().unwrap();
        let store = TrustStore::new(tmp.path());
        let file = tmp.path().join("repo/.aws-profile");
        assert_eq!(store.trust(&file, "h1"), Trust::Unknown);
        store.allow(&file, "h1").unwrap();
        assert_eq!(store.trust(&file, "h1"), Trust::Trusted);
        assert_eq!(store.trust(&file, "h2"), Trust::Changed);
        assert!(store.deny(&file).unwrap());
        assert!(!store.deny(&file).unwrap());
        assert_eq!(store.trust(&file, "h1"), Trust::Unknown);
    }
}
