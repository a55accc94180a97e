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
    __BADGE_SHELL=fish __BADGE_PREVIOUS=$__badge_prev __BADGE_STDOUT_TTY=$__badge_tty __BADGE_CMD={{cmd}} command badge $argv | source
    return $pipestatus[1]
end
#@if prompt

# Prompt segment: the user's fish_prompt runs after ours, with the last
# status restored; only builtins run, so rendering starts no process. fish
# has no clock without a process, so an expired login (or none: `signed
# out`) is the verdict badge gave when it last ran (`__badge_expired`,
# `__badge_mark_word`).
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
    __BADGE_SHELL=fish command badge __prompt | source
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
            end
            # Control characters show as `?`: the terminal must not obey a name.
            printf '(aws:%s%s) ' (string replace -ra '[\x00-\x1f\x7f-\x9f]' '?' -- "$AWS_PROFILE") "$__badge_mark"
        end
        __badge_restore_status $__badge_last_status
        __badge_user_fish_prompt
    end
end
#@end

{{completion}}
