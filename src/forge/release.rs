//! What the release flow needs from a forge, beyond issues and comments: tags, files at a
//! ref, merged changes between two refs, merge requests by branch, branches, single-file
//! commits, issues found by marker or label, and the latest pipeline of a ref. `Forge`
//! requires it; both clients implement it in `github/release.rs` and `gitlab/release.rs`.

use super::ForgeError;
use crate::model::Change;
use crate::model::{FileAtRef, MergeRequestInfo, PipelineInfo};
use async_trait::async_trait;

/// What goes into a new or updated merge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequestFields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub labels: &'a [String],
    pub assignees: &'a [String],
    pub remove_source_branch: bool,
}

/// Release operations of a forge. Reads return `Ok(None)` / empty for what does not exist.
#[async_trait]
pub trait ReleaseForge: Send + Sync {
    /// Tag names of the repository (newest first as the forge lists them).
    async fn tags(&self, repo: &str) -> Result<Vec<String>, ForgeError> {
        let _ = repo;
        Err(unsupported("tags"))
    }

    /// The text of `path` at `git_ref` (branch, tag or sha).
    async fn file_at(
        &self,
        repo: &str,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileAtRef>, ForgeError> {
        let _ = (repo, path, git_ref);
        Err(unsupported("file_at"))
    }

    /// Merge / pull requests into `target_branch` merged between `from` and `to`
    /// (their merge commits are in the comparison of the two refs).
    async fn merged_between(
        &self,
        repo: &str,
        from: &str,
        to: &str,
        target_branch: &str,
    ) -> Result<Vec<Change>, ForgeError> {
        let _ = (repo, from, to, target_branch);
        Err(unsupported("merged_between"))
    }

    /// Merge requests (any state) from `source` into `target`, newest first.
    async fn merge_requests_between(
        &self,
        repo: &str,
        source: &str,
        target: &str,
    ) -> Result<Vec<MergeRequestInfo>, ForgeError> {
        let _ = (repo, source, target);
        Err(unsupported("merge_requests_between"))
    }

    /// Open a merge request; returns its number / iid.
    async fn create_merge_request(
        &self,
        repo: &str,
        source: &str,
        target: &str,
        fields: &MergeRequestFields<'_>,
    ) -> Result<u64, ForgeError> {
        let _ = (repo, source, target, fields);
        Err(unsupported("create_merge_request"))
    }

    /// Replace title, body, labels and assignees of a merge request.
    async fn update_merge_request(
        &self,
        repo: &str,
        number: u64,
        fields: &MergeRequestFields<'_>,
    ) -> Result<(), ForgeError> {
        let _ = (repo, number, fields);
        Err(unsupported("update_merge_request"))
    }

    async fn branch_exists(&self, repo: &str, name: &str) -> Result<bool, ForgeError> {
        let _ = (repo, name);
        Err(unsupported("branch_exists"))
    }

    /// Create branch `name` at `from` (branch, tag or sha).
    async fn create_branch(&self, repo: &str, name: &str, from: &str) -> Result<(), ForgeError> {
        let _ = (repo, name, from);
        Err(unsupported("create_branch"))
    }

    /// Create or replace `path` on `branch` with `content` in one commit.
    async fn commit_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ForgeError> {
        let _ = (repo, branch, path, content, message);
        Err(unsupported("commit_file"))
    }

    /// The number of an issue (any state) whose body contains `marker`; `label`, when
    /// given, narrows the search to issues carrying it.
    async fn find_issue_with_marker(
        &self,
        repo: &str,
        marker: &str,
        label: Option<&str>,
    ) -> Result<Option<(u64, Option<String>)>, ForgeError> {
        let _ = (repo, marker, label);
        Err(unsupported("find_issue_with_marker"))
    }

    /// File an issue; returns its number / iid.
    async fn create_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        labels: &[String],
        assignees: &[String],
    ) -> Result<u64, ForgeError> {
        let _ = (repo, title, body, labels, assignees);
        Err(unsupported("create_issue"))
    }

    /// Numbers of the open issues carrying `label`.
    async fn open_issues_with_label(
        &self,
        repo: &str,
        label: &str,
    ) -> Result<Vec<u64>, ForgeError> {
        let _ = (repo, label);
        Err(unsupported("open_issues_with_label"))
    }

    /// The latest pipeline of `git_ref` whose stages (GitLab) or workflow name (GitHub)
    /// mention `stage`, else the latest one.
    async fn latest_pipeline(
        &self,
        repo: &str,
        git_ref: &str,
        stage: &str,
    ) -> Result<Option<PipelineInfo>, ForgeError> {
        let _ = (repo, git_ref, stage);
        Err(unsupported("latest_pipeline"))
    }
}

fn unsupported(what: &str) -> ForgeError {
    ForgeError::Other(format!("this forge client does not support `{what}`"))
}
