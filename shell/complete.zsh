#compdef {{cmd}}
# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
__badge_complete_{{cmd_ident}}() {
    local -a __badge_lines __badge_values __badge_shown
    local __badge_line __badge_open=${compstate[quote]-}
    # In a quoted word PREFIX is the text after the opening quote, in that
    # quote's syntax (`'a'\''b`): close the quote again to unquote it.
    local __badge_prefix=$__badge_open$PREFIX${__badge_open#\$}
    __badge_lines=("${(@f)$(command badge __complete zsh -- "${(@Q)words[1,CURRENT-1]}" "${(Q)__badge_prefix}")}")
    # Each line is `VALUE<tab>SHOWN`; only VALUE may hold a tab, and SHOWN
    # has its control characters made visible by the binary.
    for __badge_line in "${__badge_lines[@]}"; do
        [[ "$__badge_line" == *$'\t'* ]] || continue
        __badge_values+=("${__badge_line%$'\t'*}")
        __badge_shown+=("${__badge_line##*$'\t'}")
    done
    (( ${#__badge_values} )) && compadd -l -d __badge_shown -a __badge_values
}
if [[ "${funcstack[1]-}" == _{{cmd}} ]]; then
    # Autoloaded from $fpath by compinit (`badge completions zsh`): complete.
    __badge_complete_{{cmd_ident}} "$@"
elif (( $+functions[compdef] )); then
    compdef __badge_complete_{{cmd_ident}} {{cmd}}
fi
