//! Monitoring alerts, forgehand's third source of events beside the forges' webhooks:
//! Prometheus Alertmanager's webhook (version 4) and Pingdom's state-change webhook, each
//! decoded into one neutral [`Alert`]. The alert ingress stores them under the forge of the
//! repository they are routed to, with the source's name as the event name.

pub mod alertmanager;
pub mod pingdom;

use super::{Actor, DecodeError, Decoded, Event, EventKind};
use crate::model::ForgeKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Hex digits of a SHA-256 kept in identities and digests: short enough to read, long
/// enough (64 bits) that two alert groups or two notifications do not collide.
const HASH_HEX_LEN: usize = 16;

/// Where an alert came from. Its name is the endpoint (`/webhooks/alerts/<name>`) and the
/// event name its deliveries are stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumIter)]
#[serde(rename_all = "lowercase")]
pub enum AlertSource {
    Alertmanager,
    Pingdom,
}

impl AlertSource {
    /// `alertmanager`, `pingdom`: in URLs, event names, markers and the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSource::Alertmanager => "alertmanager",
            AlertSource::Pingdom => "pingdom",
        }
    }

    /// The name people read: `Alertmanager`, `Pingdom`.
    pub fn display_name(self) -> &'static str {
        match self {
            AlertSource::Alertmanager => "Alertmanager",
            AlertSource::Pingdom => "Pingdom",
        }
    }

    /// The source whose event name is `event`, if any.
    pub fn from_event(event: &str) -> Option<AlertSource> {
        <AlertSource as strum::IntoEnumIterator>::iter().find(|s| s.as_str() == event)
    }
}

impl std::str::FromStr for AlertSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertSource::from_event(s)
            .ok_or_else(|| format!("unknown alert source `{s}` (expected alertmanager or pingdom)"))
    }
}

/// Whether the trouble is on or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    Firing,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// A link an alert carries (its source graph, a runbook, the checked URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLink {
    pub title: String,
    pub url: String,
}

/// One alert of a notification (Alertmanager groups several; Pingdom sends one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertItem {
    /// Alertmanager's fingerprint, Pingdom's check id.
    pub fingerprint: String,
    pub status: AlertStatus,
    pub summary: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Where the alert comes from (Prometheus' graph, the checked URL).
    pub url: Option<String>,
}

/// One notification of a monitoring system, as forgehand acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub source: AlertSource,
    /// `alertmanager:<hash of the group key>` or `pingdom:<check id>`: one incident per
    /// identity while it is open (another alert of the same group is the same incident).
    pub identity: String,
    pub status: AlertStatus,
    /// When the trouble started: the earliest start of the alerts concerned. `None` for a
    /// recovery that does not say (Pingdom names only the moment of the change).
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended, for a resolved alert: the latest end.
    pub ended_at: Option<DateTime<Utc>>,
    /// What is down, in one line.
    pub summary: String,
    /// The name of the Pingdom check (routes may match it).
    pub check: Option<String>,
    /// Labels common to the notification's alerts (Pingdom: check id, name, type, …).
    pub labels: BTreeMap<String, String>,
    /// Annotations common to the notification's alerts (Pingdom: the descriptions, probes).
    pub annotations: BTreeMap<String, String>,
    pub links: Vec<AlertLink>,
    pub alerts: Vec<AlertItem>,
    /// Alerts the sender left out (Alertmanager's `truncatedAlerts`).
    pub truncated: u64,
    /// A short hash of the notification's bytes: what forgehand writes about it carries it,
    /// so that a job run again does not write it twice.
    pub digest: String,
}

/// What a monitoring payload says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Alert(Box<Alert>),
    /// Well-formed, but nothing forgehand acts on (e.g. a Pingdom check going `UNKNOWN`).
    Ignored(String),
}

/// Read a payload of `source`.
pub fn parse(source: AlertSource, body: &[u8]) -> Result<Notice, DecodeError> {
    let digest = short_hash(body);
    match source {
        AlertSource::Alertmanager => alertmanager::parse(body, digest),
        AlertSource::Pingdom => pingdom::parse(body, digest),
    }
}

/// A stored alert delivery as an event of `forge` (the forge of the repository the ingress
/// routed it to). The event names no repository: `decide` routes the alert again.
pub fn decode(forge: ForgeKind, source: AlertSource, body: &[u8]) -> Result<Decoded, DecodeError> {
    let alert = match parse(source, body)? {
        Notice::Alert(alert) => *alert,
        Notice::Ignored(why) => return Ok(Decoded::Ignored(why)),
    };
    Ok(Decoded::Event(Box::new(Event {
        forge,
        repo: None,
        actor: Actor {
            login: String::new(),
            id: None,
            is_bot: true,
        },
        kind: EventKind::Alert { alert },
    })))
}

/// The delivery id of an alert payload: the source and a hash of the bytes, so that a
/// notification sent again is known as a redelivery.
pub fn delivery_id(source: AlertSource, body: &[u8]) -> String {
    format!(
        "{}:sha256:{}",
        source.as_str(),
        hex::encode(Sha256::digest(body))
    )
}

/// The first [`HASH_HEX_LEN`] hex digits of the SHA-256 of `bytes`.
pub(crate) fn short_hash(bytes: &[u8]) -> String {
    let mut hex = hex::encode(Sha256::digest(bytes));
    hex.truncate(HASH_HEX_LEN);
    hex
}

/// Links among `annotations`: each value of a key ending in `_url` (`runbook_url`,
/// `dashboard_url`) that is an http(s) URL, titled after the key.
pub(crate) fn annotation_links(annotations: &BTreeMap<String, String>) -> Vec<AlertLink> {
    annotations
        .iter()
        .filter(|(key, url)| {
            key.ends_with("_url") && (url.starts_with("https://") || url.starts_with("http://"))
        })
        .map(|(key, url)| AlertLink {
            title: key.trim_end_matches("_url").replace('_', " "),
            url: url.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
