//! The console sign-in for `badge console`: role credentials become a
//! sign-in token at the federation endpoint (`getSigninToken`), and the
//! token becomes a login URL that opens the console as that role.
//!
//! The login URL is a bearer credential for as long as the token lives, so
//! it is only ever printed to stdout on request or handed to the browser,
//! never to a diagnostic line.
//!
//! `SessionDuration` is not sent: the endpoint refuses it for credentials
//! of an assumed role (which GetRoleCredentials hands out), and the
//! console session then lasts as long as the credentials do.

use anyhow::{Context, Result, anyhow, bail};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;

use super::client::{Network, innermost};
use super::credentials::RoleCredentials;
use crate::base::time::seconds;
use crate::base::url::{encode_query_value, without_userinfo};
use crate::ui::verbose::{self, verbose};

/// The setting that points badge at another sign-in endpoint (a proxy, or
/// a test's emulator).
pub const SIGNIN_URL_VAR: &str = "BADGE_SIGNIN_URL";

/// Where an answer's body stops being read: a sign-in token is small.
const MAX_ANSWER: usize = 64 * 1024;

/// The partition a region belongs to, for the sign-in and console hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    UsGov,
    China,
}

impl Partition {
    pub fn of(region: Option<&str>) -> Partition {
        match region {
            Some(r) if r.starts_with("us-gov-") => Partition::UsGov,
            Some(r) if r.starts_with("cn-") => Partition::China,
            _ => Partition::Aws,
        }
    }

    fn signin(self) -> &'static str {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com",
            Partition::UsGov => "https://signin.amazonaws-us-gov.com",
            Partition::China => "https://signin.amazonaws.cn",
        }
    }
}

/// The sign-in endpoint: `override_url` ([`SIGNIN_URL_VAR`]) when set, else
/// that of the region's partition.
pub fn signin_base(region: Option<&str>, override_url: Option<&str>) -> String {
    match override_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => Partition::of(region).signin().to_owned(),
    }
}

/// Whether `service` can be a path segment of a console URL: `s3`,
/// `cloudwatch`, `ec2`, `lambda`, ...
pub fn valid_service(service: &str) -> bool {
    !service.is_empty()
        && service.len() <= 64
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The console page to land on: `service`'s home (the console home
/// without one) in `region`, or without a region where the profile has none.
pub fn console_url(region: Option<&str>, service: Option<&str>) -> String {
    let service = service.unwrap_or("console");
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    match (Partition::of(region), region) {
        (Partition::Aws, Some(region)) => {
            format!("https://{region}.console.aws.amazon.com/{service}/home?region={region}")
        }
        (Partition::Aws, None) => format!("https://console.aws.amazon.com/{service}/home"),
        (Partition::UsGov, Some(region)) => {
            format!("https://console.amazonaws-us-gov.com/{service}/home?region={region}")
        }
        (Partition::China, Some(region)) => {
            format!("https://console.amazonaws.cn/{service}/home?region={region}")
        }
        (_, None) => unreachable!("a partition other than aws comes from a region"),
    }
}

/// `{base}/federation?Action=getSigninToken&Session=...`.
fn signin_token_url(base: &str, credentials: &RoleCredentials) -> String {
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key,
        "sessionToken": credentials.session_token,
    })
    .to_string();
    format!(
        "{base}/federation?Action=getSigninToken&Session={}",
        encode_query_value(&session)
    )
}

/// `{base}/federation?Action=login&Issuer=badge&Destination=...&SigninToken=...`.
pub fn login_url(base: &str, destination: &str, signin_token: &str) -> String {
    format!(
        "{base}/federation?Action=login&Issuer=badge&Destination={}&SigninToken={}",
        encode_query_value(destination),
        encode_query_value(signin_token)
    )
}

/// The sign-in token for `credentials` from the endpoint at `base`.
pub async fn signin_token(
    net: &Network,
    base: &str,
    credentials: &RoleCredentials,
) -> Result<String> {
    let url = signin_token_url(base, credentials);
    let uri: hyper::Uri = url
        .parse()
        .map_err(|_| anyhow!("{base} is not a URL; check {SIGNIN_URL_VAR}"))?;
    verbose!("getSigninToken at {}/federation", without_userinfo(base));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .context("cannot load the system's certificate authorities")?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Empty<Bytes>>(connector);
    let request = hyper::Request::get(uri)
        .header("user-agent", concat!("badge/", env!("CARGO_PKG_VERSION")))
        .body(Empty::new())
        .context("cannot build the getSigninToken request")?;
    let timeout = net.request_timeout;
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| anyhow!("{e}"))?
            .to_bytes();
        anyhow::Ok((status, body))
    };
    let (status, body) = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => bail!(
            "no answer from the sign-in endpoint {base} within {}; check your network, \
             then run the command again",
            seconds(timeout)
        ),
        Ok(Err(err)) => bail!(
            "cannot reach the sign-in endpoint {base} ({}); check your network and proxy \
             settings, then run the command again",
            innermost(err.root_cause())
        ),
        Ok(Ok(answer)) => answer,
    };
    verbose!("getSigninToken answered {}", status.as_u16());
    if !status.is_success() {
        bail!(
            "the sign-in endpoint {base} refused the role credentials ({}); they may have \
             expired: run the command again",
            status
        );
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let answer: Answer = serde_json::from_slice(&body)
        .map_err(|_| anyhow!("the sign-in endpoint {base} answered without a sign-in token"))?;
    if answer.signin_token.is_empty() {
        bail!("the sign-in endpoint {base} answered with an empty sign-in token");
    }
    verbose::conceal(&answer.signin_token);
    Ok(answer.signin_token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn partitions_come_from_the_region() {
        assert_eq!(
            signin_base(Some("eu-west-1"), None),
            "https://signin.aws.amazon.com"
        );
        assert_eq!(
            signin_base(Some("us-gov-west-1"), None),
            "https://signin.amazonaws-us-gov.com"
        );
        assert_eq!(
            signin_base(Some("cn-north-1"), None),
            "https://signin.amazonaws.cn"
        );
        assert_eq!(
            signin_base(None, Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            console_url(Some("eu-west-1"), Some("s3")),
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            console_url(None, None),
            "https://console.aws.amazon.com/console/home"
        );
        assert_eq!(
            console_url(Some("cn-north-1"), None),
            "https://console.amazonaws.cn/console/home?region=cn-north-1"
        );
    }

    #[test]
    fn services_are_path_segments_only() {
        assert!(valid_service("s3"));
        assert!(valid_service("cloudwatch"));
        for bad in ["", "S3", "s3/../x", "a?b", "a b", "x#"] {
            assert!(!valid_service(bad), "{bad}");
        }
    }

    #[test]
    fn the_session_is_one_encoded_query_value() {
        let credentials = RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "se/cr+et=".into(),
            session_token: "to&ken".into(),
            expiration: UNIX_EPOCH,
        };
        let url = signin_token_url("http://h", &credentials);
        let query = url.split_once('?').unwrap().1;
        assert_eq!(query.matches('&').count(), 1, "{url}");
        assert!(!query.contains('+') && !query.contains('/') && !query.contains('"'));
    }
}
