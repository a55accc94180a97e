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

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, BufWriter, ErrorKind, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::base::text::printable;
use crate::base::time::human_time;
use crate::base::url::same_url;
use crate::cli::DoctorArgs;
use crate::config::document::{Document, SectionKind};
use crate::config::paths::{self, Paths};
use crate::config::strict;
use crate::shell::{Shell, shell_word, vars};
use crate::sso::token_cache::{LoginState, TokenCache};
use crate::sync::record::{SyncRecord, block_hash, settings_of};

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
    /// A command that fixes it, for a shell (POSIX quoting).
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

#[derive(Serialize)]
struct Report<'a> {
    /// No problem (and, with `--strict`, no warning).
    ok: bool,
    problems: usize,
    warnings: usize,
    findings: &'a [Finding],
}

pub fn run(ctx: &Context, args: &DoctorArgs) -> Result<ExitCode> {
    let mut findings = Vec::new();
    shell_integration(ctx, &mut findings);
    let paths = ctx.paths()?;
    let editor = editor(ctx);
    let config = read_file(
        &paths.config,
        "AWS_CONFIG_FILE",
        "config",
        &editor,
        &mut findings,
    );
    let credentials = read_file(
        &paths.credentials,
        "AWS_SHARED_CREDENTIALS_FILE",
        "credentials",
        &editor,
        &mut findings,
    );
    let config = config.unwrap_or_else(|| Document::parse(b""));
    let credentials = credentials.unwrap_or_else(|| Document::parse(b""));
    sessions(&paths, &config, &mut findings);
    duplicates(&paths, &config, &editor, &mut findings);
    shadowed(&paths, &config, &credentials, &editor, &mut findings);
    hand_written_duplicates(&config, &mut findings);
    match ctx.token_cache() {
        Ok(cache) => {
            logins(&config, &cache, &mut findings);
            cache_permissions(&cache, &mut findings);
        }
        Err(err) => findings.push(Finding::new("login", Severity::Problem, format!("{err:#}"))),
    }
    sync_records(
        &paths,
        ctx.state_dir().ok().as_deref(),
        &config,
        &mut findings,
    );

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
        serde_json::to_writer_pretty(&mut out, &report).map_err(io::Error::from)?;
        writeln!(out)?;
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

fn path_word(path: &Path) -> String {
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

fn edit_at(editor: &str, path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{editor} +{line} {}", path_word(path)),
        None => format!("{editor} {}", path_word(path)),
    }
}

/// The binary cannot see shell functions, so the function says it ran us:
/// it sets [`vars::INIT`] on every run it does not capture (and
/// `__BADGE_SHELL` on those it does).
fn shell_integration(ctx: &Context, findings: &mut Vec<Finding>) {
    let check = "shell-integration";
    let loaded = ctx
        .var(vars::INIT)
        .and_then(|v| Shell::from_name(&v.to_string_lossy()))
        .or(ctx.hook);
    if let Some(shell) = loaded {
        let name = format!("{shell:?}").to_lowercase();
        findings.push(Finding::new(
            check,
            Severity::Ok,
            format!("the shell integration is loaded in this {name} shell"),
        ));
        return;
    }
    let Some(shell) = ctx.login_shell else {
        findings.push(Finding::new(
            check,
            Severity::Warning,
            "the shell integration is not loaded in this shell, so badge cannot switch it; \
             add one line to your rc file: `eval \"$(badge init bash)\"` to ~/.bashrc, \
             `eval \"$(badge init zsh)\"` to ~/.zshrc or `badge init fish | source` to \
             ~/.config/fish/config.fish",
        ));
        return;
    };
    let rc = shell.rc_file();
    let rc_path = ctx
        .var("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(rc.trim_start_matches("~/")));
    let in_rc = rc_path
        .as_deref()
        .and_then(|p| fs::read_to_string(p).ok())
        .is_some_and(|text| {
            text.lines()
                .any(|l| !l.trim_start().starts_with('#') && l.contains("badge init"))
        });
    let finding = if in_rc {
        Finding::new(
            check,
            Severity::Warning,
            format!(
                "the shell integration is not loaded in this shell, though {rc} loads it; \
                 open a new shell, or load it in this one"
            ),
        )
        .fix(shell.init_line())
    } else {
        Finding::new(
            check,
            Severity::Warning,
            format!(
                "the shell integration is not loaded in this shell, so badge cannot switch it; \
                 add `{}` to {rc}, then open a new shell",
                shell.init_line()
            ),
        )
        .fix(format!("echo '{}' >> {rc}", shell.init_line()))
    };
    findings.push(match rc_path {
        Some(path) => finding.path(&path),
        None => finding,
    });
}

/// The file as botocore would read it: `None` when there is nothing to
/// check further (no file, or one that cannot be read).
fn read_file(
    path: &Path,
    var: &str,
    what: &'static str,
    editor: &str,
    findings: &mut Vec<Finding>,
) -> Option<Document> {
    let check = if what == "config" {
        "config-file"
    } else {
        "credentials-file"
    };
    if path.as_os_str().is_empty() {
        findings.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "{var} is set but empty, which the AWS CLI and SDKs read as no {what} file"
                ),
            )
            .fix(format!("unset {var}")),
        );
        return None;
    }
    let shown = path.display();
    if let Err(err) = paths::check_file(path, var) {
        findings.push(Finding::new(check, Severity::Problem, format!("{err:#}")).path(path));
        return None;
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            if what == "config" {
                findings.push(
                    Finding::new(
                        check,
                        Severity::Warning,
                        format!("there is no config file at {shown}: no profile to switch to"),
                    )
                    .fix("badge session add")
                    .path(path),
                );
            }
            return None;
        }
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            findings.push(
                Finding::new(
                    check,
                    Severity::Problem,
                    format!("cannot read the {what} file {shown}: permission denied"),
                )
                .fix(format!("chmod u+r {}", path_word(path)))
                .path(path),
            );
            return None;
        }
        Err(err) => {
            findings.push(
                Finding::new(
                    check,
                    Severity::Problem,
                    format!("cannot read the {what} file {shown}: {}", err.kind()),
                )
                .path(path),
            );
            return None;
        }
    };
    let finding = match strict::check(&bytes) {
        Some(refusal) => Finding::new(
            check,
            Severity::Problem,
            format!(
                "{shown}: {refusal}, so the AWS CLI and SDKs cannot read this file; {}",
                refusal.fix()
            ),
        )
        .fix(edit_at(editor, path, Some(refusal.line))),
        None => Finding::new(
            check,
            Severity::Ok,
            format!("{shown} reads as the AWS CLI reads it"),
        ),
    };
    findings.push(finding.path(path));
    Some(Document::parse(&bytes))
}

/// Every sso-session complete, and every profile's sso-session there.
fn sessions(paths: &Paths, config: &Document, findings: &mut Vec<Finding>) {
    let check = "sso-session";
    let file = paths.config_shown();
    let before = findings.len();
    let mut seen: Vec<String> = Vec::new();
    for section in config.sections() {
        let SectionKind::SsoSession(name) = &section.kind else {
            continue;
        };
        if seen.contains(name) {
            continue;
        }
        seen.push(name.clone());
        let id = config.sso_session(name).unwrap_or(section.id);
        let has = |key| config.get(id, key).is_some_and(|v| !v.trim().is_empty());
        let missing: Vec<&str> = [
            ("sso_start_url", "--start-url URL"),
            ("sso_region", "--region REGION"),
        ]
        .iter()
        .filter(|(key, _)| !has(key))
        .map(|(key, _)| *key)
        .collect();
        if missing.is_empty() {
            continue;
        }
        let flags: Vec<&str> = [
            ("sso_start_url", "--start-url URL"),
            ("sso_region", "--region REGION"),
        ]
        .iter()
        .filter(|(key, _)| missing.contains(key))
        .map(|(_, flag)| *flag)
        .collect();
        findings.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "[sso-session {name}] in {file} has no {}, so no profile of it can sign in",
                    missing.join(" and no ")
                ),
            )
            .fix(format!(
                "badge session add {} {}",
                shell_word(name),
                flags.join(" ")
            ))
            .path(&paths.config)
            .session(name),
        );
    }
    let mut orphans: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for section in config.sections() {
        let Some(profile) = section.kind.profile_name() else {
            continue;
        };
        if let Some(session) = section.get("sso_session").map(str::trim)
            && !session.is_empty()
            && config.sso_session(session).is_none()
        {
            let names = orphans.entry(session.to_owned()).or_default();
            if !names.iter().any(|n| n == profile) {
                names.push(profile.to_owned());
            }
        }
    }
    for (session, profiles) in orphans {
        let named = match profiles.as_slice() {
            [one] => format!("profile {one} uses"),
            many => format!("profiles {} use", many.join(", ")),
        };
        let mut finding = Finding::new(
            "missing-sso-session",
            Severity::Problem,
            format!("{named} sso-session {session}, which is not in {file}"),
        )
        .fix(format!(
            "badge session add {} --start-url URL --region REGION",
            shell_word(&session)
        ))
        .path(&paths.config)
        .session(&session);
        if let [one] = profiles.as_slice() {
            finding = finding.profile(one);
        }
        findings.push(finding);
    }
    if findings.len() == before && !seen.is_empty() {
        findings.push(
            Finding::new(
                check,
                Severity::Ok,
                "every sso-session has sso_start_url and sso_region, and every profile's \
                 sso-session is defined",
            )
            .path(&paths.config),
        );
    }
}

/// The 1-based line of each section header, in order.
fn header_lines(doc: &Document) -> Vec<usize> {
    let text = String::from_utf8_lossy(&doc.to_bytes()).into_owned();
    let mut lines = Vec::new();
    let mut number = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        number += 1;
        let (line, next) = match rest.find(['\n', '\r']) {
            Some(at) => {
                let len = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                (&rest[..at], &rest[at + len..])
            }
            None => (rest, ""),
        };
        let trimmed = line.trim();
        // A header starts its line and has a `]` after at least one
        // character; an indented `[x]` continues a value only after a key,
        // which a file of ordinary profiles does not have.
        if trimmed.starts_with('[') && trimmed.rfind(']').is_some_and(|at| at >= 2) {
            lines.push(number);
        }
        rest = next;
    }
    lines
}

/// The line of each section, by its place in [`Document::sections`], when
/// the file's headers and sections line up one for one.
fn section_lines(doc: &Document) -> Vec<Option<usize>> {
    let lines = header_lines(doc);
    let count = doc.sections().count();
    if lines.len() == count {
        lines.into_iter().map(Some).collect()
    } else {
        vec![None; count]
    }
}

/// The same profile defined by two sections the parser tells apart
/// (`[default]` and `[profile default]`, `[profile a]` and `[profile "a"]`).
fn duplicates(paths: &Paths, config: &Document, editor: &str, findings: &mut Vec<Finding>) {
    let check = "duplicate-profile";
    let lines = section_lines(config);
    let mut by_name: BTreeMap<&str, Vec<(String, Option<usize>)>> = BTreeMap::new();
    let sections: Vec<_> = config.sections().collect();
    for (i, section) in sections.iter().enumerate() {
        if let Some(name) = section.kind.profile_name() {
            by_name
                .entry(name)
                .or_default()
                .push((section.header.to_owned(), lines[i]));
        }
    }
    let before = findings.len();
    for (name, places) in &by_name {
        if places.len() < 2 {
            continue;
        }
        let described: Vec<String> = places
            .iter()
            .map(|(header, line)| match line {
                Some(line) => format!("[{header}] on line {line}"),
                None => format!("[{header}]"),
            })
            .collect();
        findings.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "profile {name} is defined {} times in {} ({}); the AWS tools read only one \
                     of them: merge them into one section",
                    places.len(),
                    paths.config.display(),
                    described.join(", ")
                ),
            )
            .fix(edit_at(editor, &paths.config, places[1].1))
            .path(&paths.config)
            .profile(name),
        );
    }
    if findings.len() == before && !by_name.is_empty() {
        findings.push(
            Finding::new(check, Severity::Ok, "no profile is defined twice").path(&paths.config),
        );
    }
}

/// A credentials section named like a config profile: its keys override
/// (or add to) the profile's, and SDKs disagree on which credentials win.
fn shadowed(
    paths: &Paths,
    config: &Document,
    credentials: &Document,
    editor: &str,
    findings: &mut Vec<Finding>,
) {
    let check = "shadowed-profile";
    let lines = section_lines(credentials);
    let before = findings.len();
    for (i, section) in credentials.sections().enumerate() {
        let name = section.header;
        if name == "DEFAULT" {
            continue;
        }
        let Some(id) = config.profile(name) else {
            continue;
        };
        let keys: Vec<String> = section
            .entries()
            .map(|(k, _)| k.trim().to_lowercase())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let overridden: Vec<&str> = keys
            .iter()
            .filter(|k| config.get(id, k).is_some())
            .map(String::as_str)
            .collect();
        let what = if overridden.is_empty() {
            format!("adds {}", keys.join(", "))
        } else {
            format!("overrides {}", overridden.join(", "))
        };
        findings.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "profile {name} of {} is also in {}, which {what}; remove the section from \
                     one of the files",
                    paths.config.display(),
                    paths.credentials.display()
                ),
            )
            .fix(edit_at(editor, &paths.credentials, lines[i]))
            .path(&paths.credentials)
            .profile(name),
        );
    }
    if findings.len() == before {
        findings.push(Finding::new(
            check,
            Severity::Ok,
            "no profile of the config is overridden by the credentials file",
        ));
    }
}

/// A profile written by hand for an assignment that a generated one has.
fn hand_written_duplicates(config: &Document, findings: &mut Vec<Finding>) {
    let check = "hand-written-duplicate";
    let mut generated: HashMap<(String, String, String), String> = HashMap::new();
    for section in config.sections() {
        if let (Some(_), Some(name)) = (section.managed_by, section.kind.profile_name())
            && let Some(key) = assignment(&section)
        {
            generated.entry(key).or_insert_with(|| name.to_owned());
        }
    }
    for section in config.sections() {
        if section.managed_by.is_some() {
            continue;
        }
        let (Some(name), Some(key)) = (section.kind.profile_name(), assignment(&section)) else {
            continue;
        };
        let Some(theirs) = generated.get(&key) else {
            continue;
        };
        let session = &key.0;
        findings.push(
            Finding::new(
                check,
                Severity::Warning,
                format!(
                    "your profile {name} and the generated profile {theirs} both sign in to \
                     account {} as {} through sso-session {session}; the next sync leaves the \
                     generated one out (or delete yours)",
                    key.1, key.2
                ),
            )
            .fix(format!("badge sync --sso-session {}", shell_word(session)))
            .profile(name)
            .session(session),
        );
    }
}

/// (sso-session, account, role) of an SSO profile.
fn assignment(section: &crate::config::document::Section<'_>) -> Option<(String, String, String)> {
    let get = |key| section.get(key).map(str::trim).filter(|v| !v.is_empty());
    Some((
        get("sso_session")?.to_owned(),
        get("sso_account_id")?.to_owned(),
        get("sso_role_name")?.to_owned(),
    ))
}

/// The sso-sessions of the config that are complete enough to sign in.
fn complete_sessions(config: &Document) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for section in config.sections() {
        if let SectionKind::SsoSession(name) = &section.kind
            && !out.iter().any(|(n, _)| n == name)
            && let Ok(session) = crate::config::sessions::session(config, name)
        {
            out.push((session.name, session.start_url));
        }
    }
    out
}

fn logins(config: &Document, cache: &TokenCache, findings: &mut Vec<Finding>) {
    let check = "login";
    let now = SystemTime::now();
    for (name, start_url) in complete_sessions(config) {
        let path = cache.path_for(&name);
        let mut state = cache.state(&name, now);
        if state.is_usable()
            && let Ok(Some(token)) = cache.load(&name)
            && token
                .start_url
                .as_deref()
                .is_some_and(|cached| !same_url(&start_url, cached))
        {
            state = LoginState::Missing;
        }
        let login = format!("badge login --sso-session {}", shell_word(&name));
        let finding = match state {
            LoginState::Valid(at) => Finding::new(
                check,
                Severity::Ok,
                format!(
                    "signed in to sso-session {name}, valid until {}",
                    human_time(at)
                ),
            ),
            LoginState::Refreshable => Finding::new(
                check,
                Severity::Ok,
                format!("signed in to sso-session {name} (renewed on next use)"),
            ),
            LoginState::Expired => Finding::new(
                check,
                Severity::Warning,
                format!("the login of sso-session {name} has expired"),
            )
            .fix(login),
            LoginState::Missing => Finding::new(
                check,
                Severity::Warning,
                format!("not signed in to sso-session {name}"),
            )
            .fix(login),
            LoginState::Unreadable => Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache file of sso-session {name} ({}) cannot be read as a token",
                    path.display()
                ),
            )
            .fix(login),
        };
        findings.push(finding.path(&path).session(&name));
    }
}

/// The cache holds sign-in tokens: 0700 folder, 0600 files, as the AWS CLI
/// makes them.
fn cache_permissions(cache: &TokenCache, findings: &mut Vec<Finding>) {
    let check = "token-cache-permissions";
    let probe = cache.path_for("");
    let Some(dir) = probe.parent() else {
        return;
    };
    let mode = |meta: &fs::Metadata| meta.permissions().mode() & 0o7777;
    let Ok(meta) = fs::metadata(dir) else {
        // No cache yet: nothing to protect.
        return;
    };
    let before = findings.len();
    if mode(&meta) & 0o077 != 0 {
        findings.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache folder {} can be opened by other users (mode {:04o}); \
                     it holds sign-in tokens",
                    dir.display(),
                    mode(&meta)
                ),
            )
            .fix(format!("chmod 700 {}", path_word(dir)))
            .path(dir),
        );
    }
    let mut files: Vec<(PathBuf, u32)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let meta = entry.metadata().ok()?;
            (meta.is_file() && mode(&meta) & 0o077 != 0).then(|| (entry.path(), mode(&meta)))
        })
        .collect();
    files.sort();
    for (file, file_mode) in files {
        findings.push(
            Finding::new(
                check,
                Severity::Problem,
                format!(
                    "the token cache file {} can be read by other users (mode {file_mode:04o})",
                    file.display()
                ),
            )
            .fix(format!("chmod 600 {}", path_word(&file)))
            .path(&file),
        );
    }
    if findings.len() == before {
        findings.push(
            Finding::new(
                check,
                Severity::Ok,
                format!("the token cache {} is private to you", dir.display()),
            )
            .path(dir),
        );
    }
}

/// Generated profiles as the last sync wrote them, with the settings the
/// session remembers now.
fn sync_records(
    paths: &Paths,
    state: Option<&Path>,
    config: &Document,
    findings: &mut Vec<Finding>,
) {
    let check = "sync";
    let bytes = config.to_bytes();
    let file = paths.config.display();
    let mut names: Vec<String> = Vec::new();
    for section in config.sections() {
        if let SectionKind::SsoSession(name) = &section.kind
            && !names.contains(name)
        {
            names.push(name.clone());
        }
    }
    for name in names {
        let sync = format!("badge sync --sso-session {}", shell_word(&name));
        let record = match state {
            Some(dir) => SyncRecord::load(dir, &paths.config, &name),
            None => Ok(None),
        };
        let hash = block_hash(&bytes, &name);
        let finding = match (record, &hash) {
            (Err(err), _) => Finding::new(
                check,
                Severity::Warning,
                format!("{err:#}; the next sync writes a new one"),
            )
            .fix(sync),
            (Ok(None), None) => continue,
            (Ok(None), Some(_)) => Finding::new(
                check,
                Severity::Ok,
                format!(
                    "the generated profiles of sso-session {name} have no record of their last \
                     sync (written by an older badge, or another copy of this file); the next \
                     sync keeps one"
                ),
            )
            .fix(sync),
            (Ok(Some(record)), _) if record.block_sha256 != hash => {
                let what = match hash {
                    Some(_) => "was edited by hand since",
                    None => "is gone from the file since",
                };
                Finding::new(
                    check,
                    Severity::Warning,
                    format!(
                        "the managed block of sso-session {name} in {file} {what} badge sync \
                         wrote it ({}); the next sync replaces it: move edits you want to keep \
                         outside the block",
                        record.synced_at
                    ),
                )
                .fix(sync)
            }
            (Ok(Some(record)), _) => {
                let now = settings_of(config, &name);
                if now != record.settings {
                    let changed: Vec<&str> = now
                        .keys()
                        .chain(record.settings.keys())
                        .filter(|k| now.get(*k) != record.settings.get(*k))
                        .map(String::as_str)
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    Finding::new(
                        check,
                        Severity::Warning,
                        format!(
                            "the generated profiles of sso-session {name} are stale: {} changed \
                             in [sso-session {name}] since the last sync ({})",
                            changed.join(", "),
                            record.synced_at
                        ),
                    )
                    .fix(sync)
                } else {
                    Finding::new(
                        check,
                        Severity::Ok,
                        format!(
                            "the generated profiles of sso-session {name} are as the last sync \
                             wrote them ({})",
                            record.synced_at
                        ),
                    )
                }
            }
        };
        findings.push(finding.path(&paths.config).session(&name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_follow_every_line_ending() {
        let doc = Document::parse(b"# c\r\n[default]\rregion = x\n\n[profile a]\n  [not]\n");
        assert_eq!(header_lines(&doc), [2, 5, 6]);
    }
}
