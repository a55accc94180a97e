# The zsh twin of loop.bash: N calls of one action inside one zsh, one
# duration in microseconds per line.
#
#   zsh --no-rcs benches/loop.zsh MODE N
#
# MODE: badge-switch (the `badge` function, alternating two profiles) |
#       standin-switch (the same with benches/floor.sh's stand-in, in
#       $BADGE_STANDIN, as the badge it runs) |
#       floor (`x=$(command true)`, the least a function that runs a program
#       and reads its output can cost in this zsh)

zmodload zsh/datetime # $epochtime: (seconds nanoseconds)
mode=$1
count=$2
warmup=5
fail() { print -u2 "loop.zsh: $mode: $*"; exit 1 }
case $mode in
badge-switch | standin-switch)
    eval "$(badge init zsh)"
    if [[ $mode == standin-switch ]]; then
        [[ -n ${BADGE_STANDIN-} ]] || fail "BADGE_STANDIN is not set"
        path=("$BADGE_STANDIN" $path)
        [[ $(whence -p badge) == "$BADGE_STANDIN/badge" &&
            $(whence -p badge-quick) == "$BADGE_STANDIN/badge-quick" ]] ||
            fail "the stand-in is not the badge and badge-quick on PATH"
    fi
    names=(acct-0042-prod/AdministratorAccess acct-1187-staging/ReadOnlyAccess)
    step() {
        local name=${names[i % 2 + 1]}
        badge "$name" || fail "badge $name exited $?"
        [[ ${AWS_PROFILE-} == "$name" ]] || fail "AWS_PROFILE is '${AWS_PROFILE-}', not $name"
    }
    ;;
floor)
    step() {
        local x
        x=$(command true) || fail "true failed"
    }
    ;;
*) fail "unknown mode" ;;
esac
for ((i = 0; i < warmup + count; i++)); do
    t0=($epochtime)
    step
    t1=($epochtime)
    ((i >= warmup)) && print $(((t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2]) / 1000))
done
exit 0
