//! `/release schedule` (the next release dates and their managers) and `/deploy staging|
//! production` (file a deployment request once the requirements hold; otherwise one reply
//! saying which failed).

use super::render::{self, env_word};
use super::Derived;
use crate::command::{Command, DeployEnv, ReleaseArg};
use crate::config::Config;
use crate::decide::{target_of, Context, Fact};
use crate::event::{Event, EventKind};
use crate::plan::Intent;
use crate::release::{BumpKind, DeployEnvironment};
use chrono::{DateTime, Datelike, Utc};
use std::fmt::Write as _;

/// One release command: the intents it asks for, or why it was refused (a sentence for
/// the reply comment).
pub fn release_command(
    command: &Command,
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
) -> Result<Vec<Intent>, String> {
    let release = &config.release;
    if !release.enabled {
        return Err("release automation is not configured for this project".into());
    }
    match command {
        Command::Release(ReleaseArg::Schedule) => {
            let target = target_of(event).ok_or("`/release` works on issues and merge requests")?;
            let author = match &event.kind {
                EventKind::Comment { comment, .. } => comment.author.as_str(),
                _ => event.actor.login.as_str(),
            };
            let body = schedule_reply(event, config, author, now)?;
            Ok(vec![Intent::Comment {
                target,
                body,
                marker: None,
            }])
        }
        Command::Deploy(env) => deploy(*env, event, config, context, now),
        other => Err(format!("`{}` is not a release command", other.name())),
    }
}

/// The reply to `/release schedule`; with the release day on for the repository, a column
/// says what forgehand does on each date.
pub fn schedule_reply(
    event: &Event,
    config: &Config,
    author: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let release = &config.release;
    let calendar = release
        .calendar
        .as_ref()
        .ok_or("no release calendar is configured (`release.calendar`)")?;
    let dates = calendar.upcoming(now.date_naive(), release.schedule_count());
    if dates.is_empty() {
        return Err("the release calendar has no upcoming release".into());
    }
    let mut body = format!("@{author}: the next releases:\n\n");
    let acts = super::day::will_do(event, config, now.date_naive()).is_some();
    if acts {
        body.push_str("| Date | Release | Release manager | forgehand will |\n|---|---|---|---|\n");
    } else {
        body.push_str("| Date | Release | Release manager |\n|---|---|---|\n");
    }
    for date in dates {
        let mut when = format!("{} ({:?})", date.date, date.date.weekday());
        if date.shifted {
            let _ = write!(when, ", moved from {} (holiday)", date.planned);
        }
        let manager = release.rotation.as_ref().map_or_else(
            || "_unassigned_".to_string(),
            |r| format!("@{}", r.manager_on(date.date)),
        );
        let kind = match date.bump {
            BumpKind::Major => "major",
            BumpKind::Minor => "minor",
            BumpKind::Patch => "patch",
        };
        match super::day::will_do(event, config, date.date).filter(|_| acts) {
            Some(will) => {
                let _ = writeln!(body, "| {when} | {kind} | {manager} | {will} |");
            }
            None => {
                let _ = writeln!(body, "| {when} | {kind} | {manager} |");
            }
        }
    }
    if acts {
        body.push_str(
            "\nThe release-day call opens an issue for the release manager with the changes \
             merged since the last release and the proposed version, or notes that nothing \
             changed (no release this cycle); the production train files the production \
             deployment request when staging is ahead of production.\n",
        );
    }
    Ok(body)
}

fn deploy(
    env: DeployEnv,
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
) -> Result<Vec<Intent>, String> {
    let environment = match env {
        DeployEnv::Staging => DeployEnvironment::Staging,
        DeployEnv::Production => DeployEnvironment::Production,
    };
    let word = env_word(environment);
    let settings = config
        .release
        .deploy_requests
        .as_ref()
        .ok_or("deployment requests are not configured (`release.deploy_requests`)")?;
    let facts = context
        .release
        .as_ref()
        .ok_or("the release could not be looked up, so its requirements are unknown")?;
    if facts.tag.is_empty() {
        return Err("there is no release tag to deploy yet".into());
    }
    let derived = Derived::new(event, config, facts, now)
        .ok_or_else(|| format!("`{}` is not a release tag", facts.tag))?;
    let caller = match &event.kind {
        EventKind::Comment { comment, .. } => comment.author.clone(),
        _ => event.actor.login.clone(),
    };
    let is_manager = derived
        .manager
        .as_ref()
        .is_some_and(|m| m.eq_ignore_ascii_case(&caller));
    let role = crate::decide::actor_role(event, config, context);
    let mut failed: Vec<String> = Vec::new();
    if let (false, Fact::Unknown(why)) = (is_manager, &role) {
        let what = format!("the `{}` role `/deploy` needs", settings.role);
        return Err(crate::decide::cannot_check(&caller, &what, why));
    }
    if !is_manager && role.value().is_none_or(|r| *r < settings.role) {
        failed.push(format!(
            "@{caller} is not the release manager{} and does not have the `{}` role",
            derived
                .manager
                .as_ref()
                .map(|m| format!(" (@{m})"))
                .unwrap_or_default(),
            settings.role
        ));
    }
    for requirement in render::requirements(&derived, true) {
        if !requirement.met {
            let mut line = format!("not met: {}", requirement.description);
            if let Some(p) = facts
                .pipeline
                .as_ref()
                .filter(|_| line.contains("pipeline"))
            {
                let _ = write!(line, " (status: {})", p.status);
            } else if line.contains("pipeline") {
                line.push_str(" (no pipeline found)");
            }
            failed.push(line);
        }
    }
    if !failed.is_empty() {
        let mut text = format!(
            "cannot file the {word} deployment request for {}:\n",
            facts.tag
        );
        for f in failed {
            let _ = write!(text, "\n- {f}");
        }
        return Err(text);
    }
    match render::deploy_request(&derived, Some(environment), Some(&caller))? {
        Some(spec) => Ok(vec![Intent::FileIssue(spec)]),
        None => Err("deployment requests are not configured".into()),
    }
}
