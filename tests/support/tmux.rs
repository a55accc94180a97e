//! An interactive shell in a real terminal: a tmux server of its own (its
//! socket inside the sandbox), one 160×40 pane running bash, zsh or fish
//! with the sandbox environment and badge's init loaded, driven by
//! `send-keys` and read back with `capture-pane`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{Run, Sandbox, Shell, find_program, run};

/// How long to wait for the screen to show something.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// How the zsh rc loads the completion system (no dump file).
pub const COMPINIT: &str = "autoload -Uz compinit && compinit -u -D";

/// What every test prompt starts with; the badge segment comes before it.
pub const PROMPT: &str = "test";

pub struct Tmux {
    pub shell: Shell,
    socket: PathBuf,
    config: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Tmux {
    /// Start `shell` interactively with `badge init` in its rc, and wait
    /// for its first prompt.
    pub fn start(sandbox: &Sandbox, shell: Shell) -> Tmux {
        Tmux::start_with(sandbox, shell, "")
    }

    /// The same with extra `badge init` flags.
    pub fn start_with(sandbox: &Sandbox, shell: Shell, init_flags: &str) -> Tmux {
        let rc = match shell {
            Shell::Zsh => format!("{COMPINIT}\n{}", shell.init_with(init_flags)),
            _ => shell.init_with(init_flags),
        };
        Tmux::start_rc(sandbox, shell, &rc)
    }

    /// Start `shell` with `rc` as the end of its rc file, after the test
    /// prompt is set. zsh's `rc` runs compinit itself ([`COMPINIT`]).
    pub fn start_rc(sandbox: &Sandbox, shell: Shell, rc: &str) -> Tmux {
        Tmux::start_rc_on(sandbox, shell, rc, "tmux.sock")
    }

    /// A second terminal in the same sandbox: `shell` with `badge init` in
    /// its rc, on a tmux server of its own (socket `socket` in HOME).
    pub fn start_another(sandbox: &Sandbox, shell: Shell, socket: &str) -> Tmux {
        let rc = match shell {
            Shell::Zsh => format!("{COMPINIT}\n{}", shell.init()),
            _ => shell.init(),
        };
        Tmux::start_rc_on(sandbox, shell, &rc, socket)
    }

    fn start_rc_on(sandbox: &Sandbox, shell: Shell, rc: &str, socket: &str) -> Tmux {
        let home = sandbox.home();
        let config = sandbox.write(
            "tmux.conf",
            "set -g remain-on-exit on\nset -g status off\nset -sg escape-time 0\n",
        );
        let program = find_program(shell.name())
            .unwrap_or_else(|| panic!("{shell} is not installed"))
            .into_os_string();
        let mut session_env: Vec<(OsString, OsString)> = sandbox
            .env()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        session_env.push(("SHELL".into(), program.clone()));
        let mut argv: Vec<OsString> = vec![program];
        match shell {
            Shell::Bash => {
                let rc = sandbox.write(
                    "test-bashrc",
                    format!("PS1='{PROMPT}$ '\nHISTFILE=/dev/null\n{rc}\n"),
                );
                argv.extend([
                    "--noprofile".into(),
                    "--rcfile".into(),
                    rc.into(),
                    "-i".into(),
                ]);
            }
            Shell::Zsh => {
                sandbox.write(
                    "zdotdir/.zshrc",
                    format!(
                        // PROMPT_SUBST as most zsh frameworks set it: the
                        // segment must still print names as text.
                        "PROMPT='{PROMPT}%% '\nRPROMPT=\nunsetopt PROMPT_SP\nsetopt PROMPT_SUBST\n{rc}\n"
                    ),
                );
                session_env.push(("ZDOTDIR".into(), home.join("zdotdir").into()));
                // -d: no /etc/zsh/zshrc, only the sandbox's .zshrc.
                argv.extend(["-d".into(), "-i".into()]);
            }
            Shell::Fish => {
                let rc = sandbox.write(
                    "test-init.fish",
                    format!(
                        "set -g fish_greeting\nset -g fish_autosuggestion_enabled 0\n\
                         function fish_prompt; printf '{PROMPT}> '; end\n{rc}\n"
                    ),
                );
                let source = format!("source {}", rc.display());
                argv.extend([
                    "--no-config".into(),
                    "-i".into(),
                    "-C".into(),
                    source.into(),
                ]);
            }
        }
        let tmux = Tmux {
            shell,
            socket: home.join(socket),
            config,
            env: sandbox
                .env()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        // `env -i` so the pane sees exactly the sandbox environment, not
        // what tmux adds (TMUX, TMUX_PANE, its own TERM).
        let mut cmd = tmux.command();
        cmd.args(["new-session", "-d", "-x", "160", "-y", "40", "-c"])
            .arg(home)
            .arg("env")
            .arg("-i");
        for (key, value) in &session_env {
            let mut pair = key.clone();
            pair.push("=");
            pair.push(value);
            cmd.arg(pair);
        }
        cmd.args(&argv);
        tmux.checked(cmd, "tmux new-session");
        tmux.wait_for("the first prompt", |screen| {
            last_line(screen).starts_with(PROMPT)
        });
        tmux
    }

    fn command(&self) -> Command {
        let program = find_program("tmux").unwrap_or_else(|| PathBuf::from("tmux"));
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .arg("-f")
            .arg(&self.config);
        cmd
    }

    fn checked(&self, cmd: Command, what: &str) -> Run {
        let result = run(cmd, format!("{what} ({})", self.shell));
        assert!(result.status.success(), "{}", result.report());
        result
    }

    /// Make the terminal `columns` wide (and `rows` high), as a user
    /// resizing the window does.
    pub fn resize(&self, columns: u16, rows: u16) {
        let mut cmd = self.command();
        cmd.args(["resize-window", "-t", "0", "-x"])
            .arg(columns.to_string())
            .arg("-y")
            .arg(rows.to_string());
        self.checked(cmd, "tmux resize-window");
    }

    /// Keys by tmux name (`Tab`, `Enter`, `Escape`, `C-c`, …).
    pub fn send_keys(&self, keys: &[&str]) {
        let mut cmd = self.command();
        cmd.args(["send-keys", "-t", "0"]).args(keys);
        self.checked(cmd, "tmux send-keys");
    }

    /// Text typed as it is, with no key names.
    pub fn send_literal(&self, text: &str) {
        let mut cmd = self.command();
        cmd.args(["send-keys", "-t", "0", "-l", "--", text]);
        self.checked(cmd, "tmux send-keys -l");
    }

    /// Type a command line and press Enter.
    pub fn send_line(&self, text: &str) {
        self.send_literal(text);
        self.send_keys(&["Enter"]);
    }

    /// The visible screen, trailing blank lines removed.
    pub fn capture(&self) -> String {
        let mut cmd = self.command();
        cmd.args(["capture-pane", "-p", "-t", "0"]);
        let result = self.checked(cmd, "tmux capture-pane");
        result.stdout.trim_end().to_owned()
    }

    /// The pane's title, as the programs in it set it (`ESC ] 0 ; … BEL`).
    pub fn pane_title(&self) -> String {
        let mut cmd = self.command();
        cmd.args(["display-message", "-p", "-t", "0", "#{pane_title}"]);
        let result = self.checked(cmd, "tmux display-message");
        result.stdout.trim_end().to_owned()
    }

    /// Poll the screen until `ready` holds; the screen then. Fails with the
    /// screen after the timeout.
    #[track_caller]
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > WAIT {
                panic!(
                    "{}: timed out after {WAIT:?} waiting for {what}\n--- screen ---\n{screen}\n---",
                    self.shell
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Wait until `text` is on the screen.
    #[track_caller]
    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?} on the screen"), |screen| {
            screen.contains(text)
        })
    }

    /// Wait until the line being edited (the last one) reads `line` after
    /// the prompt.
    #[track_caller]
    pub fn wait_for_command_line(&self, line: &str) -> String {
        self.wait_for(&format!("the command line {line:?}"), |screen| {
            command_line(screen) == Some(line)
        })
    }

    /// Wait for a fresh prompt below everything printed so far.
    #[track_caller]
    pub fn wait_for_prompt(&self) -> String {
        self.wait_for("an empty prompt", |screen| command_line(screen) == Some(""))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let mut cmd = self.command();
        cmd.arg("kill-server");
        let _ = cmd.output();
    }
}

/// The last non-empty line of the screen.
pub fn last_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// What follows the test prompt on the last line (and on any badge prompt
/// segment before it), trailing spaces removed; `None` when the last line
/// is not a prompt.
pub fn command_line(screen: &str) -> Option<&str> {
    let line = last_line(screen);
    let at = line.find(PROMPT)?;
    let before = &line[..at];
    if !(before.is_empty() || before.starts_with("(aws:")) {
        return None;
    }
    let rest = &line[at + PROMPT.len()..];
    let rest = rest.get(2..).unwrap_or("");
    Some(rest.trim_end())
}
