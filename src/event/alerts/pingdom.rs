//! Pingdom's state-change webhook: one check (uptime or transaction) moved between `UP` /
//! `SUCCESS` and `DOWN` / `FAILING`. The check is the incident: its id is the identity, its
//! name is what routes may match.

use super::{Alert, AlertItem, AlertLink, AlertSource, AlertStatus, Notice};
use crate::event::DecodeError;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The notification as Pingdom sends it (fields forgehand reads).
#[derive(Debug, Deserialize)]
struct Payload {
    check_id: u64,
    check_name: String,
    #[serde(default)]
    check_type: String,
    #[serde(default)]
    check_params: CheckParams,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    previous_state: String,
    current_state: String,
    #[serde(default)]
    importance_level: String,
    state_changed_timestamp: Option<i64>,
    #[serde(default)]
    state_changed_utc_time: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    long_description: String,
    first_probe: Option<Probe>,
    second_probe: Option<Probe>,
}

#[derive(Debug, Default, Deserialize)]
struct CheckParams {
    #[serde(default)]
    full_url: String,
    #[serde(default)]
    hostname: String,
}

#[derive(Debug, Deserialize)]
struct Probe {
    #[serde(default)]
    location: String,
}

/// `DOWN` / `FAILING` (uptime / transaction checks) fire; `UP` / `SUCCESS` resolve.
fn status(state: &str) -> Option<AlertStatus> {
    match state.to_ascii_uppercase().as_str() {
        "DOWN" | "FAILING" => Some(AlertStatus::Firing),
        "UP" | "SUCCESS" => Some(AlertStatus::Resolved),
        _ => None,
    }
}

/// When the state changed: the Unix timestamp, else the UTC time without zone.
fn changed_at(payload: &Payload) -> Result<DateTime<Utc>, DecodeError> {
    if let Some(at) = payload
        .state_changed_timestamp
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
    {
        return Ok(at);
    }
    NaiveDateTime::parse_from_str(&payload.state_changed_utc_time, "%Y-%m-%dT%H:%M:%S")
        .map(|t| t.and_utc())
        .map_err(|_| {
            DecodeError("the Pingdom notification does not say when the state changed".into())
        })
}

pub(super) fn parse(body: &[u8], digest: String) -> Result<Notice, DecodeError> {
    let payload: Payload = serde_json::from_slice(body)?;
    let name = payload.check_name.trim();
    let Some(status) = status(&payload.current_state) else {
        return Ok(Notice::Ignored(format!(
            "Pingdom check `{name}` went from `{}` to `{}`: neither an outage nor a recovery",
            payload.previous_state, payload.current_state
        )));
    };
    let at = changed_at(&payload)?;
    let (started_at, ended_at) = match status {
        AlertStatus::Firing => (Some(at), None),
        AlertStatus::Resolved => (None, Some(at)),
    };
    let summary = match (status, payload.description.trim()) {
        (AlertStatus::Firing, "") => format!("{name} is down"),
        (AlertStatus::Firing, why) => format!("{name} is down: {why}"),
        (AlertStatus::Resolved, _) => format!("{name} is up"),
    };
    let url = Some(payload.check_params.full_url.clone()).filter(|u| !u.is_empty());
    let mut labels = BTreeMap::from([
        ("check_id".to_string(), payload.check_id.to_string()),
        ("check_name".to_string(), name.to_string()),
    ]);
    for (key, value) in [
        ("check_type", &payload.check_type),
        ("importance_level", &payload.importance_level),
        ("hostname", &payload.check_params.hostname),
    ] {
        if !value.is_empty() {
            labels.insert(key.to_string(), value.clone());
        }
    }
    if !payload.tags.is_empty() {
        labels.insert("tags".into(), payload.tags.join(", "));
    }
    let mut annotations = BTreeMap::new();
    for (key, value) in [
        ("description", &payload.description),
        ("long_description", &payload.long_description),
    ] {
        if !value.trim().is_empty() {
            annotations.insert(key.to_string(), value.trim().to_string());
        }
    }
    let probes: Vec<&str> = [&payload.first_probe, &payload.second_probe]
        .into_iter()
        .flatten()
        .map(|p| p.location.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    if !probes.is_empty() {
        annotations.insert("probes".into(), probes.join("; "));
    }
    let links = url
        .iter()
        .map(|url| AlertLink {
            title: "checked URL".into(),
            url: url.clone(),
        })
        .collect();
    Ok(Notice::Alert(Box::new(Alert {
        source: AlertSource::Pingdom,
        identity: format!("pingdom:{}", payload.check_id),
        status,
        started_at,
        ended_at,
        summary: summary.clone(),
        check: Some(name.to_string()),
        labels,
        annotations,
        links,
        alerts: vec![AlertItem {
            fingerprint: payload.check_id.to_string(),
            status,
            summary,
            started_at,
            ended_at,
            url,
        }],
        truncated: 0,
        digest,
    })))
}
