//! The OIDC client badge registers (RegisterClient), cached in badge's own
//! state folder until it expires, so a sign-in does not register a new
//! client every time. One registration per sso-session, start URL, region,
//! scopes and flow, since each flow registers different grants.

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, anyhow};
use serde::{Deserialize, Serialize};

use super::errors::{Sent, service_error};
use crate::base::hash::sha1_hex;
use crate::base::time::{format_time, parse_time};
use crate::config::sessions::SsoSession;
use crate::sso::client::Network;
use crate::sso::token_cache::write_private;
use crate::ui::say::say;
use crate::ui::verbose::{self, verbose};

/// A cached registration is used only while it has this much time left,
/// so that the refresh token it backs keeps working for a day.
const REUSE_MARGIN: Duration = Duration::from_secs(24 * 3600);

/// The loopback redirect registered for the PKCE flow; the service accepts
/// it on any port (RFC 8252).
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

/// Which sign-in a registration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    AuthorizationCode,
    DeviceCode,
}

impl Flow {
    fn name(self) -> &'static str {
        match self {
            Flow::AuthorizationCode => "authorization_code",
            Flow::DeviceCode => "device_code",
        }
    }

    fn grant_types(self) -> [&'static str; 2] {
        match self {
            Flow::AuthorizationCode => ["authorization_code", "refresh_token"],
            Flow::DeviceCode => [
                "urn:ietf:params:oauth:grant-type:device_code",
                "refresh_token",
            ],
        }
    }
}

/// A registered client.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    /// `clientSecretExpiresAt`, in the token cache's time format.
    pub expires_at: String,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Registration {
    fn conceal(&self) {
        verbose::conceal(&self.client_id);
        verbose::conceal(&self.client_secret);
    }

    fn is_reusable_at(&self, now: SystemTime) -> bool {
        parse_time(&self.expires_at).is_some_and(|at| at > now + REUSE_MARGIN)
    }
}

/// Where the registration of `session` for `flow` is kept.
pub fn path(dir: &Path, session: &SsoSession, flow: Flow) -> PathBuf {
    let key = serde_json::json!({
        "flow": flow.name(),
        "region": session.region,
        "scopes": session.scopes,
        "session": session.name,
        "startUrl": session.start_url,
        "tool": "badge",
    });
    dir.join(format!("{}.json", sha1_hex(key.to_string().as_bytes())))
}

fn load(path: &Path) -> Option<Registration> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let why = match err.kind() {
                ErrorKind::NotFound => "none cached".to_owned(),
                kind => kind.to_string(),
            };
            verbose!("client registration {}: {why}", path.display());
            return None;
        }
    };
    let registration: Option<Registration> = serde_json::from_slice(&bytes).ok();
    match &registration {
        Some(found) => {
            found.conceal();
            verbose!(
                "client registration {}: valid until {}",
                path.display(),
                found.expires_at
            );
        }
        None => verbose!(
            "client registration {}: unreadable, ignored",
            path.display()
        ),
    }
    registration
}

/// 0600 in a 0700 folder, like the token cache: it holds a client secret.
fn store(path: &Path, registration: &Registration) -> Result<()> {
    let json = serde_json::to_vec_pretty(registration)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    write_private(dir, path, &json)?;
    verbose!("wrote the client registration {} (0600)", path.display());
    Ok(())
}

/// Drops a cached registration the service no longer knows.
pub fn forget(dir: Option<&Path>, session: &SsoSession, flow: Flow) {
    if let Some(dir) = dir {
        let path = path(dir, session, flow);
        verbose!(
            "the sign-in service no longer knows the client registration {}; removing it",
            path.display()
        );
        if let Err(err) = fs::remove_file(&path)
            && err.kind() != ErrorKind::NotFound
        {
            say!("cannot remove {}: {err}", path.display());
        }
    }
}

/// The cached registration while it is good, else a new one (cached when
/// `dir` is given; failing to cache it only costs a registration later).
pub async fn obtain(
    net: &Network,
    oidc: &aws_sdk_ssooidc::Client,
    session: &SsoSession,
    flow: Flow,
    dir: Option<&Path>,
) -> Result<Registration> {
    let path = dir.map(|dir| path(dir, session, flow));
    if let Some(found) = path.as_deref().and_then(load)
        && found.is_reusable_at(SystemTime::now())
    {
        return Ok(found);
    }
    verbose!(
        "registering badge as a client of {} ({}) for the {} flow",
        session.start_url,
        session.region,
        flow.name()
    );
    let registration = register(net, oidc, session, flow).await?;
    registration.conceal();
    if let Some(path) = &path
        && let Err(err) = store(path, &registration)
    {
        say!("the client registration is not cached: {err:#}");
    }
    Ok(registration)
}

async fn register(
    net: &Network,
    oidc: &aws_sdk_ssooidc::Client,
    session: &SsoSession,
    flow: Flow,
) -> Result<Registration> {
    let mut request = oidc
        .register_client()
        .client_name("badge")
        .client_type("public")
        .set_scopes(Some(session.scopes.clone()))
        .set_grant_types(Some(flow.grant_types().map(str::to_owned).to_vec()));
    if flow == Flow::AuthorizationCode {
        request = request
            .redirect_uris(REGISTERED_REDIRECT_URI)
            .issuer_url(&session.start_url);
    }
    let sent = Sent::oidc();
    let out = request
        .send()
        .await
        .map_err(|err| service_error(net, sent.answered(&err), err.into_service_error()))
        .with_context(|| {
            format!(
                "cannot register badge with the sign-in service at {}",
                net.oidc_endpoint(&session.region)
            )
        })?;
    let (Some(client_id), Some(client_secret)) = (out.client_id(), out.client_secret()) else {
        return Err(anyhow!("RegisterClient returned no client id or secret"));
    };
    let expires = u64::try_from(out.client_secret_expires_at())
        .ok()
        .filter(|&secs| secs > 0)
        .map_or(SystemTime::now(), |secs| {
            UNIX_EPOCH + Duration::from_secs(secs)
        });
    Ok(Registration {
        client_id: client_id.to_owned(),
        client_secret: client_secret.to_owned(),
        expires_at: format_time(expires),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn session(name: &str, scopes: &[&str]) -> SsoSession {
        SsoSession {
            name: name.into(),
            start_url: "https://acme.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            legacy_profile: None,
        }
    }

    #[test]
    fn registrations_are_keyed_by_session_scopes_and_flow() {
        let dir = Path::new("/state");
        let acme = session("acme", &["sso:account:access"]);
        let paths = [
            path(dir, &acme, Flow::AuthorizationCode),
            path(dir, &acme, Flow::DeviceCode),
            path(
                dir,
                &session("other", &["sso:account:access"]),
                Flow::AuthorizationCode,
            ),
            path(dir, &session("acme", &[]), Flow::AuthorizationCode),
        ];
        for (i, a) in paths.iter().enumerate() {
            for b in &paths[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(paths[0], path(dir, &acme, Flow::AuthorizationCode));
    }

    #[test]
    fn stored_privately_and_reused_only_well_before_expiry() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("state/clients");
        let file = path(&dir, &session("acme", &[]), Flow::DeviceCode);
        let now = SystemTime::now();
        let registration = Registration {
            client_id: "id".into(),
            client_secret: "client-secret".into(),
            expires_at: format_time(now + Duration::from_secs(90 * 86_400)),
        };
        store(&file, &registration).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let loaded = load(&file).unwrap();
        assert_eq!(loaded, registration);
        assert!(loaded.is_reusable_at(now));
        assert!(!loaded.is_reusable_at(now + Duration::from_secs(89 * 86_400 + 3600)));
        assert!(!format!("{loaded:?}").contains("client-secret"));
    }
}
