//! A firing of a scheduled rule (`schedules:`), as the scheduler stores it and the worker
//! decodes it: forgehand's own event source, beside the forges' webhooks.

use super::{Actor, DecodeError, Decoded, Event, EventKind, Repo};
use crate::model::ForgeKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The event name of a firing, as stored with its job.
pub const SCHEDULE_EVENT: &str = "forgehand:schedule";

/// The stored payload of one firing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    pub schedule: String,
    pub slot: DateTime<Utc>,
    pub repo: String,
}

impl Firing {
    /// The job key of this firing: the same firing always gets the same key.
    pub fn id(&self) -> String {
        format!(
            "schedule:{}:{}:{}",
            self.schedule,
            self.slot.format("%Y-%m-%dT%H:%MZ"),
            self.repo
        )
    }

    /// The stored payload.
    pub fn body(&self) -> Vec<u8> {
        // Serializing a struct of strings and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A stored firing back as an event.
pub fn decode_firing(forge: ForgeKind, body: &[u8]) -> Result<Decoded, DecodeError> {
    let firing: Firing = serde_json::from_slice(body)?;
    Ok(Decoded::Event(Box::new(Event {
        forge,
        repo: Some(Repo {
            path: firing.repo,
            id: None,
            default_branch: None,
            url: None,
            installation_id: None,
        }),
        actor: Actor {
            login: String::new(),
            id: None,
            is_bot: false,
        },
        kind: EventKind::Scheduled {
            schedule: firing.schedule,
            slot: firing.slot,
        },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn firing_ids_are_stable() {
        let firing = Firing {
            schedule: "weekly".into(),
            slot: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
            repo: "o/r".into(),
        };
        assert_eq!(firing.id(), "schedule:weekly:2026-11-23T09:00Z:o/r");
    }

    #[test]
    fn a_bad_firing_body_is_a_decode_error() {
        assert!(decode_firing(ForgeKind::Github, b"{}").is_err());
    }
}
