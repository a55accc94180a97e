//! Concurrency: badge runs that edit one config at the same time never lose
//! each other's work, and a run that cannot get the lock in time changes
//! nothing.
//!
//! Every edit of the config takes one lock, re-reads the file under it and
//! replaces it atomically, so concurrent edits happen one after the other.
//! Each round here starts two `badge sync` runs (sso-sessions `acme` and
//! `other`, each against its own emulator, each also remembering a setting
//! in its own `[sso-session]` section) and a `badge session add gamma` at
//! once. Afterwards the three backups the round made say in which order the
//! edits went in; the same three commands run one by one in that order in a
//! second HOME must give the same bytes at every step. So every intermediate
//! version and the result are exactly what sequential runs give: nothing
//! lost, nothing half written.

mod support;

use badge_emulator as emulator;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use emulator::{Emulator, EmulatorOptions, Org};
use support::{Run, Sandbox, TOKEN_CACHE_ACME, TOKEN_CACHE_OTHER, run};

const LISTED: &str = "badge: listed ";
const LOCK_MESSAGE: &str = "another badge has been writing ";

/// The three edits of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Edit {
    SyncAcme,
    SyncOther,
    AddGamma,
}

impl Edit {
    const ALL: [Edit; 3] = [Edit::SyncAcme, Edit::SyncOther, Edit::AddGamma];

    fn args(self) -> &'static [&'static str] {
        match self {
            Edit::SyncAcme => &["sync", "--sso-session", "acme", "--region", "us-east-2"],
            Edit::SyncOther => &[
                "sync",
                "--sso-session",
                "other",
                "--template",
                "{session}.{account_id}.{role_name}",
            ],
            Edit::AddGamma => &[
                "session",
                "add",
                "gamma",
                "--start-url",
                "https://gamma.awsapps.com/start",
                "--region",
                "ap-southeast-2",
            ],
        }
    }

    /// Whether a version of the config has this edit in it.
    fn is_in(self, text: &str) -> bool {
        match self {
            Edit::SyncAcme => text.contains("# BEGIN badge sso-session=acme "),
            Edit::SyncOther => text.contains("# BEGIN badge sso-session=other "),
            Edit::AddGamma => text.contains("[sso-session gamma]"),
        }
    }
}

/// Two emulators, one per sso-session, and the config that names both.
struct Orgs {
    acme: Emulator,
    other: Emulator,
    config: String,
}

impl Orgs {
    fn start() -> Orgs {
        let emulator = |org: Org| {
            let mut options = EmulatorOptions::new(org);
            options.latency = Duration::from_millis(3);
            Emulator::start(options)
        };
        let acme = emulator(Org::generated(40, 3, true));
        let other = emulator(Org::generated(25, 2, false));
        let config = format!(
            "# AWS config of a test user\n[default]\nregion = eu-west-1\n\n\
             [sso-session acme]\nsso_start_url = {}\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile by-hand]\nsso_session = acme\nsso_account_id = 123456789012\n\
             sso_role_name = Custom\nregion = ap-south-1 ; mine\n\n\
             [sso-session other]\nsso_start_url = {}\nsso_region = us-east-1\n\n\
             ; the end of what I wrote\n",
            acme.start_url(),
            other.start_url()
        );
        Orgs {
            acme,
            other,
            config,
        }
    }

    /// A HOME with the config, signed in to both sessions.
    fn home(&self) -> Sandbox {
        let mut sandbox = Sandbox::new(&self.config);
        for (emu, cache, region) in [
            (&self.acme, TOKEN_CACHE_ACME, "eu-west-1"),
            (&self.other, TOKEN_CACHE_OTHER, "us-east-1"),
        ] {
            let token = emu.mint_token();
            sandbox.write(
                &format!(".aws/sso/cache/{cache}.json"),
                token.cache_file_json(&emu.start_url(), region),
            );
        }
        sandbox
            .set_env("BADGE_PORTAL_RATE", "0")
            .set_env("BADGE_LOCK_TIMEOUT_SECS", "60");
        sandbox
    }

    /// `badge` for `edit`, pointed at the emulator of its session.
    fn command(&self, sandbox: &Sandbox, edit: Edit) -> Command {
        let mut cmd = sandbox.badge();
        cmd.args(edit.args());
        let emu = match edit {
            Edit::SyncOther => &self.other,
            _ => &self.acme,
        };
        cmd.envs(emu.env());
        cmd
    }
}

/// The versions that running the edits one by one gives, by the order
/// they ran in; computed once per order, in a HOME of their own.
struct Sequential<'a> {
    orgs: &'a Orgs,
    sandbox: Sandbox,
    after: BTreeMap<Vec<Edit>, Vec<u8>>,
}

impl Sequential<'_> {
    fn version(&mut self, order: &[Edit]) -> Vec<u8> {
        if order.is_empty() {
            return self.orgs.config.clone().into_bytes();
        }
        if let Some(bytes) = self.after.get(order) {
            return bytes.clone();
        }
        let before = self.version(&order[..order.len() - 1]);
        std::fs::write(self.sandbox.config_path(), &before).unwrap();
        let edit = order[order.len() - 1];
        let alone = run(
            self.orgs.command(&self.sandbox, edit),
            format!("{edit:?} alone"),
        );
        assert!(alone.status.success(), "{}", alone.report());
        let bytes = std::fs::read(self.sandbox.config_path()).unwrap();
        self.after.insert(order.to_vec(), bytes.clone());
        bytes
    }
}

/// A badge run under way, its stderr read as it comes.
struct Started {
    what: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
}

impl Started {
    fn new(mut cmd: Command, what: String) -> Started {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start badge");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Started {
            what,
            child,
            lines,
            reader,
            seen: Vec::new(),
        }
    }

    /// Waits for the line a sync prints just before it takes the lock.
    fn wait_for_listing(&mut self) {
        while !self.seen.iter().any(|l| l.starts_with(LISTED)) {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => self.seen.push(line),
                Err(err) => panic!("{}: no listing line ({err:?}): {:?}", self.what, self.seen),
            }
        }
    }

    fn still_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for it to end; it must succeed.
    fn finish(mut self) -> String {
        let status = self.child.wait().unwrap();
        self.reader.join().unwrap();
        self.seen.extend(self.lines.try_iter());
        let stderr = self.seen.join("\n");
        assert!(status.success(), "{} failed: {status}\n{stderr}", self.what);
        stderr
    }
}

/// The lock file of the one config of `sandbox`.
fn lock_file(sandbox: &Sandbox) -> PathBuf {
    let dir = sandbox.home().join(".local/state/badge/locks");
    let locks: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(locks.len(), 1, "{locks:?}");
    locks[0].clone()
}

/// The backups of the one config of `sandbox`: name → bytes.
fn backups(sandbox: &Sandbox) -> BTreeMap<String, Vec<u8>> {
    let root = sandbox.home().join(".local/state/badge/backups");
    let mut found = BTreeMap::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("config.") {
                found.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    found
}

/// badge's temporary files anywhere in the sandbox.
fn temp_files(sandbox: &Sandbox) -> Vec<PathBuf> {
    sandbox
        .files_named(".")
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.contains(".badge-") && name.ends_with(".tmp")
        })
        .collect()
}

/// Every file under HOME with its mode and bytes (symlinks as their text).
fn snapshot(sandbox: &Sandbox) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    fn walk(dir: &Path, found: &mut BTreeMap<PathBuf, (u32, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode();
            if meta.is_dir() {
                found.insert(path.clone(), (mode, Vec::new()));
                walk(&path, found);
            } else if meta.file_type().is_symlink() {
                let text = std::fs::read_link(&path).unwrap();
                found.insert(path, (0, text.into_os_string().into_encoded_bytes()));
            } else {
                found.insert(path.clone(), (mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(sandbox.home(), &mut found);
    found
}

/// botocore's profiles: name → sso_session (or "").
fn botocore_profiles(sandbox: &Sandbox) -> BTreeMap<String, String> {
    const SCRIPT: &str = r#"
import json, sys
import botocore.configloader
config = botocore.configloader.load_config(sys.argv[1])
print(json.dumps({
    "profiles": {n: p.get("sso_session", "") for n, p in config["profiles"].items()},
    "sessions": sorted(config.get("sso_sessions", {})),
}))
"#;
    let read: serde_json::Value =
        serde_json::from_str(&support::botocore_script(sandbox, SCRIPT, &[])).unwrap();
    let sessions: Vec<&str> = read["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(sessions, ["acme", "gamma", "other"]);
    serde_json::from_value(read["profiles"].clone()).unwrap()
}

/// How a round starts its three runs.
#[derive(Clone, Copy, Debug)]
enum Start {
    /// All three at once.
    Together,
    /// The syncs first; `session add` when the acme sync has listed its
    /// accounts, so it meets that sync's write.
    AddAtTheFirstWrite,
    /// The test holds the lock until all three wait for it.
    Queued,
}

#[test]
fn two_syncs_and_a_session_add_at_once_lose_nothing() {
    let orgs = Orgs::start();
    let sandbox = orgs.home();
    let mut sequential = Sequential {
        orgs: &orgs,
        sandbox: orgs.home(),
        after: BTreeMap::new(),
    };
    let initial = orgs.config.clone().into_bytes();
    let rounds = [
        Start::Together,
        Start::Queued,
        Start::AddAtTheFirstWrite,
        Start::Together,
        Start::Queued,
        Start::AddAtTheFirstWrite,
    ];
    let mut orders = BTreeMap::new();
    let started = Instant::now();
    for (round, start) in rounds.into_iter().enumerate() {
        let what = format!("round {round} ({start:?})");
        std::fs::write(sandbox.config_path(), &initial).unwrap();
        let backups_before = backups(&sandbox);
        let run_of =
            |edit: Edit| Started::new(orgs.command(&sandbox, edit), format!("{what}: {edit:?}"));

        let held = match start {
            // The lock file exists from the rounds before.
            Start::Queued => {
                let lock = File::open(lock_file(&sandbox)).unwrap();
                lock.lock().unwrap();
                Some(lock)
            }
            _ => None,
        };
        let mut runs = Vec::new();
        match start {
            Start::Together | Start::Queued => {
                for edit in [Edit::AddGamma, Edit::SyncAcme, Edit::SyncOther] {
                    runs.push(run_of(edit));
                }
            }
            Start::AddAtTheFirstWrite => {
                let mut acme = run_of(Edit::SyncAcme);
                let other = run_of(Edit::SyncOther);
                acme.wait_for_listing();
                runs.push(run_of(Edit::AddGamma));
                runs.push(acme);
                runs.push(other);
            }
        }
        if let Some(lock) = held {
            for sync in &mut runs[1..] {
                sync.wait_for_listing();
            }
            // Give `session add` time to reach the lock too; whether it
            // did or not, nothing can write while the lock is held.
            std::thread::sleep(Duration::from_millis(300));
            for waiting in &mut runs {
                assert!(
                    waiting.still_running(),
                    "{} ended while the lock was held",
                    waiting.what
                );
            }
            assert_eq!(
                std::fs::read(sandbox.config_path()).unwrap(),
                initial,
                "{what}: the config changed while the lock was held"
            );
            drop(lock);
        }
        for run in runs {
            run.finish();
        }

        // The order the edits went in, from the versions they replaced.
        let made: Vec<Vec<u8>> = backups(&sandbox)
            .into_iter()
            .filter(|(name, _)| !backups_before.contains_key(name))
            .map(|(_, bytes)| bytes)
            .collect();
        assert_eq!(made.len(), 3, "{what}: a backup per edit");
        let mut replaced: Vec<(usize, Vec<u8>)> = made
            .into_iter()
            .map(|bytes| {
                let text = String::from_utf8(bytes.clone()).unwrap();
                let edits = Edit::ALL.iter().filter(|e| e.is_in(&text)).count();
                (edits, bytes)
            })
            .collect();
        replaced.sort();
        let counts: Vec<usize> = replaced.iter().map(|(n, _)| *n).collect();
        assert_eq!(counts, [0, 1, 2], "{what}: each edit saw the one before");
        let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
        let first = *Edit::ALL
            .iter()
            .find(|e| e.is_in(&text(&replaced[1].1)))
            .unwrap();
        let second = *Edit::ALL
            .iter()
            .find(|e| **e != first && e.is_in(&text(&replaced[2].1)))
            .unwrap();
        let third = *Edit::ALL
            .iter()
            .find(|e| **e != first && **e != second)
            .unwrap();
        let order = [first, second, third];
        *orders.entry(order).or_insert(0) += 1;

        // Every version is what running them one by one gives.
        let result = std::fs::read(sandbox.config_path()).unwrap();
        for (step, bytes) in [&replaced[0].1, &replaced[1].1, &replaced[2].1, &result]
            .into_iter()
            .enumerate()
        {
            assert!(
                *bytes == sequential.version(&order[..step]),
                "{what}: after {:?} the config is not what running them one by one gives:\n{}",
                &order[..step],
                text(bytes)
            );
        }
        assert_eq!(temp_files(&sandbox), Vec::<PathBuf>::new(), "{what}");
        assert!(backups(&sandbox).len() <= 10, "{what}");
        let lock = File::open(lock_file(&sandbox)).unwrap();
        assert!(lock.try_lock().is_ok(), "{what}: the lock is free");
    }

    // The result is whole: botocore and badge read every profile of both
    // organisations, the hand-written one, and all three sessions.
    let profiles = botocore_profiles(&sandbox);
    let count = |session: &str| profiles.values().filter(|s| *s == session).count();
    assert_eq!(count("acme"), orgs.acme.org().assignment_count() + 1);
    assert_eq!(count("other"), orgs.other.org().assignment_count());
    assert!(profiles.contains_key("by-hand"));
    let ls = run(
        {
            let mut cmd = sandbox.badge();
            cmd.args(["ls", "--json"]);
            cmd
        },
        "badge ls --json",
    );
    assert!(ls.status.success(), "{}", ls.report());
    let listed: Vec<serde_json::Value> = serde_json::from_str(&ls.stdout).unwrap();
    let names: BTreeSet<&str> = listed.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, profiles.keys().map(String::as_str).collect());
    eprintln!(
        "{} rounds in {:.1?}; orders seen: {orders:?}",
        rounds.len(),
        started.elapsed()
    );
}

#[test]
fn a_run_that_cannot_get_the_lock_says_so_and_changes_nothing() {
    let orgs = Orgs::start();
    let mut sandbox = orgs.home();
    // The config through a link, as dotfile managers make it.
    let real = sandbox.home().join("dotfiles/aws-config");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(sandbox.config_path(), &real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    symlink("../dotfiles/aws-config", sandbox.config_path()).unwrap();
    let badge =
        |sandbox: &Sandbox, edit: Edit| run(orgs.command(sandbox, edit), format!("{edit:?}"));
    let first = badge(&sandbox, Edit::SyncAcme);
    assert!(first.status.success(), "{}", first.report());

    let lock_path = lock_file(&sandbox);
    let lock = File::open(&lock_path).unwrap();
    lock.lock().unwrap();
    let before = snapshot(&sandbox);
    let config = sandbox.config_path();
    let expected = format!(
        "badge: {LOCK_MESSAGE}{} for 1s (lock {}); nothing was changed: run this again when it \
         is done, or wait longer with BADGE_LOCK_TIMEOUT_SECS=60",
        config.display(),
        lock_path.display()
    );
    sandbox.set_env("BADGE_LOCK_TIMEOUT_SECS", "1");
    let check = |sandbox: &Sandbox, blocked: &Run, expected: &str| {
        assert_eq!(blocked.code(), Some(1), "{}", blocked.report());
        assert!(blocked.stdout.is_empty(), "{}", blocked.report());
        // A sync says what it listed, then why it stops; nothing else.
        let lines: Vec<&str> = blocked
            .stderr
            .lines()
            .filter(|l| !l.starts_with(LISTED))
            .collect();
        assert_eq!(lines, [expected], "{}", blocked.report());
        assert!(
            snapshot(sandbox) == before,
            "{} changed a file:\n{}",
            blocked.what,
            blocked.report()
        );
    };
    // Every writer waits for the same lock, and gives up after the time
    // it was given (at least that long: it waited, it did not just fail).
    for edit in Edit::ALL {
        let started = Instant::now();
        let blocked = badge(&sandbox, edit);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{}",
            blocked.report()
        );
        check(&sandbox, &blocked, &expected);
    }
    // Naming the config by its real path takes the same lock.
    sandbox.set_env("AWS_CONFIG_FILE", &real);
    sandbox.set_env("BADGE_LOCK_TIMEOUT_SECS", "0");
    let blocked = badge(&sandbox, Edit::AddGamma);
    check(
        &sandbox,
        &blocked,
        &expected
            .replace(&config.display().to_string(), &real.display().to_string())
            .replace(" for 1s ", " for 0s "),
    );
    sandbox.remove_env("AWS_CONFIG_FILE");
    // A timeout that is not a number is refused before anything is done.
    sandbox.set_env("BADGE_LOCK_TIMEOUT_SECS", "soon");
    orgs.acme.reset_requests();
    let refused = badge(&sandbox, Edit::SyncAcme);
    check(
        &sandbox,
        &refused,
        "badge: BADGE_LOCK_TIMEOUT_SECS=\"soon\" is not a number of seconds; use e.g. \
         BADGE_LOCK_TIMEOUT_SECS=60, or unset it to wait 10s",
    );
    assert_eq!(orgs.acme.requests().portal(), 0, "no request was made");

    // Once the lock is free, the same runs work.
    drop(lock);
    sandbox.set_env("BADGE_LOCK_TIMEOUT_SECS", "1");
    for edit in Edit::ALL {
        let done = badge(&sandbox, edit);
        assert!(done.status.success(), "{}", done.report());
    }
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(Edit::ALL.iter().all(|e| e.is_in(&text)), "{text}");
    assert!(
        std::fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert!(temp_files(&sandbox).is_empty());
}
