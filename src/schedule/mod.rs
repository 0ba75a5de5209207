//! Scheduled rules: cron expressions in UTC that fire a rule per repository (e.g. every Monday
//! 09:00, a summary issue listing the open issues still in `flow::Triage`). The runner turns
//! each firing into a job in the store, keyed by schedule, time slot and repository, so that
//! each firing is processed exactly once, also across restarts and replicas. Besides the
//! server file's schedules it runs those of each repository it knows of ([`KnownRepos`]):
//! a repository's `.forgehand.yml` (or `repos:` entry) schedules act in that repository.

pub mod release_day;
pub mod runner;

pub use crate::config::schedule::{parse_repo, Schedule, SummaryIssue};
pub use crate::event::firing::{Firing, SCHEDULE_EVENT};

use crate::config::{Config, CronSchedule};
use crate::model::ForgeKind;
use crate::store::NewDelivery;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A repository forgehand has heard from whose process is its own (a `.forgehand.yml`, a
/// `repos:` entry): forge, path, and its effective configuration.
pub type KnownRepo = (ForgeKind, String, Arc<Config>);

/// Where the scheduler learns, on each tick, the repositories it knows of (the worker's
/// cache of repository configurations), to run their own schedules and release days.
pub type KnownRepos = Arc<dyn Fn() -> Vec<KnownRepo> + Send + Sync>;

/// Most firings of one schedule enqueued per tick (a very frequent cron after a long pause).
const MAX_SLOTS_PER_TICK: usize = 100;

/// The times in `(after, until]` at which `schedule` fires, oldest first.
pub fn due_slots(
    schedule: &CronSchedule,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    schedule
        .schedule()
        .after(&after)
        .take_while(|t| *t <= until)
        .take(MAX_SLOTS_PER_TICK)
        .collect()
}

/// The job of one firing, keyed so that the same firing is stored once.
pub fn firing_delivery(forge: ForgeKind, firing: &Firing, now_ms: i64) -> NewDelivery {
    NewDelivery {
        forge,
        delivery_id: firing.id(),
        event: SCHEDULE_EVENT.to_string(),
        // Serializing a struct of strings and a timestamp cannot fail.
        body: firing.body(),
        received_at: now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Decoded, EventKind};
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn slots_are_the_firings_in_the_window() {
        let monday_nine = CronSchedule::parse("0 9 * * MON").unwrap();
        // 2026-11-23 and 2026-11-30 are Mondays.
        let cases = [
            (at(2026, 11, 22, 0, 0), at(2026, 11, 23, 8, 59), vec![]),
            (
                at(2026, 11, 22, 0, 0),
                at(2026, 11, 23, 9, 0),
                vec![at(2026, 11, 23, 9, 0)],
            ),
            (at(2026, 11, 23, 9, 0), at(2026, 11, 23, 10, 0), vec![]),
            (
                at(2026, 11, 20, 0, 0),
                at(2026, 12, 1, 0, 0),
                vec![at(2026, 11, 23, 9, 0), at(2026, 11, 30, 9, 0)],
            ),
            // Across the year end: 2026-12-28 and 2027-01-04 are Mondays.
            (
                at(2026, 12, 27, 0, 0),
                at(2027, 1, 5, 0, 0),
                vec![at(2026, 12, 28, 9, 0), at(2027, 1, 4, 9, 0)],
            ),
        ];
        for (after, until, want) in cases {
            assert_eq!(
                due_slots(&monday_nine, after, until),
                want,
                "{after} .. {until}"
            );
        }
    }

    #[test]
    fn firings_round_trip_through_the_store_format() {
        let firing = Firing {
            schedule: "weekly".into(),
            slot: at(2026, 11, 23, 9, 0),
            repo: "o/r".into(),
        };
        let d = firing_delivery(ForgeKind::Gitlab, &firing, 5);
        assert_eq!(d.delivery_id, "schedule:weekly:2026-11-23T09:00Z:o/r");
        let Ok(Decoded::Event(event)) = crate::event::decode(ForgeKind::Gitlab, &d.event, &d.body)
        else {
            panic!("a firing decodes to an event");
        };
        assert_eq!(event.repo.unwrap().path, "o/r");
        assert_eq!(
            event.kind,
            EventKind::Scheduled {
                schedule: "weekly".into(),
                slot: at(2026, 11, 23, 9, 0)
            }
        );
    }
}
