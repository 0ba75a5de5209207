//! The `incidents:` section: which alerts open issues where, labelled and assigned how. The
//! alert sources' tokens (Alertmanager, Pingdom), a default repository with routes by alert
//! label or check name, the escalation person or an on-duty rotation, who is notified, and
//! what happens on resolution. Routing is a pure function of this section: the alert ingress
//! and `decide` route an alert the same way.

mod template;

pub use template::{DEFAULT_BODY, DEFAULT_TITLE, INCIDENT_VARS};

use super::schedule::parse_repo;
use super::{secret, Pattern, Report, Spanned, Validate};
use crate::event::alerts::{Alert, AlertSource};
use crate::model::ForgeKind;
use crate::release::rotation::Rotation;
use crate::release::template::{Template, TemplateError};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// Variable the shipped configuration reads Alertmanager's webhook token from; the endpoint
/// names it when it answers 503 because no token is set.
pub const ALERTMANAGER_TOKEN_VAR: &str = "ALERTMANAGER_WEBHOOK_TOKEN";
/// Variable the shipped configuration reads Pingdom's webhook token from.
pub const PINGDOM_TOKEN_VAR: &str = "PINGDOM_WEBHOOK_TOKEN";
/// Default label of an incident issue.
pub const DEFAULT_LABEL: &str = "incident";
/// Default minutes after its closing within which an alert firing again reopens the issue.
pub const DEFAULT_REOPEN_WINDOW_MINUTES: u32 = 60;
/// Longest reopen window accepted: 30 days.
pub const MAX_REOPEN_WINDOW_MINUTES: u32 = 30 * 24 * 60;

/// `incidents:` — off until `repo` names where incidents go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentsConfig {
    /// `POST /webhooks/alerts/alertmanager`: its tokens.
    pub alertmanager: AlertIntake,
    /// `POST /webhooks/alerts/pingdom`: its tokens.
    pub pingdom: AlertIntake,
    /// Where alerts no route matches open their issue: `github:OWNER/NAME` or
    /// `gitlab:GROUP/PROJECT`. Default none (empty counts as none): incidents are off.
    #[serde(deserialize_with = "optional_text")]
    pub repo: Option<String>,
    /// Tried in order; the first whose `when` matches an alert says where it goes.
    pub routes: Vec<IncidentRoute>,
    /// Labels of a new incident issue; a scoped one (`priority::1`) replaces the other labels
    /// of its scope when an incident is reopened. Default `[incident]`.
    pub labels: Vec<String>,
    /// Login assigned to every incident. Default none; empty means none.
    #[serde(deserialize_with = "optional_login")]
    pub escalation: Option<String>,
    /// Or: the person on duty on the alert's start date is assigned (as release managers
    /// rotate: `{people: [..], period: weekly, anchor: 2026-01-05}`).
    pub rotation: Option<Rotation>,
    /// Logins mentioned in the issue so that they are notified. Default none.
    pub notify: Vec<String>,
    /// Close the issue when the alert is resolved. Default true.
    pub close_when_resolved: bool,
    /// Minutes after its closing within which an alert firing again reopens the same issue
    /// (later, a new issue is opened; 0: always a new one). Default 60.
    pub reopen_window_minutes: u32,
    /// Title template ([`INCIDENT_VARS`]). Default `{{ summary }}`.
    pub title: Option<Spanned<String>>,
    /// Body template ([`INCIDENT_VARS`]); the marker is added when it leaves it out.
    pub body: Option<Spanned<String>>,
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        IncidentsConfig {
            alertmanager: AlertIntake::default(),
            pingdom: AlertIntake::default(),
            repo: None,
            routes: Vec::new(),
            labels: vec![DEFAULT_LABEL.to_string()],
            escalation: None,
            rotation: None,
            notify: Vec::new(),
            close_when_resolved: true,
            reopen_window_minutes: DEFAULT_REOPEN_WINDOW_MINUTES,
            title: None,
            body: None,
        }
    }
}

/// An alert source's intake.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertIntake {
    /// Tokens accepted as a bearer token, as the password of basic auth, or as `?token=`;
    /// several during a rotation. Empty entries are dropped; none set: not served (503).
    #[serde(default, deserialize_with = "secret::list")]
    pub tokens: Vec<SecretString>,
}

/// `incidents.routes[]` — alerts matching `when` go to `repo`; what it leaves out is the
/// section's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRoute {
    pub when: RouteMatch,
    /// `github:OWNER/NAME` or `gitlab:GROUP/PROJECT`.
    pub repo: String,
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    #[serde(default, deserialize_with = "optional_login")]
    pub escalation: Option<String>,
    #[serde(default)]
    pub rotation: Option<Rotation>,
    #[serde(default)]
    pub notify: Option<Vec<String>>,
}

/// Which alerts take a route: every condition given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteMatch {
    /// Only alerts of this source (`alertmanager`, `pingdom`).
    #[serde(default)]
    pub source: Option<AlertSource>,
    /// Label name → value, each equal (Alertmanager: the group's common labels; Pingdom:
    /// `check_id`, `check_name`, `check_type`, `importance_level`, `hostname`, `tags`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// A regex the Pingdom check's name matches.
    #[serde(default)]
    pub check: Option<Pattern>,
}

impl RouteMatch {
    fn is_empty(&self) -> bool {
        self.source.is_none() && self.labels.is_empty() && self.check.is_none()
    }

    /// Whether `alert` takes the route.
    pub fn matches(&self, alert: &Alert) -> bool {
        self.source.is_none_or(|s| s == alert.source)
            && self
                .labels
                .iter()
                .all(|(name, value)| alert.labels.get(name) == Some(value))
            && self
                .check
                .as_ref()
                .is_none_or(|pattern| alert.check.as_deref().is_some_and(|c| pattern.is_match(c)))
    }
}

/// Who is assigned an incident.
#[derive(Debug, Clone, Copy)]
enum Assignee<'a> {
    Nobody,
    Person(&'a str),
    OnDuty(&'a Rotation),
}

/// Where an alert goes and what its issue gets, the route's choices over the section's.
#[derive(Debug, Clone)]
pub struct Destination<'a> {
    pub forge: ForgeKind,
    /// `owner/name` or `group/project`.
    pub repo: &'a str,
    pub labels: &'a [String],
    pub notify: &'a [String],
    assignee: Assignee<'a>,
}

impl Destination<'_> {
    /// The person to assign an incident that started at `at`: the escalation person, or
    /// the one on duty in the rotation that day.
    pub fn assignee(&self, at: DateTime<Utc>) -> Option<String> {
        match self.assignee {
            Assignee::Nobody => None,
            Assignee::Person(login) => Some(login.to_string()),
            Assignee::OnDuty(rotation) => Some(rotation.manager_on(at.date_naive()).to_string()),
        }
    }
}

impl IncidentsConfig {
    /// Whether alerts are acted on at all: a default repository is set.
    pub fn enabled(&self) -> bool {
        self.repo.is_some()
    }

    /// The intake of `source`.
    pub fn intake(&self, source: AlertSource) -> &AlertIntake {
        match source {
            AlertSource::Alertmanager => &self.alertmanager,
            AlertSource::Pingdom => &self.pingdom,
        }
    }

    /// The variable the shipped configuration reads `source`'s token from.
    pub fn token_variable(source: AlertSource) -> &'static str {
        match source {
            AlertSource::Alertmanager => ALERTMANAGER_TOKEN_VAR,
            AlertSource::Pingdom => PINGDOM_TOKEN_VAR,
        }
    }

    /// The forge of the default repository (where an alert that cannot be read is stored,
    /// so that its failure is recorded); `None` when incidents are off.
    pub fn default_forge(&self) -> Option<ForgeKind> {
        let (forge, _) = parse_repo(self.repo.as_deref()?).ok()?;
        Some(forge)
    }

    /// Where `alert` goes: the first matching route, else the default repository. `None`
    /// when incidents are off.
    pub fn route(&self, alert: &Alert) -> Option<Destination<'_>> {
        let default = self.repo.as_deref()?;
        let route = self.routes.iter().find(|r| r.when.matches(alert));
        let repo = route.map_or(default, |r| r.repo.as_str());
        // Validated when the configuration loaded.
        let (forge, repo) = parse_repo(repo).ok()?;
        let assignee = route
            .and_then(|r| assignee_of(&r.escalation, &r.rotation))
            .or_else(|| assignee_of(&self.escalation, &self.rotation))
            .unwrap_or(Assignee::Nobody);
        Some(Destination {
            forge,
            repo,
            labels: route
                .and_then(|r| r.labels.as_deref())
                .unwrap_or(&self.labels),
            notify: route
                .and_then(|r| r.notify.as_deref())
                .unwrap_or(&self.notify),
            assignee,
        })
    }

    /// The compiled title template (the configured one or the default).
    pub fn title_template(&self) -> Result<Template, TemplateError> {
        template::compile("incident title", self.title.as_ref(), DEFAULT_TITLE)
    }

    /// The compiled body template (the configured one or the default).
    pub fn body_template(&self) -> Result<Template, TemplateError> {
        template::compile("incident body", self.body.as_ref(), DEFAULT_BODY)
    }
}

fn assignee_of<'a>(
    escalation: &'a Option<String>,
    rotation: &'a Option<Rotation>,
) -> Option<Assignee<'a>> {
    match (escalation, rotation) {
        (Some(login), _) => Some(Assignee::Person(login)),
        (None, Some(rotation)) => Some(Assignee::OnDuty(rotation)),
        (None, None) => None,
    }
}

impl Validate for IncidentsConfig {
    fn validate(&self, report: &mut Report<'_>) {
        match &self.repo {
            Some(repo) => {
                if let Err(e) = parse_repo(repo) {
                    report.error("repo", e);
                }
            }
            None => {
                for (name, intake) in [
                    ("alertmanager", &self.alertmanager),
                    ("pingdom", &self.pingdom),
                ] {
                    if !intake.tokens.is_empty() {
                        report.error(
                            &format!("{name}.tokens"),
                            "tokens are set but no `repo` says where incidents go",
                        );
                    }
                }
            }
        }
        check_people(
            report,
            &self.labels,
            &self.escalation,
            &self.rotation,
            &self.notify,
        );
        for (i, route) in self.routes.iter().enumerate() {
            let at = format!("routes[{i}]");
            if route.when.is_empty() {
                report.error(
                    &format!("{at}.when"),
                    "name a `source`, `labels` or a `check`",
                );
            }
            if let Err(e) = parse_repo(&route.repo) {
                report.error(&format!("{at}.repo"), e);
            }
            let labels = route.labels.as_deref().unwrap_or_default();
            let notify = route.notify.as_deref().unwrap_or_default();
            let mut scoped = report.scoped(&at);
            check_people(
                &mut scoped,
                labels,
                &route.escalation,
                &route.rotation,
                notify,
            );
        }
        if self.reopen_window_minutes > MAX_REOPEN_WINDOW_MINUTES {
            report.error(
                "reopen_window_minutes",
                format!("must be at most {MAX_REOPEN_WINDOW_MINUTES} (30 days)"),
            );
        }
        template::validate(report, self.title.as_ref(), DEFAULT_TITLE, "incident title");
        template::validate(report, self.body.as_ref(), DEFAULT_BODY, "incident body");
    }
}

/// Labels (no two of one scope), escalation or rotation (not both), logins to notify.
fn check_people(
    report: &mut Report<'_>,
    labels: &[String],
    escalation: &Option<String>,
    rotation: &Option<Rotation>,
    notify: &[String],
) {
    for (i, label) in labels.iter().enumerate() {
        if label.trim().is_empty() {
            report.error(&format!("labels[{i}]"), "a label must not be empty");
        }
        let scope = crate::command::scope_of(label);
        let twin = labels[..i]
            .iter()
            .find(|l| scope.is_some() && crate::command::scope_of(l) == scope);
        if let Some(twin) = twin {
            report.error(
                &format!("labels[{i}]"),
                format!("`{label}` and `{twin}` share a scope: an issue keeps only one of them"),
            );
        }
    }
    if escalation.is_some() && rotation.is_some() {
        report.error("rotation", "set `escalation` or `rotation`, not both");
    }
    for (field, login) in escalation
        .iter()
        .map(|l| ("escalation".to_string(), l))
        .chain(
            notify
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("notify[{i}]"), l)),
        )
    {
        let bare = login.trim_start_matches('@');
        if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c == ',') {
            report.error(&field, format!("invalid login `{login}`"));
        }
    }
}

/// Text, or nothing when absent or empty (as `${NAME:-}` expands to).
fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

/// A login, or nothing when absent or empty; a leading `@` is dropped.
fn optional_login<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(optional_text(d)?.map(|t| t.trim_start_matches('@').to_string()))
}

#[cfg(test)]
mod tests;
