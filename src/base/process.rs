//! Whether another process is still there, for files named after the
//! process that made them (a writer's temporary file, a shell's prompt
//! stamp): what a dead one left can be removed.

use std::path::Path;

/// Whether process `pid` may still be running: true when it is, and when
/// there is no `/proc` to tell.
pub fn may_run(pid: u32) -> bool {
    runs(pid).unwrap_or(true)
}

/// Whether process `pid` is running; `None` when there is no `/proc` to
/// tell.
pub fn runs(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.join("self")
        .exists()
        .then(|| proc.join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs() {
        assert!(may_run(std::process::id()));
        assert_eq!(runs(std::process::id()), Some(true));
        // Beyond any pid_max.
        assert_eq!(runs(u32::MAX), Some(false));
    }
}
