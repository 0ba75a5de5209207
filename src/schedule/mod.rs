//! Scheduled rules: cron expressions in UTC that fire a rule per repository (e.g. every Monday
//! 09:00, a summary issue listing the open issues still in `flow::Triage`). The runner turns
//! each firing into a job in the store, keyed by schedule, time slot and repository, so that
//! each firing is processed exactly once, also across restarts and replicas.

pub mod runner;

use crate::config::{CronSchedule, Ident, Report, Validate};
use crate::event::{Actor, DecodeError, Decoded, Event, EventKind, ForgeKind, Repo};
use crate::store::NewDelivery;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The event name of a firing, as stored with its job.
pub const SCHEDULE_EVENT: &str = "forgehand:schedule";
/// Most firings of one schedule enqueued per tick (a very frequent cron after a long pause).
const MAX_SLOTS_PER_TICK: usize = 100;

/// `schedules:` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Identifier: at most 20 characters, lowercase letters, digits and dashes.
    pub id: Ident,
    /// When, in UTC: `minute hour day month weekday` (`0 9 * * MON`).
    pub cron: CronSchedule,
    /// Where it runs: `github:owner/name` or `gitlab:group/project`.
    pub repos: Vec<String>,
    /// File a summary issue of the open issues carrying a label.
    pub summary_issue: SummaryIssue,
}

/// A summary issue listing open issues that carry `label`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryIssue {
    /// Open issues carrying this label are listed.
    pub label: String,
    /// Title; `{date}` is replaced by the firing's date (YYYY-MM-DD).
    pub title: String,
    /// Labels of the summary issue. Default none.
    #[serde(default)]
    pub labels: Vec<String>,
    /// File the issue even when nothing carries the label. Default false.
    #[serde(default)]
    pub when_empty: bool,
}

impl Validate for Schedule {
    fn validate(&self, report: &mut Report<'_>) {
        if self.repos.is_empty() {
            report.error("repos", "a schedule needs at least one repository");
        }
        for (i, repo) in self.repos.iter().enumerate() {
            if let Err(e) = parse_repo(repo) {
                report.error(&format!("repos[{i}]"), e);
            }
        }
        if self.summary_issue.label.trim().is_empty() {
            report.error("summary_issue.label", "the label must not be empty");
        }
    }
}

/// `github:owner/name` / `gitlab:group/project` → forge and path.
pub fn parse_repo(text: &str) -> Result<(ForgeKind, &str), String> {
    let (forge, path) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: write github:OWNER/NAME or gitlab:GROUP/PROJECT"))?;
    let forge: ForgeKind = forge.parse()?;
    if path.is_empty() || !path.contains('/') || path.starts_with('/') || path.ends_with('/') {
        return Err(format!("`{text}`: `{path}` is not a repository path"));
    }
    Ok((forge, path))
}

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

/// The stored payload of one firing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    pub schedule: String,
    pub slot: DateTime<Utc>,
    pub repo: String,
}

/// The job of one firing, keyed so that the same firing is stored once.
pub fn firing_delivery(forge: ForgeKind, firing: &Firing, now_ms: i64) -> NewDelivery {
    NewDelivery {
        forge,
        delivery_id: firing_id(&firing.schedule, firing.slot, &firing.repo),
        event: SCHEDULE_EVENT.to_string(),
        // Serializing a struct of strings and a timestamp cannot fail.
        body: serde_json::to_vec(firing).unwrap_or_default(),
        received_at: now_ms,
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

/// The job key of one firing: the same firing always gets the same key.
pub fn firing_id(schedule: &str, slot: DateTime<Utc>, repo: &str) -> String {
    format!(
        "schedule:{schedule}:{}:{repo}",
        slot.format("%Y-%m-%dT%H:%MZ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn repos_name_their_forge() {
        assert_eq!(parse_repo("github:o/r"), Ok((ForgeKind::Github, "o/r")));
        assert_eq!(parse_repo("gitlab:g/s/p"), Ok((ForgeKind::Gitlab, "g/s/p")));
        assert!(parse_repo("o/r").is_err());
        assert!(parse_repo("bitbucket:o/r").is_err());
        assert!(parse_repo("github:noslash").is_err());
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
        assert!(decode_firing(ForgeKind::Github, b"{}").is_err());
    }

    #[test]
    fn firing_ids_are_stable() {
        assert_eq!(
            firing_id("weekly", at(2026, 11, 23, 9, 0), "o/r"),
            "schedule:weekly:2026-11-23T09:00Z:o/r"
        );
    }
}
