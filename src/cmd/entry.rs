//! The two binaries' `main`: badge ([`whole`]) and badge-quick
//! ([`quick`]), the small one the shell functions run for a switch, a Tab
//! and the prompt's and the folder's questions. Both end a run the same
//! way: an error is one line on stderr, a panic too.

use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use anyhow::{Result, anyhow};

use crate::base::text::printable;
use crate::shell::init::{QUICK, WHOLE};
use crate::shell::vars;
use crate::ui::picker::Cancelled;

/// badge: every command.
pub fn whole() -> ExitCode {
    quiet_panics();
    exit_code(super::run())
}

/// badge-quick: answers what [`super::run_quick`] answers, with the same
/// code as badge, and runs the badge beside it for anything else, in its
/// place (same process, arguments, terminal and environment), before it
/// has printed anything.
pub fn quick() -> ExitCode {
    quiet_panics();
    if let Some(answered) = super::run_quick() {
        return exit_code(answered);
    }
    // The file itself, where a system names the link it was run by.
    let Ok(exe) = std::env::current_exe().and_then(|exe| exe.canonicalize()) else {
        return exit_code(Err(anyhow!(
            "cannot tell where {QUICK} is, to run {WHOLE} beside it"
        )));
    };
    let whole = exe.with_file_name(WHOLE);
    let cannot_run = format!(
        "cannot run {}, which answers what {QUICK} does not",
        whole.display()
    );
    let me = std::process::id().to_string();
    if std::env::var_os(vars::HANDED_OVER).is_some_and(|pid| pid == me.as_str()) {
        return exit_code(Err(anyhow!("{cannot_run}: it is {QUICK} itself")));
    }
    // exec returns only when it failed.
    let err = Command::new(&whole)
        .arg0(WHOLE)
        .args(std::env::args_os().skip(1))
        .env(vars::HANDED_OVER, &me)
        .exec();
    exit_code(Err(anyhow!(err).context(cannot_run)))
}

fn exit_code(result: Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            // Esc or Ctrl-C in the picker: nothing to say.
            if err.downcast_ref::<Cancelled>().is_some() {
                return ExitCode::from(Cancelled::EXIT_STATUS);
            }
            // A closed pipe (`badge ls | head -1`) is not an error.
            if err
                .chain()
                .filter_map(|cause| cause.downcast_ref::<io::Error>())
                .any(|io_err| io_err.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let message = without_os_error_codes(&err);
            let _ = writeln!(io::stderr(), "badge: {}", printable(&message));
            ExitCode::FAILURE
        }
    }
}

/// `{err:#}`, but "Permission denied (os error 13)" reads "Permission
/// denied": the number helps nobody who reads the line.
fn without_os_error_codes(err: &anyhow::Error) -> String {
    let mut text = format!("{err:#}");
    while let Some(start) = text.find(" (os error ") {
        let Some(len) = text[start..].find(')') else {
            break;
        };
        text.replace_range(start..start + len + 1, "");
    }
    text
}

/// A bug should still end in one line that says what to do, not a screen
/// of panic text in the middle of someone's shell. `RUST_BACKTRACE` keeps
/// the full report for whoever debugs it.
fn quiet_panics() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_owned());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // A panic's message can quote a value: drawn as text, like any.
        let _ = writeln!(
            io::stderr(),
            "badge: bug ({}{place}); please report it, with the output of \
             the same command run with RUST_BACKTRACE=1",
            printable(&what)
        );
    }));
}
