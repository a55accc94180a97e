//! Opening the sign-in page: `$BROWSER` when set, else the desktop's
//! opener. The URL is always printed on stderr as well, so a browser that
//! does not start, or one on another machine, still gets there; after
//! badge's words on their line, since the device flow's URL is the sign-in
//! service's text, and text from elsewhere never starts a line.
//!
//! Browsers run without a shell and with stdin, stdout and stderr closed:
//! in the shell integration badge's stdout is evaluated as code, and a
//! browser that outlives badge must not hold its pipes open.

use std::ffi::{OsStr, OsString};
use std::process::{Command, Stdio};

use super::LoginOptions;
use crate::ui::say::say;

/// Prints the URL, and opens it unless `--no-browser`.
pub fn show(url: &str, opts: &LoginOptions) {
    if !opts.open_browser {
        say!("to sign in, open this URL in a browser: {url}");
        return;
    }
    say!("opening the sign-in page in your browser; if it does not open, visit {url}");
    let commands = commands(opts.browser.as_deref(), url);
    // Waited for on a thread: a browser may run for as long as it likes,
    // and one that fails is reported without holding up the sign-in.
    std::thread::spawn(move || {
        let mut failures = Vec::new();
        for (program, args) in commands {
            let status = Command::new(&program)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            match status {
                Ok(status) if status.success() => return,
                Ok(status) => failures.push(format!("{} {status}", program.to_string_lossy())),
                Err(err) => failures.push(format!("{}: {err}", program.to_string_lossy())),
            }
        }
        say!(
            "could not open a browser ({}); open the URL above yourself",
            failures.join("; ")
        );
    });
}

/// Opens `url` without printing it (for a URL that is itself a credential,
/// such as `badge console`'s): each command in turn until one starts and
/// does not fail within a moment. A browser that keeps running counts as
/// opened. The error lists what failed.
pub fn open_quietly(url: &str, browser: Option<&OsStr>) -> Result<(), String> {
    let mut failures = Vec::new();
    for (program, args) in commands(browser, url) {
        let name = program.to_string_lossy().into_owned();
        let child = Command::new(&program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(err) => {
                failures.push(format!("{name}: {err}"));
                continue;
            }
        };
        // xdg-open and open return at once; a browser itself may not.
        let mut status = None;
        for _ in 0..40 {
            match child.try_wait() {
                Ok(Some(done)) => {
                    status = Some(done);
                    break;
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(_) => break,
            }
        }
        match status {
            Some(done) if !done.success() => failures.push(format!("{name} {done}")),
            _ => return Ok(()),
        }
    }
    Err(failures.join("; "))
}

/// The commands to try in order: each `$BROWSER` entry (separated by `:`,
/// the URL in place of `%s` or appended), else the platform's opener.
fn commands(browser: Option<&OsStr>, url: &str) -> Vec<(OsString, Vec<OsString>)> {
    let Some(browser) = browser.filter(|b| !b.is_empty()) else {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        return vec![(opener.into(), vec![url.into()])];
    };
    let Some(text) = browser.to_str() else {
        return vec![(browser.to_owned(), vec![url.into()])];
    };
    text.split(':')
        .filter_map(|entry| {
            // A program whose path has spaces, named whole.
            if std::path::Path::new(entry).is_file() {
                return Some((entry.into(), vec![url.into()]));
            }
            let mut words = entry.split_whitespace();
            let program = words.next()?;
            let mut args: Vec<OsString> = Vec::new();
            let mut placed = false;
            for word in words {
                placed |= word.contains("%s");
                args.push(word.replace("%s", url).into());
            }
            if !placed {
                args.push(url.into());
            }
            Some((program.into(), args))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(commands: Vec<(OsString, Vec<OsString>)>) -> Vec<Vec<String>> {
        commands
            .into_iter()
            .map(|(p, args)| {
                std::iter::once(p)
                    .chain(args)
                    .map(|s| s.into_string().unwrap())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn browser_variable_is_a_list_of_programs_never_a_shell_line() {
        let url = "http://x/a?b=1&c=$(id)";
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("my browser.sh");
        std::fs::write(&script, "").unwrap();
        let script = script.to_str().unwrap();
        assert_eq!(
            strings(commands(Some(OsStr::new(script)), url)),
            vec![vec![script, url]]
        );
        assert_eq!(
            strings(commands(
                Some(OsStr::new("firefox --new-tab %s:xdg-open")),
                url
            )),
            vec![vec!["firefox", "--new-tab", url], vec!["xdg-open", url]]
        );
        let default = strings(commands(None, url));
        assert_eq!(default[0][1], url);
    }
}
