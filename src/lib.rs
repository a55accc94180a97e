//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.
//!
//! The binaries (`src/main.rs`, `src/bin/badge-quick.rs`) are thin
//! wrappers around [`whole`] and [`quick`]. The library
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

/// The `main` of badge and of badge-quick (`src/bin/badge-quick.rs`).
pub use cmd::entry::{quick, whole};
