//! The prompt's login mark: what switching, `login`, `logout` and the
//! prompt's own `badge __prompt` tell the shell about the login of the
//! profile it shows, and the token cache file whose change makes the
//! prompt ask again.

use std::time::UNIX_EPOCH;

use super::files::load_profiles;
use crate::cmd::Context;
use crate::config::profiles::{Profile, Profiles};
use crate::shell::prompt::{self, LoginMark};
use crate::shell::{Shell, shell_word};
use crate::sso::login_state::LoginStates;
use crate::sso::token_cache::LoginState;
use crate::ui::say::command;

/// The script that tells the prompt about `profile`'s login (`None`: no
/// profile). An expiry is an epoch second; 0 for a profile that needs no
/// login or renews itself, 1 for one that has expired.
pub fn login_mark(
    shell: Shell,
    profile: Option<(&Profiles, &Profile)>,
    states: &mut LoginStates,
) -> String {
    let now = states
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let Some((profiles, profile)) = profile else {
        return prompt::login_mark(shell, None, now).finish();
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
    let word = match state {
        Some(LoginState::Missing) => "signed out",
        _ => "expired",
    };
    // A path that is not text is not watched.
    let token_file = states.cache_file(profiles, profile);
    let mark = LoginMark {
        profile: profile.name,
        expires,
        word,
        token_file: token_file.as_deref().and_then(|p| p.to_str()),
    };
    prompt::login_mark(shell, Some(mark), now).finish()
}

/// For `login`, `logout` and `badge __prompt` in the shell function: the
/// code that updates the prompt's login mark for the active profile; empty
/// outside it.
pub fn active_login_mark(ctx: &Context) -> String {
    let Some(shell) = ctx.hook else {
        return String::new();
    };
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let Some(active) = ctx.active.as_deref() else {
        return login_mark(shell, None, &mut states);
    };
    let Ok(profiles) = ctx.paths().and_then(|p| load_profiles(&p)) else {
        return String::new();
    };
    let profile = profiles.get(active);
    login_mark(shell, profile.as_ref().map(|p| (&profiles, p)), &mut states)
}

/// The command that signs the active profile's session back in, ready to
/// paste: plain `badge login` (which signs in the active profile) when no
/// pasted command can hold the name.
pub fn login_command(profile: &Profile) -> String {
    let cmd = command();
    let named = match profile.sso_session {
        Some(session) => shell_word(session).map(|s| format!("{cmd} login --sso-session {s}")),
        None => shell_word(profile.name).map(|p| format!("{cmd} login --profile {p}")),
    };
    named.unwrap_or_else(|_| format!("{cmd} login"))
}

/// The code that updates the prompt's login mark for a shell that a
/// directory moved to `name` (`None`: no profile).
pub fn login_mark_of(
    shell: Shell,
    profiles: &Profiles,
    name: Option<&str>,
    ctx: &Context,
) -> String {
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let profile = name.and_then(|n| profiles.get(n));
    login_mark(shell, profile.as_ref().map(|p| (profiles, p)), &mut states)
}
