//! `badge sync`: one profile per assigned account and role, in the managed
//! block of the sso-session.
//!
//! The network part runs first, without the lock (it can take a minute on
//! a big organisation); the plan is then made again on the file as it is
//! under the lock, so a `badge session add` that ran meanwhile is kept.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::Context;
use super::common::files::{
    check_before_writing_unless, check_written, config_writer, copied_out_of_its_block,
    load_profiles, read_config,
};
use super::common::prompt::login_mark;
use crate::base::text::{printable, quoted};
use crate::cli::SyncArgs;
use crate::config::document::Document;
use crate::config::sessions::{self, SsoSession};
use crate::config::strict::Refusal;
use crate::shell::{Script, hint, shell_word, vars};
use crate::sso::login_state::LoginStates;
use crate::sso::portal::{self, Discovery, PortalOptions, Progress};
use crate::sso::{client, login};
use crate::sync::diff;
use crate::sync::naming::Collision;
use crate::sync::plan::{PlanInput, Summary, SyncPlan};
use crate::sync::record::SyncRecord;
use crate::sync::settings::{SyncFlags, SyncSettings};
use crate::ui::say::command;
use crate::ui::say::say;

/// Names listed in one report line before "and N more".
const LISTED: usize = 10;

pub fn run(ctx: &Context, args: &SyncArgs) -> Result<ExitCode> {
    if args.all {
        return sync_all(ctx, args);
    }
    sync_one(ctx, args, args.sso_session.as_deref())
}

/// `badge sync --all`: every sso-session that is signed in, one after the
/// other, each with its own remembered settings into its own block; the
/// others are named with the command that signs them in. Exit 1 when one
/// failed, or when none was signed in.
fn sync_all(ctx: &Context, args: &SyncArgs) -> Result<ExitCode> {
    let cmd = command();
    let paths = ctx.paths()?;
    paths.check_files()?;
    let doc = read_config(&paths)?;
    let all = sessions::sessions(&doc);
    if all.is_empty() {
        bail!(
            "{} has no [sso-session] to sync; add one with `{cmd} session add NAME --start-url \
             URL --region REGION`",
            paths.config_shown()
        );
    }
    let cache = ctx.token_cache()?;
    let now = std::time::SystemTime::now();
    let (mut synced, mut failed) = (0, 0);
    let mut signed_out = Vec::new();
    for (name, session) in &all {
        let signed_in = session.is_ok() && cache.state(name, now).is_usable();
        if !signed_in && session.is_ok() {
            signed_out.push(name);
            continue;
        }
        match sync_one(ctx, args, Some(name)) {
            Ok(_) => synced += 1,
            Err(err) => {
                say!("{err:#}");
                failed += 1;
            }
        }
    }
    for name in &signed_out {
        say!(
            "sso-session {} is not signed in, so it was not synced; {} (or all at \
             once: `{cmd} login --all`)",
            printable(name),
            hint(
                "sign in with",
                shell_word(name).map(|name| format!("{cmd} login --sso-session {name}"))
            )
        );
    }
    if failed > 0 || synced == 0 {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn sync_one(ctx: &Context, args: &SyncArgs, requested: Option<&str>) -> Result<ExitCode> {
    let paths = ctx.paths()?;
    paths.check_files()?;
    let doc = read_config(&paths)?;
    // The command named in refusals and hints, as the user types it.
    let this = format!("{} sync", ctx.cmd);
    let session = sessions::select(&doc, &paths.config, requested, None, ctx.active.as_deref());
    // A section of the block copied by hand outside it (same name, so the
    // AWS CLI refuses the file) is what this sync mends; anything else the
    // AWS CLI refuses stays as it is.
    let mended = |refusal: &Refusal| {
        session
            .as_ref()
            .is_ok_and(|s| copied_out_of_its_block(&doc, refusal) == Some(s.name.as_str()))
    };
    check_before_writing_unless(&paths, &doc.to_bytes(), &this, args.dry_run, mended)?;
    let session = session?;
    session.log();
    let odd_end = |c: char| c.is_whitespace() || c.is_control();
    if session.name.starts_with(odd_end)
        || session.name.ends_with(odd_end)
        || session.name.contains(['\r', '\n'])
    {
        bail!(
            "the sso-session name {} starts or ends with whitespace, so no managed block can name it; \
             rename the [sso-session] section",
            quoted(&session.name)
        );
    }
    let flags = SyncFlags {
        template: args.template.as_deref(),
        region: args.region.as_deref(),
        output: args.output.as_deref(),
        region_rules: (!args.region_rule.is_empty()).then_some(args.region_rule.as_slice()),
    };
    // Bad settings fail before any request.
    SyncSettings::resolve(&doc, &session, flags)?;
    let network = ctx.settings.network()?;
    let options = PortalOptions::new(ctx.settings.portal_rate()?, network.clone());
    let cache = ctx.token_cache()?;
    let state_dir = ctx.state_dir()?;
    let writer = config_writer(&paths, &state_dir, ctx.settings.lock_timeout()?);

    let started = Instant::now();
    let mut line = ProgressLine::new(io::stderr().is_terminal(), &session.name);
    let discovery = client::runtime()?.block_on(async {
        let token = login::usable_token(&network, &session, &cache, &this).await?;
        let portal = network.portal(&session.region);
        portal::discover(&portal, &token, &session.name, &options, &mut |p| {
            line.show(p)
        })
        .await
    });
    line.clear();
    let discovery = discovery?;
    report_listing(&session, &discovery, started.elapsed());

    let credentials = Document::read(&paths.credentials)?;
    let sync = |doc: &mut Document| -> Result<(SyncPlan, Summary)> {
        // The session as the file says now.
        let session = sessions::session(doc, &session.name)?;
        SyncSettings::remember(doc, &session, flags);
        let settings = SyncSettings::resolve(doc, &session, flags)?;
        let plan = SyncPlan::new(&PlanInput {
            config: doc,
            credentials: &credentials,
            session: &session,
            settings: &settings,
            discovery: &discovery,
            prune: args.prune,
        });
        let summary = plan.apply(doc);
        check_written(&paths, &doc.to_bytes(), &this)?;
        Ok((plan, summary))
    };

    if args.dry_run {
        let mut doc = Document::read(&paths.config)?;
        let before = doc.to_bytes();
        let old = doc.clone();
        let (plan, summary) = sync(&mut doc)?;
        let path = paths.config.display().to_string();
        let order = paired_order(&old, &doc, &session.name, &summary.renamed);
        match diff::unified_ordered(
            &before,
            &doc.to_bytes(),
            &path,
            &format!("{path} (after badge sync)"),
            ctx.color_stdout,
            order.as_deref(),
        ) {
            Some(text) => write_out(ctx, &text)?,
            None => say!("{path} is already up to date"),
        }
        report(&plan, &summary, true);
        report_active(ctx, &summary, true);
        return Ok(ExitCode::SUCCESS);
    }

    let previous = SyncRecord::load(&state_dir, &paths.config, &session.name)
        .ok()
        .flatten();
    let edited = writer.edit(|doc| {
        let (plan, summary) = sync(doc)?;
        let record = SyncRecord::of(doc, &paths.config, &session.name)
            .with_renames(previous.as_ref(), &summary.renamed);
        Ok(((plan, summary), record))
    })?;
    let ((plan, summary), record) = &edited.value;
    report(plan, summary, false);
    report_active(ctx, summary, false);
    follow_rename(ctx, summary)?;
    // For `badge doctor`; the profiles are written whether or not this is.
    if let Err(err) = record.save(&state_dir) {
        say!("warning: the record of this sync was not kept: {err:#}");
    }
    if edited.written {
        match &edited.backup {
            Some(backup) => say!(
                "wrote {} (the previous version is in {})",
                paths.config.display(),
                backup.display()
            ),
            None => say!("wrote {}", paths.config.display()),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_listing(session: &SsoSession, discovery: &Discovery, took: Duration) {
    let retried = match discovery.throttled {
        0 => String::new(),
        n => format!(", {n} throttled and retried"),
    };
    say!(
        "listed {} accounts and {} roles of sso-session {} in {:.1}s ({} requests{retried})",
        discovery.accounts,
        discovery.assignments.len(),
        session.name,
        took.as_secs_f64(),
        discovery.requests,
    );
}

/// The order in which a dry run compares the old file's lines: the block's
/// profiles in the order of their names after the sync (a renamed one at
/// its new name's place, a removed one after the profile before it), so
/// that the diff shows each renamed profile's old and new name together.
/// `None` when nothing was renamed.
fn paired_order(
    old: &Document,
    new: &Document,
    session: &str,
    renamed: &[(String, String)],
) -> Option<Vec<usize>> {
    if renamed.is_empty() {
        return None;
    }
    let block = old.managed_block(session)?;
    let lines = block.line_range();
    let new_place: HashMap<String, usize> = new
        .managed_block(session)?
        .sections()
        .enumerate()
        .filter_map(|(i, s)| Some((s.kind.profile_name()?.to_owned(), i)))
        .collect();
    let to: HashMap<&str, &str> = renamed
        .iter()
        .map(|(from, to)| (from.as_str(), to.as_str()))
        .collect();
    // The block's sections, within its markers, each with where it goes;
    // the lines between them (blank lines, comments) stay where they are.
    let inner = lines.start + 1..lines.end - 1;
    let mut key = 0;
    let mut sections: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for section in block.sections() {
        let range = section.line_range();
        let range = range.start.max(inner.start)..range.end.min(inner.end);
        if let Some(name) = section.kind.profile_name() {
            let name = to.get(name).copied().unwrap_or(name);
            if let Some(&place) = new_place.get(name) {
                key = place;
            }
        }
        sections.push((key, range));
    }
    let between: Vec<std::ops::Range<usize>> = (0..sections.len())
        .map(|i| {
            let end = sections.get(i + 1).map_or(inner.end, |(_, r)| r.start);
            sections[i].1.end..end.max(sections[i].1.end)
        })
        .collect();
    let first = sections.first().map_or(inner.start, |(_, r)| r.start);
    let mut moved = sections.clone();
    moved.sort_by_key(|(key, _)| *key);
    let mut order: Vec<usize> = (0..first).collect();
    for ((_, range), gap) in moved.iter().zip(&between) {
        order.extend(range.clone());
        order.extend(gap.clone());
    }
    let last = between.last().map_or(first, |r| r.end);
    order.extend(last..diff::line_count(&old.to_bytes()));
    Some(order)
}

/// Stdout: as it is, or, run by the shell function (which evaluates what
/// this prints), as code that prints it.
fn write_out(ctx: &Context, text: &str) -> Result<()> {
    match ctx.hook {
        Some(shell) => {
            let mut script = Script::new(shell);
            script.print(text);
            io::stdout().write_all(script.finish().as_bytes())?;
        }
        None => io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// Run by the shell function, a sync that renamed the shell's profile
/// moves the shell to its new name (the previous profile stays as it was:
/// the old name is gone).
fn follow_rename(ctx: &Context, summary: &Summary) -> Result<()> {
    let (Some(shell), Some(active)) = (ctx.hook, ctx.active.as_deref()) else {
        return Ok(());
    };
    let Some((_, to)) = summary.renamed.iter().find(|(from, _)| from == active) else {
        return Ok(());
    };
    let mut script = Script::new(shell);
    script.export(vars::AWS_PROFILE, to);
    let mut text = script.finish();
    if let Ok(profiles) = ctx.paths().and_then(|p| load_profiles(&p)) {
        let mut states = LoginStates::new(ctx.token_cache().ok());
        let profile = profiles.get(to);
        text.push_str(&login_mark(
            shell,
            profile.as_ref().map(|p| (&profiles, p)),
            &mut states,
        ));
    }
    io::stdout().write_all(text.as_bytes())?;
    Ok(())
}

/// What became of the profile of the shell badge runs in, when the sync
/// renamed or removed it: its `AWS_PROFILE` would name nothing.
fn report_active(ctx: &Context, summary: &Summary, dry_run: bool) {
    let Some(active) = ctx.active.as_deref() else {
        return;
    };
    let (is, was) = if dry_run {
        ("would be", "would be")
    } else {
        ("is now", "was")
    };
    if let Some((_, to)) = summary.renamed.iter().find(|(from, _)| from == active) {
        // Run by the shell function, the shell follows (see follow_rename).
        let then = if ctx.hook.is_some() && !dry_run {
            "this shell switched to it".to_owned()
        } else {
            hint(
                "switch to it with",
                shell_word(to).map(|to| format!("{} {to}", ctx.cmd)),
            )
        };
        say!(
            "the profile of this shell, {}, {is} named {}; {then}",
            quoted(active),
            quoted(to),
        );
    } else if summary.removed.iter().any(|name| name == active) {
        say!(
            "the profile of this shell, {}, {was} removed: its assignment is gone; \
             switch to another with `{} NAME`",
            quoted(active),
            ctx.cmd
        );
    }
}

fn report(plan: &SyncPlan, summary: &Summary, dry_run: bool) {
    let cmd = command();
    let session = &plan.session;
    let counts = format!(
        "{} added, {} changed, {} removed, {} kept",
        summary.added.len(),
        summary.changed.len(),
        summary.removed.len(),
        summary.kept
    );
    if dry_run {
        say!("sso-session {session} (dry run, nothing written): {counts}");
    } else {
        say!("sso-session {session}: {counts}");
    }
    for (from, to) in summary.renamed.iter().take(LISTED) {
        say!("renamed {} to {}", quoted(from), quoted(to));
    }
    if summary.renamed.len() > LISTED {
        say!("…and {} more renamed", summary.renamed.len() - LISTED);
    }
    for collision in &plan.collisions {
        match collision {
            Collision::Shared { wanted, given } => say!(
                "{} assignments would be named {}; told apart as {}",
                given.len(),
                quoted(wanted),
                list(given)
            ),
            Collision::Taken { wanted, given } => match plan.generated_elsewhere.get(wanted) {
                Some(other) => say!(
                    "{} is generated for sso-session {}; this one is named {}",
                    quoted(wanted),
                    printable(other),
                    quoted(given)
                ),
                None => say!(
                    "{} is a profile of yours outside the managed block; \
                     the generated one is named {}",
                    quoted(wanted),
                    quoted(given)
                ),
            },
        }
    }
    for c in &plan.covered {
        say!(
            "your profile {} already points at {} {}; no profile generated for it",
            quoted(&c.profile),
            c.account_id,
            c.role_name
        );
    }
    for s in &plan.skipped {
        // An id that is no account id is shown between quotes: it may be
        // empty, or end in spaces.
        let id = if portal::is_account_id(&s.account_id) {
            s.account_id.clone()
        } else {
            quoted(&s.account_id)
        };
        match &s.role_name {
            None => say!(
                "warning: skipped account {id} ({}): {}",
                s.account_name,
                s.reason
            ),
            Some(role) => say!(
                "warning: skipped role {} of account {id} ({}): {}",
                quoted(role),
                s.account_name,
                s.reason
            ),
        }
    }
    if !plan.unknown.is_empty() {
        say!(
            "kept the profiles of skipped accounts as they were: {}",
            list(&plan.unknown)
        );
    }
    for rule in &plan.unused_rules {
        say!(
            "warning: region rule {} gave no profile its region \
             (it matches none, or an earlier rule wins)",
            quoted(rule)
        );
    }
    if !plan.stale.is_empty() {
        say!(
            "{} generated profiles have no assignment any more and were kept: {}; \
             `{cmd} sync --prune` removes them",
            plan.stale.len(),
            list(&plan.stale)
        );
    }
    if !summary.removed.is_empty() {
        say!("removed {}", list(&summary.removed));
    }
}

/// `"a", "b", …and 3 more`.
fn list(names: &[String]) -> String {
    let mut text: Vec<String> = names.iter().take(LISTED).map(|n| quoted(n)).collect();
    if names.len() > LISTED {
        text.push(format!("…and {} more", names.len() - LISTED));
    }
    text.join(", ")
}

/// `badge: sso-session acme: roles of 120/300 accounts`, redrawn in place on
/// a terminal, nothing elsewhere.
struct ProgressLine<'a> {
    enabled: bool,
    session: &'a str,
    last: Option<Instant>,
    drawn: bool,
}

impl<'a> ProgressLine<'a> {
    fn new(enabled: bool, session: &'a str) -> ProgressLine<'a> {
        ProgressLine {
            enabled,
            session,
            last: None,
            drawn: false,
        }
    }

    fn show(&mut self, p: Progress) {
        if !self.enabled {
            return;
        }
        let finished = p.all_listed && p.done == p.listed;
        if !finished
            && self
                .last
                .is_some_and(|at| at.elapsed() < Duration::from_millis(80))
        {
            return;
        }
        self.last = Some(Instant::now());
        let more = if p.all_listed { "" } else { "+" };
        // Drawn over itself with the terminal's own controls, so the
        // session name, from the config, is made printable here.
        let _ = write!(
            io::stderr(),
            "\r\x1b[2Kbadge: sso-session {}: roles of {}/{}{more} accounts",
            printable(self.session),
            p.done,
            p.listed
        );
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let _ = write!(io::stderr(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}
