//! The [`ReleaseForge`] trait: what the release flow needs from a forge beyond issues and
//! comments.

use super::{ForgeError, ForgeRelease, IssueDates, MergeRequestFields, ReleaseFields};
use crate::model::{
    Change, FailedJob, FileAtRef, LabelName, Login, MarkedIssue, MergeRequestInfo, PipelineInfo,
    RepoPath,
};
use async_trait::async_trait;

/// What the release flow needs from a forge, beyond issues and comments: tags, files at a
/// ref, merged changes between two refs, merge requests by branch, branches, single-file
/// commits, issues found by marker or label, the latest pipeline of a ref and its failed
/// jobs, and the forge's release object of a tag. Reads return `Ok(None)` / empty for what
/// does not exist. Every method is required.
#[async_trait]
pub trait ReleaseForge: Send + Sync {
    /// Tag names of the repository (newest first as the forge lists them).
    async fn tags(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError>;

    /// The text of `path` at `git_ref` (branch, tag or sha).
    async fn file_at(
        &self,
        repo: &RepoPath,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileAtRef>, ForgeError>;

    /// Merge / pull requests into `target_branch` merged between `from` and `to`
    /// (their merge commits are in the comparison of the two refs).
    async fn merged_between(
        &self,
        repo: &RepoPath,
        from: &str,
        to: &str,
        target_branch: &str,
    ) -> Result<Vec<Change>, ForgeError>;

    /// Merge requests (any state) from `source` into `target`, newest first.
    async fn merge_requests_between(
        &self,
        repo: &RepoPath,
        source: &str,
        target: &str,
    ) -> Result<Vec<MergeRequestInfo>, ForgeError>;

    /// Open a merge request; returns its number / iid.
    async fn create_merge_request(
        &self,
        repo: &RepoPath,
        source: &str,
        target: &str,
        fields: &MergeRequestFields<'_>,
    ) -> Result<u64, ForgeError>;

    /// Replace title, body, labels and assignees of a merge request.
    async fn update_merge_request(
        &self,
        repo: &RepoPath,
        number: u64,
        fields: &MergeRequestFields<'_>,
    ) -> Result<(), ForgeError>;

    async fn branch_exists(&self, repo: &RepoPath, name: &str) -> Result<bool, ForgeError>;

    /// The commit sha branch `name` points at; `None` when there is no such branch.
    async fn branch_head(&self, repo: &RepoPath, name: &str) -> Result<Option<String>, ForgeError>;

    /// Whether `commit` (a tag, branch or sha) is reachable from `container` (a branch or
    /// sha): the comparison `container...commit` has no commits of its own.
    async fn contains(
        &self,
        repo: &RepoPath,
        container: &str,
        commit: &str,
    ) -> Result<bool, ForgeError>;

    /// Point the existing branch `name` at `to` (a tag, branch or sha), whatever it pointed
    /// at before (GitHub: a forced ref update; GitLab, which cannot update a branch: delete
    /// it, then create it at `to` — a branch already gone is not an error).
    async fn move_branch(&self, repo: &RepoPath, name: &str, to: &str) -> Result<(), ForgeError>;

    /// Whether a comment on the commit `git_ref` (a tag, branch or sha) names points at
    /// carries `marker`.
    async fn commit_comment_with_marker(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        marker: &str,
    ) -> Result<bool, ForgeError>;

    /// Comment on the commit `git_ref` points at.
    async fn comment_on_commit(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        body: &str,
    ) -> Result<(), ForgeError>;

    /// Create branch `name` at `from` (branch, tag or sha).
    async fn create_branch(
        &self,
        repo: &RepoPath,
        name: &str,
        from: &str,
    ) -> Result<(), ForgeError>;

    /// Create or replace `path` on `branch` with `content` in one commit.
    async fn commit_file(
        &self,
        repo: &RepoPath,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ForgeError>;

    /// The newest issue (any state) whose body contains `marker`; `label`, when given,
    /// narrows the search to issues carrying it. Issues are asked for newest first, so that
    /// of several carrying the marker (an incident opened again later) the last one is found.
    async fn find_issue_with_marker(
        &self,
        repo: &RepoPath,
        marker: &str,
        label: Option<&LabelName>,
    ) -> Result<Option<MarkedIssue>, ForgeError>;

    /// Every issue (any state) whose body contains `text`, newest first; `label`, when
    /// given, narrows the search to issues carrying it (the deployment requests of the
    /// production train, found by the start of their markers).
    async fn issues_with_marker(
        &self,
        repo: &RepoPath,
        text: &str,
        label: Option<&LabelName>,
    ) -> Result<Vec<MarkedIssue>, ForgeError>;

    /// Replace an issue's body, reopening it when `reopen` is set (one write).
    async fn rewrite_issue(
        &self,
        repo: &RepoPath,
        number: u64,
        body: &str,
        reopen: bool,
    ) -> Result<(), ForgeError>;

    /// File an issue; returns its number / iid.
    async fn create_issue(
        &self,
        repo: &RepoPath,
        title: &str,
        body: &str,
        labels: &[LabelName],
        assignees: &[Login],
    ) -> Result<u64, ForgeError>;

    /// File an issue like [`ReleaseForge::create_issue`], dated as `dates` says; returns its
    /// number / iid.
    async fn create_dated_issue(
        &self,
        repo: &RepoPath,
        title: &str,
        body: &str,
        labels: &[LabelName],
        assignees: &[Login],
        dates: &IssueDates<'_>,
    ) -> Result<u64, ForgeError>;

    /// Numbers of the open issues carrying `label`.
    async fn open_issues_with_label(
        &self,
        repo: &RepoPath,
        label: &LabelName,
    ) -> Result<Vec<u64>, ForgeError>;

    /// The latest pipeline of `git_ref` whose stages (GitLab) or workflow name (GitHub)
    /// mention `stage`, else the latest one.
    async fn latest_pipeline(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        stage: &str,
    ) -> Result<Option<PipelineInfo>, ForgeError>;

    /// The jobs of pipeline / workflow run `pipeline_id` that failed.
    async fn failed_jobs(
        &self,
        repo: &RepoPath,
        pipeline_id: u64,
    ) -> Result<Vec<FailedJob>, ForgeError>;

    /// The release object of `tag`, drafts included (GitHub lists those only to people
    /// who may push).
    async fn release_by_tag(
        &self,
        repo: &RepoPath,
        tag: &str,
    ) -> Result<Option<ForgeRelease>, ForgeError>;

    /// Create the release object of `fields.tag`; returns its web URL when the forge says.
    async fn create_release(
        &self,
        repo: &RepoPath,
        fields: &ReleaseFields<'_>,
    ) -> Result<Option<String>, ForgeError>;

    /// Replace name, notes, draft and pre-release flags (and milestones, when given) of
    /// `existing`; publishing a draft is an update with `draft: false`.
    async fn update_release(
        &self,
        repo: &RepoPath,
        existing: &ForgeRelease,
        fields: &ReleaseFields<'_>,
    ) -> Result<(), ForgeError>;
}
