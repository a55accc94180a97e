//! The whole command surface of badge, as clap types, and the completion
//! candidates they offer on Tab ([`complete`], which needs the config only).
//!
//! `badge NAME` is a shortcut for `badge use NAME`, so the top level takes an
//! optional profile that conflicts with the subcommands. A profile that is
//! also the name of a subcommand is reached with `badge use NAME`.

pub mod complete;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter};

use crate::base::text::typo_distance;
pub use crate::shell::Shell;
use complete::{profile_candidates, session_candidates};

const MAIN_EXAMPLES: &str = "\
Examples:
  badge prod/AdministratorAccess   switch this shell to that profile
  badge prod                       unique prefix or substring of a name works too
  badge -                          back to the previous profile
  badge                            fuzzy picker over all profiles
  badge off                        no profile in this shell
  badge ls | grep staging          list profiles
  badge allow                      trust this folder's .aws-profile: `cd` here switches to its profile

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
  badge use --login prod               sign in first if its login has expired

An exact name always wins. When several profiles match, the picker opens on
a terminal over every profile, with the name typed in; Esc or Ctrl-C leaves
it with exit status 130. Elsewhere the candidates are listed.")]
    Use(UseArgs),

    /// Unset the profile in this shell
    #[command(after_help = "Example:\n  badge off")]
    Off,

    /// Show the active profile of this shell
    #[command(after_help = "\
Examples:
  badge current
  badge current --json | jq -r .account_id

The profile is the one botocore and boto3 use: AWS_DEFAULT_PROFILE if set,
else AWS_PROFILE (switching removes AWS_DEFAULT_PROFILE). Exits 1 when no
profile is active (with --json, prints \"profile\": null).")]
    Current(CurrentArgs),

    /// List all profiles from the AWS config and credentials files
    #[command(after_help = "\
Examples:
  badge ls
  badge ls --sso-session acme
  badge ls --json | jq -r '.[].name'

The active profile is marked with `*`. SESSION is the profile's sso-session,
LOGIN the state of that session's cached login (valid, refreshable, expired,
none), SOURCE where the profile is: generated (by `badge sync`), config or
credentials. On a terminal the widest columns are cut with `…` to fit its
width (COLUMNS overrides it); piped or redirected, every line is whole.")]
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
process (one run of badge when another process changed its login):
  (aws:prod) $             the active profile
  (aws:prod 9m) $          its login ends within 15 minutes: 9 left at most
  (aws:prod expired) $     its login has ended; `badge login` signs in again")]
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
  badge login --force                sign in again, for another user or new scopes
  badge login --all                  every sso-session that needs it, one after the other

The token is cached in ~/.aws/sso/cache exactly as `aws sso login` does, so
the AWS CLI and every SDK use it too. A token that can be refreshed is
renewed without a browser; a cached token the portal no longer accepts
(signed out elsewhere, revoked) is replaced by a new sign-in. The browser
is $BROWSER if set.

On a machine other people use, sign in with
  badge login --device-code --no-browser
and open the URL it prints in a browser that is already running (or on
another device). The browser sign-in passes its URL (with the sign-in's
state, PKCE code challenge and the port of badge's listener on 127.0.0.1)
to the browser on its command line, as the device flow passes its URL with
the code, and every local user can read a command line in /proc/PID/cmdline:
they cannot take your token, but they can end your sign-in, or complete it
with their own login so that you are signed in as them.")]
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
  badge sync --region-rule 'account:*-us=us-east-1'   those accounts in us-east-1
  badge sync --region-rule 'role:Billing*=us-east-1' --region-rule 'id:1234*=eu-central-1'
  badge sync --region-rule ''                    forget the region rules
  badge sync --all                               every signed-in sso-session, each its own settings
  badge sync --all --dry-run                     the diffs of them all

Profiles are written in a managed block per sso-session; everything outside
it is left byte for byte. Template variables: {account_name}, {account_id},
{role_name}, {session}, {region} (the profile's region, after the rules).
Region rules match the account name, account id or role name, ignoring case
(* any run of characters, ? one); the first rule that matches sets the
profile's region, the others get --region. The template, region, output and
region rules used are remembered in the [sso-session] section for the next
run.")]
    Sync(SyncArgs),

    /// Run a command with a profile applied, without switching this shell
    #[command(after_help = "\
Examples:
  badge exec prod -- aws s3 ls                  AWS_PROFILE=prod for that command only
  badge exec -- terraform plan                  the profile of this shell
  badge exec prod --env-credentials -- ./deploy.sh
                                                role credentials in AWS_ACCESS_KEY_ID,
                                                AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN

The command runs directly (no shell) and its exit code is badge's; one that
cannot be found exits 127, as in a shell. AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of this shell are removed so they
cannot override the profile. --env-credentials is for tools that do not read
SSO profiles: it also sets AWS_CREDENTIAL_EXPIRATION and AWS_REGION. Its
credentials are cached as `badge creds` caches them:
  badge exec prod --env-credentials --no-cache -- ./deploy.sh   ask again")]
    Exec(ExecArgs),

    /// Print short-lived role credentials of a profile
    #[command(after_help = "\
Examples:
  eval \"$(badge creds prod)\"     bash and zsh
  badge creds prod | source      fish
  badge creds prod --format json | jq -r .AccessKeyId
  credential_process = badge creds prod --format process   in a profile of ~/.aws/config

Formats: env (export lines for bash, zsh and fish), json ({\"AccessKeyId\",
\"SecretAccessKey\", \"SessionToken\", \"Expiration\", \"Region\", \"Profile\"}),
process (the credential_process format, Version 1). The credentials come from
GetRoleCredentials with the profile's login, and are cached for that login
(0600, under badge's state folder) while more than 10 minutes remain, so
tools that call again and again get them without a network round trip:
  badge creds prod --format process             cached for the next call
  badge creds prod --no-cache                   ask again; no cache read or written
`badge logout`, and any new login, drop them.")]
    Creds(CredsArgs),

    /// Open the AWS console as a profile's role
    #[command(after_help = "\
Examples:
  badge console prod                 the console home in the profile's region
  badge console prod --service s3    the S3 console
  badge console --print              print the sign-in URL instead of opening it

Signs in through the federation endpoint (https://signin.aws.amazon.com, or
that of the region's partition; BADGE_SIGNIN_URL points elsewhere, for a
proxy or tests). The browser is $BROWSER if set. The URL signs anyone in who
has it for the next 15 minutes: do not share it.")]
    Console(ConsoleArgs),

    /// Check the shell integration, the AWS files, logins and generated profiles
    #[command(after_help = "\
Examples:
  badge doctor                 every finding with the command that fixes it
  badge doctor --json | jq -r '.findings[] | select(.fix) | .fix'
  badge doctor --strict        exit 1 on warnings too (for CI and scripts)

Exits 1 when a finding is a problem (the AWS tools fail or a token is
exposed), 0 when there are only warnings (an expired login, profiles edited
by hand since the last sync), unless --strict. Reads files only: it never
touches the network and never writes.")]
    Doctor(DoctorArgs),

    /// Trust the nearest .aws-profile at or above DIR: this shell switches to its profile inside that tree
    #[command(after_help = "\
Examples:
  echo prod/AdministratorAccess > ~/src/infra/.aws-profile
  badge allow ~/src/infra        trust it: `cd ~/src/infra` now switches to that profile
  badge allow                    the nearest .aws-profile at or above this folder

A shell with badge's integration switches to the profile named on the first
line of the nearest .aws-profile when it enters that folder (or any below
it), and back to its previous profile when it leaves the tree. A profile
chosen by hand inside the tree wins until the shell leaves it. Only a file
you trusted, with the content you trusted, switches: a repository cannot
move you into production, and a changed file needs `badge allow` again.")]
    Allow(DirArgs),

    /// Forget the trust in the nearest .aws-profile at or above DIR
    #[command(after_help = "\
Examples:
  badge deny ~/src/infra         that folder's .aws-profile switches nothing any more
  badge deny                     the nearest .aws-profile at or above this folder")]
    Deny(DirArgs),
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// The folder to look in, then above [default: the current folder]
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON (stable fields, see the README)
    #[arg(long)]
    pub json: bool,

    /// Exit 1 on warnings too, not only on problems
    #[arg(long)]
    pub strict: bool,
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

    /// Sign in to every sso-session whose login needs it, one after the other
    #[arg(long, conflicts_with_all = ["sso_session", "profile"])]
    pub all: bool,

    /// Sign in to the sso-session of this profile (for a legacy profile,
    /// to its own sso_start_url)
    #[arg(long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// Use the device code flow (for SSH sessions and headless hosts)
    #[arg(long)]
    pub device_code: bool,

    /// Print the sign-in URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,

    /// Sign in again even when the cached login is still good (another
    /// user, or new sso_registration_scopes)
    #[arg(long)]
    pub force: bool,
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

    /// Sync every sso-session that is signed in, each with its own settings,
    /// and name those that are not
    #[arg(long, conflicts_with_all = ["sso_session", "template", "region", "region_rule", "output"])]
    pub all: bool,

    /// Print the diff that would be written and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Remove generated profiles whose assignment is gone
    #[arg(long)]
    pub prune: bool,

    /// Profile name template [default: the session's last one, at first
    /// {account_name}/{role_name}]
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,

    /// `region` of the generated profiles [default: the session's last one,
    /// at first its sso_region]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Another region for some profiles: account:GLOB=REGION, role:GLOB=REGION
    /// or id:GLOB=REGION (repeatable, first match wins; '' forgets them)
    #[arg(long, value_name = "RULE")]
    pub region_rule: Vec<String>,

    /// `output` of the generated profiles (json, text, table, yaml…)
    #[arg(long, value_name = "FORMAT")]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Export role credentials instead of AWS_PROFILE, for tools that do
    /// not read SSO profiles
    #[arg(long)]
    pub env_credentials: bool,

    /// With --env-credentials: ask IAM Identity Center, neither reading nor
    /// keeping cached role credentials
    #[arg(long, requires = "env_credentials")]
    pub no_cache: bool,

    /// Profile name; at a terminal also a unique prefix or substring
    /// (exact when the output goes to a program) [default: AWS_PROFILE]
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct CredsArgs {
    /// Profile name; at a terminal also a unique prefix or substring
    /// (exact when the output goes to a program) [default: AWS_PROFILE]
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// How to print them
    #[arg(long, value_enum, default_value_t = CredsFormat::Env)]
    pub format: CredsFormat,

    /// Ask IAM Identity Center, neither reading nor keeping cached role
    /// credentials
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredsFormat {
    /// `export NAME='value'` lines for bash, zsh and fish
    Env,
    /// One JSON object
    Json,
    /// The credential_process format (Version 1)
    Process,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Profile name, unique prefix or substring [default: AWS_PROFILE]
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_candidates))]
    pub profile: Option<String>,

    /// The console of this service (s3, ec2, cloudwatch…) [default: the console home]
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// Print the sign-in URL on stdout instead of opening a browser
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Sign in first when the profile's login has expired or there is none
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

    /// Name of the function to define instead of `badge` (not a builtin or
    /// reserved word of the shell, nor a program on PATH)
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

/// Subcommands that only change the shell they run in. The shell function
/// captures and evaluates what the binary prints for these (and for a bare
/// profile name); everything else runs untouched.
///
/// `login` and `logout` are among them so that the prompt learns at once
/// that the login changed; they print nothing else on stdout. `sync` is,
/// so that a sync that renames the shell's profile moves the shell to the
/// new name; its dry-run diff reaches the function's stdout as printed.
pub const SWITCHING_SUBCOMMANDS: &[&str] = &["use", "off", "login", "logout", "sync"];

/// Subcommands the shell function runs untouched but in a case of their
/// own (`shell/init.*`): after them it looks at the folder's `.aws-profile`
/// again, so that a trust given or taken takes effect at the next prompt.
pub const TRUST_SUBCOMMANDS: &[&str] = &["allow", "deny"];

/// The subcommands a user types (help's own `help` among them), for "did
/// you mean" on a word that is no profile; a unit test keeps it clap's.
pub const SUBCOMMANDS: &[&str] = &[
    "use",
    "off",
    "current",
    "ls",
    "init",
    "completions",
    "session",
    "login",
    "logout",
    "sync",
    "exec",
    "creds",
    "console",
    "doctor",
    "allow",
    "deny",
    "help",
];

/// The subcommand `word` is a typo of: one edit from it (a letter missing,
/// added, changed, or two neighbours swapped), or two for names of five
/// letters or more; `None` for a word that is a subcommand or far from all.
pub fn mistyped_subcommand(word: &str) -> Option<&'static str> {
    if SUBCOMMANDS.contains(&word) || word.chars().count() < 2 {
        return None;
    }
    SUBCOMMANDS
        .iter()
        .map(|sub| (typo_distance(word, sub), *sub))
        .filter(|(d, sub)| *d <= if sub.len() >= 5 { 2 } else { 1 })
        .min()
        .map(|(_, sub)| sub)
}

/// What a switch asks, read without clap: `badge NAME` or `badge use NAME`.
/// A switch is most of what badge is run for, and building clap's whole
/// command tree costs more than the rest of it; any other shape of command
/// line is clap's to parse (a unit test checks that both read every shape
/// this one answers alike).
#[derive(Debug, PartialEq, Eq)]
pub enum QuickSwitch<'a> {
    /// `badge NAME`: NAME may also be a typo of a subcommand.
    Bare(&'a str),
    /// `badge use NAME`.
    Use(&'a str),
}

/// The switch `args` (the whole command line, program name first) asks
/// for, when it is one of the two plain shapes; `None` leaves it to clap.
pub fn quick_switch(args: &[std::ffi::OsString]) -> Option<QuickSwitch<'_>> {
    // A value clap would also take as one: not empty, not an option
    // (`-` alone is the previous profile).
    fn value(arg: &std::ffi::OsString) -> Option<&str> {
        let word = arg.to_str()?;
        (!word.is_empty() && (word == "-" || !word.starts_with('-'))).then_some(word)
    }
    match args {
        [_, word] => value(word)
            .filter(|word| !SUBCOMMANDS.contains(word))
            .map(QuickSwitch::Bare),
        [_, sub, word] if sub == "use" => value(word).map(QuickSwitch::Use),
        _ => None,
    }
}

/// What badge-quick cannot answer without the whole binary (the picker, a
/// sign-in, clap): it hands the command line to badge instead, which
/// answers it from the start. Raised before anything is printed.
#[derive(Debug)]
pub struct HandOver;

impl std::fmt::Display for HandOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this needs the whole badge binary")
    }
}

impl std::error::Error for HandOver {}

/// The hidden subcommand the completion functions call on Tab.
pub const COMPLETE_SUBCOMMAND: &str = "__complete";

/// First words for which the shell function runs the binary untouched:
/// every subcommand that does not switch, and the help and version flags.
pub fn passthrough_words() -> Vec<String> {
    let cli = Cli::command();
    let mut words: Vec<String> = cli
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter(|name| !SWITCHING_SUBCOMMANDS.contains(&name.as_str()))
        .filter(|name| !TRUST_SUBCOMMANDS.contains(&name.as_str()))
        .collect();
    words.extend(
        [
            "help",
            "-h",
            "--help",
            "-V",
            "--version",
            COMPLETE_SUBCOMMAND,
        ]
        .map(String::from),
    );
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subcommand_list_is_clap_s() {
        let cli = Cli::command();
        let mut names: Vec<&str> = cli.get_subcommands().map(|s| s.get_name()).collect();
        names.push("help");
        let mut listed = SUBCOMMANDS.to_vec();
        names.sort_unstable();
        listed.sort_unstable();
        assert_eq!(names, listed);
    }

    /// Every command line of up to three words drawn from awkward ones:
    /// where the quick reading answers, clap reads the same switch; and it
    /// answers the shapes a switch takes.
    #[test]
    fn the_quick_switch_reads_as_clap_does() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        let mut words: Vec<OsString> = [
            "prod",
            "prod/Admin",
            "-",
            "--",
            "",
            "-v",
            "--verbose",
            "--login",
            "-h",
            "--help",
            "-V",
            "-x",
            "-prod",
            "use",
            "ls",
            "help",
            "off",
            "logn",
            "a b",
            "é/ü",
            "x=y",
            "--login=true",
            "__complete",
            "__prompt",
        ]
        .map(OsString::from)
        .to_vec();
        words.push(OsString::from_vec(b"pr\xffod".to_vec()));
        let mut lines: Vec<Vec<OsString>> = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<OsString>> = lines
                .iter()
                .filter(|line| line.len() == lines.last().unwrap().len())
                .flat_map(|line| {
                    words.iter().map(move |w| {
                        let mut line = line.clone();
                        line.push(w.clone());
                        line
                    })
                })
                .collect();
            lines.extend(longer);
        }
        let mut answered = 0;
        for line in &lines {
            let mut args = vec![OsString::from("badge")];
            args.extend(line.iter().cloned());
            let Some(quick) = quick_switch(&args) else {
                continue;
            };
            answered += 1;
            let cli = Cli::try_parse_from(&args)
                .unwrap_or_else(|err| panic!("{args:?}: quick {quick:?}, clap: {err}"));
            assert!(!cli.verbose, "{args:?}");
            match (quick, cli.command, cli.profile) {
                (QuickSwitch::Bare(name), None, Some(profile)) => assert_eq!(name, profile),
                (QuickSwitch::Use(name), Some(Command::Use(u)), None) => {
                    assert_eq!(name, u.profile);
                    assert!(!u.login, "{args:?}");
                }
                (quick, command, profile) => {
                    panic!("{args:?}: quick {quick:?}, clap {command:?} {profile:?}")
                }
            }
        }
        let quick = |line: &[&str]| {
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            format!("{:?}", quick_switch(&args))
        };
        assert_eq!(quick(&["badge", "prod"]), r#"Some(Bare("prod"))"#);
        assert_eq!(quick(&["badge", "-"]), r#"Some(Bare("-"))"#);
        assert_eq!(quick(&["badge", "use", "ls"]), r#"Some(Use("ls"))"#);
        assert_eq!(quick(&["badge", "ls"]), "None");
        // `badge WORD` for 9 of the words, `badge use WORD` for 13.
        assert_eq!(answered, 22);
    }

    #[test]
    fn typos_of_subcommands() {
        for (typed, meant) in [
            ("logn", Some("login")),
            ("lgoin", Some("login")),
            ("sycn", Some("sync")),
            ("snyc", Some("sync")),
            ("currnet", Some("current")),
            ("docter", Some("doctor")),
            ("lss", Some("ls")),
            ("login", None),
            ("prod", None),
            ("x", None),
            ("staging", None),
        ] {
            assert_eq!(mistyped_subcommand(typed), meant, "{typed}");
        }
    }
}
