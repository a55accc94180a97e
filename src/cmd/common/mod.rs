//! What several subcommands share, so that no subcommand reaches into a
//! sibling: reading the AWS files with errors that say what to do
//! ([`files`]), choosing a profile from what was typed ([`choose`]), the
//! script that switches the shell ([`switching`]), the prompt's login
//! mark ([`prompt`]), the sso-session a command signs in to ([`session`])
//! and the role credentials of a profile ([`role`]).

pub mod choose;
pub mod dir;
pub mod files;
pub mod prompt;
pub mod role;
pub mod session;
pub mod switching;
