//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.
//!
//! The binary (`src/main.rs`) is a thin wrapper around [`run`]. The library
//! exists so that the fuzz targets under `fuzz/` (and their proptest twins
//! in `tests/fuzz_props.rs`) can reach the parsers and quoting code, with
//! the `fuzz` feature; nothing here is a stable API. ARCHITECTURE.md maps
//! the floors.

mod base;
mod cli;
mod cmd;
mod config;
#[cfg(feature = "fuzz")]
#[doc(hidden)]
pub mod fuzz_targets;
mod shell;
mod sso;
mod sync;
mod ui;

/// Control characters made visible, for the binary's error line: a name
/// or a server's message never drives the terminal.
pub use base::text::printable;
pub use cmd::run;
/// The user left the picker without choosing: the binary exits with its
/// status and says nothing.
pub use ui::picker::Cancelled;
