//! badge-quick, the small binary the shell functions run for a switch, a
//! Tab and the prompt's and folder's questions: it answers exactly as
//! badge does, and hands every other command line to the badge beside it.

mod support;

use std::path::Path;
use std::time::Duration;

use support::{Run, Sandbox, badge_bin, copy_program, run, run_within};

fn quick_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_badge-quick"))
}

const CONFIG: &str = "\
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1

[profile prod]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = Admin

[profile Prod-ReadOnly]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = ReadOnly

[profile dev-alpha]
sso_session = acme
sso_account_id = 222222222222
sso_role_name = Admin

[profile dev-beta]
sso_session = other
sso_account_id = 333333333333
sso_role_name = Admin

[profile 'quoted name']
sso_session = acme
sso_account_id = 444444444444
sso_role_name = Admin

[profile nosession]
sso_session = missing
sso_account_id = 555555555555
sso_role_name = Admin

[profile keys]
region = eu-west-1

[profile use]
region = eu-west-1
";

/// Every shape the shell functions run, and some they never do: badge-quick
/// must answer each alike, itself or through badge.
fn command_lines(folder: &str) -> Vec<Vec<String>> {
    let lines: Vec<Vec<&str>> = vec![
        vec!["prod"],
        vec!["use", "prod"],
        vec!["alpha"],
        vec!["dev"],
        vec!["nope"],
        vec!["logn"],
        vec!["-"],
        vec!["use", "-"],
        vec!["keys"],
        vec!["nosession"],
        vec!["dev-beta"],
        vec!["quoted name"],
        vec!["use", "use"],
        vec!["use"],
        vec![],
        vec!["ls"],
        vec!["--help"],
        vec!["-V"],
        vec!["-v", "prod"],
        vec!["use", "--login", "prod"],
        vec!["use", "prod", "extra"],
        vec!["current"],
        vec!["__prompt"],
        vec!["__dir", folder],
        vec!["__complete", "bash", "--", "badge pr", "pr", "9"],
        vec!["__complete", "bash", "--", "badge use d", "d", "?"],
        vec!["__complete", "bash", "--", "badge 'quo", "'quo", ""],
        vec!["__complete", "bash", "--", "badge ", "", "9"],
        vec!["__complete", "bash", "--", "badge l", "l", "9"],
        vec!["__complete", "zsh", "--", "badge", "d"],
        vec!["__complete", "zsh", "--", "badge", "use", ""],
        vec!["__complete", "fish", "--", "badge", "P"],
        vec!["__complete", "fish", "--", "badge", "ls", "--"],
        vec!["__complete", "nosuchshell", "--", "badge", "p"],
    ];
    lines
        .into_iter()
        .map(|line| line.into_iter().map(str::to_owned).collect())
        .collect()
}

/// `--verbose` lines without their clock: two runs differ there.
fn without_times(text: &str) -> String {
    text.lines()
        .map(|line| {
            match line
                .strip_prefix("badge [")
                .and_then(|l| l.split_once("s] "))
            {
                Some((_, rest)) => format!("badge [time] {rest}\n"),
                None => format!("{line}\n"),
            }
        })
        .collect()
}

fn run_with(sandbox: &Sandbox, program: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    let mut cmd = sandbox.command(program);
    cmd.args(args).envs(env.iter().copied());
    run(cmd, format!("{} {args:?} {env:?}", program.display()))
}

#[test]
fn quick_answers_every_command_line_as_badge_does() {
    let sandbox = Sandbox::new(CONFIG);
    let folder = sandbox.home().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let folder = folder.to_str().unwrap().to_owned();
    let envs: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("__BADGE_SHELL", "bash")],
        vec![("__BADGE_SHELL", "zsh"), ("__BADGE_PREVIOUS", "=dev-alpha")],
        vec![("__BADGE_SHELL", "fish"), ("__BADGE_PREVIOUS", "")],
        vec![("__BADGE_SHELL", "bash"), ("__BADGE_CMD", "awsp")],
        vec![("__BADGE_SHELL", "bash"), ("BADGE_LOG", "1")],
    ];
    let mut compared = 0;
    for line in command_lines(&folder) {
        for env in &envs {
            let whole = run_with(&sandbox, badge_bin(), &line, env);
            let quick = run_with(&sandbox, quick_bin(), &line, env);
            assert_eq!(
                (
                    whole.status.code(),
                    &whole.stdout,
                    without_times(&whole.stderr)
                ),
                (
                    quick.status.code(),
                    &quick.stdout,
                    without_times(&quick.stderr)
                ),
                "badge-quick answered otherwise than badge\n{}\n{}",
                whole.report(),
                quick.report()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 34 * 6);
}

/// Alone in a folder, without badge beside it, badge-quick still switches
/// and completes (it answers those itself), and says what is missing for a
/// command it would hand over.
#[test]
fn quick_answers_switches_itself_and_hands_the_rest_to_badge() {
    let sandbox = Sandbox::new(CONFIG);
    let alone = sandbox.home().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    let copy = alone.join("badge-quick");
    copy_program(quick_bin(), &copy);

    let switch = run_with(
        &sandbox,
        &copy,
        &["prod".to_owned()],
        &[("__BADGE_SHELL", "bash")],
    );
    switch.assert_success();
    assert!(
        switch.stdout.contains("export AWS_PROFILE='prod'"),
        "{}",
        switch.report()
    );
    let tab_line = ["__complete", "bash", "--", "badge dev", "dev", "?"].map(String::from);
    let tab = run_with(&sandbox, &copy, &tab_line, &[]);
    tab.assert_success();
    assert_eq!(tab.stdout.lines().count(), 2, "{}", tab.report());
    assert_eq!(
        tab.stdout,
        run_with(&sandbox, badge_bin(), &tab_line, &[]).stdout
    );

    let ls = run_with(&sandbox, &copy, &["ls".to_owned()], &[]);
    assert_eq!(ls.code(), Some(1), "{}", ls.report());
    assert_eq!(ls.stdout, "");
    let expected = format!(
        "badge: cannot run {}, which answers what badge-quick does not: No such file or directory\n",
        alone.join("badge").display()
    );
    assert_eq!(ls.stderr, expected, "{}", ls.report());
}

/// `badge init` has the functions run badge-quick when the badge-quick on
/// PATH is in the folder of the badge on PATH, and badge otherwise.
#[test]
fn init_runs_badge_quick_only_beside_badge() {
    let sandbox = Sandbox::new(CONFIG);
    let init = |program: &Path, path: &str| {
        let mut cmd = sandbox.command(program);
        cmd.args(["init", "bash"]).env("PATH", path);
        let done = run(cmd, format!("{} init bash, PATH={path}", program.display()));
        done.assert_success();
        done.stdout
    };
    let bin_dir = badge_bin().parent().unwrap().display().to_string();

    let beside = init(badge_bin(), &format!("{bin_dir}:/usr/bin:/bin"));
    assert!(beside.contains("command badge-quick \"$@\""), "{beside}");
    assert!(
        beside.contains("command badge-quick __complete bash"),
        "{beside}"
    );

    // badge alone in a folder, badge-quick elsewhere on PATH: another
    // install, maybe another version.
    let alone = sandbox.home().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    copy_program(badge_bin(), &alone.join("badge"));
    let elsewhere = init(
        &alone.join("badge"),
        &format!("{}:{bin_dir}:/usr/bin:/bin", alone.display()),
    );
    assert!(!elsewhere.contains("badge-quick"), "{elsewhere}");
    assert!(elsewhere.contains("command badge \"$@\""), "{elsewhere}");

    // Neither on PATH.
    let off_path = init(badge_bin(), "/usr/bin:/bin");
    assert!(!off_path.contains("badge-quick"), "{off_path}");

    // Symlinks to one install, in another folder on PATH, as a package
    // manager may link them: that install's folder counts.
    let links = sandbox.home().join("links");
    std::fs::create_dir_all(&links).unwrap();
    for name in ["badge", "badge-quick"] {
        std::os::unix::fs::symlink(badge_bin().with_file_name(name), links.join(name)).unwrap();
    }
    let linked = init(badge_bin(), &format!("{}:/usr/bin:/bin", links.display()));
    assert!(linked.contains("command badge-quick \"$@\""), "{linked}");
}

/// A `badge` beside badge-quick that is badge-quick again (a link, a
/// copy): the hand-over would run itself for ever; it says so and stops.
#[test]
fn quick_beside_itself_says_so_and_stops() {
    let sandbox = Sandbox::new(CONFIG);
    for (folder, make) in [("linked", "link"), ("copied", "copy")] {
        let dir = sandbox.home().join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        copy_program(quick_bin(), &dir.join("badge-quick"));
        match make {
            "link" => std::os::unix::fs::symlink("badge-quick", dir.join("badge")).unwrap(),
            _ => copy_program(quick_bin(), &dir.join("badge")),
        }
        let expected = format!(
            "badge: cannot run {}, which answers what badge-quick does not: it is badge-quick itself\n",
            dir.join("badge").display()
        );
        for program in ["badge-quick", "badge"] {
            let mut cmd = sandbox.command(dir.join(program));
            cmd.arg("ls");
            let done = run_within(
                cmd,
                format!("{folder}/{program} ls"),
                Duration::from_secs(20),
            );
            assert_eq!(done.code(), Some(1), "{}", done.report());
            assert_eq!(done.stdout, "");
            assert_eq!(done.stderr, expected, "{}", done.report());
        }
    }
}
