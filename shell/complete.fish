# Completion for `{{cmd}}`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
complete --command {{cmd}} --erase
complete --command {{cmd}} --no-files --keep-order --arguments '(command badge __complete fish -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token --cut-at-cursor))'
