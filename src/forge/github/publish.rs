//! GitHub releases and the failed jobs of a workflow run, for [`ReleaseForge`]'s release
//! methods (`release.rs` delegates here): `releases/tags/{tag}` finds a published release,
//! the first page of `releases` a draft (drafts have no tag lookup); creating is one
//! `POST`, updating and publishing one `PATCH` by id.

use super::release_types::{GhJobs, GhRelease};
use super::{repo_base, GithubForge, PER_PAGE};
use crate::forge::transport::encode::path_segment;
use crate::forge::{ForgeError, ForgeRelease, ReleaseFields};
use crate::model::{FailedJob, RepoPath};
use http::Method;
use serde_json::json;

/// Conclusions of a job that did not succeed and was not skipped or cancelled.
const FAILED_CONCLUSIONS: &[&str] = &["failure", "timed_out", "startup_failure"];

fn release(r: GhRelease) -> ForgeRelease {
    ForgeRelease {
        id: Some(r.id),
        tag: r.tag_name,
        name: r.name.unwrap_or_default(),
        notes: r.body.unwrap_or_default(),
        draft: r.draft,
        prerelease: r.prerelease,
        milestones: Vec::new(),
        author: r.author.map(|a| a.login),
        url: r.html_url,
    }
}

fn payload(fields: &ReleaseFields<'_>) -> serde_json::Value {
    json!({
        "tag_name": fields.tag,
        "name": fields.name,
        "body": fields.notes,
        "draft": fields.draft,
        "prerelease": fields.prerelease,
    })
}

impl GithubForge {
    pub(super) async fn find_release(
        &self,
        repo: &RepoPath,
        tag: &str,
    ) -> Result<Option<ForgeRelease>, ForgeError> {
        let base = repo_base(repo)?;
        let by_tag = format!("{base}/releases/tags/{}", path_segment(tag)?);
        match self.get_json::<GhRelease>(&by_tag).await {
            Ok(found) => return Ok(Some(release(found))),
            Err(ForgeError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        // Drafts are only listed; a draft of a current tag is among the newest.
        let newest: Vec<GhRelease> = self
            .get_json(&format!("{base}/releases?per_page={PER_PAGE}"))
            .await?;
        Ok(newest
            .into_iter()
            .find(|r| r.draft && r.tag_name == tag)
            .map(release))
    }

    pub(super) async fn post_release(
        &self,
        repo: &RepoPath,
        fields: &ReleaseFields<'_>,
    ) -> Result<Option<String>, ForgeError> {
        let endpoint = format!("{}/releases", repo_base(repo)?);
        let answer = self
            .create_request(Method::POST, &endpoint, &payload(fields))
            .await?;
        Ok(self.parse::<GhRelease>(&answer)?.html_url)
    }

    pub(super) async fn patch_release(
        &self,
        repo: &RepoPath,
        existing: &ForgeRelease,
        fields: &ReleaseFields<'_>,
    ) -> Result<(), ForgeError> {
        let id = existing
            .id
            .ok_or_else(|| ForgeError::Other(format!("release {} has no id", existing.tag)))?;
        let endpoint = format!("{}/releases/{id}", repo_base(repo)?);
        self.request(Method::PATCH, &endpoint, Some(&payload(fields)))
            .await
            .map(drop)
    }

    pub(super) async fn run_failed_jobs(
        &self,
        repo: &RepoPath,
        run_id: u64,
    ) -> Result<Vec<FailedJob>, ForgeError> {
        let endpoint = format!(
            "{}/actions/runs/{run_id}/jobs?filter=latest&per_page={PER_PAGE}",
            repo_base(repo)?
        );
        let jobs: GhJobs = self.get_json(&endpoint).await?;
        Ok(jobs
            .jobs
            .into_iter()
            .filter(|j| {
                j.conclusion
                    .as_deref()
                    .is_some_and(|c| FAILED_CONCLUSIONS.contains(&c))
            })
            .map(|j| FailedJob {
                name: j.name,
                url: j.html_url,
            })
            .collect())
    }

    pub(super) async fn patch_issue_body(
        &self,
        repo: &RepoPath,
        number: u64,
        body: &str,
        reopen: bool,
    ) -> Result<(), ForgeError> {
        let mut payload = json!({ "body": body });
        if reopen {
            payload["state"] = json!("open");
        }
        let endpoint = format!("{}/issues/{number}", repo_base(repo)?);
        self.request(Method::PATCH, &endpoint, Some(&payload))
            .await
            .map(drop)
    }
}
