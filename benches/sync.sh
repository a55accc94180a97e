#!/usr/bin/env bash
# badge sync benchmark (issue 3, "Performance"): `badge sync` of 1,000
# accounts x 3 roles against the Identity Center emulator (a) with 50 ms
# latency and no rate limit, (b) with 50 ms and a 20 requests/s token bucket,
# and (c) 200 accounts x 3 roles against `aws-sso-util configure populate`
# on the same emulator in the same run. Prints a table; see benches/SYNC.md
# (results and analysis).
#
#   benches/sync.sh                    build badge + emulator (release), run everything
#   BADGE_BIN=... EMULATOR_BIN=...     benchmark those binaries instead
#   SYNC_RUNS=3 SYNC_ASSU_RUNS=2       runs per row (badge / aws-sso-util)
#   SYNC_NO_ASSU=1                     skip part (c) (no pip install)
#   SYNC_QUICK=1                       small orgs, one run: check the harness
#
# Every tool runs with a temporary HOME and AWS_CONFIG_FILE; the emulator
# listens on 127.0.0.1 only. Your own ~/.aws is never read or written.
# Raw results go to target/bench/sync/sync.json; aws-sso-util's virtualenv is
# kept in target/bench/sync-venv between runs.

set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A release build's folder: named for the host, as .cargo/config.toml's
# `build.target` has it.
release=$repo/target/$(rustc -vV | sed -n 's/^host: //p')/release
out=$repo/target/bench/sync
assu_version=4.33.0

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'benches/sync.sh: %s\n' "$*" >&2; exit 1; }

missing=()
command -v python3 >/dev/null || missing+=("python3   (apt-get install -y python3 python3-venv)")
/usr/bin/time -f %M true >/dev/null 2>&1 || missing+=("GNU time at /usr/bin/time   (apt-get install -y time)")
((${#missing[@]} == 0)) || die "$(printf 'missing tools:\n'; printf '  %s\n' "${missing[@]}")"

# Versions and the source, read before anything moves.
rustc_version=$(rustc --version 2>/dev/null || echo 'rustc ?')
badge_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no commit')
git -C "$repo" diff --quiet HEAD 2>/dev/null || badge_rev+=", with uncommitted changes"

if [[ -z ${BADGE_BIN-} || -z ${EMULATOR_BIN-} ]]; then
    say "cargo build --release --locked (badge and the emulator example)"
    (cd "$repo" && cargo build --release --locked --quiet --bin badge --example emulator)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/badge-sync-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Copies, so that a rebuild during the run cannot change what is measured.
cp "${BADGE_BIN:-$release/badge}" "$work/badge"
cp "${EMULATOR_BIN:-$release/examples/emulator}" "$work/emulator"

assu=()
if [[ -z ${SYNC_NO_ASSU-} ]]; then
    venv=$repo/target/bench/sync-venv
    if [[ ! -x $venv/bin/aws-sso-util ]] || ! "$venv/bin/pip" show aws-sso-util 2>/dev/null | grep -qx "Version: $assu_version"; then
        say "pip install aws-sso-util==$assu_version into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "aws-sso-util==$assu_version"
    fi
    assu=(--assu "$venv/bin/aws-sso-util")
    assu_versions=$("$venv/bin/pip" list --disable-pip-version-check 2>/dev/null |
        awk '$1 ~ /^(aws-sso-util|aws-sso-lib|boto3|botocore)$/ {printf "%s%s %s", sep, $1, $2; sep=", "}')
fi

if [[ -n ${SYNC_QUICK-} ]]; then
    sizes=(--accounts 100 --small-accounts 40 --runs 1 --assu-runs 1)
else
    sizes=(--runs "${SYNC_RUNS:-3}" --assu-runs "${SYNC_ASSU_RUNS:-2}")
fi

mkdir -p "$out"
python3 "$repo/benches/sync_bench.py" --repo "$repo" --badge "$work/badge" \
    --emulator "$work/emulator" "${assu[@]}" "${sizes[@]}" --out "$out" | tee "$out/table.md"

{
    echo
    echo "Machine and versions:"
    echo
    model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
    echo "- CPU: ${model:-?}, nproc $(nproc), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "- kernel $(uname -r); badge $("$work/badge" --version | awk '{print $2}') ($badge_rev), $rustc_version, release profile"
    [[ -n ${assu_versions-} ]] && echo "- $assu_versions (Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'))"
    true
} | tee -a "$out/table.md"
