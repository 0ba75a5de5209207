//! Embedded SQLite store. One writer thread owns the connection and commits in groups: every
//! command that arrived while the previous transaction committed goes into the next one, so
//! many deliveries share one commit and each request is answered only after its commit.

use super::schema::SQLITE_SCHEMA;
use super::{DeliveryRecord, Inserted, Job, NewDelivery, Outcome, QueueStats, Store, StoreError};
use crate::event::ForgeKind;
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Most commands committed in one transaction.
const MAX_BATCH: usize = 512;
/// How long SQLite waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Cmd {
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
    Stats(Reply<QueueStats>),
    Get(ForgeKind, String, Reply<Option<DeliveryRecord>>),
    MarkOnce(String, i64, Reply<bool>),
    /// `(forge, repo, comment id)` → last processed body.
    GetBody(ForgeKind, String, u64, Reply<Option<String>>),
    SetBody(ForgeKind, String, u64, String, Reply<()>),
}

/// A reply computed inside a transaction, sent once the transaction's fate is known.
type Pending = Box<dyn FnOnce(Option<&str>) + Send>;

fn pending<T: Send + 'static>(reply: Reply<T>, result: Result<T, StoreError>) -> Pending {
    Box::new(move |commit_error: Option<&str>| {
        let result = match commit_error {
            Some(e) => Err(StoreError::Database(format!("commit failed: {e}"))),
            None => result,
        };
        // The requester may have gone away (client disconnected); nothing to do then.
        let _ = reply.send(result);
    })
}

/// The SQLite-backed [`Store`].
pub struct SqliteStore {
    tx: mpsc::Sender<Cmd>,
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path` and start its writer thread.
    pub fn open(path: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        // WAL + synchronous=NORMAL: a committed transaction is in the WAL file before commit
        // returns, so it survives the process being killed (SIGKILL) at any moment.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        for stmt in SQLITE_SCHEMA {
            conn.execute(stmt, []).map_err(db)?;
        }
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("forgehand-store".into())
            .spawn(move || writer(conn, rx))
            .map_err(|e| StoreError::Database(format!("cannot start the store thread: {e}")))?;
        Ok(SqliteStore { tx })
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Cmd) -> Result<T, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn writer(conn: Connection, rx: mpsc::Receiver<Cmd>) {
    while let Ok(first) = rx.recv() {
        let mut batch = Vec::with_capacity(16);
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.push(cmd),
                Err(_) => break,
            }
        }
        let mut replies: Vec<Pending> = Vec::with_capacity(batch.len());
        let commit_error = match conn.execute_batch("BEGIN IMMEDIATE") {
            Err(e) => Some(e.to_string()),
            Ok(()) => {
                for cmd in batch.drain(..) {
                    replies.push(apply(&conn, cmd));
                }
                match conn.execute_batch("COMMIT") {
                    Ok(()) => None,
                    Err(e) => {
                        let _ = conn.execute_batch("ROLLBACK");
                        Some(e.to_string())
                    }
                }
            }
        };
        if let Some(e) = &commit_error {
            tracing::error!(error = %e, "store transaction failed");
            for cmd in batch {
                replies.push(refuse(cmd));
            }
        }
        for reply in replies {
            reply(commit_error.as_deref());
        }
    }
}

/// A command that never ran because its transaction could not begin.
fn refuse(cmd: Cmd) -> Pending {
    fn e<T>() -> Result<T, StoreError> {
        Err(StoreError::Database("transaction could not begin".into()))
    }
    match cmd {
        Cmd::Insert(_, r) => pending(r, e()),
        Cmd::Claim { reply, .. } => pending(reply, e()),
        Cmd::Finish { reply, .. } | Cmd::Retry { reply, .. } => pending(reply, e()),
        Cmd::Stats(r) => pending(r, e()),
        Cmd::Get(_, _, r) => pending(r, e()),
        Cmd::MarkOnce(_, _, r) => pending(r, e()),
        Cmd::GetBody(_, _, _, r) => pending(r, e()),
        Cmd::SetBody(_, _, _, _, r) => pending(r, e()),
    }
}

fn apply(conn: &Connection, cmd: Cmd) -> Pending {
    match cmd {
        Cmd::Insert(d, r) => pending(r, insert(conn, &d).map_err(db)),
        Cmd::Claim {
            now_ms,
            lease_ms,
            limit,
            reply,
        } => pending(reply, claim(conn, now_ms, lease_ms, limit).map_err(db)),
        Cmd::Finish {
            id,
            attempt,
            outcome,
            now_ms,
            reply,
        } => {
            let result = conn
                .prepare_cached(
                    "UPDATE deliveries SET state = ?1, reason = ?2, lease_until = NULL,
                     finished_at = ?3 WHERE id = ?4 AND attempts = ?5 AND state = 'running'",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        outcome.state(),
                        outcome.reason(),
                        now_ms,
                        id,
                        attempt
                    ])
                })
                .map(|n| n == 1)
                .map_err(db);
            pending(reply, result)
        }
        Cmd::Retry {
            id,
            attempt,
            reason,
            not_before_ms,
            reply,
        } => {
            let result = conn
                .prepare_cached(
                    "UPDATE deliveries SET state = 'pending', reason = ?1, lease_until = NULL,
                     not_before = ?2 WHERE id = ?3 AND attempts = ?4 AND state = 'running'",
                )
                .and_then(|mut s| s.execute(params![reason, not_before_ms, id, attempt]))
                .map(|n| n == 1)
                .map_err(db);
            pending(reply, result)
        }
        Cmd::Stats(r) => pending(r, stats(conn).map_err(db)),
        Cmd::Get(forge, id, r) => pending(r, get(conn, forge, &id).map_err(db)),
        Cmd::MarkOnce(key, now_ms, r) => {
            let result = conn
                .prepare_cached(
                    "INSERT INTO markers (key, created_at) VALUES (?1, ?2)
                     ON CONFLICT (key) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![key, now_ms]))
                .map(|n| n == 1)
                .map_err(db);
            pending(r, result)
        }
        Cmd::GetBody(forge, repo, id, r) => {
            let result = conn
                .prepare_cached(
                    "SELECT body FROM comment_bodies
                     WHERE forge = ?1 AND repo = ?2 AND comment_id = ?3",
                )
                .and_then(|mut s| {
                    s.query_row(params![forge.as_str(), repo, id as i64], |row| row.get(0))
                        .optional()
                })
                .map_err(db);
            pending(r, result)
        }
        Cmd::SetBody(forge, repo, id, body, r) => {
            let result = conn
                .prepare_cached(
                    "INSERT INTO comment_bodies (forge, repo, comment_id, body)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (forge, repo, comment_id) DO UPDATE SET body = excluded.body",
                )
                .and_then(|mut s| s.execute(params![forge.as_str(), repo, id as i64, body]))
                .map(drop)
                .map_err(db);
            pending(r, result)
        }
    }
}

fn insert(conn: &Connection, d: &NewDelivery) -> rusqlite::Result<Inserted> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deliveries (forge, delivery_id, event, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (forge, delivery_id) DO NOTHING",
    )?;
    let n = stmt.execute(params![
        d.forge.as_str(),
        d.delivery_id,
        d.event,
        d.body,
        d.received_at
    ])?;
    Ok(if n == 1 {
        Inserted::New
    } else {
        Inserted::Duplicate
    })
}

fn claim(
    conn: &Connection,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> rusqlite::Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE deliveries SET state = 'running', attempts = attempts + 1, lease_until = ?1
         WHERE id IN (
             SELECT id FROM deliveries
             WHERE state IN ('pending', 'running')
               AND ((state = 'pending' AND not_before <= ?2) OR lease_until < ?2)
             ORDER BY id LIMIT ?3)
         RETURNING id, forge, delivery_id, event, body, attempts, received_at",
    )?;
    let rows = stmt.query_map(params![now_ms + lease_ms, now_ms, limit as i64], |row| {
        let forge: String = row.get(1)?;
        Ok(Job {
            id: row.get(0)?,
            forge: forge.parse().unwrap_or(ForgeKind::Github),
            delivery_id: row.get(2)?,
            event: row.get(3)?,
            body: row.get(4)?,
            attempt: row.get(5)?,
            received_at: row.get(6)?,
        })
    })?;
    let mut jobs = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

fn stats(conn: &Connection) -> rusqlite::Result<QueueStats> {
    let mut stmt = conn.prepare_cached("SELECT state, COUNT(*) FROM deliveries GROUP BY state")?;
    let mut out = QueueStats::default();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        let n = n.max(0) as u64;
        match state.as_str() {
            "pending" => out.pending = n,
            "running" => out.running = n,
            "done" => out.done = n,
            "ignored" => out.ignored = n,
            "failed" => out.failed = n,
            _ => {}
        }
    }
    Ok(out)
}

fn get(conn: &Connection, forge: ForgeKind, id: &str) -> rusqlite::Result<Option<DeliveryRecord>> {
    conn.prepare_cached(
        "SELECT forge, delivery_id, event, state, reason, attempts FROM deliveries
         WHERE forge = ?1 AND delivery_id = ?2",
    )?
    .query_row(params![forge.as_str(), id], |r| {
        Ok(DeliveryRecord {
            forge: r.get(0)?,
            delivery_id: r.get(1)?,
            event: r.get(2)?,
            state: r.get(3)?,
            reason: r.get(4)?,
            attempts: r.get(5)?,
        })
    })
    .optional()
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert(&self, delivery: NewDelivery) -> Result<Inserted, StoreError> {
        self.call(|r| Cmd::Insert(delivery, r)).await
    }

    async fn claim(
        &self,
        now_ms: i64,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Job>, StoreError> {
        let lease_ms = lease.as_millis() as i64;
        self.call(|reply| Cmd::Claim {
            now_ms,
            lease_ms,
            limit,
            reply,
        })
        .await
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
