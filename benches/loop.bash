# Times N calls of one interactive action inside a single bash, the way a
# user pays for them: the shell function (or awsume's sourced script, or a
# completion function) runs in this shell, forks what it forks and evals what
# it evals. Prints one duration per line, in microseconds.
#
#   bash --noprofile --norc benches/loop.bash MODE N
#
# MODE: badge-switch | badge-complete | awsume-switch | awsume-complete |
#       floor (`x=$(command true)`: the least a function that runs a
#       program and reads its output can cost in this bash) |
#       floor-exec (`x=$(command minimal)`: the same with a program of its
#       own, the minimal Rust binary on PATH) | floor-exec-static (the
#       same binary linked static, as badge is: `minimal-static`) |
#       standin-switch | standin-complete (badge-switch and badge-complete
#       with the stand-in of benches/floor.sh, in $BADGE_STANDIN, as the
#       badge the functions run)
# Expects the environment run.sh sets up (temp HOME, AWS_CONFIG_FILE, badge
# and awsume on PATH) and checks after every call that it did its job, so a
# broken build cannot produce a fast number.

set -u
export LC_ALL=C # $EPOCHREALTIME with a `.`, so that removing it gives µs
mode=$1
count=$2
warmup=5

fail() {
    echo "loop.bash: $mode: $*" >&2
    exit 1
}

# standin-*: the same function and check, with benches/floor.sh's stand-in
# (which prints badge's answer from memory) as the badge and badge-quick
# it runs.
standin() {
    [ -n "${BADGE_STANDIN-}" ] || fail "BADGE_STANDIN is not set"
    PATH=$BADGE_STANDIN:$PATH
    local name
    for name in badge badge-quick; do
        [ "$(type -P "$name")" = "$BADGE_STANDIN/$name" ] || fail "the stand-in is not the $name on PATH"
    done
}

case "$mode" in
badge-switch | standin-switch)
    eval "$(badge init bash)"
    [ "$mode" = badge-switch ] || standin
    names=(acct-0042-prod/AdministratorAccess acct-1187-staging/ReadOnlyAccess)
    step() {
        local name=${names[$((i % 2))]}
        badge "$name" || fail "badge $name exited $?"
        [ "${AWS_PROFILE-}" = "$name" ] || fail "AWS_PROFILE is '${AWS_PROFILE-}', not $name"
    }
    ;;
badge-complete | standin-complete)
    eval "$(badge init bash)"
    [ "$mode" = badge-complete ] || standin
    COMP_LINE="badge acct-00"
    COMP_POINT=${#COMP_LINE}
    step() {
        __badge_complete_badge badge acct-00 badge
        [ "${#COMPREPLY[@]}" -eq 800 ] || fail "${#COMPREPLY[@]} candidates, not 800"
    }
    ;;
floor)
    step() {
        local x
        x=$(command true) || fail "true failed"
    }
    ;;
floor-exec | floor-exec-static)
    minimal=minimal
    [ "$mode" = floor-exec ] || minimal="minimal-static"
    step() {
        local x
        x=$(command "$minimal") || fail "$minimal failed"
        [ "$x" = hello ] || fail "$minimal printed '$x'"
    }
    ;;
awsume-switch)
    # What `alias awsume=". awsume"` (awsume-configure) runs.
    names=(legacy-ci break-glass)
    keys=(AKIAIOSFODNN7EXAMPLE AKIAI44QH8DHBEXAMPLE)
    step() {
        local name=${names[$((i % 2))]}
        # shellcheck source=/dev/null # awsume's script, from the venv on PATH
        . awsume "$name" >/dev/null || fail "awsume $name exited $?"
        [ "${AWS_ACCESS_KEY_ID-}" = "${keys[$((i % 2))]}" ] || fail "awsume did not switch to $name"
    }
    ;;
awsume-complete)
    # awsume's bash completion, as `awsume-configure` installs it.
    # shellcheck disable=SC2034 # verbatim from awsume
    _awsume() {
        local cur prev opts
        COMPREPLY=()
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
        opts=$(awsume-autocomplete)
        # shellcheck disable=SC2207,SC2086 # verbatim from awsume
        COMPREPLY=( $(compgen -W "${opts}" -- ${cur}) )
        return 0
    }
    COMP_WORDS=(awsume acct-00)
    COMP_CWORD=1
    step() {
        _awsume awsume acct-00 awsume
        [ "${#COMPREPLY[@]}" -eq 800 ] || fail "${#COMPREPLY[@]} candidates, not 800"
    }
    ;;
*)
    fail "unknown mode"
    ;;
esac

for ((i = 0; i < warmup + count; i++)); do
    t0=${EPOCHREALTIME/./}
    step
    t1=${EPOCHREALTIME/./}
    if ((i >= warmup)); then
        echo $((t1 - t0))
    fi
done
