//! The scheduler: a task of the server that, every [`TICK`], stores a job for each firing of
//! each schedule since its last look. A firing's job id is derived from the schedule, the time
//! slot and the repository, so a firing seen twice (a restart, several replicas) is stored
//! once and processed once.

use super::{due_slots, firing_delivery, parse_repo, Firing, KnownRepo, KnownRepos, Schedule};
use crate::store::{Inserted, Store, StoreError};
use chrono::{DateTime, Duration as Span, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How often the scheduler looks for due firings.
pub const TICK: Duration = Duration::from_secs(20);
/// At start-up, firings of this recent past that were missed (the server was down) are still
/// made; older ones are not.
pub const CATCH_UP: Span = Span::hours(1);

/// Store the jobs of every firing in `(after, until]`; returns how many were new.
pub async fn enqueue_due(
    schedules: &[Schedule],
    store: &dyn Store,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut new = 0;
    for schedule in schedules {
        for slot in due_slots(&schedule.cron, after, until) {
            for repo in &schedule.repos {
                // Validated when the configuration loaded.
                let Ok((forge, path)) = parse_repo(repo) else {
                    continue;
                };
                let firing = Firing {
                    schedule: schedule.id.as_str().to_string(),
                    slot,
                    repo: path.to_string(),
                };
                let delivery = firing_delivery(forge, &firing, until.timestamp_millis());
                if store.insert(delivery).await? == Inserted::New {
                    tracing::info!(schedule = %firing.schedule, %slot, repo = %repo, "schedule fired");
                    new += 1;
                }
            }
        }
    }
    Ok(new)
}

/// Store the jobs of every firing in `(after, until]` of the schedules each of `known`
/// carries in its own configuration (from its `.forgehand.yml` or `repos:` entry), each in
/// that repository only; returns how many were new. A firing the server file's schedules
/// stored already is not stored twice (the same job key).
pub async fn enqueue_known(
    known: &[KnownRepo],
    store: &dyn Store,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut new = 0;
    for (forge, path, config) in known {
        for schedule in config.schedules.iter().filter(|s| s.covers(*forge, path)) {
            for slot in due_slots(&schedule.cron, after, until) {
                let firing = Firing {
                    schedule: schedule.id.as_str().to_string(),
                    slot,
                    repo: path.clone(),
                };
                let delivery = firing_delivery(*forge, &firing, until.timestamp_millis());
                if store.insert(delivery).await? == Inserted::New {
                    tracing::info!(schedule = %firing.schedule, %slot, forge = forge.as_str(), repo = %path, "repository schedule fired");
                    new += 1;
                }
            }
        }
    }
    Ok(new)
}

/// Run until `stop` turns true: the server file's `schedules`, and those of the
/// repositories `known` names on each tick.
pub async fn run(
    schedules: Arc<Vec<Schedule>>,
    known: KnownRepos,
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut after = crate::clock::now() - CATCH_UP;
    while !*stop.borrow() {
        let until = crate::clock::now();
        let result = async {
            let server = enqueue_due(&schedules, store.as_ref(), after, until).await?;
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
            // `after` stays: the next tick tries these firings again.
            Err(e) => tracing::error!(error = %e, "cannot store scheduled firings"),
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => {}
        }
    }
}
