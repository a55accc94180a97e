#!/usr/bin/env bash
# badge's benchmark: switching and completion with a 10,000-profile config,
# against what users use today (the AWS CLI's `configure list-profiles` and
# awsume), in the same run, on the same files. See benches/README.md.
#
#   benches/run.sh                 build badge (release) and run everything
#   BADGE_BIN=/path/badge benches/run.sh     benchmark that binary instead
#   BENCH_QUICK=1 benches/run.sh   fewer runs, to check the harness itself
#   BENCH_NO_AWSUME=1 ...          skip awsume (no pip install)
#   AWS_BIN=/path/aws ...          the AWS CLI v2 to compare with
#
# Everything runs with a temporary HOME holding the generated ~/.aws/config and
# ~/.aws/credentials; your own ~/.aws is never read. Raw results and the table
# go to target/bench/ (awsume's virtualenv is kept there between runs).

set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A release build's folder: named for the host, as .cargo/config.toml's
# `build.target` has it.
release=$repo/target/$(rustc -vV | sed -n 's/^host: //p')/release
benches=$repo/benches
out=$repo/target/bench
results=$out/results
profiles=${BENCH_PROFILES:-10000}
awsume_version=4.5.4

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'benches/run.sh: %s\n' "$*" >&2; exit 1; }

# -- tools --------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=("hyperfine   (Debian/Ubuntu: apt-get install -y hyperfine; or: cargo install hyperfine)")
/usr/bin/time -f %M true >/dev/null 2>&1 || missing+=("GNU time at /usr/bin/time   (apt-get install -y time)")
command -v python3 >/dev/null || missing+=("python3   (apt-get install -y python3 python3-venv)")
[[ -n ${EPOCHREALTIME-} ]] || missing+=("bash 5 or later (for \$EPOCHREALTIME)")
((${#missing[@]} == 0)) || die "$(printf 'missing tools:\n'; printf '  %s\n' "${missing[@]}")"
command -v zsh >/dev/null || say "zsh not found: skipping the zsh rows (apt-get install -y zsh)"

if [[ -n ${BENCH_QUICK-} ]]; then
    fast=(--warmup 3 --runs 20) slow=(--warmup 0 --runs 2) loop_n=30 slow_loop_n=2 rss_n=2
else
    fast=(--warmup 20 --min-runs 200) slow=(--warmup 1 --runs 10) loop_n=300 slow_loop_n=10 rss_n=5
fi

# -- badge --------------------------------------------------------------------
if [[ -z ${BADGE_BIN-} ]]; then
    say "cargo build --release --locked"
    (cd "$repo" && cargo build --release --locked --quiet)
    BADGE_BIN=$release/badge
fi
[[ -x $BADGE_BIN ]] || die "no badge binary at $BADGE_BIN"

# Versions, read before HOME moves (rustup finds its toolchains through it).
rustc_version=$(rustc --version 2>/dev/null || echo 'rustc ?')
badge_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no commit')
git -C "$repo" diff --quiet HEAD 2>/dev/null || badge_rev+=", with uncommitted changes"

# -- sandbox: temporary HOME, only the tools we measure on PATH first ----------
work=$(mktemp -d "${TMPDIR:-/tmp}/badge-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home/.aws" "$out"
rm -rf "$results" && mkdir -p "$results"
ln -s "$(realpath "$BADGE_BIN")" "$work/bin/badge"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
    AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION \
    XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME \
    __BADGE_SHELL __BADGE_PREVIOUS __badge_previous NO_COLOR
export HOME=$work/home
export PATH=$work/bin:$PATH

say "generating a config with $profiles profiles"
python3 "$benches/gen_config.py" "$HOME/.aws" --profiles "$profiles"
python3 "$benches/gen_config.py" "$work/small" --profiles 100
config_bytes=$(wc -c <"$HOME/.aws/config")

# -- baselines: AWS CLI v2 and awsume ------------------------------------------
aws_bin=
for candidate in ${AWS_BIN-} $(type -ap aws) /usr/bin/aws /usr/local/bin/aws; do
    [[ -x $candidate ]] || continue
    # A pyenv shim would add its own start-up; time the real program.
    if head -c 300 "$candidate" | grep -qa pyenv && command -v pyenv >/dev/null; then
        candidate=$(pyenv which aws 2>/dev/null) || continue
    fi
    if "$candidate" --version 2>&1 | grep -q '^aws-cli/2\.'; then
        aws_bin=$candidate
        break
    fi
done
if [[ -z $aws_bin ]]; then
    say "no AWS CLI v2 found (v1 has no \`configure list-profiles\`): skipping it." \
        "Install: apt-get install -y awscli (Debian 12+/Ubuntu 24.04+) or AWS's installer; or set AWS_BIN"
else
    aws_version=$("$aws_bin" --version 2>&1)
fi

awsume_ok=
if [[ -z ${BENCH_NO_AWSUME-} ]]; then
    venv=$out/venv
    if [[ ! -x $venv/bin/awsumepy ]] || ! "$venv/bin/python" -m pip show awsume 2>/dev/null | grep -qx "Version: $awsume_version"; then
        say "installing awsume $awsume_version into $venv"
        python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install -y python3-venv)"
        "$venv/bin/python" -m pip install --quiet "awsume==$awsume_version" || die "pip install awsume failed"
    fi
    for tool in awsume awsumepy awsume-autocomplete; do ln -s "$venv/bin/$tool" "$work/bin/$tool"; done
    awsume_ok=1
fi

# -- sanity: every measured command does what it should -------------------------
say "checking the commands before timing them"
switch=acct-0042-prod/AdministratorAccess
[[ $(__BADGE_SHELL=bash badge use "$switch") == *AWS_PROFILE* ]] || die "badge use $switch printed no switch code"
n=$(badge __complete bash -- "badge acct-00" acct-00 | wc -l)
((n == 800)) || die "completion of acct-00 gave $n candidates, not 800"
total=$(badge ls | wc -l)
[[ -z $aws_bin ]] || {
    n=$("$aws_bin" configure list-profiles | wc -l)
    ((n == total)) || die "aws configure list-profiles lists $n profiles, badge ls $total"
}
[[ -z $awsume_ok ]] || [[ $(awsumepy legacy-ci 2>/dev/null) == "Awsume AKIAIOSFODNN7EXAMPLE "* ]] || die "awsumepy legacy-ci did not switch"

# -- timing --------------------------------------------------------------------
hf() { # ID [hyperfine options…] -- COMMAND…
    local id=$1
    shift
    hyperfine --style basic -N --export-json "$results/$id.json" "$@" 2>&1 | tee -a "$results/hyperfine.log" >&2
}
peak_rss() { # ID COMMAND…  (peak resident set size in KiB, one line per run)
    local id=$1 i
    shift
    for ((i = 0; i < rss_n; i++)); do
        /usr/bin/time -f %M -a -o "$results/$id.rss" "$@" >/dev/null 2>&1
    done
}
loop() { # ID N SHELL SCRIPT ARGS…
    local id=$1 n=$2
    shift 2
    say "loop: $id ($n calls)"
    "$@" "$n" >"$results/$id.loop"
}

# Let the load of the build (or of anything else) settle: wall times on 2
# cores double when another process competes. Waits at most 2 minutes.
for ((i = 0; i < 24; i++)); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg && break
    ((i > 0)) || say "waiting for the 1-minute load average to drop below 0.5 (now $(cut -d' ' -f1 /proc/loadavg))"
    sleep 5
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

say "switch"
loop switch-loop "$loop_n" bash --noprofile --norc "$benches/loop.bash" badge-switch
command -v zsh >/dev/null && loop switch-zsh-loop "$loop_n" zsh --no-rcs "$benches/loop.zsh" badge-switch
__BADGE_SHELL=bash hf switch-bin "${fast[@]}" "badge use $switch"
AWS_CONFIG_FILE=$work/small/config __BADGE_SHELL=bash hf switch-small-bin "${fast[@]}" "badge use acct-0004-prod/AdministratorAccess"
hf version-bin "${fast[@]}" "badge --version"
__BADGE_SHELL=bash hf switch-prefix-bin "${fast[@]}" "badge use acct-0042-prod/Adm"
__BADGE_SHELL=bash peak_rss switch-bin badge use "$switch"
hf switch-bash-c "${fast[@]}" \
    "bash --noprofile --norc -c 'eval \"\$(badge init bash)\"; badge $switch'" \
    "bash --noprofile --norc -c 'eval \"\$(badge init bash)\"'"

say "completion"
loop complete-loop "$loop_n" bash --noprofile --norc "$benches/loop.bash" badge-complete
hf complete-bash-bin "${fast[@]}" "badge __complete bash -- 'badge acct-00' acct-00"
hf complete-narrow-bin "${fast[@]}" "badge __complete bash -- 'badge acct-0042-prod/' acct-0042-prod/"
hf complete-zsh-bin "${fast[@]}" "badge __complete zsh -- badge acct-00"
hf complete-fish-bin "${fast[@]}" "badge __complete fish -- badge acct-00"
hf complete-all-bin "${fast[@]}" "badge __complete bash -- 'badge ' ''"
peak_rss complete-bash-bin badge __complete bash -- "badge acct-00" acct-00
peak_rss complete-all-bin badge __complete bash -- "badge " ""

say "ls"
hf ls-bin "${fast[@]}" "badge ls"
hf ls-json-bin "${fast[@]}" "badge ls --json"
peak_rss ls-bin badge ls

if [[ -n $aws_bin ]]; then
    say "AWS CLI"
    hf aws-list-profiles "${slow[@]}" "$aws_bin configure list-profiles"
    peak_rss aws-list-profiles "$aws_bin" configure list-profiles
fi

if [[ -n $awsume_ok ]]; then
    say "awsume"
    loop awsume-switch-loop "$slow_loop_n" bash --noprofile --norc "$benches/loop.bash" awsume-switch
    hf awsume-switch-bin "${slow[@]}" "awsumepy legacy-ci"
    peak_rss awsume-switch-bin awsumepy legacy-ci
    loop awsume-complete-loop "$slow_loop_n" bash --noprofile --norc "$benches/loop.bash" awsume-complete
    hf awsume-autocomplete "${slow[@]}" "awsume-autocomplete"
    peak_rss awsume-autocomplete awsume-autocomplete
    hf awsume-list "${slow[@]}" "awsumepy -l"
    peak_rss awsume-list awsumepy -l
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# -- report --------------------------------------------------------------------
{
    echo "## Results of benches/run.sh ($(date -u +'%Y-%m-%d %H:%M UTC'))"
    echo
    echo "Config: $(grep -c '^\[profile ' "$HOME/.aws/config") \`[profile]\` sections, $config_bytes bytes;" \
        "$total profiles in all (\`badge ls\`)."
    echo
    python3 "$benches/report.py" "$results"
    echo
    echo "Machine and versions:"
    echo
    cpuinfo() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
    echo "- CPU: $(cpuinfo 'model name') (family $(cpuinfo 'cpu family'), model $(cpuinfo 'model'), bogomips $(cpuinfo bogomips))," \
        "nproc $(nproc), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)$(grep -qw hypervisor /proc/cpuinfo && echo ', virtual machine')"
    echo "- kernel $(uname -r); load average before $load_before, after $load_after"
    echo "- badge $(badge --version | cut -d' ' -f2) ($badge_rev), $rustc_version, release profile of Cargo.toml"
    echo "- $(hyperfine --version), $(bash --version | head -1 | sed 's/ (.*//')$(command -v zsh >/dev/null && echo ", $(zsh --version | cut -d' ' -f1-2)")"
    [[ -z $aws_bin ]] || echo "- AWS CLI: \`$aws_bin\`, $aws_version"
    [[ -z $awsume_ok ]] || echo "- awsume $awsume_version ($("$out/venv/bin/python" --version))"
} >"$results/results.md"
cat "$results/results.md"
say "raw results in $results"
