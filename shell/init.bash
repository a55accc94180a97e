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
            __BADGE_INIT=bash __BADGE_CMD={{cmd}} command badge "$@"
            return
            ;;
    esac
    local __badge_code __badge_status __badge_tty=
    # What badge prints here is captured; it colours it for the terminal
    # the function's output goes to (`badge sync --dry-run`).
    [ -t 1 ] && __badge_tty=1
    # The prompt's stamp, if the prompt segment is loaded: now, before badge
    # reads the login this shell's prompt shows.
    if [[ -n "${__badge_stamp_dir-}" && -d "$__badge_stamp_dir" ]]; then
        : 2>/dev/null >|"$__badge_stamp_dir/$$"
    fi
    __badge_code="$(__BADGE_SHELL=bash __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" __BADGE_STDOUT_TTY="$__badge_tty" __BADGE_CMD={{cmd}} command badge "$@")"
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
#
# The mark follows logins, logouts and refreshes made by other processes:
# they replace or remove the token cache file, __badge_token_file, which
# changes its time or its folder's. The function touches this shell's stamp
# (an empty file named after $$) just before badge reads the login, so a
# cache file or folder newer than the stamp (`-nt`, a builtin, to the
# nanosecond) has changed since: then, and only then, badge is asked once.
{{stamp_dir}}
__badge_prompt_hook() {
    local __badge_status=$?
    if [[ -n "${__badge_token_file-}" && -n "${__badge_stamp_dir-}" &&
        "${AWS_PROFILE-}" == "${__badge_expires_for-}" && -e "$__badge_stamp_dir/$$" ]] &&
        [[ "$__badge_token_file" -nt "$__badge_stamp_dir/$$" ||
            "${__badge_token_file%/*}" -nt "$__badge_stamp_dir/$$" ]]; then
        __badge_ask_mark
    fi
    __badge_mark=
    if [[ -n "${AWS_PROFILE-}" && "${AWS_PROFILE}" == "${__badge_expires_for-}" ]] &&
        (( ${__badge_expires:-0} == 1 || (${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} >= ${__badge_expires:-0}) )); then
        __badge_mark=" ${__badge_mark_word:-expired}"
    fi
    return "$__badge_status"
}
# Touched first, so the next prompt asks again only for a further change; a
# stamp that cannot be touched ends the watch.
__badge_ask_mark() {
    if ! : 2>/dev/null >|"$__badge_stamp_dir/$$"; then
        unset __badge_token_file
        return
    fi
    local __badge_code
    __badge_code="$(__BADGE_SHELL=bash command badge __prompt)" && eval "$__badge_code"
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
