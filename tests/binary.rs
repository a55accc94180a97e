//! How the `badge` executable itself is linked.

use std::io::Read;

/// A position-independent executable has its pointers fixed up by the
/// loader at every start, page by page: most of what a `badge NAME` costs
/// on a machine where page faults are slow. build.rs links it at a fixed
/// address instead (ELF type EXEC, not DYN).
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_executable_is_linked_at_a_fixed_address() {
    let mut header = [0u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_badge"))
        .and_then(|mut f| f.read_exact(&mut header))
        .unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    let kind = u16::from_le_bytes([header[16], header[17]]);
    assert_eq!(
        kind, 2,
        "ELF type {kind}: 2 is EXEC, 3 DYN (position independent)"
    );
}
