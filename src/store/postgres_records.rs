//! PostgreSQL: facts per delivery, redelivery and retention (see [`super::records`]).

use super::records::requeued_reason;
use super::{
    DeliveryFacts, DeliveryRecord, DeliverySummary, Pruned, RecentQuery, Redelivery,
    StoredDelivery, StoredQuery,
};
use crate::model::ForgeKind;
use tokio_postgres::{Error, Row, Transaction};

pub(super) async fn record_facts(tx: &Transaction<'_>, f: &DeliveryFacts) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO facts (forge, delivery_id, repo, context, plan, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (forge, delivery_id) DO UPDATE SET repo = excluded.repo,
             context = excluded.context, plan = excluded.plan, at = excluded.at",
        &[
            &f.forge.as_str(),
            &f.delivery_id,
            &f.repo,
            &f.context,
            &f.plan,
            &f.at,
        ],
    )
    .await
    .map(drop)
}

const SELECT: &str = "SELECT d.forge, d.delivery_id, d.event, d.state, d.reason,
        d.attempts - d.set_asides, d.received_at, p.body,
        f.repo, f.context, f.plan, f.at
    FROM deliveries d
    LEFT JOIN payloads p ON p.delivery = d.id
    LEFT JOIN facts f ON f.forge = d.forge AND f.delivery_id = d.delivery_id";

fn row(r: &Row) -> Option<StoredDelivery> {
    let record = DeliveryRecord {
        forge: r.get(0),
        delivery_id: r.get(1),
        event: r.get(2),
        state: r.get(3),
        reason: r.get(4),
        attempts: r.get(5),
    };
    let forge = record.forge.parse::<ForgeKind>().ok()?;
    let facts = r.get::<_, Option<String>>(8).map(|repo| DeliveryFacts {
        forge,
        delivery_id: record.delivery_id.clone(),
        repo,
        context: r.get(9),
        plan: r.get(10),
        at: r.get(11),
    });
    Some(StoredDelivery {
        received_at: r.get(6),
        body: r.get::<_, Option<Vec<u8>>>(7).unwrap_or_default(),
        record,
        facts,
    })
}

pub(super) async fn stored(
    tx: &Transaction<'_>,
    forge: ForgeKind,
    id: &str,
) -> Result<Option<StoredDelivery>, Error> {
    let found = tx
        .query_opt(
            &format!("{SELECT} WHERE d.forge = $1 AND d.delivery_id = $2"),
            &[&forge.as_str(), &id],
        )
        .await?;
    Ok(found.as_ref().and_then(row))
}

pub(super) async fn list(
    tx: &Transaction<'_>,
    q: &StoredQuery,
) -> Result<Vec<StoredDelivery>, Error> {
    let rows = tx
        .query(
            &format!(
                "{SELECT} WHERE f.repo IS NOT NULL AND d.received_at >= $1
                   AND ($2::TEXT IS NULL OR f.repo = $2)
                 ORDER BY d.received_at, d.id LIMIT $3"
            ),
            &[&q.since_ms, &q.repo, &(q.limit as i64)],
        )
        .await?;
    Ok(rows.iter().filter_map(row).collect())
}

pub(super) async fn redeliver(
    tx: &Transaction<'_>,
    forge: ForgeKind,
    id: &str,
) -> Result<Redelivery, Error> {
    let found = tx
        .query_opt(
            "SELECT state, reason FROM deliveries WHERE forge = $1 AND delivery_id = $2
             FOR UPDATE",
            &[&forge.as_str(), &id],
        )
        .await?;
    let Some(found) = found else {
        return Ok(Redelivery::NotFound);
    };
    let state: String = found.get(0);
    if state != "failed" {
        return Ok(Redelivery::NotFailed(state));
    }
    let reason: Option<String> = found.get(1);
    tx.execute(
        "UPDATE deliveries SET state = 'pending', reason = $1, set_asides = attempts,
             lease_until = NULL, not_before = 0, finished_at = NULL
         WHERE forge = $2 AND delivery_id = $3 AND state = 'failed'",
        &[&requeued_reason(reason.as_deref()), &forge.as_str(), &id],
    )
    .await?;
    Ok(Redelivery::Queued)
}

pub(super) async fn prune(tx: &Transaction<'_>, before_ms: i64) -> Result<Pruned, Error> {
    const OLD: &str = "SELECT id FROM deliveries WHERE received_at < $1
        AND state IN ('done', 'ignored', 'failed')";
    tx.execute(
        &format!("DELETE FROM payloads WHERE delivery IN ({OLD})"),
        &[&before_ms],
    )
    .await?;
    let deliveries = tx
        .execute(
            &format!("DELETE FROM deliveries WHERE id IN ({OLD})"),
            &[&before_ms],
        )
        .await?;
    let facts = tx
        .execute("DELETE FROM facts WHERE at < $1", &[&before_ms])
        .await?;
    let actions = tx
        .execute("DELETE FROM actions WHERE at < $1", &[&before_ms])
        .await?;
    Ok(Pruned {
        deliveries,
        facts,
        actions,
    })
}

pub(super) async fn recent(
    tx: &Transaction<'_>,
    q: &RecentQuery,
) -> Result<Vec<DeliverySummary>, Error> {
    let rows = tx
        .query(
            "SELECT d.forge, d.delivery_id, d.event, d.state, d.reason,
                    d.attempts - d.set_asides, COALESCE(f.repo, ''), d.received_at,
                    d.finished_at
             FROM deliveries d
             LEFT JOIN facts f ON f.forge = d.forge AND f.delivery_id = d.delivery_id
             WHERE ($1::TEXT IS NULL OR f.repo = $1) AND ($2::TEXT IS NULL OR d.event = $2)
               AND ($3::TEXT IS NULL OR d.state = $3)
             ORDER BY d.received_at DESC, d.id DESC LIMIT $4 OFFSET $5",
            &[
                &q.repo,
                &q.event,
                &q.state,
                &(q.limit as i64),
                &(q.offset as i64),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| DeliverySummary {
            record: DeliveryRecord {
                forge: r.get(0),
                delivery_id: r.get(1),
                event: r.get(2),
                state: r.get(3),
                reason: r.get(4),
                attempts: r.get(5),
            },
            repo: r.get(6),
            received_at: r.get(7),
            finished_at: r.get(8),
        })
        .collect())
}

pub(super) async fn repos(tx: &Transaction<'_>) -> Result<Vec<(ForgeKind, String)>, Error> {
    let rows = tx
        .query(
            "SELECT DISTINCT forge, repo FROM facts WHERE repo <> '' ORDER BY forge, repo",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get::<_, String>(0).parse().ok()?, r.get(1))))
        .collect())
}
