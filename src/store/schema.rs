//! The store's schema as numbered migrations, the same tables for every backend: one row per
//! delivery, which is also its job. Payloads sit in their own table so that claiming and
//! finishing a job rewrite a narrow row, not the (often 10+ KB) body.
//!
//! `schema_version` holds one row per applied migration. At start-up each backend applies,
//! under a lock (SQLite: one `BEGIN IMMEDIATE` transaction; PostgreSQL: an advisory lock and
//! a transaction), the migrations newer than the highest version recorded, so a new binary
//! opens a database an older one made. Migration 1 is the schema from before versioning,
//! written with `IF NOT EXISTS`, so it also adopts such a database as it is. A database whose
//! version is newer than this binary knows is refused.

/// One numbered step of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub statements: &'static [&'static str],
}

/// The table recording applied migrations (same text for both backends).
pub const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// The SQLite migrations, in order.
pub const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "deliveries, payloads, markers, comment bodies",
        statements: SQLITE_V1,
    },
    Migration {
        version: 2,
        name: "action ledger and lock rows",
        statements: SQLITE_V2,
    },
    Migration {
        version: 3,
        name: "set-aside count",
        statements: SQLITE_V3,
    },
    Migration {
        version: 4,
        name: "facts and plan per delivery",
        statements: SQLITE_V4,
    },
];

/// The PostgreSQL migrations, in order.
pub const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "deliveries, payloads, markers, comment bodies",
        statements: POSTGRES_V1,
    },
    Migration {
        version: 2,
        name: "action ledger and lock rows",
        statements: POSTGRES_V2,
    },
    Migration {
        version: 3,
        name: "set-aside count",
        statements: POSTGRES_V3,
    },
    Migration {
        version: 4,
        name: "facts and plan per delivery",
        statements: POSTGRES_V4,
    },
];

/// The highest version of `migrations`.
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// Why a database cannot be opened by this binary, if it cannot.
pub fn check_not_newer(found: i64, migrations: &[Migration]) -> Result<(), String> {
    let known = latest(migrations);
    if found > known {
        return Err(format!(
            "the database is at schema version {found}, newer than this forgehand knows \
             ({known}); run a newer forgehand"
        ));
    }
    Ok(())
}

/// The action ledger: one row per intent of a plan, keyed by its intent key; and store-held
/// locks (one row per held key, with the time it lapses if its holder dies).
const SQLITE_V2: &[&str] = &[
    "CREATE TABLE actions (
        key TEXT PRIMARY KEY,
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        intent TEXT NOT NULL,
        position INTEGER NOT NULL,
        state TEXT NOT NULL,
        answer TEXT,
        object_id TEXT,
        url TEXT,
        at INTEGER NOT NULL
    )",
    "CREATE INDEX actions_delivery ON actions (forge, delivery_id, position)",
    "CREATE INDEX actions_repo ON actions (repo, at)",
    "CREATE INDEX actions_at ON actions (at)",
    "CREATE TABLE locks (
        key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    )",
];

const POSTGRES_V2: &[&str] = &[
    "CREATE TABLE actions (
        key TEXT PRIMARY KEY,
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        intent TEXT NOT NULL,
        position BIGINT NOT NULL,
        state TEXT NOT NULL,
        answer TEXT,
        object_id TEXT,
        url TEXT,
        at BIGINT NOT NULL
    )",
    "CREATE INDEX actions_delivery ON actions (forge, delivery_id, position)",
    "CREATE INDEX actions_repo ON actions (repo, at)",
    "CREATE INDEX actions_at ON actions (at)",
    "CREATE TABLE locks (
        key TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
];

/// Version 3: how often a job was set aside untried (no write slot, or another repository's
/// turn, or a shutdown). `attempts` only ever grows — it fences a job's writes — and the tries
/// that count against `max_attempts` are `attempts - set_asides`.
const SQLITE_V3: &[&str] =
    &["ALTER TABLE deliveries ADD COLUMN set_asides INTEGER NOT NULL DEFAULT 0"];

const POSTGRES_V3: &[&str] =
    &["ALTER TABLE deliveries ADD COLUMN set_asides BIGINT NOT NULL DEFAULT 0"];

/// Version 4: what the worker gathered and decided for each delivery (the `Context` and the
/// plan, as JSON), for `forgehand explain` and `forgehand replay`; pruned with the delivery.
const SQLITE_V4: &[&str] = &[
    "CREATE TABLE facts (
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        context TEXT NOT NULL,
        plan TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (forge, delivery_id)
    )",
    "CREATE INDEX facts_at ON facts (at)",
    "CREATE INDEX deliveries_received ON deliveries (received_at)",
];

const POSTGRES_V4: &[&str] = &[
    "CREATE TABLE facts (
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        repo TEXT NOT NULL,
        context TEXT NOT NULL,
        plan TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (forge, delivery_id)
    )",
    "CREATE INDEX facts_at ON facts (at)",
    "CREATE INDEX deliveries_received ON deliveries (received_at)",
];

/// Version 1: the schema from before versioning (idempotent, so it adopts such databases).
pub const SQLITE_V1: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS deliveries (
        id INTEGER PRIMARY KEY,
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        event TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_until INTEGER,
        not_before INTEGER NOT NULL DEFAULT 0,
        finished_at INTEGER,
        UNIQUE (forge, delivery_id)
    )",
    "CREATE TABLE IF NOT EXISTS payloads (
        delivery INTEGER PRIMARY KEY REFERENCES deliveries (id),
        body BLOB NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (id)
        WHERE state IN ('pending', 'running')",
    "CREATE TABLE IF NOT EXISTS markers (
        key TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
    )",
    // The last processed text of each comment, for forges whose edit events do not carry
    // the previous text (GitLab): an edit then runs only the commands it added.
    "CREATE TABLE IF NOT EXISTS comment_bodies (
        forge TEXT NOT NULL,
        repo TEXT NOT NULL,
        comment_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (forge, repo, comment_id)
    )",
];

/// Version 1 for PostgreSQL (idempotent, so it adopts databases from before versioning).
pub const POSTGRES_V1: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS deliveries (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        forge TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        event TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        reason TEXT,
        attempts BIGINT NOT NULL DEFAULT 0,
        lease_until BIGINT,
        not_before BIGINT NOT NULL DEFAULT 0,
        finished_at BIGINT,
        UNIQUE (forge, delivery_id)
    )",
    "CREATE TABLE IF NOT EXISTS payloads (
        delivery BIGINT PRIMARY KEY REFERENCES deliveries (id),
        body BYTEA NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (id)
        WHERE state IN ('pending', 'running')",
    "CREATE TABLE IF NOT EXISTS markers (
        key TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS comment_bodies (
        forge TEXT NOT NULL,
        repo TEXT NOT NULL,
        comment_id BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (forge, repo, comment_id)
    )",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbered_one_by_one_and_alike_on_both_backends() {
        for migrations in [SQLITE_MIGRATIONS, POSTGRES_MIGRATIONS] {
            let versions: Vec<i64> = migrations.iter().map(|m| m.version).collect();
            let expected: Vec<i64> = (1..=migrations.len() as i64).collect();
            assert_eq!(versions, expected);
        }
        let names = |ms: &[Migration]| ms.iter().map(|m| m.name).collect::<Vec<_>>();
        assert_eq!(names(SQLITE_MIGRATIONS), names(POSTGRES_MIGRATIONS));
        assert!(check_not_newer(4, SQLITE_MIGRATIONS).is_ok());
        let err = check_not_newer(5, SQLITE_MIGRATIONS).unwrap_err();
        assert!(err.contains("schema version 5"), "{err}");
    }
}
