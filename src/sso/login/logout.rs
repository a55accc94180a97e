//! `badge logout`: the portal's Logout, which revokes the access token and
//! its refresh tokens, then the cache file removed whatever the portal said.

use std::time::SystemTime;

use anyhow::Result;

use super::errors::{Sent, service_error};
use super::refresh;
use crate::config::sessions::SsoSession;
use crate::sso::client::Network;
use crate::sso::token_cache::TokenCache;

/// What `badge logout` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedOut {
    /// There was no cached token.
    NotSignedIn,
    /// The portal ended the sign-in; the cached token is gone.
    SignedOut,
    /// The token had already expired or been revoked; the file is gone.
    AlreadyEnded,
    /// The file is gone, but the portal could not be told (the reason).
    NotRevoked(String),
}

/// Signs out of the sign-in cached under `name` (the portal's Logout
/// revokes the access token and its refresh tokens), then removes the cache
/// file whatever the portal said. `region` is used when the file names none.
pub async fn logout(
    net: &Network,
    name: &str,
    region: Option<&str>,
    cache: &TokenCache,
) -> Result<LoggedOut> {
    let token = match cache.load(name) {
        Ok(Some(token)) => token,
        Ok(None) => return Ok(LoggedOut::NotSignedIn),
        Err(err) => {
            cache.remove(name)?;
            return Ok(LoggedOut::NotRevoked(format!("{err:#}")));
        }
    };
    let region = token
        .region
        .as_deref()
        .or(region)
        .unwrap_or_default()
        .to_owned();
    let now = SystemTime::now();
    // An expired access token cannot sign out, but the refresh token it
    // leaves behind should die too: renew it first, then sign out.
    let access_token = if token.is_valid_at(now) {
        Some(token.access_token.clone())
    } else if token.is_refreshable_at(now) && !region.is_empty() {
        let session = SsoSession {
            name: name.to_owned(),
            start_url: token.start_url.clone().unwrap_or_default(),
            region: region.clone(),
            scopes: Vec::new(),
            legacy_profile: None,
        };
        refresh(net, &session, cache, &token)
            .await
            .ok()
            .map(|t| t.access_token)
    } else {
        None
    };
    let outcome = match access_token {
        None => LoggedOut::AlreadyEnded,
        Some(_) if region.is_empty() => {
            LoggedOut::NotRevoked("the cached token names no region".to_owned())
        }
        Some(access_token) => {
            let request = Sent::portal();
            let sent = net
                .portal(&region)
                .logout()
                .access_token(access_token)
                .send()
                .await;
            match sent {
                Ok(_) => LoggedOut::SignedOut,
                Err(err) => {
                    let request = request.answered(&err);
                    let err = err.into_service_error();
                    if err.is_unauthorized_exception() {
                        LoggedOut::AlreadyEnded
                    } else {
                        LoggedOut::NotRevoked(format!("{:#}", service_error(net, request, err)))
                    }
                }
            }
        }
    };
    cache.remove(name)?;
    Ok(outcome)
}
