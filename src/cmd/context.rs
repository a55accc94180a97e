//! What a command may know about the process it runs in. The environment
//! is read through [`Env`] and nowhere else: the process's own, or a map
//! that a test builds (starship's `Context` and `Env` are the model), and
//! what the terminal is, through [`Terminal`].

#[cfg(test)]
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::settings::Settings;
use crate::cli::HandOver;
use crate::cli::complete::Engine;
use crate::config::paths::{self, Paths};
use crate::config::profiles::Profile;
use crate::config::sessions::SsoSession;
use crate::shell::init::validate_cmd_name;
use crate::shell::{Shell, vars};
use crate::sso::login::LoginOptions;
use crate::sso::role_cache::RoleCache;
use crate::sso::token_cache::TokenCache;
use crate::ui::say;

/// The environment variables badge reads: the process's own, or (in
/// tests) a map.
#[derive(Debug, Clone)]
pub enum Env {
    Process,
    #[cfg(test)]
    Map(HashMap<String, OsString>),
}

impl Env {
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        match self {
            Env::Process => std::env::var_os(name),
            #[cfg(test)]
            Env::Map(map) => map.get(name).cloned(),
        }
    }

    /// An environment of just these variables.
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        Env::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
                .collect(),
        )
    }
}

/// Which of the standard streams are a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        Terminal {
            stdin: io::stdin().is_terminal(),
            stdout: io::stdout().is_terminal(),
            stderr: io::stderr().is_terminal(),
        }
    }
}

/// The previous profile of this shell, as the shell function remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// Nothing was switched in this shell yet.
    Unknown,
    /// The shell had no profile before the last switch.
    Off,
    Profile(String),
    /// Set by something else to bytes that are not UTF-8: no profile name.
    NotText,
}

/// What the shell function says about per-directory profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirState {
    /// The profile before the shell entered the tree (`Some(Off)`: none);
    /// `None` when no directory profile is in effect.
    pub prev: Option<Previous>,
    /// The profile the directory switched to.
    pub profile: Option<String>,
    /// The real path of the `.aws-profile` it came from.
    pub source: Option<PathBuf>,
    /// What badge last told this shell about (see `vars::DIR_SEEN`).
    pub seen: Option<String>,
}

impl DirState {
    /// The file whose profile is in effect in a shell on `active`, if any:
    /// a manual switch inside the tree ends it.
    pub fn in_effect(&self, active: Option<&str>) -> Option<&PathBuf> {
        match (&self.profile, active) {
            (Some(profile), Some(active)) if profile == active => self.source.as_ref(),
            _ => None,
        }
    }
}

/// What a command may know about the process it runs in.
pub struct Context {
    env: Env,
    /// Set when the shell function runs us and will evaluate our stdout.
    pub hook: Option<Shell>,
    pub previous: Previous,
    /// `AWS_PROFILE` of the calling shell, if set and not empty.
    pub active: Option<String>,
    /// `AWS_DEFAULT_PROFILE`, if set (even empty), which botocore reads
    /// before `AWS_PROFILE`.
    pub default_profile: Option<String>,
    /// Static key variables present in the environment.
    pub static_keys: Vec<&'static str>,
    /// The user's shell from `$SHELL`, for hints.
    pub login_shell: Option<Shell>,
    /// The command the user types: the shell function's name when it runs
    /// us (`--cmd awsp`), else `badge`; messages name it in their hints.
    pub cmd: String,
    pub stdout_tty: bool,
    pub color_stdout: bool,
    /// stdin and stderr are a terminal: someone can answer a question.
    pub interactive: bool,
    pub settings: Settings,
    /// Per-directory profiles (see `cmd::dir`).
    pub dir: DirState,
    /// What only the whole binary has; `None` in badge-quick.
    pub whole: Option<&'static Whole>,
    terminal: Terminal,
}

/// What only the whole badge binary links: the picker, a sign-in in the
/// browser and clap's completion engine, most of its size. [`super::run`]
/// puts them in the context; badge-quick ([`super::run_quick`]) runs
/// without, and hands a command that needs one over to badge.
pub struct Whole {
    pub pick: fn(&Context, &[Profile<'_>], &str) -> Result<String>,
    pub login: fn(&SsoSession, &TokenCache, LoginOptions) -> Result<()>,
    pub complete: Engine,
}

impl Context {
    /// The context of this run; what badge says from here on names the
    /// command the user types (see [`say::command`]).
    pub fn from_process() -> Context {
        let ctx = Context::new(Env::Process, Terminal::detect());
        say::set_command(&ctx.cmd);
        ctx
    }

    pub fn new(env: Env, terminal: Terminal) -> Context {
        let text = |name: &str| env.var_os(name).map(|v| v.to_string_lossy().into_owned());
        let hook = text(vars::HOOK_SHELL).and_then(|s| Shell::from_name(&s));
        // The function passes `=NAME` when it remembers a previous profile
        // (`=` alone when that was "no profile"), and nothing otherwise.
        let previous = match env.var_os(vars::HOOK_PREVIOUS).map(OsString::into_string) {
            Some(Ok(v)) => match v.strip_prefix('=') {
                Some("") => Previous::Off,
                Some(name) => Previous::Profile(name.to_owned()),
                None => Previous::Unknown,
            },
            Some(Err(_)) => Previous::NotText,
            None => Previous::Unknown,
        };
        let active = text(vars::AWS_PROFILE).filter(|p| !p.is_empty());
        let default_profile = text(vars::AWS_DEFAULT_PROFILE);
        let static_keys = vars::STATIC_KEYS
            .iter()
            .copied()
            .filter(|name| env.var_os(name).is_some_and(|v| !v.is_empty()))
            .collect();
        let login_shell = text("SHELL").and_then(|s| {
            let base = s.rsplit('/').next().unwrap_or("").to_owned();
            Shell::from_name(&base)
        });
        // Only a name `badge init --cmd` takes: it goes into hints as typed.
        let cmd = text(vars::CMD)
            .filter(|name| validate_cmd_name(name).is_ok())
            .unwrap_or_else(|| "badge".to_owned());
        let no_color = env.var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let settings = Settings::from_vars(|name| env.var_os(name));
        let set = |name: &str| text(name).filter(|v| !v.is_empty());
        let dir = DirState {
            prev: text(vars::DIR_PREV).and_then(|v| match v.strip_prefix('=') {
                Some("") => Some(Previous::Off),
                Some(name) => Some(Previous::Profile(name.to_owned())),
                None => None,
            }),
            profile: set(vars::DIR_PROFILE),
            source: env
                .var_os(vars::DIR_SOURCE)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            seen: set(vars::DIR_SEEN_ENV),
        };
        // What the shell function captures goes on to its own stdout.
        let stdout_tty = terminal.stdout
            || (hook.is_some() && env.var_os(vars::STDOUT_TTY).is_some_and(|v| v == "1"));
        Context {
            hook,
            previous,
            active,
            default_profile,
            static_keys,
            login_shell,
            cmd,
            stdout_tty,
            color_stdout: !no_color && stdout_tty,
            interactive: terminal.stdin && terminal.stderr,
            settings,
            dir,
            whole: None,
            terminal,
            env,
        }
    }

    /// [`Whole`], or [`HandOver`] in badge-quick.
    pub fn whole(&self) -> Result<&'static Whole> {
        self.whole.ok_or_else(|| HandOver.into())
    }

    /// The profile botocore and boto3 use, and the variable it comes from:
    /// `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, whichever is set first,
    /// even to nothing (botocore then looks for a profile named "").
    pub fn botocore_profile(&self) -> Option<(&'static str, String)> {
        [vars::AWS_DEFAULT_PROFILE, vars::AWS_PROFILE]
            .into_iter()
            .find_map(|name| {
                let value = self.env.var_os(name)?;
                Some((name, value.to_string_lossy().into_owned()))
            })
    }

    /// The config and credentials files.
    pub fn paths(&self) -> Result<Paths> {
        Paths::from_vars(|name| self.env.var_os(name))
    }

    pub fn token_cache(&self) -> Result<TokenCache> {
        TokenCache::from_vars(|name| self.env.var_os(name))
    }

    /// The cached role credentials, under badge's state folder.
    pub fn role_cache(&self) -> Result<RoleCache> {
        Ok(RoleCache::in_dir(self.state_dir()?.join("credentials")))
    }

    /// The folder of the prompt's stamps (see `shell::watch`).
    pub fn stamp_dir(&self) -> Option<PathBuf> {
        Some(self.state_dir().ok()?.join("prompt"))
    }

    /// The folder of the directory hook's stamps (see `cmd::dir`).
    pub fn dir_stamp_dir(&self) -> Option<PathBuf> {
        Some(self.state_dir().ok()?.join("dir"))
    }

    /// The working folder.
    pub fn current_dir(&self) -> Result<PathBuf> {
        std::env::current_dir().context("cannot tell the current folder")
    }

    /// badge's own state folder, or why there is none.
    pub fn state_dir(&self) -> Result<PathBuf> {
        paths::state_dir(|name| self.env.var_os(name))
            .context("cannot find badge's state folder: HOME is not set")
    }

    /// How many columns the terminal has, for output that fits it: `COLUMNS`
    /// when it holds a number (POSIX lets it override the terminal's size),
    /// else the size of the terminal badge runs in; `None` when there is no
    /// terminal. Read when asked, so that a switch never pays for it.
    pub fn columns(&self) -> Option<usize> {
        let set = self
            .text("COLUMNS")
            .and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(columns) = set.filter(|&c| c > 0) {
            return Some(columns);
        }
        if !(self.terminal.stdout || self.terminal.stderr) {
            return None;
        }
        let size = crossterm::terminal::window_size().ok()?;
        Some(usize::from(size.columns)).filter(|&c| c > 0)
    }

    /// A variable of the environment, for the few a command reads itself
    /// (`$BROWSER`, `$VISUAL`).
    pub fn var(&self, name: &str) -> Option<OsString> {
        self.env.var_os(name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.env
            .var_os(name)
            .map(|v| v.to_string_lossy().into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_comes_from_a_map() {
        let ctx = Context::new(
            Env::from_pairs(&[
                ("HOME", "/home/u"),
                ("AWS_PROFILE", "prod"),
                ("__BADGE_SHELL", "zsh"),
                ("__BADGE_PREVIOUS", "="),
                ("AWS_SESSION_TOKEN", "x"),
                ("SHELL", "/usr/bin/fish"),
                ("XDG_STATE_HOME", "/state"),
            ]),
            Terminal::default(),
        );
        assert_eq!(ctx.hook, Some(Shell::Zsh));
        assert_eq!(ctx.previous, Previous::Off);
        assert_eq!(ctx.active.as_deref(), Some("prod"));
        assert_eq!(ctx.default_profile, None);
        assert_eq!(
            ctx.botocore_profile(),
            Some(("AWS_PROFILE", "prod".to_owned()))
        );
        let both = Context::new(
            Env::from_pairs(&[("AWS_PROFILE", "prod"), ("AWS_DEFAULT_PROFILE", "")]),
            Terminal::default(),
        );
        assert_eq!(
            both.botocore_profile(),
            Some(("AWS_DEFAULT_PROFILE", String::new()))
        );
        assert_eq!(ctx.static_keys, ["AWS_SESSION_TOKEN"]);
        assert_eq!(ctx.login_shell, Some(Shell::Fish));
        assert!(!ctx.interactive && !ctx.stdout_tty);
        assert_eq!(
            ctx.paths().unwrap().config,
            PathBuf::from("/home/u/.aws/config")
        );
        assert_eq!(ctx.state_dir().unwrap(), PathBuf::from("/state/badge"));
        let homeless = Context::new(Env::from_pairs(&[]), Terminal::default());
        assert!(homeless.state_dir().is_err() && homeless.paths().is_err());
        // No terminal: no width, unless COLUMNS gives one.
        assert_eq!(homeless.columns(), None);
        let columns = |value| {
            Context::new(Env::from_pairs(&[("COLUMNS", value)]), Terminal::default()).columns()
        };
        assert_eq!(columns("70"), Some(70));
        assert_eq!(columns("0"), None);
        assert_eq!(columns("wide"), None);
    }
}
