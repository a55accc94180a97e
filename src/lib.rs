//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.
//!
//! The binary (`src/main.rs`) is a thin wrapper around [`run`]. The library
//! exists so that the fuzz targets under `fuzz/` can reach the parsers and
//! quoting code; nothing here is a stable API.

mod cli;
mod cmd;
mod config;
mod picker;
mod shell;
mod sso;
mod sync;

pub use cmd::run;
