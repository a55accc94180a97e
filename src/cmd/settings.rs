//! Every `BADGE_*` setting, read from the environment once, here, with one
//! error style: a value badge cannot use is refused with a message that
//! names the variable and an example, never silently ignored. A setting is
//! refused when a command needs it, so a bad `BADGE_PORTAL_RATE` does not
//! stop a switch.

use std::time::Duration;

use anyhow::{Result, anyhow};

use std::ffi::OsString;

use crate::base::text::quoted;
use crate::base::url::without_userinfo;
use crate::config::writer::{DEFAULT_LOCK_WAIT, LOCK_TIMEOUT_VAR};
use crate::sso::client::{
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_WAIT, Endpoint, Network, REQUEST_TIMEOUT_VAR,
    RETRY_WAIT_VAR,
};
use crate::sso::federation::SIGNIN_URL_VAR;
use crate::sso::login::DEFAULT_TIMEOUT as DEFAULT_LOGIN_TIMEOUT;

/// `--verbose` from the environment: anything but empty, `0`, `false`,
/// `no` or `off`.
pub const LOG: &str = "BADGE_LOG";
/// Seconds to wait for another badge's config lock; 0 tries once.
pub const LOCK_TIMEOUT: &str = LOCK_TIMEOUT_VAR;
/// Seconds (a decimal number) one attempt of an AWS request may take.
pub const REQUEST_TIMEOUT: &str = REQUEST_TIMEOUT_VAR;
/// Seconds (a decimal number) the portal's retries may wait in all, in one
/// run.
pub const RETRY_WAIT: &str = RETRY_WAIT_VAR;
/// Seconds to wait for the browser or the device code's approval.
pub const LOGIN_TIMEOUT: &str = "BADGE_LOGIN_TIMEOUT_SECS";
/// Requests a second to the portal; 0 for no limit.
pub const PORTAL_RATE: &str = "BADGE_PORTAL_RATE";
/// Another federation (console sign-in) endpoint.
pub const SIGNIN_URL: &str = SIGNIN_URL_VAR;

/// The endpoint overrides the AWS SDKs read, most specific first.
const SSO_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"];
const OIDC_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL"];

/// A setting as read: `None` when unset (or empty), its value, or the
/// message that refuses it.
type Parsed<T> = std::result::Result<Option<T>, String>;

/// The `BADGE_*` settings and the SDK endpoint overrides of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub log: bool,
    lock_timeout: Parsed<Duration>,
    request_timeout: Parsed<Duration>,
    retry_wait: Parsed<Duration>,
    login_timeout: Parsed<Duration>,
    portal_rate: Parsed<Option<f64>>,
    signin_url: Parsed<String>,
    sso_endpoint: Option<Endpoint>,
    oidc_endpoint: Option<Endpoint>,
}

impl Settings {
    /// The settings in the environment `var` reads.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Settings {
        let text = |name: &str| {
            var(name)
                .filter(|v| !v.is_empty())
                .map(|v| v.to_string_lossy().into_owned())
        };
        let seconds = |v: &str| v.parse::<u64>().ok().map(Duration::from_secs);
        Settings {
            log: text(LOG).is_some_and(|v| log_wanted(&v)),
            lock_timeout: parse(LOCK_TIMEOUT, text(LOCK_TIMEOUT), seconds, || {
                format!(
                    "a number of seconds; use e.g. {LOCK_TIMEOUT}=60, or unset it to wait {}s",
                    DEFAULT_LOCK_WAIT.as_secs()
                )
            }),
            request_timeout: parse(
                REQUEST_TIMEOUT,
                text(REQUEST_TIMEOUT),
                |v| {
                    let secs = v.parse::<f64>().ok()?;
                    (secs.is_finite() && secs > 0.0)
                        .then(|| Duration::from_secs_f64(secs.min(86_400.0)))
                },
                || format!("a number of seconds; use e.g. {REQUEST_TIMEOUT}=30, or unset it"),
            ),
            retry_wait: parse(
                RETRY_WAIT,
                text(RETRY_WAIT),
                |v| {
                    let secs = v.parse::<f64>().ok()?;
                    (secs.is_finite() && secs >= 0.0)
                        .then(|| Duration::from_secs_f64(secs.min(86_400.0)))
                },
                || {
                    format!(
                        "a number of seconds; use e.g. {RETRY_WAIT}=600, or unset it to wait at \
                         most {}s",
                        DEFAULT_RETRY_WAIT.as_secs()
                    )
                },
            ),
            login_timeout: parse(
                LOGIN_TIMEOUT,
                text(LOGIN_TIMEOUT),
                |v| seconds(v).filter(|d| !d.is_zero()),
                || {
                    format!(
                        "a number of seconds; use e.g. {LOGIN_TIMEOUT}=120, or unset it to \
                         wait {}s",
                        DEFAULT_LOGIN_TIMEOUT.as_secs()
                    )
                },
            ),
            portal_rate: parse(
                PORTAL_RATE,
                text(PORTAL_RATE),
                |v| match v.parse::<f64>() {
                    Ok(rate) if rate.is_finite() && rate > 0.0 => Some(Some(rate)),
                    Ok(0.0) => Some(None),
                    _ => None,
                },
                || {
                    format!(
                        "a number of requests a second; use e.g. {PORTAL_RATE}=19, or 0 for no \
                         limit"
                    )
                },
            ),
            signin_url: parse(SIGNIN_URL, text(SIGNIN_URL), http_url, || {
                format!(
                    "an http(s) URL; use e.g. {SIGNIN_URL}=https://signin.aws.amazon.com, or \
                     unset it for the sign-in endpoint of the profile's region"
                )
            }),
            sso_endpoint: endpoint(&var, SSO_ENDPOINT_VARS),
            oidc_endpoint: endpoint(&var, OIDC_ENDPOINT_VARS),
        }
    }

    /// The sign-in endpoint `badge console` uses instead of the region's.
    pub fn signin_url(&self) -> Result<Option<String>> {
        used(&self.signin_url)
    }

    /// How long an edit of the config waits for another badge.
    pub fn lock_timeout(&self) -> Result<Duration> {
        Ok(used(&self.lock_timeout)?.unwrap_or(DEFAULT_LOCK_WAIT))
    }

    /// Login's wait for the browser or the device code; `None`: the flow's
    /// own default.
    pub fn login_timeout(&self) -> Result<Option<Duration>> {
        used(&self.login_timeout)
    }

    /// The portal's request rate: `None` when not set (badge's own pace),
    /// `Some(None)` for no limit.
    pub fn portal_rate(&self) -> Result<Option<Option<f64>>> {
        used(&self.portal_rate)
    }

    /// Everything the Identity Center clients need: endpoints and timeouts.
    /// Every network command starts here, so a bad timeout is reported
    /// before any request.
    pub fn network(&self) -> Result<Network> {
        Ok(Network {
            request_timeout: used(&self.request_timeout)?.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            retry_wait: used(&self.retry_wait)?.unwrap_or(DEFAULT_RETRY_WAIT),
            sso_endpoint: self.sso_endpoint.clone(),
            oidc_endpoint: self.oidc_endpoint.clone(),
        })
    }

    /// For `--verbose`: the endpoint overrides, without any password.
    pub fn endpoint_overrides(var: impl Fn(&str) -> Option<OsString>) -> Vec<String> {
        [
            "AWS_ENDPOINT_URL_SSO",
            "AWS_ENDPOINT_URL_SSO_OIDC",
            "AWS_ENDPOINT_URL",
        ]
        .iter()
        .filter_map(|name| {
            let value = var(name).filter(|v| !v.is_empty())?;
            Some(format!(
                "{name}={}",
                without_userinfo(&value.to_string_lossy())
            ))
        })
        .collect()
    }
}

/// The variable `var`, whose text is `text`: `None` when unset, else what
/// `read` makes of it trimmed, else the refusal `{var}="text" is not …`.
fn parse<T>(
    var: &str,
    text: Option<String>,
    read: impl Fn(&str) -> Option<T>,
    expected: impl Fn() -> String,
) -> Parsed<T> {
    let Some(text) = text else {
        return Ok(None);
    };
    match read(text.trim()) {
        Some(value) => Ok(Some(value)),
        None => Err(format!("{var}={} is not {}", quoted(&text), expected())),
    }
}

fn used<T: Clone>(parsed: &Parsed<T>) -> Result<Option<T>> {
    parsed.clone().map_err(|message| anyhow!(message))
}

/// `text` as the base of a URL (no `/` at its end), if it is an http or
/// https URL with a host and nothing a URL cannot hold.
fn http_url(text: &str) -> Option<String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let clean = text.chars().all(|c| c.is_ascii_graphic());
    (clean && !host.is_empty()).then(|| text.trim_end_matches('/').to_owned())
}

/// Whether a `BADGE_LOG` value asks for verbose output.
fn log_wanted(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty()
        || value == "0"
        || ["false", "no", "off"]
            .iter()
            .any(|word| value.eq_ignore_ascii_case(word)))
}

/// The first of `vars` that is set to more than white space.
fn endpoint(var: &impl Fn(&str) -> Option<OsString>, vars: [&'static str; 2]) -> Option<Endpoint> {
    vars.into_iter().find_map(|name| {
        let value = var(name)?.into_string().ok()?;
        (!value.trim().is_empty()).then(|| Endpoint {
            url: value.trim().trim_end_matches('/').to_owned(),
            var: name,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Settings {
        let env = super::super::context::Env::from_pairs(pairs);
        Settings::from_vars(|name| env.var_os(name))
    }

    #[test]
    fn badge_log_values() {
        assert!(!with(&[]).log);
        for off in ["", " ", "0", "false", "No", "OFF"] {
            assert!(!with(&[(LOG, off)]).log, "{off:?}");
        }
        for yes in ["1", "true", "debug", "trace", "yes"] {
            assert!(with(&[(LOG, yes)]).log, "{yes:?}");
        }
    }

    #[test]
    fn the_lock_wait_comes_from_the_environment() {
        let wait = |value: &str| with(&[(LOCK_TIMEOUT, value)]).lock_timeout();
        assert_eq!(with(&[]).lock_timeout().unwrap(), DEFAULT_LOCK_WAIT);
        assert_eq!(wait("").unwrap(), DEFAULT_LOCK_WAIT);
        assert_eq!(wait(" 3 ").unwrap(), Duration::from_secs(3));
        assert_eq!(wait("0").unwrap(), Duration::ZERO);
        assert_eq!(
            wait("soon").unwrap_err().to_string(),
            "BADGE_LOCK_TIMEOUT_SECS=\"soon\" is not a number of seconds; \
             use e.g. BADGE_LOCK_TIMEOUT_SECS=60, or unset it to wait 10s"
        );
        assert!(wait("-1").is_err() && wait("1.5").is_err());
    }

    #[test]
    fn a_sign_in_url_is_checked_when_read() {
        let url = |value: &str| with(&[(SIGNIN_URL, value)]).signin_url();
        assert_eq!(with(&[]).signin_url().unwrap(), None);
        assert_eq!(
            url("https://signin.example.com/").unwrap().as_deref(),
            Some("https://signin.example.com")
        );
        assert_eq!(
            url(" http://127.0.0.1:8080 ").unwrap().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "signin.aws.amazon.com",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x\ny",
        ] {
            let err = url(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!(
                    "{SIGNIN_URL}={} is not an http(s) URL",
                    quoted(bad)
                )),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn a_bad_login_timeout_is_refused_not_ignored() {
        let timeout = |value: &str| with(&[(LOGIN_TIMEOUT, value)]).login_timeout();
        assert_eq!(with(&[]).login_timeout().unwrap(), None);
        assert_eq!(timeout("7").unwrap(), Some(Duration::from_secs(7)));
        for bad in ["soon", "0", "-3", "1.5"] {
            let err = timeout(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("BADGE_LOGIN_TIMEOUT_SECS={bad:?} is not a number")),
                "{err}"
            );
        }
    }

    #[test]
    fn request_timeout_and_portal_rate() {
        let net = |v: &str| {
            with(&[(REQUEST_TIMEOUT, v)])
                .network()
                .map(|n| n.request_timeout)
        };
        assert_eq!(net("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(
            net("soon").unwrap_err().to_string(),
            "BADGE_REQUEST_TIMEOUT_SECS=\"soon\" is not a number of seconds; use e.g. \
             BADGE_REQUEST_TIMEOUT_SECS=30, or unset it"
        );
        let rate = |v: &str| with(&[(PORTAL_RATE, v)]).portal_rate();
        assert_eq!(rate("0").unwrap(), Some(None));
        assert_eq!(rate("2.5").unwrap(), Some(Some(2.5)));
        assert!(rate("fast").unwrap_err().to_string().contains(PORTAL_RATE));
        assert_eq!(with(&[]).portal_rate().unwrap(), None);
    }

    #[test]
    fn endpoints_follow_the_sdk_convention() {
        let s = with(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1/"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", " http://127.0.0.1:2 "),
        ]);
        let net = s.network().unwrap();
        let sso = net.sso_endpoint.unwrap();
        assert_eq!(
            (sso.url.as_str(), sso.var),
            ("http://127.0.0.1:1", "AWS_ENDPOINT_URL")
        );
        let oidc = net.oidc_endpoint.unwrap();
        assert_eq!(
            (oidc.url.as_str(), oidc.var),
            ("http://127.0.0.1:2", "AWS_ENDPOINT_URL_SSO_OIDC")
        );
    }
}
