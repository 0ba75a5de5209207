//! Background workers: claim a job → decode → gather → decide → execute → record how it ended.

use crate::config::Config;
use crate::decide;
use crate::event::{self, Decoded, Event, EventKind};
use crate::execute::execute;
use crate::forge::{ForgeError, Forges};
use crate::gather::{gather, stored_comment_key, GatherError};
use crate::repo_config::RepoConfigs;
use crate::store::{Job, Outcome, Store};
use crate::telemetry::{JobOutcome, Metrics};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tracing::Instrument;

/// Jobs one worker claims at a time.
const CLAIM_BATCH: usize = 8;
/// How often an idle worker looks for jobs whose lease expired or whose retry time came.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Pause after a store error before claiming again.
const STORE_ERROR_PAUSE: Duration = Duration::from_secs(1);
/// First delay before a job that failed transiently is tried again; doubles per attempt.
const RETRY_BASE: Duration = Duration::from_secs(5);
/// Longest delay between two tries of a job.
const RETRY_MAX: Duration = Duration::from_secs(600);

/// Worker knobs taken from the configuration.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// A claimed job is claimed again by another worker after this long.
    pub lease: Duration,
    /// Tries before a job is marked failed.
    pub max_attempts: i64,
    /// Decide and log, never write to a forge.
    pub dry_run: bool,
}

impl WorkerSettings {
    pub fn from_config(config: &Config) -> Self {
        WorkerSettings {
            lease: Duration::from_secs(config.server.lease_seconds.get()),
            max_attempts: i64::from(config.server.max_attempts.get()),
            dry_run: config.dry_run(),
        }
    }
}

/// What went wrong with a job, and whether trying again may help.
enum JobError {
    Retry(String),
    Fail(String),
}

impl From<GatherError> for JobError {
    fn from(e: GatherError) -> Self {
        match e {
            GatherError::Forge(e) => e.into(),
            GatherError::Store(_) => JobError::Retry(e.to_string()),
        }
    }
}

impl From<ForgeError> for JobError {
    fn from(e: ForgeError) -> Self {
        if e.is_retryable() {
            JobError::Retry(e.to_string())
        } else {
            JobError::Fail(e.to_string())
        }
    }
}

pub struct Worker {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    forges: Forges,
    metrics: Arc<Metrics>,
    settings: WorkerSettings,
    /// Each repository's effective configuration (its `.forgehand.yml` on the default branch).
    repo_configs: RepoConfigs,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        config: Arc<Config>,
        forges: Forges,
        metrics: Arc<Metrics>,
        settings: WorkerSettings,
    ) -> Self {
        let repo_configs = RepoConfigs::new(config.clone(), !settings.dry_run);
        Worker {
            store,
            config,
            repo_configs,
            forges,
            metrics,
            settings,
        }
    }

    /// Claim and process jobs until `stop` turns true.
    pub async fn run(&self, n: usize, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let now = crate::clock::now_ms();
            let jobs = match self
                .store
                .claim(now, self.settings.lease, CLAIM_BATCH)
                .await
            {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(worker = n, error = %e, "cannot claim jobs");
                    tokio::time::sleep(STORE_ERROR_PAUSE).await;
                    continue;
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            for job in jobs {
                self.process(job).await;
            }
        }
    }

    /// Work on one claimed job and record how it ended: done, ignored, failed, or to be
    /// retried later with backoff.
    async fn process(&self, job: Job) {
        let span = tracing::info_span!(
            "job",
            delivery.id = %job.delivery_id,
            forge = job.forge.as_str(),
            repo = tracing::field::Empty,
            event = %job.event,
            attempt = job.attempt,
        );
        let started = Instant::now();
        let outcome = self.handle(&job).instrument(span.clone()).await;
        let _enter = span.enter();
        let recorded = match outcome {
            Ok(outcome) => {
                match &outcome {
                    Outcome::Done => tracing::debug!("job done"),
                    Outcome::Ignored(why) => tracing::debug!(reason = %why, "job ignored"),
                    Outcome::Failed(why) => tracing::warn!(reason = %why, "job failed"),
                }
                self.record(&job, job_outcome(&outcome));
                self.store.finish(job.id, job.attempt, outcome).await
            }
            Err(JobError::Fail(why)) => {
                tracing::warn!(reason = %why, "job failed");
                self.record(&job, JobOutcome::Failed);
                self.store
                    .finish(job.id, job.attempt, Outcome::Failed(why))
                    .await
            }
            Err(JobError::Retry(why)) if job.attempt >= self.settings.max_attempts => {
                let why = format!("gave up after {} attempts: {why}", job.attempt);
                tracing::warn!(reason = %why, "job failed");
                self.record(&job, JobOutcome::Failed);
                self.store
                    .finish(job.id, job.attempt, Outcome::Failed(why))
                    .await
            }
            Err(JobError::Retry(why)) => {
                let delay = retry_delay(job.attempt);
                tracing::warn!(reason = %why, retry_in_s = delay.as_secs(), "job will be retried");
                self.record(&job, JobOutcome::Retry);
                let at = crate::clock::now_ms() + delay.as_millis() as i64;
                self.store.retry_later(job.id, job.attempt, why, at).await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!("job was claimed again meanwhile; this result is dropped"),
            Err(e) => tracing::error!(error = %e, "cannot record the job's outcome"),
        }
        self.metrics.job_time(job.forge, started.elapsed());
    }

    fn record(&self, job: &Job, outcome: JobOutcome) {
        self.metrics.job(job.forge, outcome);
    }

    /// One job, the way through: decode → gather → decide → execute → record. (The claim
    /// is [`Worker::run`]'s; recording the job's outcome is [`Worker::process`]'s.)
    async fn handle(&self, job: &Job) -> Result<Outcome, JobError> {
        let event = match self.decode(job) {
            Ok(event) => event,
            Err(outcome) => return Ok(outcome),
        };
        let forge = self.forges.get(job.forge);
        let config = self
            .repo_configs
            .for_event(&event, forge.as_deref())
            .await?;
        self.repo_configs
            .check_merge_request(&event, forge.as_deref())
            .await;
        let context = gather(&event, &config, self.store.as_ref(), forge.as_deref()).await?;
        let plan = decide::decide(&event, &config, &context, crate::clock::now());
        for note in &plan.notes {
            tracing::info!("{note}");
        }
        match forge {
            _ if plan.is_empty() => {}
            Some(forge) if !self.settings.dry_run => {
                let done = execute(&plan, forge.as_ref(), &self.metrics).await?;
                tracing::info!(actions = done.len(), "plan executed");
            }
            _ => tracing::info!(plan = %plan, "dry run: plan not executed"),
        }
        self.remember_comment(&event).await;
        Ok(Outcome::Done)
    }

    /// The stored delivery as a neutral event, or the outcome of a job that has none to act
    /// on (an ignored kind, a payload that does not decode, an event forgehand caused —
    /// except a release it published, which continues the release chain).
    fn decode(&self, job: &Job) -> Result<Event, Outcome> {
        let event = match event::decode(job.forge, &job.event, &job.body) {
            Ok(Decoded::Event(event)) => *event,
            Ok(Decoded::Ignored(why)) => return Err(Outcome::Ignored(why)),
            Err(e) => return Err(Outcome::Failed(e.0)),
        };
        if let Some(repo) = &event.repo {
            tracing::Span::current().record("repo", repo.path.as_str());
        }
        if self.config.bot.is_self(&event.actor.login) && !decide::acts_on_own(&event) {
            return Err(Outcome::Ignored("caused by forgehand itself".into()));
        }
        Ok(event)
    }

    /// Remember a comment's text once its commands ran, so that an edit runs only the
    /// commands it adds — where the forge's edit events do not carry the previous text
    /// themselves ([`Dialect::comment_edits_carry_previous_text`](crate::event::Dialect)).
    async fn remember_comment(&self, event: &Event) {
        let Some((repo, id)) = stored_comment_key(event) else {
            return;
        };
        let EventKind::Comment { comment, .. } = &event.kind else {
            return;
        };
        if let Err(e) = self
            .store
            .set_comment_body(event.forge, repo, id, &comment.body)
            .await
        {
            tracing::warn!(error = %e, "cannot record the comment's text");
        }
    }
}

/// Delay before try number `attempt + 1`: doubling from [`RETRY_BASE`], capped at [`RETRY_MAX`].
fn retry_delay(attempt: i64) -> Duration {
    let factor = 1u32 << attempt.clamp(0, 16) as u32;
    RETRY_BASE.saturating_mul(factor).min(RETRY_MAX)
}

/// The metric label of a recorded outcome.
fn job_outcome(outcome: &Outcome) -> JobOutcome {
    match outcome {
        Outcome::Done => JobOutcome::Done,
        Outcome::Ignored(_) => JobOutcome::Ignored,
        Outcome::Failed(_) => JobOutcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_and_is_capped() {
        assert_eq!(retry_delay(0), Duration::from_secs(5));
        assert_eq!(retry_delay(1), Duration::from_secs(10));
        assert_eq!(retry_delay(3), Duration::from_secs(40));
        assert_eq!(retry_delay(30), RETRY_MAX);
    }
}
