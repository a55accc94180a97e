//! Turning what the portal lists into profiles in `~/.aws/config`.
//!
//! `naming` makes SDK-safe, unique profile names from a template;
//! `settings` is what a sync remembers for the next one, `regions` its
//! region rules; `plan` decides the managed block of a session against what
//! the config already holds (and never touches a profile outside it);
//! `diff` shows a dry run; `record` keeps what each sync wrote, for
//! `badge doctor`. The edit itself goes through `config::writer`.

pub mod diff;
pub mod naming;
pub mod plan;
pub mod record;
pub mod regions;
pub mod settings;
