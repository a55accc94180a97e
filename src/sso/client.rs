//! Building the async runtime and the SDK clients, only for the commands
//! that talk to AWS: switching never pays for it.
//!
//! Endpoints follow the SDK's environment convention
//! (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`, then
//! `AWS_ENDPOINT_URL`), which is also how the tests point badge at the
//! local Identity Center emulator.

use std::time::Duration;

use anyhow::{Context, Result};

/// A single-threaded runtime: badge's concurrency is I/O, not CPU.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn endpoint(service_var: &str) -> Option<String> {
    [service_var, "AWS_ENDPOINT_URL"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.trim().is_empty())
}

/// The portal client. It does not retry by itself: `sso::portal` paces and
/// retries its requests to stay under the service's rate limit.
pub fn portal(region: &str) -> aws_sdk_sso::Client {
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new(region.to_owned()))
        .retry_config(aws_sdk_sso::config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_sdk_sso::config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(url) = endpoint("AWS_ENDPOINT_URL_SSO") {
        config = config.endpoint_url(url);
    }
    aws_sdk_sso::Client::from_conf(config.build())
}

/// The OIDC service's base URL, where the browser's `/authorize` step goes.
pub fn oidc_endpoint(region: &str) -> String {
    endpoint("AWS_ENDPOINT_URL_SSO_OIDC")
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://oidc.{region}.amazonaws.com"))
}

/// The OIDC client, with the SDK's standard retries.
pub fn oidc(region: &str) -> aws_sdk_ssooidc::Client {
    let mut config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new(region.to_owned()))
        .timeout_config(
            aws_sdk_ssooidc::config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(url) = endpoint("AWS_ENDPOINT_URL_SSO_OIDC") {
        config = config.endpoint_url(url);
    }
    aws_sdk_ssooidc::Client::from_conf(config.build())
}
