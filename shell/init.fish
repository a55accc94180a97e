# badge shell integration for fish. Load it from ~/.config/fish/config.fish with:
#
#   badge init fish | source
#
# `{{cmd}}` switches this shell's AWS_PROFILE; other subcommands run as they
# are. Profile names only ever reach the shell as single-quoted data.

function {{cmd}} --description 'Switch AWS profiles (badge)'
    switch "$argv[1]"
        # `-v`/`--verbose` first: decide on the words after it.
        case -v --verbose
            set -e argv[1]
            BADGE_LOG=1 {{cmd}} $argv
            return $status
        case allow deny
            __BADGE_INIT=fish __BADGE_CMD={{cmd}} command badge $argv
            set -l __badge_status $status
            # The next prompt looks at the folder's .aws-profile again (after
            # a deny, badge has just said what there is to say about it).
            set -e -g __badge_dir_file
            test "$argv[1]" = deny; or set -e -g __badge_dir_seen
            return $__badge_status
        case {{passthrough_fish}}
            # Marks the run as coming from this function, for `badge doctor`.
            __BADGE_INIT=fish __BADGE_CMD={{cmd}} command badge $argv
            return $status
    end
    # What badge prints here is evaluated; it colours it for the terminal
    # the function's output goes to (`badge sync --dry-run`).
    set -l __badge_tty
    if isatty stdout
        set __badge_tty 1
    end
    set -l __badge_prev
    if set -q __badge_previous
        set __badge_prev "=$__badge_previous"
    end
    # The prompt's stamp, if the prompt segment is loaded: now, before badge
    # reads the login this shell's prompt shows.
    if set -q __badge_stamp_dir[1]; and test -n "$__badge_stamp_dir" -a -d "$__badge_stamp_dir"
        true 2>/dev/null >"$__badge_stamp_dir/$fish_pid"
    end
    # A pipe, not a command substitution: fish does not apply the caller's
    # redirections (`badge x 2>/dev/null`) to a command substitution.
    __BADGE_SHELL=fish __BADGE_PREVIOUS=$__badge_prev __BADGE_STDOUT_TTY=$__badge_tty __BADGE_CMD={{cmd}} command {{quick}} $argv | source
    return $pipestatus[1]
end
#@if prompt

# Prompt segment: the user's fish_prompt runs after ours, with the last
# status restored; only builtins run, so rendering starts no process. fish
# has no clock without a process, so an expired login (or none: `signed
# out`) is the verdict badge gave when it last ran (`__badge_expired`,
# `__badge_mark_word`). A login with less than 15 minutes left shows them
# (`9m`), from the expiry badge left and a clock of builtins.
#
# The mark follows logins, logouts and refreshes made by other processes:
# they replace or remove the token cache file, __badge_token_file, which
# changes its time or its folder's. The function touches this shell's stamp
# (an empty file named after $fish_pid) just before badge reads the login,
# so a cache file or folder newer than the stamp (`test -nt`, a builtin, to
# the nanosecond) has changed since: then, and only then, badge is asked
# once for the new verdict.
{{stamp_dir}}
# Touched first, so the next prompt asks again only for a further change; a
# stamp that cannot be touched ends the watch.
function __badge_ask_mark
    if not true 2>/dev/null >"$__badge_stamp_dir/$fish_pid"
        set -e -g __badge_token_file
        return
    end
    __BADGE_SHELL=fish command {{quick}} __prompt | source
end
# Under 15 minutes left: ` 9m` (minutes rounded up). fish has no clock
# variable, but its `path` builtin (fish 3.5 and later) tells a file's time
# and how long ago that was, which add up to now; without it, nothing.
function __badge_time_left
    string match -qr '^[0-9]+$' -- "$argv[1]"; or return
    test "$argv[1]" -gt 1; or return
    builtin -q path; or return
    set -l __badge_then (builtin path mtime / 2>/dev/null); or return
    set -l __badge_ago (builtin path mtime --relative / 2>/dev/null); or return
    set -l __badge_left (math "$argv[1] - $__badge_then - $__badge_ago")
    if test "$__badge_left" -le 0
        # Run out since badge last said: the clock says expired, as the
        # mark of bash and zsh does.
        if set -q __badge_mark_word[1]
            printf ' %s' $__badge_mark_word[1]
        else
            printf ' expired'
        end
    else if test "$__badge_left" -lt 900
        printf ' %sm' (math "ceil($__badge_left / 60)")
    end
end
if not functions -q __badge_user_fish_prompt
    if functions -q fish_prompt
        functions -c fish_prompt __badge_user_fish_prompt
    else
        function __badge_user_fish_prompt
        end
    end
    function __badge_restore_status
        return $argv[1]
    end
    function fish_prompt
        set -l __badge_last_status $status
        if set -q __badge_token_file[1]; and test -n "$__badge_stamp_dir"
            and test "$AWS_PROFILE" = "$__badge_expires_for"
            and test -e "$__badge_stamp_dir/$fish_pid"
            set -l __badge_stamp "$__badge_stamp_dir/$fish_pid"
            set -l __badge_cache_dir (string replace -r '/[^/]*$' '' -- "$__badge_token_file")
            if test "$__badge_token_file" -nt "$__badge_stamp"
                or test "$__badge_cache_dir" -nt "$__badge_stamp"
                __badge_ask_mark
            end
        end
        if test -n "$AWS_PROFILE"
            set -l __badge_mark
            if set -q __badge_expired; and test "$AWS_PROFILE" = "$__badge_expires_for"
                set __badge_mark ' expired'
                if set -q __badge_mark_word[1]
                    set __badge_mark " $__badge_mark_word[1]"
                end
            else if test "$AWS_PROFILE" = "$__badge_expires_for"; and set -q __badge_expires[1]
                set __badge_mark (__badge_time_left $__badge_expires[1])
            end
            # Control characters show as `?`: the terminal must not obey a name.
            printf '(aws:%s%s) ' (string replace -ra '[\x00-\x1f\x7f-\x9f]' '?' -- "$AWS_PROFILE") "$__badge_mark"
        end
        __badge_restore_status $__badge_last_status
        __badge_user_fish_prompt
    end
end
#@end

# Per-directory profiles: on `cd` (the PWD event) and before each prompt
# (the fish_prompt event, for a file edited in place), a hook walks up from
# $PWD to the nearest .aws-profile with builtins (`test -f`, `string`), and
# asks badge (`badge __dir FILE`) only when that file is another than last
# time, or newer than this shell's stamp, or its folder is (a file renamed
# into place); or, with no file, when a directory profile is to be undone.
# Otherwise no process starts. What badge prints is the same switch as
# `badge NAME`, names quoted as data; the file's text never reaches the
# shell otherwise.
{{dir_stamps}}
function __badge_dir_hook --on-variable PWD --on-event fish_prompt
    set -l __badge_d (string replace -r '/$' '' -- "$PWD")
    set -l __badge_f ''
    while true
        if test -f "$__badge_d/.aws-profile"
            set __badge_f "$__badge_d/.aws-profile"
            break
        end
        test -z "$__badge_d"; and break
        set __badge_d (string replace -r '/[^/]*$' '' -- "$__badge_d")
    end
    set -l __badge_known ''
    if set -q __badge_dir_file[1]
        set __badge_known "$__badge_dir_file[1]"
    end
    set -l __badge_s "$__badge_dir_stamps/$fish_pid"
    if test "$__badge_f" != "$__badge_known"
        if test -z "$__badge_f"; and not set -q __BADGE_DIR_PREV
            set -g __badge_dir_file ''
            set -e -g __badge_dir_seen
        else
            __badge_ask_dir "$__badge_f"
        end
    else if test -n "$__badge_f"; and test -n "$__badge_dir_stamps"; and test -e "$__badge_s"
        if test "$__badge_f" -nt "$__badge_s"; or test "$__badge_d" -nt "$__badge_s"
            __badge_ask_dir "$__badge_f"
        end
    end
end
# The stamp first, so a change made while badge reads is seen next time.
function __badge_ask_dir
    set -g __badge_dir_file "$argv[1]"
    if test -n "$__badge_dir_stamps" -a -d "$__badge_dir_stamps"
        true 2>/dev/null >"$__badge_dir_stamps/$fish_pid"
    end
    set -l __badge_prev
    if set -q __badge_previous
        set __badge_prev "=$__badge_previous"
    end
    set -l __badge_seen ''
    if set -q __badge_dir_seen[1]
        set __badge_seen "$__badge_dir_seen[1]"
    end
    __BADGE_SHELL=fish __BADGE_PREVIOUS=$__badge_prev __BADGE_DIR_SEEN=$__badge_seen __BADGE_CMD={{cmd}} command {{quick}} __dir "$argv[1]" | source
end

{{completion}}
