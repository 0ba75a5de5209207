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
    /// Due on this date, where the forge dates issues (GitLab's `due_date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<chrono::NaiveDate>,
    /// In the open milestone of this title (on GitHub, its due date dates the issue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
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

/// Point the release branch `name` at `tag`: create it there; leave it when it already
/// contains the tag's commit (it is the tag's, or was built on it); otherwise — a branch left
/// from an earlier release — move it there, first closing with `note` its open merge requests
/// into `target_branch` that carry another release's marker (they would now show this
/// release's commits under that release's title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseBranchSpec {
    pub repo: String,
    pub name: String,
    pub tag: String,
    pub target_branch: String,
    /// How every release merge request's marker starts (`<!-- forgehand:release-mr v`).
    pub marker_start: String,
    /// This release's marker: a merge request carrying it is this release's, never closed.
    pub keep_marker: String,
    /// The comment on a superseded merge request, carrying `note_marker`.
    pub note: String,
    pub note_marker: String,
}

/// Comment on the commit `git_ref` points at, unless a comment there carries `marker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitCommentSpec {
    pub repo: String,
    pub git_ref: String,
    pub body: String,
    pub marker: String,
}

impl fmt::Display for ReleaseBranchSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "point branch {} of {} at {} (created, or moved there unless it contains it)",
            self.name, self.repo, self.tag
        )
    }
}

impl fmt::Display for CommitCommentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.body.lines().find(|l| !l.starts_with("<!--"));
        write!(
            f,
            "comment on the commit of {} in {}: {} (unless {} exists)",
            self.git_ref,
            self.repo,
            first.unwrap_or_default(),
            self.marker
        )
    }
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
        if let Some(due) = self.due_date {
            write!(f, " due {due}")?;
        }
        if let Some(milestone) = &self.milestone {
            write!(f, " in milestone {milestone}")?;
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
