//! Target `token_cache`: reading, writing and the login state of cache files.

use std::fs;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::base::time::{format_time, parse_time};
use crate::sso::token_cache::{CachedToken, LoginState, TokenCache};

/// Target `token_cache`: any bytes as a cache file: loading never panics;
/// an error names the file and a position, never the content; what loads
/// stores and loads again equal; its times format and parse back; its
/// debug output shows no secret.
pub fn token_cache(data: &[u8]) {
    let dir = thread_scratch("cache");
    let cache = TokenCache::in_dir(dir.clone());
    let path = cache.path_for("fuzz");
    fs::write(&path, data).expect("cannot write the cache file");
    let now = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let loaded = cache.load("fuzz");
    let state = cache.state("fuzz", now);
    match loaded {
        Err(err) => {
            assert_eq!(state, LoginState::Unreadable);
            let message = format!("{err:#}");
            let shown = path.display().to_string();
            let rest = message
                .strip_prefix(&shown)
                .unwrap_or_else(|| panic!("{message:?} does not start with the path"));
            let position = rest
                .strip_prefix(" is not a valid token cache file (line ")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|r| r.split_once(", column "))
                .is_some_and(|(l, c)| {
                    l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit())
                });
            assert!(
                position || rest == " has an unreadable expiresAt",
                "the error says more than where: {message:?}"
            );
        }
        Ok(None) => panic!("the file is there"),
        Ok(Some(token)) => {
            assert_ne!(state, LoginState::Unreadable);
            assert_ne!(state, LoginState::Missing);
            let expires = token.expires().expect("load checks expiresAt");
            check_time_round_trip(expires);
            if let Some(at) = token.registration_expires() {
                check_time_round_trip(at);
            }
            cache.store("fuzz-again", &token).expect("store");
            let again = cache.load("fuzz-again").expect("load what was stored");
            assert!(
                again.as_ref() == Some(&token),
                "store then load changed the token"
            );
            check_debug_hides_secrets(&token);
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(at) = parse_time(&text) {
        check_time_round_trip(at);
    }
    let mut secs = [0u8; 8];
    for (s, d) in secs.iter_mut().zip(data) {
        *s = *d;
    }
    time_props(u64::from_le_bytes(secs));
}

/// The last second `format_time` writes with four digits of year.
const LAST_FORMATTED: u64 = 253_402_300_799;

/// `format_time` then `parse_time` gives the same second, for any second
/// from 1970 to the end of year 9999, in the AWS CLI's exact shape.
pub fn time_props(secs: u64) {
    let secs = secs % (LAST_FORMATTED + 1);
    let at = UNIX_EPOCH + Duration::from_secs(secs);
    let text = format_time(at);
    let b = text.as_bytes();
    assert_eq!(text.len(), 20, "{text}");
    assert!(
        b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':',
        "{text}"
    );
    assert_eq!(b[19], b'Z');
    assert_eq!(parse_time(&text), Some(at), "{text}");
    let with_fraction = text.replace('Z', ".123456Z");
    assert_eq!(parse_time(&with_fraction), Some(at), "{with_fraction}");
}

/// A time `parse_time` accepted writes in a form it reads back the same.
fn check_time_round_trip(at: SystemTime) {
    let secs = at.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    if secs <= LAST_FORMATTED {
        assert_eq!(parse_time(&format_time(at)), Some(at));
    }
}

/// The debug form of a token is the same whatever its secrets are.
fn check_debug_hides_secrets(token: &CachedToken) {
    let mut blank = token.clone();
    blank.access_token = String::new();
    blank.client_secret = blank.client_secret.as_ref().map(|_| String::new());
    blank.refresh_token = blank.refresh_token.as_ref().map(|_| String::new());
    blank.client_id = blank.client_id.as_ref().map(|_| String::new());
    assert_eq!(format!("{token:?}"), format!("{blank:?}"));
}
