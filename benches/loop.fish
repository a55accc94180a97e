# The fish twin of loop.bash: N calls of one action inside one fish. fish
# has no clock variable, but `read` and `math` are builtins: the time comes
# from /proc/uptime (hundredths of a second) read without a process, so the
# loop times BATCH calls at a time and prints the mean of each batch, in
# microseconds, one line a batch.
#
#   fish --no-config benches/loop.fish MODE N
#
# MODE: badge-switch (the `badge` function, alternating two profiles) |
#       standin-switch (the same with benches/floor.sh's stand-in, in
#       $BADGE_STANDIN, as the badge it runs) |
#       floor (`set x (command true)`, the least a function that runs a
#       program and reads its output can cost in this fish)

set -l mode $argv[1]
set -l count $argv[2]
set -l batch 50
function __fail
    echo "loop.fish: $argv" >&2
    exit 1
end
switch $mode
    case badge-switch standin-switch
        badge init fish | source
        if test $mode = standin-switch
            set -q BADGE_STANDIN; or __fail "BADGE_STANDIN is not set"
            set -gx PATH $BADGE_STANDIN $PATH
            test (command -s badge) = $BADGE_STANDIN/badge -a (command -s badge-quick) = $BADGE_STANDIN/badge-quick
            or __fail "the stand-in is not the badge and badge-quick on PATH"
        end
        set -g names acct-0042-prod/AdministratorAccess acct-1187-staging/ReadOnlyAccess
        function __step
            set -l name $names[(math "$argv[1] % 2 + 1")]
            badge $name; or __fail "badge $name exited $status"
            test "$AWS_PROFILE" = "$name"; or __fail "AWS_PROFILE is '$AWS_PROFILE', not $name"
        end
    case floor
        function __step
            set -l x (command true); or __fail "true failed"
        end
    case '*'
        __fail "unknown mode $mode"
end
function __now
    read -l up _ </proc/uptime
    echo $up
end
# seq is a process: the lists are made before any timing.
set -l steps (seq $batch)
set -l rounds (seq (math "ceil($count / $batch)"))
for i in (seq 5)
    __step $i
end
for r in $rounds
    set -l t0 (__now)
    for i in $steps
        __step $i
    end
    set -l t1 (__now)
    math --scale 0 "($t1 - $t0) * 1000000 / $batch"
end
