//! Target `managed_block`: block edits and whole sync plans.

use std::collections::BTreeSet;

use super::reference::{self, Reading, key_eq};
use super::*;
use crate::config::document::{Document, SectionKind};
use crate::config::sessions::SsoSession;
use crate::sso::portal::{Assignment, Discovery, SkippedAccount, account_problem, role_problem};
use crate::sync::naming::{DEFAULT_TEMPLATE, Template, is_sdk_safe};
use crate::sync::plan::{PlanInput, SyncPlan};
use crate::sync::regions::RegionRules;
use crate::sync::settings::SyncSettings;

pub(super) const ACCOUNT_IDS: &[&str] = &[
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
];
const ACCOUNT_NAMES: &[&str] = &[
    "Prod",
    "Team A",
    "Team-A",
    "Café Ünïcode",
    "中文",
    "semi;colon $(x)",
    "",
    "Mine",
    "line\nbreak",
];
const ROLES: &[&str] = &["Admin", "ReadOnly", "a=b", "a,b", "Dev.Ops", "x@y+z"];
pub(super) const TEMPLATES: &[&str] = &[
    DEFAULT_TEMPLATE,
    "{role_name}",
    "{account_id}/{role_name}",
    "{session}.{region}:{account_name} {role_name}",
    "{account_name}",
    "p-{account_name}-{role_name}-{region}",
];
pub(super) const CREDENTIALS: &[&str] = &[
    "",
    "[default]\naws_access_key_id = AKIAEXAMPLE\n",
    "[Prod/Admin]\naws_access_key_id = AKIAEXAMPLE\n",
    "[DEFAULT]\nregion = x\n[Team-A/Admin]\n",
    "[mine]\n[Admin-111111111111]\n",
];

/// Target `managed_block`: edits of managed blocks on any config, then a
/// whole `badge sync` plan (naming, taken names, stale profiles) written
/// into it: only the block changes, it holds what the plan says, and
/// syncing again with the same answer from the portal changes nothing.
pub fn managed_block(data: &[u8]) {
    let (config, choices) = split_input(data);
    let mut c = Choices::new(&choices);
    // Block edits first, on the file as it is.
    let mut edits = Vec::new();
    for _ in 0..c.below(3) {
        edits.push(if c.below(4) == 0 {
            Edit::RemoveBlock {
                session: choose_session(&mut c),
            }
        } else {
            Edit::ReplaceBlock {
                session: choose_session(&mut c),
                profiles: (0..c.below(4))
                    .map(|_| (choose_name(&mut c), choose_entries(&mut c, 3)))
                    .collect(),
            }
        });
    }
    config_edits(config, &edits);
    sync_plan_props(config, &choose_sync(&mut c));
}

/// One `badge sync`: the session (of the config, or `acme`), the settings,
/// the credentials file, and what the portal answers.
#[derive(Clone, Debug)]
pub struct SyncInput {
    /// Which `[sso-session]` of the config (modulo their number, the last
    /// choice being `acme`).
    pub session: usize,
    pub start_url: String,
    pub template: String,
    pub region: String,
    pub output: Option<String>,
    pub credentials: String,
    /// (account id, account name, role name), in the portal's order.
    pub assignments: Vec<(String, String, String)>,
    /// Accounts whose roles could not be listed: (id, name).
    pub skipped: Vec<(String, String)>,
    pub prune: bool,
}

fn choose_sync(c: &mut Choices) -> SyncInput {
    let session = c.byte().into();
    let start_url = c
        .pick(&[
            "https://acme.awsapps.com/start",
            "https://acme.awsapps.com/start/",
        ])
        .to_owned();
    let template = if c.below(6) == 0 {
        c.text(24)
    } else {
        c.pick(TEMPLATES).to_owned()
    };
    let region = c.pick(&["eu-west-1", "us-east-1"]).to_owned();
    let output = c.pick(&[None, Some("json".to_owned())]);
    let credentials = c.pick(CREDENTIALS).to_owned();
    let accounts: Vec<(String, String)> = (0..1 + c.below(4))
        .map(|i| {
            let name = if c.below(5) == 0 {
                c.text(12)
            } else {
                c.pick(ACCOUNT_NAMES).to_owned()
            };
            (ACCOUNT_IDS[i].to_owned(), name)
        })
        .collect();
    let mut assignments = Vec::new();
    for _ in 0..c.below(10) {
        let (id, name) = c.pick(&accounts);
        let role = if c.below(6) == 0 {
            c.text(8)
        } else {
            c.pick(ROLES).to_owned()
        };
        assignments.push((id, name, role));
    }
    let skipped = accounts
        .iter()
        .filter(|_| c.below(5) == 0)
        .cloned()
        .collect();
    SyncInput {
        session,
        start_url,
        template,
        region,
        output,
        credentials,
        assignments,
        skipped,
        prune: c.flag(),
    }
}

/// A `badge sync` of `config` as `input` says, checked as [`managed_block`]
/// says: the plan keeps its promises, only the block changes, and a second
/// sync with the same answer plans the same and changes nothing.
pub fn sync_plan_props(config: &[u8], input: &SyncInput) {
    let doc = Document::parse(config);
    let mut names: Vec<String> = doc
        .sections()
        .filter_map(|s| match s.kind {
            SectionKind::SsoSession(name) => Some(name),
            _ => None,
        })
        .collect();
    names.push("acme".to_owned());
    let session_name = names[input.session % names.len()].clone();
    // `badge sync` refuses a session no marker line can hold.
    if !valid_session(&session_name) || session_name.chars().any(char::is_control) {
        return;
    }
    let session = SsoSession {
        name: session_name,
        start_url: input.start_url.clone(),
        region: "eu-west-1".to_owned(),
        scopes: vec!["sso:account:access".to_owned()],
        legacy_profile: None,
    };
    let Ok(template) = Template::parse(&input.template) else {
        return;
    };
    let settings = SyncSettings {
        template,
        region: input.region.clone(),
        output: input.output.clone(),
        region_rules: RegionRules::default(),
    };
    let credentials = Document::parse(input.credentials.as_bytes());
    // The portal lists each account role once, and keeps what it checks
    // (`portal::account_problem`, `portal::role_problem`) from the plan.
    let mut seen = BTreeSet::new();
    let mut skipped: Vec<SkippedAccount> = (input.skipped.iter())
        .map(|(id, name)| SkippedAccount {
            account_id: id.clone(),
            account_name: name.clone(),
            role_name: None,
            reason: "AccessDenied".to_owned(),
        })
        .collect();
    let mut assignments = Vec::new();
    for (id, name, role) in &input.assignments {
        if !seen.insert((id.clone(), role.clone())) {
            continue;
        }
        let problem = account_problem(id, name).map(|why| (None, why));
        let problem = problem.or_else(|| role_problem(role).map(|why| (Some(role.clone()), why)));
        match problem {
            Some((role_name, reason)) => skipped.push(SkippedAccount {
                account_id: id.clone(),
                account_name: name.clone(),
                role_name,
                reason: reason.to_owned(),
            }),
            None => assignments.push(Assignment {
                account_id: id.clone(),
                account_name: name.clone(),
                role_name: role.clone(),
            }),
        }
    }
    let discovery = Discovery {
        accounts: 0,
        assignments,
        skipped,
        requests: 0,
        throttled: 0,
    };
    let prune = input.prune;
    let plan = SyncPlan::new(&PlanInput {
        config: &doc,
        credentials: &credentials,
        session: &session,
        settings: &settings,
        discovery: &discovery,
        prune,
    });
    check_plan(&doc, &credentials, &session, &discovery, &plan);
    let rb = reference::read(config);

    let mut written = doc.clone();
    let summary = plan.apply(&mut written);
    let after = written.to_bytes();
    let ra = reference::read(&after);
    check_reading(&written, &ra);
    if plan.profiles.is_empty() {
        if let Some(k) = rb.block_of(&session.name) {
            let block = &rb.blocks[k];
            let count = |r: &Reading| {
                r.blocks
                    .iter()
                    .filter(|b| b.session == session.name)
                    .count()
            };
            if count(&ra) + 1 == count(&rb) {
                check_removal(config, &rb, (block.begin, block.end), &after, false);
            } else {
                check_block_replaced(config, &rb, &session.name, &[], &after, &ra, &written);
            }
        } else {
            assert_eq!(
                after, config,
                "an empty plan with no block changed the file"
            );
        }
    } else {
        check_block_replaced(
            config,
            &rb,
            &session.name,
            &plan.profiles,
            &after,
            &ra,
            &written,
        );
    }
    for name in summary.added.iter().chain(&summary.changed) {
        let in_block = written
            .managed_block(&session.name)
            .is_some_and(|b| b.sections().any(|s| s.kind.profile_name() == Some(name)));
        let renamed = summary.renamed.iter().any(|(old, _)| old == name);
        assert!(
            in_block || renamed,
            "summary names {name:?}, not in the block"
        );
    }

    // A section whose header is above `# BEGIN` but whose lines run into the
    // block (no header right after `# BEGIN`) loses those lines to the
    // sync, and so may point at another account afterwards: the next sync
    // may then plan differently, once.
    let straddles = rb.block_of(&session.name).is_some_and(|k| {
        let begin = rb.blocks[k].begin;
        rb.sections.iter().any(|s| s.line < begin && s.last > begin)
    });
    if straddles {
        return;
    }

    // The same answer again: the same plan, and not a byte changes.
    let again = SyncPlan::new(&PlanInput {
        config: &written,
        credentials: &credentials,
        session: &session,
        settings: &settings,
        discovery: &discovery,
        prune,
    });
    let read_back_profiles = |p: &SyncPlan| -> Vec<(String, Vec<(String, String)>)> {
        p.profiles
            .iter()
            .map(|(n, e)| (n.clone(), expected_entries(e)))
            .collect()
    };
    assert_eq!(
        read_back_profiles(&again),
        read_back_profiles(&plan),
        "a second sync plans differently, on {}",
        show(&after)
    );
    let mut twice = written.clone();
    let summary = again.apply(&mut twice);
    assert!(twice.to_bytes() == after, "a second sync changed the file");
    assert!(
        summary.added.is_empty() && summary.changed.is_empty() && summary.removed.is_empty(),
        "a second sync reports changes: {summary:?}"
    );
}

/// What a plan promises before it is written.
fn check_plan(
    doc: &Document,
    credentials: &Document,
    session: &SsoSession,
    discovery: &Discovery,
    plan: &SyncPlan,
) {
    let names: Vec<&str> = plan.profiles.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted, "the block is sorted, each name once");
    // Names of the user's: every profile outside this block, every
    // credentials section, and `default`.
    let mut taken: BTreeSet<String> = BTreeSet::from(["default".to_owned()]);
    for s in doc.sections() {
        if let Some(name) = s.kind.profile_name()
            && s.managed_by != Some(session.name.as_str())
        {
            taken.insert(name.to_owned());
        }
    }
    for s in credentials.sections() {
        if s.header != "DEFAULT" {
            taken.insert(s.header.to_owned());
        }
    }
    for a in &discovery.assignments {
        let covered = plan
            .covered
            .iter()
            .any(|c| c.account_id == a.account_id && c.role_name == a.role_name);
        let generated: Vec<&str> = plan
            .profiles
            .iter()
            .filter(|(_, e)| {
                // The last of a key, as the plan will write it and as
                // botocore reads it: keys ignore case (`sso_roLe_name`).
                let get = |key: &str| {
                    e.iter()
                        .rfind(|(k, _)| key_eq(k, key))
                        .map(|(_, v)| v.as_str())
                };
                get("sso_account_id") == Some(a.account_id.as_str())
                    && get("sso_role_name") == Some(a.role_name.as_str())
            })
            .map(|(n, _)| n.as_str())
            .collect();
        if covered {
            assert!(generated.is_empty(), "{a:?} is covered and generated");
            continue;
        }
        assert_eq!(generated.len(), 1, "{a:?} has profiles {generated:?}");
        let name = generated[0];
        assert!(is_sdk_safe(name), "generated name {name:?}");
        assert!(
            !taken.contains(name),
            "generated {name:?} takes a user's name"
        );
    }
}
