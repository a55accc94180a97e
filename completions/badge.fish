# Completion for `badge`: subcommands, flags, sso-sessions and profile
# names, read from the AWS config by the binary when Tab is pressed.
complete --command badge --erase
complete --command badge --no-files --keep-order --arguments '(command badge __complete fish -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token --cut-at-cursor))'
