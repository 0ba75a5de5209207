//! Release day: on each date of the calendar, the release-day call (one issue for the
//! release manager on duty with the proposed version, the changes and the checklist's
//! steps — or a comment on the open checklist — or a short note when nothing changed) and,
//! where the calendar is the production train, the production deployment request for the
//! version staging has (or one comment saying what blocks it). Facts come from
//! [`ReleaseDayFacts`], gathered beforehand; without them (`forgehand plan`) the plan says
//! what would be looked at.

use super::day_render::{self, Call};
use super::render;
use super::{Derived, ReleaseFacts};
use crate::config::release_day::ReleaseDayConfig;
use crate::config::Config;
use crate::event::release_day::DayStep;
use crate::event::{Event, EventKind};
use crate::model::{Change, MarkedIssue};
use crate::plan::{Intent, IssueChange, Plan, Target};
use crate::release::day::{on_date, propose, BreakingRule, DayOutcome};
use crate::release::{DeployEnvironment, ReleaseDate, Version};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Marker kind of the release-day issue and of its comment on the checklist.
pub const MARKER_RELEASE_DAY: &str = "release-day";
/// Marker kind of the "no changes" note.
pub const MARKER_RELEASE_DAY_NOTE: &str = "release-day-note";
/// Marker kind of the comment saying what blocks the production train.
pub const MARKER_TRAIN_BLOCKED: &str = "production-train-blocked";
/// Requirement the scheduled train does not wait for: the release manager ticks it.
const APPROVAL: &str = "The release manager approves";

/// What the worker fetched for a release-day firing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReleaseDayFacts {
    /// The branch releases merge into.
    pub default_branch: String,
    /// The newest release tag (semver, not a pre-release), if any.
    pub last_tag: Option<String>,
    /// Changes merged into the default branch since `last_tag` (all, without one).
    pub changes: Vec<Change>,
    /// The open release checklist issue, when there is one.
    pub checklist: Option<MarkedIssue>,
    /// The newest release-day issue (any state), where a note goes without a checklist.
    pub previous_day_issue: Option<MarkedIssue>,
    /// The production train: the newest deployment request for staging, if any.
    pub staging_request: Option<MarkedIssue>,
    /// The production train: the version last requested for production, if any.
    pub production: Option<Version>,
    /// The production train: the release facts of the staging version, when it is ahead.
    pub train: Option<ReleaseFacts>,
    /// The production train: the web page of the staging version's release.
    pub release_url: Option<String>,
}

/// The release-day settings, when `event` is a release-day firing for a repository that
/// still configures it.
fn settings<'a>(event: &Event, config: &'a Config) -> Option<&'a ReleaseDayConfig> {
    let EventKind::ReleaseDay { .. } = event.kind else {
        return None;
    };
    let day = config.release.release_day.as_ref()?;
    let repo = event.repo.as_ref()?;
    (config.release.enabled && day.covers(event.forge, &repo.path)).then_some(day)
}

/// Whether a release-day firing needs its facts gathered (a release date of a configured
/// repository).
pub fn needs(event: &Event, config: &Config) -> bool {
    let (Some(_), EventKind::ReleaseDay { date, .. }) = (settings(event, config), &event.kind)
    else {
        return false;
    };
    config
        .release
        .calendar
        .as_ref()
        .is_some_and(|c| c.is_release_day(*date))
}

/// Decide one release-day firing.
pub fn decide(event: &Event, config: &Config, context: &crate::decide::Context, plan: &mut Plan) {
    let EventKind::ReleaseDay { step, date, slot } = &event.kind else {
        return;
    };
    let Some(day) = settings(event, config) else {
        plan.notes.push(format!(
            "release day {date}: not configured for this repository (`release.release_day`)"
        ));
        return;
    };
    if day.from.is_some_and(|from| *date < from) {
        plan.notes.push(format!(
            "release day {date}: before `release_day.from`: nothing to do"
        ));
        return;
    }
    let Some(calendar) = &config.release.calendar else {
        plan.notes
            .push("release day: no calendar (`release.calendar`)".into());
        return;
    };
    let release = match on_date(calendar, config.release.rotation.as_ref(), *date) {
        DayOutcome::Release { release, .. } => release,
        DayOutcome::NoRelease => {
            plan.notes.push(format!("{date}: no release planned"));
            return;
        }
        DayOutcome::Skipped { bump } => {
            plan.notes.push(format!(
                "{date}: the {} release falls on a holiday and is skipped: nothing to do",
                bump.as_str()
            ));
            return;
        }
        DayOutcome::Moved { bump, to } => {
            plan.notes.push(format!(
                "{date}: the {} release falls on a holiday and moves to {to}: nothing to do today",
                bump.as_str()
            ));
            return;
        }
    };
    let facts = context.release_day.as_ref();
    match step {
        DayStep::Release => call(event, config, day, &release, facts, plan),
        DayStep::Train => train(event, config, &release, *slot, facts, plan),
    }
}

/// The release-day call.
fn call(
    event: &Event,
    config: &Config,
    day: &ReleaseDayConfig,
    release: &ReleaseDate,
    facts: Option<&ReleaseDayFacts>,
    plan: &mut Plan,
) {
    let Some(repo) = event.repo.as_ref().map(|r| r.path.clone()) else {
        return;
    };
    let manager = config
        .release
        .rotation
        .as_ref()
        .map(|r| r.manager_on(release.date).to_string());
    let Some(facts) = facts else {
        plan.notes.push(format!(
            "release day {} of {repo}: a {} release{}{}; forgehand looks at what merged since \
             the last release tag (not fetched: dry run) and either opens the release-day \
             issue (or comments on the open checklist) or notes that nothing changed",
            release.date,
            release.bump.as_str(),
            if release.shifted {
                format!(" (moved from {}, a holiday)", release.planned)
            } else {
                String::new()
            },
            manager
                .as_deref()
                .map(|m| format!(", @{m} on duty"))
                .unwrap_or_default(),
        ));
        return;
    };
    let format = config.release.tag_format();
    let last = facts.last_tag.as_deref().and_then(|t| format.parse(t).ok());
    let date = release.date;
    if facts.changes.is_empty() {
        let note = day_render::no_changes(facts.last_tag.as_deref(), date, manager.as_deref());
        let place = facts
            .checklist
            .as_ref()
            .or(facts.previous_day_issue.as_ref());
        match place {
            Some(issue) => plan.intents.push(Intent::Comment {
                target: issue_target(&repo, issue),
                body: note.body,
                marker: Some(note.marker),
            }),
            None => plan.notes.push(format!(
                "{} (no checklist or release-day issue to say it on)",
                note.text
            )),
        }
        return;
    }
    let rule = BreakingRule {
        labels: &day.major_labels,
        bang: day.major_on_bang,
    };
    let proposal = propose(last.as_ref(), release.bump, &facts.changes, &rule);
    let call = Call {
        repo: &repo,
        release,
        manager: manager.as_deref(),
        last_tag: facts.last_tag.as_deref(),
        proposal: &proposal,
        planned: release.bump,
        default_branch: &facts.default_branch,
        changes: &facts.changes,
        dialect: event.dialect(),
    };
    let body = match day_render::call_body(&call, &config.release) {
        Ok(body) => body,
        Err(e) => {
            plan.notes.push(e);
            return;
        }
    };
    let marker = day_render::call_marker(date);
    match &facts.checklist {
        Some(checklist) => {
            let target = issue_target(&repo, checklist);
            if let Some(manager) = &manager {
                plan.intents.push(Intent::EditIssue {
                    target: target.clone(),
                    change: IssueChange {
                        add_assignees: vec![manager.clone()],
                        ..IssueChange::default()
                    },
                });
            }
            plan.intents.push(Intent::Comment {
                target,
                body,
                marker: Some(marker),
            });
        }
        None => plan
            .intents
            .push(Intent::UpsertIssue(crate::plan::IssueSpec {
                repo: repo.clone(),
                title: format!(
                    "Release day {date}: {} {}",
                    repo,
                    format.tag_for(&proposal.version)
                ),
                body,
                labels: day.labels.clone(),
                assignees: manager.into_iter().collect(),
                marker,
                due_date: None,
                milestone: None,
            })),
    }
}

/// The production train: request production for the version staging has, when it is ahead.
fn train(
    event: &Event,
    config: &Config,
    release: &ReleaseDate,
    slot: DateTime<Utc>,
    facts: Option<&ReleaseDayFacts>,
    plan: &mut Plan,
) {
    let date = release.date;
    let Some(settings) = &config.release.deploy_requests else {
        plan.notes.push(format!(
            "production train {date}: deployment requests are not configured \
             (`release.deploy_requests`)"
        ));
        return;
    };
    let Some(facts) = facts else {
        plan.notes.push(format!(
            "production train {date}: forgehand compares the versions last requested for \
             staging and production in {} (not fetched: dry run) and files the production \
             request when staging is ahead",
            settings.project
        ));
        return;
    };
    let format = config.release.tag_format();
    let staging = facts.staging_request.as_ref().and_then(|issue| {
        crate::release::day::deploy_marker_version(&issue.body, "staging").map(|v| (v, issue))
    });
    let Some((staging, staging_issue)) = staging else {
        plan.notes.push(format!(
            "production train {date}: nothing was requested for staging yet"
        ));
        return;
    };
    if facts.production.as_ref().is_some_and(|p| *p >= staging) {
        plan.notes.push(format!(
            "production train {date}: production has {}, staging {}: nothing to request",
            format.tag_for(facts.production.as_ref().unwrap_or(&staging)),
            format.tag_for(&staging)
        ));
        return;
    }
    let Some(release_facts) = &facts.train else {
        plan.notes.push(format!(
            "production train {date}: the release facts of {} were not gathered",
            format.tag_for(&staging)
        ));
        return;
    };
    let Some(mut derived) = Derived::new(event, config, release_facts, slot) else {
        plan.notes.push(format!(
            "production train {date}: `{}` is not a release tag",
            release_facts.tag
        ));
        return;
    };
    let linked = linked_url(&staging_issue.body, &release_facts.tag);
    if let Some(url) = facts
        .release_url
        .clone()
        .or(linked)
        .or(staging_issue.url.clone())
    {
        derived.release_url = url;
    }
    let blockers: Vec<String> = render::requirements(&derived, false)
        .into_iter()
        .filter(|r| !r.met && r.description != APPROVAL)
        .map(|r| r.description)
        .collect();
    if blockers.is_empty() {
        match render::deploy_request(&derived, Some(DeployEnvironment::Production), None) {
            Ok(Some(spec)) => plan.intents.push(Intent::FileIssue(spec)),
            Ok(None) => {}
            Err(e) => plan.notes.push(e),
        }
        return;
    }
    let target = Target {
        repo: settings.project.clone(),
        number: staging_issue.number,
        is_merge_request: false,
    };
    if let Some(manager) = &derived.manager {
        plan.intents.push(Intent::EditIssue {
            target: target.clone(),
            change: IssueChange {
                add_assignees: vec![manager.clone()],
                ..IssueChange::default()
            },
        });
    }
    let comment = day_render::train_blocked(
        &release_facts.tag,
        date,
        derived.manager.as_deref(),
        &blockers,
    );
    plan.intents.push(Intent::Comment {
        target,
        body: comment.body,
        marker: Some(comment.marker),
    });
}

/// The link a body gives `tag` (`[v1.4.0](https://…)`, as the deployment request's
/// template writes the release), if any.
fn linked_url(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("[{tag}]("))? + tag.len() + 3;
    let rest = &body[start..];
    let url = &rest[..rest.find(')')?];
    (!url.is_empty() && !url.contains(char::is_whitespace)).then(|| url.to_string())
}

fn issue_target(repo: &str, issue: &MarkedIssue) -> Target {
    Target {
        repo: repo.to_string(),
        number: issue.number,
        is_merge_request: false,
    }
}

/// What forgehand will do on `date` (for `/release schedule`), when the release day is on
/// for the event's repository.
pub fn will_do(event: &Event, config: &Config, date: NaiveDate) -> Option<String> {
    let day = config.release.release_day.as_ref()?;
    let repo = event.repo.as_ref()?;
    if !config.release.enabled || !day.covers(event.forge, &repo.path) {
        return None;
    }
    if day.from.is_some_and(|from| date < from) {
        return Some("nothing (before `release_day.from`)".into());
    }
    let mut text = format!("{} UTC release-day call", day.call_time().format("%H:%M"));
    if let (Some(at), Some(_)) = (day.train_time(), &config.release.deploy_requests) {
        text.push_str(&format!("; {} UTC production train", at.format("%H:%M")));
    }
    Some(text)
}

#[cfg(test)]
#[path = "day_tests.rs"]
mod tests;
