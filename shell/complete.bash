# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
# One candidate a line, already escaped for bash. `$(...)` reads the pipe in
# blocks, where `mapfile` reads it one byte per read(2).
__badge_complete_{{cmd_ident}}() {
    local IFS=$'\n'
    local -
    set -f
    # shellcheck disable=SC2207
    COMPREPLY=($(command badge __complete bash -- "${COMP_LINE:0:COMP_POINT}" "${2-}"))
}
complete -F __badge_complete_{{cmd_ident}} -- {{cmd}}
