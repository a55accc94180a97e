# badge shell integration for zsh. Load it from ~/.zshrc with:
#
#   eval "$(badge init zsh)"
#
# `{{cmd}}` switches this shell's AWS_PROFILE; other subcommands run as they
# are. Profile names only ever reach the shell as single-quoted data.

{{cmd}}() {
    # zsh's own options here, whatever the user set (KSH_ARRAYS, RC_QUOTES…).
    emulate -L zsh
    case "${1-}" in
        # `-v`/`--verbose` first: decide on the words after it.
        (-v|--verbose)
            shift
            BADGE_LOG=1 {{cmd}} "$@"
            return
            ;;
        (allow|deny)
            __BADGE_INIT=zsh __BADGE_CMD={{cmd}} command badge "$@"
            local __badge_status=$?
            # The next prompt looks at the folder's .aws-profile again (after
            # a deny, badge has just said what there is to say about it).
            unset __badge_dir_file
            [[ "$1" == deny ]] || unset __badge_dir_seen
            return $__badge_status
            ;;
        ({{passthrough_bash}})
            # Marks the run as coming from this function, for `badge doctor`.
            __BADGE_INIT=zsh __BADGE_CMD={{cmd}} command badge "$@"
            return
            ;;
    esac
    local __badge_code __badge_status __badge_tty=
    # What badge prints here is captured; it colours it for the terminal
    # the function's output goes to (`badge sync --dry-run`).
    [[ -t 1 ]] && __badge_tty=1
    # The prompt's stamp, if the prompt segment is loaded: now, before badge
    # reads the login this shell's prompt shows.
    if [[ -n "${__badge_stamp_dir-}" && -d "$__badge_stamp_dir" ]]; then
        { : >|"$__badge_stamp_dir/$$" } 2>/dev/null
    fi
    __badge_code="$(__BADGE_SHELL=zsh __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" __BADGE_STDOUT_TTY="$__badge_tty" __BADGE_CMD={{cmd}} command {{quick}} "$@")"
    __badge_status=$?
    if (( __badge_status == 0 )) && [[ -n "$__badge_code" ]]; then
        eval "$__badge_code"
    fi
    return $__badge_status
}
#@if prompt

# Prompt segment: precmd copies AWS_PROFILE into psvar, and `%19v` prints it
# as text, so rendering starts no process and never expands the value, even
# with PROMPT_SUBST set. psvar[18] marks a login that has expired, or that
# there is none, with the word badge left in __badge_mark_word (`%18v`, text
# too), and one with less than 15 minutes left shows them (`9m`); the clock
# is zsh/datetime's EPOCHSECONDS, a module, not a process.
#
# The mark follows logins, logouts and refreshes made by other processes:
# they replace or remove the token cache file, __badge_token_file, which
# changes its time or its folder's. The function touches this shell's stamp
# (an empty file named after $$) just before badge reads the login, so a
# cache file or folder newer than the stamp (`-nt`, a builtin, to the
# nanosecond) has changed since: then, and only then, badge is asked once.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
{{stamp_dir}}
# Touched first, so the next prompt asks again only for a further change; a
# stamp that cannot be touched ends the watch.
__badge_ask_mark() {
    emulate -L zsh
    if ! { : >|"$__badge_stamp_dir/$$" } 2>/dev/null; then
        unset __badge_token_file
        return
    fi
    local __badge_code
    __badge_code="$(__BADGE_SHELL=zsh command {{quick}} __prompt)" && eval "$__badge_code"
}
__badge_precmd() {
    emulate -L zsh
    if [[ -n "${__badge_token_file-}" && -n "${__badge_stamp_dir-}" &&
        "${AWS_PROFILE-}" == "${__badge_expires_for-}" && -e "$__badge_stamp_dir/$$" ]] &&
        [[ "$__badge_token_file" -nt "$__badge_stamp_dir/$$" ||
            "${__badge_token_file%/*}" -nt "$__badge_stamp_dir/$$" ]]; then
        __badge_ask_mark
    fi
    psvar[19]="${AWS_PROFILE-}"
    psvar[18]=''
    if [[ -n "${AWS_PROFILE-}" && "${AWS_PROFILE}" == "${__badge_expires_for-}" ]]; then
        if (( ${__badge_expires:-0} == 1 || (${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} >= ${__badge_expires:-0}) )); then
            psvar[18]="${__badge_mark_word:-expired}"
        elif (( ${__badge_expires:-0} > 1 && ${EPOCHSECONDS:-0} > 0 &&
            ${__badge_expires:-0} - ${EPOCHSECONDS:-0} < 900 )); then
            # Under 15 minutes left: the minutes, rounded up (arithmetic, no process).
            psvar[18]="$(( (${__badge_expires:-0} - ${EPOCHSECONDS:-0} + 59) / 60 ))m"
        fi
    fi
}
typeset -ga precmd_functions
precmd_functions=(${precmd_functions:#__badge_precmd} __badge_precmd)
if [[ "${PROMPT-}" != *'%(19V.(aws:%19v'* ]]; then
    PROMPT='%(19V.(aws:%19v%(18V. %18v.)) .)'"${PROMPT-}"
fi
#@end

# Per-directory profiles: on `cd` (chpwd) and before each prompt (precmd,
# for a file edited in place), a hook walks up from $PWD to the nearest
# .aws-profile with builtins (`[[ -f ]]` and parameter expansion), and asks
# badge (`badge __dir FILE`) only when that file is another than last time,
# or newer than this shell's stamp, or its folder is (a file renamed into
# place); or, with no file, when a directory profile is to be undone.
# Otherwise no process starts. What badge prints is the same switch as
# `badge NAME`, names quoted as data; the file's text never reaches the
# shell otherwise.
{{dir_stamps}}
__badge_dir_hook() {
    local __badge_status=$?
    emulate -L zsh
    local __badge_d=${PWD%/} __badge_f=
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
            typeset -g __badge_dir_file=
            unset __badge_dir_seen
        else
            __badge_ask_dir "$__badge_f"
        fi
    elif [[ -n "$__badge_f" && -n "${__badge_dir_stamps-}" && -e "$__badge_s" &&
        ("$__badge_f" -nt "$__badge_s" || "$__badge_d" -nt "$__badge_s") ]]; then
        __badge_ask_dir "$__badge_f"
    fi
    return $__badge_status
}
# The stamp first, so a change made while badge reads is seen next time.
__badge_ask_dir() {
    emulate -L zsh
    typeset -g __badge_dir_file=$1
    if [[ -n "${__badge_dir_stamps-}" && -d "$__badge_dir_stamps" ]]; then
        { : >|"$__badge_dir_stamps/$$" } 2>/dev/null
    fi
    local __badge_code
    __badge_code="$(__BADGE_SHELL=zsh __BADGE_PREVIOUS="${__badge_previous+=$__badge_previous}" __BADGE_DIR_SEEN="${__badge_dir_seen-}" __BADGE_CMD={{cmd}} command {{quick}} __dir "$1")" &&
        eval "$__badge_code"
}
typeset -ga chpwd_functions precmd_functions
chpwd_functions=(${chpwd_functions:#__badge_dir_hook} __badge_dir_hook)
# First, so that the prompt shows the profile the folder chose.
precmd_functions=(__badge_dir_hook ${precmd_functions:#__badge_dir_hook})

{{completion}}
