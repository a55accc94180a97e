//! A local emulator of AWS IAM Identity Center: the portal API ("sso") and
//! the OIDC API ("sso-oidc") on one port of 127.0.0.1.
//!
//! AWS is out of reach from the tests, so badge's login, sync and logout are
//! tested against this. It speaks the wire format of botocore's service
//! models (`botocore/data/sso/2019-06-10`, `botocore/data/sso-oidc/2019-06-10`)
//! closely enough that boto3, the AWS CLI and the Rust SDK work against it
//! unchanged; `tests/emulator_fidelity.rs` proves that with boto3. Point a
//! client at it with `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`
//! (both [`Emulator::url`]; see [`Emulator::env`]), or for the AWS CLI 2.9,
//! which ignores those, with [`Emulator::write_endpoint_rules`] and
//! `AWS_DATA_PATH`.
//!
//! It is the `badge-emulator` crate of badge's workspace, a dev-dependency
//! compiled once for every test binary: use it from a test with
//! `use badge_emulator as emulator;`, or run it on its own:
//! `cargo run --example emulator -- --accounts 50 --roles 3`.
//!
//! # What it serves
//!
//! Portal (bearer token in `x-amz-sso_bearer_token`; errors as
//! `{"message","__type":"com.amazonaws.switchboard.portal#Name"}` with
//! `x-amzn-ErrorType: Name:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/`):
//! - `GET /assignment/accounts?max_result=&next_token=` ListAccounts
//! - `GET /assignment/roles?account_id=&max_result=&next_token=` ListAccountRoles
//!   (404 `ResourceNotFoundException` for an account not in the org)
//! - `GET /federation/credentials?account_id=&role_name=` GetRoleCredentials,
//!   `expiration` in epoch milliseconds; 403 `ForbiddenException` "No access"
//!   for a role that is not assigned
//! - `POST /logout`: revokes the access token and the refresh tokens of its
//!   sign-in
//!
//! A bad, expired, revoked or logged-out token gets 401
//! `UnauthorizedException` "Session token not found or invalid"; a
//! `max_result` outside 1..=100 or a bad next token 400
//! `InvalidRequestException`. A page holds `min(max_result, page_size)`
//! items. Next tokens are opaque standard base64 that always contain `+`, `/`
//! and `=`, so a client that does not URL-encode them gets a 400.
//!
//! OIDC (errors in OAuth style, `{"error":"authorization_pending",
//! "error_description":"..."}`, named in `x-amzn-ErrorType` with the
//! `com.amazonaws.sso.oidc` namespace; 400, but 401 for
//! `InvalidClientException`):
//! - `POST /client/register` RegisterClient: `clientIdIssuedAt` and
//!   `clientSecretExpiresAt` in epoch seconds (`client_lifetime`, 90 days)
//! - `POST /device_authorization` StartDeviceAuthorization: the verification
//!   URIs point at this emulator's `/device` page; `interval` 1, `expiresIn`
//!   600
//! - `POST /token` CreateToken with the `device_code`, `refresh_token` and
//!   `authorization_code` (PKCE S256) grants. Polling a device code gives
//!   `AuthorizationPendingException`; from the third poll on, polls less
//!   than half an interval apart give `SlowDownException` (the AWS CLI polls
//!   twice at once at the start). A refresh token is issued when the client
//!   registered the scope `sso:account:access` and either listed the
//!   `refresh_token` grant or listed no grants at all (the AWS CLI's device
//!   flow registration), and `refresh_allowed` is on. Refresh tokens rotate:
//!   the used one stops working. A client may only use the grants it
//!   registered (`UnauthorizedClientException`); without `grantTypes` that
//!   is the device code grant (and refresh with scopes).
//!   An authorization code is single use, expires after 5 minutes, and needs
//!   the same `redirectUri` and a matching `codeVerifier`
//!   (`InvalidGrantException` otherwise).
//!
//! Browser pages:
//! - `GET /authorize?response_type=code&client_id=&redirect_uri=&state=&code_challenge=&code_challenge_method=S256&scopes=`:
//!   the redirect URI must be registered (loopback URIs match on any port,
//!   RFC 8252). With `auto_approve`, a 302 to `redirect_uri?code=&state=`;
//!   otherwise a page with an Allow and a Deny button (a form POST to
//!   `/authorize`) that then redirects, with `error=access_denied` on Deny.
//! - `GET /device?user_code=`: with `auto_approve`, visiting approves the
//!   code; otherwise a page with Approve and Deny buttons (a form POST to
//!   `/device`). With `auto_approve` and `approve_on_start`, codes are
//!   approved as soon as they are issued.
//! - `GET /start`: a placeholder page, usable as the start URL (any start
//!   URL works).
//!
//! Console sign-in (`GET /federation?Action=getSigninToken|login`, the
//! federation endpoint of signin.aws.amazon.com): see `federation.rs`.
//!
//! # Knobs
//!
//! [`EmulatorOptions`] at start, `set_*` methods on [`Emulator`] or
//! `POST /control/knobs` while it runs: organisation ([`Org::generated`]:
//! accounts × roles, odd names), page size, latency per request, throttling
//! of every Nth portal request, a token bucket of R portal requests a second
//! (burst R), the `Retry-After` seconds sent with a 429 (or none), access
//! token lifetime, whether refresh tokens are issued, auto-approval, and an
//! error status forced on chosen operations ([`ForcedError`]: 401, 403,
//! 404, 429, 500, ... in the API's own error format, optionally with a
//! `Retry-After` and a message of the test's own), the user code and
//! verification URI of the device sign-in ([`DeviceText`]), and answers no
//! real service gives ([`Hostile`]: pages of accounts or roles that never
//! end, a huge answer streamed from one small chunk, out-of-range
//! `expiresIn`, `interval` and `clientSecretExpiresAt`). With a latency
//! longer than a client's timeout, the emulator is a server that hangs; a
//! port nobody listens on refuses.
//! Throttling applies to the four portal operations only, before the token
//! is checked; latency applies to every API request and browser page.
//!
//! # Control API
//!
//! JSON, no latency, not counted; each has an [`Emulator`] method too.
//!
//! | request | effect |
//! |---|---|
//! | `GET /control/counts` | `{"byOperation":{..},"errors":{..},"throttled","peakConcurrency","total","portal"}` |
//! | `POST /control/counts/reset` | zero the counts |
//! | `GET /control/knobs`, `POST /control/knobs` | read / change knobs: `{"pageSize","latencyMs","throttleEvery","retryAfter","rateLimit","tokenLifetimeSecs","refreshAllowed","autoApprove","approveOnStart","clientLifetimeSecs","credentialsLifetimeSecs","forcedError","deviceText","hostile"}` (`forcedError`: `{"status","operations"?,"retryAfter"?,"message"?}`; `deviceText`: `{"userCode","verificationUri"}`; `hostile`: `{"endlessAccounts","endlessRoles","hugeAnswer":{"bytes","chunked"?,"operations"?},"tokenExpiresIn","clientSecretExpiresAt","deviceInterval","deviceExpiresIn"}`), any subset, `null` turns an optional one off |
//! | `GET /control/org` | `{"accounts":[{"accountId","accountName","emailAddress","roles"}]}` |
//! | `POST /control/accounts` `{"accountName","accountId"?,"emailAddress"?,"roles"?}` | add (or replace by id) an account |
//! | `POST /control/accounts/remove` `{"accountId"}` | remove an account |
//! | `POST /control/assignments` `{"accountId","roleName"}` | assign a role |
//! | `POST /control/assignments/remove` `{"accountId","roleName"}` | unassign a role |
//! | `POST /control/tokens/revoke` | every access and refresh token stops working |
//! | `POST /control/tokens/expire` | every access token expires now (refresh still works) |
//! | `POST /control/tokens/mint` | a signed-in token without a flow: `{"accessToken","refreshToken","clientId","clientSecret","expiresAt","registrationExpiresAt"}` |
//! | `POST /control/clients/expire` | every client registration expires now |
//! | `POST /control/device/approve` `{"userCode"?}` | approve that pending device code, or all |
//!
//! Everything lives in memory: a restarted emulator knows no token or
//! client, so clear a test `HOME`'s `~/.aws/sso/cache` between instances.

mod codec;
mod control;
mod federation;
mod limits;
mod org;
mod server;
mod state;

pub use org::{Account, ODD_NAMES, ODD_ROLE, Org, ROLES};
pub use state::{Counts, DeviceText, ForcedError, Hostile, HugeAnswer, IssuedToken};

use server::Shared;
use state::{Knobs, State};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the emulator starts. `EmulatorOptions { latency, ..EmulatorOptions::new(org) }`.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    pub org: Org,
    /// 0 picks a free port.
    pub port: u16,
    /// The most items a page holds; `max_result` can only lower it.
    pub page_size: usize,
    /// Added to every API request and browser page before it is answered.
    pub latency: Duration,
    /// Answer every Nth portal request with 429.
    pub throttle_every: Option<u64>,
    /// Seconds in the `Retry-After` header of a 429 (a token-bucket 429
    /// says at least the time until the next token); `None` sends none.
    pub retry_after: Option<u64>,
    /// Token bucket: this many portal requests a second, bursts of as many.
    pub rate_limit: Option<f64>,
    /// Access token lifetime (`expiresIn`).
    pub token_lifetime: Duration,
    /// Whether CreateToken ever issues refresh tokens.
    pub refresh_allowed: bool,
    /// Approve sign-ins without a click: `/authorize` redirects at once,
    /// visiting `/device?user_code=` approves.
    pub auto_approve: bool,
    /// With `auto_approve`, approve device codes as soon as they are issued.
    pub approve_on_start: bool,
    /// Client registration lifetime (`clientSecretExpiresAt`).
    pub client_lifetime: Duration,
    /// Lifetime of role credentials (`expiration`).
    pub credentials_lifetime: Duration,
}

impl EmulatorOptions {
    pub fn new(org: Org) -> EmulatorOptions {
        EmulatorOptions {
            org,
            port: 0,
            page_size: 100,
            latency: Duration::ZERO,
            throttle_every: None,
            retry_after: Some(1),
            rate_limit: None,
            token_lifetime: Duration::from_secs(8 * 3600),
            refresh_allowed: true,
            auto_approve: true,
            approve_on_start: false,
            client_lifetime: Duration::from_secs(90 * 86_400),
            credentials_lifetime: Duration::from_secs(3600),
        }
    }

    fn knobs(&self) -> Knobs {
        Knobs {
            page_size: self.page_size.max(1),
            latency: self.latency,
            throttle_every: self.throttle_every.filter(|&n| n > 0),
            retry_after: self.retry_after,
            rate_limit: self.rate_limit.filter(|&r| r > 0.0),
            token_lifetime: self.token_lifetime,
            refresh_allowed: self.refresh_allowed,
            auto_approve: self.auto_approve,
            approve_on_start: self.approve_on_start,
            client_lifetime: self.client_lifetime,
            credentials_lifetime: self.credentials_lifetime,
            forced_error: None,
            hostile: Hostile::default(),
            device_text: None,
        }
    }
}

impl Default for EmulatorOptions {
    /// Ten accounts with three roles each, plain names.
    fn default() -> EmulatorOptions {
        EmulatorOptions::new(Org::generated(10, 3, false))
    }
}

/// A running emulator. It serves from its own tokio runtime (two worker
/// threads) and stops when dropped.
pub struct Emulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Emulator {
    /// Starts the emulator; panics if it cannot (see [`Emulator::try_start`]).
    pub fn start(options: EmulatorOptions) -> Emulator {
        Emulator::try_start(options).expect("start the Identity Center emulator")
    }

    pub fn try_start(options: EmulatorOptions) -> io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("identity-center-emulator")
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let knobs = options.knobs();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(options.org, knobs, Instant::now())),
            base_url: url.clone(),
        });
        runtime.spawn(server::serve(listener, shared.clone()));
        Ok(Emulator {
            url,
            shared,
            runtime: Some(runtime),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// A start URL on the emulator (any start URL works; this one also
    /// answers in a browser).
    pub fn start_url(&self) -> String {
        format!("{}/start", self.url)
    }

    /// The variables that point boto3, the Rust SDK and badge at it.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            ("AWS_ENDPOINT_URL_SSO", self.url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", self.url.clone()),
        ]
    }

    /// Writes `sso` and `sso-oidc` endpoint rule sets that resolve to this
    /// emulator under `data_path`: export `AWS_DATA_PATH=data_path` for
    /// clients that ignore `AWS_ENDPOINT_URL_*` (the AWS CLI 2.9).
    pub fn write_endpoint_rules(&self, data_path: &Path) -> io::Result<()> {
        let rules = serde_json::json!({
            "version": "1.0",
            "parameters": {
                "Region": {"builtIn": "AWS::Region", "required": false, "type": "String"},
                "UseDualStack": {"builtIn": "AWS::UseDualStack", "required": true, "default": false, "type": "Boolean"},
                "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "type": "Boolean"},
                "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "type": "String"},
            },
            "rules": [{"conditions": [], "endpoint": {"url": self.url, "properties": {}, "headers": {}}, "type": "endpoint"}],
        });
        for service in ["sso", "sso-oidc"] {
            let dir = data_path.join(service).join("2019-06-10");
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join("endpoint-rule-set-1.json"), rules.to_string())?;
        }
        Ok(())
    }

    /// Request counts so far.
    pub fn requests(&self) -> Counts {
        self.shared.lock().counts.clone()
    }

    pub fn reset_requests(&self) {
        self.shared.lock().reset_counts();
    }

    /// The organisation as it is now.
    pub fn org(&self) -> Org {
        self.shared.lock().org.clone()
    }

    /// Adds an account at the end of the list, or replaces the one with its id.
    pub fn put_account(&self, account: Account) {
        self.shared.lock().put_account(account);
    }

    pub fn remove_account(&self, account_id: &str) -> bool {
        self.shared.lock().remove_account(account_id)
    }

    /// False when the account does not exist or already has the role.
    pub fn add_assignment(&self, account_id: &str, role: &str) -> bool {
        self.shared.lock().add_assignment(account_id, role)
    }

    pub fn remove_assignment(&self, account_id: &str, role: &str) -> bool {
        self.shared.lock().remove_assignment(account_id, role)
    }

    /// Every access and refresh token stops working.
    pub fn revoke_all_tokens(&self) {
        self.shared.lock().revoke_all_tokens();
    }

    /// Every access token expires now; refresh tokens still work.
    pub fn expire_tokens(&self) {
        self.shared.lock().expire_tokens(Instant::now());
    }

    /// Every client registration expires now.
    pub fn expire_clients(&self) {
        self.shared.lock().expire_clients();
    }

    /// Approves the pending device code `user_code`, or all pending ones.
    pub fn approve_device(&self, user_code: Option<&str>) -> usize {
        self.shared
            .lock()
            .approve_devices(user_code, Instant::now())
    }

    /// A valid sign-in without going through a flow.
    pub fn mint_token(&self) -> IssuedToken {
        self.shared.lock().mint_token(Instant::now())
    }

    /// Every secret the emulator issued (client ids and secrets, device
    /// and authorization codes, access and refresh tokens, role
    /// credentials) or received (PKCE verifiers) so far, with its kind.
    pub fn issued_secrets(&self) -> Vec<(&'static str, String)> {
        self.shared.lock().issued_secrets()
    }

    /// Every role credential issued so far expires now (the sign-in
    /// endpoint refuses them).
    pub fn expire_role_credentials(&self) {
        self.shared.lock().federation.expire_credentials();
    }

    /// The console sign-in tokens issued so far.
    pub fn issued_signin_tokens(&self) -> Vec<String> {
        self.shared.lock().federation.issued_tokens()
    }

    pub fn token_is_valid(&self, access_token: &str) -> bool {
        self.shared
            .lock()
            .token_is_valid(access_token, Instant::now())
    }

    fn knobs(&self, change: impl FnOnce(&mut Knobs)) {
        let mut state = self.shared.lock();
        let mut knobs = state.knobs.clone();
        change(&mut knobs);
        state.set_knobs(knobs, Instant::now());
    }

    pub fn set_page_size(&self, page_size: usize) {
        self.knobs(|k| k.page_size = page_size.max(1));
    }

    pub fn set_latency(&self, latency: Duration) {
        self.knobs(|k| k.latency = latency);
    }

    pub fn set_throttle_every(&self, every: Option<u64>) {
        self.knobs(|k| k.throttle_every = every.filter(|&n| n > 0));
    }

    pub fn set_retry_after(&self, seconds: Option<u64>) {
        self.knobs(|k| k.retry_after = seconds);
    }

    /// Replaces the token bucket (a new one starts full).
    pub fn set_rate_limit(&self, per_second: Option<f64>) {
        self.knobs(|k| k.rate_limit = per_second.filter(|&r| r > 0.0));
    }

    /// Applies to tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.knobs(|k| k.token_lifetime = lifetime);
    }

    pub fn set_refresh_allowed(&self, allowed: bool) {
        self.knobs(|k| k.refresh_allowed = allowed);
    }

    pub fn set_auto_approve(&self, auto_approve: bool) {
        self.knobs(|k| k.auto_approve = auto_approve);
    }

    /// Operations answer with this error from now on; `None` ends it.
    pub fn set_forced_error(&self, forced: Option<ForcedError>) {
        self.knobs(|k| k.forced_error = forced);
    }

    /// Answers no real service gives, from now on (`Hostile::default()`
    /// ends them).
    pub fn set_hostile(&self, hostile: Hostile) {
        self.knobs(|k| k.hostile = hostile);
    }

    /// The user code and verification URI of every device sign-in from now on.
    pub fn set_device_text(&self, text: Option<DeviceText>) {
        self.knobs(|k| k.device_text = text);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Does not block, so dropping inside another runtime is fine.
            runtime.shutdown_background();
        }
    }
}
