//! One module per subcommand. `run` parses the command line and dispatches;
//! everything a command needs from the process environment is read once into
//! a [`Context`], so commands never reach for `std::env` themselves.

pub mod complete;
mod completions;
mod console;
mod creds;
mod current;
mod doctor;
mod exec;
mod init;
mod login;
pub mod login_state;
mod logout;
mod ls;
mod off;
mod session;
mod switch;
mod sync;

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command, SessionCommand, Shell};
use crate::config::document::Document;
use crate::config::paths::{self, Paths};
use crate::config::profiles::Profiles;
use crate::config::strict;
use crate::shell::Script;
use crate::sso::token_cache::TokenCache;

/// Environment variables that the shell function passes to the binary.
pub const HOOK_SHELL_VAR: &str = "__BADGE_SHELL";
pub const HOOK_PREVIOUS_VAR: &str = "__BADGE_PREVIOUS";
/// Set by the shell function on every run it does not capture.
pub const INIT_VAR: &str = "__BADGE_INIT";

/// Static credentials that override any profile in every AWS SDK.
pub const STATIC_KEY_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

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

/// What a command may know about the process it runs in.
pub struct Context {
    /// Set when the shell function runs us and will evaluate our stdout.
    pub hook: Option<Shell>,
    pub previous: Previous,
    /// `AWS_PROFILE` of the calling shell, if set and not empty.
    pub active: Option<String>,
    /// Static key variables present in the environment.
    pub static_keys: Vec<&'static str>,
    /// The user's shell from `$SHELL`, for hints.
    pub login_shell: Option<Shell>,
    pub stdout_tty: bool,
    pub color_stdout: bool,
    pub interactive: bool,
    vars: fn(&str) -> Option<OsString>,
}

impl Context {
    pub fn from_process() -> Context {
        Context::from_vars(|name| std::env::var_os(name))
    }

    pub fn from_vars(vars: fn(&str) -> Option<OsString>) -> Context {
        let text = |name: &str| vars(name).map(|v| v.to_string_lossy().into_owned());
        let hook = text(HOOK_SHELL_VAR).and_then(|s| Shell::from_name(&s));
        // The function passes `=NAME` when it remembers a previous profile
        // (`=` alone when that was "no profile"), and nothing otherwise.
        let previous = match vars(HOOK_PREVIOUS_VAR).map(OsString::into_string) {
            Some(Ok(v)) => match v.strip_prefix('=') {
                Some("") => Previous::Off,
                Some(name) => Previous::Profile(name.to_owned()),
                None => Previous::Unknown,
            },
            Some(Err(_)) => Previous::NotText,
            None => Previous::Unknown,
        };
        let active = text("AWS_PROFILE").filter(|p| !p.is_empty());
        let static_keys = STATIC_KEY_VARS
            .iter()
            .copied()
            .filter(|name| vars(name).is_some_and(|v| !v.is_empty()))
            .collect();
        let login_shell = text("SHELL").and_then(|s| {
            let base = s.rsplit('/').next().unwrap_or("").to_owned();
            Shell::from_name(&base)
        });
        let no_color = vars("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout_tty = io::stdout().is_terminal();
        Context {
            hook,
            previous,
            active,
            static_keys,
            login_shell,
            stdout_tty,
            color_stdout: !no_color && stdout_tty,
            interactive: io::stdin().is_terminal() && io::stderr().is_terminal(),
            vars,
        }
    }

    pub fn paths(&self) -> Result<Paths> {
        Paths::from_vars(self.vars)
    }

    pub fn token_cache(&self) -> Result<TokenCache> {
        TokenCache::from_vars(self.vars)
    }

    /// A variable of the environment, for the few knobs a command reads.
    pub fn var(&self, name: &str) -> Option<OsString> {
        (self.vars)(name)
    }
}

/// The profiles of the config and credentials files, once each is known to
/// be a file (or nothing), with a read error said plainly.
pub fn load_profiles(paths: &Paths) -> Result<Profiles> {
    paths.check_files()?;
    Profiles::load(paths).map_err(|err| explain_read_error(err, paths))
}

/// The config file alone, checked like [`load_profiles`] checks it.
pub fn read_config(paths: &Paths) -> Result<Document> {
    paths.check_config()?;
    Document::read(&paths.config).map_err(|err| explain_read_error(err, paths))
}

/// "Permission denied (os error 13)" becomes the file and the fix.
fn explain_read_error(err: anyhow::Error, paths: &Paths) -> anyhow::Error {
    let denied = err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::PermissionDenied)
    });
    if denied {
        for path in [&paths.config, &paths.credentials] {
            if File::open(path).is_err_and(|e| e.kind() == io::ErrorKind::PermissionDenied) {
                return anyhow!(
                    "cannot read {}: permission denied; make it readable with `chmod u+r {}`",
                    path.display(),
                    path.display()
                );
            }
        }
    }
    err
}

/// For the commands that only read the files: one warning line when the
/// AWS CLI would refuse one of them (see `config::strict`). Not for
/// switching and completion, which stay quiet and fast.
pub fn warn_if_refused(paths: &Paths) {
    for path in [&paths.config, &paths.credentials] {
        let Ok(bytes) = fs::read(path) else {
            continue;
        };
        if let Some(refusal) = strict::check(&bytes) {
            eprintln!(
                "badge: warning: {}: {refusal}, so the AWS CLI cannot read this file; {}",
                path.display(),
                refusal.fix()
            );
            return;
        }
    }
}

/// Before `command` writes the config, whose bytes are `bytes`: a file the
/// AWS CLI refuses stays as it is (profiles nobody can read help nobody),
/// and so does a read-only one, unless nothing is written (`dry_run`).
pub fn check_before_writing(
    paths: &Paths,
    bytes: &[u8],
    command: &str,
    dry_run: bool,
) -> Result<()> {
    if let Some(refusal) = strict::check(bytes) {
        bail!(
            "{}: {refusal}, so the AWS CLI cannot read this file and `{command}` will not \
             change it; {}, then run `{command}` again",
            paths.config.display(),
            refusal.fix()
        );
    }
    if !dry_run {
        paths::check_writable(&paths.config, command)?;
    }
    Ok(())
}

/// For `login` and `logout` in the shell function: the code that updates
/// the prompt's expiry marker for the active profile; empty outside it.
pub fn prompt_state_script(ctx: &Context) -> String {
    let Some(shell) = ctx.hook else {
        return String::new();
    };
    let mut states = login_state::LoginStates::new(ctx.token_cache().ok());
    let Some(active) = ctx.active.as_deref() else {
        return login_state::prompt_state(shell, None, &mut states);
    };
    let Ok(profiles) = ctx.paths().and_then(|p| load_profiles(&p)) else {
        return String::new();
    };
    let profile = profiles.get(active);
    login_state::prompt_state(shell, profile.as_ref().map(|p| (&profiles, p)), &mut states)
}

pub fn run() -> Result<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == complete::COMPLETE_SUBCOMMAND)
    {
        return complete::run(&args[2..]);
    }
    let ctx = Context::from_process();
    // clap gives a flag before the subcommand to the top level, where any
    // argument rules the subcommands out (`badge -v ls` would switch to a
    // profile `ls`): a leading `-v` is taken off first.
    let mut args = args;
    let mut verbose = false;
    while args.get(1).is_some_and(|a| a == "-v" || a == "--verbose") {
        args.remove(1);
        verbose = true;
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => return Ok(clap_error(&ctx, err)),
    };
    let from_env = crate::verbose::wanted(ctx.var(crate::verbose::LOG_VAR).as_deref());
    if verbose || cli.verbose || from_env {
        crate::verbose::enable();
        log_setting(&ctx);
    }
    match cli.command {
        Some(Command::Use(args)) => switch::run(&ctx, Some(&args.profile), args.login),
        Some(Command::Off) => off::run(&ctx),
        Some(Command::Current(args)) => current::run(&ctx, &args),
        Some(Command::Ls(args)) => ls::run(&ctx, &args),
        Some(Command::Init(args)) => init::run(&args),
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Session(SessionCommand::Add(args))) => session::add(&ctx, &args),
        Some(Command::Login(args)) => login::run(&ctx, &args),
        Some(Command::Logout(args)) => logout::run(&ctx, &args),
        Some(Command::Sync(args)) => sync::run(&ctx, &args),
        Some(Command::Exec(args)) => exec::run(&ctx, &args),
        Some(Command::Creds(args)) => creds::run(&ctx, &args),
        Some(Command::Console(args)) => console::run(&ctx, &args),
        Some(Command::Doctor(args)) => doctor::run(&ctx, &args),
        None => switch::run(&ctx, cli.profile.as_deref(), false),
    }
}

/// For `--verbose`: the files this run reads, and how it was called.
fn log_setting(ctx: &Context) {
    use crate::verbose::verbose;
    verbose!(
        "badge {}, {}",
        env!("CARGO_PKG_VERSION"),
        match ctx.hook {
            Some(shell) => format!("run by the {shell:?} shell function").to_lowercase(),
            None => "run directly (not through the shell function)".to_owned(),
        }
    );
    let described = |path: &std::path::Path, var: &str| {
        let from = match ctx.var(var).filter(|v| !v.is_empty()) {
            Some(_) => format!("from {var}"),
            None => "default".to_owned(),
        };
        let state = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => format!("{} bytes", meta.len()),
            Ok(_) => "not a file".to_owned(),
            Err(err) if err.kind() == io::ErrorKind::NotFound => "not there".to_owned(),
            Err(err) => err.kind().to_string(),
        };
        format!("{} ({from}; {state})", path.display())
    };
    match ctx.paths() {
        Ok(paths) => {
            verbose!(
                "config file: {}",
                described(&paths.config, "AWS_CONFIG_FILE")
            );
            verbose!(
                "credentials file: {}",
                described(&paths.credentials, "AWS_SHARED_CREDENTIALS_FILE")
            );
        }
        Err(err) => verbose!("config file: unknown ({err:#})"),
    }
    if let Some(active) = &ctx.active {
        verbose!("AWS_PROFILE of this shell: {active}");
    }
    if !ctx.static_keys.is_empty() {
        // Their names only: the values are credentials.
        verbose!("set in the environment: {}", ctx.static_keys.join(", "));
    }
    for var in [
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL_SSO_OIDC",
        "AWS_ENDPOINT_URL",
    ] {
        if let Some(value) = ctx.var(var).filter(|v| !v.is_empty()) {
            let url = crate::verbose::without_userinfo(&value.to_string_lossy());
            verbose!("{var}={url}");
        }
    }
}

/// Help and version go to stdout, which the shell function evaluates for a
/// switching command: hand them over as code that prints them.
fn clap_error(ctx: &Context, err: clap::Error) -> ExitCode {
    let prints_to_stdout = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) && !err.use_stderr();
    if let (Some(shell), true) = (ctx.hook, prints_to_stdout) {
        let mut script = Script::new(shell);
        script.print(&err.render().to_string());
        let _ = io::stdout().write_all(script.finish().as_bytes());
        return ExitCode::SUCCESS;
    }
    let _ = err.print();
    ExitCode::from(err.exit_code().clamp(0, 255) as u8)
}
