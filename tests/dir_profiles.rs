//! Per-directory profiles: a trusted `.aws-profile` switches a shell with
//! badge's integration on entering its folder (or any below it) and back on
//! leaving, in real bash, zsh and fish. The scripts run the hook the way a
//! prompt does (`__badge_dir_hook`; zsh's `chpwd` and fish's `PWD` event
//! also run it on `cd`); typing `cd` at a terminal is in `tests/tmux.rs`.

mod support;

use std::path::PathBuf;

use support::{CONFIG, Run, Sandbox, Shell, run_shell};

per_shell!(
    a_trusted_tree_switches_and_leaving_restores,
    an_untrusted_file_is_pointed_out_once_and_switches_nothing,
    a_changed_file_is_untrusted_again,
    a_missing_profile_is_reported,
    a_manual_switch_inside_the_tree_wins_until_leaving,
    a_switch_on_the_line_of_a_cd_comes_after_it,
    deny_forgets_and_allow_takes_effect_at_once,
    deny_inside_the_tree_says_so_once,
    current_and_doctor_name_the_file,
    hostile_file_contents_do_nothing_harmful,
    no_process_starts_without_a_file_or_a_change,
    with_a_command_name_the_hint_is_that_command,
);

/// `body` after the init line; `H` in it runs the hook as a prompt would.
fn script(sh: Shell, body: &str) -> String {
    let body: Vec<&str> = body
        .lines()
        .map(|line| {
            if line == "H" {
                "__badge_dir_hook"
            } else {
                line
            }
        })
        .collect();
    format!("{}\n{}\n", sh.init(), body.join("\n"))
}

fn show(sh: Shell) -> String {
    sh.show("AWS_PROFILE")
}

/// A sandbox with `~/repo/.aws-profile` holding `content`, and the folders
/// `~/repo/sub/deep` and `~/other`.
fn sandbox_with(content: &[u8]) -> Sandbox {
    let sandbox = Sandbox::new(CONFIG);
    sandbox.write("repo/.aws-profile", content);
    std::fs::create_dir_all(sandbox.home().join("repo/sub/deep")).unwrap();
    std::fs::create_dir_all(sandbox.home().join("other")).unwrap();
    sandbox
}

/// The real path of something in the sandbox.
fn real(sandbox: &Sandbox, relative: &str) -> PathBuf {
    std::fs::canonicalize(sandbox.home().join(relative)).unwrap()
}

fn repo(sandbox: &Sandbox) -> String {
    real(sandbox, "repo").display().to_string()
}

fn untrusted_line(sandbox: &Sandbox, profile: &str) -> String {
    format!(
        "badge: {}/.aws-profile is not trusted, so this shell does not switch to {profile}; \
         trust it with `badge allow {}`",
        repo(sandbox),
        repo(sandbox)
    )
}

#[track_caller]
fn ok(run: &Run) {
    assert!(run.status.success(), "{}", run.report());
}

fn a_trusted_tree_switches_and_leaving_restores(sh: Shell) {
    let mut sandbox = sandbox_with(b"prod\n");
    sandbox.count_badge_runs();
    let s = show(sh);
    let body = format!(
        "\nbadge dev-alpha\nbadge allow repo\nH\n{s}\ncd repo\nH\n{s}\nH\ncd sub/deep\nH\n{s}\n\
         cd ../..\nH\n{s}\ncd ~/other\nH\n{s}\nH\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[dev-alpha]\nAWS_PROFILE=[prod]\nAWS_PROFILE=[prod]\n\
         AWS_PROFILE=[prod]\nAWS_PROFILE=[dev-alpha]\n",
        "{}",
        out.report()
    );
    assert!(
        out.stderr.contains(&format!(
            "badge: trusted {}/.aws-profile: inside {} this shell switches to prod",
            repo(&sandbox),
            repo(&sandbox)
        )),
        "{}",
        out.report()
    );
    // One run on entering the tree, one on leaving it.
    let dir_runs = sandbox
        .badge_runs()
        .iter()
        .filter(|r| *r == "__dir")
        .count();
    assert_eq!(
        dir_runs,
        2,
        "{sh}: {:?}\n{}",
        sandbox.badge_runs(),
        out.report()
    );
    // `badge -` goes back to the profile before the tree.
    let body = format!("\nbadge dev-alpha\ncd repo\nH\nbadge -\n{s}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(out.stdout, "AWS_PROFILE=[dev-alpha]\n", "{}", out.report());
}

fn an_untrusted_file_is_pointed_out_once_and_switches_nothing(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    let s = show(sh);
    let body = format!("\ncd repo\nH\nH\n{s}\ncd sub\nH\n{s}\nH\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE unset\nAWS_PROFILE unset\n",
        "{}",
        out.report()
    );
    assert_eq!(
        out.stderr,
        format!("{}\n", untrusted_line(&sandbox, "prod")),
        "{}",
        out.report()
    );
    // A new file beside it (the folder changed) asks badge, which stays
    // quiet; entering the tree again says it again.
    // File times move in steps of a few milliseconds: an edit in the same
    // step as the hook's stamp has its very time, and is seen with the next
    // change only. A person's edits are never that close; each one here
    // waits for the next step.
    let body =
        "\ncd repo\nH\ncommand sleep 0.02\necho x > new-file\nH\nH\ncd ~\nH\ncd repo/sub\nH\n";
    let out = run_shell(sh, &sandbox, &script(sh, body));
    ok(&out);
    assert_eq!(
        out.stderr,
        format!("{l}\n{l}\n", l = untrusted_line(&sandbox, "prod")),
        "{}",
        out.report()
    );
}

fn a_changed_file_is_untrusted_again(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    sandbox.write("repo/.aws-profile", "staging-eu\n");
    let s = show(sh);
    let body = format!("\ncd repo\nH\n{s}\nH\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(out.stdout, "AWS_PROFILE unset\n", "{}", out.report());
    assert_eq!(
        out.stderr,
        format!(
            "badge: {r}/.aws-profile changed since it was trusted, so this shell does not \
             switch to staging-eu; check it, then trust it with `badge allow {r}`\n",
            r = repo(&sandbox)
        ),
        "{}",
        out.report()
    );
    // A change while the shell is inside the tree is seen on the next
    // prompt, once.
    ok(&sandbox.run_badge(&["allow", "repo"]));
    // An edit waits for the next step of file times (see above).
    let body = format!(
        "\ncd repo\nH\n{s}\ncommand sleep 0.02\necho prod-readonly > .aws-profile\nH\n{s}\nH\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[staging-eu]\nAWS_PROFILE=[staging-eu]\n",
        "{}",
        out.report()
    );
    assert_eq!(
        out.stderr.matches("changed since it was trusted").count(),
        1,
        "{}",
        out.report()
    );
}

fn a_missing_profile_is_reported(sh: Shell) {
    let sandbox = sandbox_with(b"nope\n");
    let s = show(sh);
    let body = format!("\ncd repo\nH\nH\n{s}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(out.stdout, "AWS_PROFILE unset\n", "{}", out.report());
    let home = sandbox.home().display().to_string();
    let line = format!(
        "badge: {}/.aws-profile names the profile nope, which is not defined in \
         {home}/.aws/config or {home}/.aws/credentials; fix the file, or add the profile \
         (`badge sync`)",
        repo(&sandbox)
    );
    assert_eq!(out.stderr, format!("{line}\n"), "{}", out.report());
    // `badge allow` refuses it with the same message.
    let allow = sandbox.run_badge(&["allow", "repo"]);
    assert_eq!(allow.code(), Some(1), "{}", allow.report());
    assert_eq!(allow.stderr, format!("{line}\n"), "{}", allow.report());
    // A profile whose sso-session is missing switches nothing either, and
    // says what `badge NAME` says.
    let mut config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    config.push_str(
        "\n[profile orphan]\nsso_session = gone\nsso_account_id = 111111111111\n\
         sso_role_name = Admin\n",
    );
    sandbox.write(".aws/config", config);
    sandbox.write("repo/.aws-profile", "orphan\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(out.stdout, "AWS_PROFILE unset\n", "{}", out.report());
    assert_eq!(
        out.stderr,
        format!(
            "badge: profile orphan uses sso-session gone, but there is no [sso-session gone] in \
             {home}/.aws/config; add it with `badge session add gone --start-url URL --region \
             REGION`\n"
        ),
        "{}",
        out.report()
    );
}

fn a_manual_switch_inside_the_tree_wins_until_leaving(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let s = show(sh);
    let body = format!(
        "\nbadge dev-alpha\ncd repo\nH\n{s}\nbadge staging-eu\nH\ncd sub\nH\n{s}\n\
         cd ..\nH\n{s}\ncd ..\nH\n{s}\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[prod]\nAWS_PROFILE=[staging-eu]\nAWS_PROFILE=[staging-eu]\n\
         AWS_PROFILE=[dev-alpha]\n",
        "{}",
        out.report()
    );
}

/// `cd ~ && badge NAME` (and `cd repo && badge NAME`) typed as one line:
/// bash runs its hook at the next prompt only, after the switch, and must
/// not undo it then; the switch comes after the `cd` it follows.
fn a_switch_on_the_line_of_a_cd_comes_after_it(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let s = show(sh);
    let body = format!(
        "\nbadge dev-alpha\ncd repo\nH\n{s}\ncd ~ && badge staging-eu\nH\n{s}\n\
         cd repo && badge dev-beta\nH\n{s}\ncd ~\nH\n{s}\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[prod]\nAWS_PROFILE=[staging-eu]\nAWS_PROFILE=[dev-beta]\n\
         AWS_PROFILE=[staging-eu]\n",
        "{}",
        out.report()
    );
}

fn deny_forgets_and_allow_takes_effect_at_once(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let s = show(sh);
    let body = format!(
        "\ncd repo\nH\n{s}\ncd ..\nH\nbadge deny repo\ncd repo\nH\n{s}\nbadge allow\nH\n{s}\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[prod]\nAWS_PROFILE unset\nAWS_PROFILE=[prod]\n",
        "{}",
        out.report()
    );
    let r = repo(&sandbox);
    assert!(
        out.stderr.contains(&format!(
            "badge: {r}/.aws-profile is no longer trusted; it switches nothing until \
             `badge allow {r}`\n"
        )),
        "{}",
        out.report()
    );
    assert!(
        out.stderr.contains(&untrusted_line(&sandbox, "prod")),
        "{}",
        out.report()
    );
    // The trust is kept private.
    let allowed = sandbox.home().join(".local/state/badge/allowed");
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&allowed), 0o700);
    for entry in std::fs::read_dir(&allowed).unwrap().flatten() {
        assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
    }
    // Nothing to trust.
    let none = sandbox.run_badge(&["allow", "other"]);
    assert_eq!(none.code(), Some(1), "{}", none.report());
    assert_eq!(
        none.stderr,
        format!(
            "badge: there is no .aws-profile in {o} or any folder above it; write a profile \
             name in {o}/.aws-profile first\n",
            o = real(&sandbox, "other").display()
        ),
        "{}",
        none.report()
    );
}

/// `badge deny` inside the tree: one line says the file is no longer
/// trusted, and the next prompt does not say it again in other words.
fn deny_inside_the_tree_says_so_once(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let s = show(sh);
    let body = format!("\ncd repo\nH\n{s}\nbadge deny\nH\n{s}\nH\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE=[prod]\nAWS_PROFILE=[prod]\n",
        "{}",
        out.report()
    );
    let r = repo(&sandbox);
    assert_eq!(
        out.stderr,
        format!(
            "badge: {r}/.aws-profile is no longer trusted; it switches nothing until \
             `badge allow {r}`\n"
        ),
        "{}",
        out.report()
    );
}

fn current_and_doctor_name_the_file(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let file = format!("{}/.aws-profile", repo(&sandbox));
    let body = "\ncd repo\nH\nbadge current --json\nbadge current\nbadge doctor\n\
                badge prod-readonly\nbadge current --json\n";
    let out = run_shell(sh, &sandbox, &script(sh, body));
    let json: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.len(), 2, "{}", out.report());
    assert_eq!(json[0]["profile"], "prod", "{}", out.report());
    assert_eq!(json[0]["directory_file"], file.as_str(), "{}", out.report());
    assert_eq!(json[1]["profile"], "prod-readonly", "{}", out.report());
    assert!(json[1]["directory_file"].is_null(), "{}", out.report());
    assert!(
        out.stdout.contains(&format!("  directory {file}\n")),
        "{}",
        out.report()
    );
    // Its values start in one column, the directory's too.
    let value_column = |line: &str| {
        let rest = &line[2..];
        let after_label = &rest[rest.find(' ').unwrap()..];
        line.len() - after_label.trim_start().len()
    };
    let columns: Vec<usize> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .take_while(|l| !l.contains("directory profile"))
        .map(value_column)
        .collect();
    assert!(columns.len() >= 4, "{}", out.report());
    assert!(
        columns.iter().all(|c| *c == columns[0]),
        "{columns:?}\n{}",
        out.report()
    );
    assert!(
        out.stdout
            .contains(&format!("directory profile prod in effect, from {file}")),
        "{}",
        out.report()
    );
}

/// Hostile content: escapes, a command substitution, a megabyte line. None
/// runs, none reaches the terminal raw, none switches unless trusted, and
/// a trusted name is the literal name.
fn hostile_file_contents_do_nothing_harmful(sh: Shell) {
    let config = format!("{CONFIG}\n[profile \"$(touch pwned)\"]\nregion = eu-west-1\n");
    let big = format!("{}\n", "a".repeat(1 << 20));
    let cases: [(&[u8], &str); 4] = [
        (b"prod\x1b]0;owned\x07\n", "it has control characters"),
        (b"prod\xff\n", "it is not UTF-8 text"),
        (big.as_bytes(), "it is longer than 4096 bytes"),
        (b"\n\nprod\n", "it is empty"),
    ];
    for (content, why) in cases {
        let sandbox = Sandbox::new(&config);
        sandbox.write("repo/.aws-profile", content);
        let s = show(sh);
        let body = format!("\ncd repo\nH\nH\n{s}\n");
        let out = run_shell(sh, &sandbox, &script(sh, &body));
        ok(&out);
        assert_eq!(out.stdout, "AWS_PROFILE unset\n", "{}", out.report());
        let line = format!(
            "badge: {}/.aws-profile does not name a profile on its first line: {why}; \
             write one profile name on it",
            repo(&sandbox)
        );
        assert_eq!(out.stderr, format!("{line}\n"), "{}", out.report());
        let allow = sandbox.run_badge(&["allow", "repo"]);
        assert_eq!(allow.code(), Some(1), "{}", allow.report());
        assert_eq!(allow.stderr, format!("{line}\n"), "{}", allow.report());
    }
    let sandbox = Sandbox::new(&config);
    sandbox.write("repo/.aws-profile", "$(touch pwned)\n");
    let s = show(sh);
    let body = format!("\ncd repo\nH\n{s}\ncd ..\nbadge allow repo\ncd repo\nH\n{s}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(
        out.stdout,
        "AWS_PROFILE unset\nAWS_PROFILE=[$(touch pwned)]\n",
        "{}",
        out.report()
    );
    assert!(
        out.stderr.contains(&format!(
            "so this shell does not switch to $(touch pwned); trust it with `badge allow {}`",
            repo(&sandbox)
        )),
        "{}",
        out.report()
    );
    assert!(sandbox.files_named("pwned").is_empty(), "{}", out.report());
    // A repository's `.aws-profile` that links to a trusted file elsewhere
    // is a file of its own: not trusted.
    let sandbox = sandbox_with(b"prod\n");
    ok(&sandbox.run_badge(&["allow", "repo"]));
    std::fs::create_dir_all(sandbox.home().join("hostile")).unwrap();
    std::os::unix::fs::symlink(
        sandbox.home().join("repo/.aws-profile"),
        sandbox.home().join("hostile/.aws-profile"),
    )
    .unwrap();
    let body = format!("\ncd hostile\nH\n{s}\n");
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    ok(&out);
    assert_eq!(out.stdout, "AWS_PROFILE unset\n", "{}", out.report());
    let hostile = real(&sandbox, "hostile").display().to_string();
    assert_eq!(
        out.stderr,
        format!(
            "badge: {hostile}/.aws-profile is not trusted, so this shell does not switch to \
             prod; trust it with `badge allow {hostile}`\n"
        ),
        "{}",
        out.report()
    );
}

/// Prompts and `cd` with no `.aws-profile` around, or nothing changed,
/// start no process: a wrapper counts badge's runs, and an empty PATH
/// draws the prompt without an error.
fn no_process_starts_without_a_file_or_a_change(sh: Shell) {
    let mut sandbox = sandbox_with(b"prod\n");
    std::fs::create_dir_all(sandbox.home().join("a/b/c")).unwrap();
    sandbox.count_badge_runs();
    ok(&sandbox.run_badge(&["allow", "repo"]));
    let empty = match sh {
        Shell::Fish => "set PATH",
        _ => "PATH=",
    };
    let body = format!(
        "\nH\ncd a/b/c\nH\nH\ncd /\nH\ncd ~\nH\ncd repo\nH\nH\ncd sub/deep\nH\nH\n\
         cd ~/other\nH\nH\n{empty}\nH\ncd ~/a\nH\n"
    );
    let out = run_shell(sh, &sandbox, &script(sh, &body));
    out.assert_clean();
    assert_eq!(
        sandbox.badge_runs(),
        ["init", "__dir", "__dir"],
        "{sh}: badge runs\n{}",
        out.report()
    );
}

/// With `--cmd awsp`, the hint names `awsp allow …`, which goes through the
/// function and so takes effect at the next prompt (`badge allow`, the
/// binary itself, would not tell this shell to look again).
fn with_a_command_name_the_hint_is_that_command(sh: Shell) {
    let sandbox = sandbox_with(b"prod\n");
    let s = show(sh);
    let body = format!("\ncd repo\nH\n{s}\nawsp allow\nH\n{s}\n");
    let script = script(sh, &body).replacen(&sh.init(), &sh.init_with("--cmd awsp"), 1);
    let out = run_shell(sh, &sandbox, &script);
    ok(&out);
    let repo = repo(&sandbox);
    let hint = format!(
        "badge: {repo}/.aws-profile is not trusted, so this shell does not switch to prod; \
         trust it with `awsp allow {repo}`"
    );
    assert!(out.stderr.contains(&hint), "{}", out.report());
    assert_eq!(
        out.stdout,
        "AWS_PROFILE unset\nAWS_PROFILE=[prod]\n",
        "{}",
        out.report()
    );
}
