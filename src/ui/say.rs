//! What badge tells a person on stderr: what it did, what it skipped, what
//! to run next. [`say!`] is `eprintln!` for these lines, with two promises
//! that no call site has to remember:
//!
//! - every line starts with `badge: `, so text from elsewhere in it (a
//!   name, a path, a server's message) never starts a line of its own, and
//!   cannot pass for a line of badge's;
//! - the whole line goes through [`printable`]: badge's own words hold no
//!   character it escapes, so only the text from elsewhere changes, and a
//!   line break, an escape sequence or a bidi control in it is drawn as
//!   text (one line per call, whatever the values hold).
//!
//! Messages of more than one line are several calls; [`continued`] writes a
//! line that belongs to the one above (an indented command to copy).

use std::fmt;
use std::io::Write;
use std::sync::OnceLock;

use crate::base::text::printable;

/// `say!("wrote {}", path)`: `badge: wrote …` on stderr.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::ui::say::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// The word the user types for badge, set once at start.
static COMMAND: OnceLock<String> = OnceLock::new();

/// The command a hint tells the user to type: `badge`, or the name the
/// shell function was given with `badge init --cmd` when badge runs
/// through it (`awsp sync`, not `badge sync`).
pub fn command() -> &'static str {
    COMMAND.get().map_or("badge", String::as_str)
}

/// Makes [`command`] answer `name` for the rest of the run; the first call
/// wins.
pub fn set_command(name: &str) {
    let _ = COMMAND.set(name.to_owned());
}

/// Prints one line; use the [`say!`] macro.
pub fn line(args: fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "{}", shown(args));
}

/// A line that goes on with the message above it, indented under it.
pub fn continued(args: fmt::Arguments) {
    let text = args.to_string();
    let _ = writeln!(std::io::stderr().lock(), "    {}", printable(&text));
}

/// The line [`line`] prints, without its line feed.
fn shown(args: fmt::Arguments) -> String {
    let text = args.to_string();
    format!("badge: {}", printable(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_line_of_badge_whatever_its_values_hold() {
        let name = "x\u{1b}]0;title\u{7}\nbadge: all good\u{202e}";
        assert_eq!(
            shown(format_args!("switched to {name}")),
            r"badge: switched to x^[]0;title^G^Jbadge: all good\u{202e}"
        );
        assert_eq!(shown(format_args!("plain → words")), "badge: plain → words");
    }
}
