//! The names of the variables that the shell function and the binary share,
//! in one place. The templates in `shell/` spell them out (they are shell
//! code a user can read); a test checks that every name here is used by
//! every template that should use it.

/// Set by the shell function when it captures what the binary prints to
/// evaluate it: the shell's name.
pub const HOOK_SHELL: &str = "__BADGE_SHELL";
/// Passed by the shell function with the previous profile: `=NAME`, or
/// `=` alone when the shell had no profile.
pub const HOOK_PREVIOUS: &str = "__BADGE_PREVIOUS";
/// Set by the shell function on every run it does not capture, so that
/// `badge doctor` knows the integration is loaded.
pub const INIT: &str = "__BADGE_INIT";
/// Set by the shell function, with `1`, when the output it captures from
/// the binary goes on to a terminal: the binary colours it as it would
/// colour its own stdout.
pub const STDOUT_TTY: &str = "__BADGE_STDOUT_TTY";
/// Set by the shell function on every run: its own name (`--cmd`), the
/// command the user types, for the commands badge's messages suggest.
pub const CMD: &str = "__BADGE_CMD";
/// Set by badge-quick for the badge it hands a command to: its process id,
/// which the exec keeps. A badge-quick that finds its own there has been
/// handed the command by itself (a `badge` that is badge-quick again).
pub const HANDED_OVER: &str = "__BADGE_HANDED_OVER";
/// What the shell function (and badge-quick) sets for the binary itself,
/// never for a command that `badge exec` runs.
pub const FUNCTION_VARS: [&str; 6] = [
    HOOK_SHELL,
    HOOK_PREVIOUS,
    INIT,
    STDOUT_TTY,
    CMD,
    HANDED_OVER,
];

/// Shell variable in which the integration keeps the previous profile.
pub const PREVIOUS: &str = "__badge_previous";

/// The profile the prompt's login mark is about.
pub const EXPIRES_FOR: &str = "__badge_expires_for";
/// When its login expires, as an epoch second (0: it needs no login,
/// 1: expired already).
pub const EXPIRES: &str = "__badge_expires";
/// The word the prompt shows once it has: `expired` or `signed out`.
pub const MARK_WORD: &str = "__badge_mark_word";
/// fish only (it has no clock without a process): set when the login had
/// expired at the last switch, login or logout.
pub const EXPIRED: &str = "__badge_expired";
/// The token cache file of that profile's login, which the prompt watches
/// (unset: nothing to watch).
pub const TOKEN_FILE: &str = "__badge_token_file";
/// Set by `badge init`: the folder of the shells' prompt stamps (see
/// [`super::watch`]).
pub const STAMP_DIR: &str = "__badge_stamp_dir";
/// The hidden subcommand the prompt runs, once, when that file changed: it
/// prints the new mark for the shell to evaluate.
pub const PROMPT_SUBCOMMAND: &str = "__prompt";

/// The variable every AWS tool reads the profile from.
pub const AWS_PROFILE: &str = "AWS_PROFILE";
/// The older name, which botocore and boto3 (and the AWS CLI v1) read
/// before `AWS_PROFILE`, so one left in a shell wins over every switch.
pub const AWS_DEFAULT_PROFILE: &str = "AWS_DEFAULT_PROFILE";

/// Static credentials that override any profile in every AWS SDK.
pub const STATIC_KEYS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// The hidden subcommand the directory hook runs when the nearest
/// `.aws-profile` appears, changes or is left: it prints the switch.
pub const DIR_SUBCOMMAND: &str = "__dir";
/// Shell variable: the `.aws-profile` the hook last asked badge about
/// (empty: none), as the hook found it walking up from `$PWD`.
pub const DIR_FILE: &str = "__badge_dir_file";
/// Shell variable set by badge: which file, with which content, it last
/// spoke about, so it does not say it again (passed back as [`DIR_SEEN_ENV`]).
pub const DIR_SEEN: &str = "__badge_dir_seen";
/// The name under which the hook passes [`DIR_SEEN`] to the binary.
pub const DIR_SEEN_ENV: &str = "__BADGE_DIR_SEEN";
/// Set by `badge init`: the folder of the shells' directory stamps.
pub const DIR_STAMPS: &str = "__badge_dir_stamps";
/// Exported while a directory profile is in effect: the profile the shell
/// had before entering the tree, `=NAME` (or `=` for none).
pub const DIR_PREV: &str = "__BADGE_DIR_PREV";
/// Exported: the profile the directory switched to.
pub const DIR_PROFILE: &str = "__BADGE_DIR_PROFILE";
/// Exported: the real path of the `.aws-profile` it came from.
pub const DIR_SOURCE: &str = "__BADGE_DIR_SOURCE";
