//! Throttling and pagination: the two places where clients of the portal API
//! most often go wrong, so both are strict here.

use super::codec;
use std::time::{Duration, Instant};

/// A token bucket: `rate` tokens a second, holding at most `rate` (at least
/// one), starting full. A request that finds no whole token is refused and
/// told how long until one is there.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, now: Instant) -> TokenBucket {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            f64::MIN_POSITIVE
        };
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = self.last.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - self.tokens) / self.rate).min(3600.0),
            ))
        }
    }
}

/// What a next token continues: the account list, or one account's roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageScope {
    Accounts,
    Roles(String),
}

/// Leading bytes that base64-encode to `+/+/`, so that every token carries
/// the characters a client must URL-encode.
const MAGIC: [u8; 3] = [0xfb, 0xff, 0xbf];

/// An opaque next token: standard base64 always containing `+`, `/` and
/// `=`, bound to what it paginates, so a raw `+` (decoded as a space), a
/// truncated token or one from another listing is refused.
pub fn encode_page_token(scope: &PageScope, offset: usize) -> String {
    let mut raw = MAGIC.to_vec();
    match scope {
        PageScope::Accounts => raw.extend_from_slice(b"accounts"),
        PageScope::Roles(account) => {
            raw.extend_from_slice(b"roles:");
            raw.extend_from_slice(account.as_bytes());
        }
    }
    raw.push(0);
    raw.extend_from_slice(offset.to_string().as_bytes());
    raw.push(0);
    while raw.len() % 3 != 1 {
        raw.push(b'.');
    }
    codec::base64(&raw)
}

/// The offset a token stands for, if it is a token for `scope`.
pub fn decode_page_token(token: &str, scope: &PageScope) -> Option<usize> {
    let raw = codec::base64_decode(token)?;
    let body = raw.strip_prefix(&MAGIC[..])?;
    let mut parts = body.split(|&b| b == 0);
    let (tag, offset) = (parts.next()?, parts.next()?);
    let expected = match scope {
        PageScope::Accounts => b"accounts".to_vec(),
        PageScope::Roles(account) => [b"roles:", account.as_bytes()].concat(),
    };
    if tag != expected.as_slice() || !parts.next()?.iter().all(|&b| b == b'.') {
        return None;
    }
    std::str::from_utf8(offset).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(20.0, start);
        for _ in 0..20 {
            assert_eq!(bucket.try_take(start), Ok(()));
        }
        let wait = bucket.try_take(start).unwrap_err();
        assert!(
            wait > Duration::from_millis(45) && wait <= Duration::from_millis(50),
            "{wait:?}"
        );
        // One token every 50 ms afterwards, never more than the burst.
        assert!(bucket.try_take(start + Duration::from_millis(40)).is_err());
        assert_eq!(bucket.try_take(start + Duration::from_millis(51)), Ok(()));
        let later = start + Duration::from_secs(60);
        let granted = (0..100).filter(|_| bucket.try_take(later).is_ok()).count();
        assert_eq!(granted, 20);
    }

    #[test]
    fn bucket_with_a_fractional_rate_still_holds_one_token() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(0.5, start);
        assert_eq!(bucket.try_take(start), Ok(()));
        let wait = bucket.try_take(start).unwrap_err();
        assert!(wait > Duration::from_millis(1990), "{wait:?}");
        assert_eq!(bucket.try_take(start + Duration::from_secs(2)), Ok(()));
    }

    #[test]
    fn page_tokens_need_url_encoding_and_are_bound_to_their_listing() {
        let roles = PageScope::Roles("123456789012".into());
        for offset in [0, 7, 100, 123_456] {
            for scope in [PageScope::Accounts, roles.clone()] {
                let token = encode_page_token(&scope, offset);
                assert!(
                    token.contains('+') && token.contains('/') && token.contains('='),
                    "{token}"
                );
                assert_eq!(decode_page_token(&token, &scope), Some(offset));
            }
        }
        let token = encode_page_token(&PageScope::Accounts, 40);
        assert_eq!(decode_page_token(&token, &roles), None);
        assert_eq!(
            decode_page_token(&token.replace('+', " "), &PageScope::Accounts),
            None
        );
        assert_eq!(
            decode_page_token(&token[..token.len() - 8], &PageScope::Accounts),
            None
        );
        let other = encode_page_token(&PageScope::Roles("210987654321".into()), 3);
        assert_eq!(decode_page_token(&other, &roles), None);
    }
}
