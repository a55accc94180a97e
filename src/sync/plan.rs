//! The plan of a sync: which profiles the managed block of a session holds
//! after it, given what the portal listed and what the config already has.
//!
//! Rules, in order:
//! - An assignment that a hand-written profile (outside every managed block,
//!   `sso_session` this session, or the legacy `sso_start_url` of it) already
//!   points at gets no generated profile: the user's is enough.
//! - Every other assignment gets a profile named by the template (see
//!   [`naming`](super::naming)); names of profiles outside this block, of the
//!   credentials file, and `default`, are the user's and are never taken.
//! - Its `region` is that of the first region rule that matches it (see
//!   [`regions`](super::regions)), else the sync's region; `{region}` in the
//!   template is that same region.
//! - A generated profile whose assignment is gone stays (stale, with the
//!   region it had) unless `--prune`; one of an account whose roles could
//!   not be listed (403) stays as it was, since nothing is known about it.
//! - The block is sorted by profile name, so the same organisation always
//!   gives the same bytes.
//!
//! The summary compares the block before and after, as the parser reads
//! both, so "kept" means "reads back the same".

use std::collections::{BTreeMap, HashMap, HashSet};

use super::naming::{Collision, Vars, assign_names};
use super::regions::RegionRules;
use super::settings::SyncSettings;
use crate::config::document::{Document, SectionKind, key_eq};
use crate::config::sessions::SsoSession;
use crate::sso::portal::{Discovery, SkippedAccount};

/// A profile's keys and values, in order.
pub type Entries = Vec<(String, String)>;

/// An assignment left to a hand-written profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Covered {
    pub account_id: String,
    pub role_name: String,
    /// The user's profile.
    pub profile: String,
}

/// What a sync will write into a session's managed block.
#[derive(Clone, Debug)]
pub struct SyncPlan {
    pub session: String,
    /// The block's profiles, sorted by name.
    pub profiles: Vec<(String, Entries)>,
    pub collisions: Vec<Collision>,
    pub covered: Vec<Covered>,
    /// Generated profiles kept although their assignment is gone.
    pub stale: Vec<String>,
    /// Generated profiles kept as they were: their account could not be listed.
    pub unknown: Vec<String>,
    pub skipped: Vec<SkippedAccount>,
    /// Region rules (as badge writes them) that gave no generated profile
    /// its region: no match, or an earlier rule always won.
    pub unused_rules: Vec<String>,
}

/// How the block changed, by profile name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: Vec<String>,
    /// Changed in place, and renamed (also in `renamed`).
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub kept: usize,
    /// (old name, new name) of the same account and role.
    pub renamed: Vec<(String, String)>,
}

/// A profile of the block as it is in the file.
struct Existing {
    name: String,
    entries: Entries,
    account_id: Option<String>,
    role_name: Option<String>,
}

impl SyncPlan {
    /// The plan for `session`, given the config and credentials files, with
    /// no region rules.
    pub fn new(
        config: &Document,
        credentials: &Document,
        session: &SsoSession,
        settings: &SyncSettings,
        discovery: &Discovery,
        prune: bool,
    ) -> SyncPlan {
        let no_rules = RegionRules::default();
        SyncPlan::with_region_rules(
            config,
            credentials,
            session,
            settings,
            &no_rules,
            discovery,
            prune,
        )
    }

    /// The plan for `session`, given the config and credentials files, with
    /// `rules` choosing the region of each profile.
    pub fn with_region_rules(
        config: &Document,
        credentials: &Document,
        session: &SsoSession,
        settings: &SyncSettings,
        rules: &RegionRules,
        discovery: &Discovery,
        prune: bool,
    ) -> SyncPlan {
        let mut taken: HashSet<String> = HashSet::from(["default".to_owned()]);
        let mut users: HashMap<(String, String), String> = HashMap::new();
        for section in config.sections() {
            let Some(name) = section.kind.profile_name() else {
                continue;
            };
            if section.managed_by == Some(session.name.as_str()) {
                continue;
            }
            taken.insert(name.to_owned());
            let points_here = match section.get("sso_session") {
                Some(s) => s.trim() == session.name,
                None => section
                    .get("sso_start_url")
                    .is_some_and(|url| same_url(url, &session.start_url)),
            };
            if section.managed_by.is_none()
                && points_here
                && let (Some(account), Some(role)) =
                    (section.get("sso_account_id"), section.get("sso_role_name"))
            {
                users
                    .entry((account.trim().to_owned(), role.trim().to_owned()))
                    .or_insert_with(|| name.to_owned());
            }
        }
        for section in credentials.sections() {
            if section.header != "DEFAULT" {
                taken.insert(section.header.to_owned());
            }
        }

        let mut covered = Vec::new();
        let mut wanted = Vec::new();
        let mut assigned: HashSet<(&str, &str)> = HashSet::new();
        // An id or role name with a line break can not be one config line
        // (it would read as another role): such an assignment is skipped.
        let mut unwritable = Vec::new();
        for a in &discovery.assignments {
            if [&a.account_id, &a.role_name]
                .iter()
                .any(|v| v.contains(['\r', '\n']))
            {
                unwritable.push(SkippedAccount {
                    account_id: a.account_id.clone(),
                    account_name: a.account_name.clone(),
                    reason: format!(
                        "role {:?} has a line break, which no config file can hold",
                        a.role_name
                    ),
                });
                continue;
            }
            assigned.insert((&a.account_id, &a.role_name));
            match users.get(&(a.account_id.clone(), a.role_name.clone())) {
                Some(profile) => covered.push(Covered {
                    account_id: a.account_id.clone(),
                    role_name: a.role_name.clone(),
                    profile: profile.clone(),
                }),
                None => wanted.push(a),
            }
        }
        covered.sort_by(|a, b| (&a.account_id, &a.role_name).cmp(&(&b.account_id, &b.role_name)));
        covered.dedup();
        let mut used = vec![false; rules.rules().len()];
        let regions: Vec<&str> = wanted
            .iter()
            .map(
                |a| match rules.first_match(&a.account_name, &a.account_id, &a.role_name) {
                    Some(i) => {
                        used[i] = true;
                        rules.rules()[i].region.as_str()
                    }
                    None => settings.region.as_str(),
                },
            )
            .collect();
        let unused_rules = (rules.rules().iter().zip(&used))
            .filter(|(_, used)| !**used)
            .map(|(rule, _)| rule.to_string())
            .collect();
        let vars: Vec<Vars<'_>> = wanted
            .iter()
            .zip(&regions)
            .map(|(a, region)| Vars {
                account_name: &a.account_name,
                account_id: &a.account_id,
                role_name: &a.role_name,
                session: &session.name,
                region,
            })
            .collect();
        let (named, collisions) = assign_names(&settings.template, &vars, &|n| taken.contains(n));

        let mut profiles: BTreeMap<String, Entries> = BTreeMap::new();
        for n in named {
            let a = wanted[n.index];
            let mut entries = vec![
                ("sso_session".to_owned(), session.name.clone()),
                ("sso_account_id".to_owned(), a.account_id.clone()),
                ("sso_role_name".to_owned(), a.role_name.clone()),
                ("region".to_owned(), regions[n.index].to_owned()),
            ];
            if let Some(output) = &settings.output {
                entries.push(("output".to_owned(), output.clone()));
            }
            let display = display_name(&a.account_name);
            if !display.is_empty() {
                entries.push(("badge_account_name".to_owned(), display));
            }
            profiles.insert(n.name, entries);
        }

        let skipped_ids: HashSet<&str> = discovery
            .skipped
            .iter()
            .map(|s| s.account_id.as_str())
            .collect();
        let (mut stale, mut unknown) = (Vec::new(), Vec::new());
        for old in existing(config, &session.name) {
            if profiles.contains_key(&old.name) || taken.contains(&old.name) {
                continue;
            }
            let account = old.account_id.as_deref().unwrap_or_default();
            let role = old.role_name.as_deref().unwrap_or_default();
            if assigned.contains(&(account, role)) {
                // Renamed, or left to a hand-written profile.
                continue;
            }
            if skipped_ids.contains(account) {
                unknown.push(old.name.clone());
            } else if prune {
                continue;
            } else {
                stale.push(old.name.clone());
            }
            profiles.insert(old.name, old.entries);
        }

        SyncPlan {
            session: session.name.clone(),
            profiles: profiles.into_iter().collect(),
            collisions,
            covered,
            stale,
            unknown,
            skipped: discovery
                .skipped
                .iter()
                .cloned()
                .chain(unwritable)
                .collect(),
            unused_rules,
        }
    }

    /// Writes the block into `doc` (removing it when it would be empty) and
    /// says what changed.
    pub fn apply(&self, doc: &mut Document) -> Summary {
        let before = existing(doc, &self.session);
        if self.profiles.is_empty() {
            doc.remove_managed_block(&self.session);
        } else {
            doc.replace_managed_block(&self.session, &self.profiles);
        }
        let after = existing(doc, &self.session);
        Summary::between(&before, &after)
    }
}

impl Summary {
    fn between(before: &[Existing], after: &[Existing]) -> Summary {
        let old: HashMap<&str, &Existing> = before.iter().map(|e| (e.name.as_str(), e)).collect();
        let new: HashMap<&str, &Existing> = after.iter().map(|e| (e.name.as_str(), e)).collect();
        let mut summary = Summary::default();
        // New profiles of an assignment that had another name: renames.
        let mut fresh_by_assignment: HashMap<(&str, &str), &str> = HashMap::new();
        for e in after.iter().filter(|e| !old.contains_key(e.name.as_str())) {
            if let (Some(account), Some(role)) = (&e.account_id, &e.role_name) {
                fresh_by_assignment.insert((account, role), &e.name);
            }
        }
        let mut renamed_to: HashSet<&str> = HashSet::new();
        for e in before {
            match new.get(e.name.as_str()) {
                Some(now) if now.entries == e.entries => summary.kept += 1,
                Some(_) => summary.changed.push(e.name.clone()),
                None => {
                    let target = match (&e.account_id, &e.role_name) {
                        (Some(account), Some(role)) => fresh_by_assignment
                            .get(&(account.as_str(), role.as_str()))
                            .filter(|to| !renamed_to.contains(*to))
                            .copied(),
                        _ => None,
                    };
                    match target {
                        Some(to) => {
                            renamed_to.insert(to);
                            summary.changed.push(e.name.clone());
                            summary.renamed.push((e.name.clone(), to.to_owned()));
                        }
                        None => summary.removed.push(e.name.clone()),
                    }
                }
            }
        }
        for e in after {
            if !old.contains_key(e.name.as_str()) && !renamed_to.contains(e.name.as_str()) {
                summary.added.push(e.name.clone());
            }
        }
        summary
    }
}

/// The profiles of a session's managed block, as the parser reads them.
fn existing(doc: &Document, session: &str) -> Vec<Existing> {
    let Some(block) = doc.managed_block(session) else {
        return Vec::new();
    };
    block
        .sections()
        .filter_map(|section| {
            let SectionKind::Profile(name) = section.kind.clone() else {
                return None;
            };
            // What the block says, up to its `# END`: lines after it are the
            // user's, and would make the profile stand for another role.
            let entries = section.block_entries();
            let last = |key: &str| {
                let found = entries.iter().rev().find(|(k, _)| key_eq(k, key));
                found.map(|(_, v)| v.trim().to_owned())
            };
            Some(Existing {
                name,
                account_id: last("sso_account_id"),
                role_name: last("sso_role_name"),
                entries: entries
                    .iter()
                    .filter(|(key, _)| is_writable_key(key))
                    .cloned()
                    .collect(),
            })
        })
        .collect()
}

/// Whether a key read from the file can be written back as itself.
fn is_writable_key(key: &str) -> bool {
    !key.is_empty()
        && key.trim() == key
        && !key.contains(['=', ':', '\r', '\n'])
        && !key.starts_with(['[', '#', ';'])
}

/// The account name as `badge_account_name` holds it: one line.
fn display_name(name: &str) -> String {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.trim().to_owned()
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

#[cfg(test)]
mod tests;
