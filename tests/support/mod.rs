//! Harness for the black-box tests that run `badge` inside real shells.
//!
//! Every test gets a [`Sandbox`]: a temporary `HOME` holding `.aws/config`,
//! and an environment built from nothing, so no test ever sees the
//! developer's `AWS_*` variables, rc files or `~/.aws`. [`run_shell`] runs a
//! script in bash, zsh or fish with that environment; [`tmux::Tmux`] drives
//! an interactive shell in a real terminal for completion and the picker.
//!
//! Each test binary uses only part of this module.
#![allow(dead_code)]

pub mod tmux;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The built binary under test.
pub fn badge_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_badge"))
}

/// Copies an executable for a test to run, with `cp`: a copy written by
/// this process would be open for writing in any child another test thread
/// forks meanwhile, until that child execs, and running the copy then fails
/// with "Text file busy".
pub fn copy_program(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .expect("run cp");
    assert!(status.success(), "cp {} {}", from.display(), to.display());
}

/// The columns `text` takes on a terminal (two for CJK and most emoji).
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The shells badge integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The line a user puts in the rc file, with extra `badge init` flags.
    pub fn init_with(self, flags: &str) -> String {
        let space = if flags.is_empty() { "" } else { " " };
        match self {
            Shell::Bash | Shell::Zsh => format!("eval \"$(badge init {self}{space}{flags})\""),
            Shell::Fish => format!("badge init fish{space}{flags} | source"),
        }
    }

    pub fn init(self) -> String {
        self.init_with("")
    }

    /// The exit status of the last command.
    pub fn status(self) -> &'static str {
        match self {
            Shell::Bash | Shell::Zsh => "$?",
            Shell::Fish => "$status",
        }
    }

    /// A command printing `NAME=[value]`, or `NAME unset`, for a variable.
    pub fn show(self, var: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!(
                "if [ -n \"${{{var}+x}}\" ]; then printf '%s=[%s]\\n' {var} \"${var}\"; \
                 else echo '{var} unset'; fi"
            ),
            Shell::Fish => format!(
                "if set -q {var}; printf '%s=[%s]\\n' {var} \"${var}\"; else; echo '{var} unset'; end"
            ),
        }
    }

    /// `value` as one word of this shell's syntax, quoted independently of
    /// badge's own quoting code.
    pub fn quote(self, value: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("'{}'", value.replace('\'', r"'\''")),
            Shell::Fish => format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'")),
        }
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `program` is on the PATH. Missing: a failure on CI (`CI=true`),
/// elsewhere a loud skip, so a developer without fish still gets a run.
#[track_caller]
pub fn require(program: &str) -> bool {
    find_program(program).is_some() || missing(program)
}

/// A program or package a test needs is not installed: under `CI=true` (or
/// `CI=1`) the test fails, as CI must run everything; elsewhere a loud skip
/// (`false`), written straight to stderr, which the test harness does not
/// capture.
#[track_caller]
fn missing(what: &str) -> bool {
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if on_ci {
        panic!("{what} is not installed, and CI=true: these tests must run on CI");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n**********************************************************\n\
         SKIPPED: {what} not installed; this test did not run\n\
         **********************************************************"
    );
    false
}

/// Test data that is not there (the shared conformance suites): a failure
/// on CI, a loud skip elsewhere, as for a missing program.
#[track_caller]
pub fn missing_data(what: &str) -> bool {
    missing(what)
}

/// Whether the tests run as root, which they need to give a folder to
/// another user; as any other user, a failure on CI and a loud skip here.
#[track_caller]
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    root || missing("root (to give a test folder to another user)")
}

/// Whether the Debian AWS CLI v2 (`/usr/bin/aws`, not a pip `aws` v1 on the
/// PATH) is installed; missing, a failure on CI and a loud skip elsewhere.
#[track_caller]
pub fn aws_cli_v2_available() -> bool {
    Path::new("/usr/bin/aws").is_file() || missing("the AWS CLI v2 (/usr/bin/aws, Debian awscli)")
}

/// Where `program` lives on the test process's PATH.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The minimal PATH children get: the binary under test first, then the
/// system folders (where the shells, tmux and coreutils live).
fn child_path() -> OsString {
    let bin_dir = badge_bin().parent().expect("the binary has a folder");
    let mut path = bin_dir.as_os_str().to_owned();
    path.push(":/usr/local/bin:/usr/bin:/bin");
    path
}

/// A temporary HOME with an AWS config, and the environment of every
/// process a test starts.
pub struct Sandbox {
    dir: tempfile::TempDir,
    env: BTreeMap<OsString, OsString>,
}

impl Sandbox {
    /// Puts wrappers first on the PATH that log each run of badge and of
    /// badge-quick (its first argument) to `~/badge-runs`, read back by
    /// [`Self::badge_runs`].
    pub fn count_badge_runs(&mut self) {
        for name in ["badge", "badge-quick"] {
            let counter = self.write(
                &format!("counting/{name}"),
                format!(
                    "#!/bin/sh\necho \"$1\" >> \"$HOME/badge-runs\"\nexec '{}' \"$@\"\n",
                    badge_bin().with_file_name(name).display()
                ),
            );
            std::fs::set_permissions(
                &counter,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
        }
        let path = self
            .env()
            .find(|(k, _)| *k == "PATH")
            .map(|(_, v)| v.to_string_lossy().into_owned())
            .unwrap();
        let counting = self.home().join("counting");
        self.set_env("PATH", format!("{}:{path}", counting.display()));
    }

    /// The first argument of each run of badge since [`Self::count_badge_runs`].
    pub fn badge_runs(&self) -> Vec<String> {
        std::fs::read_to_string(self.home().join("badge-runs"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// A sandbox whose `~/.aws/config` holds `config`.
    pub fn new(config: &str) -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("badge-test-")
            .tempdir()
            .expect("create a temporary folder");
        let mut sandbox = Sandbox {
            dir,
            env: BTreeMap::new(),
        };
        let home = sandbox.home().to_owned();
        sandbox
            .set_env("HOME", &home)
            .set_env("PATH", child_path())
            .set_env("TERM", "xterm-256color")
            .set_env("LANG", "C.UTF-8");
        sandbox.write(".aws/config", config);
        // The sessions of CONFIG are signed in, so switching is quiet.
        sandbox.sign_in(TOKEN_CACHE_ACME);
        sandbox.sign_in(TOKEN_CACHE_OTHER);
        sandbox
    }

    /// Write a valid token cache file, as `badge login` would, for the
    /// sso-session whose cache file name (sha1 of its name) is given, for
    /// that session's start URL in CONFIG (a login for another start URL is
    /// no login).
    pub fn sign_in(&self, cache_file: &str) -> PathBuf {
        let start_url = if cache_file == TOKEN_CACHE_OTHER {
            "https://other.awsapps.com/start"
        } else {
            "https://acme.awsapps.com/start"
        };
        self.write(
            &format!(".aws/sso/cache/{cache_file}.json"),
            format!(
                "{{\"startUrl\": \"{start_url}\", \"region\": \"eu-west-1\", \
                 \"accessToken\": \"test-token\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}}"
            ),
        )
    }

    /// Remove the token cache of a session: it is then not signed in.
    pub fn sign_out(&self, cache_file: &str) {
        let _ = std::fs::remove_file(
            self.home()
                .join(format!(".aws/sso/cache/{cache_file}.json")),
        );
    }

    /// The sandbox's HOME, also the working folder of every child.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws/config")
    }

    /// Write a file under HOME, creating its folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.home().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders in the sandbox");
        }
        std::fs::write(&path, contents).expect("write a file in the sandbox");
        path
    }

    pub fn set_env(&mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Sandbox {
        self.env
            .insert(name.as_ref().to_owned(), value.as_ref().to_owned());
        self
    }

    pub fn set_envs<K, V>(&mut self, vars: impl IntoIterator<Item = (K, V)>) -> &mut Sandbox
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (name, value) in vars {
            self.set_env(name, value);
        }
        self
    }

    pub fn remove_env(&mut self, name: &str) -> &mut Sandbox {
        self.env.remove(OsStr::new(name));
        self
    }

    pub fn env(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.env.iter().map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// `program` with exactly the sandbox environment, run in HOME, with
    /// stdin closed.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env())
            .current_dir(self.home())
            .stdin(Stdio::null());
        cmd
    }

    /// The binary itself, without any shell.
    pub fn badge(&self) -> Command {
        self.command(badge_bin())
    }

    /// `badge ARGS...`, run to completion.
    pub fn run_badge(&self, args: &[&str]) -> Run {
        let mut cmd = self.badge();
        cmd.args(args);
        run(cmd, format!("badge {}", args.join(" ")))
    }

    /// `python3` with the sandbox environment, run in HOME, stdin closed,
    /// but with [`python_env`], where python3 finds boto3 and botocore, and
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` naming the
    /// sandbox's files.
    pub fn python3(&self) -> Command {
        let mut cmd = self.command("python3");
        cmd.envs(python_env())
            .env("AWS_CONFIG_FILE", self.config_path())
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home().join(".aws/credentials"),
            );
        cmd
    }

    /// Files anywhere in the sandbox whose name starts with `prefix`.
    pub fn files_named(&self, prefix: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, prefix: &str, found: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_name().to_string_lossy().starts_with(prefix) {
                    found.push(path.clone());
                }
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&path, prefix, found);
                }
            }
        }
        let mut found = Vec::new();
        walk(self.home(), prefix, &mut found);
        found
    }
}

/// How long any one child process may run before the test gives up on it.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(30);

/// What a finished process printed, with what ran, for failure messages.
pub struct Run {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything about this run, for a panic message.
    pub fn report(&self) -> String {
        format!(
            "--- {} ---\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n---",
            self.what, self.status, self.stdout, self.stderr
        )
    }

    /// Exit 0, whatever stderr says.
    #[track_caller]
    pub fn assert_success(&self) -> &Run {
        assert!(self.status.success(), "expected success\n{}", self.report());
        self
    }

    /// The first line of stderr that starts with `prefix`.
    #[track_caller]
    pub fn stderr_line(&self, prefix: &str) -> &str {
        self.stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting with {prefix:?}\n{}", self.report()))
    }

    /// Exit 0 and nothing on stderr.
    #[track_caller]
    pub fn assert_clean(&self) -> &Run {
        assert!(
            self.status.success() && self.stderr.is_empty(),
            "expected exit 0 and an empty stderr\n{}",
            self.report()
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout(&self, expected: &str) -> &Run {
        assert!(
            self.stdout == expected,
            "stdout differs\n--- expected stdout ---\n{expected}\n{}",
            self.report()
        );
        self
    }

    #[track_caller]
    pub fn assert_stderr(&self, expected: &str) -> &Run {
        assert!(
            self.stderr == expected,
            "stderr differs\n--- expected stderr ---\n{expected}\n{}",
            self.report()
        );
        self
    }
}

/// Run `cmd` to completion, with a timeout so a hung shell fails the test
/// instead of hanging the suite.
pub fn run(cmd: Command, what: impl Into<String>) -> Run {
    run_within(cmd, what, PROCESS_TIMEOUT)
}

/// [`run`] for a process that may take longer than [`PROCESS_TIMEOUT`].
pub fn run_within(mut cmd: Command, what: impl Into<String>, timeout: Duration) -> Run {
    let what = what.into();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {what}: {err}"));
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let (sender, receiver) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = sender.send(());
        status
    });
    if receiver.recv_timeout(timeout).is_err() {
        // Only the process this function started, by its id.
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        let _ = waiter.join();
        let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
        let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
        panic!(
            "{what} did not finish within {timeout:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
        );
    }
    let status = waiter
        .join()
        .expect("waiter thread")
        .unwrap_or_else(|err| panic!("waiting for {what}: {err}"));
    let text = |bytes: Vec<u8>, stream: &str| {
        String::from_utf8(bytes)
            .unwrap_or_else(|err| panic!("{what} printed invalid UTF-8 on {stream}: {err}"))
    };
    Run {
        stdout: text(out_reader.join().expect("stdout reader"), "stdout"),
        stderr: text(err_reader.join().expect("stderr reader"), "stderr"),
        status,
        what,
    }
}

// ---- a fixed answer -------------------------------------------------------------

/// A server on 127.0.0.1 that answers every request with the same whole
/// HTTP `response`, for a service that is not what it should be (a wrong
/// endpoint, a proxy's error page). It stops when dropped.
pub struct FixedServer {
    pub url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FixedServer {
    pub fn start(response: &str) -> FixedServer {
        use std::io::{Read, Write as _};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (response, stopped) = (response.to_owned(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                // Read the request head (and whatever body came with it).
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 1 << 16 {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(response.as_bytes());
            }
        });
        FixedServer { url, stop }
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

// ---- python3, boto3 and botocore --------------------------------------------

/// What a `python3` child takes from the test process's environment: the
/// PATH (behind badge's folder, for a `credential_process = badge ...`) and
/// pyenv's variables, where python3 finds boto3 and botocore, and the
/// locale; and no instance metadata lookups, which would leave 127.0.0.1.
pub fn python_env() -> Vec<(OsString, OsString)> {
    let mut path = badge_bin()
        .parent()
        .expect("the binary has a folder")
        .as_os_str()
        .to_owned();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let mut env = vec![
        (OsString::from("PATH"), path),
        (
            OsString::from("AWS_EC2_METADATA_DISABLED"),
            OsString::from("true"),
        ),
    ];
    for (name, value) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("PYENV") || text == "LANG" || text.starts_with("LC_") {
            env.push((name, value));
        }
    }
    env
}

/// `python3` with [`python_env`] and nothing else of the test process's
/// environment (no `AWS_*`, no HOME), stdin closed.
pub fn python3() -> Command {
    let mut cmd = Command::new("python3");
    cmd.env_clear().envs(python_env()).stdin(Stdio::null());
    cmd
}

/// Whether [`python3`] imports `module` (boto3, botocore). Missing: a
/// failure on CI (`CI=true`), elsewhere a loud skip, as [`require`].
#[track_caller]
pub fn python_module_available(module: &str) -> bool {
    let found = python3()
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    found || missing(&format!("python3 with {module}"))
}

/// What the python3 `script` prints, given the sandbox's config path as
/// `sys.argv[1]` and then `args`: botocore's view of the config. A script
/// that fails (botocore refuses the file, an assertion) fails the test.
#[track_caller]
pub fn botocore_script(sandbox: &Sandbox, script: &str, args: &[&str]) -> String {
    let mut cmd = sandbox.python3();
    cmd.arg("-c")
        .arg(script)
        .arg(sandbox.config_path())
        .args(args);
    let out = run(cmd, format!("python3 botocore script {}", args.join(" ")));
    assert!(
        out.status.success(),
        "botocore could not read the config:\n{}",
        out.report()
    );
    out.stdout
}

// ---- seeded randomness -------------------------------------------------------

/// SplitMix64: a few lines, the same numbers everywhere, so a failure
/// replays from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [low, high).
    pub fn between(&mut self, low: Duration, high: Duration) -> Duration {
        low + (high.saturating_sub(low)).mul_f64(self.unit())
    }

    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// `program` as the sandbox runs it for `shell`: absolute path on the
/// sandbox PATH, so the child never depends on the test process's PATH.
fn shell_program(shell: Shell) -> PathBuf {
    find_program(shell.name()).unwrap_or_else(|| PathBuf::from(shell.name()))
}

/// Run `script` in a non-interactive `shell` that reads no rc file, in the
/// sandbox (HOME as working folder, `SHELL` naming that shell).
pub fn run_shell(shell: Shell, sandbox: &Sandbox, script: &str) -> Run {
    let program = shell_program(shell);
    let mut cmd = sandbox.command(&program);
    cmd.env("SHELL", &program);
    match shell {
        Shell::Bash => cmd.args(["--noprofile", "--norc", "-c", script]),
        Shell::Zsh => cmd.args(["--no-rcs", "-c", script]),
        Shell::Fish => cmd.args(["--no-config", "-c", script]),
    };
    run(cmd, format!("{shell} script:\n{script}"))
}

/// One `#[test]` per shell for each named function `fn NAME(shell: Shell)`,
/// in modules `bash`, `zsh` and `fish`, so a failure names its shell. A
/// test whose shell is missing is skipped loudly (or fails on CI).
#[macro_export]
macro_rules! per_shell {
    ($($name:ident),* $(,)?) => {
        mod bash {
            $(#[test] fn $name() {
                if $crate::support::require("bash") { super::$name($crate::support::Shell::Bash) }
            })*
        }
        mod zsh {
            $(#[test] fn $name() {
                if $crate::support::require("zsh") { super::$name($crate::support::Shell::Zsh) }
            })*
        }
        mod fish {
            $(#[test] fn $name() {
                if $crate::support::require("fish") { super::$name($crate::support::Shell::Fish) }
            })*
        }
    };
}

/// Token cache file names: the sha1 of the sso-session names of CONFIG.
pub const TOKEN_CACHE_ACME: &str = "293abb6b76d7791c0732cc517d38c4b5c734b87f";
pub const TOKEN_CACHE_OTHER: &str = "d0941e68da8f38151ff86a61fc59f7c5cf9fcaa2";

/// A config with a handful of profiles that exercise matching: `prod` is a
/// prefix of `prod-readonly`, `dev-a` is a unique prefix, `ging` a unique
/// substring, and `dev` is ambiguous.
pub const CONFIG: &str = "\
# Test config for badge
[default]
region = eu-west-1

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev-alpha]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
badge_account_name = development
region = eu-west-1

[profile dev-beta]
sso_session = acme
sso_account_id = 222222222222
sso_role_name = ReadOnlyAccess
badge_account_name = development-beta

[profile prod]
sso_session = acme
sso_account_id = 333333333333
sso_role_name = AdministratorAccess

[profile prod-readonly]
sso_session = acme
sso_account_id = 333333333333
sso_role_name = ReadOnlyAccess

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1

[profile staging-eu]
sso_session = other
sso_account_id = 444444444444
sso_role_name = PowerUserAccess
";
