//! PostgreSQL: the migrations runner, lease renewal, the action ledger and store-held locks.

use super::schema::{self, POSTGRES_MIGRATIONS, VERSION_TABLE};
use super::{ActionQuery, ActionRecord, ActionRow};
use tokio_postgres::{Client, Row, Transaction};

/// Advisory lock key held while migrating, so that replicas starting together apply each
/// migration once.
const SCHEMA_LOCK: i64 = 0x666f_7267_6568;

/// Apply the migrations newer than the database's version, under an advisory lock and in
/// one transaction.
pub(super) async fn migrate(client: &mut Client, now_ms: i64) -> Result<i64, String> {
    let e = |e: tokio_postgres::Error| e.to_string();
    client
        .execute("SELECT pg_advisory_lock($1)", &[&SCHEMA_LOCK])
        .await
        .map_err(e)?;
    let result = migrate_locked(client, now_ms).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&SCHEMA_LOCK])
        .await
        .map_err(e)?;
    result
}

async fn migrate_locked(client: &mut Client, now_ms: i64) -> Result<i64, String> {
    let e = |e: tokio_postgres::Error| e.to_string();
    let tx = client.transaction().await.map_err(e)?;
    tx.batch_execute(VERSION_TABLE).await.map_err(e)?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    schema::check_not_newer(found, POSTGRES_MIGRATIONS)?;
    for migration in POSTGRES_MIGRATIONS.iter().filter(|m| m.version > found) {
        for stmt in migration.statements {
            tx.batch_execute(stmt)
                .await
                .map_err(|err| format!("migration {}: {err}", migration.version))?;
        }
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
            &[&migration.version, &migration.name, &now_ms],
        )
        .await
        .map_err(e)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "schema migrated"
        );
    }
    tx.commit().await.map_err(e)?;
    Ok(schema::latest(POSTGRES_MIGRATIONS).max(found))
}

pub(super) async fn renew(
    tx: &Transaction<'_>,
    id: i64,
    attempt: i64,
    lease_until: i64,
) -> Result<bool, tokio_postgres::Error> {
    tx.execute(
        "UPDATE deliveries SET lease_until = $1
         WHERE id = $2 AND attempts = $3 AND state = 'running'",
        &[&lease_until, &id, &attempt],
    )
    .await
    .map(|n| n == 1)
}

pub(super) async fn record(
    tx: &Transaction<'_>,
    a: &ActionRecord,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO actions (key, forge, delivery_id, repo, intent, position, state, answer,
             object_id, url, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (key) DO UPDATE SET state = excluded.state, answer = excluded.answer,
             object_id = excluded.object_id, url = excluded.url, at = excluded.at",
        &[
            &a.key,
            &a.forge.as_str(),
            &a.delivery_id,
            &a.repo,
            &a.intent,
            &a.position,
            &a.state.as_str(),
            &a.answer,
            &a.object_id,
            &a.url,
            &a.at,
        ],
    )
    .await
    .map(drop)
}

const COLUMNS: &str =
    "key, forge, delivery_id, repo, intent, position, state, answer, object_id, url, at";

fn row(r: &Row) -> ActionRow {
    ActionRow {
        key: r.get(0),
        forge: r.get(1),
        delivery_id: r.get(2),
        repo: r.get(3),
        intent: r.get(4),
        position: r.get(5),
        state: r.get(6),
        answer: r.get(7),
        object_id: r.get(8),
        url: r.get(9),
        at: r.get(10),
    }
}

pub(super) async fn get(
    tx: &Transaction<'_>,
    key: &str,
) -> Result<Option<ActionRecord>, tokio_postgres::Error> {
    let found = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM actions WHERE key = $1"),
            &[&key],
        )
        .await?;
    Ok(found.map(|r| row(&r)).and_then(ActionRow::into_record))
}

pub(super) async fn list(
    tx: &Transaction<'_>,
    q: &ActionQuery,
) -> Result<Vec<ActionRecord>, tokio_postgres::Error> {
    let (forge, delivery) = match &q.delivery {
        Some((forge, id)) => (Some(forge.as_str()), Some(id.as_str())),
        None => (None, None),
    };
    let rows = tx
        .query(
            &format!(
                "SELECT {COLUMNS} FROM actions
                 WHERE ($1::TEXT IS NULL OR forge = $1) AND ($2::TEXT IS NULL OR delivery_id = $2)
                   AND ($3::TEXT IS NULL OR repo = $3) AND ($4::BIGINT IS NULL OR at >= $4)
                   AND ($5::BIGINT IS NULL OR at < $5)
                 ORDER BY at, delivery_id, position LIMIT $6"
            ),
            &[
                &forge,
                &delivery,
                &q.repo,
                &q.since_ms,
                &q.until_ms,
                &(q.limit as i64),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(row)
        .filter_map(ActionRow::into_record)
        .collect())
}

pub(super) async fn try_lock(
    tx: &Transaction<'_>,
    key: &str,
    holder: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<bool, tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO locks (key, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder,
             expires_at = excluded.expires_at
         WHERE locks.expires_at < $4 OR locks.holder = excluded.holder",
        &[&key, &holder, &expires_at, &now_ms],
    )
    .await
    .map(|n| n == 1)
}

pub(super) async fn unlock(
    tx: &Transaction<'_>,
    key: &str,
    holder: &str,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "DELETE FROM locks WHERE key = $1 AND holder = $2",
        &[&key, &holder],
    )
    .await
    .map(drop)
}
