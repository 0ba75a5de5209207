//! Background workers: claim a job → decode → gather → decide → execute → record how it ended.

use crate::config::Config;
use crate::decide;
use crate::event::{self, Decoded, Event, EventKind};
use crate::execute::{execute, ExecError, Fence, Journal};
use crate::forge::{Forge, ForgeError, Forges, Turn};
use crate::gather::{gather, stored_comment_key, GatherError};
use crate::model::RepoPath;
use crate::repo_config::RepoConfigs;
use crate::store::{Job, Outcome, Store, StoreError};
use crate::telemetry::{JobOutcome, Metrics};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tracing::Instrument;

mod backoff;
use backoff::{retry_delay, waited_too_long, RETRY_MAX};

/// Jobs one worker claims at a time: one, so that no claimed job waits (its lease running
/// out) behind another.
const CLAIM_BATCH: usize = 1;
/// Heartbeats per lease: a running job's lease is renewed this often per lease length.
const HEARTBEATS_PER_LEASE: u32 = 3;
/// Set-aside times remembered for waking idle workers.
const MAX_DUE_TRACKED: usize = 10_000;
/// How often an idle worker looks for jobs whose lease expired or whose retry time came.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Pause after a store error before claiming again.
const STORE_ERROR_PAUSE: Duration = Duration::from_secs(1);
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
    /// The job's lease passed to another worker: nothing more is written or recorded.
    Fenced(String),
    /// Not wrong: its forge has no write slot for it soon, or another repository sharing the
    /// budget has the turn. Set aside, untried, to come back after this long.
    SetAside(Duration),
}

impl From<ExecError> for JobError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Forge(e) => e.into(),
            ExecError::Fenced { .. } => JobError::Fenced(e.to_string()),
            ExecError::Store(_) => JobError::Retry(e.to_string()),
        }
    }
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
        // The forge said when it has room again: the job is not at fault, it waits untried.
        if let ForgeError::RateLimited {
            retry_after: Some(wait),
        } = e
        {
            return JobError::SetAside(wait.min(RETRY_MAX));
        }
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
    /// Jobs claimed and not yet recorded (id → attempt), released at shutdown.
    claimed: Mutex<HashMap<i64, i64>>,
    /// When set-aside jobs are due back (Unix ms), so that idle workers wake for them.
    due: Mutex<BTreeSet<i64>>,
    /// Each repository's effective configuration (its `.forgehand.yml` on the default branch).
    repo_configs: Arc<RepoConfigs>,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        config: Arc<Config>,
        forges: Forges,
        metrics: Arc<Metrics>,
        settings: WorkerSettings,
    ) -> Self {
        let repo_configs = Arc::new(RepoConfigs::new(config.clone(), !settings.dry_run));
        Worker {
            store,
            config,
            repo_configs,
            forges,
            metrics,
            settings,
            claimed: Mutex::new(HashMap::new()),
            due: Mutex::new(BTreeSet::new()),
        }
    }

    /// The effective configurations of the repositories heard from (the scheduler runs
    /// their own schedules and release days from them).
    pub fn repo_configs(&self) -> Arc<RepoConfigs> {
        self.repo_configs.clone()
    }

    /// Claim and process jobs until `stop` turns true; jobs claimed but not begun then are
    /// put back at once.
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
                    _ = tokio::time::sleep(self.idle_wait(now)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            self.lock_claimed()
                .extend(jobs.iter().map(|j| (j.id, j.attempt)));
            for job in jobs {
                let id = job.id;
                if *stop.borrow() {
                    self.put_back(id, job.attempt).await;
                    continue;
                }
                self.process(job).await;
                self.lock_claimed().remove(&id);
            }
        }
    }

    /// How long an idle worker sleeps: until the next set-aside job is due, at most
    /// [`IDLE_POLL`].
    fn idle_wait(&self, now_ms: i64) -> Duration {
        let mut due = self.due.lock().unwrap_or_else(|e| e.into_inner());
        while due.first().is_some_and(|at| *at <= now_ms) {
            due.pop_first();
        }
        due.first().map_or(IDLE_POLL, |at| {
            Duration::from_millis((at - now_ms).max(0) as u64).min(IDLE_POLL)
        })
    }

    fn lock_claimed(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.claimed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Put a claimed job back, untried, to be claimed again at once.
    async fn put_back(&self, id: i64, attempt: i64) {
        self.lock_claimed().remove(&id);
        let now = crate::clock::now_ms();
        if let Err(e) = self.store.set_aside(id, attempt, now).await {
            tracing::warn!(job = id, error = %e, "cannot put the job back; its lease will run out");
        }
    }

    /// Put back every job claimed and not recorded (after the workers were stopped), so
    /// that they are claimed again promptly instead of when their leases run out.
    pub async fn release_claimed(&self) -> usize {
        let claimed: Vec<(i64, i64)> = self.lock_claimed().drain().collect();
        for (id, attempt) in &claimed {
            self.put_back(*id, *attempt).await;
        }
        claimed.len()
    }

    /// Set a job aside for `wait`, untried (see [`JobError::SetAside`]).
    async fn set_aside(&self, job: &Job, wait: Duration) -> Result<bool, StoreError> {
        let at = crate::clock::now_ms() + wait.as_millis() as i64;
        {
            let mut due = self.due.lock().unwrap_or_else(|e| e.into_inner());
            if due.len() < MAX_DUE_TRACKED {
                due.insert(at);
            }
        }
        tracing::debug!(
            wait_ms = wait.as_millis() as u64,
            "set aside until a write slot is free"
        );
        self.metrics.job(job.forge, JobOutcome::SetAside);
        self.store.set_aside(job.id, job.attempt, at).await
    }

    /// `Some(wait)` when the plan's `writes` to the event's repository should not go now.
    async fn write_turn(
        &self,
        event: &Event,
        job: &Job,
        forge: &dyn Forge,
        writes: u32,
    ) -> Result<Option<Duration>, ForgeError> {
        let Some(repo) = event
            .repo
            .as_ref()
            .and_then(|r| RepoPath::parse(&r.path).ok())
        else {
            return Ok(None);
        };
        Ok(match forge.write_turn(&repo, job.id, writes).await? {
            Turn::Now => None,
            Turn::Later(wait) => Some(wait),
        })
    }

    /// Work on one claimed job and record how it ended: done, ignored, failed, or to be
    /// retried later with backoff.
    async fn process(&self, mut job: Job) {
        let span = tracing::info_span!(
            "job",
            delivery.id = %job.delivery_id,
            forge = job.forge.as_str(),
            repo = tracing::field::Empty,
            event = %job.event,
            attempt = job.attempt,
        );
        let started = Instant::now();
        let heartbeat = tokio::spawn(heartbeat(
            self.store.clone(),
            job.id,
            job.attempt,
            self.settings.lease,
        ));
        // The body goes to decoding and is dropped there: gather, decide and execute hold the
        // decoded event only.
        let body = std::mem::take(&mut job.body);
        let outcome = self.handle(&job, body).instrument(span.clone()).await;
        heartbeat.abort();
        let _enter = span.enter();
        let recorded = match outcome {
            Err(JobError::Fenced(why)) => {
                tracing::warn!(reason = %why, "job stopped: another worker holds it now");
                Ok(true)
            }
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
            Err(JobError::Retry(why)) if job.tries >= self.settings.max_attempts => {
                let why = format!("gave up after {} attempts: {why}", job.tries);
                tracing::warn!(reason = %why, "job failed");
                self.record(&job, JobOutcome::Failed);
                self.store
                    .finish(job.id, job.attempt, Outcome::Failed(why))
                    .await
            }
            Err(JobError::SetAside(wait)) => {
                match waited_too_long(job.set_asides(), job.received_at, crate::clock::now_ms()) {
                    Some(why) => {
                        tracing::warn!(reason = %why, "job failed");
                        self.record(&job, JobOutcome::Failed);
                        self.store
                            .finish(job.id, job.attempt, Outcome::Failed(why))
                            .await
                    }
                    None => self.set_aside(&job, wait).await,
                }
            }
            Err(JobError::Retry(why)) => {
                let delay = retry_delay(job.tries);
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
    async fn handle(&self, job: &Job, body: Vec<u8>) -> Result<Outcome, JobError> {
        let event = match self.decode(job, body) {
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
        crate::explain::keep_facts(self.store.as_ref(), job, &event, &context, &plan).await;
        for note in &plan.notes {
            tracing::info!("{note}");
        }
        match forge {
            _ if plan.is_empty() => {}
            Some(forge) if !self.settings.dry_run => {
                let writes = u32::try_from(plan.intents.len()).unwrap_or(u32::MAX);
                if let Some(wait) = self.write_turn(&event, job, forge.as_ref(), writes).await? {
                    return Err(JobError::SetAside(wait));
                }
                let journal = Journal {
                    store: self.store.as_ref(),
                    forge: job.forge,
                    delivery_id: &job.delivery_id,
                    fence: Some(Fence {
                        job_id: job.id,
                        attempt: job.attempt,
                        lease: self.settings.lease,
                    }),
                    rerun: job.attempt > 1,
                };
                let done = execute(&plan, forge.as_ref(), &self.metrics, &journal).await?;
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
    fn decode(&self, job: &Job, body: Vec<u8>) -> Result<Event, Outcome> {
        let decoded = event::decode(job.forge, &job.event, &body);
        drop(body);
        let event = match decoded {
            Ok(Decoded::Event(event)) => *event,
            Ok(Decoded::Ignored(why)) => return Err(Outcome::Ignored(why)),
            Err(e) => return Err(Outcome::Failed(e.0)),
        };
        if let Some(repo) = &event.repo {
            tracing::Span::current().record("repo", repo.path.as_str());
        }
        let own = self.config.bot.is_self(&event.actor.login)
            || self.forges.is_own_login(job.forge, &event.actor.login);
        if own && !decide::acts_on_own(&event) {
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

/// Renew a running job's lease every `lease / HEARTBEATS_PER_LEASE` until aborted, or until
/// the job turns out to be another attempt's (then the executor's fence stops its writes).
async fn heartbeat(store: Arc<dyn Store>, id: i64, attempt: i64, lease: Duration) {
    let every = lease / HEARTBEATS_PER_LEASE;
    loop {
        tokio::time::sleep(every).await;
        match store
            .renew_lease(id, attempt, crate::clock::now_ms(), lease)
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => tracing::warn!(error = %e, "cannot renew the job's lease"),
        }
    }
}

/// The metric label of a recorded outcome.
fn job_outcome(outcome: &Outcome) -> JobOutcome {
    match outcome {
        Outcome::Done => JobOutcome::Done,
        Outcome::Ignored(_) => JobOutcome::Ignored,
        Outcome::Failed(_) => JobOutcome::Failed,
    }
}
