//! `badge current`: the active profile of this shell and what it points at.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::Context;
use super::common::files::{load_profiles, warn_if_refused};
use super::common::prompt::login_command;
use crate::base::text::{printable, quoted, to_json};
use crate::base::time::format_time;
use crate::cli::CurrentArgs;
use crate::config::profiles::Source;
use crate::config::sessions;
use crate::shell::{hint, shell_word, vars};
use crate::sso::login_state::{LoginStates, describe};
use crate::sso::token_cache::LoginState;
use crate::sync::record::renamed_to;
use crate::ui::say::say;

pub fn run(ctx: &Context, args: &CurrentArgs) -> Result<ExitCode> {
    let cmd = &ctx.cmd;
    let mut out = io::stdout().lock();
    // The profile the AWS tools use, as botocore finds it.
    let Some((from, name)) = ctx.botocore_profile() else {
        if args.json {
            writeln!(out, "{}", to_json(&json!({ "profile": null }), false)?)?;
        } else {
            say!("no profile is active in this shell; choose one with `{cmd}`");
        }
        return Ok(ExitCode::FAILURE);
    };
    let aws_profile = ctx
        .var(vars::AWS_PROFILE)
        .map(|v| v.to_string_lossy().into_owned());
    if name.is_empty() {
        if args.json {
            let value = json!({
                "profile": "",
                "profile_from": from,
                "aws_profile": aws_profile,
                "exists": false,
            });
            writeln!(out, "{}", to_json(&value, false)?)?;
        }
        if from == vars::AWS_DEFAULT_PROFILE {
            say!(
                "AWS_DEFAULT_PROFILE is set but empty, so botocore and boto3 look for a \
                 profile named \"\", which no file defines; remove it with \
                 `unset AWS_DEFAULT_PROFILE` (switching with `{cmd} NAME` removes it too)"
            );
        } else {
            say!(
                "AWS_PROFILE is set but empty, so the AWS CLI and SDKs look for a profile \
                 named \"\", which no file defines; choose a profile with `{cmd}`, or \
                 `unset AWS_PROFILE`"
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    let name = name.as_str();
    // The `.aws-profile` whose profile is in effect, if any.
    let directory_file = ctx
        .dir
        .in_effect(ctx.active.as_deref())
        .filter(|_| from == vars::AWS_PROFILE)
        .map(|p| p.to_string_lossy().into_owned());
    let paths = ctx.paths()?;
    let profiles = load_profiles(&paths)?;
    warn_if_refused(&paths);
    let profile = profiles.get(name);
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let login = profile.as_ref().and_then(|p| states.of(&profiles, p));
    if args.json {
        let value = match profile {
            Some(p) => json!({
                "profile": p.name,
                "profile_from": from,
                "aws_profile": aws_profile,
                "exists": true,
                "source": match p.source { Source::Config => "config", Source::Credentials => "credentials" },
                "generated": p.generated_by.is_some(),
                "sso_session": p.sso_session,
                "account_id": p.account_id,
                "account_name": p.account_name,
                "role_name": p.role_name,
                "region": p.region,
                "login": login.map(LoginState::label),
                "login_expires_at": match login {
                    Some(LoginState::Valid(at)) => Some(format_time(at)),
                    _ => None,
                },
                "directory_file": directory_file,
            }),
            None => json!({
                "profile": name,
                "profile_from": from,
                "aws_profile": aws_profile,
                "exists": false,
                "directory_file": directory_file,
            }),
        };
        writeln!(out, "{}", to_json(&value, false)?)?;
    } else {
        writeln!(out, "{}", printable(name))?;
        if let Some(p) = profile {
            let account = match (&p.account_name, &p.account_id) {
                (Some(n), Some(id)) => Some(format!("{n} ({id})")),
                (None, Some(id)) => Some(id.to_string()),
                (Some(n), None) => Some(n.to_string()),
                (None, None) => None,
            };
            // Said when it is not the variable badge sets.
            let source = (from == vars::AWS_DEFAULT_PROFILE)
                .then(|| "AWS_DEFAULT_PROFILE (botocore and boto3 read it first)".to_owned());
            for (label, value) in [
                ("from", source),
                ("account", account),
                ("role", p.role_name.map(str::to_owned)),
                ("session", p.sso_session.map(str::to_owned)),
                ("region", p.region.map(str::to_owned)),
                ("login", login.map(describe)),
                ("directory", directory_file.clone()),
            ] {
                if let Some(value) = value {
                    writeln!(out, "  {label:<9} {}", printable(&value))?;
                }
            }
        }
    }
    // A profile whose sso-session is missing or incomplete cannot sign in.
    if let Some(p) = &profile
        && let Some(session) = p.sso_session
        && let Err(err) = sessions::of_profile(profiles.config(), p.name, session, &paths.config)
    {
        say!("{err:#}");
        return Ok(ExitCode::FAILURE);
    }
    if let (Some(p), Some(state)) = (&profile, login)
        && !state.is_usable()
    {
        say!("sign in with `{}`", login_command(p));
    }
    if profile.is_none() {
        let renamed = ctx
            .state_dir()
            .ok()
            .and_then(|dir| renamed_to(&dir, &paths.config, name))
            .filter(|new| profiles.get(new).is_some());
        let fix = match renamed {
            Some(new) => format!(
                "badge sync renamed it to {}: {}",
                quoted(&new),
                hint(
                    "switch to it with",
                    shell_word(&new).map(|new| format!("{cmd} {new}"))
                )
            ),
            None => format!("choose another with `{cmd}`"),
        };
        say!(
            "{from} is {}, which is not defined in {} or {}; {fix}",
            quoted(name),
            paths.config_shown(),
            paths.credentials_shown()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
