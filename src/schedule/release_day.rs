//! The release-day scheduler: every [`TICK`](super::runner::TICK) it stores a job for each
//! release-day step due since its last look — the call at `release_day.at` and, on a
//! production train, the train at `production_train.at` of each calendar date, for each
//! configured repository. A job's id is the repository, the step and the date, so a firing
//! seen twice (a restart, a second replica, a changed time of day) is stored once. Firings
//! missed while forgehand was down are made up to `catch_up_hours` late, never older ones.

use super::{parse_repo, KnownRepo, KnownRepos};
use crate::config::release::ReleaseConfig;
use crate::event::release_day::{DayFiring, DayStep, RELEASE_DAY_EVENT};
use crate::model::ForgeKind;
use crate::store::{Inserted, NewDelivery, Store, StoreError};
use chrono::{DateTime, Duration as Span, Utc};
use std::sync::Arc;
use tokio::sync::{watch, Notify};

/// However small the catch-up, a firing this late is still on time (ticks are 20 s apart,
/// and a tick may wait for the store).
pub const ON_TIME: Span = Span::minutes(5);

/// The release-day firings due in `(after, until]`, oldest first; `after` is first moved up
/// to the catch-up bound (`until` − `catch_up_hours`, and at least [`ON_TIME`] back).
pub fn due(
    release: &ReleaseConfig,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<(ForgeKind, DayFiring)> {
    let (Some(day), Some(calendar)) = (&release.release_day, &release.calendar) else {
        return Vec::new();
    };
    if !release.enabled {
        return Vec::new();
    }
    let catch_up = Span::hours(i64::from(day.catch_up_hours)).max(ON_TIME);
    let after = after.max(until - catch_up);
    let mut steps = vec![(DayStep::Release, day.call_time())];
    if let Some(at) = day.train_time() {
        steps.push((DayStep::Train, at));
    }
    let mut out = Vec::new();
    let mut date = after.date_naive();
    while date <= until.date_naive() {
        let acts = day.from.is_none_or(|from| date >= from) && calendar.is_release_day(date);
        for (step, at) in steps.iter().filter(|_| acts) {
            let slot = date.and_time(*at).and_utc();
            if slot <= after || slot > until {
                continue;
            }
            for repo in &day.repos {
                // Validated when the configuration loaded.
                let Ok((forge, path)) = parse_repo(repo) else {
                    continue;
                };
                let firing = DayFiring {
                    step: *step,
                    date,
                    slot,
                    repo: path.to_string(),
                };
                out.push((forge, firing));
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    out.sort_by_key(|(_, f)| f.slot);
    out
}

/// The job of one firing, keyed so that the same firing is stored once.
pub fn day_delivery(forge: ForgeKind, firing: &DayFiring, now_ms: i64) -> NewDelivery {
    NewDelivery {
        forge,
        delivery_id: firing.id(),
        event: RELEASE_DAY_EVENT.to_string(),
        body: firing.body(),
        received_at: now_ms,
    }
}

/// Store the jobs of every release-day firing in `(after, until]`; returns how many were new.
pub async fn enqueue_due(
    release: &ReleaseConfig,
    store: &dyn Store,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut new = 0;
    for (forge, firing) in due(release, after, until) {
        let delivery = day_delivery(forge, &firing, until.timestamp_millis());
        if store.insert(delivery).await? == Inserted::New {
            tracing::info!(step = firing.step.as_str(), date = %firing.date, repo = %firing.repo, "release day fired");
            new += 1;
        }
    }
    Ok(new)
}

/// Store the jobs of the release-day firings in `(after, until]` of each of `known` whose
/// own configuration (its `.forgehand.yml` or `repos:` entry) has a release day, each in
/// that repository only; returns how many were new.
pub async fn enqueue_known(
    known: &[KnownRepo],
    store: &dyn Store,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut new = 0;
    for (forge, path, config) in known {
        let own = due(&config.release, after, until)
            .into_iter()
            .filter(|(f, firing)| f == forge && firing.repo == *path);
        for (forge, firing) in own {
            let delivery = day_delivery(forge, &firing, until.timestamp_millis());
            if store.insert(delivery).await? == Inserted::New {
                tracing::info!(step = firing.step.as_str(), date = %firing.date, forge = forge.as_str(), repo = %firing.repo, "repository release day fired");
                new += 1;
            }
        }
    }
    Ok(new)
}

/// Run until `stop` turns true: the server file's release day (when it has one) and those
/// of the repositories `known` names on each tick. The first look reaches back as far as
/// catch-up allows (each calendar's own bound applies within it).
pub async fn run(
    release: Arc<ReleaseConfig>,
    known: KnownRepos,
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let catch_up = release
        .release_day
        .as_ref()
        .map_or(0, |d| i64::from(d.catch_up_hours));
    let mut after = crate::clock::now() - Span::hours(catch_up);
    while !*stop.borrow() {
        let until = crate::clock::now();
        let result = async {
            let server = enqueue_due(&release, store.as_ref(), after, until).await?;
            let repos = enqueue_known(&known(), store.as_ref(), after, until).await?;
            Ok::<_, StoreError>(server + repos)
        };
        match result.await {
            Ok(new) => {
                after = until;
                if new > 0 {
                    wake.notify_one();
                }
            }
            // `after` stays (within the catch-up bound): the next tick tries again.
            Err(e) => tracing::error!(error = %e, "cannot store release-day firings"),
        }
        tokio::select! {
            _ = tokio::time::sleep(super::runner::TICK) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn release(extra: &str) -> ReleaseConfig {
        let yaml = format!(
            "release:\n  enabled: true\n  calendar:\n    cadence: {{weekly: {{monday: minor, thursday: patch}}}}\n    holidays: [2030-01-10]\n    on_holiday: skip\n  deploy_requests: {{project: acme/ops}}\n  release_day:\n    repos: [\"github:acme/app\", \"gitlab:acme/svc\"]\n{extra}"
        );
        crate::config::Config::from_str(&yaml, "t.yml", &|_| None)
            .unwrap()
            .release
    }

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, d, h, m, 0).unwrap()
    }

    fn spell(due: &[(ForgeKind, DayFiring)]) -> Vec<String> {
        due.iter()
            .map(|(forge, f)| format!("{forge} {}", f.id()))
            .collect()
    }

    #[test]
    fn firings_come_at_their_time_on_release_dates() {
        let plain = release("");
        let train = release("    at: \"08:30\"\n    production_train: {at: \"10:00\"}\n");
        // 2030-01-07 is a Monday; Thursday 2030-01-10 is a holiday (skipped).
        type Case<'a> = (
            &'a ReleaseConfig,
            DateTime<Utc>,
            DateTime<Utc>,
            Vec<&'a str>,
        );
        let cases: Vec<Case<'_>> = vec![
            (&plain, at(7, 0, 0), at(7, 8, 59), vec![]),
            (
                &plain,
                at(7, 0, 0),
                at(7, 9, 0),
                vec![
                    "github release-day:release:2030-01-07:acme/app",
                    "gitlab release-day:release:2030-01-07:acme/svc",
                ],
            ),
            (&plain, at(7, 9, 0), at(7, 23, 0), vec![]),
            (&plain, at(9, 0, 0), at(11, 0, 0), vec![]),
            (
                &train,
                at(7, 8, 0),
                at(7, 10, 0),
                vec![
                    "github release-day:release:2030-01-07:acme/app",
                    "gitlab release-day:release:2030-01-07:acme/svc",
                    "github release-day:train:2030-01-07:acme/app",
                    "gitlab release-day:train:2030-01-07:acme/svc",
                ],
            ),
            (
                &train,
                at(7, 9, 0),
                at(7, 10, 0),
                vec![
                    "github release-day:train:2030-01-07:acme/app",
                    "gitlab release-day:train:2030-01-07:acme/svc",
                ],
            ),
        ];
        for (config, after, until, want) in cases {
            assert_eq!(spell(&due(config, after, until)), want, "{after}..{until}");
        }
    }

    #[test]
    fn catch_up_is_bounded() {
        let plain = release("    catch_up_hours: 2\n");
        // Down from Sunday to Monday 10:30: the 09:00 firing is 1.5 hours late, still made.
        assert_eq!(due(&plain, at(6, 0, 0), at(7, 10, 30)).len(), 2);
        // Down until Monday 12:00: three hours late is too late.
        assert!(due(&plain, at(6, 0, 0), at(7, 12, 0)).is_empty());
        // Without catch-up, only a firing within minutes of its time is made.
        let none = release("    catch_up_hours: 0\n");
        assert_eq!(due(&none, at(7, 9, 0), at(7, 9, 1)).len(), 0);
        assert_eq!(due(&none, at(7, 8, 59), at(7, 9, 1)).len(), 2);
        assert!(due(&none, at(6, 0, 0), at(7, 9, 30)).is_empty());
        // A week down catches up only the last day.
        let week = release("    catch_up_hours: 24\n");
        let found = spell(&due(&week, at(1, 0, 0), at(15, 8, 0)));
        assert_eq!(
            found,
            [
                "github release-day:release:2030-01-14:acme/app",
                "gitlab release-day:release:2030-01-14:acme/svc"
            ]
        );
    }

    #[test]
    fn nothing_fires_before_from() {
        let later = release("    from: 2030-01-08\n");
        assert!(due(&later, at(7, 0, 0), at(7, 10, 0)).is_empty());
        assert_eq!(due(&later, at(14, 0, 0), at(14, 10, 0)).len(), 2);
    }
}
