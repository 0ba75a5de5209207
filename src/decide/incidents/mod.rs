//! Incidents: a monitoring alert → the incident issue of its identity, in the repository its
//! route names. None open: one is opened from the template (labels, assignee, mentions). Open:
//! an alert firing again is a comment. Closed within the reopen window: reopened, with a
//! comment; closed longer ago: a new incident. Resolved: a comment with the duration, and the
//! issue closed when configured. Pure: the issue found by its marker arrives in the context.

mod render;

use super::{Context, Draft, ItemView};
use crate::config::incidents::Destination;
use crate::config::Config;
use crate::event::alerts::{Alert, AlertStatus};
use crate::event::{Event, EventKind};
use crate::model::{IssueState, MarkedIssue};
use crate::plan::{Intent, IssueSpec, Plan, StateChange, Target};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;

/// Marker kind of an incident issue: `<!-- forgehand:incident pingdom:42 since … -->`.
pub const MARKER_INCIDENT: &str = "incident";
/// Marker kind of a comment about one notification: `<!-- forgehand:incident-note … -->`.
pub const MARKER_NOTE: &str = "incident-note";

/// Where to look for the incident issue of an alert: the newest issue of `repo` whose body
/// holds `marker` (the identity's part of the marker), narrowed to `label` when given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentLookup {
    pub repo: String,
    pub marker: String,
    pub label: Option<String>,
}

/// The alert an event carries, and where it goes.
fn routed<'a>(event: &'a Event, config: &'a Config) -> Option<(&'a Alert, Destination<'a>)> {
    let EventKind::Alert { alert } = &event.kind else {
        return None;
    };
    Some((alert, config.incidents.route(alert)?))
}

/// The start of every marker of `identity`'s incidents.
fn identity_marker(identity: &str) -> String {
    format!("<!-- forgehand:{MARKER_INCIDENT} {identity} since ")
}

/// The marker of the incident of `identity` that started at `since`.
pub fn incident_marker(identity: &str, since: DateTime<Utc>) -> String {
    let since = since.to_rfc3339_opts(SecondsFormat::Secs, true);
    format!("{}{since} -->", identity_marker(identity))
}

/// When the incident of `identity` whose issue body is `body` started, from its marker.
fn since_in(body: &str, identity: &str) -> Option<DateTime<Utc>> {
    let prefix = identity_marker(identity);
    let rest = &body[body.find(&prefix)? + prefix.len()..];
    let text = rest.split_whitespace().next()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The lookup of the incident issue an alert event needs; `None` for other events.
pub fn needs(event: &Event, config: &Config) -> Option<IncidentLookup> {
    let (alert, to) = routed(event, config)?;
    Some(IncidentLookup {
        repo: to.repo.to_string(),
        marker: identity_marker(&alert.identity),
        label: to.labels.first().cloned(),
    })
}

pub fn decide(
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
    plan: &mut Plan,
) {
    let EventKind::Alert { alert } = &event.kind else {
        return;
    };
    let Some((_, to)) = routed(event, config) else {
        plan.notes.push(format!(
            "{} alert `{}`: incidents are off (no `incidents.repo`): nothing to do",
            alert.source.display_name(),
            alert.identity
        ));
        return;
    };
    if to.forge != event.forge {
        plan.notes.push(format!(
            "alert `{}` is routed to {}:{}, but was stored for {}: nothing to do",
            alert.identity, to.forge, to.repo, event.forge
        ));
        return;
    }
    let incidents = &config.incidents;
    let found = context.incident.as_ref();
    match (alert.status, found) {
        (AlertStatus::Firing, None | Some(None)) => {
            if found.is_none() {
                plan.notes
                    .push("the open incident is looked up when serving (not here)".into());
            }
            open(alert, &to, config, now, plan);
        }
        (AlertStatus::Firing, Some(Some(issue))) if issue.state == IssueState::Open => {
            let body = render::firing_again(alert, None);
            comment(plan, &to, issue, alert, body);
        }
        (AlertStatus::Firing, Some(Some(issue))) => {
            let start = alert.started_at.unwrap_or(now);
            let window = Duration::minutes(i64::from(incidents.reopen_window_minutes));
            match issue.closed_at {
                Some(closed) if incidents.reopen_window_minutes > 0 && start <= closed + window => {
                    reopen(plan, &to, issue, start);
                    let body = render::firing_again(alert, Some(start - closed));
                    comment(plan, &to, issue, alert, body);
                }
                _ => open(alert, &to, config, now, plan),
            }
        }
        (AlertStatus::Resolved, Some(Some(issue))) if issue.state == IssueState::Open => {
            let since = since_in(&issue.body, &alert.identity).or(alert.started_at);
            let end = alert.ended_at.unwrap_or(now);
            let close = incidents.close_when_resolved;
            let body = render::resolved(alert, since, end, close);
            comment(plan, &to, issue, alert, body);
            if close {
                let mut draft = Draft::new(view(issue));
                draft.set_state(StateChange::Close);
                plan.intents.push(Intent::EditIssue {
                    target: target(&to, issue),
                    change: draft.finish(),
                });
            }
        }
        (AlertStatus::Resolved, Some(Some(issue))) => plan.notes.push(format!(
            "{} resolved; its incident {}#{} is already closed: nothing to do",
            alert.identity, to.repo, issue.number
        )),
        (AlertStatus::Resolved, Some(None)) => plan.notes.push(format!(
            "{} resolved, but no incident issue of it is in {}: nothing to do",
            alert.identity, to.repo
        )),
        (AlertStatus::Resolved, None) => plan.notes.push(format!(
            "{} resolved: its open incident in {} gets the duration{} (looked up when serving)",
            alert.identity,
            to.repo,
            if incidents.close_when_resolved {
                " and is closed"
            } else {
                ""
            }
        )),
    }
}

/// Open the incident issue of `alert`.
fn open(alert: &Alert, to: &Destination<'_>, config: &Config, now: DateTime<Utc>, plan: &mut Plan) {
    let since = alert.started_at.unwrap_or(now);
    let assignee = to.assignee(since);
    let marker = incident_marker(&alert.identity, since);
    let (title, body) = render::issue(
        alert,
        to,
        &config.incidents,
        since,
        assignee.as_deref(),
        plan,
    );
    plan.intents.push(Intent::FileIssue(IssueSpec {
        repo: to.repo.to_string(),
        title,
        body: crate::release::ensure_marker(&body, &marker),
        labels: to.labels.to_vec(),
        assignees: assignee.into_iter().collect(),
        marker,
        due_date: None,
        milestone: None,
    }));
}

/// Reopen a closed incident: its labels as configured again (a scoped one replacing the
/// others of its scope), and the person for the new start assigned besides whoever is.
fn reopen(plan: &mut Plan, to: &Destination<'_>, issue: &MarkedIssue, start: DateTime<Utc>) {
    let mut draft = Draft::new(view(issue));
    for label in to.labels {
        draft.add_label(label);
    }
    if let Some(login) = to.assignee(start) {
        draft.assign(&login);
    }
    draft.set_state(StateChange::Reopen);
    plan.intents.push(Intent::EditIssue {
        target: target(to, issue),
        change: draft.finish(),
    });
}

/// A comment about this notification, written once (its marker carries the digest).
fn comment(
    plan: &mut Plan,
    to: &Destination<'_>,
    issue: &MarkedIssue,
    alert: &Alert,
    body: String,
) {
    let marker = format!("<!-- forgehand:{MARKER_NOTE} {} -->", alert.digest);
    plan.intents.push(Intent::Comment {
        target: target(to, issue),
        body: format!("{}\n\n{marker}", body.trim_end()),
        marker: Some(marker),
    });
}

fn target(to: &Destination<'_>, issue: &MarkedIssue) -> Target {
    Target {
        repo: to.repo.to_string(),
        number: issue.number,
        is_merge_request: false,
    }
}

/// The found issue as the draft of a change sees it (assignees are not listed by the
/// search: adding one is all a reopen does to them).
fn view(issue: &MarkedIssue) -> ItemView {
    ItemView {
        labels: issue.labels.clone(),
        milestone: None,
        assignees: Vec::new(),
        closed: issue.state == IssueState::Closed,
    }
}

#[cfg(test)]
mod tests;
