//! The profiles a user can switch to.
//!
//! The same list `aws configure list-profiles` prints: the profiles of the
//! config file, then the sections of the credentials file that the config
//! file does not have. Completion and switching read it on every call, so
//! the list only points into the parsed files and a profile's fields are
//! read when asked for.

use std::fs;

use anyhow::Result;

use super::document::{Document, SectionId, key_eq};
use super::paths::Paths;
use super::pieces;

/// Which file names a profile first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Config,
    Credentials,
}

/// One profile and what badge shows about it, borrowed from the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub source: Source,
    pub sso_session: Option<&'a str>,
    /// `sso_account_id`.
    pub account_id: Option<&'a str>,
    /// `badge_account_name`, a key the AWS tools ignore.
    pub account_name: Option<&'a str>,
    /// `sso_role_name`.
    pub role_name: Option<&'a str>,
    pub region: Option<&'a str>,
    /// `sso_start_url`: a legacy SSO profile's own portal.
    pub sso_start_url: Option<&'a str>,
    /// The sso-session of the managed block the profile is in.
    pub generated_by: Option<&'a str>,
}

/// Where the Identity Center login of a profile is cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginKey<'a> {
    /// Under the name of its sso-session.
    Session(&'a str),
    /// Under the start URL of a legacy SSO profile.
    StartUrl(&'a str),
}

impl<'a> LoginKey<'a> {
    /// The token cache's key.
    pub fn key(self) -> &'a str {
        match self {
            LoginKey::Session(key) | LoginKey::StartUrl(key) => key,
        }
    }
}

/// Every profile, config file order first, each name once. It owns the
/// parsed files and hands out [`Profile`] views, so listing 10,000 profiles
/// copies no strings.
#[derive(Clone, Debug)]
pub struct Profiles {
    config: Document,
    credentials: Document,
    list: Vec<Listed>,
    /// Credentials sections named like a config profile: (place in `list`,
    /// section), in file order.
    overrides: Vec<(usize, SectionId)>,
}

/// Where a profile's name and fields are.
#[derive(Clone, Copy, Debug)]
struct Listed {
    source: Source,
    section: SectionId,
}

impl Profiles {
    /// Reads both files; a missing file has no profiles.
    pub fn load(paths: &Paths) -> Result<Profiles> {
        let config = Document::read(&paths.config)?;
        let credentials = Document::read(&paths.credentials)?;
        Ok(Profiles::from_documents(config, credentials))
    }

    /// The profiles of already parsed files. Like botocore, the last section
    /// of a profile gives its fields, and a credentials section of the same
    /// name overrides the fields it sets.
    /// The profiles whose names pass `keep` (and maybe others: every one in
    /// the credentials file), for a switch or a Tab that needs a few of many. A big config is read piece by piece (see
    /// [`pieces`]) and only the sections those profiles need are kept, so the
    /// work is the same but far less memory is touched. Everything reads as
    /// with [`Profiles::load`], except which managed block a profile is in
    /// (`generated_by` is `None`).
    ///
    /// `keep` must say no to every name that does not contain `needle`
    /// (case-insensitively for ASCII letters with `ignore_ascii_case`, and
    /// then `needle` is lower case): pieces of the file without it, nor a
    /// section every view needs, are not even parsed.
    pub fn load_matching(
        paths: &Paths,
        needle: &str,
        ignore_ascii_case: bool,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Profiles> {
        let mut kept = String::new();
        let visit = |piece: &Document| piece.extract_sections(&keep, &mut kept);
        if !read_big(paths, needle, ignore_ascii_case, visit)? {
            return Profiles::load(paths);
        }
        let config = Document::from_vec(kept.into_bytes());
        let credentials = Document::read(&paths.credentials)?;
        Ok(Profiles::from_documents(config, credentials))
    }

    /// The names [`Profiles::load_matching`] keeps, in the order of its
    /// view, each once, without building the view: a Tab in bash needs only
    /// these, and with hundreds of them the copy and second reading of
    /// their sections that the view takes cost more than finding them.
    /// `keep` and `needle` as for [`Profiles::load_matching`].
    pub fn names_matching(
        paths: &Paths,
        needle: &str,
        ignore_ascii_case: bool,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let visit = |piece: &Document| {
            let kept = piece.profile_sections().map(|(_, name)| name);
            names.extend(kept.filter(|n| keep(n)).map(str::to_owned));
        };
        if !read_big(paths, needle, ignore_ascii_case, visit)? {
            let profiles = Profiles::load(paths)?;
            let names = profiles.names().filter(|n| keep(n));
            return Ok(names.map(str::to_owned).collect());
        }
        let credentials = Document::read(&paths.credentials)?;
        let more = credentials.profile_headers().map(|(_, name)| name);
        names.extend(more.filter(|n| keep(n)).map(str::to_owned));
        Ok(first_of_each(names))
    }

    pub fn from_documents(config: Document, credentials: Document) -> Profiles {
        let mut list: Vec<Listed> = Vec::with_capacity(config.section_count());
        let mut overrides = Vec::new();
        let mut index = NameIndex::new(config.section_count() + credentials.section_count());
        let name_of = |listed: &Listed| match listed.source {
            Source::Config => config.profile_name_of(listed.section).unwrap_or_default(),
            Source::Credentials => credentials.header_of(listed.section).unwrap_or_default(),
        };
        for (section, name) in config.profile_sections() {
            let slot = index.find(name, |i| name_of(&list[i]));
            match index.get(slot) {
                Some(i) => list[i].section = section,
                None => {
                    index.set(slot, list.len());
                    list.push(Listed {
                        source: Source::Config,
                        section,
                    });
                }
            }
        }
        for (section, name) in credentials.profile_headers() {
            let slot = index.find(name, |i| name_of(&list[i]));
            match index.get(slot) {
                Some(i) if list[i].source == Source::Config => overrides.push((i, section)),
                Some(i) => list[i].section = section,
                None => {
                    index.set(slot, list.len());
                    list.push(Listed {
                        source: Source::Credentials,
                        section,
                    });
                }
            }
        }
        Profiles {
            config,
            credentials,
            list,
            overrides,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|listed| self.name(listed))
    }

    pub fn iter(&self) -> impl Iterator<Item = Profile<'_>> {
        (0..self.list.len()).map(|i| self.profile(i))
    }

    /// The profiles whose name `keep` accepts; only those are read.
    pub fn iter_where(&self, keep: impl Fn(&str) -> bool) -> impl Iterator<Item = Profile<'_>> {
        (0..self.list.len())
            .filter(move |&i| keep(self.name(&self.list[i])))
            .map(|i| self.profile(i))
    }

    pub fn get(&self, name: &str) -> Option<Profile<'_>> {
        let i = self
            .list
            .iter()
            .position(|listed| self.name(listed) == name)?;
        Some(self.profile(i))
    }

    /// Where `profile`'s login is cached; `None` for a profile that needs
    /// no SSO login.
    pub fn login_key<'a>(&'a self, profile: &Profile<'a>) -> Option<LoginKey<'a>> {
        if let Some(session) = profile.sso_session {
            return Some(LoginKey::Session(session));
        }
        // Read with the profile's other fields: looking the profile up by
        // name here made `badge ls` quadratic in hand-written profiles.
        profile.sso_start_url.map(LoginKey::StartUrl)
    }

    /// The `sso_start_url` of `[sso-session session]`.
    pub fn session_start_url(&self, session: &str) -> Option<&str> {
        let doc = &self.config;
        doc.get(doc.sso_session(session)?, "sso_start_url")
    }

    /// The parsed config file, for commands that go on to edit it.
    pub fn config(&self) -> &Document {
        &self.config
    }

    fn name(&self, listed: &Listed) -> &str {
        match listed.source {
            Source::Config => self
                .config
                .profile_name_of(listed.section)
                .unwrap_or_default(),
            Source::Credentials => self
                .credentials
                .header_of(listed.section)
                .unwrap_or_default(),
        }
    }

    fn profile(&self, i: usize) -> Profile<'_> {
        let listed = &self.list[i];
        let doc = match listed.source {
            Source::Config => &self.config,
            Source::Credentials => &self.credentials,
        };
        let mut found = fields(doc, listed.section);
        for &(_, section) in self.overrides.iter().filter(|(at, _)| *at == i) {
            for (field, value) in found.iter_mut().zip(fields(&self.credentials, section)) {
                *field = value.or(*field);
            }
        }
        let [
            sso_session,
            account_id,
            account_name,
            role_name,
            region,
            sso_start_url,
        ] = found;
        Profile {
            name: self.name(listed),
            source: listed.source,
            sso_session,
            account_id,
            account_name,
            role_name,
            region,
            sso_start_url,
            generated_by: doc.managed_by(listed.section),
        }
    }
}

/// The keys `fields` reads, in the order of `Profile`'s fields.
const KEYS: [&str; 6] = [
    "sso_session",
    "sso_account_id",
    "badge_account_name",
    "sso_role_name",
    "region",
    "sso_start_url",
];

fn fields(doc: &Document, id: SectionId) -> [Option<&str>; 6] {
    // One pass over the section instead of a lookup per key.
    let mut found: [Option<&str>; 6] = [None; 6];
    for (key, value) in doc.entries_of(id) {
        let known = if key.is_ascii() {
            // The length first: most keys differ from all of these in it.
            KEYS.iter()
                .position(|k| k.len() == key.len() && key.eq_ignore_ascii_case(k))
        } else {
            KEYS.iter().position(|k| key_eq(key, k))
        };
        if let Some(i) = known {
            found[i] = Some(value);
        }
    }
    if doc.has_defaults() {
        for (i, key) in KEYS.iter().enumerate() {
            found[i] = found[i].or_else(|| doc.get(id, key));
        }
    }
    found
}

/// Places in the list by name, for finding repeated names: open addressing
/// over a word-at-a-time hash, a quarter of the memory a `HashMap` of 10,000 names
/// takes (and memory first touched is what costs most here).
struct NameIndex {
    /// Place in the list plus one; zero is empty.
    slots: Vec<u32>,
}

impl NameIndex {
    fn new(names: usize) -> NameIndex {
        NameIndex {
            slots: vec![0; (names * 2).next_power_of_two().max(8)],
        }
    }

    /// The slot of `name`, or the empty slot where it goes.
    fn find<'a>(&self, name: &str, name_at: impl Fn(usize) -> &'a str) -> usize {
        let mask = self.slots.len() - 1;
        // Eight bytes a step (FxHash's mix), then the high bits, which the
        // multiplications mixed best.
        let mut hash: u64 = name.len() as u64;
        for chunk in name.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        let mut slot = (hash >> 32) as usize & mask;
        while let Some(i) = self.get(slot) {
            if name_at(i) == name {
                break;
            }
            slot = (slot + 1) & mask;
        }
        slot
    }

    fn get(&self, slot: usize) -> Option<usize> {
        (self.slots[slot] as usize).checked_sub(1)
    }

    fn set(&mut self, slot: usize, place: usize) {
        self.slots[slot] = place as u32 + 1;
    }
}

/// Reads a config bigger than a piece piece by piece, calling `visit` with
/// each part that may hold a profile whose name contains `needle` (see
/// [`pieces::Prefilter`]); `false`, and nothing read, for a smaller one,
/// which is read whole faster.
fn read_big(
    paths: &Paths,
    needle: &str,
    ignore_ascii_case: bool,
    visit: impl FnMut(&Document),
) -> Result<bool> {
    let small = fs::metadata(&paths.config).map_or(true, |m| m.len() <= pieces::PIECE as u64);
    if small {
        return Ok(false);
    }
    let mut prefilter = pieces::Prefilter::new(needle, ignore_ascii_case);
    let wanted = |piece: &[u8]| prefilter.may_hold(piece);
    pieces::for_each(&paths.config, pieces::PIECE, wanted, visit)?;
    Ok(true)
}

/// `names` without the repeats of a name, each where it first is (as a
/// view lists a profile that more than one section defines).
fn first_of_each(names: Vec<String>) -> Vec<String> {
    let mut index = NameIndex::new(names.len());
    let mut unique: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let slot = index.find(&name, |i| &unique[i]);
        if index.get(slot).is_none() {
            index.set(slot, unique.len());
            unique.push(name);
        }
    }
    unique
}

#[cfg(test)]
mod tests;
