//! The store's schema, the same tables for every backend: one row per delivery, which is also
//! its job. Payloads sit in their own table so that claiming and finishing a job rewrite a
//! narrow row, not the (often 10+ KB) body.

/// SQLite statements run at start-up; each is idempotent.
pub const SQLITE_SCHEMA: &[&str] = &[
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

/// PostgreSQL statements run at start-up (under an advisory lock); each is idempotent.
pub const POSTGRES_SCHEMA: &[&str] = &[
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
