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
    tab_completes_like_switching,
    tab_keeps_the_word_when_matches_share_no_start,
    prompt_segment_on_screen,
    prompt_follows_a_login_in_another_terminal,
    cd_into_a_trusted_folder_switches_and_back,
    picker_filter_and_enter_switches,
    picker_escape_changes_nothing,
    picker_ctrl_c_changes_nothing,
    picker_ends_when_its_terminal_is_gone,
    ambiguous_name_opens_prefiltered_picker,
    ambiguous_name_picker_holds_every_profile,
    picker_cursor_starts_on_the_active_profile,
    picker_spinner_stops_when_matching_is_done,
    picker_cuts_a_long_wide_name_with_one_ellipsis,
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

/// Profiles as `badge sync` names them for a user's first week: capitals,
/// and names that share their middle, not their start.
const SYNCED: &str = "\
[profile Production-Admin]
region = eu-west-1

[profile Production-ReadOnly]
region = eu-west-1

[profile Staging-Admin]
region = eu-west-1

[profile dev-alpha]
region = eu-west-1

[profile dev-beta-alpha]
region = eu-west-1
";

/// The line being edited when a completion list may be drawn below it:
/// the last line of the screen that is a prompt.
fn prompt_line(screen: &str) -> Option<&str> {
    screen.lines().rev().find_map(command_line)
}

/// Tab offers what `badge WORD` would switch to: smart case (lower case
/// matches either case), a prefix, else a substring; a unique match replaces
/// the word, also when its case differs.
fn tab_completes_like_switching(sh: Shell) {
    let sandbox = Sandbox::new(SYNCED);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    // The README's first example, with the names `badge sync` writes: the
    // two share `Production-` (zsh and fish also list them below).
    let tab_to = |completed: &str| {
        tmux.send_keys(&["Tab"]);
        tmux.wait_for(&format!("the command line {completed:?}"), |s| {
            prompt_line(s) == Some(completed)
        });
    };
    tmux.send_literal("badge prod");
    tmux.wait_for_command_line("badge prod");
    tab_to("badge Production-");
    tmux.send_literal("R");
    tmux.wait_for("the command line \"badge Production-R\"", |s| {
        prompt_line(s) == Some("badge Production-R")
    });
    tab_to("badge Production-ReadOnly");
    tmux.send_keys(&["C-u", "C-l"]);
    tmux.wait_for_prompt();
    complete(&tmux, "badge stag", "badge Staging-Admin");
    tmux.send_keys(&["Enter"]);
    tmux.send_line(&echo_profile("S"));
    tmux.wait_for_text("S[Staging-Admin]");
    // A unique substring, in another case, after `use` too.
    complete(&tmux, "badge use readonly", "badge use Production-ReadOnly");
    tmux.send_keys(&["Enter"]);
    tmux.send_line(&echo_profile("R"));
    tmux.wait_for_text("R[Production-ReadOnly]");
    // An upper-case letter makes case matter, as it does for a switch.
    tmux.send_keys(&["C-l"]);
    tmux.wait_for("a cleared screen", |s| !s.contains("R[Production"));
    complete(&tmux, "badge Sta", "badge Staging-Admin");
}

/// Several matches that share only their middle (`alpha` in `dev-alpha`
/// and `dev-beta-alpha`): the typed word stays as it is (no shell replaces
/// it with their common start, `dev-`), and the matches are listed.
fn tab_keeps_the_word_when_matches_share_no_start(sh: Shell) {
    let sandbox = Sandbox::new(SYNCED);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_literal("badge alpha");
    tmux.wait_for_command_line("badge alpha");
    // bash lists on the second Tab; zsh and fish on the first (a second
    // would go into their menu).
    let keys: &[&str] = match sh {
        Shell::Bash => &["Tab", "Tab"],
        Shell::Zsh | Shell::Fish => &["Tab"],
    };
    for key in keys {
        tmux.send_keys(&[key]);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let screen = tmux.wait_for("both matches listed", |s| {
        s.lines().any(|l| l.contains("dev-beta-alpha"))
            && s.lines()
                .any(|l| l.split_whitespace().any(|w| w == "dev-alpha"))
    });
    assert_eq!(
        prompt_line(&screen),
        Some("badge alpha"),
        "{sh}: the typed word changed\n{screen}"
    );
    assert!(
        !screen.contains("Production"),
        "{sh}: only the matches are listed\n{screen}"
    );
}

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

/// `cd` typed at a terminal: into a trusted `.aws-profile`'s folder the
/// prompt shows its profile at once, in a folder below too, and back out
/// the profile before; an untrusted one is pointed out with the command
/// that trusts it, and switches nothing.
fn cd_into_a_trusted_folder_switches_and_back(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    sandbox.write("repo/.aws-profile", "prod\n");
    sandbox.write("repo/sub/keep", "");
    sandbox.write("untrusted/.aws-profile", "staging-eu\n");
    let allow = sandbox.run_badge(&["allow", "repo"]);
    assert!(allow.status.success(), "{}", allow.report());
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line("badge dev-alpha");
    wait_for_segment(&tmux, "(aws:dev-alpha) test");
    tmux.send_line("cd ~/repo");
    wait_for_segment(&tmux, "(aws:prod) test");
    tmux.send_line("cd sub");
    wait_for_segment(&tmux, "(aws:prod) test");
    tmux.send_line("cd ~");
    wait_for_segment(&tmux, "(aws:dev-alpha) test");
    tmux.send_line("cd ~/untrusted");
    // The message wraps at the terminal's edge: wait for its start.
    tmux.wait_for_text("is not trusted, so this shell does not switch to staging-eu");
    wait_for_segment(&tmux, "(aws:dev-alpha) test");
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

/// Print the exit status of the last command between markers, as
/// [`echo_profile`] does.
fn echo_status(sh: Shell, tag: &str) -> String {
    format!("echo \"{tag}\"\"[{}]\"", sh.status())
}

fn picker_escape_changes_nothing(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    // Leaving the picker is an interruption, as in fzf: exit status 130.
    tmux.send_line(&format!(
        "badge prod; badge; {}; {}",
        echo_status(sh, "X"),
        echo_profile("E")
    ));
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    tmux.send_literal("stag");
    wait_for_picker(&tmux, &["staging-eu"]);
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_text("E[prod]");
    tmux.wait_for_text("X[130]");
    // `badge -` still goes back to where the shell was before `badge prod`.
    tmux.send_line(&format!("badge -; {}", echo_profile("F")));
    tmux.wait_for_text("F[]");
}

/// A picker whose terminal goes away (the window closed, the tmux server
/// killed) ends instead of spinning on a terminal that reads nothing.
fn picker_ends_when_its_terminal_is_gone(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line("badge");
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    let home = format!("HOME={}", sandbox.home().display());
    // badge processes of this sandbox, by their environment.
    let running = || -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let dir = entry.path();
            let Ok(environ) = std::fs::read(dir.join("environ")) else {
                continue;
            };
            let ours = environ.split(|&b| b == 0).any(|var| var == home.as_bytes());
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if ours && comm.trim() == "badge" {
                found.push(dir.display().to_string());
            }
        }
        found
    };
    assert!(!running().is_empty(), "the picker is not running");
    drop(tmux);
    let start = std::time::Instant::now();
    while !running().is_empty() && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let left = running();
    for pid in &left {
        let pid = pid.trim_start_matches("/proc/");
        let _ = std::process::Command::new("kill")
            .args(["-KILL", pid])
            .status();
    }
    assert!(
        left.is_empty(),
        "still running 10 s after its terminal went away: {left:?}"
    );
}

fn picker_ctrl_c_changes_nothing(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!(
        "badge dev-beta; badge; {}; {}",
        echo_status(sh, "X"),
        echo_profile("C")
    ));
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    tmux.send_keys(&["C-c"]);
    tmux.wait_for_text("C[dev-beta]");
    tmux.wait_for_text("X[130]");
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

/// The picker of an ambiguous name holds every profile, with the name as
/// its query: clearing it (Ctrl-U) shows them all, and another fragment
/// finds another profile.
fn ambiguous_name_picker_holds_every_profile(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!("badge dev; {}", echo_profile("D")));
    wait_for_picker(&tmux, &["dev-alpha", "dev-beta"]);
    tmux.send_keys(&["C-u"]);
    let screen = wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    assert!(screen.contains(" 6/6 "), "{sh}: every profile\n{screen}");
    tmux.send_literal("stag");
    wait_for_picker(&tmux, &["staging-eu"]);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("D[staging-eu]");
}

/// The line the picker's cursor is on (nucleo-picker marks it with `▌`).
fn selected_line(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with('▌'))
}

/// The cursor starts on the active profile: Enter keeps it; with a query,
/// on the active profile when it matches.
fn picker_cursor_starts_on_the_active_profile(sh: Shell) {
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line(&format!(
        "badge prod-readonly; badge; {}",
        echo_profile("A")
    ));
    let screen = tmux.wait_for("the cursor on prod-readonly", |s| {
        selected_line(s).is_some_and(|l| l.contains(" prod-readonly "))
    });
    assert!(
        screen.contains("* prod-readonly "),
        "{sh}: the active profile is marked\n{screen}"
    );
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("A[prod-readonly]");
    tmux.send_keys(&["C-l"]);
    tmux.wait_for("a cleared screen", |s| !s.contains("A[prod"));
    tmux.send_line(&format!("badge dev-beta; badge dev; {}", echo_profile("B")));
    tmux.wait_for("the cursor on dev-beta", |s| {
        selected_line(s).is_some_and(|l| l.contains(" dev-beta "))
    });
    // Typing moves the cursor to the best match again, as in fzf: both
    // match `deva`, dev-alpha best.
    tmux.send_literal("a");
    tmux.wait_for("the cursor on dev-alpha", |s| {
        selected_line(s).is_some_and(|l| l.contains(" dev-alpha "))
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("B[dev-alpha]");
}

/// nucleo-picker's spinner turns while profiles are still coming in; all
/// are there at once, so the status line settles.
fn picker_spinner_stops_when_matching_is_done(sh: Shell) {
    const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line("badge");
    wait_for_picker(
        &tmux,
        &["dev-alpha", "dev-beta", "prod-readonly", "staging-eu"],
    );
    let status_line = |s: &str| s.lines().find(|l| l.contains(" 6/6 ")).map(str::to_owned);
    // The same status line, without a spinner, on a few captures in a row.
    let calm = std::cell::Cell::new(0);
    tmux.wait_for("a still status line", |s| {
        let line = status_line(s).unwrap_or_default();
        let still = !line.is_empty() && !line.contains(SPINNER);
        calm.set(if still { calm.get() + 1 } else { 0 });
        calm.get() >= 5
    });
    tmux.send_keys(&["Escape"]);
}

/// A name wider than the terminal, in CJK, is cut once, with one `…`
/// (nucleo-picker, cutting a line itself where a wide character meets the
/// edge, draws two).
fn picker_cuts_a_long_wide_name_with_one_ellipsis(sh: Shell) {
    let long = format!("{}/Admin", "中文".repeat(40));
    let config = format!(
        "[profile {long}]\nregion = eu-west-1\nbadge_account_name = {}\n\
         sso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n\n\
         [profile prod]\nregion = eu-west-1\n",
        "開発環境".repeat(12)
    );
    let sandbox = Sandbox::new(&config);
    let Some(tmux) = start(&sandbox, sh, "") else {
        return;
    };
    tmux.send_line("badge");
    let screen = tmux.wait_for("the picker", |s| {
        s.lines().any(|l| l.contains("中文中文")) && s.lines().any(|l| l.contains(" prod"))
    });
    let line = screen
        .lines()
        .find(|l| l.contains("中文中文"))
        .unwrap_or("");
    assert!(!line.contains("……"), "{sh}: two ellipses\n{screen}");
    let name = line
        .split("  ")
        .find(|cell| cell.contains("中文"))
        .unwrap_or("");
    assert!(
        name.trim_end().ends_with('…') && name.matches('…').count() == 1,
        "{sh}: the name is cut once, with one ellipsis\n{screen}"
    );
    tmux.send_keys(&["Escape"]);
}

// 13. `badge ls` on a terminal.

/// Names as long as `badge sync` writes for a big organisation: each row of
/// `badge ls` is over 140 columns.
const LONG_NAMES: &str = "\
[sso-session acme-corporation]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1

[profile Production-Workloads-Europe/AWSAdministratorAccess]
sso_session = acme-corporation
sso_account_id = 111111111111
sso_role_name = AWSAdministratorAccess
badge_account_name = Production Workloads Europe

[profile Staging-Workloads-Europe/AWSReadOnlyAccess]
sso_session = acme-corporation
sso_account_id = 222222222222
sso_role_name = AWSReadOnlyAccess
badge_account_name = Staging Workloads Europe

[profile 開発環境-中文中文中文/AWSPowerUserAccess]
sso_session = acme-corporation
sso_account_id = 333333333333
sso_role_name = AWSPowerUserAccess
badge_account_name = 開発環境開発環境開発環境

[profile dev]
region = eu-west-1
";

/// `badge ls` in a 70-column terminal: one screen line a row, the widest
/// columns cut with `…`, the account ids whole; piped, the lines are whole.
#[test]
fn ls_fits_the_terminal() {
    if !support::require("bash") {
        return;
    }
    let sandbox = Sandbox::new(LONG_NAMES);
    let Some(tmux) = start(&sandbox, Shell::Bash, "") else {
        return;
    };
    tmux.resize(70, 40);
    tmux.send_keys(&["C-l"]);
    tmux.wait_for_prompt();
    tmux.send_line("badge ls; echo \"EN\"\"D\"");
    let screen = tmux.wait_for("the end of the listing", |s| s.lines().any(|l| l == "END"));
    let lines: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("PROFILE"))
        .take_while(|l| *l != "END")
        .collect();
    assert_eq!(
        lines.len(),
        5,
        "a header and four rows, a line each\n{screen}"
    );
    for line in &lines {
        assert!(
            support::display_width(line) <= 70,
            "wider than the terminal: {line:?}\n{screen}"
        );
    }
    for id in ["111111111111", "222222222222", "333333333333"] {
        assert!(screen.contains(id), "account id {id} whole\n{screen}");
    }
    let europe = lines
        .iter()
        .find(|l| l.contains("Production-"))
        .unwrap_or_else(|| panic!("no Production row\n{screen}"));
    assert!(europe.contains('…'), "the long name is cut\n{screen}");
    assert!(
        lines.iter().all(|l| !l.contains("……")),
        "one ellipsis a cut\n{screen}"
    );
    // Piped, every line is as long as it is (and wraps on the screen).
    tmux.send_keys(&["C-l"]);
    tmux.wait_for("a cleared screen", |s| !s.contains("END"));
    tmux.send_line("badge ls | cat; echo \"EN\"\"D\"");
    let screen = tmux.wait_for("the end of the listing", |s| s.lines().any(|l| l == "END"));
    assert!(
        !screen.contains('…'),
        "whole lines through a pipe\n{screen}"
    );
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

/// zsh lists what Tab offers as zsh's own completions do: each group under
/// its heading (subcommands apart from profiles), and the descriptions of
/// a group in one column.
#[test]
fn zsh_lists_groups_with_aligned_descriptions() {
    if !support::require("zsh") {
        return;
    }
    let sandbox = Sandbox::new(CONFIG);
    let Some(tmux) = start(&sandbox, Shell::Zsh, "") else {
        return;
    };
    tmux.send_literal("badge d");
    tmux.wait_for_command_line("badge d");
    tmux.send_keys(&["Tab"]);
    let screen = tmux.wait_for("the list of matches", |s| {
        s.contains("dev-beta") && s.contains("doctor")
    });
    let lines: Vec<&str> = screen.lines().collect();
    let at = |text: &str| {
        lines
            .iter()
            .position(|l| l.split_whitespace().next() == Some(text))
            .unwrap_or_else(|| panic!("no line for {text:?}\n{screen}"))
    };
    let (commands, doctor) = (at("Commands"), at("doctor"));
    let (profiles, alpha, beta) = (at("Profiles"), at("dev-alpha"), at("dev-beta"));
    assert!(
        commands < doctor && profiles < alpha && profiles < beta,
        "each group under its heading\n{screen}"
    );
    assert!(
        !(profiles < doctor && doctor < alpha.max(beta)),
        "subcommands apart from profiles\n{screen}"
    );
    let column = |i: usize| lines[i].find(" -- ");
    assert!(
        column(alpha).is_some() && column(alpha) == column(beta),
        "descriptions in one column\n{screen}"
    );
}
