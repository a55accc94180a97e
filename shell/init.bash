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
        allow|deny)
            __BADGE_INIT=bash __BADGE_CMD={{cmd}} command badge "$@"
            local __badge_status=$?
            # The next prompt looks at the folder's .aws-profile again (after
            # a deny, badge has just said what there is to say about it).
            unset __badge_dir_file
            [[ "$1" == deny ]] || unset __badge_dir_seen
            return "$__badge_status"
            ;;
        {{passthrough_bash}})
            # Marks the run as coming from this function, for `badge doctor`.
            __BADGE_INIT=bash __BADGE_CMD={{cmd}} command badge "$@"
            return
            ;;
    esac
    local __badge_code __badge_status __badge_tty=
    # A `cd` earlier on this command line (`cd ~ && {{cmd}} dev`) first, as
    # the next prompt would see it: the switch comes after it, and that
    # prompt finds nothing to undo. Builtins only, unless the folder's
    # .aws-profile changed.
    __badge_dir_hook
    # What badge prints here is captured; it colours it for the terminal
    # the function's output goes to (`badge sync --dry-run`).
    [ -t 1 ] && __badge_tty=1
    # The prompt's stamp, if the prompt segment is loaded: now, before badge
    # reads the login this shell's prompt shows.
    if [[ -n "${__badge_stamp_dir-}" && -d "$__badge_stamp_dir" ]]; then
        : 2>/dev/null >|"$__badge_stamp_dir/$$"
    fi
    __badge_code="$(__BADGE_SHELL=bash __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" __BADGE_STDOUT_TTY="$__badge_tty" __BADGE_CMD={{cmd}} command {{quick}} "$@")"
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
# that there is none (`signed out`): the word badge left in __badge_mark_word;
# one with less than 15 minutes left shows them (`9m`), from $EPOCHSECONDS.
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
    if [[ -n "${AWS_PROFILE-}" && "${AWS_PROFILE}" == "${__badge_expires_for-}" ]]; then
        if (( ${__badge_expires:-0} == 1 || (${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} >= ${__badge_expires:-0}) )); then
            __badge_mark=" ${__badge_mark_word:-expired}"
        elif (( ${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} > 0 &&
            ${__badge_expires:-0} - ${EPOCHSECONDS:-0} < 900 )); then
            # Under 15 minutes left: the minutes, rounded up (arithmetic, no process).
            __badge_mark=" $(( (${__badge_expires:-0} - ${EPOCHSECONDS:-0} + 59) / 60 ))m"
        fi
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
    __badge_code="$(__BADGE_SHELL=bash command {{quick}} __prompt)" && eval "$__badge_code"
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

# Per-directory profiles: before each prompt, a hook walks up from $PWD to
# the nearest .aws-profile with builtins (`[[ -f ]]` and parameter
# expansion), and asks badge (`badge __dir FILE`) only when that file is
# another than last time, or newer than this shell's stamp, or its folder
# is (a file renamed into place); or, with no file, when a directory
# profile is to be undone. Otherwise no process starts. What badge prints
# is the same switch as `badge NAME`, names quoted as data; the file's text
# never reaches the shell otherwise.
{{dir_stamps}}
__badge_dir_hook() {
    local __badge_status=$? __badge_d=${PWD%/} __badge_f=
    while :; do
        if [[ -f "$__badge_d/.aws-profile" ]]; then
            __badge_f=$__badge_d/.aws-profile
            break
        fi
        [[ -z "$__badge_d" ]] && break
        __badge_d=${__badge_d%/*}
    done
    local __badge_s="${__badge_dir_stamps-}/$$"
    if [[ "$__badge_f" != "${__badge_dir_file-}" ]]; then
        if [[ -z "$__badge_f" && -z "${__BADGE_DIR_PREV+set}" ]]; then
            __badge_dir_file=
            unset __badge_dir_seen
        else
            __badge_ask_dir "$__badge_f"
        fi
    elif [[ -n "$__badge_f" && -n "${__badge_dir_stamps-}" && -e "$__badge_s" &&
        ("$__badge_f" -nt "$__badge_s" || "$__badge_d" -nt "$__badge_s") ]]; then
        __badge_ask_dir "$__badge_f"
    fi
    return "$__badge_status"
}
# The stamp first, so a change made while badge reads is seen next time.
__badge_ask_dir() {
    __badge_dir_file=$1
    if [[ -n "${__badge_dir_stamps-}" && -d "$__badge_dir_stamps" ]]; then
        : 2>/dev/null >|"$__badge_dir_stamps/$$"
    fi
    local __badge_code
    __badge_code="$(__BADGE_SHELL=bash __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" __BADGE_DIR_SEEN="${__badge_dir_seen-}" __BADGE_CMD={{cmd}} command {{quick}} __dir "$1")" &&
        eval "$__badge_code"
}
# First, so that the prompt shows the profile the folder chose.
if [[ -n "${PROMPT_COMMAND+set}" && "${PROMPT_COMMAND@a}" == *a* ]]; then
    case " ${PROMPT_COMMAND[*]} " in
        *" __badge_dir_hook "*) ;;
        *) PROMPT_COMMAND=(__badge_dir_hook "${PROMPT_COMMAND[@]}") ;;
    esac
else
    # shellcheck disable=SC2128,SC2178 # here PROMPT_COMMAND is a string
    case ";${PROMPT_COMMAND-};" in
        *";__badge_dir_hook;"*) ;;
        *) PROMPT_COMMAND="__badge_dir_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
    esac
fi

{{completion}}
