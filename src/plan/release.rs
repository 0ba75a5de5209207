//! Intents of the release flow: merge requests kept in step with a template, issues filed
//! once (found again by their marker), branches and single-file commits.

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
