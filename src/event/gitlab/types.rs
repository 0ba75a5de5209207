//! Serde shapes of the parts of GitLab webhook payloads that forgehand reads; everything
//! else in a payload is skipped. Optional or nullable fields are `Option` / `#[serde(default)]`.

use serde::de::IgnoredAny;
use serde::Deserialize;

/// Fields every delivery may carry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Common {
    pub object_kind: Option<String>,
    pub user: Option<User>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct User {
    pub id: Option<u64>,
    pub username: Option<String>,
    pub bot: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct Project {
    pub path_with_namespace: String,
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub web_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct Assignee {
    pub username: String,
}

#[derive(Debug, Deserialize)]
pub struct LastCommit {
    pub id: String,
}

/// An issue: `object_attributes` of an Issue Hook, or `issue` of a Note Hook.
#[derive(Debug, Deserialize)]
pub struct Issue {
    pub iid: u64,
    #[serde(default)]
    pub id: Option<u64>,
    pub title: String,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub description: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub milestone_id: Option<u64>,
    #[serde(default)]
    pub author_id: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A merge request: `object_attributes` of a Merge Request Hook, or `merge_request` of a
/// Note Hook.
#[derive(Debug, Deserialize)]
pub struct MergeRequest {
    pub iid: u64,
    #[serde(default)]
    pub id: Option<u64>,
    pub title: String,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub description: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    pub source_branch: String,
    pub target_branch: String,
    #[serde(default)]
    pub last_commit: Option<LastCommit>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub milestone_id: Option<u64>,
    #[serde(default)]
    pub author_id: Option<u64>,
    /// Deprecated single assignee (Note Hook).
    #[serde(default)]
    pub assignee: Option<Assignee>,
    #[serde(default)]
    pub url: Option<String>,
}

/// `previous` / `current` of one changed attribute.
#[derive(Debug, Deserialize)]
pub struct Change<T> {
    #[serde(default)]
    pub previous: Option<T>,
    #[serde(default)]
    pub current: Option<T>,
}

/// The attributes an update changed (Issue Hook `changes`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IssueChanges {
    pub title: Option<IgnoredAny>,
    pub description: Option<IgnoredAny>,
    pub labels: Option<Change<Vec<Label>>>,
    pub milestone_id: Option<Change<u64>>,
    pub assignees: Option<Change<Vec<Assignee>>>,
}

#[derive(Debug, Deserialize)]
pub struct IssueHook {
    pub project: Project,
    pub object_attributes: Issue,
    #[serde(default)]
    pub assignees: Option<Vec<Assignee>>,
    #[serde(default)]
    pub changes: Option<IssueChanges>,
}

#[derive(Debug, Deserialize)]
pub struct MergeRequestHook {
    pub project: Project,
    pub object_attributes: MergeRequest,
    #[serde(default)]
    pub assignees: Option<Vec<Assignee>>,
}

#[derive(Debug, Deserialize)]
pub struct Note {
    pub id: u64,
    #[serde(default, deserialize_with = "crate::event::payload::large_text")]
    pub note: Option<String>,
    pub noteable_type: String,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub system: Option<bool>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoteHook {
    pub project: Project,
    pub object_attributes: Note,
    #[serde(default)]
    pub issue: Option<Issue>,
    #[serde(default)]
    pub merge_request: Option<MergeRequest>,
}

#[derive(Debug, Deserialize)]
pub struct PushCommit {
    pub id: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub modified: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
}

/// Push Hook and Tag Push Hook (also as System Hooks).
#[derive(Debug, Deserialize)]
pub struct PushHook {
    #[serde(rename = "ref")]
    pub git_ref: String,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub checkout_sha: Option<String>,
    #[serde(default)]
    pub user_id: Option<u64>,
    #[serde(default)]
    pub user_username: Option<String>,
    pub project: Project,
    #[serde(default)]
    pub commits: Vec<PushCommit>,
}

#[derive(Debug, Deserialize)]
pub struct PipelineAttributes {
    pub id: u64,
    #[serde(rename = "ref")]
    pub git_ref: String,
    #[serde(default)]
    pub tag: bool,
    #[serde(default)]
    pub sha: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PipelineHook {
    pub project: Project,
    pub object_attributes: PipelineAttributes,
}

#[derive(Debug, Deserialize)]
pub struct ReleaseHook {
    pub project: Project,
    pub tag: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}
