//! The SSO token cache shared with the AWS CLI v2 and every SDK:
//! `~/.aws/sso/cache/<sha1 hex of the sso-session name>.json`.
//!
//! A token written by `aws sso login` works in badge and one written by
//! `badge login` works in the AWS tools, so the file name, the field names
//! and the timestamp format are exactly theirs. Files are 0600 in a 0700
//! folder. Nothing here ever prints a token.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::base::hash::sha1_hex;
use crate::base::time::parse_time;
use crate::config::atomic::{remove_stale_temps, write_atomic};
use crate::config::private;
use crate::ui::verbose::{self, verbose};

/// The most of a token cache file that is read: a real one is well under
/// 8 KiB (a token, a refresh token, a client secret and their times).
const MAX_FILE: u64 = 1024 * 1024;

/// One cache file. Field names are the AWS CLI's.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub access_token: String,
    /// ISO 8601 UTC with a trailing `Z`, e.g. `2026-11-26T18:00:00Z`.
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Never show secrets, not even in debug output.
impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("expires_at", &self.expires_at)
            .field("registration_expires_at", &self.registration_expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl CachedToken {
    /// Hands its secrets to [`verbose::conceal`].
    fn conceal(&self) {
        verbose::conceal(&self.access_token);
        for secret in [&self.client_id, &self.client_secret, &self.refresh_token]
            .into_iter()
            .flatten()
        {
            verbose::conceal(secret);
        }
    }

    /// What a diagnostic line may say about it: times and which parts are
    /// there, no value that is secret.
    fn describe(&self) -> String {
        let now = SystemTime::now();
        let access = if self.is_valid_at(now) {
            format!("access token valid until {}", self.expires_at)
        } else {
            format!("access token expired at {}", self.expires_at)
        };
        let refresh = match (&self.refresh_token, &self.registration_expires_at) {
            (None, _) => "no refresh token".to_owned(),
            (Some(_), Some(until)) => {
                format!("a refresh token, client registration until {until}")
            }
            (Some(_), None) => "a refresh token, no client registration".to_owned(),
        };
        let url = self.start_url.as_deref().unwrap_or("no start URL");
        let region = self.region.as_deref().unwrap_or("no region");
        format!("{access}; {refresh}; {url}, {region}")
    }

    pub fn expires(&self) -> Option<SystemTime> {
        parse_time(&self.expires_at)
    }

    pub fn registration_expires(&self) -> Option<SystemTime> {
        self.registration_expires_at.as_deref().and_then(parse_time)
    }

    /// Whether the access token is good at `now`.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        self.expires().is_some_and(|at| at > now)
    }

    /// Whether it can be refreshed without a browser, as botocore would.
    pub fn is_refreshable_at(&self, now: SystemTime) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires().is_some_and(|at| at > now)
    }
}

/// What the cache says about one sso-session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginState {
    /// The access token is good until then.
    Valid(SystemTime),
    /// The access token expired, but a refresh token can renew it.
    Refreshable,
    Expired,
    /// No cache file.
    Missing,
    /// A cache file that cannot be read as a token.
    Unreadable,
}

impl LoginState {
    /// The state of what [`TokenCache::load`] gave.
    pub fn of(loaded: &Result<Option<CachedToken>>, now: SystemTime) -> LoginState {
        match loaded {
            Ok(Some(token)) if token.is_valid_at(now) => {
                LoginState::Valid(token.expires().unwrap_or(now))
            }
            Ok(Some(token)) if token.is_refreshable_at(now) => LoginState::Refreshable,
            Ok(Some(_)) => LoginState::Expired,
            Ok(None) => LoginState::Missing,
            Err(_) => LoginState::Unreadable,
        }
    }

    pub fn is_usable(self) -> bool {
        matches!(self, LoginState::Valid(_) | LoginState::Refreshable)
    }

    /// A short word for tables and JSON.
    pub fn label(self) -> &'static str {
        match self {
            LoginState::Valid(_) => "valid",
            LoginState::Refreshable => "refreshable",
            LoginState::Expired => "expired",
            LoginState::Missing => "none",
            LoginState::Unreadable => "unreadable",
        }
    }
}

/// How long a renewal waits for another one of the same login: longer than
/// a CreateToken with its retries takes.
pub const RENEW_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The cache folder.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    /// `~/.aws/sso/cache`, as botocore finds it (HOME only; it does not
    /// follow `AWS_CONFIG_FILE`).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<TokenCache> {
        let Some(home) = var("HOME").filter(|h| !h.is_empty()) else {
            bail!(
                "HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be found; set HOME"
            );
        };
        Ok(TokenCache::in_dir(
            PathBuf::from(home).join(".aws").join("sso").join("cache"),
        ))
    }

    /// Refuses a cache folder (or one on the way to it) that another user
    /// owns: a login written there would be theirs to read.
    pub fn check_private(&self) -> Result<()> {
        private::check(&self.dir)
    }

    pub fn in_dir(dir: PathBuf) -> TokenCache {
        TokenCache { dir }
    }

    /// Waits (at most [`RENEW_WAIT`]) until no other badge is renewing the
    /// login of `key`, then holds that place until the returned lock is
    /// dropped: tools that start together on an expired login renew it
    /// once (the service takes a used refresh token back), and the others
    /// read the renewed login. The lock is a file beside the login's
    /// (`<sha1>.json.lock`, 0600, in a folder that holds the login, so
    /// there already), there only while a renewal runs. `None` when it
    /// cannot be had: the caller then renews on its own.
    pub fn renewing(&self, key: &str) -> Option<private::Held> {
        let mut path = self.path_for(key).into_os_string();
        path.push(".lock");
        private::hold_waiting(Path::new(&path), RENEW_WAIT)
    }

    /// The file for an sso-session (or, for a legacy profile without one,
    /// for its start URL): the sha1 hex of that string.
    pub fn path_for(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.json", sha1_hex(key.as_bytes())))
    }

    /// `Ok(None)` when there is no file; an error names the file and why.
    pub fn load(&self, key: &str) -> Result<Option<CachedToken>> {
        let loaded = self.load_quietly(key);
        if verbose::enabled() {
            let path = self.path_for(key).display().to_string();
            match &loaded {
                Ok(Some(token)) => {
                    token.conceal();
                    verbose!("token cache of \"{key}\": {path}: {}", token.describe());
                }
                Ok(None) => verbose!("token cache of \"{key}\": {path}: none"),
                Err(err) => verbose!("token cache of \"{key}\": {err:#}"),
            }
        }
        loaded
    }

    fn load_quietly(&self, key: &str) -> Result<Option<CachedToken>> {
        let path = self.path_for(key);
        // Read no more than a token cache file can need: other tools write
        // this folder too, and a file of gigabytes is no login.
        let read = fs::File::open(&path).and_then(|file| {
            let mut bytes = Vec::new();
            file.take(MAX_FILE + 1).read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        if bytes.len() as u64 > MAX_FILE {
            bail!(
                "{} is larger than {} KiB, which no token cache file is",
                path.display(),
                MAX_FILE / 1024
            );
        }
        let token: CachedToken = serde_json::from_slice(&bytes).map_err(|err| {
            // serde's message may quote the input; keep only where it failed.
            anyhow::anyhow!(
                "{} is not a valid token cache file (line {}, column {})",
                path.display(),
                err.line(),
                err.column()
            )
        })?;
        if token.expires().is_none() {
            bail!("{} has an unreadable expiresAt", path.display());
        }
        Ok(Some(token))
    }

    pub fn state(&self, key: &str, now: SystemTime) -> LoginState {
        LoginState::of(&self.load(key), now)
    }

    /// Write atomically, 0600, in a 0700 folder (tightened if it was wider).
    pub fn store(&self, key: &str, token: &CachedToken) -> Result<()> {
        token.conceal();
        let path = self.path_for(key);
        let json = serde_json::to_vec_pretty(token)?;
        write_private(&self.dir, &path, &json)?;
        verbose!(
            "wrote the token cache of \"{key}\": {} (0600): {}",
            path.display(),
            token.describe()
        );
        Ok(())
    }

    /// `Ok(false)` when there was nothing to remove.
    pub fn remove(&self, key: &str) -> Result<bool> {
        let path = self.path_for(key);
        match fs::remove_file(&path) {
            Ok(()) => {
                verbose!("removed the token cache of \"{key}\": {}", path.display());
                Ok(true)
            }
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err).with_context(|| format!("cannot remove {}", path.display())),
        }
    }
}

/// Writes `path` (in `dir`, badge's or the AWS CLI's private folder) so
/// that nobody else can read it at any moment: the folder is made, or
/// tightened, to 0700 (what the AWS CLI gives `~/.aws/sso/cache`; folders
/// above it are left alone), an existing file is made 0600 before the new
/// bytes go anywhere (the atomic write keeps the mode of the file it
/// replaces), and the result is 0600.
pub fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    private::dir(dir)?;
    let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o7777);
    if mode(dir).ok() != Some(0o700) {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).with_context(|| {
            format!(
                "cannot make {} private (chmod 700); it holds sign-in secrets",
                dir.display()
            )
        })?;
        verbose!("made {} private (0700)", dir.display());
    }
    match mode(path) {
        Ok(0o600) => {}
        Ok(_) => fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} private (chmod 600)", path.display()))?,
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
    // A badge killed while writing this file left its temporary file; no
    // lock is needed to remove it, as a running writer's is always kept.
    remove_stale_temps(path);
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot set permissions on {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_file_is_no_login_and_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::in_dir(dir.path().to_owned());
        let mut text = String::from("{\"accessToken\": \"x\", \"padding\": \"");
        text.push_str(&"a".repeat(2 * 1024 * 1024));
        text.push_str("\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}");
        fs::write(cache.path_for("acme"), text).unwrap();
        let err = cache.load("acme").unwrap_err().to_string();
        assert!(err.contains("is larger than 1024 KiB"), "{err}");
    }

    #[test]
    fn file_name_is_the_sha1_of_the_session_name() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        let cache = TokenCache::in_dir(PathBuf::from("/c"));
        assert_eq!(
            cache.path_for("abc"),
            PathBuf::from("/c/a9993e364706816aba3e25717850c26c9cd0d89d.json")
        );
    }

    #[test]
    fn store_is_private_and_load_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("sso/cache");
        fs::create_dir_all(&cache_dir).unwrap();
        fs::set_permissions(&cache_dir, fs::Permissions::from_mode(0o755)).unwrap();
        let cache = TokenCache::in_dir(cache_dir.clone());
        let token = CachedToken {
            start_url: Some("https://x.awsapps.com/start".into()),
            region: Some("eu-west-1".into()),
            access_token: "secret-access".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
        };
        cache.store("acme", &token).unwrap();
        let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cache_dir), 0o700);
        assert_eq!(mode(&cache.path_for("acme")), 0o600);
        assert_eq!(cache.load("acme").unwrap(), Some(token.clone()));
        assert!(matches!(
            cache.state("acme", SystemTime::now()),
            LoginState::Valid(_)
        ));
        assert!(!format!("{token:?}").contains("secret"));
        assert!(cache.remove("acme").unwrap());
        assert_eq!(cache.state("acme", SystemTime::now()), LoginState::Missing);
    }

    /// A token with nothing but its access token and expiry.
    fn bare_token() -> CachedToken {
        CachedToken {
            start_url: None,
            region: None,
            access_token: "secret-access".into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
        }
    }

    /// Another tool left the folder world-writable and a readable file:
    /// the file is private before the new token is in it, the folder is
    /// 0700, the folders above are not badge's to change.
    #[test]
    fn store_tightens_what_another_tool_left_wide() {
        let dir = tempfile::tempdir().unwrap();
        let sso = dir.path().join("sso");
        let cache_dir = sso.join("cache");
        fs::create_dir_all(&cache_dir).unwrap();
        fs::set_permissions(&sso, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&cache_dir, fs::Permissions::from_mode(0o777)).unwrap();
        let cache = TokenCache::in_dir(cache_dir.clone());
        let file = cache.path_for("acme");
        fs::write(&file, "{}").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let token = bare_token();
        cache.store("acme", &token).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&cache_dir), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&sso), 0o755);
        assert_eq!(
            fs::read_dir(&cache_dir).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    /// A login killed while writing the cache left its temporary file: the
    /// next write removes it, and keeps one of a writer that still runs.
    #[test]
    fn store_removes_what_a_killed_writer_left() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::in_dir(dir.path().to_owned());
        let file = cache.path_for("acme");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // A process id above the kernel's maximum never runs.
        let dead = dir.path().join(format!(".{name}.badge-4194305-0.tmp"));
        let alive = dir.path().join(format!(".{name}.badge-1-0.tmp"));
        fs::write(&dead, "half a tok").unwrap();
        fs::write(&alive, "half a tok").unwrap();
        let token = bare_token();
        cache.store("acme", &token).unwrap();
        assert!(!dead.exists());
        assert!(alive.exists(), "process 1 runs: its file is kept");
        assert!(file.exists());
    }

    #[test]
    fn corrupt_files_are_errors_that_do_not_quote_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::in_dir(dir.path().to_owned());
        fs::write(
            cache.path_for("s"),
            "{\"accessToken\": \"tok-secret\", trunc",
        )
        .unwrap();
        let err = format!("{:#}", cache.load("s").unwrap_err());
        assert!(err.contains("not a valid token cache file"), "{err}");
        assert!(!err.contains("tok-secret"), "{err}");
        assert_eq!(cache.state("s", SystemTime::now()), LoginState::Unreadable);
    }
}
