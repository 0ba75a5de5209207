//! SQLite: the migrations runner, lease renewal, the action ledger and store-held locks.

use super::schema::{self, Migration, SQLITE_MIGRATIONS, VERSION_TABLE};
use super::{ActionQuery, ActionRecord, ActionRow};
use rusqlite::{params, Connection, OptionalExtension};

/// Apply the migrations newer than the database's version, in one `BEGIN IMMEDIATE`
/// transaction (which locks out other processes opening the same file meanwhile).
pub(super) fn migrate(conn: &Connection, now_ms: i64) -> Result<i64, String> {
    let e = |e: rusqlite::Error| e.to_string();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(e)?;
    let result = apply_migrations(conn, now_ms, SQLITE_MIGRATIONS);
    match &result {
        Ok(_) => conn.execute_batch("COMMIT").map_err(e)?,
        Err(_) => {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
    result
}

fn apply_migrations(
    conn: &Connection,
    now_ms: i64,
    migrations: &[Migration],
) -> Result<i64, String> {
    let e = |e: rusqlite::Error| e.to_string();
    conn.execute(VERSION_TABLE, []).map_err(e)?;
    let found: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(e)?;
    schema::check_not_newer(found, migrations)?;
    for migration in migrations.iter().filter(|m| m.version > found) {
        for stmt in migration.statements {
            conn.execute(stmt, [])
                .map_err(|err| format!("migration {}: {err}", migration.version))?;
        }
        conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, now_ms],
        )
        .map_err(e)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "schema migrated"
        );
    }
    Ok(schema::latest(migrations).max(found))
}

pub(super) fn renew(
    conn: &Connection,
    id: i64,
    attempt: i64,
    lease_until: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "UPDATE deliveries SET lease_until = ?1
         WHERE id = ?2 AND attempts = ?3 AND state = 'running'",
    )?
    .execute(params![lease_until, id, attempt])
    .map(|n| n == 1)
}

pub(super) fn record(conn: &Connection, a: &ActionRecord) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO actions (key, forge, delivery_id, repo, intent, position, state, answer,
             object_id, url, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (key) DO UPDATE SET state = excluded.state, answer = excluded.answer,
             object_id = excluded.object_id, url = excluded.url, at = excluded.at",
    )?
    .execute(params![
        a.key,
        a.forge.as_str(),
        a.delivery_id,
        a.repo,
        a.intent,
        a.position,
        a.state.as_str(),
        a.answer,
        a.object_id,
        a.url,
        a.at
    ])
    .map(drop)
}

const COLUMNS: &str =
    "key, forge, delivery_id, repo, intent, position, state, answer, object_id, url, at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRow> {
    Ok(ActionRow {
        key: r.get(0)?,
        forge: r.get(1)?,
        delivery_id: r.get(2)?,
        repo: r.get(3)?,
        intent: r.get(4)?,
        position: r.get(5)?,
        state: r.get(6)?,
        answer: r.get(7)?,
        object_id: r.get(8)?,
        url: r.get(9)?,
        at: r.get(10)?,
    })
}

pub(super) fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<ActionRecord>> {
    let found = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM actions WHERE key = ?1"))?
        .query_row(params![key], row)
        .optional()?;
    Ok(found.and_then(ActionRow::into_record))
}

pub(super) fn list(conn: &Connection, q: &ActionQuery) -> rusqlite::Result<Vec<ActionRecord>> {
    let (forge, delivery) = match &q.delivery {
        Some((forge, id)) => (Some(forge.as_str()), Some(id.as_str())),
        None => (None, None),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM actions
         WHERE (?1 IS NULL OR forge = ?1) AND (?2 IS NULL OR delivery_id = ?2)
           AND (?3 IS NULL OR repo = ?3) AND (?4 IS NULL OR at >= ?4)
           AND (?5 IS NULL OR at < ?5)
         ORDER BY at, delivery_id, position LIMIT ?6"
    ))?;
    let rows = stmt
        .query_map(
            params![
                forge,
                delivery,
                q.repo,
                q.since_ms,
                q.until_ms,
                q.limit as i64
            ],
            row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(ActionRow::into_record)
        .collect())
}

pub(super) fn try_lock(
    conn: &Connection,
    key: &str,
    holder: &str,
    now_ms: i64,
    expires_at: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "INSERT INTO locks (key, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder,
             expires_at = excluded.expires_at
         WHERE locks.expires_at < ?4 OR locks.holder = excluded.holder",
    )?
    .execute(params![key, holder, expires_at, now_ms])
    .map(|n| n == 1)
}

pub(super) fn unlock(conn: &Connection, key: &str, holder: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM locks WHERE key = ?1 AND holder = ?2")?
        .execute(params![key, holder])
        .map(drop)
}
