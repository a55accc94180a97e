//! What `badge sync` remembers in the `[sso-session NAME]` section, so that
//! the next run needs no flags: `badge_sync_template`, `badge_sync_region`,
//! `badge_sync_output` and `badge_sync_region_rules` (see
//! [`regions`](super::regions)). The AWS tools ignore these keys.
//!
//! A flag wins over what is remembered and replaces it. A key is written
//! only when a flag sets something other than the default (a flag that
//! repeats the default over a remembered value does write it); an empty
//! value (`--output ''`) forgets the key and goes back to the default.

use anyhow::{Result, anyhow, bail};

use super::naming::{DEFAULT_TEMPLATE, Template};
use super::regions::RegionRules;
use crate::base::text::quoted;
use crate::config::document::Document;
use crate::config::sessions::{SsoSession, looks_like_region, region_typo};
use crate::ui::say::command;

pub const TEMPLATE_KEY: &str = "badge_sync_template";
pub const REGION_KEY: &str = "badge_sync_region";
pub const OUTPUT_KEY: &str = "badge_sync_output";
pub const REGION_RULES_KEY: &str = "badge_sync_region_rules";

/// `output` values the AWS CLI v2 knows.
pub const OUTPUT_FORMATS: [&str; 6] = ["json", "yaml", "yaml-stream", "text", "table", "off"];

/// The flags of one run; `None` when not given.
#[derive(Clone, Copy, Debug, Default)]
pub struct SyncFlags<'a> {
    pub template: Option<&'a str>,
    pub region: Option<&'a str>,
    pub output: Option<&'a str>,
    /// `--region-rule`s, in order; they replace the remembered ones, and
    /// only empty ones (`--region-rule ''`) forget them.
    pub region_rules: Option<&'a [String]>,
}

/// The settings a sync runs with.
#[derive(Clone, Debug)]
pub struct SyncSettings {
    pub template: Template,
    /// `region` of every generated profile.
    pub region: String,
    /// `output` of every generated profile, if any.
    pub output: Option<String>,
    /// The rules that give some profiles another region.
    pub region_rules: RegionRules,
}

impl SyncSettings {
    /// The flags, else what the section remembers, else the defaults.
    pub fn resolve(
        doc: &Document,
        session: &SsoSession,
        flags: SyncFlags<'_>,
    ) -> Result<SyncSettings> {
        let cmd = command();
        let remembered = |key: &str| {
            doc.sso_session(&session.name)
                .and_then(|id| doc.get(id, key))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let template_text = match flags.template {
            Some(t) if t.trim().is_empty() => DEFAULT_TEMPLATE,
            Some(t) => t,
            None => remembered(TEMPLATE_KEY).unwrap_or(DEFAULT_TEMPLATE),
        };
        let template = Template::parse(template_text).map_err(|err| match flags.template {
            Some(_) => err,
            None => err.context(format!(
                "[sso-session {}] remembers {TEMPLATE_KEY} = {template_text}; \
                 give another with `{cmd} sync --template TEMPLATE`",
                session.name
            )),
        })?;
        let region = match flags.region {
            Some(r) if r.trim().is_empty() => session.region.clone(),
            Some(r) => r.trim().to_owned(),
            None => remembered(REGION_KEY).unwrap_or(&session.region).to_owned(),
        };
        if !looks_like_region(&region) {
            bail!(
                "{} is not an AWS region name (like eu-west-1); give one with --region",
                quoted(&region)
            );
        }
        if let Some(meant) = region_typo(&region) {
            bail!(
                "{} is not an AWS region; did you mean {meant}? give it with \
                 `--region {meant}`",
                quoted(&region)
            );
        }
        let output = match flags.output {
            Some(o) if o.trim().is_empty() => None,
            Some(o) => Some(o.trim().to_owned()),
            None => remembered(OUTPUT_KEY).map(str::to_owned),
        };
        if let Some(output) = &output
            && !OUTPUT_FORMATS.contains(&output.as_str())
        {
            bail!(
                "{} is not an output format of the AWS CLI; use one of {} with --output \
                 (or --output '' for none)",
                quoted(output),
                OUTPUT_FORMATS.join(", ")
            );
        }
        Ok(SyncSettings {
            template,
            region,
            output,
            region_rules: region_rules(doc, session, flags)?,
        })
    }

    /// Records the flags given in the session's section. Returns whether the
    /// document changed.
    pub fn remember(doc: &mut Document, session: &SsoSession, flags: SyncFlags<'_>) -> bool {
        let Some(id) = doc.sso_session(&session.name) else {
            return false;
        };
        let before = doc.to_bytes();
        let put = |doc: &mut Document, key: &str, value: Option<&str>, default: Option<&str>| {
            let Some(value) = value.map(str::trim) else {
                return;
            };
            let present = doc.get(id, key).is_some();
            if value.is_empty() {
                doc.remove_key(id, key);
            } else if present || Some(value) != default {
                doc.set(id, key, value);
            }
        };
        put(doc, TEMPLATE_KEY, flags.template, Some(DEFAULT_TEMPLATE));
        put(doc, REGION_KEY, flags.region, Some(&session.region));
        put(doc, OUTPUT_KEY, flags.output, None);
        // Written as badge prints them; bad ones are not written (the sync
        // stops on them anyway).
        if let Some(Ok(rules)) = flags
            .region_rules
            .map(|rules| RegionRules::parse_each(rules.iter().map(String::as_str)))
        {
            if rules.is_empty() {
                doc.remove_key(id, REGION_RULES_KEY);
            } else {
                doc.set(id, REGION_RULES_KEY, &rules.to_line());
            }
        }
        doc.to_bytes() != before
    }
}

/// The region rules: the flags, else what the section remembers, else
/// none.
fn region_rules(doc: &Document, session: &SsoSession, flags: SyncFlags<'_>) -> Result<RegionRules> {
    let cmd = command();
    if let Some(rules) = flags.region_rules {
        return RegionRules::parse_each(rules.iter().map(String::as_str))
            .map_err(|err| anyhow!(err));
    }
    let Some(line) = doc
        .sso_session(&session.name)
        .and_then(|id| doc.get(id, REGION_RULES_KEY))
    else {
        return Ok(RegionRules::default());
    };
    RegionRules::parse_line(line).map_err(|err| {
        anyhow!(
            "[sso-session {}] remembers {REGION_RULES_KEY} = {}, but {err}; give new rules \
             with `{cmd} sync --region-rule RULE`, or none with `--region-rule ''`",
            session.name,
            line.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sessions::session;

    const CONFIG: &str =
        "[sso-session acme]\nsso_start_url = https://a/start\nsso_region = eu-west-1\n";

    #[test]
    fn flags_then_remembered_then_defaults() {
        let mut doc = Document::parse(CONFIG.as_bytes());
        let s = session(&doc, "acme").unwrap();
        let plain = SyncSettings::resolve(&doc, &s, SyncFlags::default()).unwrap();
        assert_eq!(plain.template.to_string(), DEFAULT_TEMPLATE);
        assert_eq!(plain.region, "eu-west-1");
        assert_eq!(plain.output, None);

        // The default region is not written; the others are.
        let flags = SyncFlags {
            template: Some("{account_id}.{role_name}"),
            region: Some("eu-west-1"),
            output: Some("json"),
            region_rules: None,
        };
        assert!(SyncSettings::remember(&mut doc, &s, flags));
        assert_eq!(
            String::from_utf8(doc.to_bytes()).unwrap(),
            format!(
                "{CONFIG}badge_sync_template = {{account_id}}.{{role_name}}\nbadge_sync_output = json\n"
            )
        );
        let again = SyncSettings::resolve(&doc, &s, SyncFlags::default()).unwrap();
        assert_eq!(again.template.to_string(), "{account_id}.{role_name}");
        assert_eq!(again.output.as_deref(), Some("json"));
        assert!(!SyncSettings::remember(&mut doc, &s, flags));

        // Empty forgets.
        let forget = SyncFlags {
            template: Some(""),
            region: None,
            output: Some(""),
            region_rules: None,
        };
        assert!(SyncSettings::remember(&mut doc, &s, forget));
        assert_eq!(String::from_utf8(doc.to_bytes()).unwrap(), CONFIG);
    }

    #[test]
    fn bad_values_are_errors() {
        let doc = Document::parse(CONFIG.as_bytes());
        let s = session(&doc, "acme").unwrap();
        let bad = |flags| {
            SyncSettings::resolve(&doc, &s, flags)
                .unwrap_err()
                .to_string()
        };
        assert!(
            bad(SyncFlags {
                template: Some("{nope}"),
                ..Default::default()
            })
            .contains("{account_name}")
        );
        assert!(
            bad(SyncFlags {
                region: Some("Europe"),
                ..Default::default()
            })
            .contains("region")
        );
        assert!(
            bad(SyncFlags {
                output: Some("xml"),
                ..Default::default()
            })
            .contains("json, yaml")
        );
    }

    #[test]
    fn region_rules_are_remembered_replaced_and_forgotten() {
        let mut doc = Document::parse(CONFIG.as_bytes());
        let s = session(&doc, "acme").unwrap();
        let none = region_rules(&doc, &s, SyncFlags::default()).unwrap();
        assert!(none.is_empty());

        let given = [
            " Account:prod-*=us-east-1".to_owned(),
            String::new(),
            "role:*ReadOnly*=ap-south-1".to_owned(),
        ];
        let flags = SyncFlags {
            region_rules: Some(&given),
            ..Default::default()
        };
        assert!(SyncSettings::remember(&mut doc, &s, flags));
        assert_eq!(
            String::from_utf8(doc.to_bytes()).unwrap(),
            format!(
                "{CONFIG}badge_sync_region_rules = account:prod-*=us-east-1 | role:*ReadOnly*=ap-south-1\n"
            )
        );
        let again = region_rules(&doc, &s, SyncFlags::default()).unwrap();
        assert_eq!(
            again,
            region_rules(&doc, &s, flags).unwrap(),
            "remembered as given"
        );
        assert!(!SyncSettings::remember(&mut doc, &s, flags));

        // New rules replace the old ones, all of them.
        let other = ["id:1*=eu-north-1".to_owned()];
        let replace = SyncFlags {
            region_rules: Some(&other),
            ..Default::default()
        };
        assert!(SyncSettings::remember(&mut doc, &s, replace));
        let now = region_rules(&doc, &s, SyncFlags::default()).unwrap();
        assert_eq!(now.to_line(), "id:1*=eu-north-1");

        // Bad rules are not written.
        let bad = ["id:1*=north".to_owned()];
        let bad = SyncFlags {
            region_rules: Some(&bad),
            ..Default::default()
        };
        assert!(!SyncSettings::remember(&mut doc, &s, bad));
        let err = SyncSettings::resolve(&doc, &s, bad)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "region rule \"id:1*=north\": \"north\" is not an AWS region name (like eu-west-1)"
        );

        // `--region-rule ''` forgets them.
        let empty = [String::new()];
        let forget = SyncFlags {
            region_rules: Some(&empty),
            ..Default::default()
        };
        assert!(SyncSettings::remember(&mut doc, &s, forget));
        assert_eq!(String::from_utf8(doc.to_bytes()).unwrap(), CONFIG);
    }

    #[test]
    fn a_bad_remembered_rule_says_where_it_is() {
        let doc = Document::parse(
            format!("{CONFIG}badge_sync_region_rules = account:a=eu-west-1 | b=us-east-1\n")
                .as_bytes(),
        );
        let s = session(&doc, "acme").unwrap();
        let err = SyncSettings::resolve(&doc, &s, SyncFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "[sso-session acme] remembers badge_sync_region_rules = account:a=eu-west-1 | \
                 b=us-east-1, but region rule \"b=us-east-1\" does not start with"
            ),
            "{err}"
        );
        assert!(err.ends_with("or none with `--region-rule ''`"), "{err}");
        // A flag replaces them, so it is enough to get going again.
        let fix = [String::new()];
        let flags = SyncFlags {
            region_rules: Some(&fix),
            ..Default::default()
        };
        assert!(SyncSettings::resolve(&doc, &s, flags).is_ok());
    }
}
