//! GitHub side of [`ReleaseForge`]: tags, contents, compare + closed pull requests, pull
//! requests by head branch, git refs, contents `PUT`, issues by marker or label, workflow
//! runs (releases and failed jobs: `publish.rs`). Request and answer shapes follow GitHub's
//! OpenAPI description; every value put into a path or query is percent-encoded, and a path
//! segment that would move the path (empty, `.`, `..`) is refused.

use super::release_types::{
    GhCompare, GhContent, GhIssueRef, GhNumber, GhPull, GhRun, GhRuns, GhSha, GhTag,
};
use super::{repo_base, GithubForge};
use crate::forge::transport::encode::{encode as query, path_segment, path_segments};
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
use serde_json::json;

fn decode_base64(text: &str) -> Result<String, ForgeError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| ForgeError::Other(format!("file content is not base64: {e}")))?;
    String::from_utf8(bytes).map_err(|_| ForgeError::Other("file is not UTF-8 text".into()))
}

fn names(labels: &[LabelName]) -> Vec<&str> {
    labels.iter().map(LabelName::as_str).collect()
}

fn logins(logins: &[Login]) -> Vec<&str> {
    logins.iter().map(Login::as_str).collect()
}

/// GitHub's run status + conclusion as one word.
fn run_status(run: &GhRun) -> String {
    match (run.status.as_deref(), run.conclusion.as_deref()) {
        (Some("completed"), Some(conclusion)) => match conclusion {
            "success" => "success",
            "cancelled" => "canceled",
            "skipped" => "skipped",
            _ => "failed",
        }
        .to_string(),
        (Some("in_progress"), _) => "running".into(),
        _ => "pending".into(),
    }
}

#[async_trait]
impl ReleaseForge for GithubForge {
    async fn tags(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError> {
        let tags: Vec<GhTag> = self.get_all(&format!("{}/tags", repo_base(repo)?)).await?;
        Ok(tags.into_iter().map(|t| t.name).collect())
    }

    async fn file_at(
        &self,
        repo: &RepoPath,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileAtRef>, ForgeError> {
        let endpoint = format!(
            "{}/contents/{}?ref={}",
            repo_base(repo)?,
            path_segments(path)?,
            query(git_ref)
        );
        match self.get_json::<GhContent>(&endpoint).await {
            Ok(file) => Ok(Some(FileAtRef {
                content: decode_base64(&file.content)?,
                blob_sha: Some(file.sha),
            })),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn merged_between(
        &self,
        repo: &RepoPath,
        from: &str,
        to: &str,
        target_branch: &str,
    ) -> Result<Vec<Change>, ForgeError> {
        let base = repo_base(repo)?;
        let compare: GhCompare = self
            .get_json(&format!(
                "{base}/compare/{}...{}",
                path_segment(from)?,
                path_segment(to)?
            ))
            .await?;
        let shas: Vec<String> = compare.commits.into_iter().map(|c| c.sha).collect();
        let pulls: Vec<GhPull> = self
            .get_all(&format!(
                "{base}/pulls?state=closed&base={}&sort=updated&direction=desc",
                query(target_branch)
            ))
            .await?;
        let mut changes: Vec<Change> = pulls
            .into_iter()
            .filter(|p| p.merged_at.is_some())
            .filter(|p| {
                p.merge_commit_sha
                    .as_ref()
                    .is_some_and(|s| shas.contains(s))
            })
            .map(|p| Change {
                number: p.number,
                title: p.title,
                labels: p.labels.into_iter().map(|l| l.name).collect(),
                author: p.user.map(|u| u.login).unwrap_or_default(),
                url: p.html_url,
                is_merge_request: true,
                closes: closing_references(p.body.as_deref().unwrap_or_default()),
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
        let owner = repo.segments().next().unwrap_or_default();
        let pulls: Vec<GhPull> = self
            .get_all(&format!(
                "{}/pulls?state=all&head={}&base={}",
                repo_base(repo)?,
                query(&format!("{owner}:{source}")),
                query(target)
            ))
            .await?;
        Ok(pulls
            .into_iter()
            .map(|p| MergeRequestInfo {
                number: p.number,
                state: if p.merged_at.is_some() {
                    MergeRequestState::Merged
                } else if p.state == "open" {
                    MergeRequestState::Open
                } else {
                    MergeRequestState::Closed
                },
                body: p.body.unwrap_or_default(),
                url: p.html_url,
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
        let base = repo_base(repo)?;
        let body = json!({
            "title": fields.title, "head": source, "base": target, "body": fields.body,
        });
        let answer = self
            .create_request(Method::POST, &format!("{base}/pulls"), &body)
            .await?;
        let number = self.parse::<GhNumber>(&answer)?.number;
        // Labels and assignees of a pull request live on its issue.
        let issue = json!({
            "labels": names(fields.labels), "assignees": logins(fields.assignees),
        });
        self.request(
            Method::PATCH,
            &format!("{base}/issues/{number}"),
            Some(&issue),
        )
        .await?;
        Ok(number)
    }

    async fn update_merge_request(
        &self,
        repo: &RepoPath,
        number: u64,
        fields: &MergeRequestFields<'_>,
    ) -> Result<(), ForgeError> {
        let base = repo_base(repo)?;
        let body = json!({
            "title": fields.title, "body": fields.body,
            "labels": names(fields.labels), "assignees": logins(fields.assignees),
        });
        self.request(
            Method::PATCH,
            &format!("{base}/issues/{number}"),
            Some(&body),
        )
        .await
        .map(drop)
    }

    async fn branch_exists(&self, repo: &RepoPath, name: &str) -> Result<bool, ForgeError> {
        let path = format!("{}/branches/{}", repo_base(repo)?, path_segment(name)?);
        match self.request(Method::GET, &path, None).await {
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
        self.force_branch(repo, name, to).await
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
        let base = repo_base(repo)?;
        let commit: GhSha = self
            .get_json(&format!("{base}/commits/{}", path_segment(from)?))
            .await?;
        let body = json!({ "ref": format!("refs/heads/{name}"), "sha": commit.sha });
        self.create_request(Method::POST, &format!("{base}/git/refs"), &body)
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
        let existing = self.file_at(repo, path, branch).await?;
        let mut body = json!({
            "message": message,
            "content": base64::engine::general_purpose::STANDARD.encode(content),
            "branch": branch,
        });
        if let Some(sha) = existing.and_then(|f| f.blob_sha) {
            body["sha"] = json!(sha);
        }
        let endpoint = format!("{}/contents/{}", repo_base(repo)?, path_segments(path)?);
        self.create_request(Method::PUT, &endpoint, &body)
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
            "{}/issues?state=all&sort=created&direction=desc",
            repo_base(repo)?
        );
        if let Some(label) = label {
            endpoint.push_str(&format!("&labels={}", query(label.as_str())));
        }
        let issues: Vec<GhIssueRef> = self.get_all(&endpoint).await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .find(|i| i.body.as_deref().is_some_and(|b| b.contains(marker)))
            .map(|i| MarkedIssue {
                number: i.number,
                url: i.html_url,
                state: if i.state == "closed" {
                    IssueState::Closed
                } else {
                    IssueState::Open
                },
                closed_at: i.closed_at,
                labels: i.labels.into_iter().map(|l| l.name).collect(),
                body: i.body.unwrap_or_default(),
            }))
    }

    async fn issues_with_marker(
        &self,
        repo: &RepoPath,
        text: &str,
        label: Option<&LabelName>,
    ) -> Result<Vec<MarkedIssue>, ForgeError> {
        let mut endpoint = format!(
            "{}/issues?state=all&sort=created&direction=desc",
            repo_base(repo)?
        );
        if let Some(label) = label {
            endpoint.push_str(&format!("&labels={}", query(label.as_str())));
        }
        let issues: Vec<GhIssueRef> = self.get_all(&endpoint).await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .filter(|i| i.body.as_deref().is_some_and(|b| b.contains(text)))
            .map(|i| MarkedIssue {
                number: i.number,
                url: i.html_url,
                state: if i.state == "closed" {
                    IssueState::Closed
                } else {
                    IssueState::Open
                },
                closed_at: i.closed_at,
                labels: i.labels.into_iter().map(|l| l.name).collect(),
                body: i.body.unwrap_or_default(),
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
        self.patch_issue_body(repo, number, body, reopen).await
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
            "title": title, "body": body,
            "labels": names(labels), "assignees": logins(assignees),
        });
        // Issues have no due date here; a milestone's is theirs.
        if let Some(title) = dates.milestone {
            let number = self.open_milestone_number(repo, title).await?;
            payload["milestone"] = json!(number);
        }
        let answer = self
            .create_request(
                Method::POST,
                &format!("{}/issues", repo_base(repo)?),
                &payload,
            )
            .await?;
        Ok(self.parse::<GhNumber>(&answer)?.number)
    }

    async fn open_issues_with_label(
        &self,
        repo: &RepoPath,
        label: &LabelName,
    ) -> Result<Vec<u64>, ForgeError> {
        let issues: Vec<GhIssueRef> = self
            .get_all(&format!(
                "{}/issues?state=open&labels={}",
                repo_base(repo)?,
                query(label.as_str())
            ))
            .await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .map(|i| i.number)
            .collect())
    }

    async fn latest_pipeline(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        stage: &str,
    ) -> Result<Option<PipelineInfo>, ForgeError> {
        let runs: GhRuns = self
            .get_json(&format!(
                "{}/actions/runs?branch={}&per_page={}",
                repo_base(repo)?,
                query(git_ref),
                super::PER_PAGE
            ))
            .await?;
        let stage = stage.to_lowercase();
        let wanted = runs.workflow_runs.iter().find(|r| {
            r.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&stage))
        });
        Ok(wanted
            .or(runs.workflow_runs.first())
            .map(|run| PipelineInfo {
                id: run.id,
                status: run_status(run),
                url: run.html_url.clone(),
            }))
    }

    async fn failed_jobs(
        &self,
        repo: &RepoPath,
        pipeline_id: u64,
    ) -> Result<Vec<FailedJob>, ForgeError> {
        self.run_failed_jobs(repo, pipeline_id).await
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
        self.patch_release(repo, existing, fields).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_newlines_decodes() {
        assert_eq!(decode_base64("aGVs\nbG8=\n").unwrap(), "hello");
    }
}
