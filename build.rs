//! Links badge's executable at a fixed address (not position independent)
//! on Linux. A position-independent executable has its ~20,000 pointers
//! fixed up by the loader at every start, which writes to (and so copies)
//! every page that holds one: most of the cost of a `badge NAME` on a
//! machine where page faults are slow. The library, the tests and the fuzz
//! targets are built as before; only the `badge` binary is linked this way.
//! On x86-64, `.cargo/config.toml` already builds everything static and at
//! a fixed address, and this adds nothing. benches/README.md ("At the
//! floor") has the measurements.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name| std::env::var(name).unwrap_or_default();
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    let sanitized = flags.contains("sanitizer");
    // `-no-pie` beside rustc's own `-static-pie` or `-no-pie` would make a
    // binary that crashes at start.
    let fixed = flags.contains("relocation-model=static")
        || var("CARGO_CFG_TARGET_FEATURE")
            .split(',')
            .any(|feature| feature == "crt-static");
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !sanitized
        && !fixed
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
