//! The AWS config and credentials files as commands read them: each known
//! to be a file (or nothing), a read error said plainly, and the AWS CLI's
//! own refusals checked before badge writes.

use std::fs::{self, File};
use std::io;

use anyhow::{Result, anyhow, bail};

use crate::config::document::Document;
use crate::config::paths::{self, Paths};
use crate::config::profiles::Profiles;
use crate::config::strict;

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
    for path in [&paths.config, &paths.credentials] {
        let Ok(bytes) = fs::read(path) else {
            continue;
        };
        if let Some(refusal) = strict::check(&bytes) {
            eprintln!(
                "badge: warning: {}: {refusal}, so the AWS CLI cannot read this file; {}",
                path.display(),
                refusal.fix()
            );
            return;
        }
    }
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
    paths.check_config_to_write(command)?;
    if let Some(refusal) = strict::check(bytes) {
        bail!(
            "{}: {refusal}, so the AWS CLI cannot read this file and `{command}` will not \
             change it; {}, then run `{command}` again",
            paths.config.display(),
            refusal.fix()
        );
    }
    if !dry_run {
        paths::check_writable(&paths.config, command)?;
    }
    Ok(())
}
