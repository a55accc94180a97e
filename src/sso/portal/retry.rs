//! Sending one request to the portal: retries with backoff and the
//! server's `Retry-After`, within the run's budget of waiting
//! ([`RetryClock`]); the pace of requests ([`Pacer`]); and what each failed
//! attempt means ([`classify`]) and says ([`refused`], [`gave_up`]).

use super::*;
use crate::ui::say::command;
/// How long the retries of one run have waited, on the wall clock: waits
/// that overlap count once.
#[derive(Default)]
pub(super) struct RetryClock(Mutex<Waits>);

#[derive(Default)]
pub(super) struct Waits {
    /// Retries waiting now, and since when one has been.
    waiting: usize,
    since: Option<Instant>,
    /// Time waited before `since`.
    spent: Duration,
}

impl RetryClock {
    /// Starts a wait of `delay`, unless it would take the run's waiting
    /// past `budget`; the wait ends when the guard is dropped.
    pub(super) fn start(&self, delay: Duration, budget: Duration) -> Option<WaitGuard<'_>> {
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

pub(super) struct WaitGuard<'a>(&'a RetryClock);

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

/// What to do about a failed attempt.
#[derive(Debug, PartialEq)]
pub(super) enum Verdict {
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
pub(super) enum Class {
    /// 429.
    Throttled,
    /// 5xx, 408, or an answer that could not be read.
    Server,
    /// No answer: refused, reset, or timed out.
    Unanswered,
}

/// The service's answer in one line: `500 InternalServerException: An
/// internal error occurred`; for no answer, why.
pub(super) fn answer<E>(net: &Network, err: &SdkError<E>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    net.no_answer(err).unwrap_or_else(|| service_answer(err))
}

/// What the service answered, in one line.
pub(super) fn service_answer<E>(err: &SdkError<E>) -> String
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
pub(super) fn endpoint_hint(shared: &Shared) -> String {
    let cmd = command();
    match &shared.options.network.sso_endpoint {
        Some(endpoint) => format!("check {}", endpoint.var),
        None => format!(
            "check that sso_region {} of [sso-session {}] is the region of your Identity Center \
             (`{cmd} session add {} --region REGION`)",
            shared.region,
            shared.session,
            shell_word(&shared.session).unwrap_or_else(|_| "NAME".to_owned())
        ),
    }
}

/// The portal said no to a request it will not say yes to on a retry.
pub(super) fn refused<E>(shared: &Shared, operation: &str, err: &SdkError<E>) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let cmd = command();
    let fix = match err.raw_response().map(|r| r.status().as_u16()) {
        Some(403) => format!(
            "sign in again with `{cmd} login --sso-session {}`",
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
pub(super) fn gave_up<E>(
    shared: &Shared,
    operation: &str,
    err: &SdkError<E>,
    class: Class,
    attempts: u32,
) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let cmd = command();
    let (endpoint, session) = (&shared.endpoint, &shared.session);
    match class {
        Class::Throttled => anyhow!(
            "the portal at {endpoint} kept throttling {operation} for sso-session \"{session}\" \
             ({attempts} times in a row); try `{cmd} sync` again later"
        ),
        Class::Server => anyhow!(
            "the portal at {endpoint} failed {operation} for sso-session \"{session}\" \
             {attempts} times (the last: {}); try `{cmd} sync` again later",
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
                 ({attempts} attempts); {fix}, then run `{cmd} sync` again",
                answer(&shared.options.network, err)
            )
        }
    }
}

/// A request that would be retried only after the run's retries have
/// waited all they may.
pub(super) fn waited_too_long<E>(
    shared: &Shared,
    operation: &str,
    err: &SdkError<E>,
    class: Class,
    budget: Duration,
) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let cmd = command();
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
         than the {} badge waits in a run; try `{cmd} sync` again later, or allow more with \
         {RETRY_WAIT_VAR}=600",
        shared.endpoint,
        shared.session,
        seconds(budget)
    )
}

/// Which listing a request belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The one chain of account pages: it takes no slot, so that accounts
    /// are known early while their roles are being listed.
    AccountPage,
    /// A page of one account's roles: takes a slot; 403 and 404 skip the
    /// account.
    AccountRoles,
}

/// One request with its retries. `send` builds and sends a fresh attempt.
pub(super) async fn request<T, E, F, Fut>(
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
    let cmd = command();
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
                     (it expired or was revoked); run `{cmd} login --sso-session {}`",
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
pub(super) fn backoff(
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
pub(super) fn random_fraction() -> f64 {
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

pub(super) fn classify<E>(err: &SdkError<E>, now: SystemTime) -> Verdict
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
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
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
pub(super) struct Pacer {
    interval: Duration,
    tolerance: Duration,
    engaged: AtomicBool,
    /// The theoretical arrival time of the next request.
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    pub(super) fn new(rate: f64, burst: u32, engaged: bool) -> Pacer {
        let interval = Duration::from_secs_f64(1.0 / rate.max(1e-3));
        Pacer {
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            engaged: AtomicBool::new(engaged),
            next: Mutex::new(None),
        }
    }

    /// Pace every request from now on.
    pub(super) fn engage(&self) {
        if !self.engaged.swap(true, Ordering::Relaxed) {
            crate::ui::verbose::verbose!(
                "the portal throttles: pacing requests to {:.1} a second from now on",
                1.0 / self.interval.as_secs_f64()
            );
        }
    }

    pub(super) async fn wait(&self) {
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
