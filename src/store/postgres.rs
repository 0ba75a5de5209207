//! PostgreSQL store, for several forgehand replicas behind one load balancer: the same schema
//! and group commit as SQLite; claims use `FOR UPDATE SKIP LOCKED`, so replicas never claim
//! the same job, and the delivery-id key dedupes across replicas.

use super::batch::{drain, pending, refuse, BatchStore, Cmd, Pending};
use super::postgres_ledger as ledger;
use super::postgres_records as records;
use super::{ClaimedRow, DeliveryRecord, Inserted, Job, NewDelivery, QueueStats, StoreError};
use crate::model::ForgeKind;
use tokio::sync::mpsc;
use tokio_postgres::{Client, NoTls, Transaction};

fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// Connect, migrate the schema if needed and start the writer task.
pub async fn connect(url: &str) -> Result<BatchStore, StoreError> {
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "PostgreSQL connection ended");
        }
    });
    ledger::migrate(&mut client, crate::clock::now_ms())
        .await
        .map_err(StoreError::Database)?;
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(writer(client, rx));
    Ok(BatchStore::new(tx))
}

async fn writer(mut client: Client, mut rx: mpsc::UnboundedReceiver<Cmd>) {
    while let Some(first) = rx.recv().await {
        let mut batch = drain(first, &mut rx);
        let mut replies: Vec<Pending> = Vec::with_capacity(batch.len());
        let commit_error = match client.transaction().await {
            Err(e) => Some(e.to_string()),
            Ok(mut tx) => {
                for cmd in batch.drain(..) {
                    replies.push(apply_isolated(&mut tx, cmd).await);
                }
                tx.commit().await.err().map(|e| e.to_string())
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

/// Run one command in a savepoint: an error in it (which aborts a PostgreSQL transaction)
/// fails that command only, not the others of its batch.
async fn apply_isolated(tx: &mut Transaction<'_>, cmd: Cmd) -> Pending {
    let sp = match tx.savepoint("cmd").await {
        Ok(sp) => sp,
        Err(e) => {
            tracing::error!(error = %e, "cannot open a savepoint");
            return refuse(cmd);
        }
    };
    let (reply, ok) = apply(&sp, cmd).await;
    let ended = if ok {
        sp.commit().await
    } else {
        sp.rollback().await
    };
    if let Err(e) = ended {
        tracing::error!(error = %e, "savepoint failed");
    }
    reply
}

/// Execute a command; the reply to send after commit, and whether it succeeded.
async fn apply(tx: &Transaction<'_>, cmd: Cmd) -> (Pending, bool) {
    macro_rules! answer {
        ($reply:expr, $result:expr) => {{
            let result = $result.map_err(pg);
            let ok = result.is_ok();
            (pending($reply, result), ok)
        }};
    }
    match cmd {
        Cmd::Insert(d, r) => answer!(r, insert(tx, &d).await),
        Cmd::Claim {
            now_ms,
            lease_ms,
            limit,
            reply,
        } => answer!(reply, claim(tx, now_ms, lease_ms, limit).await),
        Cmd::Finish {
            id,
            attempt,
            outcome,
            now_ms,
            reply,
        } => answer!(
            reply,
            tx.execute(
                "UPDATE deliveries SET state = $1, reason = $2, lease_until = NULL,
                 finished_at = $3 WHERE id = $4 AND attempts = $5 AND state = 'running'",
                &[&outcome.state(), &outcome.reason(), &now_ms, &id, &attempt],
            )
            .await
            .map(|n| n == 1)
        ),
        Cmd::Retry {
            id,
            attempt,
            reason,
            not_before_ms,
            reply,
        } => answer!(
            reply,
            tx.execute(
                "UPDATE deliveries SET state = 'pending', reason = $1, lease_until = NULL,
                 not_before = $2 WHERE id = $3 AND attempts = $4 AND state = 'running'",
                &[&reason, &not_before_ms, &id, &attempt],
            )
            .await
            .map(|n| n == 1)
        ),
        Cmd::Renew {
            id,
            attempt,
            lease_until,
            reply,
        } => answer!(reply, ledger::renew(tx, id, attempt, lease_until).await),
        Cmd::RecordAction(a, r) => answer!(r, ledger::record(tx, &a).await),
        Cmd::GetAction(key, r) => answer!(r, ledger::get(tx, &key).await),
        Cmd::ListActions(q, r) => answer!(r, ledger::list(tx, &q).await),
        Cmd::TryLock(key, holder, now_ms, until, r) => {
            answer!(r, ledger::try_lock(tx, &key, &holder, now_ms, until).await)
        }
        Cmd::Unlock(key, holder, r) => answer!(r, ledger::unlock(tx, &key, &holder).await),
        Cmd::SetAside {
            id,
            attempt,
            not_before_ms,
            reply,
        } => answer!(
            reply,
            tx.execute(
                "UPDATE deliveries SET state = 'pending', set_asides = set_asides + 1,
                 lease_until = NULL, not_before = $1
                 WHERE id = $2 AND attempts = $3 AND state = 'running'",
                &[&not_before_ms, &id, &attempt],
            )
            .await
            .map(|n| n == 1)
        ),
        Cmd::Stats(r) => answer!(r, stats(tx).await),
        Cmd::Get(forge, id, r) => answer!(r, get(tx, forge, &id).await),
        Cmd::MarkOnce(key, now_ms, r) => answer!(
            r,
            tx.execute(
                "INSERT INTO markers (key, created_at) VALUES ($1, $2)
                 ON CONFLICT (key) DO NOTHING",
                &[&key, &now_ms],
            )
            .await
            .map(|n| n == 1)
        ),
        Cmd::GetBody(forge, repo, id, r) => answer!(
            r,
            tx.query_opt(
                "SELECT body FROM comment_bodies
                 WHERE forge = $1 AND repo = $2 AND comment_id = $3",
                &[&forge.as_str(), &repo, &(id as i64)],
            )
            .await
            .map(|row| row.map(|row| row.get::<_, String>(0)))
        ),
        Cmd::RecordFacts(f, r) => answer!(r, records::record_facts(tx, &f).await),
        Cmd::Stored(forge, id, r) => answer!(r, records::stored(tx, forge, &id).await),
        Cmd::ListStored(q, r) => answer!(r, records::list(tx, &q).await),
        Cmd::Redeliver(forge, id, r) => answer!(r, records::redeliver(tx, forge, &id).await),
        Cmd::Prune(before_ms, r) => answer!(r, records::prune(tx, before_ms).await),
        Cmd::Recent(q, r) => answer!(r, records::recent(tx, &q).await),
        Cmd::Repos(r) => answer!(r, records::repos(tx).await),
        Cmd::SetBody(forge, repo, id, body, r) => answer!(
            r,
            tx.execute(
                "INSERT INTO comment_bodies (forge, repo, comment_id, body)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (forge, repo, comment_id) DO UPDATE SET body = excluded.body",
                &[&forge.as_str(), &repo, &(id as i64), &body],
            )
            .await
            .map(drop)
        ),
    }
}

async fn insert(tx: &Transaction<'_>, d: &NewDelivery) -> Result<Inserted, tokio_postgres::Error> {
    let row = tx
        .query_opt(
            "INSERT INTO deliveries (forge, delivery_id, event, received_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (forge, delivery_id) DO NOTHING RETURNING id",
            &[&d.forge.as_str(), &d.delivery_id, &d.event, &d.received_at],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Inserted::Duplicate);
    };
    let id: i64 = row.get(0);
    tx.execute(
        "INSERT INTO payloads (delivery, body) VALUES ($1, $2)",
        &[&id, &d.body],
    )
    .await?;
    Ok(Inserted::New)
}

async fn claim(
    tx: &Transaction<'_>,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> Result<Vec<Job>, tokio_postgres::Error> {
    let rows = tx
        .query(
            "UPDATE deliveries d SET state = 'running', attempts = d.attempts + 1,
                 lease_until = $1
             FROM (SELECT id FROM deliveries
                   WHERE state IN ('pending', 'running')
                     AND ((state = 'pending' AND not_before <= $2) OR lease_until < $2)
                   ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) c
             WHERE d.id = c.id
             RETURNING d.id, d.forge, d.delivery_id, d.event,
                 (SELECT body FROM payloads p WHERE p.delivery = d.id), d.attempts, d.received_at,
                 d.attempts - d.set_asides",
            &[&(now_ms + lease_ms), &now_ms, &(limit as i64)],
        )
        .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for row in rows {
        let row = ClaimedRow {
            id: row.get(0),
            forge: row.get(1),
            delivery_id: row.get(2),
            event: row.get(3),
            body: row.get::<_, Option<Vec<u8>>>(4).unwrap_or_default(),
            attempt: row.get(5),
            received_at: row.get(6),
            tries: row.get(7),
        };
        match row.into_job() {
            Ok(job) => jobs.push(job),
            Err((id, reason)) => {
                tx.execute(
                    "UPDATE deliveries SET state = 'failed', reason = $1, lease_until = NULL,
                     finished_at = $2 WHERE id = $3",
                    &[&reason, &now_ms, &id],
                )
                .await?;
            }
        }
    }
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

async fn stats(tx: &Transaction<'_>) -> Result<QueueStats, tokio_postgres::Error> {
    let mut out = QueueStats::default();
    for row in tx
        .query("SELECT state, COUNT(*) FROM deliveries GROUP BY state", &[])
        .await?
    {
        let n = row.get::<_, i64>(1).max(0) as u64;
        match row.get::<_, &str>(0) {
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

async fn get(
    tx: &Transaction<'_>,
    forge: ForgeKind,
    id: &str,
) -> Result<Option<DeliveryRecord>, tokio_postgres::Error> {
    let row = tx
        .query_opt(
            "SELECT forge, delivery_id, event, state, reason, attempts - set_asides FROM deliveries
             WHERE forge = $1 AND delivery_id = $2",
            &[&forge.as_str(), &id],
        )
        .await?;
    Ok(row.map(|r| DeliveryRecord {
        forge: r.get(0),
        delivery_id: r.get(1),
        event: r.get(2),
        state: r.get(3),
        reason: r.get(4),
        attempts: r.get(5),
    }))
}
