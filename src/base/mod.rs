//! The ground floor: small helpers that two or more floors need, each
//! written once. Nothing here imports another badge module, knows a file
//! badge shares with the AWS tools, or touches the network.
//!
//! - [`time`]: the AWS tools' ISO 8601 form, and durations in words;
//! - [`hash`]: the SHA-1 and SHA-256 hex digests badge names files after;
//! - [`text`]: untrusted text made safe for a terminal, and its width;
//! - [`url`]: comparing start URLs, percent-encoding, and URLs without a
//!   password;
//! - [`process`]: whether the process a file is named after still runs.

pub mod hash;
pub mod process;
pub mod text;
pub mod time;
pub mod url;
