#!/usr/bin/env bash
# A short run of every fuzz target, for CI: installs cargo-fuzz if it is
# missing, builds the targets with the stable toolchain, then runs each one
# over its seed corpus and for a few seconds more. Any crash fails the script
# and leaves the input that caused it under fuzz/artifacts/<target>/.
#
#   fuzz/smoke.sh               # every target, 25 s each
#   FUZZ_SECONDS=60 fuzz/smoke.sh naming token_cache
#
# Works on stable Rust: cargo-fuzz passes a few unstable flags to rustc,
# which RUSTC_BOOTSTRAP=1 allows, and `--sanitizer none` drops the one flag
# (`-Zsanitizer`) that needs a nightly standard library. badge forbids unsafe
# code, so AddressSanitizer would find nothing the Rust checks do not.
set -euo pipefail

cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-25}"
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(config_document managed_block config_pieces naming token_cache shell_quote)
fi

started=$SECONDS
if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz/smoke.sh: libFuzzer is C++ and needs a C++ compiler: install g++" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2
fi

export RUSTC_BOOTSTRAP=1
# Release code with debug assertions and overflow checks (cargo-fuzz's
# default), no sanitizer.
build=(--sanitizer none --debug-assertions)
echo "== building the fuzz targets ($(rustc --version))"
cargo fuzz build "${build[@]}"
echo "== built in $((SECONDS - started)) s"

status=0
for target in "${targets[@]}"; do
    # Grown inputs go to a scratch folder, never into the committed corpus.
    # The log stays out of artifacts/, where cargo-fuzz would list it as
    # one more failing input.
    grown="grown/$target"
    log="logs/$target.log"
    mkdir -p "$grown" "artifacts/$target" logs
    echo "== $target: ${seconds} s"
    if ! cargo fuzz run "${build[@]}" "$target" "$grown" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 \
        -print_final_stats=1 2>"$log"; then
        status=1
        # What failed and where the input is, without the input's bytes
        # (cargo-fuzz prints them as one long line); the whole log is kept.
        echo "!! $target failed (whole log: fuzz/$log):"
        grep -E -A4 "panicked at|^==[0-9]+== ?ERROR|deadly signal|Test unit written to" "$log" |
            cut -c1-400 | head -n 60 || true
        echo "!! replay: cargo test --test fuzz_props after copying the input to fuzz/regressions/$target/"
    fi
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
        "$log" || true
done
echo "== fuzz smoke done in $((SECONDS - started)) s"
exit "$status"
