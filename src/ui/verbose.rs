//! `--verbose` (or `BADGE_LOG=1`): what badge did, on stderr, for a user
//! working out why something does not work: the files it read and wrote,
//! the sso-session it used, each Identity Center API call with its status
//! and timing, retries, and waits for the config lock.
//!
//! Diagnostics go to stderr only: in the shell integration, stdout is code
//! that the shell evaluates. They never carry a token, a refresh token, a
//! client id or secret, a PKCE verifier, an authorization or device code,
//! or role credentials:
//!
//! - lines are built from names, paths, times and statuses, never from a
//!   request or response body or a header that carries a credential;
//! - the API log (`sso::api_log`) names an operation from its path and keeps
//!   only the query parameters known to be harmless (`account_id`,
//!   `role_name`);
//! - as a last guard, every value handed to [`conceal`] (badge hands over
//!   every secret it reads or receives) is replaced by `[secret]` in any
//!   line printed here.
//!
//! Like every line badge says, a diagnostic line is one line, whole
//! through [`printable`]: a name, path or server's word in it is drawn
//! as text, and cannot start a line of its own.
//!
//! Switching must stay fast, so when verbose output is off every call here
//! is one relaxed atomic load.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::base::text::printable;

static ENABLED: AtomicBool = AtomicBool::new(false);
static STARTED: OnceLock<Instant> = OnceLock::new();
static CONCEALED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// `verbose!("format", args…)`: a diagnostic line on stderr when verbose
/// output is on; the arguments are not even evaluated otherwise.
macro_rules! verbose {
    ($($arg:tt)*) => {
        if $crate::ui::verbose::enabled() {
            $crate::ui::verbose::line(format_args!($($arg)*));
        }
    };
}
pub(crate) use verbose;

/// Values shorter than this are not concealed: replacing every `1` or
/// `eu` in the output would hide more than it protects.
const MIN_CONCEALED_LEN: usize = 8;

/// Turns verbose output on for the rest of the process.
pub fn enable() {
    STARTED.get_or_init(Instant::now);
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A secret badge holds: never printed by a diagnostic line, even by
/// mistake. Cheap and a no-op when verbose output is off.
pub fn conceal(secret: &str) {
    if !enabled() {
        return;
    }
    add_concealed(
        &mut CONCEALED.lock().unwrap_or_else(|e| e.into_inner()),
        secret,
    );
}

fn add_concealed(concealed: &mut Vec<String>, secret: &str) {
    if secret.len() >= MIN_CONCEALED_LEN && !concealed.iter().any(|known| known == secret) {
        concealed.push(secret.to_owned());
        // Longest first, so a secret that contains another goes whole.
        concealed.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Prints one diagnostic line; use the [`verbose!`] macro.
pub fn line(args: fmt::Arguments) {
    let started = *STARTED.get_or_init(Instant::now);
    let text = scrub(
        &CONCEALED.lock().unwrap_or_else(|e| e.into_inner()),
        &args.to_string(),
    );
    let elapsed = started.elapsed().as_secs_f64();
    let _ = writeln!(
        std::io::stderr().lock(),
        "badge [{elapsed:7.3}s] {}",
        printable(&text)
    );
}

/// `text` with every concealed value replaced.
fn scrub(concealed: &[String], text: &str) -> String {
    let mut text = text.to_owned();
    for secret in concealed.iter() {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "[secret]");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concealed_values_never_reach_a_line() {
        let mut concealed = Vec::new();
        for secret in [
            "short",
            "the-access-token-1234",
            "the-access-token-1234-and-more",
            "the-access-token-1234",
        ] {
            add_concealed(&mut concealed, secret);
        }
        assert_eq!(concealed.len(), 2);
        let text = scrub(
            &concealed,
            "a the-access-token-1234-and-more b the-access-token-1234 c short",
        );
        assert_eq!(text, "a [secret] b [secret] c short");
    }
}
