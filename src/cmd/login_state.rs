//! Whether a profile's Identity Center login is still good, read from the
//! token cache alone (no network), for `ls`, `current`, switching and the
//! prompt's expiry marker.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::cli::Shell;
use crate::config::profiles::{Profile, Profiles};
use crate::shell::{Script, shell_word};
use crate::sso::login::{human_time, same_url};
use crate::sso::token_cache::{LoginState, TokenCache};

/// Login states by cache key, so 10,000 profiles of one session read the
/// cache once.
pub struct LoginStates {
    cache: Option<TokenCache>,
    now: SystemTime,
    seen: HashMap<String, LoginState>,
}

/// The cache key of a profile: its sso-session, or the start URL of a
/// legacy SSO profile; `None` for a profile that needs no SSO login.
pub fn cache_key(profiles: &Profiles, profile: &Profile) -> Option<String> {
    if let Some(session) = profile.sso_session {
        return Some(session.to_owned());
    }
    let doc = profiles.config();
    let id = doc.profile(profile.name)?;
    doc.get(id, "sso_start_url").map(str::to_owned)
}

impl LoginStates {
    pub fn new(cache: Option<TokenCache>) -> LoginStates {
        LoginStates {
            cache,
            now: SystemTime::now(),
            seen: HashMap::new(),
        }
    }

    /// The state of the cache entry `key`; a token for another start URL
    /// than `start_url` counts as no login, as `badge sync` and `badge
    /// login` see it.
    fn of_key(&mut self, key: &str, start_url: Option<&str>) -> LoginState {
        if let Some(state) = self.seen.get(key) {
            return *state;
        }
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

    pub fn of(&mut self, profiles: &Profiles, profile: &Profile) -> Option<LoginState> {
        let key = cache_key(profiles, profile)?;
        // Looking the session up is a walk over every section: once a key.
        if let Some(state) = self.seen.get(&key) {
            return Some(*state);
        }
        let start_url = profile.sso_session.and_then(|session| {
            let doc = profiles.config();
            doc.get(doc.sso_session(session)?, "sso_start_url")
        });
        Some(self.of_key(&key, start_url))
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

/// The command that signs a profile's session back in, ready to paste.
pub fn login_command(profile: &Profile) -> String {
    match profile.sso_session {
        Some(session) => format!("badge login --sso-session {}", shell_word(session)),
        None => format!("badge login --profile {}", shell_word(profile.name)),
    }
}

/// Shell code that tells the prompt when the login of `profile` expires:
/// `__badge_expires` is an epoch second (0: needs no login, 1: already
/// expired), for the profile named in `__badge_expires_for`, and
/// `__badge_mark_word` the word the prompt shows then: `signed out` when
/// there is no login at all (never signed in, or `badge logout`), else
/// `expired`. fish has no clock without starting a process, so it gets the
/// verdict of now.
pub fn prompt_state(
    shell: Shell,
    profile: Option<(&Profiles, &Profile)>,
    states: &mut LoginStates,
) -> String {
    let mut script = Script::new(shell);
    let Some((profiles, profile)) = profile else {
        script.unset("__badge_expires_for");
        script.unset("__badge_expires");
        script.unset("__badge_mark_word");
        if shell == Shell::Fish {
            script.unset("__badge_expired");
        }
        return script.finish();
    };
    let state = states.of(profiles, profile);
    let expires: u64 = match state {
        None => 0,
        Some(LoginState::Valid(at)) => at
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_secs().max(2)),
        // The SDKs renew it on their own.
        Some(LoginState::Refreshable) => 0,
        Some(_) => 1,
    };
    script.set_global("__badge_expires_for", profile.name);
    script.set_global("__badge_expires", &expires.to_string());
    let word = match state {
        Some(LoginState::Missing) => "signed out",
        _ => "expired",
    };
    script.set_global("__badge_mark_word", word);
    if shell == Shell::Fish {
        let now = states
            .now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if expires > 0 && now >= expires {
            script.set_global("__badge_expired", "1");
        } else {
            script.unset("__badge_expired");
        }
    }
    script.finish()
}
