#!/usr/bin/env bash
# badge creds benchmark (issue 14, "Cached role credentials for tools"):
# `badge creds P --format process`, the call a credential_process makes,
# answered from badge's cache of role credentials, next to the same call
# with --no-cache (one GetRoleCredentials at the emulator each time) and to
# `badge --version` (process start, the machine's floor), in one run.
#
#   benches/creds.sh                     build badge + emulator (release), run
#   BADGE_BIN=... EMULATOR_BIN=...       benchmark those binaries instead
#   CREDS_RUNS=100                       runs per row (hyperfine)
#
# The emulator is started here, on 127.0.0.1 only, with no added latency
# (the uncached row is therefore the best case: a real portal adds a
# network round trip). Every command runs with a temporary HOME; your own
# ~/.aws is never read or written. Raw results: target/bench/creds/.

set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A release build's folder: named for the host, as .cargo/config.toml's
# `build.target` has it.
release=$repo/target/$(rustc -vV | sed -n 's/^host: //p')/release
out=$repo/target/bench/creds
runs=${CREDS_RUNS:-100}

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'benches/creds.sh: %s\n' "$*" >&2; exit 1; }

command -v hyperfine >/dev/null || die "needs hyperfine (apt-get install -y hyperfine)"
command -v python3 >/dev/null || die "needs python3"

if [[ -z ${BADGE_BIN-} || -z ${EMULATOR_BIN-} ]]; then
    say "cargo build --release --locked (badge and the emulator example)"
    (cd "$repo" && cargo build --release --locked --quiet --bin badge --example emulator)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/badge-creds-bench.XXXXXX")
emu_pid=
cleanup() {
    [[ -n $emu_pid ]] && kill "$emu_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cp "${BADGE_BIN:-$release/badge}" "$work/badge"
cp "${EMULATOR_BIN:-$release/examples/emulator}" "$work/emulator"
mkdir -p "$out" "$work/home"

"$work/emulator" --accounts 2 --roles 1 --approve-on-start --url-file "$work/emu.url" \
    >"$work/emu.env" 2>"$work/emu.log" &
emu_pid=$!
for _ in $(seq 100); do [[ -s $work/emu.url ]] && break; sleep 0.1; done
[[ -s $work/emu.url ]] || die "the emulator did not start: $(cat "$work/emu.log")"
url=$(head -n1 "$work/emu.url")

export HOME=$work/home
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE XDG_STATE_HOME
# shellcheck disable=SC1091
. "$work/emu.env"
account=$(python3 -c 'import json, sys, urllib.request
org = json.load(urllib.request.urlopen(sys.argv[1] + "/control/org"))
a = org["accounts"][0]
print(a["accountId"], a["roles"][0])' "$url")
read -r account_id role <<<"$account"
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/config" <<INI
[sso-session bench]
sso_start_url = $url/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile p]
sso_session = bench
sso_account_id = $account_id
sso_role_name = $role
region = eu-west-1
INI

say "badge login --device-code (approved by the emulator at once)"
"$work/badge" login --device-code --no-browser </dev/null >/dev/null 2>"$work/login.log" ||
    die "login failed: $(cat "$work/login.log")"
"$work/badge" creds p --format process >/dev/null

counts() {
    python3 -c 'import json, sys, urllib.request
c = json.load(urllib.request.urlopen(sys.argv[1] + "/control/counts"))
print(c["byOperation"].get("GetRoleCredentials", 0))' "$url"
}
before=$(counts)
say "hyperfine -N, $runs runs a row"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/creds.json" \
    --command-name 'badge --version (floor)' "$work/badge --version" \
    --command-name 'badge creds p --format process (cached)' "$work/badge creds p --format process" \
    --command-name 'badge creds p --format process --no-cache' "$work/badge creds p --format process --no-cache" \
    >"$out/hyperfine.txt"
after=$(counts)
calls=$((after - before))
expected=$((runs + 5))
python3 - "$out/creds.json" "$calls" "$expected" <<'PY' | tee "$out/table.md"
import json, sys
results = json.load(open(sys.argv[1]))["results"]
calls, expected = int(sys.argv[2]), int(sys.argv[3])
print("| command | median ms | mean ms ± σ | min–max ms | CPU ms (user+sys) |")
print("|---|---|---|---|---|")
for r in results:
    ms = lambda s: s * 1000
    print("| `%s` | **%.2f** | %.2f ± %.2f | %.2f–%.2f | %.2f |" % (
        r["command"], ms(r["median"]), ms(r["mean"]), ms(r["stddev"] or 0),
        ms(r["min"]), ms(r["max"]), ms(r["user"] + r["system"])))
print()
print("GetRoleCredentials during the timed runs: %d (the --no-cache row makes %d; the cached row none)" % (calls, expected))
PY
