//! How the `badge` executable itself is linked.

/// The `badge` executable's bytes.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn executable() -> Vec<u8> {
    std::fs::read(env!("CARGO_BIN_EXE_badge")).unwrap()
}

/// A position-independent executable has its pointers fixed up by the
/// loader at every start, page by page: most of what a `badge NAME` costs
/// on a machine where page faults are slow. build.rs links it at a fixed
/// address instead (ELF type EXEC, not DYN).
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_executable_is_linked_at_a_fixed_address() {
    let header = executable();
    assert_eq!(&header[..4], b"\x7fELF");
    let kind = u16::from_le_bytes([header[16], header[17]]);
    assert_eq!(
        kind, 2,
        "ELF type {kind}: 2 is EXEC, 3 DYN (position independent)"
    );
}

/// Loading shared libraries is most of what starting a small program
/// costs: the loader maps libc and libgcc_s and binds their symbols before
/// `main`. On x86-64 Linux, `.cargo/config.toml` links badge statically
/// (glibc's `libc.a`), so no program interpreter and no dynamic section.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
fn the_executable_needs_no_shared_library() {
    let elf = executable();
    let at = |offset: usize, len: usize| {
        let mut bytes = [0u8; 8];
        bytes[..len].copy_from_slice(&elf[offset..offset + len]);
        u64::from_le_bytes(bytes) as usize
    };
    // ELF64: the program headers' offset, entry size and count.
    let (offset, size, count) = (at(0x20, 8), at(0x36, 2), at(0x38, 2));
    let kinds: Vec<usize> = (0..count).map(|i| at(offset + i * size, 4)).collect();
    const PT_DYNAMIC: usize = 2;
    const PT_INTERP: usize = 3;
    assert!(
        !kinds.contains(&PT_INTERP) && !kinds.contains(&PT_DYNAMIC),
        "the executable is dynamically linked (program headers {kinds:?})"
    );
}
