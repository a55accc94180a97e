# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
# The token being completed as fish reads it, quotes and escapes removed,
# like the tokens before it; empty when it ends in an unfinished escape.
function __badge_complete_token
    set -l raw (commandline --current-token --cut-at-cursor)
    set -l token (string unescape -- "$raw")
    or set token ''
    printf '%s\n' "$token"
end
complete --command {{cmd}} --erase
complete --command {{cmd}} --no-files --keep-order --arguments '(command {{quick}} __complete fish -- (commandline --current-process --tokenize --cut-at-cursor) (__badge_complete_token))'
