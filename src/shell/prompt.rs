//! What the prompt needs to know about the active profile's login, as
//! shell variables: the prompt reads them with builtins and starts no
//! process (see `shell/init.*`) unless the token cache file they came from
//! changed since.

use super::script::Script;
use super::{Shell, vars};

/// The login of the profile the prompt shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginMark<'a> {
    pub profile: &'a str,
    /// When its login expires, as an epoch second; 0 when it needs no
    /// login (or renews itself), 1 when it has expired already.
    pub expires: u64,
    /// What the prompt shows once it has: `expired` or `signed out`.
    pub word: &'a str,
    /// The token cache file the mark comes from, there or not, for the
    /// prompt to watch (see [`super::watch`]).
    pub token_file: Option<&'a str>,
}

/// The script that tells the prompt about `mark` (no profile: `None`).
/// `now` is the epoch second, for fish, which has no clock of its own
/// without starting a process and so gets the verdict of now.
pub fn login_mark(shell: Shell, mark: Option<LoginMark<'_>>, now: u64) -> Script {
    let mut script = Script::new(shell);
    let Some(mark) = mark else {
        script.unset(vars::EXPIRES_FOR);
        script.unset(vars::EXPIRES);
        script.unset(vars::MARK_WORD);
        if shell == Shell::Fish {
            script.unset(vars::EXPIRED);
        }
        script.unset(vars::TOKEN_FILE);
        return script;
    };
    script.set_global(vars::EXPIRES_FOR, mark.profile);
    script.set_global(vars::EXPIRES, &mark.expires.to_string());
    script.set_global(vars::MARK_WORD, mark.word);
    if shell == Shell::Fish {
        if mark.expires > 0 && now >= mark.expires {
            script.set_global(vars::EXPIRED, "1");
        } else {
            script.unset(vars::EXPIRED);
        }
    }
    match mark.token_file {
        Some(file) => script.set_global(vars::TOKEN_FILE, file),
        None => script.unset(vars::TOKEN_FILE),
    }
    script
}
