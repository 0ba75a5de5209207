//! The durable delivery store and job queue: a delivery is acknowledged only after it is
//! written here; workers claim jobs under a lease and record how each one ended.

mod batch;
pub mod postgres;
mod postgres_ledger;
mod postgres_records;
mod records;
pub mod retention;
mod schema;
pub mod sqlite;
mod sqlite_ledger;
mod sqlite_records;

pub use records::{
    DeliveryFacts, DeliverySummary, Pruned, RecentQuery, Redelivery, StoredDelivery, StoredQuery,
};

use crate::model::ForgeKind;
use async_trait::async_trait;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// A delivery as ingress received it, before it is stored.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub forge: ForgeKind,
    /// `X-GitHub-Delivery`, GitLab `Idempotency-Key` / `X-Gitlab-Event-UUID`, or a body hash.
    pub delivery_id: String,
    /// `X-GitHub-Event` / `X-Gitlab-Event`.
    pub event: String,
    pub body: Vec<u8>,
    /// Unix milliseconds.
    pub received_at: i64,
}

/// Whether an insert stored a new delivery or found the id already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    Duplicate,
}

/// A claimed job: the delivery plus the attempt number that fences its completion.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub forge: ForgeKind,
    pub delivery_id: String,
    pub event: String,
    pub body: Vec<u8>,
    /// 1 for the first claim; a completion must quote it (a job re-claimed after its lease
    /// expired cannot be completed by the worker that lost it).
    pub attempt: i64,
    pub received_at: i64,
    /// Tries that count against `server.max_attempts`: the claims, less the times the job
    /// was set aside untried. (`attempt` only grows, so it can fence.)
    pub tries: i64,
}

impl Job {
    /// Times the job was set aside untried before this claim (waiting for its forge's write
    /// budget, or released at a shutdown).
    pub fn set_asides(&self) -> i64 {
        self.attempt - self.tries
    }
}

/// A claimed row, before its forge is known to be one forgehand speaks.
struct ClaimedRow {
    id: i64,
    forge: String,
    delivery_id: String,
    event: String,
    body: Vec<u8>,
    attempt: i64,
    received_at: i64,
    tries: i64,
}

impl ClaimedRow {
    /// The job; or, when the row names a forge forgehand does not know (written by another
    /// version, or by hand), why the delivery fails: it is never taken for another forge's.
    fn into_job(self) -> Result<Job, (i64, String)> {
        match self.forge.parse::<ForgeKind>() {
            Ok(forge) => Ok(Job {
                id: self.id,
                forge,
                delivery_id: self.delivery_id,
                event: self.event,
                body: self.body,
                attempt: self.attempt,
                received_at: self.received_at,
                tries: self.tries,
            }),
            Err(why) => {
                tracing::warn!(
                    delivery.id = %self.delivery_id,
                    reason = %why,
                    "stored delivery failed"
                );
                Err((self.id, why))
            }
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum Outcome {
    Done,
    Ignored(String),
    Failed(String),
}

impl Outcome {
    pub fn state(&self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Ignored(_) => "ignored",
            Outcome::Failed(_) => "failed",
        }
    }
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Done => None,
            Outcome::Ignored(r) | Outcome::Failed(r) => Some(r),
        }
    }
}

/// A stored delivery, for inspection (tests, operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    pub forge: String,
    pub delivery_id: String,
    pub event: String,
    /// pending / running / done / ignored / failed
    pub state: String,
    pub reason: Option<String>,
    /// Tries that counted (claims less set-asides).
    pub attempts: i64,
}

/// Number of deliveries in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub pending: u64,
    pub running: u64,
    pub done: u64,
    pub ignored: u64,
    pub failed: u64,
}

/// How an intent of a plan ended, as the action ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionState {
    /// Done (or found done already): a job run again skips it.
    Done,
    /// Tried and failed: a job run again tries it again.
    Failed,
}

impl ActionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Done => "done",
            ActionState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> ActionState {
        if s == "done" {
            ActionState::Done
        } else {
            ActionState::Failed
        }
    }
}

/// One row of the action ledger: what forgehand did (or failed to do) for one intent of the
/// plan of one delivery. Written again under the same key when a later try ends otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    /// The intent key: delivery, position in the plan and a hash of the intent's content.
    pub key: String,
    pub forge: ForgeKind,
    pub delivery_id: String,
    /// `owner/name` or `group/project` the intent acts on.
    pub repo: String,
    /// The intent's kind (`comment`, `edit_issue`, …).
    pub intent: String,
    /// The intent's place in its plan, from 0.
    pub position: i64,
    pub state: ActionState,
    /// What was done, or the forge's answer when it failed (short).
    pub answer: Option<String>,
    /// The id (or number) of what was created, when something was.
    pub object_id: Option<String>,
    /// The web URL of what was created, when the forge gave one.
    pub url: Option<String>,
    /// Unix milliseconds.
    pub at: i64,
}

/// Which ledger rows to list; every condition given must hold. Rows come oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionQuery {
    pub delivery: Option<(ForgeKind, String)>,
    pub repo: Option<String>,
    /// From this Unix millisecond on (inclusive).
    pub since_ms: Option<i64>,
    /// Before this Unix millisecond (exclusive).
    pub until_ms: Option<i64>,
    /// Most rows returned.
    pub limit: usize,
}

/// A ledger row as read back, before its forge name is parsed.
struct ActionRow {
    key: String,
    forge: String,
    delivery_id: String,
    repo: String,
    intent: String,
    position: i64,
    state: String,
    answer: Option<String>,
    object_id: Option<String>,
    url: Option<String>,
    at: i64,
}

impl ActionRow {
    /// The record; `None` for a row of a forge this version does not know.
    fn into_record(self) -> Option<ActionRecord> {
        Some(ActionRecord {
            forge: self.forge.parse().ok()?,
            key: self.key,
            delivery_id: self.delivery_id,
            repo: self.repo,
            intent: self.intent,
            position: self.position,
            state: ActionState::parse(&self.state),
            answer: self.answer,
            object_id: self.object_id,
            url: self.url,
            at: self.at,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("unsupported database url `{0}` (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    #[error("the store is shut down")]
    Closed,
}

/// The store behind ingress and the workers.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Write a delivery durably; returns once it is committed.
    async fn insert(&self, delivery: NewDelivery) -> Result<Inserted, StoreError>;
    /// Claim up to `limit` jobs: pending ones whose retry time has come, and running ones whose
    /// lease expired (their worker died). Each claim increments the attempt count.
    async fn claim(
        &self,
        now_ms: i64,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Job>, StoreError>;
    /// Extend the lease of a running job to `now_ms + lease`; false when the job is no longer
    /// this attempt's (claimed again by another worker, or finished). Workers call it as a
    /// heartbeat and, as a fence, before each forge write.
    async fn renew_lease(
        &self,
        id: i64,
        attempt: i64,
        now_ms: i64,
        lease: Duration,
    ) -> Result<bool, StoreError>;
    /// Record how a job ended; false if the job was meanwhile re-claimed (stale attempt).
    async fn finish(&self, id: i64, attempt: i64, outcome: Outcome) -> Result<bool, StoreError>;
    /// Put a job back for another try at `not_before_ms`; false if the attempt is stale.
    async fn retry_later(
        &self,
        id: i64,
        attempt: i64,
        reason: String,
        not_before_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Put a job back, untried, to be claimed again from `not_before_ms`: the claim that
    /// took it does not count as an attempt (a job set aside to wait for its forge's write
    /// budget, or released at shutdown). False if the attempt is stale. The worker that sets
    /// a job aside does nothing more for it.
    async fn set_aside(
        &self,
        id: i64,
        attempt: i64,
        not_before_ms: i64,
    ) -> Result<bool, StoreError>;
    async fn stats(&self) -> Result<QueueStats, StoreError>;
    async fn delivery(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError>;
    /// Record `key` if it was never recorded; true the first time only. Used for
    /// exactly-once scheduled rule firings and other one-shot markers.
    async fn mark_once(&self, key: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// Write a row of the action ledger (replacing the row of the same key).
    async fn record_action(&self, action: ActionRecord) -> Result<(), StoreError>;
    /// The ledger row of an intent key, if one was written.
    async fn action(&self, key: &str) -> Result<Option<ActionRecord>, StoreError>;
    /// Ledger rows by delivery, repository and time range, oldest first.
    async fn actions(&self, query: ActionQuery) -> Result<Vec<ActionRecord>, StoreError>;
    /// Take the lock `key` for `holder` until `now_ms + ttl`, unless another holder has it
    /// and its time has not run out; true when `holder` now has it (taking it again renews
    /// it). Shared by every replica on the same database.
    async fn try_lock(
        &self,
        key: &str,
        holder: &str,
        now_ms: i64,
        ttl: Duration,
    ) -> Result<bool, StoreError>;
    /// Give the lock `key` back, if `holder` has it.
    async fn unlock(&self, key: &str, holder: &str) -> Result<(), StoreError>;
    /// Keep what was gathered and decided for a delivery (replacing an earlier try's).
    async fn record_facts(&self, facts: DeliveryFacts) -> Result<(), StoreError>;
    /// A delivery with its payload and its facts, if it is stored.
    async fn stored(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Option<StoredDelivery>, StoreError>;
    /// Deliveries that have facts, received from `since_ms` on, oldest first.
    async fn stored_with_facts(
        &self,
        query: StoredQuery,
    ) -> Result<Vec<StoredDelivery>, StoreError>;
    /// Deliveries newest first, filtered and paged (the operations page's list).
    async fn recent(&self, query: RecentQuery) -> Result<Vec<DeliverySummary>, StoreError>;
    /// Every `(forge, repository)` that has facts kept, in order.
    async fn repos(&self) -> Result<Vec<(ForgeKind, String)>, StoreError>;
    /// Queue a failed delivery again: pending at once, its tries counted from zero (its
    /// attempt number, which fences, keeps growing), its failure kept in its reason.
    async fn redeliver(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Redelivery, StoreError>;
    /// Remove finished deliveries (and their payloads) received before `before_ms`, and
    /// facts and ledger rows written before it. Pending and running deliveries are kept.
    async fn prune(&self, before_ms: i64) -> Result<Pruned, StoreError>;
    /// The last processed text of a comment, if one was recorded.
    async fn comment_body(
        &self,
        forge: ForgeKind,
        repo: &str,
        comment_id: u64,
    ) -> Result<Option<String>, StoreError>;
    /// Record the processed text of a comment (replacing the previous one).
    async fn set_comment_body(
        &self,
        forge: ForgeKind,
        repo: &str,
        comment_id: u64,
        body: &str,
    ) -> Result<(), StoreError>;
}

/// Open the store named by a database URL: `sqlite://PATH`, `sqlite::memory:`, or
/// `postgres://USER:PASSWORD@HOST/DB` (also `postgresql://`).
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        return Ok(Arc::new(sqlite::open(path)?));
    }
    if url == "sqlite::memory:" {
        return Ok(Arc::new(sqlite::open(":memory:")?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(postgres::connect(url).await?));
    }
    Err(StoreError::UnsupportedUrl(url.to_string()))
}

#[cfg(test)]
mod tests;
