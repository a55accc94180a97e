//! The AWS config and credentials files as commands read them: each known
//! to be a file (or nothing), a read error said plainly, and the AWS CLI's
//! own refusals checked before badge writes.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::config::document::Document;
use crate::config::paths::{self, Paths};
use crate::config::profiles::Profiles;
use crate::config::strict::{self, Reason, Refusal};
use crate::config::writer::ConfigWriter;
use crate::shell::shell_word;
use crate::sync::record;
use crate::ui::say::command;
use crate::ui::say::say;

/// The profiles of the config and credentials files, once each is known to
/// be a file (or nothing), with a read error said plainly.
pub fn load_profiles(paths: &Paths) -> Result<Profiles> {
    paths.check_files()?;
    Profiles::load(paths).map_err(|err| explain_read_error(err, paths))
}

/// The config file alone, checked like [`load_profiles`] checks it.
pub fn read_config(paths: &Paths) -> Result<Document> {
    paths.check_config()?;
    Document::read(&paths.config).map_err(|err| explain_read_error(err, paths))
}

/// "Permission denied (os error 13)" becomes the file and the fix.
fn explain_read_error(err: anyhow::Error, paths: &Paths) -> anyhow::Error {
    let denied = err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::PermissionDenied)
    });
    if denied {
        for path in [&paths.config, &paths.credentials] {
            if File::open(path).is_err_and(|e| e.kind() == io::ErrorKind::PermissionDenied) {
                return anyhow!(
                    "cannot read {}: permission denied; make it readable with `chmod u+r {}`",
                    path.display(),
                    path.display()
                );
            }
        }
    }
    err
}

/// For the commands that only read the files: one warning line when the
/// AWS CLI would refuse one of them (see `config::strict`). Not for
/// switching and completion, which stay quiet and fast.
pub fn warn_if_refused(paths: &Paths) {
    let cmd = command();
    for path in [&paths.config, &paths.credentials] {
        let Ok(bytes) = fs::read(path) else {
            continue;
        };
        if let Some(refusal) = strict::check(&bytes) {
            let doc = Document::parse(&bytes);
            let fix = match copied_out_of_its_block(&doc, &refusal) {
                Some(session) => format!(
                    "it was copied out of the managed block of sso-session {session}: {}",
                    match shell_word(session) {
                        Ok(name) =>
                            format!("`{cmd} sync --sso-session {name}` gives the name to yours"),
                        Err(_) => format!("`{cmd} sync` of it gives the name to yours"),
                    }
                ),
                None => refusal.fix().to_owned(),
            };
            say!(
                "warning: {}: {refusal}, so the AWS CLI cannot read this file; {fix}",
                path.display(),
            );
            return;
        }
    }
}

/// The one writer of the config, with badge's state folder: its lock and
/// backups, and the sync records, which are written beside the config's
/// edits and so cleaned of what a killed badge left under the same lock,
/// whichever command edits next.
pub fn config_writer(paths: &Paths, state_dir: &Path, lock_wait: Duration) -> ConfigWriter {
    ConfigWriter::new(&paths.config, state_dir.to_path_buf(), lock_wait)
        .also_clean(record::folder_for(state_dir, &paths.config))
}

/// Before `command` writes the config, whose bytes are `bytes`: a file the
/// AWS CLI refuses stays as it is (profiles nobody can read help nobody),
/// and so does a read-only one, unless nothing is written (`dry_run`).
pub fn check_before_writing(
    paths: &Paths,
    bytes: &[u8],
    command: &str,
    dry_run: bool,
) -> Result<()> {
    check_before_writing_unless(paths, bytes, command, dry_run, |_| false)
}

/// [`check_before_writing`], but a refusal that `mended` says the command
/// itself mends is let through; the command checks its result with
/// [`check_written`] before it writes.
pub fn check_before_writing_unless(
    paths: &Paths,
    bytes: &[u8],
    command: &str,
    dry_run: bool,
    mended: impl Fn(&Refusal) -> bool,
) -> Result<()> {
    paths.check_config_to_write(command)?;
    if let Some(refusal) = strict::check(bytes)
        && !mended(&refusal)
    {
        return Err(refused(paths, &refusal, command));
    }
    if !dry_run {
        paths::check_writable(&paths.config, command)?;
    }
    Ok(())
}

/// What `command` is about to write, as the AWS CLI would read it: a file
/// it still refuses is not written.
pub fn check_written(paths: &Paths, bytes: &[u8], command: &str) -> Result<()> {
    match strict::check(bytes) {
        Some(refusal) => Err(refused(paths, &refusal, command)),
        None => Ok(()),
    }
}

/// The sso-session whose managed block holds a profile section that
/// `refusal` says appears twice, when the other copy, outside every block,
/// is the user's: a generated section copied by hand and edited. The AWS
/// CLI refuses such a file; a sync of that session mends it, giving the
/// name to the user's section.
pub fn copied_out_of_its_block<'a>(doc: &'a Document, refusal: &Refusal) -> Option<&'a str> {
    let Reason::DuplicateSection { first, .. } = refusal.reason else {
        return None;
    };
    let at = |line: usize| doc.sections().find(|s| s.line() == line);
    let (a, b) = (at(first)?, at(refusal.line)?);
    a.kind.profile_name()?;
    match (a.managed_by, b.managed_by) {
        (Some(session), None) | (None, Some(session)) => Some(session),
        _ => None,
    }
}

fn refused(paths: &Paths, refusal: &Refusal, command: &str) -> anyhow::Error {
    anyhow!(
        "{}: {refusal}, so the AWS CLI cannot read this file and `{command}` will not \
         change it; {}, then run `{command}` again",
        paths.config.display(),
        refusal.fix()
    )
}
