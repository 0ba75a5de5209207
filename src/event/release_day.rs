//! A release-day firing (`release.release_day:`), as the scheduler stores it and the worker
//! decodes it: forgehand's own event source, keyed by repository, step and date so that each
//! date acts once.

use super::{Actor, DecodeError, Decoded, Event, EventKind, Repo};
use crate::model::ForgeKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The event name of a release-day firing, as stored with its job.
pub const RELEASE_DAY_EVENT: &str = "forgehand:release-day";

/// Which of the release day's steps a firing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DayStep {
    /// Call the release manager (or note that nothing changed).
    Release,
    /// The production train: request production when staging is ahead.
    Train,
}

impl DayStep {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The stored payload of one release-day firing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFiring {
    pub step: DayStep,
    /// The calendar date it acts for.
    pub date: NaiveDate,
    /// When it was due (the date at the configured time, UTC).
    pub slot: DateTime<Utc>,
    pub repo: String,
}

impl DayFiring {
    /// The job key: one per repository, step and date, whatever the time it fires at.
    pub fn id(&self) -> String {
        format!(
            "release-day:{}:{}:{}",
            self.step.as_str(),
            self.date,
            self.repo
        )
    }

    /// The stored payload.
    pub fn body(&self) -> Vec<u8> {
        // Serializing strings, a date and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A stored firing back as an event.
pub fn decode_day(forge: ForgeKind, body: &[u8]) -> Result<Decoded, DecodeError> {
    let firing: DayFiring = serde_json::from_slice(body)?;
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
        kind: EventKind::ReleaseDay {
            step: firing.step,
            date: firing.date,
            slot: firing.slot,
        },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn firing_ids_are_keyed_by_step_date_and_repo() {
        let firing = DayFiring {
            step: DayStep::Release,
            date: NaiveDate::from_ymd_opt(2030, 1, 7).unwrap(),
            slot: Utc.with_ymd_and_hms(2030, 1, 7, 9, 0, 0).unwrap(),
            repo: "o/r".into(),
        };
        assert_eq!(firing.id(), "release-day:release:2030-01-07:o/r");
        // Another time of day (the configuration changed) is the same firing.
        let later = DayFiring {
            slot: Utc.with_ymd_and_hms(2030, 1, 7, 11, 0, 0).unwrap(),
            ..firing.clone()
        };
        assert_eq!(later.id(), firing.id());
        let Ok(Decoded::Event(event)) =
            crate::event::decode(ForgeKind::Gitlab, RELEASE_DAY_EVENT, &firing.body())
        else {
            panic!("a firing decodes");
        };
        assert_eq!(event.repo.unwrap().path, "o/r");
        assert!(matches!(
            event.kind,
            EventKind::ReleaseDay {
                step: DayStep::Release,
                ..
            }
        ));
        assert!(decode_day(ForgeKind::Github, b"{}").is_err());
    }

    #[test]
    fn a_forge_webhook_cannot_pose_as_a_release_day() {
        assert!(crate::event::is_own_source(RELEASE_DAY_EVENT));
        let stored = crate::event::foreign_event_name(RELEASE_DAY_EVENT);
        assert_eq!(stored, "forge:forgehand:release-day");
        let firing = DayFiring {
            step: DayStep::Train,
            date: NaiveDate::from_ymd_opt(2030, 1, 7).unwrap(),
            slot: Utc.with_ymd_and_hms(2030, 1, 7, 10, 0, 0).unwrap(),
            repo: "o/r".into(),
        };
        for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
            let decoded = crate::event::decode(forge, &stored, &firing.body());
            assert!(
                !matches!(decoded, Ok(Decoded::Event(ref e)) if matches!(e.kind, EventKind::ReleaseDay { .. })),
                "{forge:?}: {decoded:?}"
            );
        }
    }
}
