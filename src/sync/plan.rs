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
use super::settings::SyncSettings;
use crate::base::url::same_url;
use crate::config::document::{Document, SectionKind, key_eq};
use crate::config::sessions::SsoSession;
use crate::sso::portal::{Assignment, Discovery, SkippedAccount};

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
    /// Of the names in `collisions` that another session's block holds:
    /// name → that sso-session (they are generated, not the user's).
    pub generated_elsewhere: BTreeMap<String, String>,
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

/// What a plan is made from.
#[derive(Clone, Copy)]
pub struct PlanInput<'a> {
    pub config: &'a Document,
    pub credentials: &'a Document,
    pub session: &'a SsoSession,
    pub settings: &'a SyncSettings,
    pub discovery: &'a Discovery,
    /// Remove generated profiles whose assignment is gone (`--prune`).
    pub prune: bool,
}

/// What the user's own profiles claim: names a generated profile may not
/// take, and the assignments they already point at.
struct Claims {
    taken: HashSet<String>,
    /// Of `taken`: the names another session's managed block generates,
    /// with that session.
    elsewhere: HashMap<String, String>,
    /// (account id, role name) → the user's profile.
    users: HashMap<(String, String), String>,
}

/// The portal's assignments, sorted out. The portal has checked them
/// already (`sso::portal`): ids are 12 digits, names hold no control
/// character, roles no outer whitespace, so a config line holds each.
struct Sorted<'a> {
    /// Left to a hand-written profile.
    covered: Vec<Covered>,
    /// To be generated.
    wanted: Vec<&'a Assignment>,
    /// Every assignment the portal listed.
    assigned: HashSet<(&'a str, &'a str)>,
}

impl SyncPlan {
    /// The plan for the session of `input`.
    pub fn new(input: &PlanInput<'_>) -> SyncPlan {
        let claims = Claims::of(input);
        let sorted = sort_assignments(input.discovery, &claims);
        let (regions, unused_rules) = regions(&sorted.wanted, input.settings);
        let (mut profiles, collisions) = generate(input, &claims, &sorted.wanted, &regions);
        let (stale, unknown) = keep_old(input, &claims, &sorted.assigned, &mut profiles);
        let generated_elsewhere = collisions
            .iter()
            .filter_map(|c| match c {
                Collision::Taken { wanted, .. } => claims.elsewhere.get_key_value(wanted),
                Collision::Shared { .. } => None,
            })
            .map(|(name, session)| (name.clone(), session.clone()))
            .collect();
        SyncPlan {
            session: input.session.name.clone(),
            profiles: profiles.into_iter().collect(),
            collisions,
            generated_elsewhere,
            covered: sorted.covered,
            stale,
            unknown,
            skipped: input.discovery.skipped.clone(),
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

impl Claims {
    /// The names of every profile outside this session's block, of the
    /// credentials file, and `default`; and the assignments of the
    /// hand-written profiles that point at this session (its
    /// `sso_session`, or its start URL as a legacy profile).
    fn of(input: &PlanInput<'_>) -> Claims {
        let session = input.session;
        let mut taken: HashSet<String> = HashSet::from(["default".to_owned()]);
        let mut users: HashMap<(String, String), String> = HashMap::new();
        let mut elsewhere: HashMap<String, String> = HashMap::new();
        for section in input.config.sections() {
            let Some(name) = section.kind.profile_name() else {
                continue;
            };
            if section.managed_by == Some(session.name.as_str()) {
                continue;
            }
            taken.insert(name.to_owned());
            if let Some(other) = section.managed_by {
                elsewhere.insert(name.to_owned(), other.to_owned());
            }
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
        for section in input.credentials.sections() {
            if section.header != "DEFAULT" {
                taken.insert(section.header.to_owned());
            }
        }
        Claims {
            taken,
            elsewhere,
            users,
        }
    }
}

/// Which assignments the user's profiles cover, and which are generated.
fn sort_assignments<'a>(discovery: &'a Discovery, claims: &Claims) -> Sorted<'a> {
    let mut sorted = Sorted {
        covered: Vec::new(),
        wanted: Vec::new(),
        assigned: HashSet::new(),
    };
    for a in &discovery.assignments {
        sorted.assigned.insert((&a.account_id, &a.role_name));
        match claims
            .users
            .get(&(a.account_id.clone(), a.role_name.clone()))
        {
            Some(profile) => sorted.covered.push(Covered {
                account_id: a.account_id.clone(),
                role_name: a.role_name.clone(),
                profile: profile.clone(),
            }),
            None => sorted.wanted.push(a),
        }
    }
    sorted
        .covered
        .sort_by(|a, b| (&a.account_id, &a.role_name).cmp(&(&b.account_id, &b.role_name)));
    sorted.covered.dedup();
    sorted
}

/// The region of each wanted assignment (the first rule that matches it,
/// else the sync's region), and the rules that set none.
fn regions<'a>(wanted: &[&Assignment], settings: &'a SyncSettings) -> (Vec<&'a str>, Vec<String>) {
    let rules = &settings.region_rules;
    let mut used = vec![false; rules.rules().len()];
    let regions = wanted
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
    let unused = (rules.rules().iter().zip(&used))
        .filter(|(_, used)| !**used)
        .map(|(rule, _)| rule.to_string())
        .collect();
    (regions, unused)
}

/// A named profile for every wanted assignment, with the names the user's
/// profiles have left free.
fn generate(
    input: &PlanInput<'_>,
    claims: &Claims,
    wanted: &[&Assignment],
    regions: &[&str],
) -> (BTreeMap<String, Entries>, Vec<Collision>) {
    let (session, settings) = (input.session, input.settings);
    let vars: Vec<Vars<'_>> = wanted
        .iter()
        .zip(regions)
        .map(|(a, region)| Vars {
            account_name: &a.account_name,
            account_id: &a.account_id,
            role_name: &a.role_name,
            session: &session.name,
            region,
        })
        .collect();
    let (named, collisions) =
        assign_names(&settings.template, &vars, &|n| claims.taken.contains(n));
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
    (profiles, collisions)
}

/// The block's old profiles whose assignment is gone (stale, unless
/// pruned) or unknown (their account could not be listed) go into
/// `profiles` as they were; returns their names.
fn keep_old(
    input: &PlanInput<'_>,
    claims: &Claims,
    assigned: &HashSet<(&str, &str)>,
    profiles: &mut BTreeMap<String, Entries>,
) -> (Vec<String>, Vec<String>) {
    // Whole accounts only: a role skipped says nothing of the others.
    let skipped_ids: HashSet<&str> = input
        .discovery
        .skipped
        .iter()
        .filter(|s| s.role_name.is_none())
        .map(|s| s.account_id.as_str())
        .collect();
    let (mut stale, mut unknown) = (Vec::new(), Vec::new());
    for old in existing(input.config, &input.session.name) {
        if profiles.contains_key(&old.name) || claims.taken.contains(&old.name) {
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
        } else if input.prune {
            continue;
        } else {
            stale.push(old.name.clone());
        }
        profiles.insert(old.name, old.entries);
    }
    (stale, unknown)
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
                    .filter(|(key, _)| Document::is_writable_key(key))
                    .cloned()
                    .collect(),
            })
        })
        .collect()
}

/// The account name as `badge_account_name` holds it: the portal let no
/// control character through, and an INI value keeps no outer spaces.
fn display_name(name: &str) -> String {
    name.trim().to_owned()
}

#[cfg(test)]
mod tests;
