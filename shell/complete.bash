# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
# One candidate a line, quoted for bash as the word was typed so far, after
# a `_` that keeps an empty line from vanishing in the split. `$(...)` reads
# the pipe in blocks, where `mapfile` reads it one byte per read(2).
__badge_complete_{{cmd_ident}}() {
    local IFS=$'\n'
    local -
    set -f
    # shellcheck disable=SC2207
    COMPREPLY=($(command badge __complete bash -- "${COMP_LINE:0:COMP_POINT}" "${2-}"))
    COMPREPLY=("${COMPREPLY[@]#_}")
}
complete -F __badge_complete_{{cmd_ident}} -- {{cmd}}
