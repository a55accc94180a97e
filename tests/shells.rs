//! The shell integration, run in real bash, zsh and fish: each test writes a
//! config into a temporary HOME, evaluates `badge init` in a
//! non-interactive shell that reads no rc file, runs a script, and compares
//! what it printed. Interactive behaviour (Tab, the picker) is in
//! `tests/tmux.rs`.

mod support;

use support::{CONFIG, Sandbox, Shell, require, run, run_shell};

per_shell!(
    init_twice_is_harmless,
    init_leaves_no_output_and_no_stray_state,
    switch_by_exact_name_prefix_and_substring,
    big_config_switches_like_a_small_one,
    switch_exports_for_child_processes,
    switch_to_credentials_only_profile,
    aws_config_file_is_honoured,
    dash_toggles_and_off_unsets,
    dash_returns_to_profile_set_outside_badge,
    dash_without_history_fails,
    unknown_name_fails_and_changes_nothing,
    mistyped_subcommand_is_suggested,
    stderr_of_the_function_can_be_redirected,
    ambiguous_name_without_terminal_lists_candidates,
    bare_badge_without_terminal_fails,
    passthrough_keeps_stdout_and_exit_codes,
    help_and_version_through_the_function,
    prompt_shows_profile_without_starting_a_process,
    prompt_keeps_last_status,
    prompt_marks_an_expired_login,
    prompt_shows_the_time_left_under_fifteen_minutes,
    prompt_follows_the_token_cache_of_other_processes,
    no_prompt_leaves_prompt_identical,
    switch_removes_static_keys_and_says_so_once,
    switch_removes_aws_default_profile_and_says_so_once,
    without_integration_switching_prints_init_line,
    custom_cmd_name,
    custom_cmd_name_with_dash,
    custom_cmd_name_of_the_shell_s_own_words,
    custom_cmd_name_in_messages,
    works_under_nounset,
    hostile_profile_names_are_data,
    static_check_init_and_completion_scripts,
);

/// A script for `shell`: the init line, then `body`. Prompts are set to a
/// known value first so the badge segment is easy to see.
fn script(shell: Shell, body: &str) -> String {
    let prompt = match shell {
        Shell::Bash => "PS1='P> '",
        Shell::Zsh => "PROMPT='P> '",
        Shell::Fish => "function fish_prompt; printf 'P> '; end",
    };
    format!("{prompt}\n{}\n{body}", shell.init())
}

fn show_profile(shell: Shell) -> String {
    shell.show("AWS_PROFILE")
}

// 1. Evaluating the init twice changes nothing.

fn init_twice_is_harmless(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = match sh {
        Shell::Bash => format!(
            "{init}\nbadge dev-alpha\nprintf '%s\\n' \"$AWS_PROFILE\" \"${{PS1@P}}\" \"$PS1\"\n\
             complete -p badge",
            init = sh.init()
        ),
        Shell::Zsh => format!(
            "{init}\nbadge dev-alpha\n__badge_precmd\nprintf '%s\\n' \"$AWS_PROFILE\"\n\
             print -rP -- \"$PROMPT\"\nprint -r -- \"$PROMPT\"\nprint -r -- \"${{precmd_functions[@]}}\"",
            init = sh.init()
        ),
        Shell::Fish => format!(
            "{init}\nbadge dev-alpha\nprintf '%s\\n' \"$AWS_PROFILE\"\nfish_prompt\necho\n\
             complete --command badge | count",
            init = sh.init()
        ),
    };
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    let expected = match sh {
        Shell::Bash => "dev-alpha\n(aws:dev-alpha) P> \n${AWS_PROFILE:+(aws:${AWS_PROFILE//[[:cntrl:]]/?}${__badge_mark-}) }P> \n\
                        complete -F __badge_complete_badge badge\n"
            .to_owned(),
        Shell::Zsh => {
            // The directory hook comes first, once (`tests/dir_profiles.rs`).
            "dev-alpha\n(aws:dev-alpha) P> \n%(19V.(aws:%19v%(18V. %18v.)) .)P> \n\
             __badge_dir_hook __badge_precmd\n"
                .to_owned()
        }
        Shell::Fish => {
            // The completion is registered once: count its `complete` lines
            // from a single init.
            let once = run_shell(
                sh,
                &sandbox,
                &format!("{}\ncomplete --command badge | count", sh.init()),
            );
            once.assert_clean();
            format!("dev-alpha\n(aws:dev-alpha) P> \n{}", once.stdout)
        }
    };
    out.assert_clean().assert_stdout(&expected);
}

/// Evaluating the init prints nothing, complains about nothing, and sets
/// neither AWS_PROFILE nor the previous-profile memory.
fn init_leaves_no_output_and_no_stray_state(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    for flags in ["", "--no-prompt", "--cmd awsp", "--cmd aws-p --no-prompt"] {
        let body = format!(
            "{}\n{}\n{}",
            sh.init_with(flags),
            show_profile(sh),
            sh.show("__badge_previous")
        );
        run_shell(sh, &sandbox, &body)
            .assert_clean()
            .assert_stdout("AWS_PROFILE unset\n__badge_previous unset\n");
    }
}

// 2. Matching.

fn switch_by_exact_name_prefix_and_substring(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let p = show_profile(sh);
    let body = format!(
        "badge dev-alpha\n{p}\n\
         badge use dev-beta\n{p}\n\
         badge dev-a\n{p}\n\
         badge ging\n{p}\n\
         badge prod\n{p}\n\
         badge use prod-r\n{p}\n\
         badge DEV-B\n{p}\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout(
        "AWS_PROFILE=[dev-alpha]\n\
         AWS_PROFILE=[dev-beta]\n\
         AWS_PROFILE=[dev-alpha]\n\
         AWS_PROFILE=[staging-eu]\n\
         AWS_PROFILE=[prod]\n\
         AWS_PROFILE=[prod-readonly]\n\
         AWS_PROFILE=[prod-readonly]\n",
    );
    // A prefix or substring match says what it chose; an exact name is
    // silent. `DEV-B` has an upper-case letter, so it is matched
    // case-sensitively and matches nothing.
    assert!(
        out.stderr.starts_with(
            "badge: dev-a → dev-alpha\nbadge: ging → staging-eu\nbadge: prod-r → prod-readonly\nbadge: "
        ),
        "{}",
        out.report()
    );
    assert!(out.stderr.contains("\"DEV-B\""), "{}", out.report());
    assert_eq!(out.stderr.lines().count(), 4, "{}", out.report());
}

/// A config of several hundred kilobytes is read piece by piece on a switch
/// (src/config/pieces.rs): the same profiles switch the same way, with the
/// real ones in the middle of the file, split across pieces, and the
/// closest names offered for an unknown one.
fn big_config_switches_like_a_small_one(sh: Shell) {
    let filler = |range: std::ops::Range<usize>| -> String {
        range
            .map(|i| format!("[profile zz-fill-{i:04}/Admin]\nsso_session = acme\nsso_account_id = {i:012}\nsso_role_name = Admin\n\n"))
            .collect()
    };
    let config = format!("{}{CONFIG}{}", filler(0..2000), filler(2000..4000));
    assert!(config.len() > 400_000);
    let sandbox = Sandbox::new(&config);
    let p = show_profile(sh);
    let st = sh.status();
    let body = format!(
        "badge dev-alpha\n{p}\n\
         badge dev-a\n{p}\n\
         badge ging\n{p}\n\
         badge use prod-r\n{p}\n\
         badge zz-fill-3999/Admin\n{p}\n\
         badge -\n{p}\n\
         badge dev; echo \"rc={st}\"\n\
         badge dev-alpah; echo \"rc={st}\"\n\
         badge __complete bash -- 'badge zz-fill-012' zz-fill-012 | wc -l\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    let stdout: Vec<&str> = out.stdout.lines().map(str::trim).collect();
    assert_eq!(
        stdout,
        [
            "AWS_PROFILE=[dev-alpha]",
            "AWS_PROFILE=[dev-alpha]",
            "AWS_PROFILE=[staging-eu]",
            "AWS_PROFILE=[prod-readonly]",
            "AWS_PROFILE=[zz-fill-3999/Admin]",
            "AWS_PROFILE=[prod-readonly]",
            "rc=1",
            "rc=1",
            "10",
        ],
        "{}",
        out.report()
    );
    assert!(
        out.stderr.contains("dev-alpha, dev-beta"),
        "{}",
        out.report()
    );
    assert!(out.stderr.contains("dev-alpha"), "{}", out.report());
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("\"dev-alpah\"") && last.contains("dev-alpha"),
        "{}",
        out.report()
    );
}

/// The profile reaches child processes (the AWS CLI is one), not only the
/// shell.
fn switch_exports_for_child_processes(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = format!(
        "badge staging-eu\ncommand printenv AWS_PROFILE\nbadge off\ncommand printenv AWS_PROFILE; echo \"rc={}\"",
        sh.status()
    );
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout("staging-eu\nrc=1\n");
}

/// Profiles that exist only in the credentials file switch too.
fn switch_to_credentials_only_profile(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    sandbox.write(
        ".aws/credentials",
        "[legacy-keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n",
    );
    let body = format!("badge legacy-keys\n{}", show_profile(sh));
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout("AWS_PROFILE=[legacy-keys]\n");
}

/// `$AWS_CONFIG_FILE` replaces `~/.aws/config`, as in the AWS CLI.
fn aws_config_file_is_honoured(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    let other = sandbox.write(
        "elsewhere/config",
        "[profile elsewhere-only]\nregion = eu-west-1\n",
    );
    sandbox.set_env("AWS_CONFIG_FILE", other);
    let body = format!(
        "badge dev-alpha; echo \"rc={}\"\nbadge elsewhere-only\n{}",
        sh.status(),
        show_profile(sh)
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout("rc=1\nAWS_PROFILE=[elsewhere-only]\n");
    assert!(out.stderr.contains("elsewhere/config"), "{}", out.report());
}

// 3. `badge -` and `badge off`.

fn dash_toggles_and_off_unsets(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let p = show_profile(sh);
    let body = format!(
        "badge dev-alpha\n{p}\n\
         badge -\n{p}\n\
         badge -\n{p}\n\
         badge prod\n{p}\n\
         badge -\n{p}\n\
         badge -\n{p}\n\
         badge off\n{p}\n\
         badge off\n{p}\n\
         badge -\n{p}\n\
         badge use -\n{p}\n"
    );
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout(
            "AWS_PROFILE=[dev-alpha]\n\
             AWS_PROFILE unset\n\
             AWS_PROFILE=[dev-alpha]\n\
             AWS_PROFILE=[prod]\n\
             AWS_PROFILE=[dev-alpha]\n\
             AWS_PROFILE=[prod]\n\
             AWS_PROFILE unset\n\
             AWS_PROFILE unset\n\
             AWS_PROFILE=[prod]\n\
             AWS_PROFILE unset\n",
        );
}

/// `badge -` goes back to a profile the shell had before badge touched it,
/// and switching to the active profile is not a move.
fn dash_returns_to_profile_set_outside_badge(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    sandbox.set_env("AWS_PROFILE", "prod");
    let p = show_profile(sh);
    let body = format!(
        "badge dev-alpha\nbadge -\n{p}\n\
         badge staging-eu\nbadge staging-eu\nbadge -\n{p}\n"
    );
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout("AWS_PROFILE=[prod]\nAWS_PROFILE=[prod]\n");
}

fn dash_without_history_fails(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    sandbox.set_env("AWS_PROFILE", "prod");
    let body = format!("badge -; echo \"rc={}\"\n{}", sh.status(), show_profile(sh));
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout("rc=1\nAWS_PROFILE=[prod]\n");
    assert!(
        out.stderr.starts_with("badge: ") && out.stderr.contains("previous"),
        "{}",
        out.report()
    );
}

// 4. Errors change nothing.

fn unknown_name_fails_and_changes_nothing(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let p = show_profile(sh);
    let st = sh.status();
    let body = format!(
        "badge prod\nbadge dev-alpha 2>/dev/null\n\
         badge use nope; echo \"rc={st}\"\n{p}\n\
         badge nope; echo \"rc={st}\"\n\
         badge -\n{p}\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    // `badge -` after the failures still goes back to prod: the failed
    // switch did not touch the memory of the previous profile either.
    out.assert_stdout("rc=1\nAWS_PROFILE=[dev-alpha]\nrc=1\nAWS_PROFILE=[prod]\n");
    assert!(out.stderr.starts_with("badge: "), "{}", out.report());
    assert!(out.stderr.contains("\"nope\""), "{}", out.report());
    assert_eq!(out.stderr.lines().count(), 2, "{}", out.report());
}

/// `badge logn` through the function: the command meant, exit 2, the
/// shell as it was.
fn mistyped_subcommand_is_suggested(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let p = show_profile(sh);
    let st = sh.status();
    let body = format!("badge prod\nbadge logn; echo \"rc={st}\"\n{p}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout("rc=2\nAWS_PROFILE=[prod]\n");
    assert!(
        out.stderr
            .contains("badge: \"logn\" is no profile and no command; did you mean `badge login`?"),
        "{}",
        out.report()
    );
}

/// `badge NAME 2>/dev/null` silences badge like any command.
fn stderr_of_the_function_can_be_redirected(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let st = sh.status();
    let body = format!(
        "badge dev-a 2>/dev/null; echo \"rc={st}\"\n\
         badge nope 2>/dev/null; echo \"rc={st}\"\n\
         badge dev 2>/dev/null; echo \"rc={st}\"\n\
         badge ls --sso-session nope 2>/dev/null; echo \"rc={st}\"\n{}",
        show_profile(sh)
    );
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_stdout("rc=0\nrc=1\nrc=1\nrc=1\nAWS_PROFILE=[dev-alpha]\n")
        .assert_stderr("");
}

fn ambiguous_name_without_terminal_lists_candidates(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = format!(
        "badge prod\nbadge dev; echo \"rc={}\"\n{}",
        sh.status(),
        show_profile(sh)
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout("rc=1\nAWS_PROFILE=[prod]\n");
    assert!(out.stderr.starts_with("badge: "), "{}", out.report());
    for name in ["dev-alpha", "dev-beta"] {
        assert!(
            out.stderr.contains(name),
            "{name} not listed\n{}",
            out.report()
        );
    }
    assert!(!out.stderr.contains("prod"), "{}", out.report());
}

fn bare_badge_without_terminal_fails(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = format!("badge; echo \"rc={}\"\n{}", sh.status(), show_profile(sh));
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout("rc=1\nAWS_PROFILE unset\n");
    assert!(
        out.stderr.starts_with("badge: ") && out.stderr.contains("terminal"),
        "{}",
        out.report()
    );
}

// 5. Everything that does not switch runs untouched.

fn passthrough_keeps_stdout_and_exit_codes(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let st = sh.status();
    let body = format!(
        "badge ls | grep dev-alpha\n\
         badge ls --sso-session missing; echo \"rc={st}\"\n\
         badge current; echo \"rc={st}\"\n\
         badge prod\n\
         badge current; echo \"rc={st}\"\n\
         badge current --json; echo \"rc={st}\"\n\
         badge ls --sso-session other; echo \"rc={st}\"\n\
         badge ls --bogus-flag 2>/dev/null; echo \"rc={st}\"\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    // The binary run directly is the reference for each passthrough output.
    let direct = |args: &[&str]| {
        let mut cmd = sandbox.badge();
        cmd.args(args).env("AWS_PROFILE", "prod");
        run(cmd, format!("badge {}", args.join(" ")))
    };
    let ls = run(
        {
            let mut cmd = sandbox.badge();
            cmd.arg("ls");
            cmd
        },
        "badge ls",
    );
    let alpha_line = ls
        .stdout
        .lines()
        .find(|l| l.contains("dev-alpha"))
        .unwrap_or_else(|| panic!("badge ls lists dev-alpha\n{}", ls.report()))
        .to_owned();
    let current = direct(&["current"]);
    let json = direct(&["current", "--json"]);
    let other = direct(&["ls", "--sso-session", "other"]);
    assert_eq!(current.code(), Some(0), "{}", current.report());
    out.assert_stdout(&format!(
        "{alpha_line}\nrc=1\nrc=1\n{}rc=0\n{}rc=0\n{}rc=0\nrc=2\n",
        current.stdout, json.stdout, other.stdout
    ));
    assert!(
        other.stdout.contains("staging-eu") && !other.stdout.contains("dev-alpha"),
        "{}",
        other.report()
    );
    let errors: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(errors.len(), 2, "{}", out.report());
    assert!(
        errors.iter().all(|l| l.starts_with("badge: ")),
        "{}",
        out.report()
    );
}

fn help_and_version_through_the_function(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let direct = |args: &[&str]| {
        let mut cmd = sandbox.badge();
        cmd.args(args);
        let result = run(cmd, format!("badge {}", args.join(" ")));
        result.assert_clean();
        result.stdout
    };
    let version = direct(&["--version"]);
    assert!(version.starts_with("badge "), "{version}");
    let st = sh.status();
    // `use --help` goes down the switching path: the binary hands the help
    // over as code that prints it.
    let body = format!(
        "badge --version; echo \"rc={st}\"\nbadge -V\nbadge --help | head -n 1\n\
         badge use --help; echo \"rc={st}\"\nbadge help ls | head -n 1\n{}",
        show_profile(sh)
    );
    let help_first = direct(&["--help"]).lines().next().unwrap_or("").to_owned();
    let use_help = direct(&["use", "--help"]);
    let help_ls_first = direct(&["help", "ls"])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout(&format!(
            "{version}rc=0\n{version}{help_first}\n{use_help}rc=0\n{help_ls_first}\nAWS_PROFILE unset\n"
        ));
}

// 6. The prompt.

/// Render the prompt the way the shell does before reading a line, with an
/// empty PATH so any external program would fail.
fn render_prompt(sh: Shell) -> &'static str {
    match sh {
        Shell::Bash => "printf '[%s]\\n' \"${PS1@P}\"",
        Shell::Zsh => "__badge_precmd; print -rP -- \"[$PROMPT]\"",
        Shell::Fish => "printf '['; fish_prompt; printf ']\\n'",
    }
}

fn empty_path(sh: Shell) -> &'static str {
    match sh {
        Shell::Bash | Shell::Zsh => "PATH=",
        Shell::Fish => "set PATH",
    }
}

fn prompt_shows_profile_without_starting_a_process(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let r = render_prompt(sh);
    let body = format!(
        "{r}\nbadge dev-alpha\nbadge prod-readonly\n{empty}\n{r}\n",
        empty = empty_path(sh)
    );
    let expected = "[P> ]\n[(aws:prod-readonly) P> ]\n";
    run_shell(sh, &sandbox, &script(sh, &body))
        .assert_clean()
        .assert_stdout(expected);
    if sh == Shell::Zsh {
        // PROMPT_SUBST makes zsh expand `$…` and `$(…)` in PROMPT: the
        // segment must still show the name as text.
        let body = format!(
            "setopt PROMPT_SUBST\n{r}\nbadge dev-alpha\nbadge off\n{r}\nbadge prod-readonly\nPATH=\n{r}\n"
        );
        run_shell(sh, &sandbox, &script(sh, &body))
            .assert_clean()
            .assert_stdout("[P> ]\n[P> ]\n[(aws:prod-readonly) P> ]\n");
    }
}

/// A profile whose sso-session is not signed in still switches, says how to
/// sign in, and the prompt marks it (`signed out` without a login, `expired`
/// with one that has); the mark follows AWS_PROFILE, not the last switch.
fn prompt_marks_an_expired_login(sh: Shell) {
    for (word, expired) in [("signed out", false), ("expired", true)] {
        prompt_marks_a_login(sh, word, expired);
    }
}

fn prompt_marks_a_login(sh: Shell, word: &str, expired: bool) {
    let sandbox = Sandbox::new(CONFIG);
    sandbox.sign_out(support::TOKEN_CACHE_ACME);
    if expired {
        sandbox.write(
            &format!(".aws/sso/cache/{}.json", support::TOKEN_CACHE_ACME),
            "{\"startUrl\": \"https://acme.awsapps.com/start\", \"region\": \"eu-west-1\", \
             \"accessToken\": \"test-token\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}",
        );
    }
    let r = match sh {
        Shell::Bash => "__badge_prompt_hook; printf '[%s]\\n' \"${PS1@P}\"",
        _ => render_prompt(sh),
    };
    let export = match sh {
        Shell::Fish => "set -gx AWS_PROFILE staging-eu",
        _ => "export AWS_PROFILE=staging-eu",
    };
    let body =
        format!("badge dev-alpha\n{r}\n{export}\n{r}\nbadge prod\n{r}\nbadge staging-eu\n{r}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    assert!(out.status.success(), "{}", out.report());
    assert_eq!(
        out.stdout,
        format!(
            "[(aws:dev-alpha {word}) P> ]\n[(aws:staging-eu) P> ]\n\
             [(aws:prod {word}) P> ]\n[(aws:staging-eu) P> ]\n"
        ),
        "{}",
        out.report()
    );
    assert_eq!(
        out.stderr
            .matches("sign in with `badge login --sso-session acme`")
            .count(),
        2,
        "{}",
        out.report()
    );
}

/// `2026-12-01T23:50:00Z` for `secs` seconds from now (GNU date).
fn iso_in(secs: u64) -> String {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs;
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{at}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A login with less than 15 minutes left shows them, in whole minutes
/// rounded up (`(aws:prod 9m)` with 8½ left), computed by the prompt from
/// the expiry badge left, with an empty PATH: no process. With more left,
/// nothing; once expired, the word as before.
fn prompt_shows_the_time_left_under_fifteen_minutes(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let cache = format!(".aws/sso/cache/{}.json", support::TOKEN_CACHE_ACME);
    let login = |expires_at: &str| {
        sandbox.write(
            &cache,
            format!(
                "{{\"startUrl\": \"https://acme.awsapps.com/start\", \"region\": \"eu-west-1\", \
                 \"accessToken\": \"test-token\", \"expiresAt\": \"{expires_at}\"}}"
            ),
        );
    };
    let r = match sh {
        Shell::Bash => "__badge_prompt_hook; printf '[%s]\\n' \"${PS1@P}\"",
        _ => render_prompt(sh),
    };
    let empty = empty_path(sh);
    for (left, shown) in [(8 * 60 + 30, "(aws:prod 9m)"), (20 * 60, "(aws:prod)")] {
        login(&iso_in(left));
        let body = format!("badge prod\n{empty}\n{r}\n{r}\n");
        run_shell(sh, &sandbox, &script(sh, &body))
            .assert_clean()
            .assert_stdout(&format!("[{shown} P> ]\n[{shown} P> ]\n"));
    }
    login("2020-01-01T00:00:00Z");
    let out = run_shell(
        sh,
        &sandbox,
        &script(sh, &format!("badge prod\n{empty}\n{r}\n")),
    );
    assert_eq!(out.stdout, "[(aws:prod expired) P> ]\n", "{}", out.report());
    // A login that runs out while the shell waits: the clock alone says
    // so at the next prompt, with no process.
    login(&iso_in(3));
    let body = format!("badge prod\n{r}\ncommand sleep 4\n{empty}\n{r}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    assert_eq!(
        out.stdout,
        "[(aws:prod 1m) P> ]\n[(aws:prod expired) P> ]\n",
        "{}",
        out.report()
    );
}

/// Another terminal signs in, signs out or renews the login (here `rm`,
/// `cp` and `mv` stand for them; `mv` brings a file older than the one it
/// replaces): the next prompt shows the new mark. badge is asked once per
/// change (a wrapper on the PATH counts its runs), never when the cache
/// file is as it was, and an empty PATH still draws the prompt; the shells'
/// stamps do not pile up.
fn prompt_follows_the_token_cache_of_other_processes(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    let cache = format!(".aws/sso/cache/{}.json", support::TOKEN_CACHE_ACME);
    let valid = std::fs::read(sandbox.home().join(&cache)).expect("the token cache");
    sandbox.write("valid.json", valid);
    // Older than every version before it: `mv` keeps that mtime.
    sandbox.write(
        "expired.json",
        "{\"startUrl\": \"https://acme.awsapps.com/start\", \"region\": \"eu-west-1\", \
         \"accessToken\": \"test-token\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}",
    );
    sandbox.count_badge_runs();
    let r = match sh {
        Shell::Bash => "__badge_prompt_hook; printf '[%s]\\n' \"${PS1@P}\"",
        _ => render_prompt(sh),
    };
    let set_t = match sh {
        Shell::Fish => format!("set T ~/{cache}"),
        _ => format!("T=~/{cache}"),
    };
    // File times move in steps of a few milliseconds: a change made in the
    // same step as the prompt's stamp has its very time, and is seen at the
    // next change only (people do not log in within milliseconds of their
    // own prompt; a script does). Each change waits for the next step.
    let step = "command sleep 0.02";
    let body = format!(
        "{set_t}\nbadge dev-alpha\n{r}\n{r}\nbadge prod\n{r}\n\
         {step}\ncommand rm \"$T\"\n{r}\n{r}\n\
         {step}\ncommand cp ~/valid.json \"$T\"\n{r}\n\
         {step}\ncommand mv ~/expired.json \"$T\"\n{r}\n\
         {empty}\n{r}\n{r}\n",
        empty = empty_path(sh)
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_clean().assert_stdout(
        "[(aws:dev-alpha) P> ]\n[(aws:dev-alpha) P> ]\n[(aws:prod) P> ]\n\
         [(aws:prod signed out) P> ]\n[(aws:prod signed out) P> ]\n\
         [(aws:prod) P> ]\n\
         [(aws:prod expired) P> ]\n\
         [(aws:prod expired) P> ]\n[(aws:prod expired) P> ]\n",
    );
    assert_eq!(
        sandbox.badge_runs(),
        [
            "init",
            "dev-alpha",
            "prod",
            "__prompt",
            "__prompt",
            "__prompt"
        ],
        "{sh}: badge runs: the init, two switches, then one for each change\n{}",
        out.report()
    );
    // Each shell has a stamp; a new shell's init removes those of shells
    // that are gone, so they do not pile up.
    let stamps = || -> Vec<String> {
        std::fs::read_dir(sandbox.home().join(".local/state/badge/prompt"))
            .map(|dir| {
                dir.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(stamps().len(), 1, "{sh}: {:?}", stamps());
    for _ in 0..3 {
        run_shell(sh, &sandbox, &script(sh, "badge staging-eu")).assert_clean();
    }
    assert_eq!(
        stamps().len(),
        1,
        "{sh}: the stamps of shells that are gone stay: {:?}",
        stamps()
    );
}

/// The user's prompt still sees the status of the last command: drawing
/// the badge segment does not reset it.
fn prompt_keeps_last_status(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = match sh {
        Shell::Bash => {
            "PS1='$? '\neval \"$(badge init bash)\"\nbadge prod\nfalse\nprintf '[%s]\\n' \"${PS1@P}\""
        }
        // zsh itself keeps `$?` across precmd hooks; what matters here is
        // that the segment is pure expansion.
        Shell::Zsh => {
            "PROMPT='%? '\neval \"$(badge init zsh)\"\nbadge prod\n__badge_precmd\nfalse\nprint -rP -- \"[$PROMPT]\""
        }
        Shell::Fish => {
            "function fish_prompt; printf '%s ' $status; end\nbadge init fish | source\nbadge prod\nfalse\nfish_prompt\necho"
        }
    };
    run_shell(sh, &sandbox, body)
        .assert_clean()
        .assert_stdout(match sh {
            Shell::Fish => "(aws:prod) 1 \n",
            _ => "[(aws:prod) 1 ]\n",
        });
}

/// With `--no-prompt` the prompt is exactly what it was, before and after a
/// switch, for a user prompt and for the shell's default one.
fn no_prompt_leaves_prompt_identical(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let state = match sh {
        Shell::Bash => {
            "printf '%s\\n' \"PS1=[${PS1-unset}] PROMPT_COMMAND=[${PROMPT_COMMAND[*]-unset}]\" \"[${PS1@P}]\""
        }
        Shell::Zsh => {
            "print -r -- \"PROMPT=[$PROMPT] RPROMPT=[$RPROMPT] precmd=[${precmd_functions-unset}] psvar=[$psvar]\"\n\
             print -rP -- \"[$PROMPT]\""
        }
        Shell::Fish => {
            "functions fish_prompt fish_right_prompt; printf '['; fish_prompt; printf ']\\n'"
        }
    };
    let user_prompt = match sh {
        Shell::Bash => "PS1='\\u \\w$ '",
        Shell::Zsh => "PROMPT='%n %~%# '",
        Shell::Fish => "function fish_prompt; printf '%s> ' (prompt_pwd); end",
    };
    for (what, setup) in [("a user prompt", user_prompt), ("the default prompt", "")] {
        let body = format!(
            "{setup}\n{state}\necho ---\n{}\nbadge dev-alpha\n{state}",
            sh.init_with("--no-prompt")
        );
        let out = run_shell(sh, &sandbox, &body);
        out.assert_clean();
        let (before, after) = out
            .stdout
            .split_once("---\n")
            .unwrap_or_else(|| panic!("{}", out.report()));
        // The directory hook (`tests/dir_profiles.rs`) runs before each
        // prompt, with or without the segment: bash's PROMPT_COMMAND and
        // zsh's precmd_functions gain it, first, and nothing else changes.
        let hook = match sh {
            Shell::Bash if before.contains("PROMPT_COMMAND=[unset]") => (
                "PROMPT_COMMAND=[unset]",
                "PROMPT_COMMAND=[__badge_dir_hook]",
            ),
            Shell::Bash => ("PROMPT_COMMAND=[", "PROMPT_COMMAND=[__badge_dir_hook;"),
            Shell::Zsh if before.contains("precmd=[unset]") => {
                ("precmd=[unset]", "precmd=[__badge_dir_hook]")
            }
            Shell::Zsh => ("precmd=[", "precmd=[__badge_dir_hook "),
            Shell::Fish => ("", ""),
        };
        assert_eq!(
            before.replacen(hook.0, hook.1, 1),
            after,
            "{sh}: --no-prompt changed {what}\n{}",
            out.report()
        );
        assert!(!out.stdout.contains("aws:"), "{}", out.report());
    }
}

// 7. Static keys.

fn switch_removes_static_keys_and_says_so_once(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    sandbox
        .set_env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .set_env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-SECRET")
        .set_env("AWS_SESSION_TOKEN", "TOKEN-SECRET");
    let show_all = [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ]
    .map(|v| sh.show(v))
    .join("\n");
    let body = format!(
        "badge dev-alpha\n{show_all}\nbadge prod\nbadge -\ncommand env | grep '^AWS_' | sort"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_stdout(
        "AWS_PROFILE=[dev-alpha]\n\
         AWS_ACCESS_KEY_ID unset\n\
         AWS_SECRET_ACCESS_KEY unset\n\
         AWS_SESSION_TOKEN unset\n\
         AWS_PROFILE=dev-alpha\n",
    );
    assert!(out.status.success(), "{}", out.report());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "said once\n{}", out.report());
    assert!(lines[0].starts_with("badge: "), "{}", out.report());
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        assert!(lines[0].contains(var), "{var} named\n{}", out.report());
    }
    assert!(
        !out.stderr.contains("EXAMPLE") && !out.stderr.contains("-SECRET"),
        "secrets never printed\n{}",
        out.report()
    );
}

/// botocore and boto3 read AWS_DEFAULT_PROFILE before AWS_PROFILE, so one
/// left in the shell would win over every switch. `badge current --json`
/// names the profile botocore uses (as botocore itself does), switching
/// removes the variable and says so once, and `badge off` leaves neither.
fn switch_removes_aws_default_profile_and_says_so_once(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    sandbox
        .set_env("AWS_PROFILE", "prod")
        .set_env("AWS_DEFAULT_PROFILE", "dev-beta");
    let show_both = format!(
        "{}\n{}",
        sh.show("AWS_PROFILE"),
        sh.show("AWS_DEFAULT_PROFILE")
    );
    let hostile = match sh {
        Shell::Fish => r"set -gx AWS_DEFAULT_PROFILE ev\e\[31mil",
        _ => r"export AWS_DEFAULT_PROFILE=$'ev\e[31mil'",
    };
    let body = format!(
        "badge current --json\nbadge prod-readonly\n{show_both}\nbadge current --json\n\
         badge dev-alpha\ncommand env | grep '^AWS_' | sort\n\
         {hostile}\nbadge off\n{show_both}\nbadge current --json\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{}", out.report());
    let json = |line: &str| -> serde_json::Value {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}\n{}", out.report()))
    };
    let before = json(lines[0]);
    assert_eq!(before["profile"], "dev-beta", "{}", out.report());
    assert_eq!(
        before["profile_from"],
        "AWS_DEFAULT_PROFILE",
        "{}",
        out.report()
    );
    assert_eq!(before["aws_profile"], "prod", "{}", out.report());
    if support::python_module_available("botocore") {
        let mut cmd = sandbox.python3();
        cmd.args([
            "-c",
            "import botocore.session; print(botocore.session.Session().profile)",
        ]);
        let botocore = run(cmd, "botocore's profile");
        assert_eq!(botocore.stdout, "dev-beta\n", "{}", botocore.report());
    }
    assert_eq!(
        &lines[1..3],
        ["AWS_PROFILE=[prod-readonly]", "AWS_DEFAULT_PROFILE unset"],
        "{}",
        out.report()
    );
    let after = json(lines[3]);
    assert_eq!(after["profile"], "prod-readonly", "{}", out.report());
    assert_eq!(after["profile_from"], "AWS_PROFILE", "{}", out.report());
    assert_eq!(lines[4], "AWS_PROFILE=dev-alpha", "{}", out.report());
    assert_eq!(
        &lines[5..7],
        ["AWS_PROFILE unset", "AWS_DEFAULT_PROFILE unset"],
        "{}",
        out.report()
    );
    assert_eq!(lines[7], r#"{"profile":null}"#, "{}", out.report());
    assert_eq!(
        out.stderr,
        "badge: removed AWS_DEFAULT_PROFILE (dev-beta) from this shell: botocore and boto3 \
         read it before AWS_PROFILE\n\
         badge: removed AWS_DEFAULT_PROFILE (ev^[[31mil) from this shell: botocore and boto3 \
         read it before AWS_PROFILE\n",
        "said once for each, through printable\n{}",
        out.report()
    );
}

// 8. Without the integration.

fn without_integration_switching_prints_init_line(sh: Shell) {
    let mut sandbox = Sandbox::new(CONFIG);
    sandbox.set_env("AWS_PROFILE", "prod");
    let config_before = std::fs::read(sandbox.config_path()).expect("read config");
    let st = sh.status();
    let commands = [
        "badge use dev-alpha",
        "badge dev-alpha",
        "badge off",
        "badge -",
        "badge",
    ];
    let body: String = commands
        .iter()
        .map(|c| format!("{c}; echo \"rc={st}\"\n"))
        .collect::<String>()
        + &show_profile(sh);
    let out = run_shell(sh, &sandbox, &body);
    out.assert_stdout(&format!(
        "{}AWS_PROFILE=[prod]\n",
        "rc=1\n".repeat(commands.len())
    ));
    let init_line = match sh {
        Shell::Bash => "eval \"$(badge init bash)\"",
        Shell::Zsh => "eval \"$(badge init zsh)\"",
        Shell::Fish => "badge init fish | source",
    };
    assert_eq!(
        out.stderr.matches(init_line).count(),
        commands.len(),
        "{sh}: each command names the init line\n{}",
        out.report()
    );
    assert!(out.stderr.starts_with("badge: "), "{}", out.report());
    assert_eq!(
        std::fs::read(sandbox.config_path()).expect("read config"),
        config_before,
        "the config file is untouched"
    );
    let mut entries: Vec<_> = std::fs::read_dir(sandbox.home().join(".aws"))
        .expect("read ~/.aws")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    entries.sort();
    assert_eq!(entries, ["config", "sso"], "nothing new in ~/.aws");
}

// 9. `--cmd`.

fn custom_cmd_name(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let (badge_kind, registered) = match sh {
        Shell::Bash => (
            "type -t badge",
            "complete -p awsp; complete -p badge 2>/dev/null; echo \"rc=$?\"",
        ),
        Shell::Zsh => (
            "whence -w badge",
            "print -r -- \"${_comps[awsp]-none} ${_comps[badge]-none}\"",
        ),
        Shell::Fish => (
            "type -t badge",
            "complete -C 'awsp dev-a'; complete -C 'badge dev-a'; functions -q badge; echo \"rc=$status\"",
        ),
    };
    let compinit = if sh == Shell::Zsh {
        "autoload -Uz compinit && compinit -u -D\n"
    } else {
        ""
    };
    let body = format!(
        "{compinit}{}\nawsp dev-alpha\n{}\nawsp -\n{}\n{badge_kind}\n{registered}",
        sh.init_with("--cmd awsp"),
        show_profile(sh),
        show_profile(sh)
    );
    let expected_tail = match sh {
        Shell::Bash => "file\ncomplete -F __badge_complete_awsp awsp\nrc=1\n",
        Shell::Zsh => "badge: command\n__badge_complete_awsp none\n",
        Shell::Fish => "file\ndev-alpha\tdevelopment AdministratorAccess\nrc=1\n",
    };
    run_shell(sh, &sandbox, &body)
        .assert_clean()
        .assert_stdout(&format!(
            "AWS_PROFILE=[dev-alpha]\nAWS_PROFILE unset\n{expected_tail}"
        ));
}

/// With `--cmd awsp`, what badge says through the function names `awsp`,
/// the command the user types: the unknown name, `-` with no previous
/// profile, an ambiguous name, a mistyped subcommand, and doctor finds
/// the integration loaded.
fn custom_cmd_name_in_messages(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    // Signed out, so that sync stops before the network and says so.
    sandbox.sign_out(support::TOKEN_CACHE_ACME);
    let body = format!(
        "{}\nawsp nosuch\nawsp -\nawsp dev\nawsp logn\nawsp doctor | grep integration\n\
         awsp login --sso-session nosuch\nawsp sync --sso-session acme\n\
         AWS_CONFIG_FILE= awsp sync --sso-session acme\n\
         AWS_CONFIG_FILE= awsp session add x --start-url https://x.awsapps.com/start \
         --region eu-west-1",
        sh.init_with("--cmd awsp"),
    );
    let out = run_shell(sh, &sandbox, &body);
    let line = |start: &str| {
        out.stderr
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?}:\n{}", out.report()))
            .to_owned()
    };
    assert!(
        line("badge: no profile matches \"nosuch\"").ends_with("`awsp ls` lists all profiles"),
        "{}",
        out.report()
    );
    assert_eq!(
        line("badge: there is no previous profile"),
        "badge: there is no previous profile in this shell yet; switch with `awsp NAME` first"
    );
    assert!(
        line("badge: \"dev\" matches")
            .ends_with("name one exactly, for example `awsp use dev-alpha`"),
        "{}",
        out.report()
    );
    assert!(
        line("badge: \"logn\" is no profile").contains(
            "did you mean `awsp login`? (`awsp --help` lists the commands, `awsp ls` the profiles)"
        ),
        "{}",
        out.report()
    );
    assert!(
        out.stdout.contains(&format!(
            "the shell integration is loaded in this {sh} shell, as `awsp`"
        )),
        "{}",
        out.report()
    );
    // What the floors below the commands say names it too.
    assert!(
        line("badge: there is no [sso-session nosuch]")
            .contains("`awsp session add nosuch --start-url URL --region REGION`"),
        "{}",
        out.report()
    );
    assert!(
        out.stderr.contains("`awsp login"),
        "sync signed out names the login:\n{}",
        out.report()
    );
    assert!(
        out.stderr.contains("so `awsp sync` has nowhere to write"),
        "{}",
        out.report()
    );
    assert!(
        out.stderr
            .contains("so `awsp session add` has nowhere to write"),
        "{}",
        out.report()
    );
    assert!(!out.stderr.contains("`badge"), "{}", out.report());
}

fn custom_cmd_name_with_dash(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let body = format!(
        "{}\naws-p prod\n{}\naws-p ls | grep -c prod",
        sh.init_with("--cmd aws-p"),
        show_profile(sh)
    );
    run_shell(sh, &sandbox, &body)
        .assert_clean()
        .assert_stdout("AWS_PROFILE=[prod]\n2\n");
    // A name no shell takes unquoted is refused, and nothing is printed.
    for bad in ["a b", "a;b", "$(x)", "-x"] {
        let mut cmd = sandbox.badge();
        cmd.args(["init", sh.name(), "--cmd", bad]);
        let result = run(cmd, format!("badge init {sh} --cmd {bad:?}"));
        assert!(
            !result.status.success() && result.stdout.is_empty(),
            "{}",
            result.report()
        );
        assert!(
            result.stderr.starts_with("badge: ") || result.stderr.starts_with("error:"),
            "{}",
            result.report()
        );
    }
}

/// Every builtin and reserved word the installed shell lists, as far as a
/// function could be named so, is refused as a `--cmd` name, and nothing is
/// printed for the shell to load.
fn custom_cmd_name_of_the_shell_s_own_words(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let listing = match sh {
        Shell::Bash => "compgen -b; compgen -k",
        Shell::Zsh => "print -l ${(k)builtins} ${(k)reswords}",
        Shell::Fish => "builtin -n",
    };
    let listed = run_shell(sh, &sandbox, listing);
    listed.assert_success();
    let words: Vec<&str> = listed
        .stdout
        .lines()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
        .collect();
    assert!(words.len() > 40, "{sh}: {words:?}");
    for word in words {
        let mut cmd = sandbox.badge();
        cmd.args(["init", sh.name(), "--cmd", word]);
        let result = run(cmd, format!("badge init {sh} --cmd {word}"));
        assert_eq!(result.code(), Some(1), "{}", result.report());
        assert_eq!(result.stdout, "", "{}", result.report());
        assert!(
            result
                .stderr
                .starts_with(&format!("badge: --cmd {word} is a word of {sh} itself")),
            "{}",
            result.report()
        );
    }
}

/// Users who run their shell with `set -u` (`setopt nounset`) can still
/// switch, complete and draw the prompt.
fn works_under_nounset(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let (strict, complete) = match sh {
        Shell::Bash => (
            "set -u",
            "COMP_LINE='badge dev-a'; COMP_POINT=${#COMP_LINE}\n\
             __badge_complete_badge badge dev-a badge; printf '%s\\n' \"${COMPREPLY[@]}\"",
        ),
        // zsh completion needs the line editor: tests/tmux.rs.
        Shell::Zsh => ("setopt nounset", ""),
        // fish has no nounset; run the same steps anyway.
        Shell::Fish => (
            "",
            "complete -C 'badge dev-a' | string replace -r '\\t.*' ''",
        ),
    };
    let body = format!(
        "{strict}\n{}\n{}\nbadge -\nbadge -\n{}\n{}\n{complete}",
        script(sh, "badge dev-alpha"),
        show_profile(sh),
        show_profile(sh),
        render_prompt(sh),
    );
    let completed = if complete.is_empty() {
        ""
    } else {
        "dev-alpha\n"
    };
    run_shell(sh, &sandbox, &body)
        .assert_clean()
        .assert_stdout(&format!(
            "AWS_PROFILE=[dev-alpha]\nAWS_PROFILE=[dev-alpha]\n[(aws:dev-alpha) P> ]\n{completed}"
        ));
}

// 10. Profile names are data, never code.

/// Names that break naive quoting, with a config header that botocore reads
/// as that name (`shlex.split` of the section name).
const HOSTILE: &[(&str, &str)] = &[
    ("quote'name", r#"[profile "quote'name"]"#),
    (r#"a"b"#, r#"[profile 'a"b']"#),
    (r#"a'b"c"#, r#"[profile "a'b\"c"]"#),
    ("x$(touch PWNED1)", r#"[profile "x$(touch PWNED1)"]"#),
    ("x`touch PWNED2`", r#"[profile "x`touch PWNED2`"]"#),
    ("x(touch PWNED3)", r#"[profile "x(touch PWNED3)"]"#),
    ("a;touch PWNED4", r#"[profile "a;touch PWNED4"]"#),
    ("a;b", "[profile a;b]"),
    ("a b", r#"[profile "a b"]"#),
    ("$HOME", "[profile $HOME]"),
    ("--flag-like", "[profile --flag-like]"),
    ("é-ünï-中文", "[profile é-ünï-中文]"),
    (r"a\b", r"[profile 'a\b']"),
    (r"\u@\h\$", r"[profile '\u@\h\$']"),
    ("%d%s", "[profile %d%s]"),
    ("%F{red}x%f", "[profile %F{red}x%f]"),
    ("*", "[profile *]"),
    ("{a,b}", "[profile {a,b}]"),
    ("~root", "[profile ~root]"),
    ("!!", "[profile !!]"),
];

fn hostile_config() -> String {
    let mut config = String::from("[profile plain]\nregion = eu-west-1\n");
    for (_, header) in HOSTILE {
        config.push_str(&format!("\n{header}\nregion = eu-west-1\n"));
    }
    config
}

fn hostile_profile_names_are_data(sh: Shell) {
    let sandbox = Sandbox::new(&hostile_config());
    // The config module must read each header as the intended name; check
    // that through the binary first, so a parsing difference is reported
    // as such and not as a shell problem.
    let ls = run(
        {
            let mut cmd = sandbox.badge();
            cmd.args(["ls", "--json"]);
            cmd
        },
        "badge ls --json",
    );
    let listed: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&ls.stdout)
        .unwrap_or_else(|err| panic!("badge ls --json: {err}\n{}", ls.report()))
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut failures = Vec::new();
    for (name, header) in HOSTILE {
        if !listed.iter().any(|l| l == name) {
            failures.push(format!(
                "config: header {header} is not read as profile {name:?}; badge ls has {listed:?}"
            ));
            continue;
        }
        let q = sh.quote(name);
        let zsh_subst = if sh == Shell::Zsh {
            "setopt PROMPT_SUBST\n__badge_precmd; print -rP -- \"[$PROMPT]\"\nunsetopt PROMPT_SUBST\n"
        } else {
            ""
        };
        // A name that looks like a flag needs `--` before it, as with any
        // command.
        let dashes = if name.starts_with('-') { "-- " } else { "" };
        let body = format!(
            "badge use -- {q}\n\
             printf '<%s>\\n' \"$AWS_PROFILE\"\n\
             command printenv AWS_PROFILE\n\
             {render}\n{zsh_subst}\
             badge plain\n\
             badge -\n\
             printf '<%s>\\n' \"$AWS_PROFILE\"\n\
             badge plain\n\
             badge {dashes}{q}\n\
             printf '<%s>\\n' \"$AWS_PROFILE\"\n",
            render = render_prompt(sh),
        );
        let out = run_shell(sh, &sandbox, &script(sh, &body));
        let prompt_line = format!("[(aws:{name}) P> ]\n");
        let expected = format!(
            "<{name}>\n{name}\n{prompt_line}{}<{name}>\n<{name}>\n",
            if sh == Shell::Zsh {
                prompt_line.as_str()
            } else {
                ""
            }
        );
        if out.stdout != expected || !out.stderr.is_empty() || !out.status.success() {
            failures.push(format!(
                "{name:?}: output differs\n--- expected stdout ---\n{expected}{}",
                out.report()
            ));
        }
        let pwned = sandbox.files_named("PWNED");
        if !pwned.is_empty() {
            failures.push(format!(
                "{name:?}: a profile name ran code: {pwned:?} exist"
            ));
            for file in pwned {
                let _ = std::fs::remove_file(file);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{sh}: {} of {} hostile names failed:\n\n{}",
        failures.len(),
        HOSTILE.len(),
        failures.join("\n\n")
    );
}

/// Bash inserts completion words as they come, so each must be escaped:
/// evaluating `badge use WORD` reaches exactly the profile. (zsh and fish
/// quote candidates themselves; tests/tmux.rs types those.)
#[test]
fn bash_completion_words_evaluate_to_the_name() {
    let sh = Shell::Bash;
    if !require(sh.name()) {
        return;
    }
    let sandbox = Sandbox::new(&hostile_config());
    let mut failures = Vec::new();
    for (name, _) in HOSTILE {
        // Complete from the first character; one of the words, evaluated,
        // must be the name.
        let prefix: String = name.chars().take(1).collect();
        let line = format!("badge use {}", sh.quote(&prefix));
        let body = format!(
            "{}\nCOMP_LINE={}; COMP_POINT=${{#COMP_LINE}}\n\
             __badge_complete_badge badge {} use\n\
             for w in \"${{COMPREPLY[@]}}\"; do eval \"badge use -- $w\" && printf '<%s>\\n' \"$AWS_PROFILE\"; done",
            sh.init(),
            sh.quote(&line),
            sh.quote(&sh.quote(&prefix)),
        );
        let out = run_shell(sh, &sandbox, &body);
        if !out.stdout.lines().any(|l| l == format!("<{name}>")) {
            failures.push(format!(
                "{name:?} not completed to itself\n{}",
                out.report()
            ));
        }
        if !sandbox.files_named("PWNED").is_empty() {
            failures.push(format!("{name:?}: completion ran code"));
        }
    }
    assert!(failures.is_empty(), "bash: {}", failures.join("\n\n"));
}

/// The bash completion function's `COMPREPLY`, element by element, for
/// candidates that come as plain lines and for those that need the `_`
/// mark: an empty one (the word after a `:` is complete already) and one
/// that starts with `_`.
#[test]
fn bash_completion_reply_is_exact() {
    let sh = Shell::Bash;
    if !require(sh.name()) {
        return;
    }
    let config = "[profile team:]\nregion = eu-west-1\n\
                  [profile team:x]\nregion = eu-west-1\n\
                  [profile _under]\nregion = eu-west-1\n\
                  [profile _under_2]\nregion = eu-west-1\n\
                  [profile dev-alpha]\nregion = eu-west-1\n\
                  [profile dev-beta]\nregion = eu-west-1\n\
                  [profile z_last]\nregion = eu-west-1\n";
    let sandbox = Sandbox::new(config);
    // LINE (up to the cursor) and the word bash passes, after its word
    // breaks; then every COMPREPLY element in brackets, sorted.
    let cases: &[(&str, &str, &str)] = &[
        ("badge use dev-", "dev-", "[dev-alpha][dev-beta]"),
        ("badge use z", "z", "[z_last]"),
        ("badge use _", "_", "[_under][_under_2]"),
        ("badge use _under_", "_under_", "[_under_2]"),
        ("badge use team:", "", "[][x]"),
        ("badge use team:x", "x", "[x]"),
        ("badge use 'dev-b", "'dev-b", "['dev-beta]"),
    ];
    let mut body = sh.init();
    for (line, word, _) in cases {
        body.push_str(&format!(
            "\nCOMP_LINE={}; COMP_POINT=${{#COMP_LINE}}\n\
             __badge_complete_badge badge {} use\n\
             printf '%s\\n' \"${{COMPREPLY[@]/#/[}}\" | sed 's/$/]/' | LC_ALL=C sort | tr -d '\\n'; echo",
            sh.quote(line),
            sh.quote(word),
        ));
    }
    let expected: String = cases
        .iter()
        .map(|(_, _, want)| format!("{want}\n"))
        .collect();
    run_shell(sh, &sandbox, &body)
        .assert_clean()
        .assert_stdout(&expected);
}

/// fish's `complete -C` lists what Tab would offer: every profile name, as
/// it is.
#[test]
fn fish_offers_every_profile_name() {
    let sh = Shell::Fish;
    if !require(sh.name()) {
        return;
    }
    let sandbox = Sandbox::new(&hostile_config());
    let body = format!(
        "{}\ncomplete -C 'badge ' | string replace -r '\\t.*' ''",
        sh.init()
    );
    let out = run_shell(sh, &sandbox, &body);
    out.assert_clean();
    let offered: Vec<&str> = out.stdout.lines().collect();
    let missing: Vec<&str> = HOSTILE
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !n.starts_with('-') && !offered.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "fish: not offered: {missing:?}\n{}",
        out.report()
    );
}

// 13. Static checks of the generated shell code.

fn static_check_init_and_completion_scripts(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let mut scripts: Vec<(String, Vec<&str>)> =
        ["", "--no-prompt", "--cmd x", "--cmd aws-p --no-prompt"]
            .iter()
            .map(|flags| {
                let mut args = vec!["init", sh.name()];
                args.extend(flags.split_whitespace());
                (format!("badge init {sh} {flags}"), args)
            })
            .collect();
    scripts.push((
        format!("badge completions {sh}"),
        vec!["completions", sh.name()],
    ));
    for (what, args) in scripts {
        let mut cmd = sandbox.badge();
        cmd.args(&args);
        let generated = run(cmd, what.clone());
        generated.assert_clean();
        let file = sandbox.write("generated", &generated.stdout);
        let checks: Vec<(&str, Vec<String>)> = match sh {
            Shell::Bash => {
                let mut checks = vec![(
                    "bash",
                    vec![
                        "--noprofile".into(),
                        "--norc".into(),
                        "-n".into(),
                        file.display().to_string(),
                    ],
                )];
                if require("shellcheck") {
                    checks.push((
                        "shellcheck",
                        vec!["-s".into(), "bash".into(), file.display().to_string()],
                    ));
                }
                checks
            }
            Shell::Zsh => vec![(
                "zsh",
                vec!["--no-rcs".into(), "-n".into(), file.display().to_string()],
            )],
            Shell::Fish => vec![
                (
                    "fish",
                    vec![
                        "--no-config".into(),
                        "--no-execute".into(),
                        file.display().to_string(),
                    ],
                ),
                (
                    "fish_indent",
                    vec!["--check".into(), file.display().to_string()],
                ),
            ],
        };
        for (program, args) in checks {
            let mut cmd = sandbox.command(program);
            cmd.args(&args);
            let result = run(cmd, format!("{program} on `{what}`"));
            assert!(
                result.status.success() && result.stdout.is_empty() && result.stderr.is_empty(),
                "{sh}: {program} has findings on the output of `{what}`\n{}\n--- script ---\n{}",
                result.report(),
                generated.stdout
            );
        }
        // Evaluating it prints nothing.
        let source = format!("source {}", sh.quote(&file.display().to_string()));
        run_shell(sh, &sandbox, &source)
            .assert_clean()
            .assert_stdout("");
    }
}

// 13b. `scripts/try`, the playground of the README, passes the same checks.

#[test]
fn try_script_passes_bash_n_and_shellcheck() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/try");
    let file = file.display().to_string();
    let sandbox = Sandbox::new("");
    let mut checks = vec![("bash", vec!["--noprofile", "--norc", "-n", file.as_str()])];
    if require("shellcheck") {
        checks.push(("shellcheck", vec![file.as_str()]));
    }
    for (program, args) in checks {
        let mut cmd = sandbox.command(program);
        cmd.args(&args);
        let result = run(cmd, format!("{program} scripts/try"));
        assert!(
            result.status.success() && result.stdout.is_empty() && result.stderr.is_empty(),
            "{program} has findings on scripts/try\n{}",
            result.report()
        );
    }
}

/// `scripts/try` runs the badge and emulator that cargo built, wherever
/// CARGO_TARGET_DIR put them, and a failing `badge session add` stops it
/// with badge's own words. Here cargo builds nothing and answers with a
/// target folder of stand-ins: an emulator that only writes its URL, and a
/// badge that refuses, saying where it is.
#[test]
fn try_script_uses_the_target_dir_and_shows_why_it_stops() {
    let Some(out) = try_with_stand_ins(None, &["built/release"]) else {
        return;
    };
    assert!(
        out.stderr.contains("badge: the badge in built/release\n")
            && out
                .stderr
                .contains("scripts/try: could not add the demo sso-session\n"),
        "{}",
        out.report()
    );
}

/// With `.cargo/config.toml`'s `build.target`, cargo builds into a folder
/// named for the host: `scripts/try` runs what is there, not an older build
/// left directly under the target folder.
#[test]
fn try_script_runs_the_build_for_the_host() {
    let releases = ["built/release", "built/some-host-tuple/release"];
    let Some(out) = try_with_stand_ins(Some("some-host-tuple"), &releases) else {
        return;
    };
    assert!(
        out.stderr
            .contains("badge: the badge in built/some-host-tuple/release\n"),
        "{}",
        out.report()
    );
}

/// `scripts/try bash` with a cargo that builds nothing, a rustc that names
/// `host` (when given), and stand-ins in each of `releases`; it ends as the
/// badge there refuses.
fn try_with_stand_ins(host: Option<&str>, releases: &[&str]) -> Option<support::Run> {
    if !require("bash") || !require("python3") {
        return None;
    }
    let mut sandbox = Sandbox::new("");
    let home = sandbox.home().to_owned();
    let executable = |relative: &str, text: &str| {
        let path = sandbox.write(relative, text);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    executable(
        "fake/cargo",
        "#!/bin/sh\n[ \"$1\" = metadata ] && printf '{\"target_directory\": \"%s\"}\\n' \"$CARGO_TARGET_DIR\"\nexit 0\n",
    );
    if let Some(host) = host {
        let rustc = format!("#!/bin/sh\nprintf 'rustc 1.0.0\\nhost: {host}\\n'\n");
        executable("fake/rustc", &rustc);
    }
    let emulator = "#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  [ \"$1\" = --url-file ] && printf 'http://127.0.0.1:9' >\"$2\"\n  shift\ndone\nexec sleep 60\n";
    for release in releases {
        executable(&format!("{release}/examples/emulator"), emulator);
        let badge = format!("#!/bin/sh\necho 'badge: the badge in {release}' >&2\nexit 1\n");
        executable(&format!("{release}/badge"), &badge);
    }
    let (_, path) = sandbox.env().find(|(k, _)| *k == "PATH").unwrap();
    let path = format!("{}:{}", home.join("fake").display(), path.display());
    sandbox
        .set_env("PATH", path)
        .set_env("CARGO_TARGET_DIR", home.join("built"));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/try");
    let mut cmd = sandbox.command("bash");
    cmd.arg(&script).arg("bash");
    let out = run(cmd, "scripts/try bash");
    assert_eq!(out.code(), Some(1), "{}", out.report());
    Some(out)
}

// 14. The checked-in completion scripts are what the binary prints.

#[test]
fn checked_in_completions_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("BADGE_UPDATE_COMPLETIONS").is_ok_and(|v| v == "1");
    let sandbox = Sandbox::new(CONFIG);
    let mut stale = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "completions/badge.bash"),
        (Shell::Zsh, "completions/_badge"),
        (Shell::Fish, "completions/badge.fish"),
    ] {
        let mut cmd = sandbox.badge();
        cmd.args(["completions", shell.name()]);
        let generated = run(cmd, format!("badge completions {shell}"));
        generated.assert_clean();
        let path = root.join(file);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == generated.stdout {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().expect("completions/"))
                .expect("create completions/");
            std::fs::write(&path, &generated.stdout)
                .unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
            eprintln!("updated {file}");
        } else {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "out of date with `badge completions`: {}; regenerate with\n\
         \n    BADGE_UPDATE_COMPLETIONS=1 cargo test --test shells checked_in_completions_are_current\n",
        stale.join(", ")
    );
}

/// Run without a shell at all (and no `$SHELL`), a switching command
/// names the init line of every shell and prints nothing on stdout.
#[test]
fn binary_alone_refuses_to_switch() {
    let sandbox = Sandbox::new(CONFIG);
    for args in [&["use", "dev-alpha"][..], &["dev-alpha"], &["off"], &["-"]] {
        let mut cmd = sandbox.badge();
        cmd.args(args);
        let result = run(cmd, format!("badge {}", args.join(" ")));
        assert_eq!(result.code(), Some(1), "{}", result.report());
        assert_eq!(result.stdout, "", "{}", result.report());
        assert!(result.stderr.starts_with("badge: "), "{}", result.report());
        for line in [
            "eval \"$(badge init bash)\"",
            "eval \"$(badge init zsh)\"",
            "badge init fish | source",
        ] {
            assert!(result.stderr.contains(line), "{line}\n{}", result.report());
        }
    }
}

/// `badge ls` lines its columns up by terminal width: wide characters (CJK,
/// emoji) in an account name take two columns each.
#[test]
fn ls_columns_line_up_with_wide_characters() {
    use unicode_width::UnicodeWidthStr;
    let config = "[profile cafe]\nsso_account_id = 111111111111\nsso_role_name = Admin\nbadge_account_name = Café Ünïcode 中文\n\
                  [profile rocket]\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\nbadge_account_name = emoji 🚀 rocket\n\
                  [profile plain]\nsso_account_id = 333333333333\nsso_role_name = PowerUser\nbadge_account_name = plain\n";
    let sandbox = Sandbox::new(config);
    let mut cmd = sandbox.badge();
    cmd.arg("ls");
    let out = run(cmd, "badge ls");
    out.assert_clean();
    let columns: Vec<(usize, usize)> = out
        .stdout
        .lines()
        .map(|line| {
            let id = line.find("11111111").or_else(|| line.find("22222222"));
            let id = id.or_else(|| line.find("33333333")).expect("an account id");
            let role = ["Admin", "ReadOnly", "PowerUser"]
                .iter()
                .find_map(|r| line.find(r))
                .expect("a role");
            (line[..id].width(), line[..role].width())
        })
        .collect();
    assert_eq!(columns.len(), 3, "{}", out.stdout);
    assert!(
        columns.iter().all(|c| *c == columns[0]),
        "{columns:?}\n{}",
        out.stdout
    );
}

/// The playground end to end, with the binaries of this test build: sign
/// in, sync, and the Debian AWS CLI v2 (which ignores AWS_ENDPOINT_URL_*)
/// gets credentials from the emulator through the endpoint rules
/// `scripts/try` hands it in AWS_DATA_PATH. Cargo is a stand-in that
/// builds nothing.
#[test]
fn try_script_signs_in_syncs_and_the_aws_cli_gets_credentials() {
    if !require("bash") || !require("python3") || !support::aws_cli_v2_available() {
        return;
    }
    let built = support::badge_bin().parent().unwrap().to_owned();
    let emulator = built.join("examples/emulator");
    assert!(
        emulator.is_file(),
        "{} is built by cargo test",
        emulator.display()
    );
    let mut sandbox = Sandbox::new("");
    let home = sandbox.home().to_owned();
    let release = home.join("built/release");
    std::fs::create_dir_all(release.join("examples")).unwrap();
    std::os::unix::fs::symlink(support::badge_bin(), release.join("badge")).unwrap();
    std::os::unix::fs::symlink(&emulator, release.join("examples/emulator")).unwrap();
    let cargo = sandbox.write(
        "fake/cargo",
        "#!/bin/sh\n[ \"$1\" = metadata ] && printf '{\"target_directory\": \"%s\"}\\n' \"$CARGO_TARGET_DIR\"\nexit 0\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (_, path) = sandbox.env().find(|(k, _)| *k == "PATH").unwrap();
    let path = format!("{}:{}", home.join("fake").display(), path.display());
    sandbox
        .set_env("PATH", path)
        .set_env("CARGO_TARGET_DIR", home.join("built"));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/try");
    let mut cmd = sandbox.command("bash");
    cmd.arg(&script)
        .arg("bash")
        .stdin(std::process::Stdio::piped());
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(
                b"badge login\nbadge sync\nname=$(badge ls --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"name\"])')\n\
                  aws configure export-credentials --profile \"$name\" --format env-no-export | cut -d= -f1\nexit\n",
            )
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("AWS_ACCESS_KEY_ID\nAWS_SECRET_ACCESS_KEY\nAWS_SESSION_TOKEN\n"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("STS is not emulated"), "{stdout}");
}

/// Tab offers exactly what `badge WORD` would switch to, word for word: the
/// completion (`badge __complete`, as every shell's function calls it) and
/// a switch (`badge use WORD`, as the shell function runs it, with no
/// terminal: one name switches, several are listed) over the same names,
/// for every start, middle and case change of them.
#[test]
fn tab_offers_what_switching_matches() {
    const NAMES: &[&str] = &[
        "Production-Admin",
        "Production-ReadOnly",
        "production-legacy",
        "prod",
        "prod-readonly",
        "Staging-Admin",
        "staging-eu",
        "dev-alpha",
        "dev-beta-alpha",
        "DEV-gamma",
        "team:prod/Admin@x+y",
        "a=b",
        "über-Straße",
        "ÜBER-x",
        "kelvin-\u{212a}",
        "x_y-z",
    ];
    let mut config = String::new();
    for name in NAMES {
        config.push_str(&format!("[profile {name}]\nregion = eu-west-1\n\n"));
    }
    let sandbox = Sandbox::new(&config);
    let mut words: Vec<String> = vec!["ADMIN".into(), "admin".into(), "Admin".into(), "k".into()];
    for name in NAMES {
        let chars: Vec<char> = name.chars().collect();
        let n = chars.len();
        for start in [0, 1, 2, n / 2, n.saturating_sub(3)] {
            for len in [1, 2, 4, 7] {
                let Some(part) = chars.get(start..start + len) else {
                    continue;
                };
                let part: String = part.iter().collect();
                words.push(part.to_lowercase());
                words.push(part.to_uppercase());
                words.push(part);
            }
        }
    }
    words.sort();
    words.dedup();
    words.retain(|w| !w.starts_with('-') && !w.contains(' '));
    let mut failures = Vec::new();
    for word in &words {
        // What Tab offers after `badge use` (fish's form: one value a line,
        // a tab before any description).
        let mut cmd = sandbox.badge();
        cmd.args(["__complete", "fish", "--", "badge", "use", word]);
        let tab = run(cmd, format!("badge __complete fish -- badge use {word}"));
        tab.assert_clean();
        let mut offered: Vec<&str> = tab
            .stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect();
        offered.sort();
        // What the switch makes of the word.
        let mut cmd = sandbox.badge();
        cmd.env("__BADGE_SHELL", "bash").args(["use", word]);
        let switch = run(cmd, format!("badge use {word}"));
        let exact = NAMES.contains(&word.as_str());
        let mut matched: Vec<&str> = if let Some(line) = switch
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("export AWS_PROFILE='"))
        {
            vec![line.trim_end_matches('\'')]
        } else if let Some((_, list)) = switch.stderr.split_once(" profiles: ") {
            let list = list.split("; name one exactly").next().unwrap_or("");
            let list = list.split(" and ").next().unwrap_or("");
            list.split(", ").collect()
        } else {
            Vec::new()
        };
        matched.sort();
        let agrees = if exact {
            // An exact name wins the switch; Tab still offers the names
            // that start with it, the exact one among them.
            matched == [word.as_str()] && offered.contains(&word.as_str())
        } else if switch.stderr.contains(" and ") {
            // More than the ten a message lists: those ten are offered.
            matched.iter().all(|m| offered.contains(m)) && offered.len() > matched.len()
        } else {
            offered == matched
        };
        if !agrees {
            failures.push(format!(
                "{word:?}: Tab offers {offered:?}, the switch matches {matched:?}\n{}",
                switch.report()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} words disagree:\n\n{}",
        failures.len(),
        words.len(),
        failures.join("\n\n")
    );
}
