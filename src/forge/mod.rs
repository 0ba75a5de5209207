//! The forge layer: the [`Forge`] and [`ReleaseForge`] traits the executor and gather drive,
//! with their error type and argument types; the adapters for GitHub (`github/`, on
//! octocrab) and GitLab (`gitlab/`, on the `gitlab` crate), which map operations to
//! endpoints and answers; and the `transport/` they share (retry, throttle, metrics,
//! pagination, error classification, caches).

mod forges;
pub mod github;
pub mod gitlab;
mod health;
mod release_forge;
mod release_objects;
mod setup;
pub mod transport;

use crate::model::{
    ForgeKind, InvalidName, IssueRef, IssueSnapshot, IssueState, LabelName, Login, Milestone,
    RepoPath,
};
use crate::role::Role;
use async_trait::async_trait;
use std::time::Duration;

pub use forges::Forges;
pub use github::{GithubAuth, GithubConfig, GithubForge};
pub use gitlab::{GitlabConfig, GitlabForge};
pub use health::{check_in_background, ForgeHealth, ForgeState};
pub use release_forge::ReleaseForge;
pub use release_objects::{ForgeRelease, ReleaseFields};
pub use setup::{build, build_unchecked};
pub use transport::retry::RetryPolicy;
pub use transport::throttle::{Budget, Turn};

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
    /// A repository path, login or label name that cannot be sent to a forge.
    #[error(transparent)]
    Invalid(#[from] InvalidName),
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
}

/// How long a person's role read from the forge is reused: brief, so that a permission taken
/// away stops counting within a minute, yet a burst of commands asks once.
pub const ROLE_TTL: Duration = Duration::from_secs(60);
/// People whose roles are kept at a time, per client.
pub const ROLE_CAPACITY: usize = 1024;

/// What [`Forge::edit_issue`] changes on one issue / merge request, names parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueEdit {
    pub add_labels: Vec<LabelName>,
    pub remove_labels: Vec<LabelName>,
    /// `Some(Some(title))` sets the milestone, `Some(None)` removes it.
    pub milestone: Option<Option<String>>,
    pub add_assignees: Vec<Login>,
    pub remove_assignees: Vec<Login>,
    /// Replace all assignees; applied before add / remove.
    pub set_assignees: Option<Vec<Login>>,
    /// The state the item is moved to (closed, or reopened).
    pub state: Option<IssueState>,
}

impl IssueEdit {
    pub fn is_empty(&self) -> bool {
        *self == IssueEdit::default()
    }

    /// Whether the edit touches assignees at all.
    pub fn changes_assignees(&self) -> bool {
        self.set_assignees.is_some()
            || !self.add_assignees.is_empty()
            || !self.remove_assignees.is_empty()
    }

    /// The assignee list after this edit is applied to `current`.
    pub fn resulting_assignees(&self, current: &[String]) -> Vec<String> {
        crate::model::apply_assignees(
            current,
            self.set_assignees.as_deref(),
            &self.add_assignees,
            &self.remove_assignees,
        )
    }
}

/// What [`Forge::install_hook`] did; `events` are the forge's own names, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookInstall {
    Created {
        id: u64,
        events: Vec<String>,
    },
    Updated {
        id: u64,
        events: Vec<String>,
        /// The events the hook had.
        before: Vec<String>,
    },
    Unchanged {
        id: u64,
        events: Vec<String>,
    },
}

/// A label as the forge holds it: its colour as six lowercase hex digits without `#`, its
/// description (empty when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelStyle {
    pub name: String,
    pub color: String,
    pub description: String,
}

impl LabelStyle {
    /// `color` as `labels sync` compares it: no `#`, lowercase.
    pub fn normal_color(color: &str) -> String {
        color.trim_start_matches('#').to_ascii_lowercase()
    }
}

/// What goes into a new or updated merge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequestFields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub labels: &'a [LabelName],
    pub assignees: &'a [Login],
    pub remove_source_branch: bool,
}

/// A new issue's fields beyond title and body that only some issues carry: a due date (set
/// where the forge dates issues: GitLab's `due_date`; GitHub has no such field) and a
/// milestone by title (its due date is GitHub's way to date an issue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueDates<'a> {
    pub due_date: Option<chrono::NaiveDate>,
    pub milestone: Option<&'a str>,
}

/// What forgehand needs from a forge for issues, comments and the facts around them.
/// Adapters retry transient failures and throttle writes (through the transport), per
/// request. Every method is required: an adapter is complete or does not compile.
#[async_trait]
pub trait Forge: ReleaseForge + Send + Sync {
    fn kind(&self) -> ForgeKind;

    /// Read an issue / merge request as it is now.
    async fn issue(&self, item: &IssueRef) -> Result<IssueSnapshot, ForgeError>;

    /// Apply labels, milestone, assignees and state in as few writes as the forge allows
    /// (reading what the forge needs to know first, e.g. GitHub's current labels when some
    /// are removed).
    async fn edit_issue(&self, item: &IssueRef, edit: &IssueEdit) -> Result<(), ForgeError>;

    /// Post a comment; returns its id.
    async fn comment(&self, item: &IssueRef, body: &str) -> Result<u64, ForgeError>;

    /// The id of a comment whose body contains `marker`, if any.
    async fn find_comment_with_marker(
        &self,
        item: &IssueRef,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError>;

    /// React to a comment (GitHub reaction content / GitLab award emoji name, e.g. `eyes`).
    async fn react(
        &self,
        item: &IssueRef,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError>;

    /// Names of all labels of a repository / project.
    async fn labels(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError>;

    /// Whether job `ticket` may send its (about `writes`) writes to `repo` now, or should be
    /// set aside until write slots of its budget are free and it is the repository's turn
    /// (repositories sharing a budget are served in turn). A client without budgets always
    /// says now.
    async fn write_turn(
        &self,
        repo: &RepoPath,
        ticket: i64,
        writes: u32,
    ) -> Result<Turn, ForgeError> {
        let _ = (repo, ticket, writes);
        Ok(Turn::Now)
    }

    /// Reach the forge and check the credentials (start-up checks run in the background).
    async fn check_credentials(&self) -> Result<(), ForgeError> {
        Ok(())
    }

    /// Open milestones of a repository / project.
    async fn milestones(&self, repo: &RepoPath) -> Result<Vec<Milestone>, ForgeError>;

    /// Whether an account with this login / username exists.
    async fn user_exists(&self, login: &Login) -> Result<bool, ForgeError>;

    /// The person's role from the forge's own access level. `None` when no such user exists;
    /// an existing user without access to the repository is `Some(Role::Reader)`.
    async fn role_of(&self, repo: &RepoPath, login: &Login) -> Result<Option<Role>, ForgeError>;

    /// Ask the forge which account this client acts as (GitHub: the App's `<slug>[bot]`
    /// from `GET /app`, or the token's user from `GET /user`; GitLab: `GET /user`), and
    /// remember it for [`Forge::own_login`].
    async fn learn_own_login(&self) -> Result<String, ForgeError>;

    /// The account this client acts as, once [`Forge::learn_own_login`] learned it.
    fn own_login(&self) -> Option<String>;

    /// Every label of `repo` with its colour and description, read afresh (not cached), for
    /// `forgehand labels sync`.
    async fn label_styles(&self, repo: &RepoPath) -> Result<Vec<LabelStyle>, ForgeError>;

    /// Create a label (`color` as six hex digits, without `#`), for `forgehand labels sync`.
    async fn create_label(
        &self,
        repo: &RepoPath,
        name: &LabelName,
        color: &str,
        description: &str,
    ) -> Result<(), ForgeError>;

    /// Register forgehand's webhook on `repo` for the events it acts on, delivering to `url`
    /// signed with `secret` (GitHub) / carrying it as token (GitLab): created when no hook
    /// has that URL, its events set when they differ, else left alone.
    async fn install_hook(
        &self,
        repo: &RepoPath,
        url: &str,
        secret: &str,
    ) -> Result<HookInstall, ForgeError>;

    /// Set the colour (six hex digits, without `#`) and description of the existing label
    /// `name`, for `forgehand labels sync`.
    async fn update_label(
        &self,
        repo: &RepoPath,
        name: &LabelName,
        color: &str,
        description: &str,
    ) -> Result<(), ForgeError>;

    /// Replace the text of comment `comment_id` on `item`.
    async fn edit_comment(
        &self,
        item: &IssueRef,
        comment_id: u64,
        body: &str,
    ) -> Result<(), ForgeError>;

    /// Set the commit status `context` of `sha` (GitHub status / GitLab commit status):
    /// success or failure, with a one-line description.
    async fn set_commit_status(
        &self,
        repo: &RepoPath,
        sha: &str,
        context: &str,
        success: bool,
        description: &str,
    ) -> Result<(), ForgeError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logins(names: &[&str]) -> Vec<Login> {
        names.iter().map(|n| Login::parse(n).unwrap()).collect()
    }

    #[test]
    fn assignees_are_set_then_added_then_removed() {
        let edit = IssueEdit {
            add_assignees: logins(&["Alice", "carol"]),
            remove_assignees: logins(&["BOB"]),
            ..IssueEdit::default()
        };
        let current = ["alice".to_string(), "bob".to_string()];
        assert_eq!(edit.resulting_assignees(&current), ["alice", "carol"]);
        let set = IssueEdit {
            set_assignees: Some(logins(&["dave"])),
            ..edit
        };
        assert_eq!(
            set.resulting_assignees(&current),
            ["dave", "Alice", "carol"]
        );
        assert!(set.changes_assignees());
        assert!(!IssueEdit::default().changes_assignees());
        assert!(IssueEdit::default().is_empty());
    }

    #[test]
    fn invalid_names_are_not_retried() {
        let err: ForgeError = RepoPath::parse("a/../b").unwrap_err().into();
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("invalid repository path"), "{err}");
    }
}
