# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
# One candidate a line, quoted for bash as the word was typed so far. When a
# candidate is empty or starts with `_`, every line has a `_` in front (an
# empty line would vanish in the split), taken off here. `$(...)` reads the
# pipe in blocks, where `mapfile` reads it one byte per read(2). COMP_TYPE
# tells a first Tab, which inserts what the candidates share, from the
# second, which lists them.
__badge_complete_{{cmd_ident}}() {
    local IFS=$'\n'
    local -
    set -f
    # shellcheck disable=SC2207
    COMPREPLY=($(command {{quick}} __complete bash -- "${COMP_LINE:0:COMP_POINT}" "${2-}" "${COMP_TYPE-}"))
    if [[ ${COMPREPLY[0]-} == _* ]]; then
        COMPREPLY=("${COMPREPLY[@]#_}")
    fi
}
complete -F __badge_complete_{{cmd_ident}} -- {{cmd}}
