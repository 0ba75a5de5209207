//! What makes a plan's execution safe to repeat: the intent keys of the action ledger, the
//! hidden markers every created comment carries, the lease fence checked before each write,
//! the create that looks before it sends again, and locks held in the store.

use crate::forge::ForgeError;
use crate::model::{ForgeKind, InvalidName};
use crate::plan::Intent;
use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::time::Duration;

/// Tries of one create, the first included. Between two tries the executor looks for what
/// the failed try may have made.
pub const CREATE_TRIES: u32 = 5;
/// Wait after a create whose outcome is unknown, before looking for it; doubled per try.
pub const CREATE_RETRY_BASE: Duration = Duration::from_millis(200);
/// Longest such wait; a longer `Retry-After` fails the intent (the job is retried later).
pub const CREATE_RETRY_MAX: Duration = Duration::from_secs(10);
/// How long a store-held lock lasts if its holder dies without giving it back.
pub const LOCK_TTL: Duration = Duration::from_secs(300);
/// How often a lock held by someone else is asked for again.
pub const LOCK_POLL: Duration = Duration::from_millis(50);
/// Longest wait for a lock before the intent fails (and its job is retried later).
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Why executing a plan stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Forge(#[from] ForgeError),
    /// The job's lease passed to another worker: this one must not write any more.
    #[error("the job's lease was lost (attempt {attempt} is no longer current); writes stopped")]
    Fenced { attempt: i64 },
    #[error("the action ledger is unavailable: {0}")]
    Store(#[from] StoreError),
}

impl From<InvalidName> for ExecError {
    fn from(e: InvalidName) -> Self {
        ExecError::Forge(e.into())
    }
}

/// The claimed job whose lease fences the writes.
#[derive(Debug, Clone, Copy)]
pub struct Fence {
    pub job_id: i64,
    pub attempt: i64,
    /// How far each check extends the lease.
    pub lease: Duration,
}

/// Where an execution records what it did, and which job it runs for.
pub struct Journal<'a> {
    pub store: &'a dyn Store,
    pub forge: ForgeKind,
    pub delivery_id: &'a str,
    /// The job's lease, checked (and renewed) before each write; `None` outside a job.
    pub fence: Option<Fence>,
    /// Whether an earlier try of the job may have done part of the plan (its attempt is
    /// not the first): creates then look for their marker before they are sent.
    pub rerun: bool,
}

impl Journal<'_> {
    /// The ledger key of the intent at `position`: the delivery, the place in the plan and a
    /// hash of the intent's content.
    pub fn intent_key(&self, position: usize, intent: &Intent) -> String {
        let content = serde_json::to_string(intent).unwrap_or_else(|_| intent.to_string());
        format!(
            "{}:{}:{position}:{}",
            self.forge,
            self.delivery_id,
            short_hash(&[content.as_bytes()])
        )
    }

    /// The marker of the `nth` comment of this delivery's plan on `target`: stable across
    /// tries even when the comment's text changes (a re-run sees labels a first try set).
    pub fn comment_marker(&self, target: &str, nth: usize) -> String {
        let hash = short_hash(&[
            self.forge.as_str().as_bytes(),
            self.delivery_id.as_bytes(),
            target.as_bytes(),
            nth.to_string().as_bytes(),
        ]);
        format!("<!-- forgehand:intent {hash} -->")
    }

    /// Confirm the job is still this attempt's (extending its lease); fails when it is not.
    pub async fn fence(&self) -> Result<(), ExecError> {
        let Some(fence) = self.fence else {
            return Ok(());
        };
        let now = crate::clock::now_ms();
        let ours = self
            .store
            .renew_lease(fence.job_id, fence.attempt, now, fence.lease)
            .await?;
        if ours {
            Ok(())
        } else {
            Err(ExecError::Fenced {
                attempt: fence.attempt,
            })
        }
    }

    /// Run `op` holding the store lock `key` (shared by every replica on the database).
    pub async fn locked<T, Fut>(&self, key: &str, op: Fut) -> Result<T, ExecError>
    where
        Fut: Future<Output = Result<T, ExecError>>,
    {
        let holder = lock_holder(self.delivery_id);
        let deadline = tokio::time::Instant::now() + LOCK_WAIT;
        while !self
            .store
            .try_lock(key, &holder, crate::clock::now_ms(), LOCK_TTL)
            .await?
        {
            if tokio::time::Instant::now() >= deadline {
                let why = format!("the lock `{key}` stayed held for {}s", LOCK_WAIT.as_secs());
                return Err(ForgeError::Transient(why).into());
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
        let result = op.await;
        if let Err(e) = self.store.unlock(key, &holder).await {
            tracing::warn!(lock = key, error = %e, "cannot give a lock back; it lapses by itself");
        }
        result
    }

    /// Create something at most once: look for it first when `look_first` (or when a try
    /// failed in a way that may hide a write that landed — a timeout, a dropped
    /// connection, a 5xx or 429 after sending), and send the create only when `find` finds
    /// nothing. The job's lease is confirmed before each create. Returns what was found or
    /// made, and whether it was found.
    pub async fn find_or_create<T, F, FFut, C, CFut>(
        &self,
        look_first: bool,
        mut find: F,
        mut create: C,
    ) -> Result<(T, bool), ExecError>
    where
        F: FnMut() -> FFut,
        FFut: Future<Output = Result<Option<T>, ForgeError>>,
        C: FnMut() -> CFut,
        CFut: Future<Output = Result<T, ForgeError>>,
    {
        let mut look = look_first;
        let mut tried = 0;
        loop {
            if look {
                if let Some(found) = find().await? {
                    return Ok((found, true));
                }
            }
            self.fence().await?;
            tried += 1;
            match create().await {
                Ok(made) => return Ok((made, false)),
                Err(error) if error.is_retryable() && tried < CREATE_TRIES => {
                    let Some(wait) = create_wait(tried, &error) else {
                        return Err(error.into());
                    };
                    tracing::warn!(
                        error = %error,
                        wait_ms = wait.as_millis() as u64,
                        "a create may or may not have landed; looking for it before trying again"
                    );
                    tokio::time::sleep(wait).await;
                    look = true;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// The wait after failed create try `tried`: the forge's `Retry-After` when it gave one
/// (unless too long), else a doubling backoff.
fn create_wait(tried: u32, error: &ForgeError) -> Option<Duration> {
    match error {
        ForgeError::RateLimited {
            retry_after: Some(wait),
        } => (*wait <= CREATE_RETRY_MAX).then_some(*wait),
        _ => Some(
            CREATE_RETRY_BASE
                .saturating_mul(2u32.saturating_pow(tried.saturating_sub(1)))
                .min(CREATE_RETRY_MAX),
        ),
    }
}

/// 16 hex digits of SHA-256 over `parts` (each length-prefixed, so that parts cannot run
/// into each other).
fn short_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A lock holder name unique to this process and call: pid, time and a per-process count
/// (two replicas in containers may share a pid, not the time and delivery too).
fn lock_holder(delivery_id: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = std::collections::hash_map::RandomState::new();
    let random = std::hash::BuildHasher::hash_one(&seed, delivery_id);
    format!(
        "{}-{:x}-{}-{}",
        std::process::id(),
        random,
        crate::clock::now_ms(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_honour_retry_after_and_double_otherwise() {
        let transient = ForgeError::Transient("502".into());
        assert_eq!(create_wait(1, &transient), Some(CREATE_RETRY_BASE));
        assert_eq!(create_wait(3, &transient), Some(CREATE_RETRY_BASE * 4));
        assert_eq!(create_wait(30, &transient), Some(CREATE_RETRY_MAX));
        let limited = |s| ForgeError::RateLimited {
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(create_wait(1, &limited(2)), Some(Duration::from_secs(2)));
        assert_eq!(create_wait(1, &limited(3600)), None);
    }

    #[test]
    fn hashes_are_stable_and_parts_do_not_run_together() {
        assert_eq!(short_hash(&[b"ab", b"c"]), short_hash(&[b"ab", b"c"]));
        assert_ne!(short_hash(&[b"ab", b"c"]), short_hash(&[b"a", b"bc"]));
        assert_eq!(short_hash(&[b"x"]).len(), 16);
    }
}
