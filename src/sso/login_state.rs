//! Whether a profile's Identity Center login is still good, read from the
//! token cache alone (no network), for `ls`, `current`, switching and the
//! prompt's login mark.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::base::time::human_time;
use crate::base::url::same_url;
use crate::config::profiles::{LoginKey, Profile, Profiles};
use crate::sso::token_cache::{LoginState, TokenCache};

/// Login states by cache key, so 10,000 profiles of one session read the
/// cache once.
pub struct LoginStates {
    cache: Option<TokenCache>,
    now: SystemTime,
    seen: HashMap<String, LoginState>,
}

impl LoginStates {
    pub fn new(cache: Option<TokenCache>) -> LoginStates {
        LoginStates {
            cache,
            now: SystemTime::now(),
            seen: HashMap::new(),
        }
    }

    /// When the states are read for.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// The state of the login cached under `key`; a token for another
    /// start URL than `start_url` counts as no login, as `badge sync` and
    /// `badge login` see it.
    fn of_key(&mut self, key: &str, start_url: Option<&str>) -> LoginState {
        let state = match &self.cache {
            Some(cache) => {
                // One read of the file (and one line of `--verbose`).
                let loaded = cache.load(key);
                match (start_url, &loaded) {
                    (Some(wanted), Ok(Some(token)))
                        if token
                            .start_url
                            .as_deref()
                            .is_some_and(|cached| !same_url(wanted, cached)) =>
                    {
                        LoginState::Missing
                    }
                    _ => LoginState::of(&loaded, self.now),
                }
            }
            None => LoginState::Missing,
        };
        self.seen.insert(key.to_owned(), state);
        state
    }

    /// The state of `profile`'s login; `None` for a profile that needs no
    /// SSO login.
    pub fn of(&mut self, profiles: &Profiles, profile: &Profile) -> Option<LoginState> {
        let login = profiles.login_key(profile)?;
        // Looking the session up is a walk over every section: once a key.
        if let Some(state) = self.seen.get(login.key()) {
            return Some(*state);
        }
        let start_url = match login {
            LoginKey::Session(session) => profiles.session_start_url(session),
            LoginKey::StartUrl(_) => None,
        };
        Some(self.of_key(login.key(), start_url))
    }

    /// The token cache file of `profile`'s login, there or not, for the
    /// prompt to watch; `None` for a profile without an SSO login.
    pub fn cache_file(&self, profiles: &Profiles, profile: &Profile) -> Option<PathBuf> {
        let login = profiles.login_key(profile)?;
        Some(self.cache.as_ref()?.path_for(login.key()))
    }
}

/// One phrase for people: "valid until 2026-11-26 18:00 UTC", "expired".
pub fn describe(state: LoginState) -> String {
    match state {
        LoginState::Valid(at) => format!("valid until {}", human_time(at)),
        LoginState::Refreshable => "valid (renewed on next use)".to_owned(),
        LoginState::Expired => "expired".to_owned(),
        LoginState::Missing => "not signed in".to_owned(),
        LoginState::Unreadable => "unreadable token cache".to_owned(),
    }
}
