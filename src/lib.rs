//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.
//!
//! The binary (`src/main.rs`) is a thin wrapper around [`run`]. The library
//! exists so that the fuzz targets under `fuzz/` can reach the parsers and
//! quoting code; nothing here is a stable API.

mod cli;
mod cmd;
mod config;
#[doc(hidden)]
pub mod fuzz_targets;
mod picker;
mod shell;
mod sso;
mod sync;
mod verbose;

pub use cmd::run;
/// Control characters made visible, for the binary's error line: a name
/// or a server's message never drives the terminal.
pub use picker::printable;
