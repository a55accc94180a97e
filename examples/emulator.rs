//! Runs the Identity Center emulator that badge's tests use, on its own, to
//! try badge (or boto3, or the AWS CLI) without an AWS account:
//!
//! ```sh
//! cargo run --example emulator -- --accounts 50 --roles 3 --odd-names
//! ```
//!
//! It prints the `export` lines to stdout (eval-able by bash and zsh) and
//! runs until interrupted. The emulator itself is the `badge-emulator`
//! crate, documented in `emulator/src/lib.rs`.

use badge_emulator::{Emulator, EmulatorOptions, Org};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Serve a fake AWS IAM Identity Center (portal and OIDC APIs) on 127.0.0.1.
#[derive(Parser)]
#[command(after_help = "Examples:\n  \
        cargo run --example emulator -- --accounts 300 --odd-names --throttle-every 3\n  \
        cargo run -q --example emulator -- --url-file emu.url > emu.env &\n  \
        (in a script: wait until emu.url exists, then `. ./emu.env`)")]
struct Args {
    /// Number of accounts in the generated organisation.
    #[arg(long, default_value_t = 50)]
    accounts: usize,
    /// Roles (permission sets) assigned in each account.
    #[arg(long, default_value_t = 3)]
    roles: usize,
    /// Use account names with quotes, unicode, `$()`, colliding names...
    #[arg(long)]
    odd_names: bool,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Most items in a page of ListAccounts / ListAccountRoles.
    #[arg(long, default_value_t = 100)]
    page_size: usize,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer every Nth portal request with 429 TooManyRequestsException.
    #[arg(long, value_name = "N")]
    throttle_every: Option<u64>,
    /// Token bucket: at most R portal requests a second (bursts of R).
    #[arg(long, value_name = "R")]
    rate_limit: Option<f64>,
    /// Seconds in the Retry-After header of a 429.
    #[arg(long, default_value_t = 1, conflicts_with = "no_retry_after")]
    retry_after: u64,
    /// Send 429s without a Retry-After header.
    #[arg(long)]
    no_retry_after: bool,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 8 * 3600)]
    token_lifetime: u64,
    /// Never issue refresh tokens.
    #[arg(long)]
    no_refresh: bool,
    /// Require a click on Allow / Approve in the browser.
    #[arg(long)]
    no_auto_approve: bool,
    /// Approve device codes as soon as they are issued.
    #[arg(long)]
    approve_on_start: bool,
    /// Write the URL to this file once listening (for scripts).
    #[arg(long, value_name = "PATH")]
    url_file: Option<PathBuf>,
    /// Write endpoint rule sets for `AWS_DATA_PATH` under this folder (for
    /// the AWS CLI 2.9, which ignores AWS_ENDPOINT_URL_*).
    #[arg(long, value_name = "DIR")]
    data_path: Option<PathBuf>,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let options = EmulatorOptions {
        port: args.port,
        page_size: args.page_size,
        latency: Duration::from_millis(args.latency_ms),
        throttle_every: args.throttle_every,
        rate_limit: args.rate_limit,
        retry_after: (!args.no_retry_after).then_some(args.retry_after),
        token_lifetime: Duration::from_secs(args.token_lifetime),
        refresh_allowed: !args.no_refresh,
        auto_approve: !args.no_auto_approve,
        approve_on_start: args.approve_on_start,
        ..EmulatorOptions::new(Org::generated(args.accounts, args.roles, args.odd_names))
    };
    let emulator = Emulator::try_start(options)?;
    let url = emulator.url();
    if let Some(dir) = &args.data_path {
        emulator.write_endpoint_rules(dir)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# Identity Center emulator: {} accounts x {} roles; Ctrl-C stops it",
        args.accounts, args.roles
    )?;
    for (name, value) in emulator.env() {
        writeln!(out, "export {name}={value}")?;
    }
    if let Some(dir) = &args.data_path {
        writeln!(out, "export AWS_DATA_PATH={}", dir.display())?;
    }
    writeln!(
        out,
        "# start URL: {}  (any start URL works)",
        emulator.start_url()
    )?;
    writeln!(out, "# counts:    curl -s {url}/control/counts")?;
    out.flush()?;
    drop(out);
    if let Some(path) = &args.url_file {
        // Renamed into place, so whoever waits for the file never reads half of it.
        let partial = path.with_extension("partial");
        std::fs::write(&partial, format!("{url}\n"))?;
        std::fs::rename(&partial, path)?;
    }
    loop {
        std::thread::park();
    }
}
