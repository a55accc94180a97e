//! The shell-injection matrix: profile names made of every shell
//! metacharacter, hand-written and generated from a seed, through every way
//! a name reaches a shell (`badge use NAME`, `badge NAME`, `badge -`, `badge
//! off`, Tab completion, the prompt and the picker) in bash, zsh and fish.
//!
//! The oracle is the same everywhere. Every payload in a name, if a shell
//! ran it, would create a `PWNED*` file in the sandbox or print `PWN42`;
//! after each run no such file exists and nothing printed it. `AWS_PROFILE`
//! then holds exactly the name, compared here byte for byte, or the switch
//! was refused with a `badge:` error and left `AWS_PROFILE` as it was. A
//! prompt shows the name as text and sends no control character to the
//! terminal.
//!
//! Names reach badge three ways: the config (every name is first checked to
//! read back as itself in badge and in botocore), the environment
//! (`AWS_PROFILE`, or the remembered previous profile, set by something
//! else: the only way a line break gets in), and `badge sync` (account and
//! role names from Identity Center, here the emulator).
//!
//! Each shell runs all names in one process; tmux drives only a sample.
//! `BADGE_INJECTION_SEED=N` replays another generation of names.

mod support;

use badge_emulator as emulator;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use emulator::{Account, Emulator, EmulatorOptions, Org};
use support::tmux::{COMPINIT, Tmux, command_line};
use support::{Rng, Run, Sandbox, Shell, require, run, run_shell};

per_shell!(
    config_names_switch_back_and_forth,
    environment_names_with_line_breaks_are_data,
    completion_function_offers_each_name_as_itself,
    tab_inserts_hostile_names_that_read_back_exactly,
    picker_switches_to_hostile_names,
    expired_mark_compares_names_as_text,
);

// Names.

/// Names written by hand: one or more per trick a shell plays.
const HAND_WRITTEN: &[&str] = &[
    // Quotes.
    "quote'name",
    "a\"b",
    "a'b\"c",
    "'",
    "\"",
    "''",
    "'\\''",
    "it'\"'\"'s",
    "'$(touch PWNED_q1)'",
    "\"$(touch PWNED_q2)\"",
    // Command substitution and operators.
    "x$(touch PWNED_cs1)",
    "$(touch PWNED_cs2)",
    "x`touch PWNED_bt1`",
    "`touch PWNED_bt2`",
    ";touch PWNED_semi1",
    "a;touch PWNED_semi2;",
    "|touch PWNED_pipe",
    "a&touch PWNED_amp",
    "a&&touch PWNED_and",
    "a||touch PWNED_or",
    ">PWNED_redirect1",
    "a>PWNED_redirect2",
    ">>PWNED_append",
    "<PWNED_input",
    "2>PWNED_fd",
    "$(<PWNED_read)",
    "x;echo PWN$((6*7))",
    // Parameters and arithmetic.
    "$((6*7))",
    "$[6*7]",
    "$HOME",
    "${HOME}",
    "${PWNED_var:=x}",
    "${PATH:0:1}",
    "$'\\x41'",
    "$\"x\"",
    "$0$$$?$#$-$_",
    "$@$*",
    // fish.
    "(touch PWNED_fish1)",
    "x(touch PWNED_fish2)",
    "(echo PWN(math 6 x 7))",
    "{touch,PWNED_fish3}",
    "$status",
    "$fish_pid",
    "$PWNED[1]",
    "\\e[31m",
    "\\x41\\u0041\\c",
    "a\\\\'b",
    "%self",
    "a\\",
    "\\",
    "\\'",
    // zsh.
    "%F{red}x%f",
    "%{%}",
    "%n@%m %~ %#",
    "%(?.ok.fail)",
    "%19v%18V",
    "%D{%s}",
    "${(e):-\\$(touch PWNED_zsh1)}",
    "${(e)PWNED_x}",
    "=touch",
    "=ls",
    "*(e:'touch PWNED_zsh2':)",
    "*(+touch)",
    "a~b",
    "^a",
    "a#",
    "<1-9>",
    "!!",
    "!$",
    "!#",
    "^old^new",
    "a!b",
    // bash prompts.
    "\\u@\\h:\\w\\$ ",
    "\\$(touch PWNED_ps1)",
    "\\`touch PWNED_ps2\\`",
    "\\[\\e[31m\\]",
    "\\!\\#\\D{%s}",
    "\\\\",
    "\\n",
    // Globs, braces, extglob.
    "*",
    "?",
    "[a-z]",
    "[",
    "]",
    "a]b",
    "[x]",
    "@(a|b)",
    "!(x)",
    "+(x)",
    "?(x)",
    "{",
    "}",
    "{}",
    "{a,b}",
    "{1..3}",
    "a,b",
    // Blanks.
    "a b",
    " lead",
    "trail ",
    "a\tb",
    "\ttab",
    "a  b",
    "\u{a0}nbsp",
    "a\u{3000}b",
    // Comments, tildes, assignments, flags.
    "#x",
    "a#b",
    "a #b",
    "%d%s%n",
    "%",
    "^",
    "=",
    "a=b",
    "a=~root",
    "x:~root",
    "~",
    "~root",
    "~/x",
    "A=$(touch PWNED_assign)",
    ",",
    "@",
    ":",
    "--",
    "-e",
    "-n",
    "--help",
    "-x y",
    // Unicode.
    "é-ünï-中文",
    "🚀/prod",
    "\u{202e}evil",
    "zero\u{200b}width",
    "e\u{301}",
    // Control characters, which a terminal obeys.
    "x\u{1b}[31my",
    "\u{1b}]0;PWNED title\u{7}",
    "bell\u{7}",
    "del\u{7f}",
    "\u{9b}31m",
    "vt\u{b}ff\u{c}",
    "\u{1b}[2J\u{1b}[H",
];

/// Names that only the environment can carry: line breaks, and names that
/// are no profile at all.
const ENVIRONMENT_ONLY: &[&str] = &[
    "line1\nline2",
    "\n",
    "a\n$(touch PWNED_nl1)",
    "x\n;touch PWNED_nl2",
    "\n`touch PWNED_nl3`\n",
    "cr\rlf\r\n",
    "\n(touch PWNED_nl4)",
    "%F{red}\n%{",
    "not-a-profile",
];

/// Every character a shell reads as syntax somewhere.
const METACHARACTERS: &[&str] = &[
    "'", "\"", "`", "$", "$(", "${", "\\", ";", "&", "|", "<", ">", "(", ")", "{", "}", "[", "]",
    "*", "?", "!", "#", "~", "%", "^", "=", ",", " ", "\t", ":", "@", "+", "-",
];

/// Pieces that run code, or expand, in some shell.
const PAYLOADS: &[&str] = &[
    "$(touch PWNED_g1)",
    "`touch PWNED_g2`",
    ";touch PWNED_g3;",
    "|touch PWNED_g4",
    "&touch PWNED_g5&",
    "&&touch PWNED_g6",
    ">PWNED_g7",
    "(touch PWNED_g8)",
    "{touch,PWNED_g9}",
    "$(echo PWN$((6*7)))",
    ";echo PWN$((6*7))",
    "(echo PWN(math 6 x 7))",
    "${(e):-\\$(touch PWNED_g10)}",
    "*(e:'touch PWNED_g11':)",
    "=touch",
    "%F{red}",
    "%{",
    "%}",
    "\\u@\\h",
    "\\$(touch PWNED_g12)",
    "\\e[31m",
    "$HOME",
    "${HOME}",
    "$status",
    "!!",
    "!$",
    "{a,b}",
    "~root",
    "%self",
    "\\x41",
    "$'\\x41'",
];

const WORDS: &[&str] = &["prod", "a", "Admin", "x", "é", "中文", "dev/Read"];

/// How many names the generator adds to the hand-written ones.
const GENERATED: usize = 100;

/// The seed of the generated names: fixed, so a failure replays, unless
/// `BADGE_INJECTION_SEED` names another.
fn seed() -> u64 {
    std::env::var("BADGE_INJECTION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_ba49e)
}

/// Names of one to five pieces: metacharacters, payloads and words.
fn generated_names(seed: u64, count: usize, taken: &BTreeSet<String>) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut names = Vec::with_capacity(count);
    let mut seen = taken.clone();
    while names.len() < count {
        let mut name = String::new();
        for _ in 0..=rng.below(5) {
            let piece = match rng.below(10) {
                0..=4 => rng.pick(METACHARACTERS),
                5..=7 => rng.pick(PAYLOADS),
                _ => rng.pick(WORDS),
            };
            name.push_str(piece);
        }
        // `badge -` means "back"; `plain` is the fixed other profile.
        if name == "-" || name == "plain" || !seen.insert(name.clone()) {
            continue;
        }
        names.push(name);
    }
    names
}

/// The hand-written names, then the generated ones.
fn all_names() -> Vec<String> {
    let mut names: Vec<String> = HAND_WRITTEN.iter().map(|n| n.to_string()).collect();
    let taken: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(taken.len(), names.len(), "HAND_WRITTEN has duplicates");
    names.extend(generated_names(seed(), GENERATED, &taken));
    names
}

/// `[profile NAME]` with the name double-quoted for `shlex.split`, which
/// botocore applies to section names: only `\` and `"` need escaping.
fn header(name: &str) -> String {
    format!(
        "[profile \"{}\"]",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// A config with `plain` and one profile per name.
fn config_of<S: AsRef<str>>(names: &[S]) -> String {
    let mut config = String::from("[profile plain]\nregion = eu-west-1\n");
    for name in names {
        config.push_str(&format!(
            "\n{}\nregion = eu-west-1\n",
            header(name.as_ref())
        ));
    }
    config
}

/// Words bash and zsh do not take as a profile name after `badge`.
fn bare_needs_dashes(name: &str) -> bool {
    name.starts_with('-')
        || [
            "use",
            "off",
            "current",
            "ls",
            "init",
            "session",
            "login",
            "logout",
            "sync",
            "completions",
            "help",
        ]
        .contains(&name)
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

// The oracle.

/// What a script printed as `\x1e`-separated records of `\x1f`-separated
/// fields.
fn records(stdout: &str) -> Vec<Vec<&str>> {
    stdout
        .split('\u{1e}')
        .skip(1)
        .map(|r| r.split('\u{1f}').collect())
        .collect()
}

/// Failures common to every run: a payload that ran, or printed.
fn canaries(sandbox: &Sandbox, out: &Run) -> Vec<String> {
    let mut found = Vec::new();
    let pwned = sandbox.files_named("PWNED");
    if !pwned.is_empty() {
        found.push(format!("a profile name ran code: {pwned:?} exist"));
        for file in pwned {
            let _ = std::fs::remove_file(file);
        }
    }
    if out.stdout.contains("PWN42") || out.stderr.contains("PWN42") {
        found.push("a profile name ran code: PWN42 was printed".to_owned());
    }
    found
}

#[track_caller]
fn assert_no_failures(shell: Shell, what: &str, failures: &[String], run: Option<&Run>) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<&String> = failures.iter().take(25).collect();
    panic!(
        "{shell}: {what}: {} failures (seed {}):\n\n{}\n{}",
        failures.len(),
        seed(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        run.map(|r| format!(
            "\n--- stderr of the run ---\n{}",
            r.stderr.chars().take(4000).collect::<String>()
        ))
        .unwrap_or_default()
    );
}

/// What the prompt must show for a profile: the name as text, with control
/// characters drawn visibly (`?` in bash and fish; zsh's own `^[`, `\n`).
fn check_prompt(shell: Shell, name: &str, shown: &str, failures: &mut Vec<String>) {
    let want_start = "(aws:";
    let want_end = ") P> ";
    if !has_control(name) {
        let want = format!("{want_start}{name}{want_end}");
        if shown != want {
            failures.push(format!("prompt for {name:?}: {shown:?}, not {want:?}"));
        }
        return;
    }
    if has_control(shown) || !shown.starts_with(want_start) || !shown.ends_with(want_end) {
        failures.push(format!(
            "prompt for {name:?} sends control characters or lost the segment: {shown:?}"
        ));
        return;
    }
    if shell != Shell::Zsh {
        let want: String = name
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let want = format!("{want_start}{want}{want_end}");
        if shown != want {
            failures.push(format!("prompt for {name:?}: {shown:?}, not {want:?}"));
        }
    }
}

// Scripts.

/// The start of every script: a known prompt, the integration, and helpers
/// that print records. `__r TAG` prints the status of the last command,
/// whether `AWS_PROFILE` is exported (`x`), only set (`s`) or unset (`u`),
/// and its value; `__prompt TAG` renders the prompt with an empty `PATH`,
/// so any program it started would fail.
fn prelude(shell: Shell) -> String {
    match shell {
        Shell::Bash => "PS1='P> '\n\
            eval \"$(badge init bash)\"\n\
            __path=$PATH\n\
            __r() { local st=$? e=u; if [[ -n ${AWS_PROFILE+x} ]]; then e=s; \
            [[ ${AWS_PROFILE@a} == *x* ]] && e=x; fi; \
            printf '\\036%s\\037%s\\037%s\\037%s' \"$1\" \"$st\" \"$e\" \"${AWS_PROFILE-}\"; }\n\
            __prompt() { PATH=; __badge_prompt_hook; printf '\\036%s\\037%s' \"$1\" \"${PS1@P}\"; \
            PATH=$__path; }\n\
            __set_previous() { __badge_previous=$1; }\n"
            .to_owned(),
        // PROMPT_SUBST and PROMPT_BANG as zsh frameworks set them: the
        // segment must still print the name as text.
        Shell::Zsh => "PROMPT='P> '\n\
            setopt PROMPT_SUBST PROMPT_BANG\n\
            eval \"$(badge init zsh)\"\n\
            __path=$PATH\n\
            __r() { local st=$? e=u; if (( ${+AWS_PROFILE} )); then e=s; \
            [[ ${(t)AWS_PROFILE} == *export* ]] && e=x; fi; \
            printf '\\036%s\\037%s\\037%s\\037%s' \"$1\" \"$st\" \"$e\" \"${AWS_PROFILE-}\"; }\n\
            __prompt() { PATH=; __badge_precmd; printf '\\036%s\\037' \"$1\"; \
            print -rnP -- \"$PROMPT\"; PATH=$__path; }\n\
            __set_previous() { typeset -g __badge_previous=$1; }\n"
            .to_owned(),
        Shell::Fish => "function fish_prompt; printf 'P> '; end\n\
            badge init fish | source\n\
            set -g __path $PATH\n\
            function __r; set -l st $status; set -l e u; \
            if set -q AWS_PROFILE; set e s; if set -qx AWS_PROFILE; set e x; end; end; \
            printf '\\x1e%s\\x1f%s\\x1f%s\\x1f%s' $argv[1] $st $e \"$AWS_PROFILE\"; end\n\
            function __prompt; set -gx PATH; printf '\\x1e%s\\x1f' $argv[1]; fish_prompt; \
            set -gx PATH $__path; end\n\
            function __set_previous; set -g __badge_previous $argv[1]; end\n"
            .to_owned(),
    }
}

/// Options users set that change how a shell reads words: the integration
/// must work the same under them.
fn user_options(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "shopt -s extglob nullglob failglob nocasematch\nset -u\n",
        Shell::Zsh => {
            "setopt KSH_ARRAYS RC_QUOTES GLOB_SUBST SH_WORD_SPLIT EXTENDED_GLOB NULL_GLOB \
             NO_UNSET\n"
        }
        Shell::Fish => "",
    }
}

fn export_line(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!("export AWS_PROFILE={}", shell.quote(name)),
        Shell::Fish => format!("set -gx AWS_PROFILE {}", shell.quote(name)),
    }
}

/// A switch record: the status, exported, and the exact value.
fn check_switch(
    records: &BTreeMap<String, Vec<String>>,
    tag: &str,
    name: &str,
    failures: &mut Vec<String>,
) {
    match records.get(tag) {
        Some(fields) if fields.len() == 3 => {
            let (status, exported, value) = (&fields[0], &fields[1], &fields[2]);
            if status != "0" || exported != "x" || value != name {
                failures.push(format!(
                    "{tag} for {name:?}: status {status}, exported {exported}, AWS_PROFILE {value:?}"
                ));
            }
        }
        other => failures.push(format!("{tag} for {name:?}: no record ({other:?})")),
    }
}

fn by_tag(stdout: &str) -> BTreeMap<String, Vec<String>> {
    records(stdout)
        .into_iter()
        .filter_map(|fields| {
            let (tag, rest) = fields.split_first()?;
            Some((
                tag.to_string(),
                rest.iter().map(|f| f.to_string()).collect(),
            ))
        })
        .collect()
}

// 1. Config names: use, NAME, -, off, and the prompt.

/// Every name in the config, one after the other in one shell: switched to
/// with `badge use -- NAME` or `badge NAME`, left with `badge -`, which must
/// land on exactly the name before it (hostile too), and come back to; every
/// tenth also through `badge off` and `badge -`. The prompt is rendered at
/// each name.
fn config_names_switch_back_and_forth(sh: Shell) {
    let names = all_names();
    let sandbox = Sandbox::new(&config_of(&names));
    let mut script = prelude(sh);
    script.push_str(user_options(sh));
    script.push_str("badge plain\n");
    // (tag, the name AWS_PROFILE must hold)
    let mut expected: Vec<(String, &str)> = Vec::new();
    let mut previous = "plain";
    for (i, name) in names.iter().enumerate() {
        let q = sh.quote(name);
        let by_use = format!("use -- {q}");
        let bare = if bare_needs_dashes(name) {
            format!("-- {q}")
        } else {
            q.clone()
        };
        let (first, again) = if i % 2 == 0 {
            (&by_use, &bare)
        } else {
            (&bare, &by_use)
        };
        // Hand-written names are switched to both ways; generated ones
        // come back with a second `badge -`.
        let again = if i < HAND_WRITTEN.len() {
            format!("badge {again}")
        } else {
            "badge -".to_owned()
        };
        script.push_str(&format!(
            "badge {first}; __r u{i}\n__prompt p{i}\nbadge -; __r d{i}\n{again}; __r b{i}\n"
        ));
        expected.extend([
            (format!("u{i}"), name.as_str()),
            (format!("d{i}"), previous),
            (format!("b{i}"), name.as_str()),
        ]);
        if i % 10 == 0 {
            script.push_str(&format!("badge off; badge -; __r o{i}\n"));
            expected.push((format!("o{i}"), name.as_str()));
        }
        previous = name.as_str();
    }
    script.push_str("printf '\\036env\\037'; command printenv AWS_PROFILE\n");
    let out = run_shell(sh, &sandbox, &script);
    let records = by_tag(&out.stdout);
    let mut failures = canaries(&sandbox, &out);
    if !out.status.success() || !out.stderr.is_empty() {
        failures.push(format!(
            "the script failed or printed on stderr (exit {})",
            out.status
        ));
    }
    for (tag, name) in &expected {
        check_switch(&records, tag, name, &mut failures);
    }
    for (i, name) in names.iter().enumerate() {
        match records.get(&format!("p{i}")) {
            Some(fields) if fields.len() == 1 => check_prompt(sh, name, &fields[0], &mut failures),
            other => failures.push(format!("p{i} for {name:?}: no prompt record ({other:?})")),
        }
    }
    if records.get("env").map(|f| f.join("\u{1f}")) != Some(format!("{previous}\n")) {
        failures.push(format!(
            "printenv in a child does not see {previous:?}: {:?}",
            records.get("env")
        ));
    }
    assert_no_failures(sh, "config names", &failures, Some(&out));
}

/// The prompt marks a missing or expired login by comparing the active profile with
/// the one the mark is for: as text, so a name that is a pattern (`*`,
/// `[x]`) marks only itself.
fn expired_mark_compares_names_as_text(sh: Shell) {
    let config = "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n\
                  sso_region = eu-west-1\n\n\
                  [sso-session other]\nsso_start_url = https://other.awsapps.com/start\n\
                  sso_region = us-east-1\n\n\
                  [profile \"*\"]\nsso_session = acme\nsso_account_id = 111111111111\n\
                  sso_role_name = Admin\n\n\
                  [profile \"[x]\"]\nsso_session = acme\nsso_account_id = 111111111111\n\
                  sso_role_name = Read\n\n\
                  [profile x]\nsso_session = other\nsso_account_id = 222222222222\n\
                  sso_role_name = Admin\n";
    let sandbox = Sandbox::new(config);
    sandbox.sign_out(support::TOKEN_CACHE_ACME);
    let mut script = prelude(sh);
    for (i, name) in ["*", "[x]"].iter().enumerate() {
        script.push_str(&format!(
            "badge -- {q} 2>/dev/null\n__prompt m{i}\n{export}\n__prompt n{i}\n",
            q = sh.quote(name),
            export = export_line(sh, "x"),
        ));
    }
    let out = run_shell(sh, &sandbox, &script);
    let records = by_tag(&out.stdout);
    let shown = |tag: &str| records.get(tag).and_then(|f| f.first()).cloned();
    let want = [
        ("m0", "(aws:* signed out) P> "),
        ("n0", "(aws:x) P> "),
        ("m1", "(aws:[x] signed out) P> "),
        ("n1", "(aws:x) P> "),
    ];
    for (tag, prompt) in want {
        assert_eq!(
            shown(tag).as_deref(),
            Some(prompt),
            "{sh}: prompt {tag}\n{}",
            out.report()
        );
    }
}

// 2. Names from the environment.

/// `AWS_PROFILE` set by something else to a name with a line break, a
/// control character or one that is no profile, and the same name as the
/// remembered previous profile: `badge current --json` reports it exactly,
/// the prompt shows it as text, `badge -` comes back to it exactly, and
/// switching to it by name is refused without touching anything.
fn environment_names_with_line_breaks_are_data(sh: Shell) {
    let mut names: Vec<&str> = ENVIRONMENT_ONLY.to_vec();
    names.extend(HAND_WRITTEN.iter().step_by(7));
    let sandbox = Sandbox::new("[profile plain]\nregion = eu-west-1\n");
    let mut script = prelude(sh);
    script.push_str(user_options(sh));
    for (i, name) in names.iter().enumerate() {
        let q = sh.quote(name);
        script.push_str(&format!(
            "{export}\n__prompt p{i}\n\
             printf '\\036j{i}\\037'; badge current --json\n\
             badge plain; badge -; __r d{i}\n\
             badge use -- {q}; __r r{i}\n\
             badge off; badge plain; __set_previous {q}; badge -; __r v{i}\n",
            export = export_line(sh, name),
        ));
    }
    let out = run_shell(sh, &sandbox, &script);
    let records = by_tag(&out.stdout);
    let mut failures = canaries(&sandbox, &out);
    for (i, name) in names.iter().enumerate() {
        match records.get(&format!("p{i}")) {
            Some(fields) if fields.len() == 1 => check_prompt(sh, name, &fields[0], &mut failures),
            other => failures.push(format!("p{i} for {name:?}: no prompt record ({other:?})")),
        }
        let json = records
            .get(&format!("j{i}"))
            .and_then(|f| f.first())
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
        if json.as_ref().and_then(|j| j["profile"].as_str()) != Some(*name) {
            failures.push(format!("badge current --json for {name:?}: {json:?}"));
        }
        check_switch(&records, &format!("d{i}"), name, &mut failures);
        check_switch(&records, &format!("v{i}"), name, &mut failures);
        // Not a profile: refused, and AWS_PROFILE is still the name.
        match records.get(&format!("r{i}")).map(|f| f.as_slice()) {
            Some([status, exported, value])
                if status == "1" && exported == "x" && value == name => {}
            other => failures.push(format!(
                "switching by name to {name:?}, which is no profile, was not refused \
                 cleanly: {other:?}"
            )),
        }
    }
    // One `badge:` line per refusal, the name shown escaped.
    let refusals = out
        .stderr
        .lines()
        .filter(|l| l.contains("no profile matches"))
        .count();
    if refusals != names.len() || out.stderr.lines().any(|l| !l.starts_with("badge: ")) {
        failures.push(format!(
            "want exactly {} one-line `badge:` refusals on stderr, got {refusals}",
            names.len()
        ));
    }
    if !out.status.success() {
        failures.push(format!("the script failed (exit {})", out.status));
    }
    assert_no_failures(sh, "environment names", &failures, Some(&out));
}

/// A name that is not UTF-8 can only come from the environment. Nothing in
/// it runs, and `badge -` goes back to it byte for byte, refuses and leaves
/// it alone, or (what it does today: the binary reads the environment as
/// UTF-8) goes back to it with U+FFFD for the bytes that are not.
#[test]
fn environment_name_that_is_not_utf8_is_kept_or_refused() {
    for sh in Shell::ALL {
        if !require(sh.name()) {
            continue;
        }
        let sandbox = Sandbox::new("[profile plain]\nregion = eu-west-1\n");
        // `\xff` is not UTF-8; the shells compare the bytes themselves.
        let (set, same) = match sh {
            Shell::Bash | Shell::Zsh => (
                "export AWS_PROFILE=$'a\\xff$(touch PWNED_utf)'; __before=$AWS_PROFILE\n\
                 __lossy=$'a\\uFFFD$(touch PWNED_utf)'",
                "if [ \"$AWS_PROFILE\" = \"$__before\" ]; then echo same; \
                 elif [ \"$AWS_PROFILE\" = \"$__lossy\" ]; then echo lossy; else echo changed; fi",
            ),
            Shell::Fish => (
                "set -gx AWS_PROFILE a\\xff'$(touch PWNED_utf)'; set -g __before $AWS_PROFILE\n\
                 set -g __lossy a\\uFFFD'$(touch PWNED_utf)'",
                "if test \"$AWS_PROFILE\" = \"$__before\"; echo same; \
                 else if test \"$AWS_PROFILE\" = \"$__lossy\"; echo lossy; else; echo changed; end",
            ),
        };
        let script = format!(
            "{}{set}\nbadge plain; badge -; echo \"rc={}\"\n{same}\n",
            prelude(sh),
            sh.status()
        );
        let out = run_shell(sh, &sandbox, &script);
        let mut failures = canaries(&sandbox, &out);
        let back = (out.stdout == "rc=0\nsame\n" || out.stdout == "rc=0\nlossy\n")
            && out.stderr.is_empty();
        let refused = out.stdout == "rc=1\nsame\n" && out.stderr.starts_with("badge: ");
        if !(back || refused) {
            failures.push(format!(
                "badge - neither restored nor refused a name that is not UTF-8\n{}",
                out.report()
            ));
        }
        assert_no_failures(sh, "a name that is not UTF-8", &failures, None);
    }
}

// 3. Completion, called the way each shell calls it on Tab.

/// How a user may have typed the start of a name before pressing Tab.
#[derive(Clone, Copy, Debug)]
enum Typed {
    /// Every special character backslash-escaped: `a\ b`.
    Backslashes,
    /// In an open single quote: `'a b`.
    SingleQuote,
    /// In an open double quote: `"a b`.
    DoubleQuote,
}

const TYPED: [Typed; 3] = [Typed::Backslashes, Typed::SingleQuote, Typed::DoubleQuote];

/// `prefix` typed the `how` way in bash or zsh, and where the last open
/// quote ends (bash passes the text after it as the word to complete).
fn typed_posix(prefix: &str, how: Typed) -> (String, usize) {
    let mut out = String::new();
    let mut word_start = 0;
    match how {
        Typed::Backslashes => {
            for c in prefix.chars() {
                if !c.is_alphanumeric() {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        Typed::SingleQuote => {
            out.push('\'');
            word_start = 1;
            for c in prefix.chars() {
                if c == '\'' {
                    out.push_str("'\\''");
                    word_start = out.len();
                } else {
                    out.push(c);
                }
            }
        }
        Typed::DoubleQuote => {
            out.push('"');
            word_start = 1;
            for c in prefix.chars() {
                match c {
                    '"' | '\\' | '$' | '`' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '!' => {
                        out.push_str("\"\\!\"");
                        word_start = out.len();
                    }
                    c => out.push(c),
                }
            }
        }
    }
    (out, word_start)
}

/// `prefix` typed the `how` way in fish (backslashes: fish's own
/// `string escape --no-quoted`, done in the script).
fn typed_fish(prefix: &str, how: Typed) -> String {
    match how {
        Typed::Backslashes => format!(
            "(string escape --no-quoted -- {})",
            Shell::Fish.quote(prefix)
        ),
        Typed::SingleQuote => Shell::Fish.quote(&format!(
            "'{}",
            prefix.replace('\\', "\\\\").replace('\'', "\\'")
        )),
        Typed::DoubleQuote => Shell::Fish.quote(&format!(
            "\"{}",
            prefix
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
        )),
    }
}

/// The first half of a name, at least one character.
fn prefix_of(name: &str) -> String {
    let count = name.chars().count();
    name.chars().take(count.div_ceil(2).max(1)).collect()
}

/// For each name, the start of it typed each way, then Tab: the shell's
/// completion function (and through it `badge __complete`) must offer the
/// name so that what is inserted reads back as exactly the name. bash's
/// function is run with `COMP_LINE` as bash sets it and every word it puts
/// in `COMPREPLY` evaluated in the typed quoting; zsh's with `compadd`
/// replaced by a function that records the values and what is shown; fish's
/// through `complete -C`, fish's own completion machinery.
fn completion_function_offers_each_name_as_itself(sh: Shell) {
    let names = all_names();
    let sandbox = Sandbox::new(&config_of(&names));
    let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut script = prelude(sh);
    script.push_str(match sh {
        Shell::Bash => {
            "__v() { printf '\\036%s\\037%s\\037%s' \"$1\" \"$(($# - 1))\" \"$2\"; }\n\
             __c() { COMP_LINE=\"badge use $2\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n\
             __badge_complete_badge badge \"$3\" use\n\
             local kept=${2%\"$3\"} w\n\
             for w in \"${COMPREPLY[@]}\"; do eval \"__v $1 $kept$w$4\"; done; }\n"
        }
        Shell::Zsh => {
            "compadd() { local shown values; while (( $# )); do case $1 in \
             -d) shown=$2; shift ;; -a) values=$2; shift ;; -J|-X) shift ;; esac; shift; done; \
             local -a v=(\"${(@P)values}\") d=(\"${(@P)shown}\"); local i; \
             for (( i = 1; i <= $#v; i++ )); do \
             printf '\\036%s\\037%s\\037%s' \"$__tag\" \"$v[i]\" \"$d[i]\"; done; }\n\
             __c() { local __tag=$1; local -a words=(badge use \"$2\"); \
             local -A compstate=(quote \"$3\"); local CURRENT=3 PREFIX=$4; __badge_complete_badge; }\n"
        }
        Shell::Fish => {
            "function __c; for line in (complete -C \"badge use $argv[2]\"); \
             printf '\\x1e%s\\x1f%s' $argv[1] $line; end; end\n"
        }
    });
    let mut cases = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // A name that starts with `-` completes as a flag.
        if name.starts_with('-') {
            continue;
        }
        let prefix = prefix_of(name);
        // The quotes and a sample of the rest are typed every way; the
        // others one way each, in turn.
        let ways: Vec<Typed> = if i < 10 || i % 9 == 0 {
            TYPED.to_vec()
        } else {
            vec![TYPED[i % 3]]
        };
        for how in ways {
            let tag = format!("c{}", cases.len());
            let line = match sh {
                Shell::Bash => {
                    let (typed, start) = typed_posix(&prefix, how);
                    let close = match how {
                        Typed::Backslashes => "",
                        Typed::SingleQuote => "'",
                        Typed::DoubleQuote => "\"",
                    };
                    format!(
                        "__c {tag} {} {} {}",
                        sh.quote(&typed),
                        sh.quote(&typed[start..]),
                        sh.quote(close)
                    )
                }
                // zsh sets `compstate[quote]` to the quote a word opens with,
                // and PREFIX to the text after it.
                Shell::Zsh => {
                    let (typed, _) = typed_posix(&prefix, how);
                    let open = match how {
                        Typed::Backslashes => 0,
                        Typed::SingleQuote | Typed::DoubleQuote => 1,
                    };
                    format!(
                        "__c {tag} {} {} {}",
                        sh.quote(&typed),
                        sh.quote(&typed[..open]),
                        sh.quote(&typed[open..])
                    )
                }
                Shell::Fish => format!("__c {tag} {}", typed_fish(&prefix, how)),
            };
            script.push_str(&line);
            script.push('\n');
            cases.push((tag, name.as_str(), how));
        }
    }
    let out = run_shell(sh, &sandbox, &script);
    let mut failures = canaries(&sandbox, &out);
    if !out.status.success() || !out.stderr.is_empty() {
        failures.push(format!(
            "the script failed or printed on stderr (exit {})",
            out.status
        ));
    }
    let mut offered: BTreeMap<&str, Vec<Vec<&str>>> = BTreeMap::new();
    for record in records(&out.stdout) {
        if let Some((tag, rest)) = record.split_first() {
            offered.entry(tag).or_default().push(rest.to_vec());
        }
    }
    for (tag, name, how) in &cases {
        let got = offered.get(tag.as_str()).cloned().unwrap_or_default();
        let values: Vec<String> = match sh {
            // Each word evaluated in its quoting must be one word, a name.
            Shell::Bash => got
                .iter()
                .map(|f| match f.as_slice() {
                    ["1", value] => value.to_string(),
                    other => format!("<not one word: {other:?}>"),
                })
                .collect(),
            Shell::Zsh => got
                .iter()
                .map(|f| {
                    if f.len() != 2 || has_control(f[1]) || !f[1].starts_with(&*printable_zsh(f[0]))
                    {
                        format!("<badly shown: {f:?}>")
                    } else {
                        f[0].to_string()
                    }
                })
                .collect(),
            Shell::Fish => got.iter().map(|f| f.join("\u{1f}")).collect(),
        };
        // fish has no way to carry a tab in a completion, and offers
        // only the name typed in full when there is one. fish also reads
        // `*` and `?` in the typed text as wildcards, even escaped or
        // quoted, and then offers the typed text itself, or nothing:
        // what was typed, so still no other profile's name and no code.
        let prefix = prefix_of(name);
        let fish_excused = sh == Shell::Fish
            && (name.contains('\t')
                || values == [prefix.clone()] && set.contains(prefix.as_str())
                || prefix.contains(['*', '?']));
        let expected = !fish_excused;
        if expected && !values.iter().any(|v| v == name) {
            failures.push(format!(
                "{name:?} typed {how:?} as {:?}: not offered; got {values:?}",
                prefix_of(name)
            ));
        }
        let wildcard_echo =
            |v: &String| sh == Shell::Fish && *v == prefix && prefix.contains(['*', '?']);
        if let Some(stranger) = values
            .iter()
            .find(|v| !set.contains(v.as_str()) && !wildcard_echo(v))
        {
            failures.push(format!(
                "{name:?} typed {how:?}: offered {stranger:?}, which is no profile"
            ));
        }
    }
    assert_no_failures(sh, "completion", &failures, Some(&out));
}

/// How badge shows a value in zsh's list: control characters as `^X`, C1
/// controls, bidi controls and zero-width characters as `\u{…}`.
fn printable_zsh(value: &str) -> String {
    value
        .chars()
        .flat_map(|c| match c {
            '\0'..='\x1f' => vec!['^', char::from(c as u8 + 0x40)],
            '\x7f' => vec!['^', '?'],
            c if c.is_control() || is_invisible(c) => c.escape_unicode().collect(),
            c => vec![c],
        })
        .collect()
}

/// The bidi controls and characters drawn as nothing among the names
/// these tests use (and their neighbours).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// `badge __complete` on its own, for every name and each shell: a bash
/// word never holds a raw control character or line break that bash would
/// read as syntax, and zsh and fish lines keep to their formats.
#[test]
fn complete_protocol_keeps_to_its_format() {
    let names = all_names();
    let sandbox = Sandbox::new(&config_of(&names));
    let mut failures = Vec::new();
    for shell in ["zsh", "fish"] {
        let mut cmd = sandbox.badge();
        cmd.args(["__complete", shell, "--", "badge", "use", ""]);
        let out = run(cmd, format!("badge __complete {shell}"));
        out.assert_clean();
        let lines: Vec<&str> = out.stdout.lines().collect();
        for name in names.iter().filter(|n| !n.starts_with('-')) {
            let found = match shell {
                "zsh" => lines
                    .iter()
                    .filter_map(|l| l.rsplit_once('\t'))
                    .any(|(value, shown)| value == name && shown == printable_zsh(name)),
                _ => name.contains('\t') || lines.contains(&name.as_str()),
            };
            if !found {
                failures.push(format!("{shell}: {name:?} missing or misshown"));
            }
        }
        if shell == "fish" && lines.iter().any(|l| l.matches('\t').count() > 1) {
            failures.push("fish: a line holds two tabs, so fish would cut a name".to_owned());
        }
    }
    assert!(
        failures.is_empty(),
        "seed {}:\n{}",
        seed(),
        failures.join("\n")
    );
}

// 4. In a real terminal: Tab, the prompt and the picker.

/// A shell in tmux with badge loaded and `__dump TAG`, which writes whether
/// `AWS_PROFILE` is set and its bytes to `~/dump-TAG` for the test to read.
fn start_tmux(sandbox: &Sandbox, sh: Shell) -> Option<Tmux> {
    if !require("tmux") {
        return None;
    }
    let dump = match sh {
        Shell::Bash | Shell::Zsh => {
            "__dump() { printf '%s:%s' \"${AWS_PROFILE+set}\" \"${AWS_PROFILE-}\" > \"$HOME/dump-$1\"; }"
        }
        Shell::Fish => {
            "function __dump; set -l s ''; set -q AWS_PROFILE; and set s set; \
             printf '%s:%s' $s \"$AWS_PROFILE\" > $HOME/dump-$argv[1]; end"
        }
    };
    let rc = match sh {
        Shell::Zsh => format!("{COMPINIT}\n{}\n{dump}", sh.init()),
        _ => format!("{}\n{dump}", sh.init()),
    };
    Some(Tmux::start_rc(sandbox, sh, &rc))
}

/// Run `__dump TAG` in the pane and read back `AWS_PROFILE`, if set.
fn dump(tmux: &Tmux, sandbox: &Sandbox, tag: &str) -> Option<String> {
    let path = sandbox.home().join(format!("dump-{tag}"));
    tmux.send_line(&format!("__dump {tag}"));
    let start = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(&path)
            && let Some(colon) = bytes.iter().position(|&b| b == b':')
        {
            let value = String::from_utf8_lossy(&bytes[colon + 1..]).into_owned();
            return (colon > 0).then_some(value);
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}: __dump {tag} wrote nothing\n{}",
            tmux.shell,
            tmux.capture()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Names for Tab, each with a start no other name has, typed in bash and
/// zsh syntax and in fish syntax.
const TAB_SAMPLE: &[(&str, &str, &str)] = &[
    ("x$(touch PWNED_t1)", r"x\$", r"x\$"),
    (";touch PWNED_t2;", r"\;t", r"\;t"),
    ("`touch PWNED_t3`", r"\`t", r"\`t"),
    ("a'b\"c", r"'a'\''b", r"'a\'b"),
    ("d\"q$(touch PWNED_t5)", r#""d\"q"#, r#""d\"q"#),
    ("a=~root", "a=", "a="),
    ("{a,b}*?[x]", r"\{a", r"\{a"),
    (r"\u@\h\$(touch PWNED_t8)", r"\\u", r"\\u"),
    ("%F{red}%(?.x.y)", "%F", "%F"),
    ("(touch PWNED_t10)", r"\(t", r"\(t"),
    ("!!x", r"\!", "!"),
    ("~root", r"\~", r"\~"),
    ("$HOME", r"\$H", r"\$H"),
    ("tab\there", "'tab", "'tab"),
    ("bang!x$(touch PWNED_t15)", r#""bang"\!""#, r#""bang!"#),
];

/// Type the start of each sample name, press Tab, run the line: the shell
/// switched to exactly the name, the prompt it drew shows the name, and no
/// payload ran.
fn tab_inserts_hostile_names_that_read_back_exactly(sh: Shell) {
    let names: Vec<&str> = TAB_SAMPLE.iter().map(|(n, _, _)| *n).collect();
    let sandbox = Sandbox::new(&config_of(&names));
    let Some(tmux) = start_tmux(&sandbox, sh) else {
        return;
    };
    let mut failures = Vec::new();
    for (i, (name, posix, fish)) in TAB_SAMPLE.iter().enumerate() {
        // fish cannot offer a name with a tab (see `badge __complete`).
        if sh == Shell::Fish && name.contains('\t') {
            continue;
        }
        let typed = format!("badge use {}", if sh == Shell::Fish { fish } else { posix });
        tmux.send_literal(&typed);
        tmux.wait_for_command_line(&typed);
        tmux.send_keys(&["Tab"]);
        let screen = tmux.wait_for(&format!("Tab to complete {name:?}"), |screen| {
            command_line(screen).is_some_and(|line| line != typed)
        });
        let completed = command_line(&screen).unwrap_or("").to_owned();
        tmux.send_keys(&["Enter"]);
        let got = dump(&tmux, &sandbox, &format!("t{i}"));
        if got.as_deref() != Some(name) {
            failures.push(format!(
                "{name:?}: typed {typed:?}, Tab made {completed:?}, AWS_PROFILE is {got:?}"
            ));
        }
        if !has_control(name) {
            let segment = format!("(aws:{name}) test");
            let drawn = tmux.wait_for(&format!("the prompt for {name:?}"), |s| {
                command_line(s) == Some("")
            });
            if !drawn
                .lines()
                .last()
                .is_some_and(|l| l.starts_with(&segment))
            {
                failures.push(format!("{name:?}: the prompt is not {segment:?}\n{drawn}"));
            }
        }
        tmux.send_keys(&["C-l"]);
        tmux.wait_for_prompt();
    }
    let pwned = sandbox.files_named("PWNED");
    if !pwned.is_empty() {
        failures.push(format!("a profile name ran code: {pwned:?}"));
    }
    assert_no_failures(sh, "Tab in tmux", &failures, None);
}

/// Names for the picker, each with a query that leaves only it.
const PICKER_SAMPLE: &[(&str, &str)] = &[
    ("x\u{1b}[31my$(touch PWNED_p1)", "p1"),
    ("'; touch PWNED_p2; '", "p2"),
    ("(touch PWNED_p3)`touch PWNED_p3b`", "p3"),
    ("%F{red}\\u$(echo PWN$((6*7)))p4", "p4"),
];

/// Bare `badge`: filter to a hostile name, Enter: `AWS_PROFILE` is exactly
/// the name, the picker drew its escape sequence as text, and nothing ran.
fn picker_switches_to_hostile_names(sh: Shell) {
    let names: Vec<&str> = PICKER_SAMPLE.iter().map(|(n, _)| *n).collect();
    let sandbox = Sandbox::new(&config_of(&names));
    let Some(tmux) = start_tmux(&sandbox, sh) else {
        return;
    };
    let mut failures = Vec::new();
    for (i, (name, query)) in PICKER_SAMPLE.iter().enumerate() {
        tmux.send_line("badge");
        let total = names.len() + 1;
        tmux.wait_for_text(&format!("{total}/{total}"));
        tmux.send_literal(query);
        let screen = tmux.wait_for_text(&format!("1/{total}"));
        if i == 0 && !screen.contains("x^[[31my") {
            failures.push(format!("the picker does not draw ESC as `^[`:\n{screen}"));
        }
        tmux.send_keys(&["Enter"]);
        tmux.wait_for_prompt();
        let got = dump(&tmux, &sandbox, &format!("p{i}"));
        if got.as_deref() != Some(name) {
            failures.push(format!(
                "picked {name:?} with {query:?}: AWS_PROFILE is {got:?}"
            ));
        }
        // The prompt the shell drew shows the escape sequence as text.
        if i == 0 {
            let shown = if sh == Shell::Zsh {
                "x^[[31my"
            } else {
                "x?[31my"
            };
            let segment = format!("(aws:{shown}$(touch PWNED_p1)) test");
            let screen = tmux.wait_for_prompt();
            if !screen
                .lines()
                .last()
                .is_some_and(|l| l.starts_with(&segment))
            {
                failures.push(format!("the prompt is not {segment:?}:\n{screen}"));
            }
        }
        tmux.send_keys(&["C-l"]);
        tmux.wait_for_prompt();
    }
    let screen = tmux.capture();
    if screen.contains("PWN42") {
        failures.push(format!("a payload printed PWN42:\n{screen}"));
    }
    let pwned = sandbox.files_named("PWNED");
    if !pwned.is_empty() {
        failures.push(format!("a profile name ran code: {pwned:?}"));
    }
    assert_no_failures(sh, "the picker in tmux", &failures, None);
}

/// A config bigger than the pieces badge reads a large file in (32 KiB)
/// takes another path: only the pieces that may hold the name typed are
/// parsed. Every name still switches exactly and is still offered by Tab.
#[test]
fn big_config_names_switch_and_complete() {
    if !require("bash") {
        return;
    }
    let sh = Shell::Bash;
    let names: Vec<String> = HAND_WRITTEN.iter().map(|n| n.to_string()).collect();
    let mut config = String::from("[profile plain]\nregion = eu-west-1\n\n");
    for (i, name) in names.iter().enumerate() {
        for j in 0..40 {
            config.push_str(&format!(
                "[profile filler-{i:03}-{j:02}]\nregion = eu-west-1\n\n"
            ));
        }
        config.push_str(&format!("{}\nregion = eu-west-1\n\n", header(name)));
    }
    assert!(config.len() > 128 * 1024, "{} bytes", config.len());
    let sandbox = Sandbox::new(&config);
    let mut script = prelude(sh);
    for (i, name) in names.iter().enumerate() {
        script.push_str(&format!(
            "badge use -- {}; __r u{i}\n\
             printf '\\036c{i}\\037'; command badge __complete zsh -- badge use {}\n",
            sh.quote(name),
            sh.quote(&prefix_of(name)),
        ));
    }
    let out = run_shell(sh, &sandbox, &script);
    let records = by_tag(&out.stdout);
    let mut failures = canaries(&sandbox, &out);
    if !out.stderr.is_empty() {
        failures.push("stderr is not empty".to_owned());
    }
    for (i, name) in names.iter().enumerate() {
        check_switch(&records, &format!("u{i}"), name, &mut failures);
        let offered = records.get(&format!("c{i}")).and_then(|f| f.first());
        let found = offered.is_some_and(|lines| {
            lines
                .lines()
                .any(|l| l.rsplit_once('\t').is_some_and(|(value, _)| value == name))
        });
        if !name.starts_with('-') && !found {
            failures.push(format!("{name:?} is not offered for {:?}", prefix_of(name)));
        }
    }
    assert_no_failures(sh, "a big config", &failures, Some(&out));
}

// 5. The config: every name reads back as itself.

/// Every name of the matrix reads back as itself from its header, in badge
/// (`badge ls --json`) and in botocore, so the matrix tests names the AWS
/// tools see too.
#[test]
fn every_name_reads_back_as_itself_in_badge_and_botocore() {
    let mut names = all_names();
    names.extend(TAB_SAMPLE.iter().map(|(n, _, _)| n.to_string()));
    names.extend(PICKER_SAMPLE.iter().map(|(n, _)| n.to_string()));
    // The samples repeat names of the matrix: each once, as botocore
    // refuses a section written twice.
    let mut seen = BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    let sandbox = Sandbox::new(&config_of(&names));
    let want: BTreeSet<String> = names.iter().cloned().chain(["plain".to_owned()]).collect();
    let listed = badge_profile_names(&sandbox);
    assert_eq!(
        listed,
        want,
        "badge reads names differently (seed {})",
        seed()
    );
    if let Some(botocore) = botocore_profile_names(&sandbox) {
        assert_eq!(
            botocore,
            want,
            "botocore reads names differently (seed {})",
            seed()
        );
    }
}

/// Headers written other ways than double-quoted: badge takes from each
/// the same profile name as botocore, or, like it, none.
#[test]
fn other_header_forms_read_as_botocore_reads_them() {
    let headers = [
        "[profile a'b]",
        "[profile a b]",
        "[profile a\\ b]",
        "[profile 'a\"b']",
        "[profile a]b]",
        "[profile  x2 ]",
        "[ profile x3]",
        "[profile x4] ; not a comment",
        "[profile \"a\\b\"]",
        "[profile a\\]",
        "[profile 'a\\']",
        "[profilex5 y5]",
        "[profile \"$(touch PWNED_h)\"]",
        "[profile `x`]",
        "[profile #x6]",
        "[profile \"\u{1b}[31m\"]",
        "[profile \"\tlead\"]",
    ];
    let mut config = String::new();
    for (i, h) in headers.iter().enumerate() {
        config.push_str(&format!("{h}\nregion = r{i}\n\n"));
    }
    let sandbox = Sandbox::new(&config);
    let Some(botocore) = botocore_profile_names(&sandbox) else {
        return;
    };
    assert_eq!(badge_profile_names(&sandbox), botocore, "{config}");
    assert!(sandbox.files_named("PWNED").is_empty());
}

fn badge_profile_names(sandbox: &Sandbox) -> BTreeSet<String> {
    let mut cmd = sandbox.badge();
    cmd.args(["ls", "--json"]);
    let ls = run(cmd, "badge ls --json");
    assert!(ls.status.success(), "{}", ls.report());
    serde_json::from_str::<Vec<serde_json::Value>>(&ls.stdout)
        .unwrap_or_else(|err| panic!("badge ls --json: {err}\n{}", ls.report()))
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

/// The profile names botocore reads from the sandbox's config, or `None`
/// (a loud skip, a failure on CI) without python3 and botocore.
fn botocore_profile_names(sandbox: &Sandbox) -> Option<BTreeSet<String>> {
    let script = "import json, sys, botocore.configloader as c\n\
                  print(json.dumps(sorted(c.load_config(sys.argv[1])['profiles'])))";
    if !support::python_module_available("botocore") {
        return None;
    }
    let names: Vec<String> = serde_json::from_str(&support::botocore_script(sandbox, script, &[]))
        .expect("botocore's profile names as JSON");
    Some(names.into_iter().collect())
}

// 6. Names from Identity Center.

/// Account and role names with quotes, payloads and bidi controls, as
/// Identity Center may return them, become profile names that every SDK
/// accepts (letters, digits and `-_./%@:+`), also through a template with
/// hostile text of its own; each switches exactly in every shell, and the
/// account names shown by completion never carry a control character.
/// Accounts whose names hold line breaks or escape sequences are skipped,
/// each with a warning (no real account is named so).
#[test]
fn sync_of_hostile_account_names_gives_safe_profiles() {
    let accounts = [
        "line1\nline2$(touch PWNED_s1)",
        "'; touch PWNED_s2; '",
        "`touch PWNED_s3`",
        "x\u{1b}[31mred\u{1b}]0;title\u{7}",
        "%F{red}\\u@\\h",
        "(touch PWNED_s4)",
        "{a,b} *?[x] ~root #c",
        "tab\there\r",
        "é-中文 🚀",
        "--help",
    ];
    let org = Org::new(
        accounts
            .iter()
            .enumerate()
            .map(|(i, name)| {
                Account::new(
                    &format!("{:012}", 100_000_000_000u64 + i as u64),
                    name,
                    &["Admin$(touch PWNED_r)", "Read Only;x"],
                )
            })
            .collect(),
    );
    let emu = Emulator::start(EmulatorOptions::new(org));
    let config = format!(
        "[sso-session acme]\nsso_start_url = {}\nsso_region = eu-west-1\n\
         sso_registration_scopes = sso:account:access\n",
        emu.start_url()
    );
    let mut sandbox = Sandbox::new(&config);
    sandbox.set_envs(emu.env());
    sandbox.set_env("BADGE_PORTAL_RATE", "400");
    let token = emu.mint_token();
    sandbox.write(
        &format!(".aws/sso/cache/{}.json", support::TOKEN_CACHE_ACME),
        token.cache_file_json(&emu.start_url(), "eu-west-1"),
    );
    let mut failures = Vec::new();
    let mut all = BTreeSet::new();
    // The names of the last sync are the ones in the config.
    for template in [
        None,
        Some("{account_name};$(touch PWNED_t)`x`/{role_name}'\""),
    ] {
        let mut cmd = sandbox.badge();
        cmd.arg("sync");
        if let Some(t) = template {
            cmd.args(["--template", t]);
        }
        let out = run(cmd, format!("badge sync {template:?}"));
        assert!(out.status.success(), "{}", out.report());
        let names = badge_profile_names(&sandbox);
        let odd = accounts
            .iter()
            .filter(|a| a.contains(char::is_control))
            .count();
        assert_eq!(
            names.len(),
            (accounts.len() - odd) * 2,
            "{names:?}\n{}",
            out.report()
        );
        for (i, _) in accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.contains(char::is_control))
        {
            let id = format!("{:012}", 100_000_000_000u64 + i as u64);
            let warning = format!("badge: warning: skipped account {id} (");
            let said = out.stderr.lines().any(|l| {
                l.starts_with(&warning) && l.ends_with("): its name has control characters")
            });
            if !said {
                failures.push(format!(
                    "account {id} skipped without a word:\n{}",
                    out.stderr
                ));
            }
        }
        for name in &names {
            let safe = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./%@:+".contains(c));
            if !safe || name.is_empty() {
                failures.push(format!("generated name {name:?} is not SDK-safe"));
            }
        }
        if let Some(botocore) = botocore_profile_names(&sandbox)
            && botocore != names
        {
            failures.push(format!("botocore reads {botocore:?}, badge {names:?}"));
        }
        all = names;
    }
    // Completion shows account names; never a raw control character.
    for shell in ["zsh", "fish"] {
        let mut cmd = sandbox.badge();
        cmd.args(["__complete", shell, "--", "badge", "use", ""]);
        let out = run(cmd, format!("badge __complete {shell}"));
        out.assert_clean();
        let profiles = out
            .stdout
            .lines()
            .filter(|l| l.split_once('\t').is_some_and(|(v, _)| all.contains(v)))
            .count();
        if profiles != all.len()
            || out
                .stdout
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\n')
        {
            failures.push(format!("{shell} completion lines:\n{}", out.stdout));
        }
    }
    // Every generated name switches exactly, in every shell.
    let names: Vec<&String> = all.iter().collect();
    for sh in Shell::ALL {
        if !require(sh.name()) {
            continue;
        }
        let mut script = prelude(sh);
        for (i, name) in names.iter().enumerate() {
            script.push_str(&format!(
                "badge use -- {}; __r u{i}\n__prompt p{i}\n",
                sh.quote(name)
            ));
        }
        let out = run_shell(sh, &sandbox, &script);
        let records = by_tag(&out.stdout);
        failures.extend(canaries(&sandbox, &out));
        for (i, name) in names.iter().enumerate() {
            check_switch(&records, &format!("u{i}"), name, &mut failures);
            match records.get(&format!("p{i}")) {
                Some(f) if f.len() == 1 => check_prompt(sh, name, &f[0], &mut failures),
                other => failures.push(format!("{sh}: no prompt for {name:?}: {other:?}")),
            }
        }
        if !out.stderr.is_empty() {
            failures.push(format!("{sh}: stderr: {}", out.stderr));
        }
    }
    let pwned = sandbox.files_named("PWNED");
    if !pwned.is_empty() {
        failures.push(format!("a name ran code: {pwned:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// Pasted hints.

/// An sso-session name that fish, unlike bash and zsh, read as code in the
/// POSIX quoting (`'s\'\''; touch …'`: `\'` is an escape in fish's quotes).
const PASTE_SESSION: &str = "s\\'; touch PWNED_h1; #";
/// An sso-session with a start URL and no region.
const PASTE_BARE: &str = "bare's $(touch PWNED_h2) &&touch PWNED_h3 !! %self ~x";
/// An sso-session no section defines.
const PASTE_MISSING: &str = "gone\\' (touch PWNED_h4) {touch,PWNED_h5} =ls";

/// `[sso-session "NAME"]`, quoted as [`header`] quotes profiles.
fn session_header(name: &str) -> String {
    format!(
        "[sso-session \"{}\"]",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// The config of the pasted hints: profiles `NAME one` (a role of
/// PASTE_SESSION), `NAME two` (of PASTE_SESSION, but no role) and `NAME
/// three` (of PASTE_MISSING).
fn paste_config(name: &str) -> String {
    format!(
        "{}\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n\
         {}\nsso_start_url = https://bare.awsapps.com/start\n\n\
         {}\nsso_session = {PASTE_SESSION}\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n\
         {}\nsso_session = {PASTE_SESSION}\n\n\
         {}\nsso_session = {PASTE_MISSING}\nregion = eu-west-1\n",
        session_header(PASTE_SESSION),
        session_header(PASTE_BARE),
        header(&format!("{name} one")),
        header(&format!("{name} two")),
        header(&format!("{name} three")),
    )
}

/// The commands in backquotes in `text` that start with `badge `.
fn quoted_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("badge "))
        .map(str::to_owned)
        .collect()
}

/// Every kind of command badge suggests for a name (doctor's fixes, the
/// login hint, the sync hint, an ambiguous name's example, did-you-mean),
/// with hostile sso-session and profile names, run as pasted by `bash -c`,
/// `zsh -c` and `fish -c` with `badge` a function that prints its
/// arguments: each is the same words in all three, the name one of them,
/// and nothing in it runs.
#[test]
fn pasted_hints_are_one_word_in_every_shell() {
    for profile in ["p\\'; touch PWNED_h6; #", "it's $(touch PWNED_h7) a\\\\b"] {
        let sandbox = Sandbox::new(&paste_config(profile));
        let one = format!("{profile} one");
        let two = format!("{profile} two");
        // (what printed it, the command, a name it must hold as one word)
        let mut hints: Vec<(String, String, String)> = Vec::new();
        let mut take = |what: &str, text: &str, name: &str| {
            let found = quoted_commands(text);
            assert!(!found.is_empty(), "{what}: no command in {text:?}");
            for command in found {
                hints.push((what.to_owned(), command, name.to_owned()));
            }
        };
        let doctor = sandbox.run_badge(&["doctor", "--json"]);
        let report: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
        let fixes: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["fix"].as_str())
            .filter(|fix| fix.starts_with("badge "))
            .collect();
        for (name, wants) in [
            (PASTE_SESSION, "badge login --sso-session "),
            (PASTE_BARE, "badge session add "),
            (PASTE_MISSING, "badge session add "),
        ] {
            let fix = fixes
                .iter()
                .find(|f| {
                    f.starts_with(wants) && f.contains(&name[name.find("PWNED").unwrap()..][..8])
                })
                .unwrap_or_else(|| panic!("doctor gives no `{wants}` for {name:?}: {fixes:?}"));
            take("doctor", &format!("`{fix}`"), name);
        }
        let current = sandbox
            .badge()
            .env("AWS_PROFILE", &one)
            .arg("current")
            .output()
            .unwrap();
        take(
            "current",
            &String::from_utf8_lossy(&current.stderr),
            PASTE_SESSION,
        );
        take(
            "ls",
            &sandbox
                .run_badge(&["ls", "--sso-session", PASTE_BARE])
                .stderr,
            PASTE_BARE,
        );
        take(
            "creds",
            &sandbox.run_badge(&["creds", &two]).stderr,
            PASTE_SESSION,
        );
        take(
            "console",
            &sandbox.run_badge(&["console", profile]).stderr,
            &one,
        );
        // Did you mean: the names, as words to type after `badge`.
        let typo = sandbox.run_badge(&["console", &format!("{profile} onx")]);
        let meant = typo
            .stderr
            .split_once("did you mean ")
            .and_then(|(_, rest)| rest.split_once("? `badge ls`"))
            .unwrap_or_else(|| panic!("no did-you-mean: {}", typo.report()))
            .0;
        take("did you mean", &format!("`badge {meant}`"), &one);
        let mut words_of: BTreeMap<String, (Shell, String)> = BTreeMap::new();
        for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            if !require(sh.name()) {
                continue;
            }
            let define = match sh {
                Shell::Fish => "function badge; printf '%s\\n' $argv; end",
                _ => "badge() { printf '%s\\n' \"$@\"; }",
            };
            let mut failures = Vec::new();
            for (what, command, name) in &hints {
                let out = run_shell(sh, &sandbox, &format!("{define}\n{command}\n"));
                failures.extend(
                    canaries(&sandbox, &out)
                        .into_iter()
                        .map(|f| format!("{what}: {command}: {f}")),
                );
                let words: Vec<&str> = out.stdout.lines().collect();
                // Names in a list end in a comma (`did you mean A, B or C?`).
                let listed = format!("{name},");
                if !out.stderr.is_empty()
                    || !(words.contains(&name.as_str()) || words.contains(&listed.as_str()))
                {
                    failures.push(format!(
                        "{what}: {command}\n  read as {words:?}, which lacks {name:?}\n  stderr: {}",
                        out.stderr.trim()
                    ));
                }
                let (first, before) = words_of
                    .entry(command.clone())
                    .or_insert((sh, out.stdout.clone()));
                if *before != out.stdout {
                    failures.push(format!(
                        "{what}: {command}\n  read as {words:?}, by {first} as {before:?}"
                    ));
                }
            }
            assert_no_failures(sh, "pasted hints", &failures, None);
        }
    }
}
