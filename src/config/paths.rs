//! Where the files shared with the AWS tools are.
//!
//! Found from the environment exactly as botocore finds them, so that badge
//! and the AWS CLI always look at the same files. The environment comes in as
//! a function, so tests never change the process's own.

use std::ffi::OsString;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};

/// The config and credentials files. An empty path is no file: the
/// variable is set but empty, which botocore and the AWS CLI read as no
/// file at all (reading one gives nothing, and nothing may write it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

pub const CONFIG_VAR: &str = "AWS_CONFIG_FILE";
pub const CREDENTIALS_VAR: &str = "AWS_SHARED_CREDENTIALS_FILE";

impl Paths {
    /// `$AWS_CONFIG_FILE`, else `~/.aws/config`; `$AWS_SHARED_CREDENTIALS_FILE`,
    /// else `~/.aws/credentials`. `$VAR`, `${VAR}` and then a leading `~` are
    /// expanded like Python's `os.path.expandvars` and `expanduser` (as
    /// botocore does); `~user` is left as written. A variable that is set
    /// but empty (or expands to nothing) is no file, as in botocore, not the
    /// default one.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Paths> {
        Ok(Paths {
            config: resolve(&var, CONFIG_VAR, "~/.aws/config")?,
            credentials: resolve(&var, CREDENTIALS_VAR, "~/.aws/credentials")?,
        })
    }

    /// `AWS_CONFIG_FILE` is set but empty: there is no config file.
    pub fn no_config(&self) -> bool {
        self.config.as_os_str().is_empty()
    }

    /// `AWS_SHARED_CREDENTIALS_FILE` is set but empty.
    pub fn no_credentials(&self) -> bool {
        self.credentials.as_os_str().is_empty()
    }

    /// The config file for a message: its path, or that there is none.
    pub fn config_shown(&self) -> String {
        show_config(&self.config)
    }

    /// The credentials file for a message.
    pub fn credentials_shown(&self) -> String {
        shown(&self.credentials, CREDENTIALS_VAR)
    }

    /// Before `command` writes the config: with no config file (the
    /// variable set but empty) there is nowhere to write, and writing
    /// `~/.aws/config` instead would give the user profiles that their AWS
    /// tools, reading no file, do not see.
    pub fn check_config_to_write(&self, command: &str) -> Result<()> {
        if self.no_config() {
            bail!(
                "{CONFIG_VAR} is set but empty, which the AWS CLI and SDKs read as no config \
                 file, so `{command}` has nowhere to write; point {CONFIG_VAR} at your config \
                 file, or `unset {CONFIG_VAR}` to use ~/.aws/config"
            );
        }
        Ok(())
    }
}

/// A config file's path for a message: the path, or that there is none.
pub fn show_config(path: &Path) -> String {
    shown(path, CONFIG_VAR)
}

fn shown(path: &Path, var: &str) -> String {
    if path.as_os_str().is_empty() {
        format!("{var}=\"\" (no file)")
    } else {
        path.display().to_string()
    }
}

impl Paths {
    /// The config file is something badge can read: a file, or nothing (an
    /// empty config). See [`check_file`].
    pub fn check_config(&self) -> Result<()> {
        check_file(&self.config, "AWS_CONFIG_FILE")
    }

    /// Both files are something badge can read.
    pub fn check_files(&self) -> Result<()> {
        self.check_config()?;
        check_file(&self.credentials, "AWS_SHARED_CREDENTIALS_FILE")
    }
}

/// A folder, or a symlink to nothing, where a file should be is a mistake
/// that reading it as "no profiles" would hide (botocore does hide it), so
/// it is an error that says what is there. One `stat` on the switching
/// path; a missing file is fine.
pub fn check_file(path: &Path, var: &str) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => bail!(
            "{} is a folder, not a file; move it out of the way or point {var} at your file",
            path.display()
        ),
        Err(err) if err.kind() == ErrorKind::NotFound => {
            if let Ok(target) = fs::read_link(path) {
                bail!(
                    "{} is a symlink to {}, which does not exist; restore that file, \
                     or remove the link with `rm {}`",
                    path.display(),
                    link_target(path, &target).display(),
                    path.display()
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Where the link at `link` points, `target` read relative to the link's
/// folder and `..` taken off by name (the target does not exist, so it
/// cannot be resolved), for messages: `~/dotfiles/aws/config`, not
/// `../dotfiles/aws/config`.
fn link_target(link: &Path, target: &Path) -> PathBuf {
    let joined = match link.parent() {
        Some(folder) if target.is_relative() => folder.join(target),
        _ => target.to_owned(),
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            part => out.push(part),
        }
    }
    out
}

/// Before `command` replaces the config: a file nobody may write (a
/// read-only dotfile, a file in the Nix store) is one its owner keeps as it
/// is, so badge does not replace it, even as root (which could).
pub fn check_writable(path: &Path, command: &str) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o222 == 0 => bail!(
            "{} is read-only (mode {:04o}), so `{command}` will not change it; \
             make it writable with `chmod u+w {}`",
            path.display(),
            meta.permissions().mode() & 0o7777,
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The file's real path: symlinks resolved, or, for a file not there yet,
/// its folder's real path and its name. Every way of naming one config
/// gives the same lock, backups and sync record.
pub fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => fs::canonicalize(dir).map_or(absolute.clone(), |d| d.join(name)),
        _ => absolute,
    }
}

/// badge's own state folder (backups, locks, client registrations):
/// `$XDG_STATE_HOME/badge` (`~/.local/state/badge`) on Linux, the
/// platform's local data folder elsewhere (from `directories`). `None`
/// without a HOME: like botocore, badge does not fall back to the password
/// database, so a process with no HOME writes nowhere.
pub fn state_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let home = PathBuf::from(var("HOME").filter(|home| !home.is_empty())?);
    if cfg!(target_os = "linux") {
        // The XDG rule: a relative XDG_STATE_HOME is ignored.
        let state = var("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute())
            .unwrap_or_else(|| home.join(".local/state"));
        return Some(state.join("badge"));
    }
    let dirs = directories::ProjectDirs::from("", "", "badge")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

fn resolve(var: &impl Fn(&str) -> Option<OsString>, name: &str, default: &str) -> Result<PathBuf> {
    let set = var(name);
    let path = expand_vars(
        set.as_ref().map_or(default.as_bytes(), |v| v.as_bytes()),
        var,
    );
    if path.is_empty() {
        return Ok(PathBuf::new());
    }
    let Some(rest) = path.strip_prefix(b"~") else {
        return Ok(PathBuf::from(OsString::from_vec(path)));
    };
    if !(rest.is_empty() || rest.starts_with(b"/")) {
        return Ok(PathBuf::from(OsString::from_vec(path)));
    }
    let Some(home) = var("HOME").filter(|h| !h.is_empty()) else {
        match set {
            Some(_) => bail!(
                "{name} starts with `~` but HOME is not set; set HOME or give {name} a full path"
            ),
            None => bail!("HOME is not set, so ~/.aws cannot be found; set HOME or {name}"),
        }
    };
    let home = home.as_bytes();
    let mut out =
        home[..home.len() - home.iter().rev().take_while(|&&b| b == b'/').count()].to_vec();
    out.extend_from_slice(rest);
    if out.is_empty() {
        out.push(b'/');
    }
    Ok(PathBuf::from(OsString::from_vec(out)))
}

/// Python's `posixpath.expandvars`: `$NAME` (ASCII word characters) and
/// `${ANY}` are replaced when set, and left as written when not.
fn expand_vars(path: &[u8], var: &impl Fn(&str) -> Option<OsString>) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        if path[i] == b'$' {
            let rest = &path[i + 1..];
            let (name, len) = if rest.first() == Some(&b'{') {
                rest.iter()
                    .position(|&b| b == b'}')
                    .map_or((&rest[..0], 0), |close| (&rest[1..close], close + 1))
            } else {
                let n = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                (&rest[..n], n)
            };
            if len > 0 {
                match std::str::from_utf8(name).ok().and_then(var) {
                    Some(value) => out.extend_from_slice(value.as_bytes()),
                    None => out.extend_from_slice(&path[i..=i + len]),
                }
                i += 1 + len;
                continue;
            }
        }
        out.push(path[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn paths(vars: &[(&str, &str)]) -> Result<Paths> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Paths::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_under_home() {
        let p = paths(&[("HOME", "/home/u/")]).unwrap();
        assert_eq!(p.config, PathBuf::from("/home/u/.aws/config"));
        assert_eq!(p.credentials, PathBuf::from("/home/u/.aws/credentials"));
    }

    #[test]
    fn variables_win_and_expand_like_botocore() {
        let p = paths(&[
            ("HOME", "/h"),
            (
                "AWS_CONFIG_FILE",
                "~/cfg/$WHO-${WHERE}/config$MISSING${ALSO MISSING}",
            ),
            ("AWS_SHARED_CREDENTIALS_FILE", "/abs/$$/c~"),
            ("WHO", "me"),
            ("WHERE", "here"),
        ])
        .unwrap();
        assert_eq!(
            p.config,
            PathBuf::from("/h/cfg/me-here/config$MISSING${ALSO MISSING}")
        );
        assert_eq!(p.credentials, PathBuf::from("/abs/$$/c~"));
    }

    #[test]
    fn variables_expand_before_tilde() {
        let p = paths(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "$T/x"), ("T", "~")]).unwrap();
        assert_eq!(p.config, PathBuf::from("/h/x"));
    }

    #[test]
    fn other_users_home_and_empty_variables() {
        let p = paths(&[
            ("HOME", "/h"),
            ("AWS_CONFIG_FILE", "~bob/c"),
            ("AWS_SHARED_CREDENTIALS_FILE", ""),
        ])
        .unwrap();
        assert_eq!(p.config, PathBuf::from("~bob/c"));
        // Set but empty is no file to botocore, not the default one.
        assert!(p.no_credentials() && !p.no_config());
        assert_eq!(
            p.credentials_shown(),
            "AWS_SHARED_CREDENTIALS_FILE=\"\" (no file)"
        );
        let p = paths(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "$EMPTY"), ("EMPTY", "")]).unwrap();
        assert!(p.no_config());
        assert!(p.check_config_to_write("badge sync").is_err());
        // Without HOME, the default credentials file cannot be found.
        assert!(paths(&[("AWS_CONFIG_FILE", "")]).is_err());
    }

    #[test]
    fn home_needed_but_unset_is_an_error_naming_home() {
        let err = paths(&[]).unwrap_err().to_string();
        assert!(err.contains("HOME"), "{err}");
        let err = paths(&[
            ("AWS_CONFIG_FILE", "~/c"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/c"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("HOME") && err.contains("AWS_CONFIG_FILE"),
            "{err}"
        );
        let p = paths(&[
            ("AWS_CONFIG_FILE", "/a"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/b"),
        ])
        .unwrap();
        assert_eq!(p.config, PathBuf::from("/a"));
    }
}
