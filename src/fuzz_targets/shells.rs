//! Real shells for the quoting target: one long-lived bash, zsh and fish per
//! process, each reading NUL-terminated scripts on stdin, evaluating them
//! (`eval`, as the shell integration does) and answering NUL-terminated
//! fields on stdout. A value never holds a NUL, so NUL frames everything.
//!
//! The shells start with an empty environment, in a scratch folder, with
//! `PATH` pointing at an empty folder: a quoting bug can run builtins, but no
//! program.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::shell::Shell;
use crate::shell::{Script, quote};

/// The shells the quoting target runs.
pub const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

/// How long a shell may take to answer one batch before the target says
/// it is stuck (an unbalanced quote leaves it waiting for more input).
const ANSWER_WAIT: Duration = Duration::from_secs(60);

struct Running {
    /// The shell's HOME and working folder.
    dir: PathBuf,
    child: Child,
    stdin: ChildStdin,
    fields: Receiver<Vec<u8>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn running() -> &'static Mutex<HashMap<&'static str, Running>> {
    static SHELLS: OnceLock<Mutex<HashMap<&'static str, Running>>> = OnceLock::new();
    SHELLS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn shell_of(name: &str) -> Shell {
    Shell::from_name(name).unwrap_or_else(|| panic!("no shell {name:?}"))
}

/// `program` on this process's PATH.
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn start(name: &'static str) -> Running {
    let program = find(name).unwrap_or_else(|| {
        panic!("{name} is not installed: the shell quoting target needs bash, zsh and fish")
    });
    let home = super::scratch().join(format!("shell-{name}"));
    let empty = home.join("empty-bin");
    std::fs::create_dir_all(&empty).expect("create the shell's folder");
    let (args, code): (&[&str], &str) = match name {
        "fish" => (
            &["--no-config", "--private", "-c"],
            // fish's `read` turns U+F600..U+F6FF, its own encoding of raw
            // bytes, into bytes: fish reads each script from a file instead,
            // with `source`, as `badge ... | source` does.
            "while read -z __fuzz_path; source $__fuzz_path; printf 'E\\0'; end",
        ),
        "zsh" => (
            &["-f", "-c"],
            "while IFS= read -r -d '' __fuzz_code; do eval \"$__fuzz_code\"; printf 'E\\0'; done",
        ),
        _ => (
            &["--noprofile", "--norc", "-c"],
            "while IFS= read -r -d '' __fuzz_code; do eval \"$__fuzz_code\"; printf 'E\\0'; done",
        ),
    };
    let mut child = Command::new(&program)
        .args(args)
        .arg(code)
        .env_clear()
        .env("PATH", &empty)
        .env("HOME", &home)
        .env("LC_ALL", "C.UTF-8")
        .current_dir(&home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", program.display()));
    let stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let (send, fields) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut field = Vec::new();
            match reader.read_until(0, &mut field) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if field.last() == Some(&0) {
                        field.pop();
                    }
                    if send.send(field).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&stderr);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr_pipe.read(&mut buf) {
            if n == 0 {
                return;
            }
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(&buf[..n]);
        }
    });
    Running {
        dir: home,
        child,
        stdin,
        fields,
        stderr,
    }
}

/// The script evaluated for one value: badge's own `print`, `export` and
/// `set_global`, then the two variables printed back. Each field starts with
/// `F` and ends with a NUL; the loop answers `E` after the script, so a
/// script that fails part way is seen at once.
fn script_for(shell: Shell, value: &str) -> String {
    let mut print = Script::new(shell);
    print.print(value);
    let mut set = Script::new(shell);
    set.export("BADGE_FUZZ_EXPORTED", value);
    set.set_global("__badge_fuzz_global", value);
    format!(
        "printf F\n{}printf '\\0'\n{}\
         printf 'F%s\\0' \"$BADGE_FUZZ_EXPORTED\"; printf 'F%s\\0' \"$__badge_fuzz_global\"\n",
        print.finish(),
        set.finish()
    )
}

/// Evaluates every value of `values` (none may hold a NUL) in the real
/// `shell` (`bash`, `zsh` or `fish`), through badge's quoting, and panics
/// unless each comes back byte for byte from `print`, from an exported
/// variable and from a global one. The shell must be installed.
pub fn shell_round_trip(shell: &str, values: &[String]) {
    let which = shell_of(shell);
    let name: &'static str = SHELLS.iter().find(|s| **s == shell).expect("known");
    let mut shells = running().lock().unwrap_or_else(|e| e.into_inner());
    let proc = shells.entry(name).or_insert_with(|| start(name));
    let mut input = Vec::new();
    for (i, value) in values.iter().enumerate() {
        assert!(!value.contains('\0'), "a value with a NUL reached a shell");
        let q = quote(which, value);
        assert!(q.starts_with('\'') && q.ends_with('\'') && q.len() >= 2);
        let script = script_for(which, value);
        if which == Shell::Fish {
            let path = proc.dir.join(format!("script-{i}.fish"));
            std::fs::write(&path, script).expect("write a script for fish");
            input.extend_from_slice(path.to_str().expect("a UTF-8 path").as_bytes());
        } else {
            input.extend_from_slice(script.as_bytes());
        }
        input.push(0);
    }
    if let Err(err) = proc
        .stdin
        .write_all(&input)
        .and_then(|()| proc.stdin.flush())
    {
        let stderr = proc.stderr.lock().map(|e| e.clone()).unwrap_or_default();
        shells.remove(name);
        panic!(
            "{shell} is gone ({err}); it said: {}",
            String::from_utf8_lossy(&stderr)
        );
    }
    for value in values {
        let mut got: Vec<Vec<u8>> = Vec::new();
        while got.last().is_none_or(|f| f != b"E") {
            match proc.fields.recv_timeout(ANSWER_WAIT) {
                Ok(field) => got.push(field),
                Err(err) => {
                    let stderr = proc.stderr.lock().map(|e| e.clone()).unwrap_or_default();
                    shells.remove(name);
                    let why = match err {
                        RecvTimeoutError::Timeout => "did not answer",
                        RecvTimeoutError::Disconnected => "exited",
                    };
                    panic!(
                        "{shell} {why} for {value:?}, quoted {}; it said: {}",
                        quote(which, value),
                        String::from_utf8_lossy(&stderr)
                    );
                }
            }
        }
        let field = [b"F", value.as_bytes()].concat();
        let expected = [&field[..], &field, &field, b"E"];
        if got.iter().map(Vec::as_slice).ne(expected) {
            let stderr = proc.stderr.lock().map(|e| e.clone()).unwrap_or_default();
            shells.remove(name);
            panic!(
                "{shell} read {value:?}, quoted {}, back as {:?} (print, exported, global); it said: {}",
                quote(which, value),
                got.iter()
                    .map(|f| String::from_utf8_lossy(f))
                    .collect::<Vec<_>>(),
                String::from_utf8_lossy(&stderr)
            );
        }
    }
}
