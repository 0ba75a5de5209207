//! SQLite: facts per delivery, redelivery and retention (see [`super::records`]).

use super::records::requeued_reason;
use super::{
    DeliveryFacts, DeliveryRecord, DeliverySummary, Pruned, RecentQuery, Redelivery,
    StoredDelivery, StoredQuery,
};
use crate::model::ForgeKind;
use rusqlite::{params, Connection, OptionalExtension};

pub(super) fn record_facts(conn: &Connection, f: &DeliveryFacts) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO facts (forge, delivery_id, repo, context, plan, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (forge, delivery_id) DO UPDATE SET repo = excluded.repo,
             context = excluded.context, plan = excluded.plan, at = excluded.at",
    )?
    .execute(params![
        f.forge.as_str(),
        f.delivery_id,
        f.repo,
        f.context,
        f.plan,
        f.at
    ])
    .map(drop)
}

const SELECT: &str = "SELECT d.forge, d.delivery_id, d.event, d.state, d.reason,
        d.attempts - d.set_asides, d.received_at, p.body,
        f.repo, f.context, f.plan, f.at
    FROM deliveries d
    LEFT JOIN payloads p ON p.delivery = d.id
    LEFT JOIN facts f ON f.forge = d.forge AND f.delivery_id = d.delivery_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<StoredDelivery>> {
    let record = DeliveryRecord {
        forge: r.get(0)?,
        delivery_id: r.get(1)?,
        event: r.get(2)?,
        state: r.get(3)?,
        reason: r.get(4)?,
        attempts: r.get(5)?,
    };
    let Ok(forge) = record.forge.parse::<ForgeKind>() else {
        return Ok(None);
    };
    let facts = match r.get::<_, Option<String>>(8)? {
        Some(repo) => Some(DeliveryFacts {
            forge,
            delivery_id: record.delivery_id.clone(),
            repo,
            context: r.get(9)?,
            plan: r.get(10)?,
            at: r.get(11)?,
        }),
        None => None,
    };
    Ok(Some(StoredDelivery {
        received_at: r.get(6)?,
        body: r.get::<_, Option<Vec<u8>>>(7)?.unwrap_or_default(),
        record,
        facts,
    }))
}

pub(super) fn stored(
    conn: &Connection,
    forge: ForgeKind,
    id: &str,
) -> rusqlite::Result<Option<StoredDelivery>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE d.forge = ?1 AND d.delivery_id = ?2"
        ))?
        .query_row(params![forge.as_str(), id], row)
        .optional()?
        .flatten())
}

pub(super) fn list(conn: &Connection, q: &StoredQuery) -> rusqlite::Result<Vec<StoredDelivery>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE f.repo IS NOT NULL AND d.received_at >= ?1
           AND (?2 IS NULL OR f.repo = ?2)
         ORDER BY d.received_at, d.id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![q.since_ms, q.repo, q.limit as i64], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().flatten().collect())
}

pub(super) fn redeliver(
    conn: &Connection,
    forge: ForgeKind,
    id: &str,
) -> rusqlite::Result<Redelivery> {
    let found: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT state, reason FROM deliveries WHERE forge = ?1 AND delivery_id = ?2",
        )?
        .query_row(params![forge.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((state, reason)) = found else {
        return Ok(Redelivery::NotFound);
    };
    if state != "failed" {
        return Ok(Redelivery::NotFailed(state));
    }
    conn.prepare_cached(
        "UPDATE deliveries SET state = 'pending', reason = ?1, set_asides = attempts,
             lease_until = NULL, not_before = 0, finished_at = NULL
         WHERE forge = ?2 AND delivery_id = ?3 AND state = 'failed'",
    )?
    .execute(params![
        requeued_reason(reason.as_deref()),
        forge.as_str(),
        id
    ])?;
    Ok(Redelivery::Queued)
}

pub(super) fn prune(conn: &Connection, before_ms: i64) -> rusqlite::Result<Pruned> {
    const OLD: &str = "SELECT id FROM deliveries WHERE received_at < ?1
        AND state IN ('done', 'ignored', 'failed')";
    conn.prepare_cached(&format!("DELETE FROM payloads WHERE delivery IN ({OLD})"))?
        .execute(params![before_ms])?;
    let deliveries = conn
        .prepare_cached(&format!("DELETE FROM deliveries WHERE id IN ({OLD})"))?
        .execute(params![before_ms])?;
    let facts = conn
        .prepare_cached("DELETE FROM facts WHERE at < ?1")?
        .execute(params![before_ms])?;
    let actions = conn
        .prepare_cached("DELETE FROM actions WHERE at < ?1")?
        .execute(params![before_ms])?;
    Ok(Pruned {
        deliveries: deliveries as u64,
        facts: facts as u64,
        actions: actions as u64,
    })
}

pub(super) fn recent(conn: &Connection, q: &RecentQuery) -> rusqlite::Result<Vec<DeliverySummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.forge, d.delivery_id, d.event, d.state, d.reason,
                d.attempts - d.set_asides, COALESCE(f.repo, ''), d.received_at, d.finished_at
         FROM deliveries d
         LEFT JOIN facts f ON f.forge = d.forge AND f.delivery_id = d.delivery_id
         WHERE (?1 IS NULL OR f.repo = ?1) AND (?2 IS NULL OR d.event = ?2)
           AND (?3 IS NULL OR d.state = ?3)
         ORDER BY d.received_at DESC, d.id DESC LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt.query_map(
        params![q.repo, q.event, q.state, q.limit as i64, q.offset as i64],
        |r| {
            Ok(DeliverySummary {
                record: DeliveryRecord {
                    forge: r.get(0)?,
                    delivery_id: r.get(1)?,
                    event: r.get(2)?,
                    state: r.get(3)?,
                    reason: r.get(4)?,
                    attempts: r.get(5)?,
                },
                repo: r.get(6)?,
                received_at: r.get(7)?,
                finished_at: r.get(8)?,
            })
        },
    )?;
    rows.collect()
}

pub(super) fn repos(conn: &Connection) -> rusqlite::Result<Vec<(ForgeKind, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT forge, repo FROM facts WHERE repo <> '' ORDER BY forge, repo",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(forge, repo)| Some((forge.parse().ok()?, repo)))
        .collect())
}
