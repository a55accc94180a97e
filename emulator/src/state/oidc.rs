//! The OIDC API (RegisterClient, StartDeviceAuthorization, CreateToken)
//! and the browser pages of a sign-in (`/authorize`, `/device`).

use super::super::codec::{self, html_escape, percent_encode};
use super::{
    AUTHORIZATION_CODE_GRANT, AccessToken, ApiError, Approval, AuthCode, Client, DEVICE_CODE_GRANT,
    DeviceGrant, Params, PendingAuthorization, REFRESH_TOKEN_GRANT, RefreshGrant, Reply, State,
    URL_SAFE_CHARS, epoch_now,
};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};

/// How long a device code and an authorization code stay usable.
const DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(600);
const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(300);
/// The polling interval StartDeviceAuthorization announces, in seconds.
const DEVICE_INTERVAL: u64 = 1;

impl State {
    pub fn register_client(&mut self, body: &Value) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        required_str(body, "clientName")?;
        let client_type = required_str(body, "clientType")?;
        if client_type != "public" {
            return Err(ApiError::oidc(
                "InvalidClientMetadataException",
                format!("Client type {client_type} is not supported"),
            ));
        }
        let scopes = str_list(body, "scopes")?;
        if let Some(bad) = scopes
            .iter()
            .find(|s| s.is_empty() || s.contains(char::is_whitespace))
        {
            return Err(ApiError::oidc(
                "InvalidScopeException",
                format!("Invalid scope: {bad:?}"),
            ));
        }
        let grant_types = str_list(body, "grantTypes")?;
        let known = [
            DEVICE_CODE_GRANT,
            REFRESH_TOKEN_GRANT,
            AUTHORIZATION_CODE_GRANT,
        ];
        if let Some(bad) = grant_types.iter().find(|g| !known.contains(&g.as_str())) {
            return Err(ApiError::oidc(
                "UnsupportedGrantTypeException",
                format!("Unsupported grant type: {bad}"),
            ));
        }
        let redirect_uris = str_list(body, "redirectUris")?;
        if let Some(bad) = redirect_uris.iter().find(|u| !valid_redirect_uri(u)) {
            return Err(ApiError::oidc(
                "InvalidRedirectUriException",
                format!("Invalid redirect URI: {bad}"),
            ));
        }
        if grant_types.iter().any(|g| g == AUTHORIZATION_CODE_GRANT) && redirect_uris.is_empty() {
            return Err(ApiError::oidc(
                "InvalidRequestException",
                "redirectUris is required for the authorization_code grant",
            ));
        }
        optional_str(body, "issuerUrl")?;
        let issued_at = epoch_now().as_secs();
        let expires_at = issued_at + self.knobs.client_lifetime.as_secs();
        let client_id = self.rng.pick(URL_SAFE_CHARS, 22) + "ZXUtd2VzdC0x";
        let header = codec::base64url(br#"{"kid":"key-emulator","alg":"HS384"}"#);
        let payload = codec::base64url(
            format!(
                r#"{{"serialized":"{}"}}"#,
                self.rng.pick(URL_SAFE_CHARS, 120)
            )
            .as_bytes(),
        );
        let secret = format!(
            "{header}.{payload}.{}",
            codec::base64url(&self.rng.bytes(48))
        );
        self.remember_secret("clientId", &client_id);
        self.remember_secret("clientSecret", &secret);
        self.clients.insert(
            client_id.clone(),
            Client {
                secret: secret.clone(),
                scopes,
                grant_types,
                redirect_uris,
                expires_at,
            },
        );
        Ok(json!({
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": issued_at,
            "clientSecretExpiresAt": self.knobs.hostile.client_secret_expires_at.map_or(json!(expires_at), |n| json!(n)),
        }))
    }

    fn client(&self, body: &Map<String, Value>) -> Result<(String, &Client), ApiError> {
        let client_id = required_str(body, "clientId")?;
        let secret = required_str(body, "clientSecret")?;
        match self.clients.get(client_id) {
            Some(client)
                if client.secret == secret && client.expires_at > epoch_now().as_secs() =>
            {
                Ok((client_id.to_string(), client))
            }
            Some(client) if client.secret == secret => Err(ApiError::oidc(
                "InvalidClientException",
                "Client registration has expired",
            )),
            _ => Err(ApiError::oidc(
                "InvalidClientException",
                "Invalid client provided",
            )),
        }
    }

    pub fn start_device_authorization(
        &mut self,
        body: &Value,
        base_url: &str,
        now: Instant,
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let (client_id, client) = self.client(body)?;
        if !client.allows(DEVICE_CODE_GRANT) {
            return Err(ApiError::oidc(
                "UnauthorizedClientException",
                "Client is not registered for the device code grant",
            ));
        }
        required_str(body, "startUrl")?;
        let device_code = self.rng.pick(URL_SAFE_CHARS, 64);
        self.remember_secret("deviceCode", &device_code);
        let forced = self.knobs.device_text.clone();
        let user_code = match &forced {
            Some(text) => text.user_code.clone(),
            None => loop {
                let letters = self.rng.pick(b"BCDFGHJKLMNPQRSTVWXZ", 8);
                let code = format!("{}-{}", &letters[..4], &letters[4..]);
                if !self.devices.values().any(|d| d.user_code == code) {
                    break code;
                }
            },
        };
        let verification_uri = match &forced {
            Some(text) => text.verification_uri.clone(),
            None => format!("{base_url}/device"),
        };
        let approval = if self.knobs.auto_approve && self.knobs.approve_on_start {
            Approval::Approved
        } else {
            Approval::Pending
        };
        self.devices.insert(
            device_code.clone(),
            DeviceGrant {
                client_id,
                user_code: user_code.clone(),
                expires_at: now + DEVICE_CODE_LIFETIME,
                approval,
                polls: 0,
                last_poll: None,
            },
        );
        Ok(json!({
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUriComplete": format!("{verification_uri}?user_code={user_code}"),
            "verificationUri": verification_uri,
            "expiresIn": self.knobs.hostile.device_expires_in.map_or(json!(DEVICE_CODE_LIFETIME.as_secs()), |n| json!(n)),
            "interval": self.knobs.hostile.device_interval.map_or(json!(DEVICE_INTERVAL), |n| json!(n)),
        }))
    }

    pub fn create_token(&mut self, body: &Value, now: Instant) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let (client_id, client) = self.client(body)?;
        let grant = required_str(body, "grantType")?;
        if ![
            DEVICE_CODE_GRANT,
            REFRESH_TOKEN_GRANT,
            AUTHORIZATION_CODE_GRANT,
        ]
        .contains(&grant)
        {
            return Err(ApiError::oidc(
                "UnsupportedGrantTypeException",
                format!("Unsupported grant type: {grant}"),
            ));
        }
        if !client.allows(grant) {
            return Err(ApiError::oidc(
                "UnauthorizedClientException",
                format!("Client is not registered for the {grant} grant"),
            ));
        }
        let session = match grant {
            DEVICE_CODE_GRANT => {
                self.redeem_device_code(&client_id, required_str(body, "deviceCode")?, now)?
            }
            AUTHORIZATION_CODE_GRANT => self.redeem_auth_code(&client_id, body, now)?,
            _ => self.redeem_refresh_token(&client_id, required_str(body, "refreshToken")?)?,
        };
        Ok(self.issue_tokens(&client_id, session, now))
    }

    fn redeem_device_code(
        &mut self,
        client_id: &str,
        device_code: &str,
        now: Instant,
    ) -> Result<Option<u64>, ApiError> {
        let grant = self
            .devices
            .get_mut(device_code)
            .filter(|g| g.client_id == client_id)
            .ok_or_else(|| {
                ApiError::oidc("InvalidGrantException", "Invalid device code provided")
            })?;
        if now >= grant.expires_at {
            return Err(ApiError::oidc(
                "ExpiredTokenException",
                "Device code has expired",
            ));
        }
        let last_poll = grant.last_poll.replace(now);
        grant.polls += 1;
        match grant.approval {
            Approval::Approved => {
                grant.approval = Approval::Consumed;
                Ok(None)
            }
            Approval::Consumed => Err(ApiError::oidc(
                "InvalidGrantException",
                "Device code has already been used",
            )),
            Approval::Denied => Err(ApiError::oidc(
                "AccessDeniedException",
                "The user denied the request",
            )),
            Approval::Pending => {
                // Real clients poll twice in quick succession at the start;
                // only later polls faster than half the interval slow down.
                let too_fast = last_poll.is_some_and(|last| {
                    now.saturating_duration_since(last)
                        < Duration::from_millis(DEVICE_INTERVAL * 500)
                });
                if grant.polls > 2 && too_fast {
                    Err(ApiError::oidc(
                        "SlowDownException",
                        "Client is polling too quickly",
                    ))
                } else {
                    Err(ApiError::oidc(
                        "AuthorizationPendingException",
                        "Authorization is still pending",
                    ))
                }
            }
        }
    }

    fn redeem_auth_code(
        &mut self,
        client_id: &str,
        body: &Map<String, Value>,
        now: Instant,
    ) -> Result<Option<u64>, ApiError> {
        let code = required_str(body, "code")?;
        let redirect_uri = optional_str(body, "redirectUri")?;
        let verifier = optional_str(body, "codeVerifier")?;
        if let Some(verifier) = verifier {
            self.remember_secret("codeVerifier", verifier);
        }
        let invalid = |why: &str| ApiError::oidc("InvalidGrantException", why);
        // A code is single use: any attempt to redeem it consumes it.
        let stored = self
            .codes
            .remove(code)
            .ok_or_else(|| invalid("Invalid authorization code provided"))?;
        if stored.client_id != client_id {
            return Err(invalid("Invalid authorization code provided"));
        }
        if now >= stored.expires_at {
            return Err(invalid("Authorization code has expired"));
        }
        if redirect_uri != Some(stored.redirect_uri.as_str()) {
            return Err(invalid(
                "Redirect URI does not match the authorization request",
            ));
        }
        if verifier.map(codec::pkce_s256).as_deref() != Some(stored.challenge.as_str()) {
            return Err(invalid("Code verifier does not match the code challenge"));
        }
        Ok(None)
    }

    fn redeem_refresh_token(
        &mut self,
        client_id: &str,
        refresh_token: &str,
    ) -> Result<Option<u64>, ApiError> {
        match self.refresh.get(refresh_token) {
            Some(grant) if grant.client_id == client_id => {
                let session = grant.session;
                // Refresh tokens rotate: the old one stops working.
                self.refresh.remove(refresh_token);
                Ok(Some(session))
            }
            _ => Err(ApiError::oidc(
                "InvalidGrantException",
                "Invalid refresh token provided",
            )),
        }
    }

    pub(super) fn issue_tokens(
        &mut self,
        client_id: &str,
        session: Option<u64>,
        now: Instant,
    ) -> Value {
        let session = session.unwrap_or_else(|| {
            self.next_session += 1;
            self.next_session
        });
        let access_token = format!(
            "aoaAAAAAG{}:{}",
            self.rng.pick(URL_SAFE_CHARS, 48),
            codec::base64(&self.rng.bytes(71))
        );
        self.remember_secret("accessToken", &access_token);
        self.access.insert(
            access_token.clone(),
            AccessToken {
                session,
                expires_at: now + self.knobs.token_lifetime,
            },
        );
        let mut response = json!({
            "accessToken": access_token,
            "tokenType": "Bearer",
            "expiresIn": self.knobs.hostile.token_expires_in.map_or(json!(self.knobs.token_lifetime.as_secs()), |n| json!(n)),
        });
        let refresh = self.knobs.refresh_allowed
            && self
                .clients
                .get(client_id)
                .is_some_and(Client::gets_refresh_tokens);
        if refresh {
            let refresh_token = format!(
                "aorAAAAAG{}:{}",
                self.rng.pick(URL_SAFE_CHARS, 48),
                codec::base64(&self.rng.bytes(95))
            );
            self.remember_secret("refreshToken", &refresh_token);
            self.refresh.insert(
                refresh_token.clone(),
                RefreshGrant {
                    session,
                    client_id: client_id.to_string(),
                },
            );
            response["refreshToken"] = json!(refresh_token);
        }
        response
    }

    // ---- browser pages ----------------------------------------------------

    pub fn authorize_page(&mut self, params: &Params, now: Instant) -> Reply {
        let client_id = params.get("client_id").unwrap_or_default();
        let redirect_uri = params.get("redirect_uri").unwrap_or_default();
        let client = match self.clients.get(client_id) {
            Some(client) if client.expires_at > epoch_now().as_secs() => client,
            _ => return page(400, "Sign-in failed", "<p>Unknown or expired client.</p>"),
        };
        if !client
            .redirect_uris
            .iter()
            .any(|r| redirect_matches(r, redirect_uri))
        {
            return page(
                400,
                "Sign-in failed",
                "<p>The redirect URI is not registered for this client.</p>",
            );
        }
        let state = params.get("state").map(str::to_string);
        let fail = |error: &str, description: &str| {
            Reply::Redirect(redirect_with(
                redirect_uri,
                &[("error", error), ("error_description", description)],
                state.as_deref(),
            ))
        };
        if params.get("response_type") != Some("code") {
            return fail("unsupported_response_type", "response_type must be code");
        }
        if !client.allows(AUTHORIZATION_CODE_GRANT) {
            return fail(
                "unauthorized_client",
                "client is not registered for authorization_code",
            );
        }
        let challenge = match (
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        ) {
            (Some(challenge), Some("S256")) if !challenge.is_empty() => challenge.to_string(),
            _ => {
                return fail(
                    "invalid_request",
                    "code_challenge with code_challenge_method=S256 is required",
                );
            }
        };
        let request = PendingAuthorization {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            state,
            challenge,
            expires_at: now + AUTH_CODE_LIFETIME,
        };
        if self.knobs.auto_approve {
            return self.approve_authorization(request, now);
        }
        let id = self.rng.pick(URL_SAFE_CHARS, 32);
        self.pending.insert(id.clone(), request);
        page(
            200,
            "Allow access?",
            &format!(
                "<p>The application is requesting access to your AWS accounts.</p>\
                 <form method=\"post\" action=\"/authorize\">\
                 <input type=\"hidden\" name=\"request\" value=\"{id}\">\
                 <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button> \
                 <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
                 </form>"
            ),
        )
    }

    pub fn authorize_decision(&mut self, form: &Params, now: Instant) -> Reply {
        let request = form.get("request").and_then(|id| self.pending.remove(id));
        match request {
            Some(request) if now < request.expires_at => {
                if form.get("decision") == Some("allow") {
                    self.approve_authorization(request, now)
                } else {
                    Reply::Redirect(redirect_with(
                        &request.redirect_uri,
                        &[
                            ("error", "access_denied"),
                            ("error_description", "The user denied the request"),
                        ],
                        request.state.as_deref(),
                    ))
                }
            }
            _ => page(
                400,
                "Sign-in failed",
                "<p>This request has expired. Start again.</p>",
            ),
        }
    }

    fn approve_authorization(&mut self, request: PendingAuthorization, now: Instant) -> Reply {
        let code = self.rng.pick(URL_SAFE_CHARS, 40);
        self.remember_secret("authorizationCode", &code);
        let location = redirect_with(
            &request.redirect_uri,
            &[("code", &code)],
            request.state.as_deref(),
        );
        self.codes.insert(
            code,
            AuthCode {
                client_id: request.client_id,
                redirect_uri: request.redirect_uri,
                challenge: request.challenge,
                expires_at: now + AUTH_CODE_LIFETIME,
            },
        );
        Reply::Redirect(location)
    }

    pub fn device_page(&mut self, params: &Params, now: Instant) -> Reply {
        let Some(user_code) = params.get("user_code").filter(|c| !c.is_empty()) else {
            return page(
                200,
                "Authorize request",
                "<form method=\"get\" action=\"/device\"><label>Code <input name=\"user_code\"></label>\
                 <button type=\"submit\">Next</button></form>",
            );
        };
        let user_code = user_code.trim().to_uppercase();
        let auto_approve = self.knobs.auto_approve;
        let Some(grant) = self.device_by_user_code(&user_code, now) else {
            return page(404, "Authorize request", "<p>Unknown or expired code.</p>");
        };
        match grant.approval {
            Approval::Pending if auto_approve => {
                grant.approval = Approval::Approved;
                page(
                    200,
                    "Request approved",
                    "<p>Request approved. You can close this window.</p>",
                )
            }
            Approval::Pending => page(
                200,
                "Authorize request",
                &format!(
                    "<p>Approve the request with code <code>{code}</code>?</p>\
                     <form method=\"post\" action=\"/device\">\
                     <input type=\"hidden\" name=\"user_code\" value=\"{code}\">\
                     <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Approve</button> \
                     <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
                     </form>",
                    code = html_escape(&user_code)
                ),
            ),
            _ => page(
                200,
                "Request approved",
                "<p>This request was already handled.</p>",
            ),
        }
    }

    pub fn device_decision(&mut self, form: &Params, now: Instant) -> Reply {
        let user_code = form
            .get("user_code")
            .unwrap_or_default()
            .trim()
            .to_uppercase();
        let allow = form.get("decision") == Some("allow");
        match self.device_by_user_code(&user_code, now) {
            Some(grant) if grant.approval == Approval::Pending => {
                grant.approval = if allow {
                    Approval::Approved
                } else {
                    Approval::Denied
                };
                if allow {
                    page(
                        200,
                        "Request approved",
                        "<p>Request approved. You can close this window.</p>",
                    )
                } else {
                    page(200, "Request denied", "<p>Request denied.</p>")
                }
            }
            Some(_) => page(
                200,
                "Request approved",
                "<p>This request was already handled.</p>",
            ),
            None => page(404, "Authorize request", "<p>Unknown or expired code.</p>"),
        }
    }

    fn device_by_user_code(&mut self, user_code: &str, now: Instant) -> Option<&mut DeviceGrant> {
        self.devices
            .values_mut()
            .find(|g| g.user_code == user_code && now < g.expires_at)
    }
}

fn json_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object().ok_or_else(|| {
        ApiError::oidc(
            "InvalidRequestException",
            "The request body must be a JSON object",
        )
    })
}

fn optional_str<'a>(body: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::oidc(
            "InvalidRequestException",
            format!("{name} must be a string"),
        )),
    }
}

fn required_str<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    optional_str(body, name)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::oidc("InvalidRequestException", format!("{name} is required")))
}

fn str_list(body: &Map<String, Value>, name: &str) -> Result<Vec<String>, ApiError> {
    let wrong = || {
        ApiError::oidc(
            "InvalidRequestException",
            format!("{name} must be a list of strings"),
        )
    };
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string).ok_or_else(wrong))
            .collect(),
        Some(_) => Err(wrong()),
    }
}

/// `https://...` anywhere, or `http://` on a loopback address (RFC 8252).
fn valid_redirect_uri(uri: &str) -> bool {
    uri.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty())
        || loopback_parts(uri).is_some()
}

/// A loopback `http` URI without its port: (host, path and query).
fn loopback_parts(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("http://")?;
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "::1");
    (loopback && port_ok).then_some((host, if path.is_empty() { "/" } else { path }))
}

/// Exact match, or for loopback URIs a match on everything but the port.
pub fn redirect_matches(registered: &str, given: &str) -> bool {
    registered == given
        || matches!((loopback_parts(registered), loopback_parts(given)), (Some(a), Some(b)) if a == b)
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut location = redirect_uri.to_string();
    let mut separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let state = state.map(|s| ("state", s));
    for (key, value) in pairs.iter().copied().chain(state) {
        location.push(separator);
        location.push_str(key);
        location.push('=');
        location.push_str(&percent_encode(value));
        separator = '&';
    }
    location
}

fn page(status: u16, title: &str, body: &str) -> Reply {
    Reply::Html(
        status,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><h1>{title}</h1>{body}<p><small>badge Identity Center emulator</small></p></body></html>\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port() {
        let registered = "http://127.0.0.1/oauth/callback";
        assert!(redirect_matches(
            registered,
            "http://127.0.0.1:53123/oauth/callback"
        ));
        assert!(redirect_matches(registered, registered));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.1:53123/other"
        ));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.2:53123/oauth/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.1.evil.com:80/oauth/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://localhost:53123/oauth/callback"
        ));
        assert!(redirect_matches("http://[::1]/cb", "http://[::1]:9/cb"));
        assert!(redirect_matches(
            "https://example.com/cb",
            "https://example.com/cb"
        ));
        assert!(!redirect_matches(
            "https://example.com/cb",
            "https://example.com:8443/cb"
        ));
        assert!(valid_redirect_uri("http://localhost:8080/"));
        assert!(!valid_redirect_uri("http://example.com/cb"));
    }

    #[test]
    fn redirects_carry_encoded_parameters() {
        assert_eq!(
            redirect_with("http://127.0.0.1:9/cb", &[("code", "a+b")], Some("s t")),
            "http://127.0.0.1:9/cb?code=a%2Bb&state=s%20t"
        );
        assert_eq!(
            redirect_with("http://127.0.0.1:9/cb?x=1", &[("code", "c")], None),
            "http://127.0.0.1:9/cb?x=1&code=c"
        );
    }
}
