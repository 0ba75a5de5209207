//! Group commit shared by the store backends: requests become [`Cmd`]s on a channel; the
//! backend's single writer drains the channel, runs everything that arrived in one
//! transaction, commits, and only then answers each request.

use super::{
    ActionQuery, ActionRecord, DeliveryFacts, DeliveryRecord, DeliverySummary, Inserted, Job,
    NewDelivery, Outcome, Pruned, QueueStats, RecentQuery, Redelivery, Store, StoreError,
    StoredDelivery, StoredQuery,
};
use crate::model::ForgeKind;
use async_trait::async_trait;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most commands committed in one transaction.
pub const MAX_BATCH: usize = 512;

pub type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

pub enum Cmd {
    Insert(NewDelivery, Reply<Inserted>),
    Claim {
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
        reply: Reply<Vec<Job>>,
    },
    Finish {
        id: i64,
        attempt: i64,
        outcome: Outcome,
        now_ms: i64,
        reply: Reply<bool>,
    },
    Retry {
        id: i64,
        attempt: i64,
        reason: String,
        not_before_ms: i64,
        reply: Reply<bool>,
    },
    Renew {
        id: i64,
        attempt: i64,
        lease_until: i64,
        reply: Reply<bool>,
    },
    RecordAction(Box<ActionRecord>, Reply<()>),
    GetAction(String, Reply<Option<ActionRecord>>),
    ListActions(ActionQuery, Reply<Vec<ActionRecord>>),
    /// `(key, holder, now_ms, expires_at)` → whether `holder` has the lock.
    TryLock(String, String, i64, i64, Reply<bool>),
    Unlock(String, String, Reply<()>),
    /// Back to pending, the claim uncounted.
    SetAside {
        id: i64,
        attempt: i64,
        not_before_ms: i64,
        reply: Reply<bool>,
    },
    Stats(Reply<QueueStats>),
    Get(ForgeKind, String, Reply<Option<DeliveryRecord>>),
    MarkOnce(String, i64, Reply<bool>),
    /// `(forge, repo, comment id)` → last processed body.
    GetBody(ForgeKind, String, u64, Reply<Option<String>>),
    SetBody(ForgeKind, String, u64, String, Reply<()>),
    RecordFacts(Box<DeliveryFacts>, Reply<()>),
    Stored(ForgeKind, String, Reply<Option<StoredDelivery>>),
    ListStored(StoredQuery, Reply<Vec<StoredDelivery>>),
    Redeliver(ForgeKind, String, Reply<Redelivery>),
    Prune(i64, Reply<Pruned>),
    Recent(RecentQuery, Reply<Vec<DeliverySummary>>),
    Repos(Reply<Vec<(ForgeKind, String)>>),
}

/// A reply computed inside a transaction, sent once the transaction's fate is known.
pub type Pending = Box<dyn FnOnce(Option<&str>) + Send>;

pub fn pending<T: Send + 'static>(reply: Reply<T>, result: Result<T, StoreError>) -> Pending {
    Box::new(move |commit_error: Option<&str>| {
        let result = match commit_error {
            Some(e) => Err(StoreError::Database(format!("commit failed: {e}"))),
            None => result,
        };
        // The requester may have gone away (client disconnected); nothing to do then.
        let _ = reply.send(result);
    })
}

/// A command that never ran because its transaction could not begin.
pub fn refuse(cmd: Cmd) -> Pending {
    fn e<T>() -> Result<T, StoreError> {
        Err(StoreError::Database("transaction could not begin".into()))
    }
    match cmd {
        Cmd::Insert(_, r) => pending(r, e()),
        Cmd::Claim { reply, .. } => pending(reply, e()),
        Cmd::Finish { reply, .. } | Cmd::Retry { reply, .. } | Cmd::Renew { reply, .. } => {
            pending(reply, e())
        }
        Cmd::RecordAction(_, r) => pending(r, e()),
        Cmd::GetAction(_, r) => pending(r, e()),
        Cmd::ListActions(_, r) => pending(r, e()),
        Cmd::TryLock(_, _, _, _, r) => pending(r, e()),
        Cmd::Unlock(_, _, r) => pending(r, e()),
        Cmd::SetAside { reply, .. } => pending(reply, e()),
        Cmd::Stats(r) => pending(r, e()),
        Cmd::Get(_, _, r) => pending(r, e()),
        Cmd::MarkOnce(_, _, r) => pending(r, e()),
        Cmd::GetBody(_, _, _, r) => pending(r, e()),
        Cmd::SetBody(_, _, _, _, r) => pending(r, e()),
        Cmd::RecordFacts(_, r) => pending(r, e()),
        Cmd::Stored(_, _, r) => pending(r, e()),
        Cmd::ListStored(_, r) => pending(r, e()),
        Cmd::Redeliver(_, _, r) => pending(r, e()),
        Cmd::Prune(_, r) => pending(r, e()),
        Cmd::Recent(_, r) => pending(r, e()),
        Cmd::Repos(r) => pending(r, e()),
    }
}

/// Take the next batch: wait for one command, then whatever else is already queued.
pub fn drain(first: Cmd, rx: &mut mpsc::UnboundedReceiver<Cmd>) -> Vec<Cmd> {
    let mut batch = Vec::with_capacity(16);
    batch.push(first);
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(cmd) => batch.push(cmd),
            Err(_) => break,
        }
    }
    batch
}

/// A [`Store`] that sends every request to a backend's writer.
pub struct BatchStore {
    tx: mpsc::UnboundedSender<Cmd>,
}

impl BatchStore {
    pub fn new(tx: mpsc::UnboundedSender<Cmd>) -> Self {
        BatchStore { tx }
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Cmd) -> Result<T, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

#[async_trait]
impl Store for BatchStore {
    async fn insert(&self, mut delivery: NewDelivery) -> Result<Inserted, StoreError> {
        // Compressed by the caller's thread, so the single writer only writes.
        delivery.body = lz4_flex::compress_prepend_size(&delivery.body);
        self.call(|r| Cmd::Insert(delivery, r)).await
    }

    async fn claim(
        &self,
        now_ms: i64,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Job>, StoreError> {
        let lease_ms = lease.as_millis() as i64;
        let mut jobs = self
            .call(|reply| Cmd::Claim {
                now_ms,
                lease_ms,
                limit,
                reply,
            })
            .await?;
        for job in &mut jobs {
            match lz4_flex::decompress_size_prepended(&job.body) {
                Ok(body) => job.body = body,
                Err(e) => {
                    // The worker records the job as failed: its payload does not decode.
                    tracing::error!(delivery.id = %job.delivery_id, error = %e, "stored payload is corrupt");
                    job.body.clear();
                }
            }
        }
        Ok(jobs)
    }

    async fn finish(&self, id: i64, attempt: i64, outcome: Outcome) -> Result<bool, StoreError> {
        let now_ms = crate::clock::now_ms();
        self.call(|reply| Cmd::Finish {
            id,
            attempt,
            outcome,
            now_ms,
            reply,
        })
        .await
    }

    async fn retry_later(
        &self,
        id: i64,
        attempt: i64,
        reason: String,
        not_before_ms: i64,
    ) -> Result<bool, StoreError> {
        self.call(|reply| Cmd::Retry {
            id,
            attempt,
            reason,
            not_before_ms,
            reply,
        })
        .await
    }

    async fn renew_lease(
        &self,
        id: i64,
        attempt: i64,
        now_ms: i64,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let lease_until = now_ms + lease.as_millis() as i64;
        self.call(|reply| Cmd::Renew {
            id,
            attempt,
            lease_until,
            reply,
        })
        .await
    }

    async fn set_aside(
        &self,
        id: i64,
        attempt: i64,
        not_before_ms: i64,
    ) -> Result<bool, StoreError> {
        self.call(|reply| Cmd::SetAside {
            id,
            attempt,
            not_before_ms,
            reply,
        })
        .await
    }

    async fn record_action(&self, action: ActionRecord) -> Result<(), StoreError> {
        self.call(|r| Cmd::RecordAction(Box::new(action), r)).await
    }

    async fn action(&self, key: &str) -> Result<Option<ActionRecord>, StoreError> {
        let key = key.to_string();
        self.call(|r| Cmd::GetAction(key, r)).await
    }

    async fn actions(&self, query: ActionQuery) -> Result<Vec<ActionRecord>, StoreError> {
        self.call(|r| Cmd::ListActions(query, r)).await
    }

    async fn try_lock(
        &self,
        key: &str,
        holder: &str,
        now_ms: i64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let (key, holder) = (key.to_string(), holder.to_string());
        let expires_at = now_ms + ttl.as_millis() as i64;
        self.call(|r| Cmd::TryLock(key, holder, now_ms, expires_at, r))
            .await
    }

    async fn unlock(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        let (key, holder) = (key.to_string(), holder.to_string());
        self.call(|r| Cmd::Unlock(key, holder, r)).await
    }

    async fn stats(&self) -> Result<QueueStats, StoreError> {
        self.call(Cmd::Stats).await
    }

    async fn delivery(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        let id = delivery_id.to_string();
        self.call(|r| Cmd::Get(forge, id, r)).await
    }

    async fn mark_once(&self, key: &str, now_ms: i64) -> Result<bool, StoreError> {
        let key = key.to_string();
        self.call(|r| Cmd::MarkOnce(key, now_ms, r)).await
    }

    async fn record_facts(&self, facts: DeliveryFacts) -> Result<(), StoreError> {
        self.call(|r| Cmd::RecordFacts(Box::new(facts), r)).await
    }

    async fn stored(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Option<StoredDelivery>, StoreError> {
        let id = delivery_id.to_string();
        let found = self.call(|r| Cmd::Stored(forge, id, r)).await?;
        Ok(found.map(decompressed))
    }

    async fn stored_with_facts(
        &self,
        query: StoredQuery,
    ) -> Result<Vec<StoredDelivery>, StoreError> {
        let found = self.call(|r| Cmd::ListStored(query, r)).await?;
        Ok(found.into_iter().map(decompressed).collect())
    }

    async fn redeliver(
        &self,
        forge: ForgeKind,
        delivery_id: &str,
    ) -> Result<Redelivery, StoreError> {
        let id = delivery_id.to_string();
        self.call(|r| Cmd::Redeliver(forge, id, r)).await
    }

    async fn prune(&self, before_ms: i64) -> Result<Pruned, StoreError> {
        self.call(|r| Cmd::Prune(before_ms, r)).await
    }

    async fn recent(&self, query: RecentQuery) -> Result<Vec<DeliverySummary>, StoreError> {
        self.call(|r| Cmd::Recent(query, r)).await
    }

    async fn repos(&self) -> Result<Vec<(ForgeKind, String)>, StoreError> {
        self.call(Cmd::Repos).await
    }

    async fn comment_body(
        &self,
        forge: ForgeKind,
        repo: &str,
        comment_id: u64,
    ) -> Result<Option<String>, StoreError> {
        let repo = repo.to_string();
        self.call(|r| Cmd::GetBody(forge, repo, comment_id, r))
            .await
    }

    async fn set_comment_body(
        &self,
        forge: ForgeKind,
        repo: &str,
        comment_id: u64,
        body: &str,
    ) -> Result<(), StoreError> {
        let (repo, body) = (repo.to_string(), body.to_string());
        self.call(|r| Cmd::SetBody(forge, repo, comment_id, body, r))
            .await
    }
}

/// A stored delivery with its payload as received (an undecodable one is left empty, and
/// logged).
fn decompressed(mut stored: StoredDelivery) -> StoredDelivery {
    match lz4_flex::decompress_size_prepended(&stored.body) {
        Ok(body) => stored.body = body,
        Err(e) => {
            tracing::error!(delivery.id = %stored.record.delivery_id, error = %e, "stored payload is corrupt");
            stored.body.clear();
        }
    }
    stored
}
