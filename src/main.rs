//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    match badge::run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`badge ls | head -1`) is not an error.
            if err
                .chain()
                .filter_map(|cause| cause.downcast_ref::<io::Error>())
                .any(|io_err| io_err.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "badge: {err:#}");
            ExitCode::FAILURE
        }
    }
}
