//! Fuzz targets: the properties badge promises about the files it edits,
//! the names it makes, the token cache it reads and the words it hands to a
//! shell, each as a function that panics when one does not hold.
//!
//! The cargo-fuzz crate under `fuzz/` calls the `&[u8]` functions; the
//! proptests in `tests/fuzz_props.rs` call the same functions, and the
//! structured ones, with generated input. Nothing here is used by badge
//! itself, and only the `fuzz` feature compiles it. One file a target:
//! `document` (config_document), `block` (managed_block), `pieces`
//! (config_pieces), `naming`, `token_cache`, and `shell_quote` here, with
//! `reference`, the plain independent reading of a config the first two
//! check badge against.
//!
//! Byte input: most targets read `CONFIG [\0\xff CHOICES]`. `CONFIG` is a
//! config file as it would be on disk (so a seed corpus is a set of real
//! looking files); `CHOICES`, after the first `\0\xff`, steers the edits, one
//! byte per choice. Without them the choices come from a hash of `CONFIG`.
//!
//! Where a target must not feed badge what its own contract forbids (a key
//! with `=`, a session name with spaces around it), it skips that input and
//! says so next to the check.

mod block;
mod document;
mod naming;
mod pieces;
pub mod reference;
mod shells;
mod token_cache;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use block::*;
pub use document::*;
pub use naming::*;
pub use pieces::*;
pub use reference::read_back;
pub use shells::{SHELLS, shell_round_trip};
pub use token_cache::*;

/// Separates a config file from the choices that steer a target.
pub const CHOICES_MARK: &[u8] = b"\0\xff";

// ----- input -----

/// The config bytes and the choices of a byte input.
pub fn split_input(data: &[u8]) -> (&[u8], Vec<u8>) {
    match memchr::memmem::find(data, CHOICES_MARK) {
        Some(at) => (&data[..at], data[at + CHOICES_MARK.len()..].to_vec()),
        None => (data, derived_choices(data, 64)),
    }
}

/// `n` choices from a hash of `data` (FNV-1a, then xorshift).
fn derived_choices(data: &[u8], n: usize) -> Vec<u8> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut state = hash | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Choices read one byte at a time; past the end every choice is 0.
pub struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u8]) -> Choices<'a> {
        Choices { data, at: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.at >= self.data.len()
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.byte()) % n
        }
    }

    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    pub fn pick<T: Clone>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())].clone()
    }

    /// Up to `max` bytes of the choices as text.
    pub fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        let start = self.at.min(self.data.len());
        let end = (self.at + len).min(self.data.len());
        self.at += len;
        String::from_utf8_lossy(&self.data[start..end]).into_owned()
    }
}

/// A folder of this process's own for the targets that need files.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Those of processes that are gone first.
        let tmp = std::env::temp_dir();
        for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix("badge-fuzz-"));
            if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("badge-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("cannot create a scratch folder");
        dir
    })
}

/// A scratch folder for the calling thread (tests run targets in parallel).
fn thread_scratch(what: &str) -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let name: String = thread.chars().filter(char::is_ascii_digit).collect();
    let dir = scratch().join(format!("{what}-{name}"));
    fs::create_dir_all(&dir).expect("cannot create a scratch folder");
    dir
}

// ----- shell quoting -----

/// Target `shell_quote`: the bytes as text, through `quote` and the scripts
/// a switch prints, evaluated by the real bash, zsh and fish, read back
/// exactly. A NUL, which no shell can hold in a string (bash drops it, zsh
/// cuts an exported value there), is never given to a shell: `badge use`
/// refuses a profile whose name has one; here each piece between NULs is
/// checked on its own.
pub fn shell_quote(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let pieces: Vec<String> = text.split('\0').map(str::to_owned).collect();
    for shell in SHELLS {
        shell_round_trip(shell, &pieces);
    }
}
