//! What badge draws for a person: the fuzzy picker, and the `--verbose`
//! log on stderr. Like every leaf, it imports no floor above it.

pub mod picker;
pub mod verbose;
