//! Intents of the release flow: merge requests kept in step with a template, issues filed
//! once (found again by their marker) or kept up to date and closed, branches, single-file
//! commits, the forge's release object of a tag, and "released in" notes.

use super::Target;
use serde::Serialize;
use std::fmt;

/// Create the merge request `source_branch` → `target_branch`, or update the open one.
/// A closed or merged one whose body carries `marker` means the work is done: nothing is
/// created again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeRequestSpec {
    pub repo: String,
    pub source_branch: String,
    pub target_branch: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    /// Delete the source branch when merged (GitLab; on GitHub a repository setting).
    pub remove_source_branch: bool,
    pub marker: String,
}

/// File an issue unless one carrying `marker` exists in `repo` (open or closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueSpec {
    pub repo: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub marker: String,
}

/// Commit `content` to `path` on `branch` unless the file already has that content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCommit {
    pub repo: String,
    pub branch: String,
    pub path: String,
    pub content: String,
    pub message: String,
}

/// Create the forge's release object of `tag`, or update the one that exists (found by its
/// tag). A published release is never turned back into a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseSpec {
    pub repo: String,
    pub tag: String,
    pub name: String,
    /// Markdown: the changelog section, or the grouped merged changes.
    pub notes: String,
    /// Keep it unpublished (a draft kept up to date until the release is published).
    pub draft: bool,
    pub prerelease: bool,
    /// Milestone titles to link (forges that link milestones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<String>,
}

/// Tell one issue / merge request it was released: add `labels`, then comment `body` —
/// unless a comment carrying `marker` shows it was told already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleasedInSpec {
    pub target: Target,
    pub body: String,
    pub marker: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Comment `comment` on the open issue of `repo` carrying `marker` (looked for among issues
/// with `label`) and close it; nothing when no such issue is open. The comment is posted
/// once: `comment_marker` is looked for first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolveSpec {
    pub repo: String,
    pub marker: String,
    pub label: Option<String>,
    pub comment: String,
    pub comment_marker: String,
}

impl fmt::Display for ReleaseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match (self.draft, self.prerelease) {
            (true, true) => "draft pre-release",
            (true, false) => "draft release",
            (false, true) => "pre-release",
            (false, false) => "release",
        };
        write!(
            f,
            "create or update {kind} {} of {}: \"{}\"",
            self.tag, self.repo, self.name
        )?;
        if !self.milestones.is_empty() {
            write!(f, " milestones {}", self.milestones.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Display for ReleasedInSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.body.lines().find(|l| !l.starts_with("<!--"));
        write!(f, "tell {}: {}", self.target, first.unwrap_or_default())?;
        if !self.labels.is_empty() {
            write!(f, " + labels {}", self.labels.join(", "))?;
        }
        write!(f, " (unless {} exists)", self.marker)
    }
}

impl fmt::Display for ResolveSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "comment on and close the open issue of {} carrying {} (if any)",
            self.repo, self.marker
        )
    }
}

impl fmt::Display for MergeRequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "create or update merge request {} {} → {}: \"{}\"",
            self.repo, self.source_branch, self.target_branch, self.title
        )?;
        if !self.labels.is_empty() {
            write!(f, " labels {}", self.labels.join(", "))?;
        }
        if !self.assignees.is_empty() {
            write!(f, " assignees {}", self.assignees.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Display for IssueSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "file issue in {}: \"{}\"", self.repo, self.title)?;
        if !self.assignees.is_empty() {
            write!(f, " assigned to {}", self.assignees.join(", "))?;
        }
        write!(f, " (unless {} exists)", self.marker)
    }
}

impl fmt::Display for FileCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "commit {} on {} of {}: \"{}\"",
            self.path, self.branch, self.repo, self.message
        )
    }
}
