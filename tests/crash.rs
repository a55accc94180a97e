//! Crash safety: the real `badge sync`, killed with SIGKILL at random
//! moments of a run against the Identity Center emulator, never leaves the
//! config as anything but the old or the new version.
//!
//! The emulator answers slowly enough that a run lasts a while, and the
//! config is big enough (360 generated profiles and 1 MB of the user's
//! notes) that its write takes measurable time (milliseconds: two files of
//! a megabyte, each synced to the disk). Each trial restores the old
//! version, starts `badge sync --region us-east-2` (which rewrites every
//! generated profile) and kills it after a random delay, timed from one of
//! three moments: the start (a quarter of the trials: anywhere in the run),
//! the listing line it prints before it takes the lock (a quarter: the
//! planning, the write and the end), or the moment the test sees the write
//! begin, a new entry in the backup folder (half: anywhere in the write,
//! whose length the unkilled runs measured). Where a kill landed is read
//! from what it left (its stderr, a new backup, a temporary file, the
//! config's bytes), not from the clock, so a loaded machine changes the
//! counts, not the verdict. The trials go on until at least 50 kills
//! landed, 10 of them during the write.
//!
//! After every kill: the config is byte for byte the old or the new version
//! (both read by `badge ls` and botocore), the symlink and the mode are
//! kept, the lock is free, the only temporary files are the killed
//! process's own, and the backups are complete private copies of earlier
//! versions. Then the next run (every third one a full sync, which must give
//! exactly the new version, the others a `badge session add`, which must
//! change exactly its line) works and leaves no temporary file anywhere.
//!
//! `BADGE_CRASH_SEED=N` replays the kill delays of a run (where they land
//! still depends on the machine); the seed is printed first, and is in the
//! message of every check that fails after a kill.

mod support;

use badge_emulator as emulator;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use emulator::{Emulator, EmulatorOptions, Org};
use support::{Rng, Run, Sandbox};

const ACCOUNTS: usize = 120;
const ROLES: usize = 3;
const LATENCY: Duration = Duration::from_millis(2);
/// Kills that must land, at least; the run goes on until enough of them
/// hit the write too.
const KILLS: usize = 50;
/// Kills that must land while the write is under way.
const KILLS_IN_WRITE: usize = 10;
/// Trials at most, before the test gives up on hitting the write.
const MAX_TRIALS: usize = 160;
/// Lines of the user's notes below the profiles, and their width.
const NOTES: usize = 250;
const NOTE_WIDTH: usize = 4000;
const REGION: &str = "eu-west-1";
/// `~/.aws/sso/cache/<sha1("acme")>.json`.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
/// The config's real file, which `~/.aws/config` links to.
const REAL: &str = "dotfiles/aws-config";
const LINK_TEXT: &str = "../dotfiles/aws-config";
const MODE: u32 = 0o640;
const LISTED: &str = "badge: listed ";
const SYNC_NEW: [&str; 3] = ["sync", "--region", "us-east-2"];
/// How often the test looks for the write to begin.
const POLL: Duration = Duration::from_micros(500);

/// What a kill is timed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Aim {
    /// The start: a moment of the whole run.
    Run,
    /// The listing line: a moment of what follows the network part.
    Listing,
    /// The moment the test saw the write begin (a new entry in the backup
    /// folder): a moment of the write.
    Write,
}

/// Where a kill landed, from what the killed run left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Landed {
    /// Before the listing line: starting, reading, on the network.
    Network,
    /// After the listing, before any byte was written: under the lock,
    /// reading and planning.
    Planning,
    /// The backup's temporary file was being written.
    WritingBackup,
    /// The backup was complete; the config's temporary file not begun.
    BackedUp,
    /// The config's temporary file was being written, or written and not
    /// yet renamed.
    WritingConfig,
    /// The config was replaced; the run had not exited yet.
    Replaced,
}

impl Landed {
    fn writing(self) -> bool {
        matches!(
            self,
            Landed::WritingBackup | Landed::BackedUp | Landed::WritingConfig
        )
    }
}

struct World {
    _emulator: Emulator,
    sandbox: Sandbox,
    seed: u64,
}

impl World {
    fn new(seed: u64) -> World {
        let mut options = EmulatorOptions::new(Org::generated(ACCOUNTS, ROLES, true));
        options.latency = LATENCY;
        let emu = Emulator::start(options);
        let config = format!(
            "# AWS config of a test user\n[default]\nregion = {REGION}\n\n\
             [sso-session acme]\nsso_start_url = {}\nsso_region = {REGION}\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile mine]\nregion = us-west-2 ; a comment\n",
            emu.start_url()
        );
        // Notes the user keeps in the file: they make the write long
        // enough to be hit, and must survive every kill too.
        let mut config = config;
        for i in 0..NOTES {
            config.push_str(&format!("# note {i:05} {}\n", "x".repeat(NOTE_WIDTH)));
        }
        let mut sandbox = Sandbox::new("");
        // The config lives elsewhere (as dotfile managers do it), not
        // world-readable; both must survive every kill.
        let real = sandbox.write(REAL, &config);
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(MODE)).unwrap();
        std::fs::remove_file(sandbox.config_path()).unwrap();
        symlink(LINK_TEXT, sandbox.config_path()).unwrap();
        sandbox.set_envs(emu.env());
        // No pacing: the emulator does not throttle.
        sandbox.set_env("BADGE_PORTAL_RATE", "0");
        sandbox.set_env("BADGE_LOCK_TIMEOUT_SECS", "60");
        let token = emu.mint_token();
        sandbox.write(CACHE_FILE, token.cache_file_json(&emu.start_url(), REGION));
        World {
            _emulator: emu,
            sandbox,
            seed,
        }
    }

    fn real(&self) -> PathBuf {
        self.sandbox.home().join(REAL)
    }

    fn config(&self) -> Vec<u8> {
        std::fs::read(self.real()).unwrap()
    }

    fn badge(&self, args: &[&str]) -> Run {
        self.sandbox.run_badge(args)
    }

    fn backups_dir(&self) -> PathBuf {
        let dir = self.sandbox.home().join(".local/state/badge/backups");
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|e| e.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(
            entries.len() <= 1,
            "one config, one backup folder: {entries:?}"
        );
        entries.pop().unwrap_or(dir.join("none-yet"))
    }

    fn lock_file(&self) -> PathBuf {
        let dir = self.sandbox.home().join(".local/state/badge/locks");
        let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(entries.len(), 1, "one config, one lock: {entries:?}");
        entries[0].clone()
    }
}

/// The names in the backup folder.
fn backup_names(world: &World) -> HashSet<String> {
    std::fs::read_dir(world.backups_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Files whose name says they are badge's temporary files, anywhere in the
/// sandbox.
fn temp_files(sandbox: &Sandbox) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = sandbox
        .files_named(".")
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.contains(".badge-") && name.ends_with(".tmp")
        })
        .collect();
    found.sort();
    found
}

/// The known versions of the config, by content.
struct Versions {
    named: Vec<(&'static str, Vec<u8>)>,
}

impl Versions {
    fn name_of(&self, bytes: &[u8]) -> Option<&'static str> {
        self.named
            .iter()
            .find(|(_, v)| v == bytes)
            .map(|(name, _)| *name)
    }
}

/// botocore's profile count for the config, or a failure with its error.
fn botocore_profile_count(sandbox: &Sandbox) -> usize {
    const SCRIPT: &str = r#"
import sys
import botocore.configloader, botocore.session
config = botocore.configloader.load_config(sys.argv[1])
profiles = config["profiles"]
for name, p in profiles.items():
    if p.get("sso_session") == "acme":
        scoped = botocore.session.Session(profile=name).get_scoped_config()
        assert scoped["sso_account_id"] == p["sso_account_id"], name
        break
print(len(profiles))
"#;
    support::botocore_script(sandbox, SCRIPT, &[])
        .trim()
        .parse()
        .unwrap()
}

/// A `badge sync` under way, its stderr read line by line as it comes.
struct Running {
    child: std::process::Child,
    started: Instant,
    lines: mpsc::Receiver<(Instant, String)>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
    /// When the listing line came.
    listed: Option<Instant>,
}

impl Running {
    fn start(world: &World, args: &[&str]) -> Running {
        let mut cmd = world.sandbox.badge();
        cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd.spawn().expect("start badge");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            started,
            lines,
            reader,
            seen: Vec::new(),
            listed: None,
        }
    }

    /// When the listing line came, or `None` if the run ended without it.
    fn wait_for_listing(&mut self) -> Option<Instant> {
        while self.listed.is_none() {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok((at, line)) => {
                    if line.starts_with(LISTED) {
                        self.listed = Some(at);
                    }
                    self.seen.push(line);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("badge printed nothing for 60s: {:?}", self.seen)
                }
            }
        }
        self.listed
    }

    /// When a new entry appeared in the backup folder `dir` (a backup's
    /// temporary file, or the backup): the write has begun. `None` if the
    /// run ended first.
    fn wait_for_write(&mut self, dir: &Path, known: &HashSet<String>) -> Option<Instant> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let names = std::fs::read_dir(dir).into_iter().flatten().flatten();
            if names
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .any(|name| name != "SOURCE" && !known.contains(&name))
            {
                return Some(Instant::now());
            }
            if self.child.try_wait().unwrap().is_some() {
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "no write for 60s: {:?}",
                self.seen
            );
            std::thread::sleep(POLL);
        }
    }

    /// When the file at `path` stopped being the inode `ino`: the rename.
    fn wait_for_rename(&mut self, path: &Path, ino: u64) -> Option<Instant> {
        loop {
            if std::fs::metadata(path).unwrap().ino() != ino {
                return Some(Instant::now());
            }
            if self.child.try_wait().unwrap().is_some() {
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Kills it (if it still runs) and returns whether the signal ended it,
    /// and everything it printed.
    fn kill(mut self) -> (bool, String, u32) {
        let pid = self.child.id();
        let _ = self.child.kill();
        let status = self.child.wait().unwrap();
        self.reader.join().unwrap();
        self.seen
            .extend(self.lines.try_iter().map(|(_, line)| line));
        let killed = status.signal() == Some(9);
        assert!(
            killed || status.success(),
            "badge failed on its own: {status}\n{}",
            self.seen.join("\n")
        );
        (killed, self.seen.join("\n"), pid)
    }

    /// Lets it finish; returns whether it succeeded, how long it took, when
    /// it listed, and its stderr.
    fn finish(mut self) -> (bool, Duration, Option<Duration>, String) {
        let listed = self.wait_for_listing().map(|at| at - self.started);
        let status = self.child.wait().unwrap();
        let took = self.started.elapsed();
        self.reader.join().unwrap();
        self.seen
            .extend(self.lines.try_iter().map(|(_, line)| line));
        let stderr = format!("exit: {status}\n{}", self.seen.join("\n"));
        (status.success(), took, listed, stderr)
    }
}

/// How long the last unkilled syncs took, for timing the kills.
#[derive(Default)]
struct Timing {
    /// (whole run, after the listing line, writing), newest last.
    runs: Vec<(Duration, Duration, Duration)>,
}

impl Timing {
    /// The median of the last five runs, for each part.
    fn recent(&self) -> (Duration, Duration, Duration) {
        let last = &self.runs[self.runs.len().saturating_sub(5)..];
        let median = |part: fn(&(Duration, Duration, Duration)) -> Duration| {
            let mut all: Vec<Duration> = last.iter().map(part).collect();
            all.sort();
            all.get(all.len() / 2)
                .copied()
                .unwrap_or(Duration::from_secs(1))
        };
        (median(|r| r.0), median(|r| r.1), median(|r| r.2))
    }
}

/// Runs `badge sync --region us-east-2` to its end, measuring it when it
/// writes; returns whether it succeeded and its stderr.
fn measured_sync(world: &World, timing: &mut Timing) -> (bool, String) {
    let ino = std::fs::metadata(world.real()).unwrap().ino();
    let known = backup_names(world);
    let mut running = Running::start(world, &SYNC_NEW);
    // Looking for the write only from the listing line on keeps the test
    // from taking the processor from badge meanwhile.
    running.wait_for_listing();
    let began = running.wait_for_write(&world.backups_dir(), &known);
    let renamed = began.and_then(|_| running.wait_for_rename(&world.real(), ino));
    let (ok, took, listed, stderr) = running.finish();
    if let (Some(began), Some(renamed), Some(listed)) = (began, renamed, listed) {
        timing
            .runs
            .push((took, took.saturating_sub(listed), renamed - began));
    }
    (ok, stderr)
}

/// Everything a kill may leave, checked; returns where it landed.
struct Check<'a> {
    world: &'a World,
    versions: &'a Versions,
    what: String,
}

impl Check<'_> {
    #[track_caller]
    fn fail(&self, message: String) -> ! {
        panic!(
            "{message}\n(trial: {}; seed {}: BADGE_CRASH_SEED={} replays these kill delays)",
            self.what, self.world.seed, self.world.seed
        )
    }

    /// The link, its target's mode, and which version the target holds.
    fn config(&self) -> &'static str {
        let link = self.world.sandbox.config_path();
        match std::fs::read_link(&link) {
            Ok(text) if text == Path::new(LINK_TEXT) => {}
            other => self.fail(format!("~/.aws/config is no longer the link: {other:?}")),
        }
        let mode = std::fs::metadata(self.world.real())
            .unwrap()
            .permissions()
            .mode()
            & 0o7777;
        if mode != MODE {
            self.fail(format!("the config's mode is {mode:o}, not {MODE:o}"));
        }
        let bytes = self.world.config();
        match self.versions.name_of(&bytes) {
            Some(name @ ("old" | "new")) => name,
            other => self.fail(format!(
                "the config is neither the old nor the new version ({other:?}, {} bytes)",
                bytes.len()
            )),
        }
    }

    /// badge's temporary files; all must be `pid`'s (none for `None`).
    fn temps(&self, pid: Option<u32>) -> Vec<PathBuf> {
        let temps = temp_files(&self.world.sandbox);
        for temp in &temps {
            let name = temp.file_name().unwrap().to_string_lossy();
            let ours = pid.is_some_and(|pid| name.contains(&format!(".badge-{pid}-")));
            if !ours {
                self.fail(format!(
                    "a temporary file is left behind: {}",
                    temp.display()
                ));
            }
        }
        temps
    }

    /// The backups: complete, private copies of known versions, at most
    /// `most` of them, and a SOURCE naming the config. Returns their names.
    fn backups(&self, most: usize) -> HashSet<String> {
        let dir = self.world.backups_dir();
        let mut names = HashSet::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return names;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path()).unwrap();
            if name == "SOURCE" {
                let real = std::fs::canonicalize(self.world.real()).unwrap();
                let want = format!("{}\n", real.display());
                if bytes != want.as_bytes() {
                    self.fail(format!("SOURCE says {:?}", String::from_utf8_lossy(&bytes)));
                }
            } else if name.starts_with("config.") {
                if self.versions.name_of(&bytes).is_none() {
                    self.fail(format!("the backup {name} is no version of the config"));
                }
                let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
                if mode != 0o600 {
                    self.fail(format!("the backup {name} has mode {mode:o}"));
                }
                names.insert(name);
            } else if !name.starts_with('.') {
                self.fail(format!("an unknown file among the backups: {name}"));
            }
        }
        if names.len() > most {
            self.fail(format!("{} backups, more than {most}", names.len()));
        }
        names
    }

    fn lock_is_free(&self) {
        let lock = std::fs::File::open(self.world.lock_file()).unwrap();
        if let Err(err) = lock.try_lock() {
            self.fail(format!("the lock is still held: {err:?}"));
        }
    }
}

/// What the trials saw.
#[derive(Default)]
struct Tally {
    landed: BTreeMap<Landed, usize>,
    /// Trials whose run had finished before the kill.
    finished: usize,
    /// Kills by what they were timed from and where they landed.
    by_aim: BTreeMap<(Aim, Landed), usize>,
    recoveries: usize,
}

impl Tally {
    fn kills(&self) -> usize {
        self.landed.values().sum()
    }

    fn in_write(&self) -> usize {
        self.landed
            .iter()
            .filter(|(l, _)| l.writing())
            .map(|(_, n)| n)
            .sum()
    }

    fn count(&self, landed: Landed) -> usize {
        self.landed.get(&landed).copied().unwrap_or(0)
    }

    fn enough(&self) -> bool {
        self.kills() >= KILLS
            && self.in_write() >= KILLS_IN_WRITE
            && [Landed::Network, Landed::Planning, Landed::WritingConfig]
                .iter()
                .all(|&l| self.count(l) > 0)
    }
}

#[test]
fn sync_killed_at_random_moments_leaves_the_old_or_the_new_config() {
    let seed = std::env::var("BADGE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("seed {seed} (BADGE_CRASH_SEED={seed} replays the kill delays)");
    let started = Instant::now();
    let world = World::new(seed);
    let mut rng = Rng(seed);
    let initial = world.config();

    // The old version: a first sync. The new one: a sync with another
    // region, which changes every generated profile. Three unkilled runs
    // from the old version give the same new one, and say how long a run
    // and its write take.
    let first = world.badge(&["sync"]);
    assert!(first.status.success(), "{}", first.report());
    let old = world.config();
    let mut new = None;
    let mut timing = Timing::default();
    for _ in 0..3 {
        std::fs::write(world.real(), &old).unwrap();
        let (ok, stderr) = measured_sync(&world, &mut timing);
        assert!(ok && stderr.contains("badge: wrote"), "{stderr}");
        let bytes = world.config();
        assert!(
            new.as_ref().is_none_or(|n| *n == bytes),
            "sync is not deterministic"
        );
        new = Some(bytes);
    }
    let (run_time, after_listing, write_time) = timing.recent();
    let new = new.unwrap();
    assert_ne!(old, new);
    let versions = Versions {
        named: vec![
            ("initial", initial),
            ("old", old.clone()),
            ("new", new.clone()),
        ],
    };
    eprintln!(
        "config: {} bytes old, {} new; an unkilled run takes {run_time:.1?}, {after_listing:.1?} \
         of it after the listing line, {write_time:.1?} of it writing",
        old.len(),
        new.len()
    );

    // Both versions read by badge and by botocore: the same number of
    // profiles, every generated one.
    let mut profiles = BTreeMap::new();
    for (name, bytes) in [("old", &old), ("new", &new)] {
        std::fs::write(world.real(), bytes).unwrap();
        let ls = world.badge(&["ls", "--json"]);
        assert!(ls.status.success(), "{}", ls.report());
        let listed: Vec<serde_json::Value> = serde_json::from_str(&ls.stdout).unwrap();
        let boto = botocore_profile_count(&world.sandbox);
        assert_eq!(
            listed.len(),
            boto,
            "badge ls and botocore disagree on the {name} version"
        );
        assert!(
            boto > ACCOUNTS * ROLES,
            "{boto} profiles in the {name} version"
        );
        profiles.insert(name, boto);
    }

    // The trials.
    let mut tally = Tally::default();
    let mut trial = 0;
    while !tally.enough() && trial < MAX_TRIALS {
        trial += 1;
        std::fs::write(world.real(), &old).unwrap();
        let before = Check {
            world: &world,
            versions: &versions,
            what: format!("before trial {trial}"),
        }
        .backups(10);
        let known = backup_names(&world);

        let (run_time, after_listing, write_time) = timing.recent();
        let aim = match rng.unit() {
            x if x < 0.25 => Aim::Run,
            x if x < 0.5 => Aim::Listing,
            _ => Aim::Write,
        };
        let mut running = Running::start(&world, &SYNC_NEW);
        let (delay, mark) = match aim {
            Aim::Run => (
                rng.between(Duration::ZERO, run_time.mul_f64(1.1)),
                Some(running.started),
            ),
            Aim::Listing => (
                rng.between(Duration::ZERO, after_listing.mul_f64(1.1)),
                running.wait_for_listing(),
            ),
            Aim::Write => (
                rng.between(Duration::ZERO, write_time.mul_f64(1.3)),
                running
                    .wait_for_listing()
                    .and_then(|_| running.wait_for_write(&world.backups_dir(), &known)),
            ),
        };
        if let Some(mark) = mark {
            std::thread::sleep((mark + delay).saturating_duration_since(Instant::now()));
        }
        let (killed, stderr, pid) = running.kill();
        let check = Check {
            world: &world,
            versions: &versions,
            what: format!(
                "trial {trial}, killed{} {delay:?} after {}",
                if killed {
                    ""
                } else {
                    " (too late: it had finished)"
                },
                match aim {
                    Aim::Run => "the start",
                    Aim::Listing => "the listing line",
                    Aim::Write => "the write began",
                }
            ),
        };

        // What it left.
        let version = check.config();
        let temps = check.temps(Some(pid));
        let backups = check.backups(11);
        let new_backup = backups.difference(&before).count() > 0;
        let listed = stderr.lines().any(|l| l.starts_with(LISTED));
        // After the config, sync saves its record (for `badge doctor`): a
        // kill then may leave that temporary file, for the next run to remove.
        let records_dir = world.sandbox.home().join(".local/state/badge/synced");
        if version == "new" && temps.iter().any(|t| !t.starts_with(&records_dir)) {
            check.fail(format!("the config was replaced but {temps:?} is left"));
        }
        if version == "old" && stderr.contains("badge: wrote") {
            check.fail(format!(
                "badge said it wrote, but the config is the old one:\n{stderr}"
            ));
        }
        check.lock_is_free();
        let backups_dir = world.backups_dir();
        let landed = if version == "new" {
            Landed::Replaced
        } else if temps
            .iter()
            .any(|t| !t.starts_with(&backups_dir) && !t.starts_with(&records_dir))
        {
            Landed::WritingConfig
        } else if !temps.is_empty() {
            Landed::WritingBackup
        } else if new_backup {
            Landed::BackedUp
        } else if listed {
            Landed::Planning
        } else {
            Landed::Network
        };
        if !killed {
            if version != "new" {
                check.fail(format!(
                    "a finished run left the {version} version:\n{stderr}"
                ));
            }
            tally.finished += 1;
        } else {
            *tally.landed.entry(landed).or_default() += 1;
            *tally.by_aim.entry((aim, landed)).or_default() += 1;
        }

        // The next run works, removes what the killed one left, and keeps
        // the backups in order. Every third one is a full sync, which must
        // give exactly the new version; the others a quick edit.
        let check = Check {
            what: format!("{} (the run after it)", check.what),
            ..check
        };
        let scopes = format!("sso:account:access,trial-{trial}");
        let (ok, next) = if trial % 3 == 0 {
            measured_sync(&world, &mut timing)
        } else {
            let add = world.badge(&["session", "add", "acme", "--scopes", &scopes]);
            (add.status.success(), add.report())
        };
        if !ok {
            check.fail(format!("the next run failed:\n{next}"));
        }
        tally.recoveries += 1;
        let config = world.config();
        let expected = if trial % 3 == 0 {
            new.clone()
        } else {
            let was = versions.named.iter().find(|(n, _)| *n == version).unwrap();
            let text = String::from_utf8(was.1.clone()).unwrap();
            let line = "sso_registration_scopes = sso:account:access\n";
            assert_eq!(text.matches(line).count(), 1);
            text.replace(line, &format!("sso_registration_scopes = {scopes}\n"))
                .into_bytes()
        };
        if config != expected {
            check.fail(format!("the next run wrote something else:\n{next}"));
        }
        check.temps(None);
        check.backups(10);
        check.lock_is_free();
    }

    let took = started.elapsed();
    let aimed = |aim: Aim| -> String {
        let landed: Vec<String> = tally
            .by_aim
            .iter()
            .filter(|((a, _), _)| *a == aim)
            .map(|((_, l), n)| format!("{l:?} {n}"))
            .collect();
        landed.join(", ")
    };
    eprintln!(
        "{trial} trials in {took:.1?}: {} kills; before the write: {} on the network, {} planning \
         under the lock; during it: {} (backup half written {}, backup done {}, config's temporary \
         file {}); after the rename: {}. {} runs had finished before the kill. Kills timed from \
         the start: {}; from the listing line: {}; from the write's beginning: {}. {} next runs \
         all worked; botocore and badge ls read {profiles:?} profiles",
        tally.kills(),
        tally.count(Landed::Network),
        tally.count(Landed::Planning),
        tally.in_write(),
        tally.count(Landed::WritingBackup),
        tally.count(Landed::BackedUp),
        tally.count(Landed::WritingConfig),
        tally.count(Landed::Replaced),
        tally.finished,
        aimed(Aim::Run),
        aimed(Aim::Listing),
        aimed(Aim::Write),
        tally.recoveries,
    );
    assert!(
        tally.enough(),
        "after {trial} trials, too few kills landed where they must (seed {seed}): {} kills, {:?}",
        tally.kills(),
        tally.landed
    );
}
