//! The top floor: one module per subcommand, the [`Context`] they all
//! receive, and what several of them share ([`common`]). `run` parses the
//! command line and dispatches; everything a command needs from the
//! process environment comes through the context (and its [`Settings`]),
//! so commands never reach for `std::env` themselves.

mod allow;
mod common;
mod completions;
mod console;
mod context;
mod creds;
mod current;
mod dir;
mod doctor;
pub mod entry;
mod exec;
mod init;
mod login;
mod logout;
mod ls;
mod off;
mod prompt;
mod session;
mod settings;
mod switch;
mod sync;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use clap::error::ErrorKind;

pub use context::{Context, Previous, Whole};
pub use settings::Settings;

use crate::cli::{COMPLETE_SUBCOMMAND, Cli, Command, HandOver, QuickSwitch, SessionCommand};
use crate::shell::{Script, shell_word, vars};
use crate::ui::say::say;
use crate::ui::verbose::{self, verbose};

/// The whole binary's [`Whole`].
static WHOLE_BINARY: Whole = Whole {
    pick: common::choose::pick_on_terminal,
    login: crate::sso::login::login_interactive,
    complete: crate::cli::complete::engine_candidates,
};

/// The whole binary: every command.
pub fn run() -> Result<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut ctx = Context::from_process();
    ctx.whole = Some(&WHOLE_BINARY);
    if let Some(answered) = before_clap(&ctx, &args) {
        return answered;
    }
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
        Err(err) => return Ok(clap_error(&ctx, &args, err)),
    };
    if verbose || cli.verbose || ctx.settings.log {
        verbose::enable();
        log_setting(&ctx);
    }
    match cli.command {
        Some(Command::Use(args)) => switch::run(&ctx, Some(&args.profile), args.login),
        Some(Command::Off) => off::run(&ctx),
        Some(Command::Current(args)) => current::run(&ctx, &args),
        Some(Command::Ls(args)) => ls::run(&ctx, &args),
        Some(Command::Init(args)) => init::run(&ctx, &args),
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Session(SessionCommand::Add(args))) => session::add(&ctx, &args),
        Some(Command::Login(args)) => login::run(&ctx, &args),
        Some(Command::Logout(args)) => logout::run(&ctx, &args),
        Some(Command::Sync(args)) => sync::run(&ctx, &args),
        Some(Command::Exec(args)) => exec::run(&ctx, &args),
        Some(Command::Creds(args)) => creds::run(&ctx, &args),
        Some(Command::Console(args)) => console::run(&ctx, &args),
        Some(Command::Doctor(args)) => doctor::run(&ctx, &args),
        Some(Command::Allow(args)) => allow::allow(&ctx, &args),
        Some(Command::Deny(args)) => allow::deny(&ctx, &args),
        None => {
            if let Some(word) = cli.profile.as_deref()
                && let Some(code) = common::choose::mistyped_command(&ctx, word)
            {
                return Ok(code);
            }
            switch::run(&ctx, cli.profile.as_deref(), false)
        }
    }
}

/// badge-quick: what [`run`] answers before clap, with the same code, or
/// `None` for the whole binary to answer: another command, one that needs
/// what only it has ([`HandOver`]), or `--verbose`, whose lines would be
/// said twice.
pub fn run_quick() -> Option<Result<ExitCode>> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let ctx = Context::from_process();
    if ctx.settings.log {
        return None;
    }
    match before_clap(&ctx, &args)? {
        Err(err) if err.chain().any(|cause| cause.is::<HandOver>()) => None,
        answered => Some(answered),
    }
}

/// The commands answered without clap: what the shell functions run on
/// every switch, Tab and prompt (clap's command tree costs more than the
/// rest of such a run).
fn before_clap(ctx: &Context, args: &[OsString]) -> Option<Result<ExitCode>> {
    let first = args.get(1)?;
    if first == COMPLETE_SUBCOMMAND {
        let engine = ctx.whole.map(|whole| whole.complete);
        return Some(crate::cli::complete::run(
            ctx.paths().ok(),
            &args[2..],
            engine,
        ));
    }
    if first == vars::PROMPT_SUBCOMMAND {
        return Some(Ok(prompt::run(ctx)));
    }
    if first == vars::DIR_SUBCOMMAND {
        return Some(Ok(dir::run(ctx, &args[2..])));
    }
    let quick = crate::cli::quick_switch(args)?;
    if ctx.settings.log {
        verbose::enable();
        log_setting(ctx);
    }
    let name = match quick {
        QuickSwitch::Bare(word) => {
            if let Some(code) = common::choose::mistyped_command(ctx, word) {
                return Some(Ok(code));
            }
            word
        }
        QuickSwitch::Use(name) => name,
    };
    Some(switch::run(ctx, Some(name), false))
}

/// For `--verbose`: the files this run reads, and how it was called.
fn log_setting(ctx: &Context) {
    verbose!(
        "badge {}, {}",
        env!("CARGO_PKG_VERSION"),
        match ctx.hook {
            Some(shell) => format!("run by the {} shell function", shell.name()),
            None => "run directly (not through the shell function)".to_owned(),
        }
    );
    let described = |path: &std::path::Path, var: &str| {
        if path.as_os_str().is_empty() {
            return format!("none ({var} is set but empty)");
        }
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
    for line in Settings::endpoint_overrides(|name| ctx.var(name)) {
        verbose!("{line}");
    }
}

/// Help and version go to stdout, which the shell function evaluates for a
/// switching command: hand them over as code that prints them.
fn clap_error(ctx: &Context, args: &[OsString], err: clap::Error) -> ExitCode {
    if let Some(fixed) = exec_without_double_dash(args, &err) {
        say!("the command to run goes after `--`: `{fixed}`");
        return ExitCode::from(2);
    }
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

/// `badge exec PROFILE COMMAND…` without `--`, which clap reads as stray
/// arguments: the command line with `--` where it belongs.
fn exec_without_double_dash(args: &[OsString], err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::UnknownArgument
        || args.get(1).is_none_or(|a| a != "exec")
        || args.iter().any(|a| a == "--")
    {
        return None;
    }
    let words: Vec<String> = args[2..]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Flags first, then the profile; everything after it is the command.
    let profile = words.iter().position(|w| !w.starts_with('-'))?;
    // A word no pasted command can hold: no command, only clap's error.
    let quoted = |words: &[String]| -> Option<Vec<String>> {
        words.iter().map(|w| shell_word(w).ok()).collect()
    };
    let mut fixed = vec!["badge".to_owned(), "exec".to_owned()];
    fixed.extend(quoted(&words[..=profile])?);
    fixed.push("--".to_owned());
    fixed.extend(quoted(&words[profile + 1..])?);
    Some(fixed.join(" "))
}
