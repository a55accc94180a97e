//! The files badge shares with the AWS tools: `~/.aws/config` and
//! `~/.aws/credentials`.
//!
//! These files belong to the user and to every AWS tool on the machine, so
//! this module reads them the way botocore does and, when it writes, changes
//! only the lines it means to change (see [`document`]), through one writer
//! ([`writer`]: lock, re-read, edit, backup, atomic rename). It knows
//! nothing about the network.

pub mod atomic;
pub mod dir_profile;
pub mod document;
pub mod matching;
pub mod paths;
pub mod pieces;
pub mod private;
pub mod profiles;
pub mod sessions;
pub mod strict;
pub mod writer;
