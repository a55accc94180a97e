//! badge in a real terminal: Tab completion and the picker, typed into an
//! interactive bash, zsh and fish running in tmux, and read back from the
//! screen. Each test starts its own tmux server (socket in its sandbox).

mod support;

use badge_emulator as emulator;
use emulator::{Emulator, EmulatorOptions, Org};
use support::tmux::{COMPINIT, Tmux, command_line, last_line};
use support::{CONFIG, Sandbox, Shell};

per_shell!(
    tab_completes_unique_profile_prefix,
    tab_completes_subcommand,
    tab_completes_sso_session,
    tab_completes_with_custom_cmd_name,
    tab_completes_from_installed_completion_file,
    tab_completes_hostile_names_to_themselves,
    prompt_segment_on_screen,
    prompt_follows_a_login_in_another_terminal,
    picker_filter_and_enter_switches,
    picker_escape_changes_nothing,
    picker_ctrl_c_changes_nothing,
    ambiguous_name_opens_prefiltered_picker,
);

/// Tmux needs to be there too; same rule as the shells.
fn start(sandbox: &Sandbox, sh: Shell, flags: &str) -> Option<Tmux> {
    support::require("tmux").then(|| Tmux::start_with(sandbox, sh, flags))
}

/// Print `$AWS_PROFILE` between markers that do not appear in the typed
/// command line itself (`"P""["` prints as `P[`).
fn echo_profile(tag: &str) -> String {
    format!("echo \"{tag}\"\"[$AWS_PROFILE]\"")
}

/// Type `typed`, press Tab, and wait until the line reads `completed`.
fn complete(tmux: &Tmux, typed: &str, completed: &str) {
    tmux.send_literal(typed);
    tmux.wait_for_command_line(typed);
    tmux.send_keys(&["Tab"]);
    tmux.wait_for_command_line(completed);
}

// 11. Completion.

fn tab_completes_unique_profile_prefix(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    complete(&tmux, "badge dev-a", "badge dev-alpha");
    tmux.send_keys(&["Enter"]);
    tmux.send_line(&echo_profile("A"));
    tmux.wait_for_text("A[dev-alpha]");
    // Also after `use`.
    complete(&tmux, "badge use prod-r", "badge use prod-readonly");
    tmux.send_keys(&["Enter"]);
    tmux.send_line(&echo_profile("B"));
    tmux.wait_for_text("B[prod-readonly]");
}

fn tab_completes_subcommand(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    complete(&tmux, "badge cur", "badge current");
    tmux.send_keys(&["C-u"]);
    tmux.wait_for_prompt();
    complete(&tmux, "badge ls --sso", "badge ls --sso-session");
}

fn tab_completes_sso_session(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    complete(
        &tmux,
        "badge ls --sso-session ac",
        "badge ls --sso-session acme",
    );
    tmux.send_keys(&["Enter"]);
    // The listing of that session: its profiles, and not the others.
    let screen = tmux.wait_for_text("prod-readonly");
    assert!(!screen.contains("staging-eu"), "{sh}: {screen}");
    tmux.send_keys(&["C-l"]);
    tmux.wait_for("a cleared screen", |s| !s.contains("prod-readonly"));
    complete(
        &tmux,
        "badge ls --sso-session ot",
        "badge ls --sso-session other",
    );
}

fn tab_completes_with_custom_cmd_name(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "--cmd awsp") else {
        return;
    };
    complete(&tmux, "awsp dev-a", "awsp dev-alpha");
    tmux.send_keys(&["Enter"]);
    tmux.send_line(&echo_profile("C"));
    tmux.wait_for_text("C[dev-alpha]");
}

/// `badge completions SHELL` saved where each shell looks for completion
/// files (as `badge completions --help` says), with no `badge init`: Tab
/// completes the binary's arguments.
fn tab_completes_from_installed_completion_file(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let (file, rc) = match sh {
        // bash-completion sources this file on the first Tab; source it
        // here, since the test shell does not load bash-completion.
        Shell::Bash => (
            ".local/share/bash-completion/completions/badge",
            "source ~/.local/share/bash-completion/completions/badge".to_owned(),
        ),
        Shell::Zsh => (
            ".zfunc/_badge",
            format!("fpath=(~/.zfunc $fpath)\n{COMPINIT}"),
        ),
        // `--no-config` empties the completion path; put back the user's.
        Shell::Fish => (
            ".config/fish/completions/badge.fish",
            "set -g fish_complete_path ~/.config/fish/completions".to_owned(),
        ),
    };
    let mut cmd = sandbox.badge();
    cmd.args(["completions", sh.name()]);
    let script = support::run(cmd, format!("badge completions {sh}"));
    script.assert_clean();
    sandbox.write(file, &script.stdout);
    if !support::require("tmux") {
        return;
    }
    let tmux = Tmux::start_rc(&sandbox, sh, &rc);
    complete(&tmux, "badge dev-a", "badge dev-alpha");
    tmux.send_keys(&["C-u"]);
    complete(
        &tmux,
        "badge ls --sso-session ac",
        "badge ls --sso-session acme",
    );
}

/// Names whose first letters are unique, so Tab completes each in one go;
/// the completed word, run, must switch to exactly that name.
const HOSTILE: &[(&str, &str, &str)] = &[
    // (name, config header, typed prefix)
    ("quote'name", r#"[profile "quote'name"]"#, "quo"),
    ("x$(touch PWNED1)", r#"[profile "x$(touch PWNED1)"]"#, "x"),
    (
        "back`touch PWNED2`",
        r#"[profile "back`touch PWNED2`"]"#,
        "ba",
    ),
    (
        "space name;touch PWNED3",
        r#"[profile "space name;touch PWNED3"]"#,
        "sp",
    ),
    ("über-中文", "[profile über-中文]", "üb"),
    ("%d{a,b}*", "[profile %d{a,b}*]", "%"),
    // What `badge sync` names look like; `:` and `=` break words in bash.
    (
        "team:prod/Admin@x+y",
        "[profile team:prod/Admin@x+y]",
        "team:p",
    ),
    ("a=b", "[profile a=b]", "a="),
];

fn tab_completes_hostile_names_to_themselves(sh: Shell) {
    let mut config = String::new();
    for (_, header, _) in HOSTILE {
        config.push_str(&format!("{header}\nregion = eu-west-1\n\n"));
    }
    let sandbox = Sandbox::new(&config);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    for (i, (name, _, prefix)) in HOSTILE.iter().enumerate() {
        let typed = format!("badge use {prefix}");
        tmux.send_literal(&typed);
        tmux.wait_for_command_line(&typed);
        tmux.send_keys(&["Tab"]);
        let screen = tmux.wait_for(&format!("Tab to complete {name:?}"), |screen| {
            command_line(screen).is_some_and(|line| line != typed)
        });
        let completed = command_line(&screen).unwrap_or("").to_owned();
        tmux.send_keys(&["Enter"]);
        let tag = format!("H{i}");
        tmux.send_line(&echo_profile(&tag));
        let want = format!("{tag}[{name}]");
        tmux.wait_for(
            &format!("{want:?} after completing to {completed:?}"),
            |s| s.lines().any(|l| l == want),
        );
        // The prompt drawn by the shell itself shows the name as text.
        tmux.wait_for(&format!("the prompt segment for {name:?}"), |s| {
            s.lines()
                .last()
                .is_some_and(|l| l.starts_with(&format!("(aws:{name}) test")))
        });
        tmux.send_keys(&["C-l"]);
        tmux.wait_for("a cleared screen", |s| !s.contains(&want));
    }
    let pwned = sandbox.files_named("PWNED");
    assert!(pwned.is_empty(), "{sh}: a profile name ran code: {pwned:?}");
}

/// The prompt drawn by the interactive shell (precmd and all) shows the
/// profile, follows switches and disappears with `badge off`.
fn prompt_segment_on_screen(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    for (command, segment) in [
        ("badge prod", "(aws:prod) test"),
        ("badge staging-eu", "(aws:staging-eu) test"),
        ("badge off", "test"),
    ] {
        tmux.send_line(command);
        tmux.wait_for(&format!("a prompt starting with {segment:?}"), |s| {
            last_line(s).starts_with(segment) && command_line(s) == Some("")
        });
    }
}

/// Wait for a fresh, empty prompt that starts with `segment`.
fn wait_for_segment(tmux: &Tmux, segment: &str) {
    tmux.wait_for(&format!("a prompt starting with {segment:?}"), |s| {
        last_line(s).starts_with(segment) && command_line(s) == Some("")
    });
}

/// Two terminals on one profile: a login in one shows in the other's next
/// prompt (Enter on an empty line), and so does a logout the other way.
fn prompt_follows_a_login_in_another_terminal(sh: Shell) {
    if !support::require("tmux") {
        return;
    }
    let emu = Emulator::start(EmulatorOptions {
        approve_on_start: true,
        ..EmulatorOptions::new(Org::generated(1, 1, false))
    });
    let account = &emu.org().accounts[0];
    let config = format!(
        "[sso-session acme]\nsso_start_url = {}\nsso_region = eu-west-1\n\
         sso_registration_scopes = sso:account:access\n\n\
         [profile p]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\n",
        emu.start_url(),
        account.id,
        account.roles[0]
    );
    let mut sandbox = Sandbox::new(&config);
    let _ = std::fs::remove_dir_all(sandbox.home().join(".aws/sso"));
    sandbox.set_envs(emu.env());
    let first = Tmux::start(&sandbox, sh);
    let second = Tmux::start_another(&sandbox, sh, "second.sock");
    for tmux in [&first, &second] {
        tmux.send_line("badge p");
        wait_for_segment(tmux, "(aws:p signed out) test");
    }
    second.send_line("badge login --device-code --no-browser");
    wait_for_segment(&second, "(aws:p) test");
    first.send_keys(&["Enter"]);
    wait_for_segment(&first, "(aws:p) test");
    first.send_line("badge logout");
    wait_for_segment(&first, "(aws:p signed out) test");
    second.send_keys(&["Enter"]);
    wait_for_segment(&second, "(aws:p signed out) test");
}

// 12. The picker.

/// Wait until the picker shows exactly `shown` of the config's profiles.
fn wait_for_picker(tmux: &Tmux, shown: &[&str]) -> String {
    let all = ["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"];
    tmux.wait_for(&format!("the picker showing {shown:?}"), |screen| {
        all.iter().all(|name| {
            screen.lines().any(|l| l.contains(&format!(" {name} "))) == shown.contains(name)
        })
    })
}

fn picker_filter_and_enter_switches(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!("badge; {}", echo_profile("P")));
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    tmux.send_literal("beta");
    wait_for_picker(&tmux, &["dev-beta"]);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("P[dev-beta]");
}

fn picker_escape_changes_nothing(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!("badge prod; badge; {}", echo_profile("E")));
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    tmux.send_literal("stag");
    wait_for_picker(&tmux, &["staging-eu"]);
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_text("E[prod]");
    // `badge -` still goes back to where the shell was before `badge prod`.
    tmux.send_line(&format!("badge -; {}", echo_profile("F")));
    tmux.wait_for_text("F[]");
}

fn picker_ctrl_c_changes_nothing(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!("badge dev-beta; badge; {}", echo_profile("C")));
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    tmux.send_keys(&["C-c"]);
    tmux.wait_for_text("C[dev-beta]");
}

fn ambiguous_name_opens_prefiltered_picker(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!("badge dev; {}", echo_profile("D")));
    let screen = wait_for_picker(&tmux, &["dev-alpha", "dev-beta"]);
    assert!(
        screen
            .lines()
            .any(|l| l.trim_end().ends_with("dev") && !l.contains("badge dev")),
        "{sh}: the picker's query is `dev`\n{screen}"
    );
    tmux.send_literal("b");
    wait_for_picker(&tmux, &["dev-beta"]);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("D[dev-beta]");
}

#[test]
fn screen_parsing_finds_the_command_line() {
    assert_eq!(command_line("x\ntest$ badge dev"), Some("badge dev"));
    assert_eq!(command_line("(aws:prod) test% "), Some(""));
    assert_eq!(command_line("test> a\n\n"), Some("a"));
    assert_eq!(command_line("> beta"), None);
}

/// `badge session add` with no flags, typed at a terminal like `aws
/// configure sso`: the start URL may be typed without `https://`.
#[test]
fn session_add_asks_and_takes_a_start_url_without_a_scheme() {
    let sandbox = Sandbox::new("");
    let Some(tmux) = start(&sandbox, Shell::Bash, "") else {
        return;
    };
    tmux.send_line("badge session add");
    tmux.wait_for_text("SSO session name:");
    tmux.send_line("acme");
    tmux.wait_for_text("SSO start URL:");
    tmux.send_line("acme.awsapps.com/start");
    tmux.wait_for_text("SSO region:");
    tmux.send_line("eu-west-1");
    tmux.wait_for_text("SSO registration scopes [sso:account:access]:");
    tmux.send_line("");
    tmux.wait_for_text("badge: added [sso-session acme]");
    let config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert!(
        config.contains("sso_start_url = https://acme.awsapps.com/start\n"),
        "{config}"
    );
}

/// At a terminal, `badge exec` still takes a fragment of a name, as
/// switching does (a program gets exact names only: tests/errors.rs).
#[test]
fn exec_at_a_terminal_takes_a_fragment() {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, Shell::Bash, "") else {
        return;
    };
    tmux.send_line("badge exec dev-a -- sh -c 'echo \"P\"\"=[$AWS_PROFILE]\"'");
    tmux.wait_for_text("P=[dev-alpha]");
    tmux.wait_for_text("badge: dev-a → dev-alpha");
}
