#!/usr/bin/env bash
# badge against the floor of the machine it runs on: a switch and a Tab with
# a 10,000-profile config, next to what the least possible program and shell
# function cost in the same run. See benches/README.md, "At the floor".
#
#   benches/floor.sh                      build badge (release) and measure
#   BADGE_BIN=/path/badge benches/floor.sh    measure that binary instead
#   BENCH_QUICK=1 benches/floor.sh        fewer runs, to check the harness
#   BENCH_NO_CALLGRIND=1 ...              skip the instruction counts
#
# The floors, built and measured in the same minute as badge:
# - a minimal Rust binary (`fn main() { println!("hello") }`, `rustc -O`),
#   against the switch binary alone (`__BADGE_SHELL=bash badge use NAME`);
# - `x=$(command true)` in one bash, against a switch through the bash
#   function and a Tab through the bash completion function (both also
#   fork, run a program and read its output).
# Two lower bounds beside them say what no switch can go below:
# - the minimal binary run the way the function runs badge
#   (`x=$(command minimal)`), so the fork and exec of any program;
# - a minimal Rust binary that reads the config through one 32 KiB buffer,
#   as badge does, and prints its size: what reading the file costs a
#   process;
# - the shell functions themselves, run with a static stand-in for badge
#   that prints badge's answer from memory: what the function, its fork
#   and exec and its eval cost when badge's own work takes no time.
# Beside the times: page faults (GNU time's %R, minor faults: on this kind
# of VM each is expensive) and instructions (valgrind's callgrind, the
# same count on a busy machine). Everything runs with a temporary HOME.

set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# A release build's folder: named for the host, as .cargo/config.toml's
# `build.target` has it.
release=$repo/target/$(rustc -vV | sed -n 's/^host: //p')/release
benches=$repo/benches
out=$repo/target/bench-floor
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die() { printf 'benches/floor.sh: %s\n' "$*" >&2; exit 1; }

missing=()
command -v hyperfine >/dev/null || missing+=("hyperfine (apt-get install -y hyperfine)")
/usr/bin/time -f %R true >/dev/null 2>&1 || missing+=("GNU time at /usr/bin/time (apt-get install -y time)")
command -v python3 >/dev/null || missing+=("python3")
command -v rustc >/dev/null || missing+=("rustc")
((${#missing[@]} == 0)) || die "$(printf 'missing tools:\n'; printf '  %s\n' "${missing[@]}")"
callgrind=1
[[ -n ${BENCH_NO_CALLGRIND-} ]] && callgrind=
command -v valgrind >/dev/null || { callgrind=; say "no valgrind: no instruction counts (apt-get install -y valgrind)"; }

# The timings run in rounds, every command once a round, so that a floor
# and what is compared with it share the same minutes: on a busy or
# virtual machine the same binary's median moves by more than the
# difference between two builds from one minute to the next. The medians
# are over all the rounds' runs.
if [[ -n ${BENCH_QUICK-} ]]; then
    rounds=1 fast=(--warmup 3 --runs 30) loop_n=40 faults_n=3
else
    rounds=6 fast=(--warmup 10 --runs 60) loop_n=60 faults_n=20
fi

if [[ -z ${BADGE_BIN-} ]]; then
    say "cargo build --release --locked"
    (cd "$repo" && cargo build --release --locked --quiet)
    BADGE_BIN=$release/badge
    built=1
fi
[[ -x $BADGE_BIN ]] || die "no badge binary at $BADGE_BIN"
if [[ -n ${built-} ]]; then
    badge_rev="built from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
    git -C "$repo" diff --quiet HEAD -- src Cargo.toml Cargo.lock build.rs 2>/dev/null || badge_rev+=", with uncommitted changes"
else
    badge_rev="BADGE_BIN=$BADGE_BIN"
fi
rustc_version=$(rustc --version)
# The compiler itself, for the stand-in built once HOME is the temporary
# one (where rustup would find no toolchain).
rustc_bin=$(rustc --print sysroot)/bin/rustc

work=$(mktemp -d "${TMPDIR:-/tmp}/badge-floor.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home/.aws" "$out"
results=$out/results
rm -rf "$results" && mkdir -p "$results"
ln -s "$(realpath "$BADGE_BIN")" "$work/bin/badge"
# badge-quick, which the functions run for a switch and a Tab when it is
# on PATH beside badge (`badge init`).
quick=$(dirname "$(realpath "$BADGE_BIN")")/badge-quick
if [[ -x $quick ]]; then
    ln -s "$quick" "$work/bin/badge-quick"
else
    quick=
    say "no badge-quick beside $BADGE_BIN: the functions run badge, and its rows stay empty"
fi
printf 'fn main() {\n    println!("hello");\n}\n' >"$work/minimal.rs"
rustc -O -o "$work/bin/minimal" "$work/minimal.rs"
# The same program linked as badge is on x86-64 Linux (.cargo/config.toml):
# static, at a fixed address. What starting any such program costs.
static=
if rustc -O -C target-feature=+crt-static -C relocation-model=static \
    -o "$work/bin/minimal-static" "$work/minimal.rs" 2>/dev/null &&
    [[ $("$work/bin/minimal-static") == hello ]]; then
    static=1
else
    say "no static minimal binary on this machine: its rows stay empty"
fi
cat >"$work/reads.rs" <<'RS'
use std::io::Read;
fn main() {
    let home = std::env::var_os("HOME").expect("HOME");
    let path = std::path::Path::new(&home).join(".aws/config");
    let mut file = std::fs::File::open(path).expect("the config");
    let mut buf = vec![0u8; 32 * 1024];
    let mut size = 0;
    loop {
        match file.read(&mut buf).expect("a read") {
            0 => break,
            n => size += n,
        }
    }
    println!("{size}");
}
RS
rustc -O -o "$work/bin/reads-config" "$work/reads.rs"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
    AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
    XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME \
    __BADGE_SHELL __BADGE_PREVIOUS __badge_previous NO_COLOR BADGE_LOG
export HOME=$work/home
export PATH=$work/bin:$PATH

say "generating the configs"
python3 "$benches/gen_config.py" "$HOME/.aws" --profiles 10000
# Hand-written profiles (an account and a role each, no sso_session), for
# `badge ls` being linear: 5,000 against 20,000.
for n in 5000 20000; do
    python3 - "$work/hand-$n" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        f.write(f"[profile hand-{i:05d}]\nsso_account_id = {100000000000 + i}\n"
                f"sso_role_name = Admin\nregion = eu-west-1\n\n")
PY
done

# A login that is valid for hours, so that a switch takes the path of a
# signed-in user (the token itself is never sent anywhere here).
python3 - "$HOME/.aws" <<'PY'
import datetime, hashlib, json, os, re, sys
aws = sys.argv[1]
config = open(os.path.join(aws, "config")).read()
for session in sorted(set(re.findall(r"^\[sso-session ([^\]]+)\]", config, re.M))):
    cache = os.path.join(aws, "sso", "cache")
    os.makedirs(cache, mode=0o700, exist_ok=True)
    block = config.split(f"[sso-session {session}]", 1)[1].split("\n[", 1)[0]
    url = re.search(r"^sso_start_url\s*=\s*(\S+)", block, re.M).group(1)
    region = re.search(r"^sso_region\s*=\s*(\S+)", block, re.M).group(1)
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
    path = os.path.join(cache, hashlib.sha1(session.encode()).hexdigest() + ".json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump({"startUrl": url, "region": region, "accessToken": "bench-not-a-token",
                   "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}, f)
PY

switch=acct-0042-prod/AdministratorAccess
[[ $(__BADGE_SHELL=bash badge use "$switch") == *AWS_PROFILE* ]] || die "badge use $switch printed no switch code"
[[ -z $(__BADGE_SHELL=bash badge use "$switch" 2>&1 >/dev/null) ]] || die "badge use $switch warns: $(__BADGE_SHELL=bash badge use "$switch" 2>&1 >/dev/null)"
n=$(badge __complete bash -- "badge acct-00" acct-00 | wc -l)
((n == 800)) || die "completion of acct-00 gave $n candidates, not 800"

# The functions' own floor: a stand-in `badge`, static like the minimal
# binary, that prints from memory what badge printed for the same call
# (recorded here, with the variables the functions pass). The loops below
# run the real functions with it first on PATH: what a switch and a Tab
# would cost if badge's own work took no time at all.
names=("$switch" acct-1187-staging/ReadOnlyAccess)
standin=
if [[ -n $static ]]; then
    mkdir -p "$work/standin/answer"
    answers=
    for shell in bash zsh fish; do
        for i in 0 1; do
            __BADGE_SHELL=$shell __BADGE_PREVIOUS="=${names[1 - i]}" __BADGE_STDOUT_TTY='' \
                __BADGE_CMD=badge badge use "${names[i]}" >"$work/standin/answer/$shell-$i"
            answers+="    (\"$shell\", \"${names[i]}\", include_bytes!(\"answer/$shell-$i\")),"$'\n'
        done
    done
    badge __complete bash -- "badge acct-00" acct-00 "" >"$work/standin/answer/tab"
    cat >"$work/standin/main.rs" <<RS
use std::io::Write;
const SWITCHES: &[(&str, &str, &[u8])] = &[
$answers];
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let answer: &[u8] = if args.get(1).is_some_and(|a| a == "__complete") {
        include_bytes!("answer/tab")
    } else {
        let shell = std::env::var("__BADGE_SHELL").unwrap_or_default();
        let name = args.last().cloned().unwrap_or_default();
        match SWITCHES.iter().find(|(s, n, _)| *s == shell && *n == name) {
            Some((_, _, answer)) => answer,
            None => std::process::exit(3),
        }
    };
    std::io::stdout().write_all(answer).expect("stdout");
}
RS
    "$rustc_bin" -O -C target-feature=+crt-static -C relocation-model=static \
        -o "$work/standin/badge" "$work/standin/main.rs"
    # Under both names the functions may run.
    ln -s badge "$work/standin/badge-quick"
    standin=$work/standin
    export BADGE_STANDIN=$standin
fi

# Let other load settle (at most 2 minutes): wall times on 2 cores double
# when another process competes.
wait_rounds=24
[[ -n ${BENCH_QUICK-} ]] && wait_rounds=0
for ((i = 0; i < wait_rounds; i++)); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg && break
    ((i > 0)) || say "waiting for the load average to drop below 0.5 (now $(cut -d' ' -f1 /proc/loadavg))"
    sleep 5
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

round=0
hf() { # ID [hyperfine options…] -- COMMAND…: one JSON file a round
    local id=$1
    shift
    hyperfine --style basic -N --export-json "$results/$id.$round.json" "$@" 2>&1 | tee -a "$results/hyperfine.log" >&2
}
loop() { # ID SHELL SCRIPT ARGS… (N is appended): the rounds' lines added up
    local id=$1
    shift
    say "loop: $id (round $round)"
    "$@" "$loop_n" >>"$results/$id.loop"
}
faults() { # ID COMMAND…: minor page faults, one line a run
    local id=$1 i
    shift
    for ((i = 0; i < faults_n; i++)); do
        /usr/bin/time -f %R -a -o "$results/$id.faults" "$@" >/dev/null 2>&1
    done
}
instructions() { # ID COMMAND…: instructions executed, as callgrind counts them
    local id=$1
    shift
    [[ -n $callgrind ]] || return 0
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' >"$results/$id.ir"
}

timed() { # one round of every timing
    hf minimal "${fast[@]}" "minimal"
    loop floor bash --noprofile --norc "$benches/loop.bash" floor
    loop floor-exec bash --noprofile --norc "$benches/loop.bash" floor-exec
    if [[ -n $static ]]; then
        hf minimal-static "${fast[@]}" "minimal-static"
        loop floor-exec-static bash --noprofile --norc "$benches/loop.bash" floor-exec-static
    fi
    hf reads-config "${fast[@]}" "reads-config"
    __BADGE_SHELL=bash hf switch-bin "${fast[@]}" "badge use $switch"
    [[ -z $quick ]] || __BADGE_SHELL=bash hf switch-quick "${fast[@]}" "badge-quick use $switch"
    loop switch-bash bash --noprofile --norc "$benches/loop.bash" badge-switch
    if command -v zsh >/dev/null; then
        loop floor-zsh zsh --no-rcs "$benches/loop.zsh" floor
        loop switch-zsh zsh --no-rcs "$benches/loop.zsh" badge-switch
    fi
    if command -v fish >/dev/null; then
        loop floor-fish fish --no-config "$benches/loop.fish" floor
        loop switch-fish fish --no-config "$benches/loop.fish" badge-switch
    fi
    loop tab-bash bash --noprofile --norc "$benches/loop.bash" badge-complete
    if [[ -n $standin ]]; then
        loop standin-switch-bash bash --noprofile --norc "$benches/loop.bash" standin-switch
        loop standin-tab-bash bash --noprofile --norc "$benches/loop.bash" standin-complete
        if command -v zsh >/dev/null; then
            loop standin-switch-zsh zsh --no-rcs "$benches/loop.zsh" standin-switch
        fi
        if command -v fish >/dev/null; then
            loop standin-switch-fish fish --no-config "$benches/loop.fish" standin-switch
        fi
    fi
    hf complete-bin "${fast[@]}" "badge __complete bash -- 'badge acct-00' acct-00"
    [[ -z $quick ]] || hf complete-quick "${fast[@]}" "badge-quick __complete bash -- 'badge acct-00' acct-00"
    hf version-bin "${fast[@]}" "badge --version"
}
for ((round = 1; round <= rounds; round++)); do
    say "timings, round $round of $rounds"
    timed
done

say "page faults and instructions"
faults minimal minimal
instructions minimal minimal
if [[ -n $static ]]; then
    faults minimal-static minimal-static
    instructions minimal-static minimal-static
fi
faults reads-config reads-config
instructions reads-config reads-config
__BADGE_SHELL=bash faults switch-bin badge use "$switch"
__BADGE_SHELL=bash instructions switch-bin badge use "$switch"
faults complete-bin badge __complete bash -- "badge acct-00" acct-00
instructions complete-bin badge __complete bash -- "badge acct-00" acct-00
if [[ -n $quick ]]; then
    __BADGE_SHELL=bash faults switch-quick badge-quick use "$switch"
    __BADGE_SHELL=bash instructions switch-quick badge-quick use "$switch"
    faults complete-quick badge-quick __complete bash -- "badge acct-00" acct-00
    instructions complete-quick badge-quick __complete bash -- "badge acct-00" acct-00
fi
faults version-bin badge --version
instructions version-bin badge --version

say "ls"
round=1
hf ls-10000 --warmup 3 --min-runs 30 "badge ls"
faults ls-10000 badge ls
for n in 5000 20000; do
    AWS_CONFIG_FILE=$work/hand-$n hf "ls-hand-$n" --warmup 2 --min-runs 10 "badge ls"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "## Results of benches/floor.sh ($(date -u +'%Y-%m-%d %H:%M UTC'))"
    echo
    python3 "$benches/floor_report.py" "$results"
    echo
    cpuinfo() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
    echo "- CPU: $(cpuinfo 'model name'), nproc $(nproc)$(grep -qw hypervisor /proc/cpuinfo && echo ', virtual machine'); kernel $(uname -r)"
    echo "- load average before $load_before, after $load_after"
    echo "- badge $(badge --version | cut -d' ' -f2) ($badge_rev), $rustc_version; $(hyperfine --version)"
    echo "- binary: $(stat -c %s "$(realpath "$BADGE_BIN")") bytes, $(readelf -h "$(realpath "$BADGE_BIN")" 2>/dev/null | sed -n 's/^ *Type: *//p')$([[ -z $quick ]] || echo "; badge-quick $(stat -c %s "$quick") bytes")"
    echo "- the functions run $(badge init bash | grep -q 'command badge-quick' && echo badge-quick || echo badge) for a switch and a Tab"
} >"$results/results.md"
cat "$results/results.md"
say "raw results in $results"
