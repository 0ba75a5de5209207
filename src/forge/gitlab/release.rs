//! GitLab side of [`ReleaseForge`]: repository tags, files and compare, merge requests by
//! branch or merged into a branch, branches, file commits, issues by marker or label, and
//! pipelines of a ref (releases and failed jobs: `publish.rs`; answer shapes, per GitLab's
//! REST documentation, in `release_types.rs`). Every value put into a path or query is
//! percent-encoded as one segment (a branch or file that is empty, `.` or `..` is refused).

use super::release_types::{GlCompare, GlFile, GlIssueRef, GlMergeRequest, GlPipeline, GlTag};
use super::{project_base, GitlabForge};
use crate::forge::transport::encode::{encode, path_segment};
use crate::forge::{
    ForgeError, ForgeRelease, IssueDates, MergeRequestFields, ReleaseFields, ReleaseForge,
};
use crate::model::{
    closing_references, Change, FailedJob, FileAtRef, IssueState, LabelName, Login, MarkedIssue,
    MergeRequestInfo, MergeRequestState, PipelineInfo, RepoPath,
};
use async_trait::async_trait;
use base64::Engine as _;
use http::Method;
use serde_json::{json, Value};

/// Label names joined by commas, as GitLab takes them.
fn joined(labels: &[LabelName]) -> String {
    labels
        .iter()
        .map(LabelName::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// GitLab's merge request state → the neutral one (`locked`, a merge in progress, is not
/// open).
fn merge_request_state(state: &str) -> MergeRequestState {
    match state {
        "opened" => MergeRequestState::Open,
        "merged" => MergeRequestState::Merged,
        _ => MergeRequestState::Closed,
    }
}

/// GitLab pipeline status → the neutral word.
fn pipeline_status(status: &str) -> &str {
    match status {
        "success" | "failed" | "canceled" | "skipped" | "running" => status,
        _ => "pending",
    }
}

impl GitlabForge {
    async fn merge_request_body(
        &self,
        fields: &MergeRequestFields<'_>,
    ) -> Result<Value, ForgeError> {
        Ok(json!({
            "title": fields.title,
            "description": fields.body,
            "labels": joined(fields.labels),
            "assignee_ids": self.user_ids(fields.assignees).await?,
            "remove_source_branch": fields.remove_source_branch,
        }))
    }
}

#[async_trait]
impl ReleaseForge for GitlabForge {
    async fn tags(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError> {
        let endpoint = format!("{}/repository/tags", project_base(repo));
        let tags: Vec<GlTag> = self.get_all(&endpoint).await?;
        Ok(tags.into_iter().map(|t| t.name).collect())
    }

    async fn file_at(
        &self,
        repo: &RepoPath,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileAtRef>, ForgeError> {
        let endpoint = format!(
            "{}/repository/files/{}?ref={}",
            project_base(repo),
            path_segment(path)?,
            encode(git_ref)
        );
        let file: GlFile = match self.get_json(&endpoint).await {
            Ok(file) => file,
            Err(ForgeError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let compact: String = file
            .content
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| ForgeError::Other(format!("file content is not base64: {e}")))?;
        let content = String::from_utf8(bytes)
            .map_err(|_| ForgeError::Other(format!("{path} is not UTF-8 text")))?;
        Ok(Some(FileAtRef {
            content,
            blob_sha: file.blob_id,
        }))
    }

    async fn merged_between(
        &self,
        repo: &RepoPath,
        from: &str,
        to: &str,
        target_branch: &str,
    ) -> Result<Vec<Change>, ForgeError> {
        let base = project_base(repo);
        let compare: GlCompare = self
            .get_json(&format!(
                "{base}/repository/compare?from={}&to={}",
                encode(from),
                encode(to)
            ))
            .await?;
        let shas: Vec<String> = compare.commits.into_iter().map(|c| c.id).collect();
        let in_range = |sha: &Option<String>| sha.as_ref().is_some_and(|s| shas.contains(s));
        let merged: Vec<GlMergeRequest> = self
            .get_all(&format!(
                "{base}/merge_requests?state=merged&target_branch={}",
                encode(target_branch)
            ))
            .await?;
        let mut changes: Vec<Change> = merged
            .into_iter()
            .filter(|mr| {
                in_range(&mr.merge_commit_sha)
                    || in_range(&mr.squash_commit_sha)
                    || in_range(&mr.sha)
            })
            .map(|mr| Change {
                number: mr.iid,
                title: mr.title,
                labels: mr.labels,
                author: mr.author.map(|a| a.username).unwrap_or_default(),
                url: mr.web_url,
                is_merge_request: true,
                closes: closing_references(mr.description.as_deref().unwrap_or_default()),
            })
            .collect();
        changes.sort_by_key(|c| c.number);
        Ok(changes)
    }

    async fn merge_requests_between(
        &self,
        repo: &RepoPath,
        source: &str,
        target: &str,
    ) -> Result<Vec<MergeRequestInfo>, ForgeError> {
        let endpoint = format!(
            "{}/merge_requests?state=all&source_branch={}&target_branch={}",
            project_base(repo),
            encode(source),
            encode(target)
        );
        let found: Vec<GlMergeRequest> = self.get_all(&endpoint).await?;
        Ok(found
            .into_iter()
            .map(|mr| MergeRequestInfo {
                number: mr.iid,
                state: merge_request_state(&mr.state),
                body: mr.description.unwrap_or_default(),
                url: mr.web_url,
            })
            .collect())
    }

    async fn create_merge_request(
        &self,
        repo: &RepoPath,
        source: &str,
        target: &str,
        fields: &MergeRequestFields<'_>,
    ) -> Result<u64, ForgeError> {
        let mut body = self.merge_request_body(fields).await?;
        body["source_branch"] = json!(source);
        body["target_branch"] = json!(target);
        let endpoint = format!("{}/merge_requests", project_base(repo));
        let answer = self.create_request(Method::POST, &endpoint, &body).await?;
        Ok(self.parse::<GlIssueRef>(&answer)?.iid)
    }

    async fn update_merge_request(
        &self,
        repo: &RepoPath,
        number: u64,
        fields: &MergeRequestFields<'_>,
    ) -> Result<(), ForgeError> {
        let body = self.merge_request_body(fields).await?;
        let endpoint = format!("{}/merge_requests/{number}", project_base(repo));
        self.request(Method::PUT, &endpoint, Some(&body))
            .await
            .map(drop)
    }

    async fn branch_exists(&self, repo: &RepoPath, name: &str) -> Result<bool, ForgeError> {
        let endpoint = format!(
            "{}/repository/branches/{}",
            project_base(repo),
            path_segment(name)?
        );
        match self.request(Method::GET, &endpoint, None).await {
            Ok(_) => Ok(true),
            Err(ForgeError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn branch_head(&self, repo: &RepoPath, name: &str) -> Result<Option<String>, ForgeError> {
        self.head_of_branch(repo, name).await
    }

    async fn contains(
        &self,
        repo: &RepoPath,
        container: &str,
        commit: &str,
    ) -> Result<bool, ForgeError> {
        self.reaches(repo, container, commit).await
    }

    async fn move_branch(&self, repo: &RepoPath, name: &str, to: &str) -> Result<(), ForgeError> {
        self.recreate_branch(repo, name, to).await
    }

    async fn commit_comment_with_marker(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        marker: &str,
    ) -> Result<bool, ForgeError> {
        self.commit_marker(repo, git_ref, marker).await
    }

    async fn comment_on_commit(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        self.post_commit_comment(repo, git_ref, body).await
    }

    async fn create_branch(
        &self,
        repo: &RepoPath,
        name: &str,
        from: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!("{}/repository/branches", project_base(repo));
        let body = json!({ "branch": name, "ref": from });
        self.create_request(Method::POST, &endpoint, &body)
            .await
            .map(drop)
    }

    async fn commit_file(
        &self,
        repo: &RepoPath,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ForgeError> {
        let exists = self.file_at(repo, path, branch).await?.is_some();
        let method = if exists { Method::PUT } else { Method::POST };
        let endpoint = format!(
            "{}/repository/files/{}",
            project_base(repo),
            path_segment(path)?
        );
        let body = json!({ "branch": branch, "content": content, "commit_message": message });
        self.create_request(method, &endpoint, &body)
            .await
            .map(drop)
    }

    async fn find_issue_with_marker(
        &self,
        repo: &RepoPath,
        marker: &str,
        label: Option<&LabelName>,
    ) -> Result<Option<MarkedIssue>, ForgeError> {
        let mut endpoint = format!(
            "{}/issues?state=all&order_by=created_at&sort=desc",
            project_base(repo)
        );
        if let Some(label) = label {
            endpoint.push_str(&format!("&labels={}", encode(label.as_str())));
        }
        let issues: Vec<GlIssueRef> = self.get_all(&endpoint).await?;
        Ok(issues
            .into_iter()
            .find(|i| i.description.as_deref().is_some_and(|d| d.contains(marker)))
            .map(|i| MarkedIssue {
                number: i.iid,
                url: i.web_url,
                state: match i.state.as_deref() {
                    Some("closed") => IssueState::Closed,
                    _ => IssueState::Open,
                },
                closed_at: i.closed_at,
                labels: i.labels,
                body: i.description.unwrap_or_default(),
            }))
    }

    async fn issues_with_marker(
        &self,
        repo: &RepoPath,
        text: &str,
        label: Option<&LabelName>,
    ) -> Result<Vec<MarkedIssue>, ForgeError> {
        let mut endpoint = format!(
            "{}/issues?state=all&order_by=created_at&sort=desc",
            project_base(repo)
        );
        if let Some(label) = label {
            endpoint.push_str(&format!("&labels={}", encode(label.as_str())));
        }
        let issues: Vec<GlIssueRef> = self.get_all(&endpoint).await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.description.as_deref().is_some_and(|d| d.contains(text)))
            .map(|i| MarkedIssue {
                number: i.iid,
                url: i.web_url,
                state: match i.state.as_deref() {
                    Some("closed") => IssueState::Closed,
                    _ => IssueState::Open,
                },
                closed_at: i.closed_at,
                labels: i.labels,
                body: i.description.unwrap_or_default(),
            })
            .collect())
    }

    async fn rewrite_issue(
        &self,
        repo: &RepoPath,
        number: u64,
        body: &str,
        reopen: bool,
    ) -> Result<(), ForgeError> {
        self.put_issue_description(repo, number, body, reopen).await
    }

    async fn create_issue(
        &self,
        repo: &RepoPath,
        title: &str,
        body: &str,
        labels: &[LabelName],
        assignees: &[Login],
    ) -> Result<u64, ForgeError> {
        let dates = IssueDates::default();
        self.create_dated_issue(repo, title, body, labels, assignees, &dates)
            .await
    }

    async fn create_dated_issue(
        &self,
        repo: &RepoPath,
        title: &str,
        body: &str,
        labels: &[LabelName],
        assignees: &[Login],
        dates: &IssueDates<'_>,
    ) -> Result<u64, ForgeError> {
        let mut payload = json!({
            "title": title,
            "description": body,
            "labels": joined(labels),
            "assignee_ids": self.user_ids(assignees).await?,
        });
        if let Some(due) = dates.due_date {
            payload["due_date"] = json!(due.format("%Y-%m-%d").to_string());
        }
        if let Some(title) = dates.milestone {
            payload["milestone_id"] = json!(self.open_milestone_id(repo, title).await?);
        }
        let endpoint = format!("{}/issues", project_base(repo));
        let answer = self
            .create_request(Method::POST, &endpoint, &payload)
            .await?;
        Ok(self.parse::<GlIssueRef>(&answer)?.iid)
    }

    async fn open_issues_with_label(
        &self,
        repo: &RepoPath,
        label: &LabelName,
    ) -> Result<Vec<u64>, ForgeError> {
        let endpoint = format!(
            "{}/issues?state=opened&labels={}",
            project_base(repo),
            encode(label.as_str())
        );
        let issues: Vec<GlIssueRef> = self.get_all(&endpoint).await?;
        Ok(issues.into_iter().map(|i| i.iid).collect())
    }

    async fn latest_pipeline(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        _stage: &str,
    ) -> Result<Option<PipelineInfo>, ForgeError> {
        // The list does not name stages; the tag's latest pipeline is the publishing one.
        let endpoint = format!(
            "{}/pipelines?ref={}&order_by=id&sort=desc&per_page=1",
            project_base(repo),
            encode(git_ref)
        );
        let pipelines: Vec<GlPipeline> = self.get_json(&endpoint).await?;
        Ok(pipelines.into_iter().next().map(|p| PipelineInfo {
            id: p.id,
            status: pipeline_status(&p.status).to_string(),
            url: p.web_url,
        }))
    }

    async fn failed_jobs(
        &self,
        repo: &RepoPath,
        pipeline_id: u64,
    ) -> Result<Vec<FailedJob>, ForgeError> {
        self.pipeline_failed_jobs(repo, pipeline_id).await
    }

    async fn release_by_tag(
        &self,
        repo: &RepoPath,
        tag: &str,
    ) -> Result<Option<ForgeRelease>, ForgeError> {
        self.find_release(repo, tag).await
    }

    async fn create_release(
        &self,
        repo: &RepoPath,
        fields: &ReleaseFields<'_>,
    ) -> Result<Option<String>, ForgeError> {
        self.post_release(repo, fields).await
    }

    async fn update_release(
        &self,
        repo: &RepoPath,
        existing: &ForgeRelease,
        fields: &ReleaseFields<'_>,
    ) -> Result<(), ForgeError> {
        self.put_release(repo, existing, fields).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_request_states_are_neutral() {
        assert_eq!(merge_request_state("opened"), MergeRequestState::Open);
        assert_eq!(merge_request_state("merged"), MergeRequestState::Merged);
        assert_eq!(merge_request_state("closed"), MergeRequestState::Closed);
        assert_eq!(merge_request_state("locked"), MergeRequestState::Closed);
    }

    #[test]
    fn statuses_are_neutral() {
        assert_eq!(pipeline_status("manual"), "pending");
        assert_eq!(pipeline_status("created"), "pending");
        assert_eq!(pipeline_status("success"), "success");
    }
}
