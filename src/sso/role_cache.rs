//! Role credentials kept for the tools that ask for them again and again
//! (`credential_process = badge creds P --format process`, `badge exec
//! --env-credentials`): Terraform with many providers or a kubectl plugin
//! would otherwise cost a GetRoleCredentials round trip per call, and get
//! throttled when many run at once.
//!
//! In the spirit of the AWS CLI's `~/.aws/cli/cache`: one JSON file per
//! request, named by the sha1 of the request (`{"accountId","roleName",
//! "session"}` with sorted keys), 0600, in a 0700 folder per sso-session
//! (or legacy start URL) under badge's state folder, named like its token
//! cache file, so that logging out drops the whole folder. Never in the
//! config.
//!
//! An entry belongs to one login: it keeps the sha256 of the access token
//! it was fetched with, and is used only while the token cache still holds
//! that token, valid. A new login (by badge or by `aws sso login`), a
//! refresh, a logout or an expired login makes it a miss, so cached
//! credentials never outlive the login they came from.
//!
//! The files are read as hostile: a plain file of the user's own, 0600,
//! at most [`LIMIT`] bytes, of exactly the fields written, or it is not
//! used (and replaced by the next fetch).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::credentials::{Role, RoleCredentials};
use super::token_cache::{CachedToken, write_private};
use crate::base::hash::{sha1_hex, sha256_hex};
use crate::base::time::parse_time;
use crate::config::private::{self, NotPrivate};
use crate::ui::verbose::{self, verbose};

/// More than any entry badge writes (about 2 KB), far less than a hostile
/// file could hold.
pub const LIMIT: u64 = 64 * 1024;

/// How long a call waits for another that is fetching the same role's
/// credentials; past it, it asks for its own. Longer than a
/// GetRoleCredentials round trip ever takes, short of a tool's patience.
pub const FETCH_WAIT: Duration = Duration::from_secs(20);

/// One file. The field names are those of credential_process.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Entry {
    version: u32,
    /// sha256 hex of the access token the credentials were fetched with.
    login: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

/// What the cache holds for a role.
pub enum Lookup {
    /// Credentials of this login, good past the time asked.
    Hit(RoleCredentials),
    /// Nothing usable: no entry, another login's, or too close to expiry.
    Miss,
    /// A file that is not (or no longer) what badge wrote: where, and why.
    Refused(PathBuf, String),
}

/// The folder of cached role credentials.
#[derive(Debug, Clone)]
pub struct RoleCache {
    dir: PathBuf,
}

impl RoleCache {
    pub fn in_dir(dir: PathBuf) -> RoleCache {
        RoleCache { dir }
    }

    /// The folder of one sso-session's (or legacy start URL's) entries.
    fn session_dir(&self, session: &str) -> PathBuf {
        self.dir.join(sha1_hex(session.as_bytes()))
    }

    /// The file of one role of `session`.
    pub fn path_for(&self, session: &str, role: &Role) -> PathBuf {
        let request = serde_json::json!({
            "accountId": role.account_id,
            "roleName": role.role_name,
            "session": session,
        });
        // serde_json's maps are sorted: the same request, the same name.
        let name = sha1_hex(request.to_string().as_bytes());
        self.session_dir(session).join(format!("{name}.json"))
    }

    /// The entry for `role` of the login `token` of `session`, if it stays
    /// good past `until`.
    pub fn load(
        &self,
        session: &str,
        role: &Role,
        token: &CachedToken,
        until: SystemTime,
    ) -> Lookup {
        let path = self.path_for(session, role);
        let bytes = match private::read_private(&path, LIMIT) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                verbose!("no cached role credentials in {}", path.display());
                return Lookup::Miss;
            }
            Err(NotPrivate::TooLarge | NotPrivate::NotAFile) => return not_written(path),
            Err(why) => return Lookup::Refused(path, why.to_string()),
        };
        let Some((entry, credentials)) = parse(&bytes) else {
            return not_written(path);
        };
        for secret in [
            &credentials.access_key_id,
            &credentials.secret_access_key,
            &credentials.session_token,
        ] {
            verbose::conceal(secret);
        }
        if entry.login != login_of(token) {
            verbose!(
                "the cached role credentials in {} are of another login",
                path.display()
            );
            return Lookup::Miss;
        }
        if credentials.expiration <= until {
            verbose!(
                "the cached role credentials in {} expire at {}, too soon",
                path.display(),
                entry.expiration
            );
            return Lookup::Miss;
        }
        verbose!(
            "using the cached role credentials in {}, valid until {}",
            path.display(),
            entry.expiration
        );
        Lookup::Hit(credentials)
    }

    /// Keeps `credentials` of `role`, fetched with the login `token`.
    pub fn store(
        &self,
        session: &str,
        role: &Role,
        token: &CachedToken,
        credentials: &RoleCredentials,
    ) -> Result<()> {
        let path = self.path_for(session, role);
        let entry = Entry {
            version: 1,
            login: login_of(token),
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            expiration: credentials.expiration_text(),
        };
        let json = serde_json::to_vec(&entry)?;
        private::dir(&self.dir)?;
        private::remove_unless_own(&path)?;
        write_private(&self.session_dir(session), &path, &json)?;
        verbose!(
            "cached the role credentials in {} (0600), valid until {}",
            path.display(),
            entry.expiration
        );
        Ok(())
    }

    /// Waits (at most [`FETCH_WAIT`]) until no other badge is fetching the
    /// credentials of `role`, then holds that place until the returned
    /// lock is dropped: tools that start together on an empty cache ask
    /// once, and the others read the answer. `None` when the lock cannot be
    /// had (a folder of another user, a full disk, or the wait ran out):
    /// the caller then simply fetches, as without a cache.
    pub fn fetching(&self, session: &str, role: &Role) -> Option<private::Held> {
        private::dir(&self.dir).ok()?;
        private::dir(&self.session_dir(session)).ok()?;
        let path = self.path_for(session, role).with_extension("lock");
        private::hold_waiting(&path, FETCH_WAIT)
    }

    /// Drops every entry of `session`; `Ok(false)` when there was none.
    pub fn forget(&self, session: &str) -> Result<bool> {
        let dir = self.session_dir(session);
        private::check(&dir)?;
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {
                verbose!("removed the cached role credentials in {}", dir.display());
                Ok(true)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err).with_context(|| format!("cannot remove {}", dir.display())),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn not_written(path: PathBuf) -> Lookup {
    Lookup::Refused(path, "it is not a cache file badge wrote".to_owned())
}

/// What identifies a login without being it.
fn login_of(token: &CachedToken) -> String {
    sha256_hex(token.access_token.as_bytes())
}

/// An entry exactly as badge writes them, or nothing.
fn parse(bytes: &[u8]) -> Option<(Entry, RoleCredentials)> {
    let entry: Entry = serde_json::from_slice(bytes).ok()?;
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    // What AWS issues: printable ASCII with no quote or backslash, so that
    // nothing a tool reads from badge can be more than a value.
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 8192
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"'\"\\`$".contains(&b))
    };
    if entry.version != 1
        || !hex(&entry.login)
        || !plain(&entry.access_key_id)
        || !plain(&entry.secret_access_key)
        || !plain(&entry.session_token)
    {
        return None;
    }
    let expiration = parse_time(&entry.expiration)?;
    let credentials = RoleCredentials {
        access_key_id: entry.access_key_id.clone(),
        secret_access_key: entry.secret_access_key.clone(),
        session_token: entry.session_token.clone(),
        expiration,
    };
    Some((entry, credentials))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn token(access: &str) -> CachedToken {
        CachedToken {
            start_url: None,
            region: None,
            access_token: access.into(),
            expires_at: "2099-01-01T00:00:00Z".into(),
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
        }
    }

    #[test]
    fn an_entry_is_the_logins_and_fresh_enough_or_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = RoleCache::in_dir(tmp.path().join("credentials"));
        let role = Role {
            account_id: "111111111111".into(),
            role_name: "Admin".into(),
        };
        let now = SystemTime::now();
        let creds = RoleCredentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: "s+/=".into(),
            session_token: "t".into(),
            expiration: parse_time("2098-01-01T00:00:00Z").unwrap(),
        };
        assert!(matches!(
            cache.load("acme", &role, &token("a"), now),
            Lookup::Miss
        ));
        cache.store("acme", &role, &token("a"), &creds).unwrap();
        assert!(matches!(
            cache.load("acme", &role, &token("a"), now),
            Lookup::Hit(c) if c == creds
        ));
        assert!(matches!(
            cache.load("acme", &role, &token("b"), now),
            Lookup::Miss
        ));
        let late = creds.expiration + Duration::from_secs(1);
        assert!(matches!(
            cache.load("acme", &role, &token("a"), late),
            Lookup::Miss
        ));
        let text = std::fs::read_to_string(cache.path_for("acme", &role)).unwrap();
        assert!(!text.contains("\"a\""), "the access token is not kept");
        assert!(cache.forget("acme").unwrap());
        assert!(!cache.forget("acme").unwrap());
        assert!(matches!(
            cache.load("acme", &role, &token("a"), now),
            Lookup::Miss
        ));
    }
}
