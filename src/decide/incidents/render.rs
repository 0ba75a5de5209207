//! The texts of the incident flow: the issue (title and body from the configured templates),
//! the comment of an alert firing again, the comment of its resolution with the duration.
//! Text from the alert is made inert first: it cannot open an HTML comment, so it cannot
//! forge one of forgehand's markers.

use crate::config::incidents::{Destination, IncidentsConfig, DEFAULT_BODY, DEFAULT_TITLE};
use crate::event::alerts::{Alert, AlertItem, AlertStatus};
use crate::plan::Plan;
use crate::release::Template;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Most alerts of one notification listed in an issue or comment.
pub const MAX_LISTED_ALERTS: usize = 50;
/// Longest issue title written, in characters (GitHub takes 256).
pub const MAX_TITLE_CHARS: usize = 200;

/// `text` with every `<!--` defused.
fn inert(text: &str) -> String {
    text.replace("<!--", "&lt;!--")
}

/// A moment as people read it: `2026-03-02 08:14 UTC`.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A duration as people read it: `47 min`, `2 h 5 min`, `3 d 4 h`, `40 s`.
pub fn duration(span: Duration) -> String {
    let secs = span.num_seconds().max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn pairs(map: &BTreeMap<String, String>) -> Vec<Value> {
    map.iter()
        .map(|(name, value)| json!({ "name": inert(name), "value": inert(value) }))
        .collect()
}

fn item(alert: &AlertItem) -> Value {
    json!({
        "summary": inert(&alert.summary),
        "status": alert.status.as_str(),
        "since": alert.started_at.map(when),
        "until": alert.ended_at.map(when),
        "url": alert.url.as_deref().map(inert),
        "fingerprint": inert(&alert.fingerprint),
    })
}

/// The templates' variables for `alert` (see [`crate::config::incidents::INCIDENT_VARS`]).
fn variables(
    alert: &Alert,
    to: &Destination<'_>,
    since: DateTime<Utc>,
    assignee: Option<&str>,
) -> Value {
    let listed = alert.alerts.len().min(MAX_LISTED_ALERTS);
    let left_out = (alert.alerts.len() - listed) as u64 + alert.truncated;
    json!({
        "summary": inert(&alert.summary),
        "source": alert.source.display_name(),
        "status": alert.status.as_str(),
        "since": when(since),
        "identity": alert.identity,
        "check": alert.check.as_deref().map(inert),
        "assignee": assignee,
        "notify": to.notify.iter().map(|l| l.trim_start_matches('@')).collect::<Vec<_>>(),
        "alerts": alert.alerts[..listed].iter().map(item).collect::<Vec<_>>(),
        "links": alert.links.iter().map(|l| json!({ "title": inert(&l.title), "url": inert(&l.url) })).collect::<Vec<_>>(),
        "labels": pairs(&alert.labels),
        "annotations": pairs(&alert.annotations),
        "truncated": left_out,
    })
}

/// Render with the configured template, else (noting why) with the default.
fn render(
    configured: Result<Template, String>,
    default: &str,
    name: &str,
    vars: &Value,
    plan: &mut Plan,
) -> String {
    let rendered = configured.and_then(|t| t.render(vars).map_err(|e| e.to_string()));
    match rendered {
        Ok(text) => text,
        Err(why) => {
            plan.notes.push(format!(
                "the incident {name} template failed ({why}): the default is used"
            ));
            Template::compile(name, default, crate::config::incidents::INCIDENT_VARS)
                .and_then(|t| t.render(vars))
                .unwrap_or_default()
        }
    }
}

/// Title and body of the incident issue.
pub fn issue(
    alert: &Alert,
    to: &Destination<'_>,
    incidents: &IncidentsConfig,
    since: DateTime<Utc>,
    assignee: Option<&str>,
    plan: &mut Plan,
) -> (String, String) {
    let vars = variables(alert, to, since, assignee);
    let title_template = incidents.title_template().map_err(|e| e.to_string());
    let body_template = incidents.body_template().map_err(|e| e.to_string());
    let title = render(title_template, DEFAULT_TITLE, "title", &vars, plan);
    let mut title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        title = inert(&alert.summary);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        title = title.chars().take(MAX_TITLE_CHARS - 1).collect::<String>() + "…";
    }
    let body = render(body_template, DEFAULT_BODY, "body", &vars, plan);
    (title, body)
}

/// The alerts of a notification as a list, capped.
fn alert_list(alert: &Alert) -> String {
    let mut text = String::new();
    for a in alert.alerts.iter().take(MAX_LISTED_ALERTS) {
        text.push_str(&format!("- {}: {}", inert(&a.summary), a.status.as_str()));
        match (a.status, a.started_at, a.ended_at) {
            (AlertStatus::Firing, Some(since), _) => {
                text.push_str(&format!(" since {}", when(since)));
            }
            (AlertStatus::Resolved, _, Some(end)) => text.push_str(&format!(" at {}", when(end))),
            _ => {}
        }
        if let Some(url) = &a.url {
            text.push_str(&format!(" ([source]({}))", inert(url)));
        }
        text.push('\n');
    }
    let left_out = alert.alerts.len().saturating_sub(MAX_LISTED_ALERTS) as u64 + alert.truncated;
    if left_out > 0 {
        text.push_str(&format!("- and {left_out} more\n"));
    }
    text
}

/// The comment of an alert firing again on an open incident, or (`after_closing` set) on
/// one it reopens.
pub fn firing_again(alert: &Alert, after_closing: Option<Duration>) -> String {
    let head = match after_closing {
        Some(gap) => format!(
            "**Firing again**, {} after this incident was closed: reopened.",
            duration(gap)
        ),
        None => "**Firing again.**".to_string(),
    };
    format!("{head} {}\n\n{}", inert(&alert.summary), alert_list(alert))
}

/// The comment of a resolved alert: how long it lasted, and whether the issue is closed.
pub fn resolved(
    alert: &Alert,
    since: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
    closing: bool,
) -> String {
    let lasted = match since {
        Some(since) => format!(
            " after {} (from {} to {})",
            duration(end - since),
            when(since),
            when(end)
        ),
        None => format!(" at {}", when(end)),
    };
    let mut text = format!(
        "**Resolved**{lasted}: {}\n\n{}",
        inert(&alert.summary),
        alert_list(alert)
    );
    if closing {
        text.push_str("\nClosing this incident.\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let cases = [
            (40, "40 s"),
            (60, "1 min"),
            (47 * 60 + 15, "47 min"),
            (3_600, "1 h"),
            (2 * 3_600 + 5 * 60, "2 h 5 min"),
            (86_400, "1 d"),
            (3 * 86_400 + 4 * 3_600 + 59, "3 d 4 h"),
            (-5, "0 s"),
        ];
        for (secs, text) in cases {
            assert_eq!(duration(Duration::seconds(secs)), text, "{secs}");
        }
    }

    #[test]
    fn alert_text_cannot_forge_a_marker() {
        assert_eq!(
            inert("x <!-- forgehand:incident pingdom:1 since 2026-01-01T00:00:00Z -->"),
            "x &lt;!-- forgehand:incident pingdom:1 since 2026-01-01T00:00:00Z -->"
        );
    }
}
