//! Region rules of `badge sync` end to end: the binary in a temporary HOME
//! against the Identity Center emulator on 127.0.0.1, with the region of
//! every generated profile read back by botocore and by the AWS CLI v2
//! (`aws configure get region`).

mod support;

use badge_emulator as emulator;

use std::collections::BTreeMap;
use std::path::Path;

use emulator::{Account, Emulator, EmulatorOptions, Org};
use support::{Run, Sandbox, run};

/// `~/.aws/sso/cache/<sha1("acme")>.json`, as the AWS CLI names it.
const CACHE_FILE: &str = ".aws/sso/cache/293abb6b76d7791c0732cc517d38c4b5c734b87f.json";
const SSO_REGION: &str = "eu-west-1";

const PROD_US: &str = "111111111111";
const PROD_EU: &str = "222222222222";
const DEV: &str = "333333333333";
const SANDBOX: &str = "444444444444";

/// Four accounts, seven assignments, names in mixed case.
fn org() -> Org {
    Org::new(vec![
        Account::new(
            PROD_US,
            "prod-us",
            &["AdministratorAccess", "ReadOnlyAccess"],
        ),
        Account::new(PROD_EU, "Prod-EU", &["AdministratorAccess", "BillingAdmin"]),
        Account::new(DEV, "dev", &["AdministratorAccess", "ReadOnlyAccess"]),
        Account::new(SANDBOX, "sandbox", &["ReadOnlyAccess"]),
    ])
}

/// The rules of the first sync, and the region each assignment gets.
const RULES: [&str; 4] = [
    "account:prod-eu*=eu-central-1",
    "account:PROD-*=us-east-1",
    "role:*readonly*=ap-southeast-2",
    // Never used: `sandbox` only has a ReadOnly role, which the rule
    // before takes.
    "id:4444*=ca-central-1",
];
const REMEMBERED: &str = "badge_sync_region_rules = account:prod-eu*=eu-central-1 | \
     account:PROD-*=us-east-1 | role:*readonly*=ap-southeast-2 | id:4444*=ca-central-1";
const FIRST: [(&str, &str, &str); 7] = [
    (PROD_US, "AdministratorAccess", "us-east-1"),
    (PROD_US, "ReadOnlyAccess", "us-east-1"),
    (PROD_EU, "AdministratorAccess", "eu-central-1"),
    (PROD_EU, "BillingAdmin", "eu-central-1"),
    (DEV, "AdministratorAccess", "eu-north-1"),
    (DEV, "ReadOnlyAccess", "ap-southeast-2"),
    (SANDBOX, "ReadOnlyAccess", "ap-southeast-2"),
];

struct World {
    emu: Emulator,
    sandbox: Sandbox,
}

impl World {
    fn new() -> World {
        let emu = Emulator::start(EmulatorOptions::new(org()));
        let config = format!(
            "# AWS config of a test user\n[sso-session acme]\nsso_start_url = {}\n\
             sso_region = {SSO_REGION}\nsso_registration_scopes = sso:account:access\n",
            emu.start_url()
        );
        let mut sandbox = Sandbox::new(&config);
        sandbox.set_envs(emu.env());
        sandbox.set_env("BADGE_PORTAL_RATE", "400");
        let token = emu.mint_token();
        sandbox.write(
            CACHE_FILE,
            token.cache_file_json(&emu.start_url(), SSO_REGION),
        );
        World { emu, sandbox }
    }

    fn badge(&self, args: &[&str]) -> Run {
        self.sandbox.run_badge(args)
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.sandbox.config_path()).unwrap()
    }

    /// `badge sync` with these region rules.
    fn sync_with(&self, extra: &[&str], rules: &[&str]) -> Run {
        let mut args = vec!["sync"];
        args.extend_from_slice(extra);
        for rule in rules {
            args.extend(["--region-rule", rule]);
        }
        self.badge(&args)
    }
}

/// botocore's view: (account id, role) → (profile name, region) of every
/// profile of sso-session acme, each also loaded through a
/// `botocore.session.Session`, whose scoped region must agree.
fn botocore_regions(sandbox: &Sandbox) -> BTreeMap<(String, String), (String, String)> {
    const SCRIPT: &str = r#"
import json, sys
import botocore.configloader, botocore.session
config = botocore.configloader.load_config(sys.argv[1])
out = []
for name, p in config["profiles"].items():
    if p.get("sso_session") != "acme":
        continue
    session = botocore.session.Session(profile=name)
    assert session.get_config_variable("region") == p["region"], name
    out.append([p["sso_account_id"], p["sso_role_name"], name, p["region"]])
print(json.dumps(out))
"#;
    let rows: Vec<[String; 4]> =
        serde_json::from_str(&support::botocore_script(sandbox, SCRIPT, &[]))
            .expect("JSON from the botocore script");
    let mut by_assignment = BTreeMap::new();
    for [account, role, name, region] in rows {
        let before = by_assignment.insert((account, role), (name, region));
        assert!(before.is_none(), "two profiles of one assignment");
    }
    by_assignment
}

/// Checks that botocore sees exactly `expected` (account, role, region), and
/// returns the profile names.
#[track_caller]
fn assert_regions(world: &World, expected: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let seen = botocore_regions(&world.sandbox);
    let regions: Vec<(&str, &str, &str)> = seen
        .iter()
        .map(|((a, r), (_, region))| (a.as_str(), r.as_str(), region.as_str()))
        .collect();
    assert_eq!(regions, expected, "\n{}", world.config());
    seen.into_values().collect()
}

/// `aws configure get region --profile NAME`, for each profile at once.
#[track_caller]
fn assert_aws_cli_regions(sandbox: &Sandbox, profiles: &[(String, String)]) {
    for (name, region) in profiles {
        let mut cmd = sandbox.command("/usr/bin/aws");
        cmd.args(["configure", "get", "region", "--profile", name])
            .env("AWS_CONFIG_FILE", sandbox.config_path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("PATH", "/usr/bin:/bin");
        let got = run(cmd, format!("aws configure get region --profile {name}"));
        assert!(got.status.success(), "{}", got.report());
        assert_eq!(got.stdout.trim(), region, "profile {name}");
    }
}

#[test]
fn rules_by_account_role_and_id_first_match_wins_and_are_remembered() {
    let world = World::new();
    let first = world.sync_with(&["--region", "eu-north-1"], &RULES);
    first.assert_success();
    assert_eq!(
        first.stderr_line("badge: sso-session acme: "),
        "badge: sso-session acme: 7 added, 0 changed, 0 removed, 0 kept"
    );
    // The rule that set no region is pointed out, and only that one.
    assert_eq!(
        first.stderr_line("badge: warning: region rule"),
        "badge: warning: region rule \"id:4444*=ca-central-1\" gave no profile its region \
         (it matches none, or an earlier rule wins)"
    );
    assert_eq!(first.stderr.matches("region rule").count(), 1);
    let text = world.config();
    assert!(
        text.contains(&format!(
            "sso_registration_scopes = sso:account:access\nbadge_sync_region = eu-north-1\n\
             {REMEMBERED}\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "[profile Prod-EU/BillingAdmin]\nsso_session = acme\nsso_account_id = 222222222222\n\
             sso_role_name = BillingAdmin\nregion = eu-central-1\nbadge_account_name = Prod-EU\n"
        ),
        "{text}"
    );
    let profiles = assert_regions(&world, &FIRST);
    if support::aws_cli_v2_available() {
        assert_aws_cli_regions(&world.sandbox, &profiles);
    }

    // The next sync needs no flags: the same bytes.
    let second = world.badge(&["sync"]);
    second.assert_success();
    assert_eq!(
        second.stderr_line("badge: sso-session acme: "),
        "badge: sso-session acme: 0 added, 0 changed, 0 removed, 7 kept"
    );
    assert_eq!(world.config(), text);

    // A new account that a remembered rule matches gets its region.
    world.emu.put_account(Account::new(
        "555555555555",
        "PROD-AP",
        &["AdministratorAccess"],
    ));
    let third = world.badge(&["sync"]);
    third.assert_success();
    assert_eq!(
        third.stderr_line("badge: sso-session acme: "),
        "badge: sso-session acme: 1 added, 0 changed, 0 removed, 7 kept"
    );
    let mut expected = FIRST.to_vec();
    expected.push(("555555555555", "AdministratorAccess", "us-east-1"));
    assert_regions(&world, &expected);
}

#[test]
fn changed_rules_show_in_a_dry_run_then_re_region_and_clear() {
    let world = World::new();
    world
        .sync_with(&["--region", "eu-north-1"], &RULES)
        .assert_success();
    let before = world.config();

    // A dry run shows the new regions as a diff and changes nothing.
    let new_rules = ["role:AdministratorAccess=sa-east-1"];
    let dry = world.sync_with(&["--dry-run"], &new_rules);
    dry.assert_success();
    assert_eq!(world.config(), before, "a dry run writes nothing");
    // prod-us/Admin, Prod-EU/Admin and dev/Admin go to sa-east-1; the
    // ReadOnly and Billing profiles fall back to the default region.
    for (old, new, count) in [
        ("us-east-1", "sa-east-1", 1),
        ("eu-central-1", "sa-east-1", 1),
        ("eu-north-1", "sa-east-1", 1),
        ("us-east-1", "eu-north-1", 1),
        ("eu-central-1", "eu-north-1", 1),
        ("ap-southeast-2", "eu-north-1", 2),
    ] {
        let pair = format!("-region = {old}\n+region = {new}\n");
        assert_eq!(
            dry.stdout.matches(&pair).count(),
            count,
            "{old} -> {new}\n{}",
            dry.stdout
        );
    }
    assert!(
        dry.stdout.contains(&format!(
            "-{REMEMBERED}\n+badge_sync_region_rules = role:AdministratorAccess=sa-east-1\n"
        )),
        "{}",
        dry.stdout
    );
    assert_eq!(
        dry.stderr_line("badge: sso-session acme"),
        "badge: sso-session acme (dry run, nothing written): 0 added, 7 changed, 0 removed, 0 kept"
    );

    // The same for real.
    let real = world.sync_with(&[], &new_rules);
    real.assert_success();
    assert_eq!(
        real.stderr_line("badge: sso-session acme: "),
        "badge: sso-session acme: 0 added, 7 changed, 0 removed, 0 kept"
    );
    let admin_elsewhere = [
        (PROD_US, "AdministratorAccess", "sa-east-1"),
        (PROD_US, "ReadOnlyAccess", "eu-north-1"),
        (PROD_EU, "AdministratorAccess", "sa-east-1"),
        (PROD_EU, "BillingAdmin", "eu-north-1"),
        (DEV, "AdministratorAccess", "sa-east-1"),
        (DEV, "ReadOnlyAccess", "eu-north-1"),
        (SANDBOX, "ReadOnlyAccess", "eu-north-1"),
    ];
    let profiles = assert_regions(&world, &admin_elsewhere);
    if support::aws_cli_v2_available() {
        assert_aws_cli_regions(&world.sandbox, &profiles);
    }

    // `--region-rule ''` forgets them: every profile in the default region.
    let clear = world.sync_with(&[], &[""]);
    clear.assert_success();
    assert_eq!(
        clear.stderr_line("badge: sso-session acme: "),
        "badge: sso-session acme: 0 added, 3 changed, 0 removed, 4 kept"
    );
    let text = world.config();
    assert!(!text.contains("badge_sync_region_rules"), "{text}");
    let everywhere: Vec<_> = FIRST
        .iter()
        .map(|(a, r, _)| (*a, *r, "eu-north-1"))
        .collect();
    assert_regions(&world, &everywhere);
    let again = world.badge(&["sync"]);
    again.assert_success();
    assert_eq!(world.config(), text, "still forgotten");
}

#[test]
fn the_region_in_the_template_is_the_profiles_region() {
    let world = World::new();
    let sync = world.sync_with(
        &["--template", "{region}.{account_name}.{role_name}"],
        &["role:BillingAdmin=us-east-1"],
    );
    sync.assert_success();
    let profiles = assert_regions(
        &world,
        &[
            (PROD_US, "AdministratorAccess", SSO_REGION),
            (PROD_US, "ReadOnlyAccess", SSO_REGION),
            (PROD_EU, "AdministratorAccess", SSO_REGION),
            (PROD_EU, "BillingAdmin", "us-east-1"),
            (DEV, "AdministratorAccess", SSO_REGION),
            (DEV, "ReadOnlyAccess", SSO_REGION),
            (SANDBOX, "ReadOnlyAccess", SSO_REGION),
        ],
    );
    for (name, region) in &profiles {
        assert!(
            name.starts_with(&format!("{region}.")),
            "{name} in {region}"
        );
    }
    assert!(
        profiles
            .iter()
            .any(|(n, _)| n == "us-east-1.Prod-EU.BillingAdmin")
    );

    // Another rule renames the profile with its region.
    let moved = world.sync_with(&[], &["role:BillingAdmin=ap-northeast-1"]);
    moved.assert_success();
    assert_eq!(
        moved.stderr_line("badge: renamed "),
        "badge: renamed \"us-east-1.Prod-EU.BillingAdmin\" to \"ap-northeast-1.Prod-EU.BillingAdmin\""
    );
}

/// The error lines that `docs/errors.md` shows.
fn documented() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bad_rules_are_refused_before_any_request_and_change_nothing() {
    let world = World::new();
    world
        .sync_with(&[], &["account:prod-*=us-east-1"])
        .assert_success();
    let before = world.config();
    let backups = world.sandbox.files_named("config.").len();
    let shape = "write KIND:GLOB=REGION with KIND account, id or role, \
                 like account:prod-*=us-east-1";
    let cases = [
        (
            "account:prod",
            format!("region rule \"account:prod\" has no =REGION; {shape}"),
        ),
        (
            "team:prod=us-east-1",
            format!(
                "region rule \"team:prod=us-east-1\" does not start with account:, id: or role:; \
                 {shape}"
            ),
        ),
        (
            "prod-*=us-east-1",
            format!(
                "region rule \"prod-*=us-east-1\" does not start with account:, id: or role:; \
                 {shape}"
            ),
        ),
        (
            "role:=us-east-1",
            format!(
                "region rule \"role:=us-east-1\" has no pattern between : and =; {shape} \
                 (* matches all)"
            ),
        ),
        (
            "account:prod-*=Virginia",
            "region rule \"account:prod-*=Virginia\": \"Virginia\" is not an AWS region name \
             (like eu-west-1)"
                .to_owned(),
        ),
        (
            "account:a|b=us-east-1",
            "region rule \"account:a|b=us-east-1\" holds a '|', which separates the rules where \
             badge remembers them; match it with ? instead"
                .to_owned(),
        ),
    ];
    let docs = documented();
    for (rule, message) in cases {
        world.emu.reset_requests();
        // Also after a good rule: one bad rule stops the whole run.
        let bad = world.sync_with(&[], &["role:Admin*=eu-west-2", rule]);
        assert_eq!(bad.code(), Some(1), "{}", bad.report());
        let expected = format!("badge: {message}");
        assert_eq!(bad.stderr, format!("{expected}\n"), "{}", bad.report());
        assert!(bad.stdout.is_empty());
        assert!(
            docs.contains(&expected),
            "docs/errors.md does not show this line:\n{expected}"
        );
        assert_eq!(world.emu.requests().portal(), 0, "{rule}");
        assert_eq!(world.config(), before, "{rule}");
        // A dry run refuses it the same way.
        let dry = world.sync_with(&["--dry-run"], &[rule]);
        assert_eq!(dry.stderr, format!("{expected}\n"), "{}", dry.report());
    }
    assert_eq!(world.sandbox.files_named("config.").len(), backups);

    // A bad rule written into the section by hand is refused too, with
    // what to do.
    let edited = before.replace(
        "badge_sync_region_rules = account:prod-*=us-east-1",
        "badge_sync_region_rules = account:prod-*=us-east-1 | prod=eu-west-1",
    );
    assert_ne!(edited, before);
    std::fs::write(world.sandbox.config_path(), &edited).unwrap();
    world.emu.reset_requests();
    let bad = world.badge(&["sync"]);
    assert_eq!(bad.code(), Some(1), "{}", bad.report());
    let expected = format!(
        "badge: [sso-session acme] remembers badge_sync_region_rules = \
         account:prod-*=us-east-1 | prod=eu-west-1, but region rule \"prod=eu-west-1\" does not \
         start with account:, id: or role:; {shape}; give new rules with \
         `badge sync --region-rule RULE`, or none with `--region-rule ''`"
    );
    assert_eq!(bad.stderr, format!("{expected}\n"), "{}", bad.report());
    assert!(
        docs.contains(&expected),
        "docs/errors.md does not show this line:\n{expected}"
    );
    assert_eq!(world.emu.requests().portal(), 0);
    assert_eq!(world.config(), edited);
    // New rules on the command line replace the broken ones.
    let fixed = world.sync_with(&[], &["account:prod-*=us-east-1"]);
    fixed.assert_success();
    assert!(
        world
            .config()
            .contains("badge_sync_region_rules = account:prod-*=us-east-1\n")
    );
}

#[test]
fn sync_help_shows_the_rules_with_examples() {
    let sandbox = Sandbox::new("");
    let mut cmd = sandbox.badge();
    cmd.args(["sync", "--help"]);
    let help = run(cmd, "badge sync --help");
    help.assert_success();
    for text in [
        "--region-rule <RULE>",
        "badge sync --region-rule 'account:*-us=us-east-1'",
        "badge sync --region-rule ''",
        "{region} (the profile's region, after the rules)",
    ] {
        assert!(help.stdout.contains(text), "{text}\n{}", help.stdout);
    }
}
