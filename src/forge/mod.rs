//! The forge layer: the [`Forge`] trait that the executor drives, its error type, and the
//! GitHub (octocrab) and GitLab (`gitlab` crate) implementations with retry, write throttle
//! and a name → id cache.

mod forges;
pub mod github;
pub mod gitlab;
pub mod release;
mod setup;
pub mod transport;

use crate::model::ForgeKind;
use crate::model::{IssueSnapshot, Milestone};
use crate::plan::{IssueChange, Target};
use crate::role::Role;
use async_trait::async_trait;
use std::time::Duration;

pub use forges::Forges;
pub use github::{GithubAuth, GithubConfig, GithubForge};
pub use gitlab::{GitlabConfig, GitlabForge};
pub use release::{MergeRequestFields, ReleaseForge};
pub use setup::build;
pub use transport::retry::RetryPolicy;

/// Longest forge message kept in an error (forges sometimes answer with whole HTML pages).
pub const MAX_ERROR_MESSAGE_CHARS: usize = 500;

/// Why a forge call failed. `Transient` and `RateLimited` are retried, the others are not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// 401: the token or app credentials are wrong or expired.
    #[error("the forge refused our credentials (401)")]
    Unauthorized,
    /// 404: what was asked for does not exist (or is hidden from us).
    #[error("not found: {0}")]
    NotFound(String),
    /// 429, or 403 with an exhausted rate limit.
    #[error("rate limited by the forge{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, timeouts and connection errors.
    #[error("transient forge error: {0}")]
    Transient(String),
    /// Any other 4xx; `message` is what the forge said.
    #[error("the forge rejected the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// A failure on our side that retrying will not fix (bad configuration, an answer we
    /// could not read).
    #[error("{0}")]
    Other(String),
}

impl ForgeError {
    /// Whether trying again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ForgeError::Transient(_) | ForgeError::RateLimited { .. }
        )
    }

    /// Classify a non-success HTTP answer.
    ///
    /// `retry_after` comes from `Retry-After` (or the rate-limit reset header);
    /// `rate_limit_exhausted` is true when the forge said no requests remain
    /// (GitHub answers 403 in that case).
    pub fn from_status(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        rate_limit_exhausted: bool,
    ) -> ForgeError {
        ForgeError::classify(
            status,
            error_message(body),
            retry_after,
            rate_limit_exhausted,
        )
    }

    /// Classify a non-success HTTP status whose message is already extracted.
    pub fn classify(
        status: u16,
        message: String,
        retry_after: Option<Duration>,
        rate_limit_exhausted: bool,
    ) -> ForgeError {
        match status {
            401 => ForgeError::Unauthorized,
            403 if rate_limit_exhausted
                || retry_after.is_some()
                || message.contains("secondary rate limit") =>
            {
                ForgeError::RateLimited { retry_after }
            }
            404 => ForgeError::NotFound(message),
            408 => ForgeError::Transient(format!("408: {message}")),
            429 => ForgeError::RateLimited { retry_after },
            500..=599 => ForgeError::Transient(format!("{status}: {message}")),
            _ => ForgeError::Rejected { status, message },
        }
    }
}

/// The human part of an error body: GitHub `{"message", "errors"}`, GitLab `{"message"}` or
/// `{"error"}` (GitLab's `message` may be an object of field → errors).
pub fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            let main = match json.get("message").or_else(|| json.get("error")) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => json.to_string(),
            };
            match json.get("errors") {
                Some(errors) if errors.as_array().is_some_and(|a| !a.is_empty()) => {
                    format!("{main}: {errors}")
                }
                _ => main,
            }
        }
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    };
    if text.chars().count() > MAX_ERROR_MESSAGE_CHARS {
        let cut: String = text.chars().take(MAX_ERROR_MESSAGE_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Seconds in a `Retry-After` header (the HTTP-date form is not used by either forge).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What forgehand needs from a forge. Implementations retry transient failures and throttle
/// writes themselves, per request.
#[async_trait]
pub trait Forge: ReleaseForge + Send + Sync {
    fn kind(&self) -> ForgeKind;

    /// Read an issue / merge request as it is now.
    async fn issue(&self, target: &Target) -> Result<IssueSnapshot, ForgeError>;

    /// Apply labels, milestone, assignees and state in as few writes as the forge allows.
    /// `current_labels` are the item's labels now (GitHub needs them to remove labels, since
    /// its `PATCH` replaces the whole list; GitLab ignores them).
    async fn edit_issue(
        &self,
        target: &Target,
        change: &IssueChange,
        current_labels: &[String],
    ) -> Result<(), ForgeError>;

    /// Post a comment; returns its id.
    async fn comment(&self, target: &Target, body: &str) -> Result<u64, ForgeError>;

    /// The id of a comment whose body contains `marker`, if any.
    async fn find_comment_with_marker(
        &self,
        target: &Target,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError>;

    /// React to a comment (GitHub reaction content / GitLab award emoji name, e.g. `eyes`).
    async fn react(
        &self,
        target: &Target,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError>;

    /// Names of all labels of a repository / project.
    async fn labels(&self, repo: &str) -> Result<Vec<String>, ForgeError>;

    /// Open milestones of a repository / project.
    async fn milestones(&self, repo: &str) -> Result<Vec<Milestone>, ForgeError>;

    /// Whether an account with this login / username exists.
    async fn user_exists(&self, login: &str) -> Result<bool, ForgeError>;

    /// The person's role from the forge's own access level. `None` when no such user exists;
    /// an existing user without access to the repository is `Some(Role::Reader)`.
    async fn role_of(&self, repo: &str, login: &str) -> Result<Option<Role>, ForgeError>;

    /// Create a label (`color` as six hex digits, without `#`), for `forgehand labels sync`.
    async fn create_label(&self, repo: &str, name: &str, color: &str) -> Result<(), ForgeError> {
        let _ = (repo, name, color);
        Err(ForgeError::Other(format!(
            "creating labels is not supported on {}",
            self.kind()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        let body = br#"{"message":"Validation Failed","errors":[{"code":"invalid"}]}"#;
        assert_eq!(
            ForgeError::from_status(401, b"", None, false),
            ForgeError::Unauthorized
        );
        assert_eq!(
            ForgeError::from_status(404, br#"{"message":"Not Found"}"#, None, false),
            ForgeError::NotFound("Not Found".into())
        );
        match ForgeError::from_status(422, body, None, false) {
            ForgeError::Rejected { status, message } => {
                assert_eq!(status, 422);
                assert!(message.starts_with("Validation Failed: "), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(ForgeError::from_status(503, b"", None, false).is_retryable());
        assert_eq!(
            ForgeError::from_status(429, b"", Some(Duration::from_secs(3)), false),
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert!(ForgeError::from_status(403, b"", None, true).is_retryable());
        assert!(!ForgeError::from_status(403, b"{}", None, false).is_retryable());
        let secondary = br#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert!(ForgeError::from_status(403, secondary, None, false).is_retryable());
    }

    #[test]
    fn gitlab_field_errors_are_kept() {
        let msg = error_message(br#"{"message":{"title":["can't be blank"]}}"#);
        assert_eq!(msg, r#"{"title":["can't be blank"]}"#);
        assert_eq!(
            error_message(br#"{"error":"invalid_token"}"#),
            "invalid_token"
        );
        assert_eq!(error_message(b"  plain text "), "plain text");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "x".repeat(MAX_ERROR_MESSAGE_CHARS + 10);
        assert_eq!(
            error_message(long.as_bytes()).chars().count(),
            MAX_ERROR_MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(Some(" 7 ")), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }
}
