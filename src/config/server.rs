//! The `server:` section: where forgehand listens, where it stores deliveries and jobs, and
//! how its background workers behave.

use super::document::Validate;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{Deserialize, Deserializer, Error};
use serde::Deserialize as DeriveDeserialize;
use std::fmt;
use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroU64};
use std::time::Duration;

/// Default listen address when neither the file nor `FORGEHAND_LISTEN` says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default database when neither the file nor `FORGEHAND_DATABASE_URL` says otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://forgehand.db";
/// Default request body limit: 25 MiB.
pub const DEFAULT_BODY_LIMIT_BYTES: u64 = 25 * 1024 * 1024;

/// `server:` — the HTTP server, storage and job queue.
#[derive(Debug, Clone, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Socket address to listen on. Default `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Where deliveries and jobs are kept: `sqlite://PATH` (`sqlite://:memory:` for tests) or
    /// `postgres://…`. Default `sqlite://forgehand.db`.
    #[serde(default = "default_database_url")]
    pub database_url: DatabaseUrl,
    /// Largest webhook body accepted; larger ones get 413. Default 26214400 (25 MiB).
    #[serde(default = "default_body_limit")]
    pub body_limit_bytes: NonZeroU64,
    /// Number of background job workers. Default 4.
    #[serde(default = "default_workers")]
    pub workers: NonZeroU32,
    /// Seconds after which a claimed but unfinished job may be claimed again. Default 60.
    #[serde(default = "default_lease_seconds")]
    pub lease_seconds: NonZeroU64,
    /// Attempts before a job is marked failed for good. Default 5.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: NonZeroU32,
    /// Decide and log but never write to a forge. Default `false` (but see
    /// [`super::Config::dry_run`]: no forge credentials also means dry-run).
    #[serde(default)]
    pub dry_run: bool,
    /// Seconds running jobs are given to finish after `SIGTERM` / Ctrl-C before the process
    /// exits anyway; jobs not finished by then are put back for the next start (or another
    /// replica). Default 8, so that the whole shutdown stays within the 10 s `docker stop`
    /// and Kubernetes allow by default.
    #[serde(default = "default_shutdown_grace_seconds")]
    pub shutdown_grace_seconds: u64,
    /// Days finished deliveries (with their payloads), the facts gathered for them and the
    /// action ledger's rows are kept; `serve` prunes older ones in the background. Pending
    /// and running deliveries are never pruned. Default 30.
    #[serde(default = "default_retention_days")]
    pub retention_days: NonZeroU32,
}

impl ServerConfig {
    /// The job lease as a duration.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_seconds.get())
    }

    /// How long finished deliveries and what is kept of them are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_days.get()) * 24 * 3600)
    }

    /// The shutdown grace as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }
}

impl Validate for ServerConfig {}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN.parse().expect("valid default address")
}

fn default_database_url() -> DatabaseUrl {
    DatabaseUrl::parse(DEFAULT_DATABASE_URL).expect("valid default database URL")
}

fn default_body_limit() -> NonZeroU64 {
    NonZeroU64::new(DEFAULT_BODY_LIMIT_BYTES).expect("non-zero")
}

fn default_workers() -> NonZeroU32 {
    NonZeroU32::new(4).expect("non-zero")
}

fn default_lease_seconds() -> NonZeroU64 {
    NonZeroU64::new(60).expect("non-zero")
}

/// Default seconds running jobs get at shutdown.
pub const DEFAULT_SHUTDOWN_GRACE_SECONDS: u64 = 8;

fn default_shutdown_grace_seconds() -> u64 {
    DEFAULT_SHUTDOWN_GRACE_SECONDS
}

fn default_retention_days() -> NonZeroU32 {
    NonZeroU32::new(30).expect("non-zero")
}

fn default_max_attempts() -> NonZeroU32 {
    NonZeroU32::new(5).expect("non-zero")
}

/// Which database a [`DatabaseUrl`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// An SQLite file (or `:memory:`).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A database URL. A PostgreSQL URL may hold a password, so it is kept secret and `Debug`
/// shows only its scheme.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    kind: DatabaseKind,
}

impl DatabaseUrl {
    /// Checks `url`: `sqlite://PATH` or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        let kind = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("invalid database URL: `sqlite://` needs a path".into());
            }
            DatabaseKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else {
            let scheme = url.split("://").next().unwrap_or(url);
            let shown = if url.contains("://") { scheme } else { url };
            return Err(format!(
                "invalid database URL `{shown}`: expected sqlite://PATH or postgres://…"
            ));
        };
        Ok(DatabaseUrl {
            url: SecretString::from(url),
            kind,
        })
    }

    /// Which database this is.
    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The SQLite file path (`:memory:` for an in-memory database), if this is SQLite.
    pub fn sqlite_path(&self) -> Option<&str> {
        self.url.expose_secret().strip_prefix("sqlite://")
    }

    /// The full URL, credentials included: hand it to the driver, never to a log.
    pub fn expose_url(&self) -> &str {
        self.url.expose_secret()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DatabaseKind::Sqlite => write!(f, "DatabaseUrl({:?})", self.url.expose_secret()),
            DatabaseKind::Postgres => f.write_str("DatabaseUrl(postgres://[REDACTED])"),
        }
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DatabaseUrl::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_table() {
        let cases: &[(&str, Option<DatabaseKind>, Option<&str>)] = &[
            (
                "sqlite://forgehand.db",
                Some(DatabaseKind::Sqlite),
                Some("forgehand.db"),
            ),
            (
                "sqlite:///var/lib/f.db",
                Some(DatabaseKind::Sqlite),
                Some("/var/lib/f.db"),
            ),
            (
                "sqlite://:memory:",
                Some(DatabaseKind::Sqlite),
                Some(":memory:"),
            ),
            ("postgres://u:p@h/db", Some(DatabaseKind::Postgres), None),
            ("postgresql://h/db", Some(DatabaseKind::Postgres), None),
            ("sqlite://", None, None),
            ("mysql://h/db", None, None),
            ("forgehand.db", None, None),
        ];
        for (url, kind, path) in cases {
            let parsed = DatabaseUrl::parse(url);
            assert_eq!(parsed.as_ref().ok().map(DatabaseUrl::kind), *kind, "{url}");
            assert_eq!(
                parsed.as_ref().ok().and_then(DatabaseUrl::sqlite_path),
                *path
            );
        }
    }

    #[test]
    fn postgres_password_is_not_in_debug() {
        let url = DatabaseUrl::parse("postgres://bot:hunter2@db/forgehand").unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(url.expose_url(), "postgres://bot:hunter2@db/forgehand");
    }
}
