//! `badge doctor`: what is wrong with this setup, each finding with the
//! command that fixes it.
//!
//! It reads files only (the AWS config and credentials files, the token
//! cache, badge's sync records) and never writes or touches the network, so
//! it is safe and fast anywhere, including in a script or CI. A finding is
//! `ok`, a `warning` (things work, but not as the user likely wants: an
//! expired login, profiles edited by hand since the last sync) or a
//! `problem` (the AWS tools fail, or a token is exposed); problems exit 1,
//! and warnings too with `--strict`.
//!
//! Each check is a function that returns its findings, in the order they
//! are shown: the shell integration (`shell`), the files themselves
//! (`files`), sessions and profiles (`profiles`), logins and the token
//! cache (`logins`), and the managed blocks against their sync records
//! (`records`). A check that finds nothing wrong says so once, as `ok`.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::base::text::{printable, to_json};
use crate::cli::DoctorArgs;
use crate::config::document::{Document, SectionKind};
use crate::shell::{Unpasteable, shell_word};

mod files;
mod logins;
mod profiles;
mod records;
mod shell;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Ok,
    Warning,
    Problem,
}

/// One finding; its JSON form is documented in the README.
#[derive(Debug, Serialize)]
struct Finding {
    /// Which check: a stable word for scripts.
    check: &'static str,
    severity: Severity,
    message: String,
    /// A command that fixes it, the same words in bash, zsh and fish.
    fix: Option<String>,
    /// The file or folder it is about.
    path: Option<String>,
    profile: Option<String>,
    sso_session: Option<String>,
}

impl Finding {
    fn new(check: &'static str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            check,
            severity,
            message: message.into(),
            fix: None,
            path: None,
            profile: None,
            sso_session: None,
        }
    }

    fn fix(mut self, command: impl Into<String>) -> Finding {
        self.fix = Some(command.into());
        self
    }

    /// A fix that names something by a shell word: none when no pasted
    /// command can hold its name, and the message says why.
    fn fix_word(mut self, command: Result<String, Unpasteable>) -> Finding {
        match command {
            Ok(command) => self.fix = Some(command),
            Err(why) => self.message.push_str(&format!("; {why}")),
        }
        self
    }

    /// An empty path is no file (its variable set but empty): none.
    fn path(mut self, path: &Path) -> Finding {
        self.path = (!path.as_os_str().is_empty()).then(|| path.to_string_lossy().into_owned());
        self
    }

    fn profile(mut self, name: &str) -> Finding {
        self.profile = Some(name.to_owned());
        self
    }

    fn session(mut self, name: &str) -> Finding {
        self.sso_session = Some(name.to_owned());
        self
    }
}

/// What a check found or, when it found nothing, the `ok` that says so.
fn or_ok(found: Vec<Finding>, ok: Finding) -> Vec<Finding> {
    if found.is_empty() { vec![ok] } else { found }
}

#[derive(Serialize)]
struct Report<'a> {
    /// No problem (and, with `--strict`, no warning).
    ok: bool,
    problems: usize,
    warnings: usize,
    findings: &'a [Finding],
}

pub fn run(ctx: &Context, args: &DoctorArgs) -> Result<ExitCode> {
    let mut findings = vec![shell::integration(ctx)];
    findings.extend(shell::directory_profile(ctx));
    let paths = ctx.paths()?;
    let editor = editor(ctx);
    let (found, config) = files::read(&paths.config, "AWS_CONFIG_FILE", "config", &editor);
    findings.extend(found);
    let (found, credentials) = files::read(
        &paths.credentials,
        "AWS_SHARED_CREDENTIALS_FILE",
        "credentials",
        &editor,
    );
    findings.extend(found);
    let config = config.unwrap_or_else(|| Document::parse(b""));
    let credentials = credentials.unwrap_or_else(|| Document::parse(b""));
    let sessions = session_names(&config);
    findings.extend(profiles::sessions(&paths, &config, &sessions));
    findings.extend(profiles::duplicates(&paths, &config, &editor));
    findings.extend(profiles::shadowed(&paths, &config, &credentials, &editor));
    findings.extend(profiles::hand_written_duplicates(&config));
    match ctx.token_cache() {
        Ok(cache) => {
            findings.extend(logins::logins(&config, &sessions, &cache));
            findings.extend(logins::cache_permissions(&cache));
        }
        Err(err) => findings.push(Finding::new("login", Severity::Problem, format!("{err:#}"))),
    }
    let state = ctx.state_dir().ok();
    findings.extend(shell::active_profile(
        ctx,
        &paths,
        &config,
        &credentials,
        state.as_deref(),
    ));
    findings.extend(records::sync_records(
        &paths,
        state.as_deref(),
        &config,
        &sessions,
    ));

    let problems = count(&findings, Severity::Problem);
    let warnings = count(&findings, Severity::Warning);
    let ok = problems == 0 && !(args.strict && warnings > 0);
    let mut out = BufWriter::new(io::stdout().lock());
    if args.json {
        let report = Report {
            ok,
            problems,
            warnings,
            findings: &findings,
        };
        writeln!(out, "{}", to_json(&report, true)?)?;
    } else {
        write_text(&mut out, &findings, ctx.color_stdout, problems, warnings)?;
    }
    out.flush()?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The name of every `[sso-session]` of the config, once each, in file
/// order: the checks of sessions, logins and sync records go by them.
fn session_names(config: &Document) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for section in config.sections() {
        if let SectionKind::SsoSession(name) = section.kind
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

fn write_text(
    out: &mut impl Write,
    findings: &[Finding],
    color: bool,
    problems: usize,
    warnings: usize,
) -> io::Result<()> {
    let paint = |severity: Severity| {
        let (word, code) = match severity {
            Severity::Ok => ("ok", "32"),
            Severity::Warning => ("warning", "33"),
            Severity::Problem => ("problem", "31"),
        };
        let padded = format!("{word:<8}");
        if color {
            format!("\x1b[{code}m{word}\x1b[0m{}", &padded[word.len()..])
        } else {
            padded
        }
    };
    for finding in findings {
        writeln!(
            out,
            "{} {}",
            paint(finding.severity),
            printable(&finding.message)
        )?;
        if let Some(fix) = &finding.fix {
            writeln!(out, "         fix: {}", printable(fix))?;
        }
    }
    let plural = |n: usize, word: &str| match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    };
    match (problems, warnings) {
        (0, 0) => writeln!(out, "badge doctor: everything looks right"),
        _ => writeln!(
            out,
            "badge doctor: {}, {}",
            plural(problems, "problem"),
            plural(warnings, "warning")
        ),
    }
}

fn path_word(path: &Path) -> Result<String, Unpasteable> {
    shell_word(&path.to_string_lossy())
}

/// The editor a fix opens a file in, at a line (`vi +12 FILE`).
fn editor(ctx: &Context) -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| ctx.var(var))
        .map(|v| v.to_string_lossy().trim().to_owned())
        .find(|v| !v.is_empty() && !v.contains(char::is_whitespace))
        .unwrap_or_else(|| "vi".to_owned())
}

fn edit_at(editor: &str, path: &Path, line: usize) -> Result<String, Unpasteable> {
    path_word(path).map(|path| format!("{editor} +{line} {path}"))
}
