//! Prometheus Alertmanager's webhook payload, version 4 (the `webhook_config` receiver): a
//! group of alerts with their status, labels, annotations, fingerprints and times. The
//! group is the incident: its key is the identity, its common labels are what routes it.

use super::{annotation_links, short_hash, Alert, AlertItem, AlertLink, AlertSource};
use super::{AlertStatus, Notice};
use crate::event::DecodeError;
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The payload version forgehand reads.
pub const VERSION: &str = "4";

/// The notification as Alertmanager sends it (fields forgehand reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    version: String,
    #[serde(default)]
    group_key: String,
    #[serde(default)]
    truncated_alerts: u64,
    status: String,
    #[serde(default)]
    group_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_annotations: BTreeMap<String, String>,
    #[serde(rename = "externalURL", default)]
    external_url: String,
    alerts: Vec<WireAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    #[serde(rename = "generatorURL", default)]
    generator_url: String,
    #[serde(default)]
    fingerprint: String,
}

fn status(word: &str) -> Result<AlertStatus, DecodeError> {
    match word {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(DecodeError(format!(
            "unknown Alertmanager status `{other}` (expected firing or resolved)"
        ))),
    }
}

/// Alertmanager writes Go's zero time (`0001-01-01T00:00:00Z`) for "not set".
fn set(time: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    time.filter(|t| t.year() > 1)
}

/// An alert in one line: its summary annotation, else its name and instance.
fn alert_summary(
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
) -> String {
    if let Some(summary) = annotations.get("summary").filter(|s| !s.trim().is_empty()) {
        return summary.trim().to_string();
    }
    let name = labels
        .get("alertname")
        .map(String::as_str)
        .unwrap_or("alert");
    match labels.get("instance") {
        Some(instance) => format!("{name} on {instance}"),
        None => name.to_string(),
    }
}

pub(super) fn parse(body: &[u8], digest: String) -> Result<Notice, DecodeError> {
    let payload: Payload = serde_json::from_slice(body)?;
    if payload.version != VERSION {
        return Err(DecodeError(format!(
            "Alertmanager webhook version `{}` is not supported (forgehand reads version {VERSION})",
            payload.version
        )));
    }
    let group_status = status(&payload.status)?;
    if payload.alerts.is_empty() {
        return Err(DecodeError(
            "the Alertmanager notification holds no alert".into(),
        ));
    }
    let mut alerts = Vec::with_capacity(payload.alerts.len());
    for wire in &payload.alerts {
        alerts.push(AlertItem {
            fingerprint: wire.fingerprint.clone(),
            status: status(&wire.status)?,
            summary: alert_summary(&wire.labels, &wire.annotations),
            started_at: set(wire.starts_at),
            ended_at: set(wire.ends_at),
            url: Some(wire.generator_url.clone()).filter(|u| !u.is_empty()),
        });
    }
    // What is down now: the firing alerts of a firing group, all alerts of a resolved one.
    let concerned: Vec<&AlertItem> = alerts
        .iter()
        .filter(|a| group_status == AlertStatus::Resolved || a.status == AlertStatus::Firing)
        .collect();
    let started_at = concerned.iter().filter_map(|a| a.started_at).min();
    let ended_at = match group_status {
        AlertStatus::Resolved => alerts.iter().filter_map(|a| a.ended_at).max(),
        AlertStatus::Firing => None,
    };
    let summary = group_summary(&payload, &alerts, concerned.len());
    let mut links = annotation_links(&payload.common_annotations);
    if !payload.external_url.is_empty() {
        links.push(AlertLink {
            title: "Alertmanager".into(),
            url: payload.external_url.clone(),
        });
    }
    // The group key names the group; without one, its labels do.
    let key = if payload.group_key.is_empty() {
        format!("{:?}", payload.group_labels)
    } else {
        payload.group_key.clone()
    };
    Ok(Notice::Alert(Box::new(Alert {
        source: AlertSource::Alertmanager,
        identity: format!("alertmanager:{}", short_hash(key.as_bytes())),
        status: group_status,
        started_at,
        ended_at,
        summary,
        check: None,
        labels: payload.common_labels,
        annotations: payload.common_annotations,
        links,
        alerts,
        truncated: payload.truncated_alerts,
        digest,
    })))
}

/// The group in one line: the common summary, else the only alert's, else the group's name
/// and how many of its alerts are concerned (firing, or resolved in a resolved group).
fn group_summary(payload: &Payload, alerts: &[AlertItem], concerned: usize) -> String {
    if let Some(summary) = payload
        .common_annotations
        .get("summary")
        .filter(|s| !s.trim().is_empty())
    {
        return summary.trim().to_string();
    }
    if let [only] = alerts {
        return only.summary.clone();
    }
    let name = payload
        .group_labels
        .get("alertname")
        .or_else(|| payload.common_labels.get("alertname"))
        .cloned()
        .unwrap_or_else(|| "alert group".into());
    let scope: Vec<String> = payload
        .group_labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let what = if scope.is_empty() {
        name
    } else {
        format!("{name} ({})", scope.join(", "))
    };
    let plural = if concerned == 1 { "" } else { "s" };
    format!("{what}: {concerned} alert{plural}")
}
