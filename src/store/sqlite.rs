//! Embedded SQLite store. One writer thread owns the connection and commits in groups: every
//! command that arrived while the previous transaction committed goes into the next one, so
//! many deliveries share one commit and each request is answered only after its commit.
//! Payloads are stored LZ4-compressed (a 13 KB GitHub payload becomes about 3 KB).
//!
//! Durability: WAL with `synchronous=NORMAL`. A commit is in the WAL file (handed to the
//! operating system) before any request it carries is answered, so an acknowledged delivery
//! survives the process being killed at any moment (SIGKILL); a power loss may roll back the
//! last commits but never corrupts the database. The WAL is checkpointed every
//! [`WAL_CHECKPOINT_PAGES`] pages: a small WAL keeps each checkpoint's fsync short, which is
//! what keeps the acknowledgement latency's tail low under load (see `bench/`).

use super::batch::{drain, pending, refuse, BatchStore, Cmd, Pending};
use super::sqlite_ledger as ledger;
use super::sqlite_records as records;
use super::{ClaimedRow, DeliveryRecord, Inserted, Job, NewDelivery, QueueStats, StoreError};
use crate::model::ForgeKind;
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long SQLite waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// WAL size (pages of 4 KiB) at which a commit checkpoints the WAL into the database file.
/// Measured on 2 cores: 128–200 pages keep p99 acknowledgement latency under 10 ms at 16k
/// deliveries/s; 4,000 pages (SQLite's default is 1,000) let it reach 30 ms.
const WAL_CHECKPOINT_PAGES: i64 = 128;

/// Open (creating if needed) the database at `path` and start its writer thread.
pub fn open(path: &str) -> Result<BatchStore, StoreError> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    // WAL + synchronous=NORMAL: a committed transaction is in the WAL file before commit
    // returns, so it survives the process being killed (SIGKILL) at any moment.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db)?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
        .map_err(db)?;
    ledger::migrate(&conn, crate::clock::now_ms()).map_err(StoreError::Database)?;
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("forgehand-store".into())
        .spawn(move || writer(conn, rx))
        .map_err(|e| StoreError::Database(format!("cannot start the store thread: {e}")))?;
    Ok(BatchStore::new(tx))
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn writer(conn: Connection, mut rx: mpsc::UnboundedReceiver<Cmd>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = drain(first, &mut rx);
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
        Cmd::Renew {
            id,
            attempt,
            lease_until,
            reply,
        } => pending(
            reply,
            ledger::renew(conn, id, attempt, lease_until).map_err(db),
        ),
        Cmd::RecordAction(a, r) => pending(r, ledger::record(conn, &a).map_err(db)),
        Cmd::GetAction(key, r) => pending(r, ledger::get(conn, &key).map_err(db)),
        Cmd::ListActions(q, r) => pending(r, ledger::list(conn, &q).map_err(db)),
        Cmd::TryLock(key, holder, now_ms, until, r) => pending(
            r,
            ledger::try_lock(conn, &key, &holder, now_ms, until).map_err(db),
        ),
        Cmd::Unlock(key, holder, r) => pending(r, ledger::unlock(conn, &key, &holder).map_err(db)),
        Cmd::SetAside {
            id,
            attempt,
            not_before_ms,
            reply,
        } => {
            let result = conn
                .prepare_cached(
                    "UPDATE deliveries SET state = 'pending', set_asides = set_asides + 1,
                     lease_until = NULL, not_before = ?1
                     WHERE id = ?2 AND attempts = ?3 AND state = 'running'",
                )
                .and_then(|mut s| s.execute(params![not_before_ms, id, attempt]))
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
        Cmd::RecordFacts(f, r) => pending(r, records::record_facts(conn, &f).map_err(db)),
        Cmd::Stored(forge, id, r) => pending(r, records::stored(conn, forge, &id).map_err(db)),
        Cmd::ListStored(q, r) => pending(r, records::list(conn, &q).map_err(db)),
        Cmd::Redeliver(forge, id, r) => {
            pending(r, records::redeliver(conn, forge, &id).map_err(db))
        }
        Cmd::Prune(before_ms, r) => pending(r, records::prune(conn, before_ms).map_err(db)),
        Cmd::Recent(q, r) => pending(r, records::recent(conn, &q).map_err(db)),
        Cmd::Repos(r) => pending(r, records::repos(conn).map_err(db)),
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
        "INSERT INTO deliveries (forge, delivery_id, event, received_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (forge, delivery_id) DO NOTHING",
    )?;
    let n = stmt.execute(params![
        d.forge.as_str(),
        d.delivery_id,
        d.event,
        d.received_at
    ])?;
    if n == 0 {
        return Ok(Inserted::Duplicate);
    }
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO payloads (delivery, body) VALUES (?1, ?2)")?
        .execute(params![id, d.body])?;
    Ok(Inserted::New)
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
         RETURNING id, forge, delivery_id, event,
             (SELECT body FROM payloads WHERE delivery = deliveries.id),
             attempts, received_at, attempts - set_asides",
    )?;
    let rows = stmt
        .query_map(params![now_ms + lease_ms, now_ms, limit as i64], |row| {
            Ok(ClaimedRow {
                id: row.get(0)?,
                forge: row.get(1)?,
                delivery_id: row.get(2)?,
                event: row.get(3)?,
                body: row.get(4)?,
                attempt: row.get(5)?,
                received_at: row.get(6)?,
                tries: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut jobs = Vec::with_capacity(rows.len());
    for row in rows {
        match row.into_job() {
            Ok(job) => jobs.push(job),
            Err((id, reason)) => {
                conn.prepare_cached(
                    "UPDATE deliveries SET state = 'failed', reason = ?1, lease_until = NULL,
                     finished_at = ?2 WHERE id = ?3",
                )?
                .execute(params![reason, now_ms, id])?;
            }
        }
    }
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
        "SELECT forge, delivery_id, event, state, reason, attempts - set_asides FROM deliveries
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
