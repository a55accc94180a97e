# badge shell integration for bash. Load it from ~/.bashrc with:
#
#   eval "$(badge init bash)"
#
# `{{cmd}}` switches this shell's AWS_PROFILE; other subcommands run as they
# are. Profile names only ever reach the shell as single-quoted data.

{{cmd}}() {
    case "${1-}" in
        {{passthrough_bash}})
            command badge "$@"
            return
            ;;
    esac
    local __badge_code __badge_status
    __badge_code="$(__BADGE_SHELL=bash __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" command badge "$@")"
    __badge_status=$?
    if [ "$__badge_status" -eq 0 ] && [ -n "$__badge_code" ]; then
        eval "$__badge_code"
    fi
    return "$__badge_status"
}
#@if prompt

# Prompt segment: plain parameter expansion, so rendering starts no process,
# and the value is never expanded again, whatever the profile is called.
# shellcheck disable=SC2016 # the segment is literal on purpose
case "${PS1-}" in
    *'${AWS_PROFILE:+(aws:${AWS_PROFILE}) }'*) ;;
    *) PS1='${AWS_PROFILE:+(aws:${AWS_PROFILE}) }'"${PS1-}" ;;
esac
#@end

{{completion}}
