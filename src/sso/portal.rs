//! Every account and role the signed-in user is assigned, from the portal
//! API, fast and without tripping its rate limit.
//!
//! The portal allows a caller about 20 requests a second, and a big
//! organisation needs one ListAccountRoles per account, so:
//!
//! - **Bounded concurrency**: at most [`PortalOptions::concurrency`] (10)
//!   ListAccountRoles requests are in flight, so latency is hidden (time ≈
//!   accounts × latency / 10) without opening hundreds of connections. The
//!   pages of ListAccounts are fetched one after the other beside them
//!   (they take no slot), and the roles of a page's accounts are asked for
//!   as soon as the page arrives.
//! - **A pacer** (a GCRA token bucket) that engages at the first 429: from
//!   then on requests start at most [`PortalOptions::rate`] a second (19,
//!   bursts of 5), just under the service's limit, so the rest of a large
//!   sync runs at the limit instead of into it. Until a 429 comes, nothing
//!   is paced, so a portal (or a caller) with a higher allowance is limited
//!   only by latency and concurrency; the price is a handful of retried
//!   429s on a sync that reaches the limit. `BADGE_PORTAL_RATE=N` paces at
//!   N a second from the first request; `0` turns the pacer off.
//! - **Retries** of throttling (429), server errors (5xx), timeouts and
//!   connection errors: after the `Retry-After` the server asked for (at
//!   most 60 s) plus up to 200 ms of jitter, or without one with exponential
//!   backoff and full jitter (base 200 ms, at most 10 s). A request that is
//!   waiting does not hold a slot, and every retry goes through the pacer
//!   again. Throttling is how the service
//!   says "slower", not "broken", so it is retried up to 30 times; server
//!   errors up to 8 attempts; a request that got no answer at all (refused,
//!   timed out) up to 3, as the SDKs' standard retries do, so that a portal
//!   out of reach fails in seconds, not minutes. All the retries of a run
//!   wait at most [`Network::retry_wait`] (2 minutes; waits that overlap
//!   count once): a retry that would wait past it is not made, so a
//!   portal asking for hours of patience fails the run at once. Only then
//!   does the sync fail, as a whole, in one line naming the endpoint: the
//!   caller never sees half an organisation.
//! - **Answers** over 8 MiB ([`super::client::MAX_ANSWER`]) are not read
//!   on, nor retried: the sync fails naming the cap.
//! - **Bounds** far above any real organisation, so that a portal (or
//!   something posing as one) that keeps inventing next tokens, accounts
//!   or roles is not listed forever: [`MAX_ACCOUNTS`] accounts in at most
//!   [`MAX_ACCOUNT_PAGES`] pages, [`MAX_ROLE_PAGES`] pages of one
//!   account's roles, [`MAX_ROLES`] roles in all. Accounts wait in a queue
//!   until a listing of their roles can start, and at most
//!   [`LISTINGS_PER_SLOT`] listings per slot are alive at once, so memory
//!   grows with the accounts, not with suspended requests.
//! - A 401 means the sign-in is gone: the error names `badge login`.
//!   An account whose roles answer 403 (no access) or 404 (it left the
//!   organisation while we listed) is skipped, and reported to the caller;
//!   any other refusal of a request fails the sync.
//! - **What the portal says is checked** before anyone uses it: an account
//!   whose id is not 12 digits, or whose name holds control characters, is
//!   skipped (its roles are not even asked for), and so is a role whose
//!   name holds control characters or starts or ends with whitespace, each
//!   with its reason. No real account or role looks like that (ids are 12
//!   digits, account names printable ASCII, roles `[\w+=,.@-]+`), and a
//!   config would hold them wrongly: a line break starts another line, an
//!   INI value loses its outer spaces (`sso_role_name = spaced` for the
//!   role `" spaced "`, a role that does not exist). Nothing else is
//!   refused: a name with a bidi control or a zero-width character is a
//!   name a config holds exactly, and it is shown escaped.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Result, anyhow, bail};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sso::operation::list_accounts::ListAccountsOutput;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::client::{MAX_ANSWER, Network, REQUEST_TIMEOUT_VAR, RETRY_WAIT_VAR, too_large};
use crate::base::text::printable;
use crate::base::time::{parse_time, seconds};
use crate::shell::shell_word;

/// The most items a page may hold (the API's own maximum).
const PAGE_SIZE: i32 = 100;

/// Accounts listed at most. The largest organisations have tens of
/// thousands (AWS Organizations raises its quota of accounts on request).
pub const MAX_ACCOUNTS: usize = 100_000;
/// Pages of accounts at most: [`MAX_ACCOUNTS`] in pages half full (the
/// portal fills its pages of 100), so that pages of nothing new with fresh
/// next tokens stop too.
pub const MAX_ACCOUNT_PAGES: usize = 2_000;
/// Pages of one account's roles at most: IAM allows at most 5,000 roles in
/// an account (Identity Center provisions a few hundred permission sets in
/// one by default), so pages of 5 and more.
pub const MAX_ROLE_PAGES: usize = 1_000;
/// Roles (account and role pairs) at most, in all: ten for each of
/// [`MAX_ACCOUNTS`].
pub const MAX_ROLES: usize = 1_000_000;
/// Role listings alive at once for each of [`PortalOptions::concurrency`]'s
/// slots: enough that listings waiting to retry (which hold no slot) leave
/// the slots busy, few enough that suspended listings cost little memory.
const LISTINGS_PER_SLOT: usize = 4;

/// How the portal is called.
#[derive(Clone, Debug, PartialEq)]
pub struct PortalOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests started a second at most once paced; `None` for no pacing.
    pub rate: Option<f64>,
    /// Pace from the first request rather than from the first 429.
    pub pace_from_start: bool,
    /// Requests that may start at once after a quiet moment.
    pub burst: u32,
    /// Attempts of a request that fails with a server error.
    pub max_attempts: u32,
    /// Attempts of a request that gets no answer (refused, timed out).
    pub max_unanswered_attempts: u32,
    /// Attempts of a request that keeps being throttled.
    pub max_throttled_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// Endpoint and timeouts of the portal client.
    pub network: Network,
}

impl Default for PortalOptions {
    fn default() -> PortalOptions {
        PortalOptions {
            concurrency: 10,
            rate: Some(19.0),
            pace_from_start: false,
            burst: 5,
            max_attempts: 8,
            max_unanswered_attempts: 3,
            max_throttled_attempts: 30,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            network: Network::default(),
        }
    }
}

impl PortalOptions {
    /// The defaults, paced from the first request at `rate` when the user
    /// set one (`Some(None)`: no pacing at all), over `network`.
    pub fn new(rate: Option<Option<f64>>, network: Network) -> PortalOptions {
        let mut options = PortalOptions {
            network,
            ..PortalOptions::default()
        };
        if let Some(rate) = rate {
            options.pace_from_start = true;
            options.rate = rate;
        }
        options
    }
}

/// One account role the user may sign in to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assignment {
    pub account_id: String,
    pub account_name: String,
    pub role_name: String,
}

/// An account whose roles could not be listed, or that the portal named
/// in a way no account is named; or one role of an account (`role_name`),
/// named in a way no role is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedAccount {
    pub account_id: String,
    pub account_name: String,
    /// The role skipped; `None` when it is the whole account.
    pub role_name: Option<String>,
    pub reason: String,
}

/// Whether `id` is an AWS account id: exactly 12 ASCII digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Why an account the portal listed cannot be used, if it cannot.
pub fn account_problem(id: &str, name: &str) -> Option<&'static str> {
    if !is_account_id(id) {
        return Some("its id is not 12 digits");
    }
    if name.chars().any(char::is_control) {
        return Some("its name has control characters");
    }
    None
}

/// Why a role the portal listed cannot be used, if it cannot. Whitespace
/// as Python strips it (botocore reads the config), which includes the
/// no-break and the ideographic space.
pub fn role_problem(name: &str) -> Option<&'static str> {
    if name.chars().any(char::is_control) {
        return Some("it has control characters");
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return Some("it starts or ends with whitespace, which a config value cannot keep");
    }
    None
}

/// What the portal said.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// Accounts listed.
    pub accounts: usize,
    /// In the order the portal listed accounts, then roles.
    pub assignments: Vec<Assignment>,
    pub skipped: Vec<SkippedAccount>,
    /// Requests sent, and of them answered 429.
    pub requests: u64,
    pub throttled: u64,
}

/// Where the listing is, for a progress line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Accounts whose roles are known.
    pub done: usize,
    /// Accounts listed so far.
    pub listed: usize,
    /// Whether every page of accounts has been read.
    pub all_listed: bool,
}

/// Lists every account, then every account's roles. `session` names the
/// sso-session in messages; `progress` is called as accounts complete.
pub async fn discover(
    client: &aws_sdk_sso::Client,
    token: &str,
    session: &str,
    options: &PortalOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Discovery> {
    let region = client
        .config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let shared = Arc::new(Shared {
        client: client.clone(),
        token: token.to_owned(),
        session: session.to_owned(),
        endpoint: options.network.portal_endpoint(&region),
        region,
        options: options.clone(),
        slots: Semaphore::new(options.concurrency.max(1)),
        pacer: options
            .rate
            .map(|rate| Pacer::new(rate, options.burst, options.pace_from_start)),
        counts: Mutex::new((0, 0)),
        roles: AtomicUsize::new(0),
        waited: RetryClock::default(),
    });
    let mut tasks: JoinSet<(Account, Result<Vec<String>, Failure>)> = JoinSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut accounts: Vec<Account> = Vec::new();
    // Accounts whose roles are yet to be listed, in the order listed.
    let mut waiting: VecDeque<Account> = VecDeque::new();
    let mut roles: Vec<Option<Vec<String>>> = Vec::new();
    let mut skipped = Vec::new();
    let mut done = 0;
    let mut pages = 0;
    let mut tokens_seen: HashSet<String> = HashSet::new();
    let mut next_page: Option<PageFuture> = Some(account_page(shared.clone(), None));
    let live = options.concurrency.max(1) * LISTINGS_PER_SLOT;

    loop {
        while tasks.len() < live
            && let Some(account) = waiting.pop_front()
        {
            let shared = shared.clone();
            tasks.spawn(async move {
                let result = account_roles(&shared, &account.id).await;
                (account, result)
            });
        }
        tokio::select! {
            page = async { next_page.as_mut().expect("polled only while listing").await },
                if next_page.is_some() => {
                let page = match page {
                    Ok(page) => page,
                    Err(Failure::Fatal(err)) => return Err(err),
                    Err(Failure::Skip(reason)) => bail!("cannot list the accounts: {reason}"),
                };
                pages += 1;
                for info in page.account_list() {
                    let id = info.account_id().unwrap_or_default();
                    if !seen.insert(id.to_owned()) {
                        continue;
                    }
                    let name = info.account_name().unwrap_or_default();
                    if let Some(reason) = account_problem(id, name) {
                        skipped.push(SkippedAccount {
                            account_id: id.to_owned(),
                            account_name: name.to_owned(),
                            role_name: None,
                            reason: reason.to_owned(),
                        });
                        continue;
                    }
                    let account = Account {
                        index: accounts.len(),
                        id: id.to_owned(),
                        name: name.to_owned(),
                    };
                    accounts.push(account.clone());
                    roles.push(None);
                    waiting.push_back(account);
                }
                let next_token = page
                    .next_token()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned);
                let more = next_token.is_some();
                if accounts.len() > MAX_ACCOUNTS || (more && accounts.len() >= MAX_ACCOUNTS) {
                    return Err(too_many(&shared, "accounts", MAX_ACCOUNTS, "", "more than any organisation has"));
                }
                next_page = match next_token {
                    None => None,
                    Some(token) if !tokens_seen.insert(token.clone()) => {
                        bail!("the portal returned the same page of accounts twice; try `badge sync` again")
                    }
                    Some(_) if pages >= MAX_ACCOUNT_PAGES => {
                        return Err(too_many(&shared, "accounts", MAX_ACCOUNT_PAGES, " pages", "more than any organisation needs"));
                    }
                    Some(token) => Some(account_page(shared.clone(), Some(token))),
                };
                progress(Progress {
                    done,
                    listed: accounts.len(),
                    all_listed: !more,
                });
            }
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                finish(joined?, &mut roles, &mut skipped)?;
                done += 1;
                progress(Progress {
                    done,
                    listed: accounts.len(),
                    all_listed: next_page.is_none(),
                });
            }
            else => break,
        }
    }

    let mut assignments = Vec::new();
    for (account, roles) in accounts.iter().zip(roles) {
        for role_name in roles.unwrap_or_default() {
            if let Some(reason) = role_problem(&role_name) {
                skipped.push(SkippedAccount {
                    account_id: account.id.clone(),
                    account_name: account.name.clone(),
                    role_name: Some(role_name),
                    reason: reason.to_owned(),
                });
                continue;
            }
            assignments.push(Assignment {
                account_id: account.id.clone(),
                account_name: account.name.clone(),
                role_name,
            });
        }
    }
    skipped.sort_by(|a, b| (&a.account_id, &a.role_name).cmp(&(&b.account_id, &b.role_name)));
    let (requests, throttled) = *shared.counts.lock().expect("counts lock");
    Ok(Discovery {
        accounts: seen.len(),
        assignments,
        skipped,
        requests,
        throttled,
    })
}

/// One page of ListAccounts, with its retries.
type PageFuture = Pin<Box<dyn Future<Output = Result<ListAccountsOutput, Failure>>>>;

fn account_page(shared: Arc<Shared>, token: Option<String>) -> PageFuture {
    Box::pin(async move {
        let inner = shared.clone();
        request(&shared, "ListAccounts", Kind::AccountPage, move || {
            inner
                .client
                .list_accounts()
                .access_token(&inner.token)
                .max_results(PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
        })
        .await
    })
}

/// A listing that went past one of the bounds: `what` past `limit` (and
/// `unit`), which is `why` too many.
fn too_many(shared: &Shared, what: &str, limit: usize, unit: &str, why: &str) -> anyhow::Error {
    let fix = match &shared.options.network.sso_endpoint {
        Some(endpoint) => format!("check {}", endpoint.var),
        None => "check your network and proxy settings, then run `badge sync` again".to_owned(),
    };
    anyhow!(
        "the portal at {} kept listing {what} for sso-session \"{}\" past {limit}{unit}, {why}, \
         so badge stopped; {fix}",
        shared.endpoint,
        shared.session
    )
}

/// Records one account's roles, or why it was skipped.
fn finish(
    (account, result): (Account, Result<Vec<String>, Failure>),
    roles: &mut [Option<Vec<String>>],
    skipped: &mut Vec<SkippedAccount>,
) -> Result<()> {
    match result {
        Ok(list) => roles[account.index] = Some(list),
        Err(Failure::Skip(reason)) => skipped.push(SkippedAccount {
            account_id: account.id,
            account_name: account.name,
            role_name: None,
            reason,
        }),
        Err(Failure::Fatal(err)) => return Err(err),
    }
    Ok(())
}

#[derive(Clone, Debug)]
struct Account {
    /// Place in the listing.
    index: usize,
    id: String,
    name: String,
}

/// What every request of one discovery shares.
struct Shared {
    client: aws_sdk_sso::Client,
    token: String,
    session: String,
    /// The portal's base URL and region, for messages.
    endpoint: String,
    region: String,
    options: PortalOptions,
    slots: Semaphore,
    pacer: Option<Pacer>,
    /// Requests sent, and of them throttled.
    counts: Mutex<(u64, u64)>,
    /// Roles listed so far, of every account.
    roles: AtomicUsize,
    /// The time retries of this run have waited.
    waited: RetryClock,
}

/// How long the retries of one run have waited, on the wall clock: waits
/// that overlap count once.
#[derive(Default)]
struct RetryClock(Mutex<Waits>);

#[derive(Default)]
struct Waits {
    /// Retries waiting now, and since when one has been.
    waiting: usize,
    since: Option<Instant>,
    /// Time waited before `since`.
    spent: Duration,
}

impl RetryClock {
    /// Starts a wait of `delay`, unless it would take the run's waiting
    /// past `budget`; the wait ends when the guard is dropped.
    fn start(&self, delay: Duration, budget: Duration) -> Option<WaitGuard<'_>> {
        let mut waits = self.0.lock().expect("retry clock lock");
        let now = Instant::now();
        let spent = waits.spent + waits.since.map_or(Duration::ZERO, |t| now - t);
        if spent + delay > budget {
            return None;
        }
        waits.waiting += 1;
        waits.since.get_or_insert(now);
        Some(WaitGuard(self))
    }
}

struct WaitGuard<'a>(&'a RetryClock);

impl Drop for WaitGuard<'_> {
    fn drop(&mut self) {
        let mut waits = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        waits.waiting -= 1;
        if waits.waiting == 0
            && let Some(since) = waits.since.take()
        {
            waits.spent += since.elapsed();
        }
    }
}

/// Why a request gave up.
enum Failure {
    /// Nothing to list for this account (403, 404): skip it.
    Skip(String),
    Fatal(anyhow::Error),
}

/// Every page of one account's roles.
async fn account_roles(shared: &Arc<Shared>, account_id: &str) -> Result<Vec<String>, Failure> {
    let mut roles = Vec::new();
    let mut next_token: Option<String> = None;
    let mut tokens_seen: HashSet<String> = HashSet::new();
    let mut pages = 0;
    loop {
        let page = {
            let (inner, token) = (shared.clone(), next_token.clone());
            let account_id = account_id.to_owned();
            request(shared, "ListAccountRoles", Kind::AccountRoles, move || {
                inner
                    .client
                    .list_account_roles()
                    .access_token(&inner.token)
                    .account_id(&account_id)
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?
        };
        pages += 1;
        let before = roles.len();
        roles.extend(
            page.role_list()
                .iter()
                .filter_map(|role| role.role_name())
                .filter(|name| !name.is_empty())
                .map(str::to_owned),
        );
        let listed = shared
            .roles
            .fetch_add(roles.len() - before, Ordering::Relaxed)
            + (roles.len() - before);
        if listed > MAX_ROLES {
            return Err(Failure::Fatal(too_many(
                shared,
                "roles",
                MAX_ROLES,
                "",
                "more than any organisation has",
            )));
        }
        next_token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        match &next_token {
            None => break,
            Some(token) if !tokens_seen.insert(token.clone()) => {
                return Err(Failure::Fatal(anyhow!(
                    "the portal returned the same page of roles of account {} twice; \
                     try `badge sync` again",
                    printable(account_id)
                )));
            }
            Some(_) if pages >= MAX_ROLE_PAGES => {
                return Err(Failure::Fatal(too_many(
                    shared,
                    &format!("the roles of account {}", printable(account_id)),
                    MAX_ROLE_PAGES,
                    " pages",
                    "more than an account can have",
                )));
            }
            Some(_) => {}
        }
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// What to do about a failed attempt.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Try again, waiting at least `after` if the server said so.
    Retry {
        after: Option<Duration>,
        class: Class,
    },
    Unauthorized,
    /// 403 or 404.
    NoAccess(String),
    /// Any other answer that trying again will not change.
    Refused,
    /// An answer past [`super::client::MAX_ANSWER`].
    TooLarge,
}

/// Why an attempt is worth repeating, which sets how often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// 429.
    Throttled,
    /// 5xx, 408, or an answer that could not be read.
    Server,
    /// No answer: refused, reset, or timed out.
    Unanswered,
}

/// The service's answer in one line: `500 InternalServerException: An
/// internal error occurred`; for no answer, why.
fn answer<E>(net: &Network, err: &SdkError<E>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    net.no_answer(err).unwrap_or_else(|| service_answer(err))
}

/// What the service answered, in one line.
fn service_answer<E>(err: &SdkError<E>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let status = err
        .raw_response()
        .map(|r| format!("{} ", r.status().as_u16()))
        .unwrap_or_default();
    match (err.code(), err.message().filter(|m| !m.trim().is_empty())) {
        (Some(code), Some(message)) => format!("{status}{code}: {message}"),
        (Some(code), None) => format!("{status}{code}"),
        (None, Some(message)) => format!("{status}{message}"),
        (None, None) => format!("{status}with no error name").trim().to_owned(),
    }
}

/// Where to look when the portal at `shared.endpoint` is the wrong place.
fn endpoint_hint(shared: &Shared) -> String {
    match &shared.options.network.sso_endpoint {
        Some(endpoint) => format!("check {}", endpoint.var),
        None => format!(
            "check that sso_region {} of [sso-session {}] is the region of your Identity Center \
             (`badge session add {} --region REGION`)",
            shared.region,
            shared.session,
            shell_word(&shared.session).unwrap_or_else(|_| "NAME".to_owned())
        ),
    }
}

/// The portal said no to a request it will not say yes to on a retry.
fn refused<E>(shared: &Shared, operation: &str, err: &SdkError<E>) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let fix = match err.raw_response().map(|r| r.status().as_u16()) {
        Some(403) => format!(
            "sign in again with `badge login --sso-session {}`",
            shell_word(&shared.session).unwrap_or_else(|_| "NAME".to_owned())
        ),
        _ => endpoint_hint(shared),
    };
    anyhow!(
        "the portal at {} refused {operation} for sso-session \"{}\" ({}); {fix}",
        shared.endpoint,
        shared.session,
        answer(&shared.options.network, err)
    )
}

/// The last failure of a request that was tried `attempts` times.
fn gave_up<E>(
    shared: &Shared,
    operation: &str,
    err: &SdkError<E>,
    class: Class,
    attempts: u32,
) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let (endpoint, session) = (&shared.endpoint, &shared.session);
    match class {
        Class::Throttled => anyhow!(
            "the portal at {endpoint} kept throttling {operation} for sso-session \"{session}\" \
             ({attempts} times in a row); try `badge sync` again later"
        ),
        Class::Server => anyhow!(
            "the portal at {endpoint} failed {operation} for sso-session \"{session}\" \
             {attempts} times (the last: {}); try `badge sync` again later",
            answer(&shared.options.network, err)
        ),
        Class::Unanswered => {
            let fix = if matches!(err, SdkError::TimeoutError(_)) {
                format!("check your network, or allow more time with {REQUEST_TIMEOUT_VAR}=60")
            } else {
                match &shared.options.network.sso_endpoint {
                    Some(endpoint) => format!("check your network and {}", endpoint.var),
                    None => "check your network and proxy settings".to_owned(),
                }
            };
            anyhow!(
                "cannot reach the portal at {endpoint} for sso-session \"{session}\": {} \
                 ({attempts} attempts); {fix}, then run `badge sync` again",
                answer(&shared.options.network, err)
            )
        }
    }
}

/// A request that would be retried only after the run's retries have
/// waited all they may.
fn waited_too_long<E>(
    shared: &Shared,
    operation: &str,
    err: &SdkError<E>,
    class: Class,
    budget: Duration,
) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let what = match class {
        Class::Throttled => format!("kept throttling {operation}"),
        Class::Server => format!(
            "kept failing {operation} (the last: {})",
            answer(&shared.options.network, err)
        ),
        Class::Unanswered => format!(
            "did not answer {operation} ({})",
            answer(&shared.options.network, err)
        ),
    };
    anyhow!(
        "the portal at {} {what} for sso-session \"{}\", and waiting to retry would take more \
         than the {} badge waits in a run; try `badge sync` again later, or allow more with \
         {RETRY_WAIT_VAR}=600",
        shared.endpoint,
        shared.session,
        seconds(budget)
    )
}

/// Which listing a request belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The one chain of account pages: it takes no slot, so that accounts
    /// are known early while their roles are being listed.
    AccountPage,
    /// A page of one account's roles: takes a slot; 403 and 404 skip the
    /// account.
    AccountRoles,
}

/// One request with its retries. `send` builds and sends a fresh attempt.
async fn request<T, E, F, Fut>(
    shared: &Shared,
    operation: &str,
    kind: Kind,
    mut send: F,
) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E>>>,
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let options = &shared.options;
    let (mut failures, mut throttles) = (0u32, 0u32);
    loop {
        let result = {
            let _slot = match kind {
                Kind::AccountRoles => Some(
                    shared
                        .slots
                        .acquire()
                        .await
                        .expect("the semaphore is never closed"),
                ),
                Kind::AccountPage => None,
            };
            if let Some(pacer) = &shared.pacer {
                pacer.wait().await;
            }
            shared.counts.lock().expect("counts lock").0 += 1;
            send().await
        };
        let err = match result {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let (after, class) = match classify(&err, SystemTime::now()) {
            Verdict::Retry { after, class } => (after, class),
            Verdict::Unauthorized => {
                return Err(Failure::Fatal(anyhow!(
                    "the portal no longer accepts the sign-in of sso-session \"{}\" \
                     (it expired or was revoked); run `badge login --sso-session {}`",
                    shared.session,
                    shell_word(&shared.session).unwrap_or_else(|_| "NAME".to_owned())
                )));
            }
            Verdict::NoAccess(reason) if kind == Kind::AccountRoles => {
                return Err(Failure::Skip(reason));
            }
            Verdict::NoAccess(_) | Verdict::Refused => {
                return Err(Failure::Fatal(refused(shared, operation, &err)));
            }
            Verdict::TooLarge => {
                return Err(Failure::Fatal(anyhow!(
                    "the portal at {} answered {operation} for sso-session \"{}\" with more than \
                     {} MiB, more than any answer of its API holds, so badge stopped; {}",
                    shared.endpoint,
                    shared.session,
                    MAX_ANSWER >> 20,
                    endpoint_hint(shared)
                )));
            }
        };
        let attempts = match class {
            Class::Throttled => {
                if let Some(pacer) = &shared.pacer {
                    pacer.engage();
                }
                shared.counts.lock().expect("counts lock").1 += 1;
                throttles += 1;
                throttles
            }
            Class::Server | Class::Unanswered => {
                failures += 1;
                failures
            }
        };
        let limit = match class {
            Class::Throttled => options.max_throttled_attempts,
            Class::Server => options.max_attempts,
            Class::Unanswered => options.max_unanswered_attempts,
        };
        if attempts >= limit {
            return Err(Failure::Fatal(gave_up(
                shared, operation, &err, class, attempts,
            )));
        }
        let delay = backoff(options, attempts, after, random_fraction());
        let budget = options.network.retry_wait;
        let Some(_waiting) = shared.waited.start(delay, budget) else {
            return Err(Failure::Fatal(waited_too_long(
                shared, operation, &err, class, budget,
            )));
        };
        crate::ui::verbose::verbose!(
            "{operation}: {}; retry {attempts} in {}{}",
            match class {
                Class::Throttled => "throttled",
                Class::Server => "server error",
                Class::Unanswered => "no answer",
            },
            crate::base::time::took(delay),
            match after {
                Some(after) => format!(" (Retry-After {})", crate::base::time::took(after)),
                None => String::new(),
            }
        );
        tokio::time::sleep(delay).await;
    }
}

/// How long to wait before attempt `attempts + 1`: what `Retry-After` asks
/// plus up to `base_delay` of jitter (so the requests it sent away do not
/// all come back at once), else full jitter over an exponentially growing
/// cap.
fn backoff(
    options: &PortalOptions,
    attempts: u32,
    retry_after: Option<Duration>,
    fraction: f64,
) -> Duration {
    let fraction = fraction.clamp(0.0, 1.0);
    if let Some(after) = retry_after {
        return after.min(options.max_retry_after) + options.base_delay.mul_f64(fraction);
    }
    options
        .base_delay
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
        .min(options.max_delay)
        .mul_f64(fraction)
}

/// A uniform number in [0, 1).
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

fn classify<E>(err: &SdkError<E>, now: SystemTime) -> Verdict
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let unanswered = Verdict::Retry {
        after: None,
        class: Class::Unanswered,
    };
    if too_large(err) {
        return Verdict::TooLarge;
    }
    match err {
        SdkError::TimeoutError(_) => unanswered,
        SdkError::ResponseError(_) => Verdict::Retry {
            after: None,
            class: Class::Server,
        },
        SdkError::DispatchFailure(failure) if failure.is_user() => Verdict::Refused,
        SdkError::DispatchFailure(_) => unanswered,
        SdkError::ServiceError(_) => {
            let Some(response) = err.raw_response() else {
                return Verdict::Refused;
            };
            let after = response
                .headers()
                .get("retry-after")
                .and_then(|value| parse_retry_after(value, now));
            match response.status().as_u16() {
                429 => Verdict::Retry {
                    after,
                    class: Class::Throttled,
                },
                401 => Verdict::Unauthorized,
                403 | 404 => Verdict::NoAccess(service_answer(err)),
                408 | 500..=599 => Verdict::Retry {
                    after,
                    class: Class::Server,
                },
                _ => Verdict::Refused,
            }
        }
        _ => Verdict::Refused,
    }
}

/// `Retry-After` as seconds (`2`, `1.5`) or an HTTP date.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    let words: Vec<&str> = value.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = words.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let at = parse_time(&format!("{year}-{month:02}-{day:02}T{time}Z"))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Starts requests at most `rate` a second, `burst` at once: GCRA, where
/// each caller reserves the next free start time and sleeps until it. Until
/// it is engaged, it lets every request through.
struct Pacer {
    interval: Duration,
    tolerance: Duration,
    engaged: AtomicBool,
    /// The theoretical arrival time of the next request.
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    fn new(rate: f64, burst: u32, engaged: bool) -> Pacer {
        let interval = Duration::from_secs_f64(1.0 / rate.max(1e-3));
        Pacer {
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            engaged: AtomicBool::new(engaged),
            next: Mutex::new(None),
        }
    }

    /// Pace every request from now on.
    fn engage(&self) {
        if !self.engaged.swap(true, Ordering::Relaxed) {
            crate::ui::verbose::verbose!(
                "the portal throttles: pacing requests to {:.1} a second from now on",
                1.0 / self.interval.as_secs_f64()
            );
        }
    }

    async fn wait(&self) {
        if !self.engaged.load(Ordering::Relaxed) {
            return;
        }
        let start = {
            let mut next = self.next.lock().expect("pacer lock");
            let now = Instant::now();
            let tat = next.map_or(now, |t| t.max(now));
            *next = Some(tat + self.interval);
            tat.checked_sub(self.tolerance).map_or(now, |t| t.max(now))
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests;
