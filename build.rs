//! Links badge's executable at a fixed address (not position independent)
//! on Linux. A position-independent executable has its ~20,000 pointers
//! fixed up by the loader at every start, which writes to (and so copies)
//! every page that holds one: most of the cost of a `badge NAME` on a
//! machine where page faults are slow. The library, the tests and the fuzz
//! targets are built as before; only the `badge` binary is linked this way.
//! benches/README.md ("At the floor") has the measurements.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let sanitized =
        std::env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| flags.contains("sanitizer"));
    if os == "linux" && env == "gnu" && !sanitized {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
