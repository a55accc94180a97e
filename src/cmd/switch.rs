//! `badge use NAME`, `badge NAME`, `badge -` and bare `badge`: choose a
//! profile and print the script that points this shell at it.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::common::choose::{no_profiles_message, pick, resolve};
use super::common::prompt::{login_command, login_mark};
use super::common::session::{login_options, select_session};
use super::common::switching::{Target, not_integrated, switch_script};
use super::{Context, Previous};
use crate::base::text::quoted;
use crate::config::matching::load_candidates;
use crate::config::profiles::{Profile, Profiles};
use crate::config::sessions;
use crate::sso::login_state::LoginStates;
use crate::sso::token_cache::LoginState;
use crate::ui::say::say;

/// The longest profile name a switch puts into the environment, in bytes.
const MAX_SWITCHED_NAME: usize = 4096;

pub fn run(ctx: &Context, query: Option<&str>, login_first: bool) -> Result<ExitCode> {
    let Some(shell) = ctx.hook else {
        return not_integrated(ctx);
    };
    let paths = ctx.paths()?;
    paths.check_files()?;
    // A switch needs the profiles the query can name, not all of them.
    let profiles = match (query, &ctx.previous) {
        (Some("-"), Previous::Profile(name)) => {
            Profiles::load_matching(&paths, name, false, |n| n == name)?
        }
        (Some("-"), _) => Profiles::load_matching(&paths, "", false, |_| false)?,
        (Some(query), _) => load_candidates(&paths, query)?,
        (None, _) => Profiles::load(&paths)?,
    };
    let cmd = &ctx.cmd;
    let again = |word: &str| format!("{cmd} use {word}");
    let target = match query {
        Some("-") => match &ctx.previous {
            Previous::Unknown => bail!(
                "there is no previous profile in this shell yet; switch with `{cmd} NAME` first"
            ),
            Previous::Off => Target::Off,
            Previous::Profile(name) => Target::Profile(name.clone()),
            Previous::NotText => bail!(
                "the previous profile of this shell is not UTF-8 text, so it names no profile; switch with `{cmd} NAME`"
            ),
        },
        Some(query) => Target::Profile(resolve(ctx, &paths, &profiles, query, again)?),
        None => {
            if profiles.is_empty() {
                bail!("{}", no_profiles_message(&paths, profiles.config()));
            }
            if !ctx.interactive {
                bail!(
                    "the picker needs a terminal; name a profile instead, for example `{}`",
                    again(profiles.names().next().unwrap_or_default())
                );
            }
            let all: Vec<Profile> = profiles.iter().collect();
            Target::Profile(pick(ctx, &all, "")?)
        }
    };
    // The picker offers every profile, beyond those read for the query.
    let profiles = match &target {
        Target::Profile(name) if profiles.get(name).is_none() => Profiles::load(&paths)?,
        _ => profiles,
    };
    // No shell variable can hold a NUL: bash would drop it and switch to
    // another profile's name, zsh's environment would cut the name there.
    if let Target::Profile(name) = &target
        && name.contains('\0')
    {
        bail!(
            "the profile name {} has a NUL byte, which no shell variable can hold; \
             rename the profile in {}",
            quoted(name),
            paths.config_shown()
        );
    }
    // Every program the shell starts gets AWS_PROFILE (and badge itself the
    // previous name): one past the kernel's limit for one variable fails
    // them all with "Argument list too long". 4 KiB is far below it.
    if let Target::Profile(name) = &target
        && name.len() > MAX_SWITCHED_NAME
    {
        bail!(
            "the profile name is {} bytes long, more than the {MAX_SWITCHED_NAME} a shell \
             variable can hold for every program the shell starts (they would fail with \
             `Argument list too long`); rename the profile in {}",
            name.len(),
            paths.config_shown()
        );
    }
    let mut script = switch_script(ctx, shell, &target);
    let mut states = LoginStates::new(ctx.token_cache().ok());
    let profile = match &target {
        Target::Profile(name) => profiles.get(name),
        Target::Off => None,
    };
    // A profile whose sso-session is missing or incomplete works in no AWS
    // tool: say what to add instead of switching to it.
    if let Some(profile) = &profile
        && let Some(session) = profile.sso_session
    {
        sessions::of_profile(profiles.config(), profile.name, session, &paths.config)?;
    }
    if let Some(profile) = &profile
        && let Some(state) = states.of(&profiles, profile)
        && !state.is_usable()
    {
        if login_first {
            let login = ctx.whole()?.login;
            let session = select_session(ctx, None, Some(profile.name))?;
            login(&session, &ctx.token_cache()?, login_options(ctx)?)?;
            states = LoginStates::new(ctx.token_cache().ok());
        } else {
            let why = match state {
                LoginState::Missing => "is signed out",
                LoginState::Unreadable => "has an unreadable token cache",
                _ => "has an expired login",
            };
            // A legacy profile has no sso-session: its portal, as login
            // names it.
            let login = match (profile.sso_session, profile.sso_start_url) {
                (Some(session), _) => format!("sso-session {session}"),
                (None, Some(url)) => format!("{} (profile {})", url.trim(), quoted(profile.name)),
                (None, None) => format!("profile {}", quoted(profile.name)),
            };
            say!(
                "switched to {}, but {login} {why}; sign in with `{}`",
                profile.name,
                login_command(profile)
            );
        }
    }
    script.push_str(&login_mark(
        shell,
        profile.as_ref().map(|p| (&profiles, p)),
        &mut states,
    ));
    io::stdout().write_all(script.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
