//! Everything the emulator remembers, and the operations on it. No I/O here:
//! the HTTP layer parses a request, calls one method under the lock with the
//! current time, and writes the [`Reply`] back. The operations of each API
//! live in the submodules.

mod oidc;
mod portal;

use super::codec;
use super::limits::TokenBucket;
use super::org::{Account, Org};
use serde_json::{Value, json};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const REFRESH_TOKEN_GRANT: &str = "refresh_token";
pub const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
pub const ACCOUNT_ACCESS_SCOPE: &str = "sso:account:access";

/// The settings that can change while the emulator runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Knobs {
    pub page_size: usize,
    pub latency: Duration,
    pub throttle_every: Option<u64>,
    pub retry_after: Option<u64>,
    pub rate_limit: Option<f64>,
    pub token_lifetime: Duration,
    pub refresh_allowed: bool,
    pub auto_approve: bool,
    pub approve_on_start: bool,
    pub client_lifetime: Duration,
    pub credentials_lifetime: Duration,
    /// An error answer forced on some operations, whatever they ask.
    pub forced_error: Option<ForcedError>,
    /// Answers no real service gives.
    pub hostile: Hostile,
    /// The user code and verification URI every StartDeviceAuthorization
    /// answers with instead of its own (a hostile service's text).
    pub device_text: Option<DeviceText>,
}

/// What StartDeviceAuthorization shows the user, forced: its
/// `verificationUriComplete` is the URI with `?user_code=` and the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceText {
    pub user_code: String,
    pub verification_uri: String,
}

/// Answers that no real Identity Center gives, from a broken or hostile
/// server, for testing that a client bounds its work and checks numbers.
/// All off by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hostile {
    /// ListAccounts never ends: every page holds this many new accounts
    /// (whatever `max_result` says; 0 for empty pages) and a fresh next
    /// token. Their ListAccountRoles answer one role, `EndlessRole`.
    pub endless_accounts: Option<usize>,
    /// ListAccountRoles never ends, for every account: pages of this many
    /// new roles (whatever `max_result` says) with fresh next tokens.
    pub endless_roles: Option<usize>,
    /// Chosen operations answer 200 with a body this big, streamed.
    pub huge_answer: Option<HugeAnswer>,
    /// `expiresIn` of CreateToken answers, instead of the token's lifetime.
    pub token_expires_in: Option<i64>,
    /// `clientSecretExpiresAt` of RegisterClient answers (epoch seconds).
    pub client_secret_expires_at: Option<i64>,
    /// `interval` and `expiresIn` of StartDeviceAuthorization answers.
    pub device_interval: Option<i64>,
    pub device_expires_in: Option<i64>,
}

/// A 200 answer of `bytes` bytes that starts like JSON and never ends
/// like it, sent in chunks as the client reads (never built in memory),
/// with a `Content-Length` or, when `chunked`, without one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HugeAnswer {
    pub bytes: u64,
    pub chunked: bool,
    /// Operation names; empty means every API operation.
    pub operations: Vec<String>,
}

impl HugeAnswer {
    pub fn of(bytes: u64) -> HugeAnswer {
        HugeAnswer {
            bytes,
            chunked: false,
            operations: Vec::new(),
        }
    }

    pub fn chunked(mut self) -> HugeAnswer {
        self.chunked = true;
        self
    }

    pub fn on(mut self, operations: &[&str]) -> HugeAnswer {
        self.operations = operations.iter().map(|op| op.to_string()).collect();
        self
    }

    pub fn applies_to(&self, operation: &str) -> bool {
        self.operations.is_empty() || self.operations.iter().any(|op| op == operation)
    }
}

impl Hostile {
    fn to_json(&self) -> Value {
        json!({
            "endlessAccounts": self.endless_accounts,
            "endlessRoles": self.endless_roles,
            "hugeAnswer": self.huge_answer.as_ref().map(|h| json!({
                "bytes": h.bytes,
                "chunked": h.chunked,
                "operations": h.operations,
            })),
            "tokenExpiresIn": self.token_expires_in,
            "clientSecretExpiresAt": self.client_secret_expires_at,
            "deviceInterval": self.device_interval,
            "deviceExpiresIn": self.device_expires_in,
        })
    }

    fn apply_json(&mut self, patch: &Value) -> Result<(), String> {
        let Some(patch) = patch.as_object() else {
            return Err("hostile: expected a JSON object".into());
        };
        for (key, value) in patch {
            let opt_uint = || match value {
                Value::Null => Ok(None),
                v => v
                    .as_u64()
                    .map(|n| Some(n as usize))
                    .ok_or(format!("hostile.{key}: expected an integer or null")),
            };
            let opt_int = || match value {
                Value::Null => Ok(None),
                v => v
                    .as_i64()
                    .map(Some)
                    .ok_or(format!("hostile.{key}: expected an integer or null")),
            };
            match key.as_str() {
                "endlessAccounts" => self.endless_accounts = opt_uint()?,
                "endlessRoles" => self.endless_roles = opt_uint()?,
                "hugeAnswer" => {
                    const USAGE: &str = "hostile.hugeAnswer: expected null or {\"bytes\": N, \"chunked\"?: bool, \"operations\"?: [names]}";
                    self.huge_answer = match value {
                        Value::Null => None,
                        v => Some(HugeAnswer {
                            bytes: v.get("bytes").and_then(Value::as_u64).ok_or(USAGE)?,
                            chunked: v.get("chunked").and_then(Value::as_bool).unwrap_or(false),
                            operations: match v.get("operations") {
                                None | Some(Value::Null) => Vec::new(),
                                Some(list) => list
                                    .as_array()
                                    .and_then(|l| {
                                        l.iter().map(|v| v.as_str().map(str::to_string)).collect()
                                    })
                                    .ok_or(USAGE)?,
                            },
                        }),
                    }
                }
                "tokenExpiresIn" => self.token_expires_in = opt_int()?,
                "clientSecretExpiresAt" => self.client_secret_expires_at = opt_int()?,
                "deviceInterval" => self.device_interval = opt_int()?,
                "deviceExpiresIn" => self.device_expires_in = opt_int()?,
                other => return Err(format!("unknown hostile knob {other:?}")),
            }
        }
        Ok(())
    }
}

/// An error answer that chosen API operations give instead of their own,
/// after the latency and before anything else (throttling, the token
/// check): for testing what a client makes of a broken service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForcedError {
    /// HTTP status; the exception is the one the service names for it
    /// (see `ForcedError::api_error`).
    pub status: u16,
    /// Operation names (`ListAccounts`, `RegisterClient`, ...); empty means
    /// every API operation (not the browser pages).
    pub operations: Vec<String>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// The error message, instead of the one the service gives for the
    /// status (`error_description` in the OIDC API).
    pub message: Option<String>,
}

impl ForcedError {
    /// `status` for every API operation.
    pub fn status(status: u16) -> ForcedError {
        ForcedError {
            status,
            operations: Vec::new(),
            retry_after: None,
            message: None,
        }
    }

    pub fn on(mut self, operations: &[&str]) -> ForcedError {
        self.operations = operations.iter().map(|op| op.to_string()).collect();
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> ForcedError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn message(mut self, message: &str) -> ForcedError {
        self.message = Some(message.to_string());
        self
    }

    fn applies_to(&self, operation: &str) -> bool {
        self.operations.is_empty() || self.operations.iter().any(|op| op == operation)
    }

    /// The answer in the format of the API `operation` belongs to.
    fn api_error(&self, api: Api) -> ApiError {
        let (name, message) = match (api, self.status) {
            (_, 400) => ("InvalidRequestException", "Invalid request"),
            (Api::Portal, 401) => (
                "UnauthorizedException",
                "Session token not found or invalid",
            ),
            (Api::Oidc, 401) => ("InvalidClientException", "Invalid client"),
            (Api::Portal, 403) => ("ForbiddenException", "No access"),
            (Api::Oidc, 403) => ("AccessDeniedException", "Access denied"),
            (_, 404) => ("ResourceNotFoundException", "Not found"),
            (_, 429) => ("TooManyRequestsException", "Rate exceeded"),
            (_, 503) => ("ServiceUnavailableException", "Service unavailable"),
            _ => ("InternalServerException", "An internal error occurred"),
        };
        ApiError {
            api,
            status: self.status,
            name,
            message: self.message.clone().unwrap_or_else(|| message.to_string()),
            retry_after: self.retry_after,
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "status": self.status,
            "operations": self.operations,
            "retryAfter": self.retry_after,
            "message": self.message,
        })
    }

    fn from_json(value: &Value) -> Result<Option<ForcedError>, String> {
        const USAGE: &str = "forcedError: expected null or {\"status\": 100..=599, \"operations\"?: [names], \"retryAfter\"?: seconds, \"message\"?: text}";
        if value.is_null() {
            return Ok(None);
        }
        let status = value
            .get("status")
            .and_then(Value::as_u64)
            .filter(|s| (100..=599).contains(s))
            .ok_or(USAGE)?;
        let operations = match value.get("operations") {
            None | Some(Value::Null) => Vec::new(),
            Some(list) => list
                .as_array()
                .and_then(|l| l.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .ok_or(USAGE)?,
        };
        let retry_after = match value.get("retryAfter") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or(USAGE)?),
        };
        let message = match value.get("message") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_str().ok_or(USAGE)?.to_string()),
        };
        Ok(Some(ForcedError {
            status: status as u16,
            operations,
            retry_after,
            message,
        }))
    }
}

impl Knobs {
    pub fn to_json(&self) -> Value {
        json!({
            "pageSize": self.page_size,
            "latencyMs": self.latency.as_millis() as u64,
            "throttleEvery": self.throttle_every,
            "retryAfter": self.retry_after,
            "rateLimit": self.rate_limit,
            "tokenLifetimeSecs": self.token_lifetime.as_secs(),
            "refreshAllowed": self.refresh_allowed,
            "autoApprove": self.auto_approve,
            "approveOnStart": self.approve_on_start,
            "clientLifetimeSecs": self.client_lifetime.as_secs(),
            "credentialsLifetimeSecs": self.credentials_lifetime.as_secs(),
            "forcedError": self.forced_error.as_ref().map(ForcedError::to_json),
            "hostile": self.hostile.to_json(),
            "deviceText": self.device_text.as_ref().map(|d| json!({
                "userCode": d.user_code,
                "verificationUri": d.verification_uri,
            })),
        })
    }

    /// Applies the members present in `patch` (`null` clears an optional one).
    pub fn apply_json(&mut self, patch: &Value) -> Result<(), String> {
        let Some(patch) = patch.as_object() else {
            return Err("expected a JSON object".into());
        };
        for (key, value) in patch {
            let uint = || {
                value
                    .as_u64()
                    .ok_or(format!("{key}: expected a non-negative integer"))
            };
            let opt_uint = || match value {
                Value::Null => Ok(None),
                v => v
                    .as_u64()
                    .map(Some)
                    .ok_or(format!("{key}: expected an integer or null")),
            };
            let boolean = || {
                value
                    .as_bool()
                    .ok_or(format!("{key}: expected true or false"))
            };
            match key.as_str() {
                "pageSize" => self.page_size = (uint()? as usize).max(1),
                "latencyMs" => self.latency = Duration::from_millis(uint()?),
                "throttleEvery" => self.throttle_every = opt_uint()?.filter(|&n| n > 0),
                "retryAfter" => self.retry_after = opt_uint()?,
                "rateLimit" => {
                    self.rate_limit = match value {
                        Value::Null => None,
                        v => Some(
                            v.as_f64()
                                .filter(|r| *r > 0.0)
                                .ok_or("rateLimit: expected a positive number or null")?,
                        ),
                    }
                }
                "tokenLifetimeSecs" => self.token_lifetime = Duration::from_secs(uint()?),
                "refreshAllowed" => self.refresh_allowed = boolean()?,
                "autoApprove" => self.auto_approve = boolean()?,
                "approveOnStart" => self.approve_on_start = boolean()?,
                "clientLifetimeSecs" => self.client_lifetime = Duration::from_secs(uint()?),
                "credentialsLifetimeSecs" => {
                    self.credentials_lifetime = Duration::from_secs(uint()?)
                }
                "forcedError" => self.forced_error = ForcedError::from_json(value)?,
                "hostile" => self.hostile.apply_json(value)?,
                "deviceText" => self.device_text = DeviceText::from_json(value)?,
                other => return Err(format!("unknown knob {other:?}")),
            }
        }
        Ok(())
    }
}

impl DeviceText {
    fn from_json(value: &Value) -> Result<Option<DeviceText>, String> {
        const USAGE: &str =
            "deviceText: expected null or {\"userCode\": text, \"verificationUri\": text}";
        if value.is_null() {
            return Ok(None);
        }
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        match (text("userCode"), text("verificationUri")) {
            (Some(user_code), Some(verification_uri)) => Ok(Some(DeviceText {
                user_code,
                verification_uri,
            })),
            _ => Err(USAGE.into()),
        }
    }
}

/// Request counts since the start (or the last reset).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// API requests by operation name (`ListAccounts`, `CreateToken`, ...;
    /// browser pages as `Authorize` and `Device`), throttled ones included.
    pub by_operation: BTreeMap<String, u64>,
    /// Error answers by exception name (`TooManyRequestsException`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Portal requests answered 429.
    pub throttled: u64,
    /// Most API requests in progress at once (latency included).
    pub peak_concurrency: u64,
    /// All API requests and browser pages (not the control API).
    pub total: u64,
}

impl Counts {
    pub fn get(&self, operation: &str) -> u64 {
        self.by_operation.get(operation).copied().unwrap_or(0)
    }

    pub fn error(&self, name: &str) -> u64 {
        self.errors.get(name).copied().unwrap_or(0)
    }

    /// Requests to the four portal operations.
    pub fn portal(&self) -> u64 {
        [
            "ListAccounts",
            "ListAccountRoles",
            "GetRoleCredentials",
            "Logout",
        ]
        .iter()
        .map(|op| self.get(op))
        .sum()
    }

    pub fn to_json(&self) -> Value {
        json!({
            "byOperation": self.by_operation,
            "errors": self.errors,
            "throttled": self.throttled,
            "peakConcurrency": self.peak_concurrency,
            "total": self.total,
            "portal": self.portal(),
        })
    }
}

/// A token minted directly by the test (no OIDC flow), with the client
/// registration it belongs to: everything a token cache file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// Epoch seconds.
    pub expires_at: u64,
    /// Epoch seconds.
    pub registration_expires_at: u64,
}

impl IssuedToken {
    pub fn to_json(&self) -> Value {
        json!({
            "accessToken": self.access_token,
            "refreshToken": self.refresh_token,
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "expiresAt": self.expires_at,
            "registrationExpiresAt": self.registration_expires_at,
        })
    }

    /// The token as the AWS CLI v2 caches it in
    /// `~/.aws/sso/cache/<sha1 of the session name>.json`.
    pub fn cache_file_json(&self, start_url: &str, region: &str) -> String {
        let mut cache = json!({
            "startUrl": start_url,
            "region": region,
            "accessToken": self.access_token,
            "expiresAt": codec::iso8601(self.expires_at),
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "registrationExpiresAt": codec::iso8601(self.registration_expires_at),
        });
        if let Some(refresh) = &self.refresh_token {
            cache["refreshToken"] = json!(refresh);
        }
        serde_json::to_string_pretty(&cache).expect("JSON values serialise")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Portal,
    Oidc,
}

/// An error answer in the service's own format (see the HTTP layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub api: Api,
    pub status: u16,
    pub name: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn portal(status: u16, name: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            api: Api::Portal,
            status,
            name,
            message: message.into(),
            retry_after: None,
        }
    }

    fn oidc(name: &'static str, message: impl Into<String>) -> ApiError {
        let status = match name {
            "InvalidClientException" => 401,
            "InternalServerException" => 500,
            _ => 400,
        };
        ApiError {
            api: Api::Oidc,
            status,
            name,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The OAuth `error` code that the OIDC service puts in its bodies.
    pub fn oauth_code(&self) -> &'static str {
        match self.name {
            "AuthorizationPendingException" => "authorization_pending",
            "SlowDownException" => "slow_down",
            "ExpiredTokenException" => "expired_token",
            "InvalidGrantException" => "invalid_grant",
            "AccessDeniedException" => "access_denied",
            "InvalidScopeException" => "invalid_scope",
            "UnsupportedGrantTypeException" => "unsupported_grant_type",
            "InvalidClientException" => "invalid_client",
            "UnauthorizedClientException" => "unauthorized_client",
            "InvalidClientMetadataException" => "invalid_client_metadata",
            "InvalidRedirectUriException" => "invalid_redirect_uri",
            "InternalServerException" => "server_error",
            _ => "invalid_request",
        }
    }
}

fn unauthorized() -> ApiError {
    ApiError::portal(
        401,
        "UnauthorizedException",
        "Session token not found or invalid",
    )
}

fn portal_invalid(message: impl Into<String>) -> ApiError {
    ApiError::portal(400, "InvalidRequestException", message)
}

/// What the HTTP layer sends back.
#[derive(Debug)]
pub enum Reply {
    Json(u16, Value),
    Empty,
    Error(ApiError),
    Html(u16, String),
    Redirect(String),
}

impl From<Result<Value, ApiError>> for Reply {
    fn from(result: Result<Value, ApiError>) -> Reply {
        match result {
            Ok(value) => Reply::Json(200, value),
            Err(error) => Reply::Error(error),
        }
    }
}

/// Decoded query string or form body; the first occurrence of a name wins.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Client {
    secret: String,
    scopes: Vec<String>,
    grant_types: Vec<String>,
    redirect_uris: Vec<String>,
    /// Epoch seconds.
    expires_at: u64,
}

impl Client {
    /// A registration without `grantTypes` (what the AWS CLI sends for the
    /// device flow) gets the device code grant and, with scopes, refresh.
    fn allows(&self, grant: &str) -> bool {
        if self.grant_types.is_empty() {
            grant == DEVICE_CODE_GRANT || (grant == REFRESH_TOKEN_GRANT && !self.scopes.is_empty())
        } else {
            self.grant_types.iter().any(|g| g == grant)
        }
    }

    fn gets_refresh_tokens(&self) -> bool {
        self.scopes.iter().any(|s| s == ACCOUNT_ACCESS_SCOPE) && self.allows(REFRESH_TOKEN_GRANT)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Approval {
    Pending,
    Approved,
    Denied,
    Consumed,
}

struct DeviceGrant {
    client_id: String,
    user_code: String,
    expires_at: Instant,
    approval: Approval,
    polls: u32,
    last_poll: Option<Instant>,
}

struct PendingAuthorization {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    expires_at: Instant,
}

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    expires_at: Instant,
}

struct AccessToken {
    session: u64,
    expires_at: Instant,
}

struct RefreshGrant {
    session: u64,
    client_id: String,
}

/// A small SplitMix64 generator seeded from the process's random hasher
/// keys: tokens only need to be unique and unguessable by accident.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        Rng(hasher.finish())
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

fn epoch_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

pub struct State {
    pub knobs: Knobs,
    pub org: Org,
    pub counts: Counts,
    in_flight: u64,
    portal_requests: u64,
    bucket: Option<TokenBucket>,
    clients: HashMap<String, Client>,
    devices: HashMap<String, DeviceGrant>,
    pending: HashMap<String, PendingAuthorization>,
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshGrant>,
    next_session: u64,
    rng: Rng,
    /// Every secret handed out or received, by kind (`accessToken`,
    /// `codeVerifier`, ...), so a test can prove a client never prints one.
    issued: Vec<(&'static str, String)>,
    /// Role credentials and sign-in tokens of the console sign-in.
    pub federation: super::federation::Federation,
}

impl State {
    pub fn new(org: Org, knobs: Knobs, now: Instant) -> State {
        let bucket = knobs.rate_limit.map(|rate| TokenBucket::new(rate, now));
        State {
            knobs,
            org,
            counts: Counts::default(),
            in_flight: 0,
            portal_requests: 0,
            bucket,
            clients: HashMap::new(),
            devices: HashMap::new(),
            pending: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            next_session: 1,
            rng: Rng::new(),
            issued: Vec::new(),
            federation: Default::default(),
        }
    }

    // ---- bookkeeping ----------------------------------------------------

    pub fn begin(&mut self, operation: &str) {
        *self
            .counts
            .by_operation
            .entry(operation.to_string())
            .or_default() += 1;
        self.counts.total += 1;
        self.in_flight += 1;
        self.counts.peak_concurrency = self.counts.peak_concurrency.max(self.in_flight);
    }

    pub fn end(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    pub fn record_error(&mut self, name: &str) {
        *self.counts.errors.entry(name.to_string()).or_default() += 1;
    }

    pub fn reset_counts(&mut self) {
        self.counts = Counts {
            peak_concurrency: self.in_flight,
            ..Counts::default()
        };
    }

    pub fn set_knobs(&mut self, knobs: Knobs, now: Instant) {
        if knobs.rate_limit != self.knobs.rate_limit {
            self.bucket = knobs.rate_limit.map(|rate| TokenBucket::new(rate, now));
        }
        self.knobs = knobs;
    }

    /// The forced error answer of `operation`, if the knob names it.
    pub fn forced_error(&self, operation: &str, api: Api) -> Option<ApiError> {
        self.knobs
            .forced_error
            .as_ref()
            .filter(|forced| forced.applies_to(operation))
            .map(|forced| forced.api_error(api))
    }

    /// Every-Nth and token-bucket throttling, before anything else.
    pub fn portal_gate(&mut self, now: Instant) -> Result<(), ApiError> {
        self.portal_requests += 1;
        let every_nth = self
            .knobs
            .throttle_every
            .is_some_and(|n| self.portal_requests.is_multiple_of(n));
        let retry_after = if every_nth {
            Some(self.knobs.retry_after)
        } else if let Some(Err(wait)) = self.bucket.as_mut().map(|b| b.try_take(now)) {
            let wait = wait.as_secs_f64().ceil() as u64;
            Some(self.knobs.retry_after.map(|floor| floor.max(wait)))
        } else {
            None
        };
        match retry_after {
            None => Ok(()),
            Some(retry_after) => {
                self.counts.throttled += 1;
                Err(ApiError {
                    retry_after,
                    ..ApiError::portal(429, "TooManyRequestsException", "Rate exceeded")
                })
            }
        }
    }

    // ---- control ----------------------------------------------------------

    /// Approves the pending device authorization with this user code, or
    /// every pending one; returns how many.
    pub fn approve_devices(&mut self, user_code: Option<&str>, now: Instant) -> usize {
        let mut approved = 0;
        for grant in self.devices.values_mut() {
            let matches = user_code.is_none_or(|c| c.eq_ignore_ascii_case(&grant.user_code));
            if matches && grant.approval == Approval::Pending && now < grant.expires_at {
                grant.approval = Approval::Approved;
                approved += 1;
            }
        }
        approved
    }

    /// Adds the account, or replaces the one with the same id.
    pub fn put_account(&mut self, account: Account) {
        match self.org.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(existing) => *existing = account,
            None => self.org.accounts.push(account),
        }
    }

    pub fn remove_account(&mut self, account_id: &str) -> bool {
        let before = self.org.accounts.len();
        self.org.accounts.retain(|a| a.id != account_id);
        self.org.accounts.len() != before
    }

    /// False when the account does not exist or already has the role.
    pub fn add_assignment(&mut self, account_id: &str, role: &str) -> bool {
        match self.org.accounts.iter_mut().find(|a| a.id == account_id) {
            Some(account) if !account.roles.iter().any(|r| r == role) => {
                account.roles.push(role.to_string());
                true
            }
            _ => false,
        }
    }

    pub fn remove_assignment(&mut self, account_id: &str, role: &str) -> bool {
        match self.org.accounts.iter_mut().find(|a| a.id == account_id) {
            Some(account) => {
                let before = account.roles.len();
                account.roles.retain(|r| r != role);
                account.roles.len() != before
            }
            None => false,
        }
    }

    pub fn revoke_all_tokens(&mut self) {
        self.access.clear();
        self.refresh.clear();
    }

    /// Access tokens expire now; refresh tokens keep working.
    pub fn expire_tokens(&mut self, now: Instant) {
        for token in self.access.values_mut() {
            token.expires_at = token.expires_at.min(now);
        }
    }

    pub fn expire_clients(&mut self) {
        let past = epoch_now().as_secs().saturating_sub(1);
        for client in self.clients.values_mut() {
            client.expires_at = client.expires_at.min(past);
        }
    }

    /// Every secret value issued or received so far, with its kind.
    pub fn issued_secrets(&self) -> Vec<(&'static str, String)> {
        self.issued.clone()
    }

    fn remember_secret(&mut self, kind: &'static str, value: &str) {
        self.issued.push((kind, value.to_string()));
    }

    pub fn token_is_valid(&self, access_token: &str, now: Instant) -> bool {
        self.session_of(Some(access_token), now).is_ok()
    }

    /// Registers a client (scopes `sso:account:access`, every grant) and
    /// signs it in, as if a login had just completed.
    pub fn mint_token(&mut self, now: Instant) -> IssuedToken {
        let registration = self
            .register_client(&json!({
                "clientName": "emulator-minted",
                "clientType": "public",
                "scopes": [ACCOUNT_ACCESS_SCOPE],
                "grantTypes": [AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT, DEVICE_CODE_GRANT],
                "redirectUris": ["http://127.0.0.1/oauth/callback"],
            }))
            .expect("a valid registration");
        let client_id = registration["clientId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let tokens = self.issue_tokens(&client_id, None, now);
        let text = |v: &Value| v.as_str().map(str::to_string);
        IssuedToken {
            access_token: text(&tokens["accessToken"]).unwrap_or_default(),
            refresh_token: text(&tokens["refreshToken"]),
            client_id,
            client_secret: text(&registration["clientSecret"]).unwrap_or_default(),
            expires_at: epoch_now().as_secs() + self.knobs.token_lifetime.as_secs(),
            registration_expires_at: registration["clientSecretExpiresAt"]
                .as_u64()
                .unwrap_or_default(),
        }
    }
}

const URL_SAFE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
