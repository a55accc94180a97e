//! `badge creds [PROFILE] --format env|json|process`: a profile's role
//! credentials on stdout, for `eval`, for scripts, or as a profile's
//! `credential_process` (the fetch itself is `common::role`).
//!
//! Tools call it again and again, so the credentials are cached for the
//! login they came from while more than ten minutes remain
//! (`sso::role_cache`); `--no-cache` asks GetRoleCredentials every time.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use super::common::role::{Caching, fetch, sso_profile, variables};
use crate::base::text::to_json;
use crate::cli::{CredsArgs, CredsFormat};
use crate::sso::credentials::RoleCredentials;
use crate::ui::say::command;

pub fn run(ctx: &Context, args: &CredsArgs) -> Result<ExitCode> {
    let cmd = &ctx.cmd;
    let again = |word: &str| format!("{cmd} creds {word}");
    // credential_process, `eval "$(badge creds …)"`, a pipe: a program
    // reads this, and gets the profile it named or nothing.
    let tool = (!ctx.stdout_tty).then(|| format!("{cmd} creds"));
    let profile = sso_profile(ctx, args.profile.as_deref(), tool.as_deref(), again)?;
    let credentials = fetch(ctx, &profile, again, Caching::unless(args.no_cache))?;
    let text = match args.format {
        CredsFormat::Env => env_lines(&credentials, profile.region.as_deref())?,
        CredsFormat::Json => {
            let value = serde_json::json!({
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "SessionToken": credentials.session_token,
                "Expiration": credentials.expiration_text(),
                "Region": profile.region,
                "Profile": profile.name,
            });
            format!("{}\n", to_json(&value, true)?)
        }
        CredsFormat::Process => {
            let value = serde_json::json!({
                "Version": 1,
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "SessionToken": credentials.session_token,
                "Expiration": credentials.expiration_text(),
            });
            format!("{}\n", to_json(&value, false)?)
        }
    };
    io::stdout().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `export NAME='value'` lines that bash, zsh and fish all read the same
/// way. Single quotes mean the same in the three only without `'` and `\`
/// inside, so a value with anything but the characters AWS uses is refused
/// rather than quoted three different ways.
fn env_lines(credentials: &RoleCredentials, region: Option<&str>) -> Result<String> {
    let cmd = command();
    let mut text = String::new();
    for (name, value) in variables(credentials, region) {
        let plain = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_.:-".contains(&b));
        if !plain {
            bail!(
                "{name} has characters that cannot be quoted for every shell; use \
                 `{cmd} creds --format json` instead"
            );
        }
        text.push_str(&format!("export {name}='{value}'\n"));
    }
    Ok(text)
}
