//! What badge draws for a person: the fuzzy picker, the lines it says on
//! stderr, and the `--verbose` log there. Like every leaf, it imports no
//! floor above it.

pub mod picker;
pub mod say;
pub mod verbose;
