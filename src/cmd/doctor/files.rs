//! The config and credentials files themselves: there, readable, and read
//! by the AWS tools as badge reads them.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use super::{Finding, Severity, edit_at, path_word};
use crate::cmd::common::files::copied_out_of_its_block;
use crate::config::document::Document;
use crate::config::{paths, strict};
use crate::shell::shell_word;
use crate::ui::say::command;

/// The file at `path` (named by the variable `var`; `what` is `config` or
/// `credentials`) and what is wrong with it, if anything: the document is
/// `None` when there is nothing to check further (no file, or one that
/// cannot be read). A missing credentials file is no finding: most users
/// have none.
pub(super) fn read(
    path: &Path,
    var: &str,
    what: &'static str,
    editor: &str,
) -> (Option<Finding>, Option<Document>) {
    let cmd = command();
    let check = if what == "config" {
        "config-file"
    } else {
        "credentials-file"
    };
    if path.as_os_str().is_empty() {
        let finding = Finding::new(
            check,
            Severity::Warning,
            format!("{var} is set but empty, which the AWS CLI and SDKs read as no {what} file"),
        )
        .fix(format!("unset {var}"));
        return (Some(finding), None);
    }
    let shown = path.display();
    if let Err(err) = paths::check_file(path, var) {
        let finding = Finding::new(check, Severity::Problem, format!("{err:#}")).path(path);
        return (Some(finding), None);
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            let finding = (what == "config").then(|| {
                Finding::new(
                    check,
                    Severity::Warning,
                    format!("there is no config file at {shown}: no profile to switch to"),
                )
                .fix(format!("{cmd} session add"))
                .path(path)
            });
            return (finding, None);
        }
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            let finding = Finding::new(
                check,
                Severity::Problem,
                format!("cannot read the {what} file {shown}: permission denied"),
            )
            .fix_word(path_word(path).map(|path| format!("chmod u+r {path}")))
            .path(path);
            return (Some(finding), None);
        }
        Err(err) => {
            let finding = Finding::new(
                check,
                Severity::Problem,
                format!("cannot read the {what} file {shown}: {}", err.kind()),
            )
            .path(path);
            return (Some(finding), None);
        }
    };
    let doc = Document::parse(&bytes);
    let finding = match strict::check(&bytes) {
        Some(refusal) if let Some(session) = copied_out_of_its_block(&doc, &refusal) => {
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "{shown}: {refusal}: a profile copied out of the managed block of \
                     sso-session {session} and kept under its name, so the AWS CLI and SDKs \
                     cannot read this file; {}",
                    match shell_word(session) {
                        Ok(name) =>
                            format!("`{cmd} sync --sso-session {name}` gives the name to yours"),
                        Err(_) => format!("`{cmd} sync` of it gives the name to yours"),
                    }
                ),
            )
            .fix_word(shell_word(session).map(|name| format!("{cmd} sync --sso-session {name}")))
            .session(session)
        }
        Some(refusal) => Finding::new(
            check,
            Severity::Problem,
            format!(
                "{shown}: {refusal}, so the AWS CLI and SDKs cannot read this file; {}",
                refusal.fix()
            ),
        )
        .fix_word(edit_at(editor, path, refusal.line)),
        None => Finding::new(
            check,
            Severity::Ok,
            format!("{shown} reads as the AWS CLI reads it"),
        ),
    };
    (Some(finding.path(path)), Some(doc))
}
