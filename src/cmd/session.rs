//! `badge session add`: create or update an `[sso-session NAME]`.
//!
//! With flags it just writes; on a terminal it asks for what the flags did
//! not say, like `aws configure sso`, offering the current values. Without
//! a terminal nothing can be asked, so missing values are a usage error
//! that names the flags. The edit goes through the same locked, backed-up
//! write as `badge sync`, and touches only the keys it sets.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Context;
use super::common::files::{check_before_writing, config_writer, read_config};
use crate::base::text::{printable, quoted};
use crate::cli::SessionAddArgs;
use crate::config::document::{Document, section_header};
use crate::config::sessions::{DEFAULT_SCOPES, looks_like_region, region_typo};
use crate::shell::shell_word;
use crate::ui::say::command;
use crate::ui::say::say;

const START_URL: &str = "sso_start_url";
const REGION: &str = "sso_region";
const SCOPES: &str = "sso_registration_scopes";

/// The values of an sso-session; `None` when not known yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Values {
    name: Option<String>,
    start_url: Option<String>,
    region: Option<String>,
    scopes: Option<String>,
}

pub fn add(ctx: &Context, args: &SessionAddArgs) -> Result<ExitCode> {
    let cmd = command();
    let paths = ctx.paths()?;
    let mut given = Values::default();
    let checked = (|| -> Result<()> {
        given.name = args.name.as_deref().map(check_name).transpose()?;
        given.start_url = args.start_url.as_deref().map(check_url).transpose()?;
        given.region = args.region.as_deref().map(check_region).transpose()?;
        given.scopes = args.scopes.as_deref().map(check_scopes).transpose()?;
        Ok(())
    })();
    if let Err(err) = checked {
        return Ok(usage(&format!("{err:#}")));
    }

    let Ok(state_dir) = ctx.state_dir() else {
        bail!(
            "HOME is not set, so badge has no folder for its lock and backups \
             (~/.local/state/badge); set HOME to your home folder"
        );
    };
    let doc = read_config(&paths)?;
    check_before_writing(
        &paths,
        &doc.to_bytes(),
        &format!("{} session add", ctx.cmd),
        false,
    )?;
    let current = |name: &str| current_values(&doc, name);
    let no_values = given.start_url.is_none() && given.region.is_none() && given.scopes.is_none();
    let values = if ctx.interactive
        && (given.name.is_none() || no_values || !missing(&given, &current).is_empty())
    {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        ask_missing(&given, &current, &mut input, &mut io::stderr())?
    } else {
        let missing = missing(&given, &current);
        if !missing.is_empty() {
            return Ok(usage(&format!(
                "`{cmd} session add` needs {} (there is no terminal to ask on); for example \
                 `{cmd} session add acme --start-url https://acme.awsapps.com/start --region eu-west-1`",
                join_and(&missing)
            )));
        }
        given
    };
    let name = values.name.clone().expect("the name is known by now");

    let writer = config_writer(&paths, &state_dir, ctx.settings.lock_timeout()?);
    let edited = writer.edit(|doc| Ok(apply(doc, &name, &values)))?;
    let path = paths.config.display();
    // The section as the file spells it, and a command that works pasted.
    let header = section_header("sso-session", &name).expect("the name was checked");
    let section = header;
    match &edited.value {
        Change::Added => say!("added [{section}] to {path}"),
        Change::Updated(changes) if changes.is_empty() => {
            say!("[{section}] in {path} is already up to date")
        }
        Change::Updated(changes) => {
            say!("updated [{section}] in {path}: {}", changes.join(", "))
        }
    }
    match shell_word(&name) {
        Ok(name) => say!("next, sign in: {cmd} login --sso-session {name}"),
        Err(why) => say!("next, sign in with `{cmd} login`; {why}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// What `apply` did.
#[derive(Debug, PartialEq, Eq)]
enum Change {
    Added,
    /// `key old → new` for each key that changed.
    Updated(Vec<String>),
}

/// Creates the section, or sets the given keys of the existing one in place.
fn apply(doc: &mut Document, name: &str, values: &Values) -> Change {
    let keys = [
        (START_URL, values.start_url.as_deref()),
        (REGION, values.region.as_deref()),
        (SCOPES, values.scopes.as_deref()),
    ];
    let Some(id) = doc.sso_session(name) else {
        let header = section_header("sso-session", name).expect("the name was checked");
        let entries: Vec<(&str, &str)> = keys
            .iter()
            .map(|&(key, value)| (key, value.unwrap_or(DEFAULT_SCOPES)))
            .collect();
        doc.add_section(&header, &entries);
        return Change::Added;
    };
    let mut changes = Vec::new();
    for (key, value) in keys {
        let Some(value) = value else { continue };
        let old = doc.get(id, key).map(str::trim);
        if old != Some(value) {
            changes.push(match old {
                Some(old) => format!("{key} {old} → {value}"),
                None => format!("{key} {value}"),
            });
            doc.set(id, key, value);
        }
    }
    Change::Updated(changes)
}

/// The flags (or questions) still needed: a name, and a start URL and a
/// region unless the session already has them.
fn missing(given: &Values, current: &dyn Fn(&str) -> Values) -> Vec<&'static str> {
    let Some(name) = &given.name else {
        return vec!["NAME", "--start-url", "--region"];
    };
    let have = current(name);
    let mut missing = Vec::new();
    if given.start_url.is_none() && have.start_url.is_none() {
        missing.push("--start-url");
    }
    if given.region.is_none() && have.region.is_none() {
        missing.push("--region");
    }
    missing
}

/// The values the section holds now.
fn current_values(doc: &Document, name: &str) -> Values {
    let Some(id) = doc.sso_session(name) else {
        return Values::default();
    };
    let get = |key: &str| {
        doc.get(id, key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Values {
        name: Some(name.to_owned()),
        start_url: get(START_URL),
        region: get(REGION),
        scopes: get(SCOPES),
    }
}

/// Asks for every value the flags did not give, offering the current one
/// (or the default scopes) when Enter is pressed.
fn ask_missing(
    given: &Values,
    current: &dyn Fn(&str) -> Values,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<Values> {
    let name = match &given.name {
        Some(name) => name.clone(),
        None => ask(input, output, "SSO session name", None, check_name)?,
    };
    let have = current(&name);
    let mut values = Values {
        name: Some(name),
        ..given.clone()
    };
    if values.start_url.is_none() {
        values.start_url = Some(ask(
            input,
            output,
            "SSO start URL",
            have.start_url.as_deref(),
            check_typed_url,
        )?);
    }
    if values.region.is_none() {
        values.region = Some(ask(
            input,
            output,
            "SSO region",
            have.region.as_deref(),
            check_region,
        )?);
    }
    if values.scopes.is_none() {
        let default = have.scopes.as_deref().unwrap_or(DEFAULT_SCOPES);
        values.scopes = Some(ask(
            input,
            output,
            "SSO registration scopes",
            Some(default),
            check_scopes,
        )?);
    }
    Ok(values)
}

/// One question, asked again until the answer is valid.
fn ask(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    label: &str,
    default: Option<&str>,
    check: fn(&str) -> Result<String>,
) -> Result<String> {
    loop {
        // The default comes from the config, which can hold escapes.
        match default {
            Some(default) => write!(output, "{label} [{}]: ", printable(default))?,
            None => write!(output, "{label}: ")?,
        }
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            bail!("no answer for {label}; nothing was changed");
        }
        let answer = line.trim();
        let answer = match (answer.is_empty(), default) {
            (true, Some(default)) => default,
            (true, None) => continue,
            (false, _) => answer,
        };
        match check(answer) {
            Ok(value) => return Ok(value),
            Err(err) => writeln!(output, "badge: {}", printable(&format!("{err:#}")))?,
        }
    }
}

fn check_name(name: &str) -> Result<String> {
    if name.is_empty() {
        bail!("the sso-session name is empty");
    }
    if name.trim() != name {
        bail!(
            "the sso-session name {} starts or ends with whitespace",
            quoted(name)
        );
    }
    if name.contains(']') || name.contains(['\r', '\n']) {
        bail!(
            "the sso-session name {} cannot hold `]` or a line break",
            quoted(name)
        );
    }
    if section_header("sso-session", name).is_none() {
        bail!(
            "the sso-session name {} cannot be written as a section header",
            quoted(name)
        );
    }
    Ok(name.to_owned())
}

/// The access portal URL typed at the prompt: `acme.awsapps.com/start`, as
/// people copy it from the console's address bar, is taken as `https://…`
/// (`--start-url` in a script takes the whole URL).
fn check_typed_url(url: &str) -> Result<String> {
    let url = url.trim();
    if url.contains("://") || url.is_empty() {
        return check_url(url);
    }
    check_url(&format!("https://{url}"))
}

fn check_url(url: &str) -> Result<String> {
    let url = url.trim();
    let host_follows = |rest: &str| !rest.is_empty() && !rest.starts_with('/');
    let local = ["http://127.0.0.1", "http://localhost"].iter().any(|base| {
        url.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    });
    let https = url.strip_prefix("https://").is_some_and(host_follows);
    if !(https || local) || url.chars().any(char::is_whitespace) {
        bail!(
            "{} is not an AWS access portal URL; it looks like https://acme.awsapps.com/start \
             (find it in the IAM Identity Center console, under Settings)",
            quoted(url)
        );
    }
    Ok(url.to_owned())
}

fn check_region(region: &str) -> Result<String> {
    let region = region.trim();
    if !looks_like_region(region) {
        bail!(
            "{} is not an AWS region name; IAM Identity Center's region looks like eu-west-1",
            quoted(region)
        );
    }
    if let Some(meant) = region_typo(region) {
        bail!(
            "{} is not an AWS region; did you mean {meant}?",
            quoted(region)
        );
    }
    Ok(region.to_owned())
}

fn check_scopes(scopes: &str) -> Result<String> {
    let parts: Vec<&str> = scopes.split(',').map(str::trim).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.chars().any(char::is_whitespace))
    {
        bail!(
            "{} is not a comma-separated list of scopes, like {DEFAULT_SCOPES}",
            quoted(scopes)
        );
    }
    Ok(parts.join(","))
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A usage error: the message, and exit code 2.
fn usage(message: &str) -> ExitCode {
    say!("{message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_updates_in_place() {
        let mut doc = Document::parse(b"# mine\n[default]\nregion = us-east-1\n");
        let values = Values {
            name: Some("acme".into()),
            start_url: Some("https://acme.awsapps.com/start".into()),
            region: Some("eu-west-1".into()),
            scopes: None,
        };
        assert_eq!(apply(&mut doc, "acme", &values), Change::Added);
        let created = "# mine\n[default]\nregion = us-east-1\n\n[sso-session acme]\n\
            sso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\
            sso_registration_scopes = sso:account:access\n";
        assert_eq!(String::from_utf8(doc.to_bytes()).unwrap(), created);
        let update = Values {
            region: Some("us-east-2".into()),
            start_url: None,
            ..values
        };
        assert_eq!(
            apply(&mut doc, "acme", &update),
            Change::Updated(vec!["sso_region eu-west-1 → us-east-2".into()])
        );
        assert_eq!(
            String::from_utf8(doc.to_bytes()).unwrap(),
            created.replace("eu-west-1", "us-east-2")
        );
        assert_eq!(apply(&mut doc, "acme", &update), Change::Updated(vec![]));
    }

    #[test]
    fn checks_values() {
        assert!(check_name("acme").is_ok());
        assert!(check_name("my org").is_ok());
        for bad in ["", " acme", "acme ", "a]b", "a\nb"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for ok in [
            "https://acme.awsapps.com/start",
            "http://127.0.0.1:8080/start",
            "http://localhost/start",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "acme.awsapps.com",
            "http://acme.awsapps.com/start",
            "https://",
            "http://127.0.0.1.evil.com/",
            "https://a b",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_scopes("sso:account:access, other").unwrap(),
            "sso:account:access,other"
        );
        assert!(check_scopes("a,,b").is_err());
        assert!(check_region("Ireland").is_err());
        assert_eq!(
            check_typed_url("acme.awsapps.com/start").unwrap(),
            "https://acme.awsapps.com/start"
        );
        assert!(check_typed_url("ftp://acme.awsapps.com/start").is_err());
    }

    #[test]
    fn asks_for_what_is_missing_and_again_when_invalid() {
        let given = Values {
            name: None,
            region: Some("eu-west-1".into()),
            ..Values::default()
        };
        let current = |_: &str| Values::default();
        let mut input =
            io::Cursor::new(&b"\nacme\nnot a url\nhttps://acme.awsapps.com/start\n\n"[..]);
        let mut output = Vec::new();
        let values = ask_missing(&given, &current, &mut input, &mut output).unwrap();
        assert_eq!(
            values,
            Values {
                name: Some("acme".into()),
                start_url: Some("https://acme.awsapps.com/start".into()),
                region: Some("eu-west-1".into()),
                scopes: Some("sso:account:access".into()),
            }
        );
        let output = String::from_utf8(output).unwrap();
        assert!(
            output.starts_with("SSO session name: SSO session name: SSO start URL: badge: "),
            "{output}"
        );
        assert!(
            output.ends_with("SSO registration scopes [sso:account:access]: "),
            "{output}"
        );
        let mut eof = io::Cursor::new(&b""[..]);
        let err = ask_missing(&given, &current, &mut eof, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("no answer"), "{err}");
    }

    /// The defaults come from the config, and an answer from the user:
    /// both are drawn as text.
    #[test]
    fn questions_show_the_configs_values_printable() {
        let given = Values {
            name: Some("acme".into()),
            ..Values::default()
        };
        let current = |_: &str| Values {
            start_url: Some("https://x\x1b]0;t\x07\u{202e}/start".into()),
            region: Some("eu-west-1\x1b[2J".into()),
            scopes: Some("sso:account:access".into()),
            ..Values::default()
        };
        let mut input = io::Cursor::new(&b"\nnot\x1b[8m a region\neu-west-1\n\n"[..]);
        let mut output = Vec::new();
        ask_missing(&given, &current, &mut input, &mut output).unwrap();
        let output = String::from_utf8(output).unwrap();
        assert!(!output.contains(['\x1b', '\u{202e}']), "{output:?}");
        assert!(
            output.starts_with("SSO start URL [https://x^[]0;t^G\\u{202e}/start]: "),
            "{output}"
        );
        assert!(output.contains("\"not^[[8m a region\""), "{output}");
    }

    #[test]
    fn missing_flags_are_named() {
        let none = |_: &str| Values::default();
        assert_eq!(
            missing(&Values::default(), &none),
            ["NAME", "--start-url", "--region"]
        );
        let named = Values {
            name: Some("acme".into()),
            ..Values::default()
        };
        assert_eq!(missing(&named, &none), ["--start-url", "--region"]);
        let existing = |name: &str| Values {
            name: Some(name.into()),
            start_url: Some("https://x/start".into()),
            region: Some("eu-west-1".into()),
            scopes: None,
        };
        assert!(missing(&named, &existing).is_empty());
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }
}
