# The zsh twin of loop.bash's badge-switch: N calls of the `badge` function
# inside one zsh, one duration in microseconds per line.
#
#   zsh --no-rcs benches/loop.zsh N

zmodload zsh/datetime # $epochtime: (seconds nanoseconds)
count=$1
warmup=5
eval "$(badge init zsh)"
names=(acct-0042-prod/AdministratorAccess acct-1187-staging/ReadOnlyAccess)
for ((i = 0; i < warmup + count; i++)); do
    name=${names[i % 2 + 1]}
    t0=($epochtime)
    badge "$name" || { print -u2 "loop.zsh: badge $name exited $?"; exit 1 }
    t1=($epochtime)
    [[ ${AWS_PROFILE-} == "$name" ]] || { print -u2 "loop.zsh: AWS_PROFILE is '${AWS_PROFILE-}', not $name"; exit 1 }
    ((i >= warmup)) && print $(((t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2]) / 1000))
done
exit 0
