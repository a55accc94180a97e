#compdef {{cmd}}
# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
__badge_complete_{{cmd_ident}}() {
    local -a __badge_lines __badge_values __badge_shown
    local __badge_line __badge_group=
    local __badge_open=${compstate[quote]-}
    # In a quoted word PREFIX is the text after the opening quote, in that
    # quote's syntax (`'a'\''b`): close the quote again to unquote it.
    local __badge_prefix=$__badge_open$PREFIX${__badge_open#\$}
    __badge_lines=("${(@f)$(command {{quick}} __complete zsh -- "${(@Q)words[1,CURRENT-1]}" "${(Q)__badge_prefix}")}")
    # A line with no tab names the group of the lines after it, each
    # `VALUE<tab>SHOWN`; only VALUE may hold a tab, and SHOWN has its
    # control characters made visible and its description lined up by the
    # binary. The binary has matched them as a switch does (in any case, or
    # in the middle of a name), so zsh takes them as they are (-U); each
    # group is listed under its name. The empty line at the end adds the
    # last group.
    for __badge_line in "${__badge_lines[@]}" ''; do
        if [[ "$__badge_line" != *$'\t'* ]]; then
            if (( ${#__badge_values} )); then
                compadd -U -J "$__badge_group" -X "${__badge_group//\%/%%}" -l -d __badge_shown -a __badge_values
            fi
            __badge_values=() __badge_shown=() __badge_group=$__badge_line
            continue
        fi
        __badge_values+=("${__badge_line%$'\t'*}")
        __badge_shown+=("${__badge_line##*$'\t'}")
    done
    # Taken as they are, several matches would have zsh put in their common
    # start even where that drops what was typed (`alpha` becomes `dev-` for
    # dev-alpha and dev-beta-alpha): then it changes nothing and lists them.
    if (( compstate[nmatches] > 1 )) && [[ "${(L)compstate[unambiguous]}" != "${(L)PREFIX}"* ]]; then
        compstate[insert]=
    fi
}
if [[ "${funcstack[1]-}" == _{{cmd}} ]]; then
    # Autoloaded from $fpath by compinit (`badge completions zsh`): complete.
    __badge_complete_{{cmd_ident}} "$@"
elif (( $+functions[compdef] )); then
    compdef __badge_complete_{{cmd_ident}} {{cmd}}
fi
