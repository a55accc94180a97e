# badge shell integration for bash. Load it from ~/.bashrc with:
#
#   eval "$(badge init bash)"
#
# `{{cmd}}` switches this shell's AWS_PROFILE; other subcommands run as they
# are. Profile names only ever reach the shell as single-quoted data.

{{cmd}}() {
    case "${1-}" in
        # `-v`/`--verbose` first: decide on the words after it.
        -v|--verbose)
            shift
            BADGE_LOG=1 {{cmd}} "$@"
            return
            ;;
        {{passthrough_bash}})
            # Marks the run as coming from this function, for `badge doctor`.
            __BADGE_INIT=bash command badge "$@"
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
# and the value is never expanded again, whatever the profile is called. Its
# control characters show as `?`: the terminal must not obey a name.
# A hook (builtins only, keeping `$?`) marks a login that has expired, or
# that there is none (`signed out`): the word badge left in __badge_mark_word.
__badge_prompt_hook() {
    local __badge_status=$?
    __badge_mark=
    if [[ -n "${AWS_PROFILE-}" && "${AWS_PROFILE}" == "${__badge_expires_for-}" ]] &&
        (( ${__badge_expires:-0} == 1 || (${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} >= ${__badge_expires:-0}) )); then
        __badge_mark=" ${__badge_mark_word:-expired}"
    fi
    return "$__badge_status"
}
if [[ -n "${PROMPT_COMMAND+set}" && "${PROMPT_COMMAND@a}" == *a* ]]; then
    case " ${PROMPT_COMMAND[*]} " in
        *" __badge_prompt_hook "*) ;;
        *) PROMPT_COMMAND=(__badge_prompt_hook "${PROMPT_COMMAND[@]}") ;;
    esac
else
    # shellcheck disable=SC2128,SC2178 # here PROMPT_COMMAND is a string
    case ";${PROMPT_COMMAND-};" in
        *";__badge_prompt_hook;"*) ;;
        *) PROMPT_COMMAND="__badge_prompt_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
    esac
fi
# shellcheck disable=SC2016 # the segment is literal on purpose
case "${PS1-}" in
    *'${AWS_PROFILE:+(aws:${AWS_PROFILE//[[:cntrl:]]/?}${__badge_mark-}) }'*) ;;
    *) PS1='${AWS_PROFILE:+(aws:${AWS_PROFILE//[[:cntrl:]]/?}${__badge_mark-}) }'"${PS1-}" ;;
esac
#@end

{{completion}}
