//! The whole command surface of badge, as clap types and nothing else.
//!
//! `badge NAME` is a shortcut for `badge use NAME`, so the top level takes an
//! optional profile that conflicts with the subcommands. A profile that is
//! also the name of a subcommand is reached with `badge use NAME`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter};

use crate::cmd::complete::{profile_candidates, session_candidates};

const MAIN_EXAMPLES: &str = "\
Examples:
  badge prod/AdministratorAccess   switch this shell to that profile
  badge prod                       unique prefix or substring of a name works too
  badge -                          back to the previous profile
  badge                            fuzzy picker over all profiles
  badge off                        no profile in this shell
  badge ls | grep staging          list profiles

Switching needs the shell integration, one line in your rc file:
  bash  eval \"$(badge init bash)\"     in ~/.bashrc
  zsh   eval \"$(badge init zsh)\"      in ~/.zshrc
  fish  badge init fish | source      in ~/.config/fish/config.fish

Something wrong? `badge -v COMMAND` (or BADGE_LOG=1) shows on stderr which
files, sso-session and API calls it used, with statuses and timing; it never
shows a token or secret.";

#[derive(Debug, Parser)]
#[command(
    name = "badge",
    version,
    about = "Switch AWS profiles in your shell, for AWS IAM Identity Center users",
    args_conflicts_with_subcommands = true,
    after_help = MAIN_EXAMPLES,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Profile to switch to (as `badge use PROFILE`); `-` for the previous one.
    /// Without it, a fuzzy picker opens.
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// Print diagnostics on stderr: files, sso-session, API calls, retries,
    /// lock waits and timing (never a token or secret). Also BADGE_LOG=1
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Switch this shell to a profile
    #[command(after_help = "\
Examples:
  badge use prod/AdministratorAccess   exact name
  badge use prod                       unique prefix, then unique substring
  badge use -                          the previous profile of this shell

An exact name always wins. When several profiles match, the picker opens
pre-filtered on a terminal; elsewhere the candidates are listed.")]
    Use(UseArgs),

    /// Unset the profile in this shell
    #[command(after_help = "Example:\n  badge off")]
    Off,

    /// Show the active profile of this shell
    #[command(after_help = "\
Examples:
  badge current
  badge current --json | jq -r .account_id

Exits 1 when no profile is active (with --json, prints \"profile\": null).")]
    Current(CurrentArgs),

    /// List all profiles from the AWS config and credentials files
    #[command(after_help = "\
Examples:
  badge ls
  badge ls --sso-session acme
  badge ls --json | jq -r '.[].name'

The active profile is marked with `*`; generated profiles show their session.")]
    Ls(LsArgs),

    /// Print the shell integration; evaluate it in your rc file
    #[command(after_help = "\
Examples:
  eval \"$(badge init bash)\"              in ~/.bashrc
  eval \"$(badge init zsh)\"               in ~/.zshrc
  badge init fish | source               in ~/.config/fish/config.fish
  eval \"$(badge init zsh --cmd aws-p)\"   use `aws-p` instead of `badge`
  eval \"$(badge init zsh --no-prompt)\"   leave the prompt to starship or p10k

It defines a function that switches the current shell, completion for it,
and a prompt segment that shows the active profile without starting a
process.")]
    Init(InitArgs),

    /// Print the completion script for a shell
    #[command(after_help = "\
Examples:
  badge completions bash > ~/.local/share/bash-completion/completions/badge
  badge completions zsh  > ~/.zfunc/_badge    (with fpath+=(~/.zfunc) before compinit)
  badge completions fish > ~/.config/fish/completions/badge.fish

Not needed with `badge init`, which includes completion. Profile names are
read from your config at the moment you press Tab.")]
    Completions(CompletionsArgs),

    /// Add or update an [sso-session] in the AWS config
    #[command(subcommand)]
    Session(SessionCommand),

    /// Sign in to AWS IAM Identity Center and cache the token
    #[command(after_help = "\
Examples:
  badge login                        the only (or the active profile's) sso-session
  badge login --sso-session acme
  badge login --profile prod/AdministratorAccess
  badge login --device-code          for SSH sessions and hosts without a browser
  badge login --no-browser           print the sign-in URL instead of opening it

The token is cached in ~/.aws/sso/cache exactly as `aws sso login` does, so
the AWS CLI and every SDK use it too. A token that can be refreshed is
renewed without a browser. The browser is $BROWSER if set.")]
    Login(LoginArgs),

    /// Sign out and remove the cached token
    #[command(after_help = "Examples:\n  badge logout\n  badge logout --sso-session acme")]
    Logout(LogoutArgs),

    /// Write a profile for every assigned account and role to the AWS config
    #[command(after_help = "\
Examples:
  badge sync                                     the only sso-session, last settings
  badge sync --sso-session acme --dry-run        show the diff, change nothing
  badge sync --template '{account_name}.{role_name}' --region eu-west-1
  badge sync --prune                             remove profiles whose assignment is gone

Profiles are written in a managed block per sso-session; everything outside
it is left byte for byte. Template variables: {account_name}, {account_id},
{role_name}, {session}, {region}. The template, region and output used are
remembered in the [sso-session] section for the next run.")]
    Sync(SyncArgs),
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Create or update an [sso-session]; asks for what is missing on a terminal
    #[command(after_help = "\
Examples:
  badge session add acme --start-url https://acme.awsapps.com/start --region eu-west-1
  badge session add          asks for each value, like `aws configure sso`")]
    Add(SessionAddArgs),
}

#[derive(Debug, Args)]
pub struct SessionAddArgs {
    /// Name of the sso-session
    pub name: Option<String>,

    /// The AWS access portal URL, e.g. https://acme.awsapps.com/start
    #[arg(long, value_name = "URL")]
    pub start_url: Option<String>,

    /// The region of IAM Identity Center, e.g. eu-west-1
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Registration scopes, comma separated [default: sso:account:access]
    #[arg(long, value_name = "SCOPES")]
    pub scopes: Option<String>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The sso-session to sign in to
    #[arg(long, value_name = "SESSION", conflicts_with = "profile", add = ArgValueCandidates::new(session_candidates))]
    pub sso_session: Option<String>,

    /// Sign in to the sso-session of this profile
    #[arg(long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// Use the device code flow (for SSH sessions and headless hosts)
    #[arg(long)]
    pub device_code: bool,

    /// Print the sign-in URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The sso-session to sign out of
    #[arg(long, value_name = "SESSION", add = ArgValueCandidates::new(session_candidates))]
    pub sso_session: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The sso-session to sync
    #[arg(long, value_name = "SESSION", add = ArgValueCandidates::new(session_candidates))]
    pub sso_session: Option<String>,

    /// Print the diff that would be written and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Remove generated profiles whose assignment is gone
    #[arg(long)]
    pub prune: bool,

    /// Profile name template [default: {account_name}/{role_name}]
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,

    /// `region` of the generated profiles [default: the session's region]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// `output` of the generated profiles (json, text, table, yaml…)
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Sign in first when the profile's login has expired
    #[arg(long)]
    pub login: bool,

    /// Profile name, unique prefix or substring; `-` for the previous profile
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Print JSON (stable fields, see the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Print JSON (stable fields, see the README)
    #[arg(long)]
    pub json: bool,

    /// Only the profiles of this sso-session
    #[arg(long, value_name = "SESSION", add = ArgValueCandidates::new(session_candidates))]
    pub sso_session: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    pub shell: Shell,

    /// Name of the function to define instead of `badge`
    #[arg(long, value_name = "NAME", default_value = "badge")]
    pub cmd: String,

    /// Leave the prompt alone (for starship, powerlevel10k and the like)
    #[arg(long)]
    pub no_prompt: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub fn from_name(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }

    /// Where a user puts the init line, for messages.
    pub fn rc_file(self) -> &'static str {
        match self {
            Shell::Bash => "~/.bashrc",
            Shell::Zsh => "~/.zshrc",
            Shell::Fish => "~/.config/fish/config.fish",
        }
    }

    pub fn init_line(self) -> &'static str {
        match self {
            Shell::Bash => "eval \"$(badge init bash)\"",
            Shell::Zsh => "eval \"$(badge init zsh)\"",
            Shell::Fish => "badge init fish | source",
        }
    }
}

/// Subcommands that only change the shell they run in. The shell function
/// captures and evaluates what the binary prints for these (and for a bare
/// profile name); everything else runs untouched.
///
/// `login` and `logout` are among them so that the prompt learns at once
/// that the login changed; they print nothing else on stdout.
pub const SWITCHING_SUBCOMMANDS: &[&str] = &["use", "off", "login", "logout"];
