//! Serde shapes of the parts of GitHub webhook payloads that forgehand reads; everything
//! else in a payload is skipped. Optional or nullable fields are `Option` / `#[serde(default)]`.

use serde::Deserialize;

/// Fields every delivery may carry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Common {
    pub action: Option<String>,
    pub sender: Option<User>,
    pub repository: Option<Repository>,
    pub installation: Option<Installation>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub login: String,
    #[serde(default)]
    pub id: Option<u64>,
    /// `User`, `Bot` or `Organization`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Repository {
    pub full_name: String,
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Installation {
    pub id: u64,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Milestone {
    pub title: String,
    #[serde(default)]
    pub number: Option<u64>,
}

/// Present on an issue that is really a pull request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PullRequestLink {
    pub merged_at: Option<String>,
}

/// An issue, or a pull request seen through the issues API (`issue_comment`).
#[derive(Debug, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub body: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    #[serde(default)]
    pub assignees: Option<Vec<User>>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub author_association: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub pull_request: Option<PullRequestLink>,
}

#[derive(Debug, Deserialize)]
pub struct IssuesPayload {
    pub issue: Issue,
}

#[derive(Debug, Deserialize)]
pub struct IssueComment {
    pub id: u64,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub body: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub author_association: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BodyChange {
    #[serde(deserialize_with = "crate::event::payload::large_text")]
    pub from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentChanges {
    pub body: Option<BodyChange>,
}

#[derive(Debug, Deserialize)]
pub struct IssueCommentPayload {
    pub issue: Issue,
    pub comment: IssueComment,
    #[serde(default)]
    pub changes: Option<CommentChanges>,
}

#[derive(Debug, Deserialize)]
pub struct Branch {
    #[serde(rename = "ref")]
    pub git_ref: String,
    #[serde(default)]
    pub sha: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub body: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub merged: Option<bool>,
    #[serde(default)]
    pub merged_at: Option<String>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    #[serde(default)]
    pub assignees: Option<Vec<User>>,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub author_association: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    pub head: Branch,
    pub base: Branch,
}

#[derive(Debug, Deserialize)]
pub struct PullRequestPayload {
    pub pull_request: PullRequest,
}

/// `create` and `delete` events.
#[derive(Debug, Deserialize)]
pub struct RefPayload {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub ref_type: String,
}

#[derive(Debug, Deserialize)]
pub struct PushCommit {
    pub id: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
    #[serde(default)]
    pub modified: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct HeadCommit {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct PushPayload {
    #[serde(rename = "ref")]
    pub git_ref: String,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub commits: Vec<PushCommit>,
    #[serde(default)]
    pub head_commit: Option<HeadCommit>,
}

#[derive(Debug, Deserialize)]
pub struct Release {
    pub tag_name: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ReleasePayload {
    pub release: Release,
}

#[derive(Debug, Deserialize)]
pub struct NamedThing {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WorkflowRun {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WorkflowRunPayload {
    pub workflow_run: WorkflowRun,
    #[serde(default)]
    pub workflow: Option<NamedThing>,
}

#[derive(Debug, Deserialize)]
pub struct CheckSuite {
    pub id: u64,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub app: Option<NamedThing>,
}

#[derive(Debug, Deserialize)]
pub struct CheckSuitePayload {
    pub check_suite: CheckSuite,
}
