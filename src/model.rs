//! What both sides share: the forge kind, the names that cross into a forge (repository
//! paths, logins, label names, issue references, parsed once at the edge), and the facts
//! `decide` reads that the forge adapters produce (milestones, issue snapshots, merge
//! requests, pipelines, failed jobs, changes and the issues they close). Plain data, no I/O.

mod closing;
mod names;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use closing::{closing_references, MAX_CLOSING_REFERENCES};
pub use names::{InvalidName, IssueRef, LabelName, Login, RepoPath};

/// Which forge a delivery came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForgeKind {
    Github,
    Gitlab,
}

impl ForgeKind {
    /// The name in URLs, configuration and the store: `github`, `gitlab`.
    pub fn as_str(self) -> &'static str {
        match self {
            ForgeKind::Github => "github",
            ForgeKind::Gitlab => "gitlab",
        }
    }

    /// The name people read in messages: `GitHub`, `GitLab`.
    pub fn display_name(self) -> &'static str {
        match self {
            ForgeKind::Github => "GitHub",
            ForgeKind::Gitlab => "GitLab",
        }
    }
}

/// The assignee list after applying an edit to `current`: `set` replaces the list, then
/// `add` joins and `remove` leaves (logins compared without regard to case). The plan's
/// `IssueChange` and the forge's `IssueEdit` both apply their edits through it.
pub fn apply_assignees<S: AsRef<str>>(
    current: &[String],
    set: Option<&[S]>,
    add: &[S],
    remove: &[S],
) -> Vec<String> {
    let mut result: Vec<String> = match set {
        Some(set) => set.iter().map(|l| l.as_ref().to_string()).collect(),
        None => current.to_vec(),
    };
    for user in add.iter().map(AsRef::as_ref) {
        if !result.iter().any(|u| u.eq_ignore_ascii_case(user)) {
            result.push(user.to_string());
        }
    }
    result.retain(|u| !remove.iter().any(|r| r.as_ref().eq_ignore_ascii_case(u)));
    result
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ForgeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "github" => Ok(ForgeKind::Github),
            "gitlab" => Ok(ForgeKind::Gitlab),
            other => Err(format!(
                "unknown forge `{other}` (expected github or gitlab)"
            )),
        }
    }
}

/// An open milestone. GitHub milestones only have a due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Global id.
    pub id: u64,
    /// GitHub milestone number / GitLab milestone iid (what web URLs show).
    pub number_or_iid: u64,
    pub title: String,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
}

/// Open or closed, as the forge reports it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    Open,
    Closed,
}

/// An issue / merge request as it stands on the forge right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueSnapshot {
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignees: Vec<String>,
    pub state: IssueState,
}

/// An issue found by the hidden marker in its body, with what the incident flow reads of it:
/// its state, when it was closed, its labels and its body (the marker's text included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkedIssue {
    pub number: u64,
    pub url: Option<String>,
    pub state: IssueState,
    /// When it was last closed; `None` while open (or when the forge does not say).
    pub closed_at: Option<DateTime<Utc>>,
    pub labels: Vec<String>,
    pub body: String,
}

impl MarkedIssue {
    pub fn is_open(&self) -> bool {
        self.state == IssueState::Open
    }
}

/// Where a merge / pull request stands; each adapter maps its forge's words to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeRequestState {
    Open,
    Closed,
    Merged,
}

impl MergeRequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            MergeRequestState::Open => "open",
            MergeRequestState::Closed => "closed",
            MergeRequestState::Merged => "merged",
        }
    }
}

impl fmt::Display for MergeRequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A merge / pull request found by its branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeRequestInfo {
    pub number: u64,
    pub state: MergeRequestState,
    pub body: String,
    pub url: Option<String>,
}

impl MergeRequestInfo {
    pub fn is_open(&self) -> bool {
        self.state == MergeRequestState::Open
    }
}

/// A file's text at a ref, with the blob id GitHub needs to replace it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAtRef {
    pub content: String,
    pub blob_sha: Option<String>,
}

/// The latest pipeline of a ref.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineInfo {
    pub id: u64,
    /// Forge-neutral status: `pending`, `running`, `success`, `failed`, `canceled`, …
    pub status: String,
    pub url: Option<String>,
}

/// How a forge's markdown references an issue or a merge request, e.g. in release notes.
/// Each forge's decoder names its style in its dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefStyle {
    /// GitHub's: `#12` for issues and pull requests alike.
    GitHub,
    /// GitLab's: `!12` for merge requests, `#12` for issues.
    GitLab,
}

/// A merged pull/merge request (or issue) between two releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub number: u64,
    pub title: String,
    pub labels: Vec<String>,
    /// Login of the author, without `@`.
    pub author: String,
    pub url: Option<String>,
    /// A merge/pull request rather than an issue (GitLab writes `!12` for those).
    pub is_merge_request: bool,
    /// Issues of the same repository its description says it closes ([`closing_references`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closes: Vec<u64>,
}

/// A job of a pipeline (GitLab job, GitHub Actions job) that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedJob {
    pub name: String,
    /// The job's web page.
    pub url: Option<String>,
}
