//! The console sign-in endpoint (`https://signin.aws.amazon.com/federation`)
//! on the emulator's port, so `badge console` is tested end to end.
//!
//! - `GET /federation?Action=getSigninToken&Session=<JSON>[&SessionDuration=N]`:
//!   `Session` is `{"sessionId","sessionKey","sessionToken"}`, role
//!   credentials this emulator issued and that have not expired; answers
//!   `{"SigninToken": "..."}`. Credentials it did not issue, or expired
//!   ones, get 403; a malformed request (no or bad `Session`, a
//!   `SessionDuration` outside 900..=43200) 400.
//! - `GET /federation?Action=login&Issuer=&Destination=&SigninToken=`: a
//!   302 to `Destination` (an `https://` URL) for a token it issued, once
//!   (a token is single use) and within 15 minutes; 400 otherwise.
//!
//! Error answers are short HTML pages, as the real endpoint sends.

use super::state::{Params, Reply};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a sign-in token may be used.
pub const SIGNIN_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

struct IssuedCredentials {
    secret_access_key: String,
    session_token: String,
    /// Epoch milliseconds.
    expires_ms: u64,
}

struct SigninToken {
    expires: Instant,
    used: bool,
}

#[derive(Default)]
pub struct Federation {
    credentials: HashMap<String, IssuedCredentials>,
    tokens: HashMap<String, SigninToken>,
}

impl Federation {
    /// Role credentials GetRoleCredentials handed out.
    pub fn remember(
        &mut self,
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
        expires_ms: u64,
    ) {
        self.credentials.insert(
            access_key_id.to_string(),
            IssuedCredentials {
                secret_access_key: secret_access_key.to_string(),
                session_token: session_token.to_string(),
                expires_ms,
            },
        );
    }

    /// Every issued credential expires now.
    pub fn expire_credentials(&mut self) {
        for issued in self.credentials.values_mut() {
            issued.expires_ms = 0;
        }
    }

    /// The sign-in tokens handed out so far, for the secrets tests.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.tokens.keys().cloned().collect()
    }

    pub fn handle(&mut self, params: &Params, now: Instant) -> Reply {
        match params.get("Action") {
            Some("getSigninToken") => self.signin_token(params, now),
            Some("login") => self.login(params, now),
            _ => page(400, "Bad Request: unknown or missing Action"),
        }
    }

    fn signin_token(&mut self, params: &Params, now: Instant) -> Reply {
        if let Some(duration) = params.get("SessionDuration") {
            match duration.parse::<u64>() {
                Ok(secs) if (900..=43_200).contains(&secs) => {}
                _ => return page(400, "Bad Request: SessionDuration must be 900 to 43200"),
            }
        }
        let Some(session) = params
            .get("Session")
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
        else {
            return page(400, "Bad Request: Session is missing or not JSON");
        };
        let field = |name: &str| session.get(name).and_then(Value::as_str).unwrap_or("");
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let valid = self.credentials.get(field("sessionId")).is_some_and(|c| {
            c.secret_access_key == field("sessionKey")
                && c.session_token == field("sessionToken")
                && c.expires_ms > now_ms
        });
        if !valid {
            return page(403, "Forbidden: the session credentials are not valid");
        }
        let token = random_token();
        self.tokens.insert(
            token.clone(),
            SigninToken {
                expires: now + SIGNIN_TOKEN_LIFETIME,
                used: false,
            },
        );
        Reply::Json(200, json!({ "SigninToken": token }))
    }

    fn login(&mut self, params: &Params, now: Instant) -> Reply {
        let Some(destination) = params
            .get("Destination")
            .filter(|d| d.starts_with("https://"))
        else {
            return page(400, "Bad Request: Destination must be an https URL");
        };
        let token = params.get("SigninToken").unwrap_or("");
        match self.tokens.get_mut(token) {
            Some(signin) if !signin.used && now < signin.expires => {
                signin.used = true;
                Reply::Redirect(destination.to_string())
            }
            _ => page(400, "Bad Request: the sign-in token is not valid"),
        }
    }
}

fn page(status: u16, text: &str) -> Reply {
    Reply::Html(
        status,
        format!("<!doctype html><html><body><h1>{text}</h1></body></html>\n"),
    )
}

fn random_token() -> String {
    (0..6)
        .map(|i| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            format!("{:016x}", hasher.finish())
        })
        .collect::<Vec<_>>()
        .join("")
}
