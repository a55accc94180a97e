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
    let cmd = command();
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
                        bail!("the portal returned the same page of accounts twice; try `{cmd} sync` again")
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
        None => format!(
            "check your network and proxy settings, then run `{} sync` again",
            command()
        ),
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

/// Why a request gave up.
enum Failure {
    /// Nothing to list for this account (403, 404): skip it.
    Skip(String),
    Fatal(anyhow::Error),
}

/// Every page of one account's roles.
async fn account_roles(shared: &Arc<Shared>, account_id: &str) -> Result<Vec<String>, Failure> {
    let cmd = command();
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
                     try `{cmd} sync` again",
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

mod retry;

use crate::ui::say::command;
use retry::*;

#[cfg(test)]
mod tests;
