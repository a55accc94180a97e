# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
__badge_complete_{{cmd_ident}}() {
    local IFS=$'\n'
    mapfile -t COMPREPLY < <(command badge __complete bash -- "${COMP_LINE:0:COMP_POINT}" "${2-}")
}
complete -F __badge_complete_{{cmd_ident}} -- {{cmd}}
