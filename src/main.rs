//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_panics();
    match badge::run() {
        Ok(code) => code,
        Err(err) => {
            // Esc or Ctrl-C in the picker: nothing to say.
            if err.downcast_ref::<badge::Cancelled>().is_some() {
                return ExitCode::from(badge::Cancelled::EXIT_STATUS);
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
            let _ = writeln!(io::stderr(), "badge: {}", badge::printable(&message));
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
            badge::printable(&what)
        );
    }));
}
