//! The `[sso-session NAME]` sections, and which one a command means.

use std::path::Path;

use anyhow::{Result, bail};

use super::document::{Document, SectionKind};
use super::paths;
use crate::base::text::{quoted, typo_distance};
use crate::shell::{hint, shell_word};
use crate::ui::say::command;
use crate::ui::verbose::verbose;

/// Default scope of an sso-session login, as `aws configure sso` writes it.
pub const DEFAULT_SCOPES: &str = "sso:account:access";

/// The regions AWS had when this badge was built (botocore's endpoint
/// data), to catch a typo in a region; a region that is not here may be one
/// opened since.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// The known region that `region` is a typo of: not known itself, not of a
/// known area (`eu-west-9` may be new), and one edit from a known region
/// (two for a name of ten letters or more), the nearest.
pub fn region_typo(region: &str) -> Option<&'static str> {
    let area = |r: &str| r.rsplit_once('-').map_or("", |(area, _)| area).to_owned();
    let areas: Vec<String> = KNOWN_REGIONS.iter().map(|r| area(r)).collect();
    if KNOWN_REGIONS.contains(&region) || areas.contains(&area(region)) {
        return None;
    }
    let allowed = if region.len() >= 10 { 2 } else { 1 };
    KNOWN_REGIONS
        .iter()
        .map(|known| (typo_distance(region, known), *known))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, known)| known)
}

/// Whether `region` looks like an AWS region name (`eu-west-1`,
/// `us-gov-west-1`, `eusc-de-east-1`).
pub fn looks_like_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() >= 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The sso-session's name; for a legacy profile, its start URL. Either
    /// way what the token cache is keyed by, as in botocore.
    pub name: String,
    pub start_url: String,
    pub region: String,
    /// `sso_registration_scopes`, comma separated in the file.
    pub scopes: Vec<String>,
    /// For a legacy SSO profile (`sso_start_url` and `sso_region` in the
    /// profile itself, no `sso_session`): that profile's name.
    pub legacy_profile: Option<String>,
}

impl SsoSession {
    /// What messages call it: `sso-session "acme"`, or for a legacy
    /// profile `https://old.awsapps.com/start (profile "old")`.
    pub fn label(&self) -> String {
        match &self.legacy_profile {
            None => format!("sso-session \"{}\"", self.name),
            Some(profile) => format!("{} (profile \"{profile}\")", self.start_url),
        }
    }

    /// For `--verbose`: which sso-session a command uses, and where it
    /// signs in.
    pub fn log(&self) {
        verbose!(
            "sso-session \"{}\": start URL {}, region {}, scopes {}",
            self.name,
            self.start_url,
            self.region,
            if self.scopes.is_empty() {
                "none".to_owned()
            } else {
                self.scopes.join(" ")
            }
        );
    }
}

/// The login of a legacy SSO profile, which names its portal itself
/// (`sso_start_url`, `sso_region`) instead of an sso-session; `None` for any
/// other profile.
pub fn legacy(doc: &Document, profile: &str) -> Option<SsoSession> {
    let id = doc.profile(profile)?;
    let get = |key: &str| doc.get(id, key).map(str::trim).filter(|v| !v.is_empty());
    if get("sso_session").is_some() {
        return None;
    }
    let (start_url, region) = (get("sso_start_url")?, get("sso_region")?);
    Some(SsoSession {
        name: start_url.to_owned(),
        start_url: start_url.to_owned(),
        region: region.to_owned(),
        scopes: vec![DEFAULT_SCOPES.to_owned()],
        legacy_profile: Some(profile.to_owned()),
    })
}

/// Every sso-session of the document, in file order, each name once (the
/// last section of a name wins, as in botocore).
pub fn sessions(doc: &Document) -> Vec<(String, Result<SsoSession>)> {
    let mut names: Vec<String> = Vec::new();
    for section in doc.sections() {
        if let SectionKind::SsoSession(name) = section.kind
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let session = session(doc, &name);
            (name, session)
        })
        .collect()
}

/// The named sso-session, with what is missing from it said plainly.
pub fn session(doc: &Document, name: &str) -> Result<SsoSession> {
    lookup(doc, name, "the config")
}

/// [`session`], with `file` (the config's path, or "the config") named in
/// its errors.
fn lookup(doc: &Document, name: &str, file: &str) -> Result<SsoSession> {
    let cmd = command();
    let add = |how: &str, flags: &str| {
        hint(
            how,
            shell_word(name).map(|name| format!("{cmd} session add {name} {flags}")),
        )
    };
    let Some(id) = doc.sso_session(name) else {
        bail!(
            "there is no [sso-session {name}] in {file}; {}",
            add("add it with", "--start-url URL --region REGION")
        );
    };
    let get = |key: &str| doc.get(id, key).map(str::trim).filter(|v| !v.is_empty());
    let (start_url, region) = match (get("sso_start_url"), get("sso_region")) {
        (Some(start_url), Some(region)) => (start_url, region),
        (None, Some(_)) => bail!(
            "[sso-session {name}] in {file} has no sso_start_url; {}",
            add("set it with", "--start-url URL")
        ),
        (Some(_), None) => bail!(
            "[sso-session {name}] in {file} has no sso_region; {}",
            add("set it with", "--region REGION")
        ),
        (None, None) => bail!(
            "[sso-session {name}] in {file} has no sso_start_url and no sso_region; {}",
            add("set them with", "--start-url URL --region REGION")
        ),
    };
    let scopes = get("sso_registration_scopes")
        .unwrap_or(DEFAULT_SCOPES)
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    Ok(SsoSession {
        name: name.to_owned(),
        start_url: start_url.to_owned(),
        region: region.to_owned(),
        scopes,
        legacy_profile: None,
    })
}

/// The sso-session `profile` names, complete enough to sign in with; the
/// error says which profile and what to add. `config` is the file's path.
pub fn of_profile(
    doc: &Document,
    profile: &str,
    session_name: &str,
    config: &Path,
) -> Result<SsoSession> {
    let cmd = command();
    let file = paths::show_config(config);
    if doc.sso_session(session_name).is_none() {
        bail!(
            "profile {profile} uses sso-session {session_name}, but there is no \
             [sso-session {session_name}] in {file}; {}",
            hint(
                "add it with",
                shell_word(session_name).map(|name| format!(
                    "{cmd} session add {name} --start-url URL --region REGION"
                ))
            )
        );
    }
    lookup(doc, session_name, &file)
}

/// The session a command means: the one named, else the one of the named
/// profile, else the one of the active profile, else the only one.
/// `config` is the document's path, for messages.
pub fn select(
    doc: &Document,
    config: &Path,
    requested: Option<&str>,
    profile: Option<&str>,
    active_profile: Option<&str>,
) -> Result<SsoSession> {
    let cmd = command();
    let file = paths::show_config(config);
    if let Some(name) = requested {
        return lookup(doc, name, &file);
    }
    let session_of = |profile: &str| -> Result<Option<String>> {
        let Some(id) = doc.profile(profile) else {
            bail!(
                "there is no profile {profile} in {file}; `{cmd} ls` lists them",
                profile = quoted(profile)
            );
        };
        Ok(doc.get(id, "sso_session").map(str::to_owned))
    };
    if let Some(profile) = profile {
        return match session_of(profile)? {
            Some(name) => of_profile(doc, profile, &name, config),
            None => match legacy(doc, profile) {
                Some(session) => Ok(session),
                None => bail!(
                    "profile {profile} in {file} has no sso_session (nor sso_start_url and \
                     sso_region); name one with --sso-session",
                    profile = quoted(profile)
                ),
            },
        };
    }
    let all = sessions(doc);
    if let Some(active) = active_profile {
        if let Ok(Some(name)) = session_of(active) {
            return of_profile(doc, active, &name, config);
        }
        if let Some(session) = legacy(doc, active) {
            return Ok(session);
        }
    }
    match all.as_slice() {
        // `session add` could not write one either.
        [] if config.as_os_str().is_empty() => bail!(
            "there is no sso-session: {var} is set but empty, which the AWS CLI \
             and SDKs read as no config file; point {var} at your config file, or `unset \
             {var}` to use ~/.aws/config",
            var = paths::CONFIG_VAR
        ),
        [] => bail!(
            "no sso-session is configured in {file} yet; add one with \
             `{cmd} session add NAME --start-url https://YOUR.awsapps.com/start --region REGION`"
        ),
        [(name, _)] => lookup(doc, name, &file),
        several => {
            let names: Vec<&str> = several.iter().map(|(n, _)| n.as_str()).collect();
            let choose = match shell_word(names[0]) {
                Ok(name) => format!("choose one with --sso-session {name}"),
                Err(_) => "choose one with --sso-session NAME".to_owned(),
            };
            bail!(
                "there are {} sso-sessions in {file} ({}); {choose}",
                names.len(),
                names.join(", "),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n\
        [sso-session other]\nsso_start_url = https://o.awsapps.com/start\n\n\
        [profile p]\nsso_session = acme\n[profile plain]\nregion = x\n";

    #[test]
    fn selects_by_name_profile_and_active_profile() {
        let doc = Document::parse(CONFIG.as_bytes());
        let acme = select(&doc, Path::new("c"), Some("acme"), None, None).unwrap();
        assert_eq!(acme.region, "eu-west-1");
        assert_eq!(acme.scopes, vec![DEFAULT_SCOPES.to_owned()]);
        assert_eq!(
            select(&doc, Path::new("c"), None, Some("p"), None)
                .unwrap()
                .name,
            "acme"
        );
        assert_eq!(
            select(&doc, Path::new("c"), None, None, Some("p"))
                .unwrap()
                .name,
            "acme"
        );
        let err = select(&doc, Path::new("c"), None, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("acme, other") && err.contains("--sso-session"),
            "{err}"
        );
        let err = select(&doc, Path::new("c"), Some("other"), None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no sso_region"), "{err}");
        let err = select(&doc, Path::new("c"), None, Some("plain"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no sso_session"), "{err}");
    }

    #[test]
    fn nothing_configured_says_how_to_add_a_session() {
        let err = select(&Document::parse(b""), Path::new("c"), None, None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("badge session add"), "{err}");
    }

    #[test]
    fn region_names() {
        for ok in [
            "eu-west-1",
            "us-gov-west-1",
            "ap-southeast-5",
            "eusc-de-east-1",
            "cn-north-1",
        ] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in [
            "",
            "eu",
            "eu-west",
            "EU-west-1",
            "eu-west-1 ",
            "e-west-1",
            "eu--1",
            "eu-west-x",
        ] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}
