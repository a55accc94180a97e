//! The authorization code flow with PKCE (RFC 7636, S256) and a loopback
//! redirect (RFC 8252), the way the AWS CLI signs in by default.

use anyhow::{Context as _, Result, anyhow};
use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tokio::time::Instant;

use super::errors::{Sent, create_token_error};
use super::loopback::{Callback, Loopback};
use super::registration::{self, Flow};
use super::{DEFAULT_TIMEOUT, LoginOptions, browser, cached_token};
use crate::base::url::encode_query_value;
use crate::config::sessions::SsoSession;
use crate::sso::token_cache::CachedToken;
use crate::ui::say::say;
use crate::ui::verbose::{self, verbose};

/// A PKCE code verifier (RFC 7636 §4.1): 32 bytes from the system's
/// CSPRNG as base64url, 43 characters of the unreserved set, the shortest
/// the RFC allows and the entropy it recommends.
pub fn new_verifier() -> Result<String> {
    random_string(32)
}

/// `n` bytes from the system's CSPRNG (aws-lc-rs `SystemRandom`, which
/// reads the kernel's generator; never a seeded PRNG), base64url without
/// padding.
pub fn random_string(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow!("the system random number generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 code challenge of a verifier.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// The browser's sign-in URL on the OIDC endpoint.
pub fn authorize_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
    scopes: &[String],
) -> String {
    let params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("scopes", &scopes.join(" ")),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect();
    format!(
        "{}/authorize?{}",
        endpoint.trim_end_matches('/'),
        query.join("&")
    )
}

pub async fn sign_in(
    oidc: &aws_sdk_ssooidc::Client,
    session: &SsoSession,
    opts: &LoginOptions,
) -> Result<CachedToken> {
    let (dir, net) = (opts.registration_dir.as_deref(), &opts.network);
    let client = registration::obtain(net, oidc, session, Flow::AuthorizationCode, dir).await?;
    let verifier = new_verifier()?;
    let state = random_string(32)?;
    verbose::conceal(&verifier);
    verbose::conceal(&state);
    let loopback = Loopback::bind().await?;
    let redirect_uri = loopback.redirect_uri();
    verbose!("listening on {redirect_uri} for the browser's redirect (127.0.0.1 only)");
    let url = authorize_url(
        &net.oidc_endpoint(&session.region),
        &client.client_id,
        &redirect_uri,
        &state,
        &challenge(&verifier),
        &session.scopes,
    );
    browser::show(&url, opts);
    say!(
        "waiting for the sign-in to {} to finish in the browser…",
        session.label()
    );
    let limit = opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
    verbose!("waiting up to {} s for the browser", limit.as_secs());
    let waited = Instant::now();
    let code = match loopback.wait(&state, limit).await? {
        Some(Callback::Code(code)) => {
            verbose::conceal(&code);
            verbose!(
                "the browser brought an authorization code back after {}",
                crate::base::time::took(waited.elapsed())
            );
            code
        }
        None => {
            return Err(anyhow!(
                "no sign-in came back from the browser within {} s; run `{}` to try again, \
                 or `{1} --device-code` on a host the browser cannot reach",
                limit.as_secs(),
                super::login_command(session)
            ));
        }
        Some(Callback::Denied(reason)) => {
            return Err(anyhow!(
                "the sign-in was not approved in the browser ({reason}); run `{}` to try again",
                super::login_command(session)
            ));
        }
    };
    let sent = Sent::oidc();
    let out = oidc
        .create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type("authorization_code")
        .code(code)
        .code_verifier(verifier)
        .redirect_uri(&redirect_uri)
        .send()
        .await
        .map_err(|err| {
            let sent = sent.answered(&err);
            let err = err.into_service_error();
            if err.is_invalid_client_exception() {
                registration::forget(dir, session, Flow::AuthorizationCode);
            }
            create_token_error(net, sent, err)
        })
        .with_context(|| {
            format!(
                "the sign-in service did not accept the browser's sign-in; run `{}` to try again",
                super::login_command(session)
            )
        })?;
    cached_token(
        net,
        session,
        &out,
        Some(client.client_id),
        Some(client.client_secret),
        Some(client.expires_at),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_of_the_rfc_7636_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_random_and_url_safe() {
        let a = random_string(32).unwrap();
        let b = random_string(32).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            "{a}"
        );
    }

    /// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`; each one
    /// new; and the challenge is base64url(SHA-256(verifier)), checked
    /// against a second SHA-256 implementation.
    #[test]
    fn verifiers_follow_rfc_7636_and_never_repeat() {
        use sha2::{Digest, Sha256};
        let unreserved = |c: u8| c.is_ascii_alphanumeric() || b"-._~".contains(&c);
        let mut seen = std::collections::HashSet::new();
        let mut first_chars = std::collections::HashSet::new();
        for _ in 0..1000 {
            let verifier = new_verifier().unwrap();
            assert!((43..=128).contains(&verifier.len()), "{verifier}");
            assert!(verifier.bytes().all(unreserved), "{verifier}");
            first_chars.insert(verifier.as_bytes()[0]);
            let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            assert_eq!(challenge(&verifier), expected);
            assert!(seen.insert(verifier), "a verifier came twice");
        }
        // 1000 draws from 64 letters: a generator stuck on a few would show.
        assert!(first_chars.len() > 40, "{}", first_chars.len());
    }

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let url = authorize_url(
            "https://oidc.eu-west-1.amazonaws.com/",
            "client-1",
            "http://127.0.0.1:4242/oauth/callback",
            "st",
            "ch",
            &["sso:account:access".to_owned(), "openid".to_owned()],
        );
        assert_eq!(
            url,
            "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=client-1\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Foauth%2Fcallback&state=st\
             &code_challenge=ch&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess%20openid"
        );
    }
}
