//! GitHub branch heads, containment, moving a branch and commit comments, for the release
//! branch (`release-next` pointed at the tag) and the note on a tag that has nothing to merge:
//! `GET branches/{name}`, `GET compare/{base}...{head}`, `PATCH git/refs/heads/{name}` with
//! `force`, `GET`/`POST commits/{sha}/comments`. Every value put into a path is
//! percent-encoded; a segment that would move the path (empty, `.`, `..`) is refused.

use super::release_types::GhSha;
use super::{repo_base, GithubForge};
use crate::forge::transport::encode::{path_segment, path_segments};
use crate::forge::ForgeError;
use crate::model::RepoPath;
use http::Method;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct GhBranch {
    commit: GhSha,
}

#[derive(Deserialize)]
struct GhAhead {
    /// Commits of the head that the base lacks.
    ahead_by: Option<u64>,
    #[serde(default)]
    commits: Vec<GhSha>,
}

#[derive(Deserialize)]
struct GhCommitComment {
    #[serde(default)]
    body: Option<String>,
}

impl GithubForge {
    /// The sha `git_ref` (a tag, branch or sha) names.
    async fn commit_sha(&self, repo: &RepoPath, git_ref: &str) -> Result<String, ForgeError> {
        let base = repo_base(repo)?;
        let commit: GhSha = self
            .get_json(&format!("{base}/commits/{}", path_segment(git_ref)?))
            .await?;
        Ok(commit.sha)
    }

    pub(super) async fn head_of_branch(
        &self,
        repo: &RepoPath,
        name: &str,
    ) -> Result<Option<String>, ForgeError> {
        let path = format!("{}/branches/{}", repo_base(repo)?, path_segment(name)?);
        match self.get_json::<GhBranch>(&path).await {
            Ok(branch) => Ok(Some(branch.commit.sha)),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn reaches(
        &self,
        repo: &RepoPath,
        container: &str,
        commit: &str,
    ) -> Result<bool, ForgeError> {
        let path = format!(
            "{}/compare/{}...{}",
            repo_base(repo)?,
            path_segment(container)?,
            path_segment(commit)?
        );
        let compare: GhAhead = self.get_json(&path).await?;
        Ok(compare
            .ahead_by
            .map_or(compare.commits.is_empty(), |n| n == 0))
    }

    pub(super) async fn force_branch(
        &self,
        repo: &RepoPath,
        name: &str,
        to: &str,
    ) -> Result<(), ForgeError> {
        let sha = self.commit_sha(repo, to).await?;
        let path = format!(
            "{}/git/refs/heads/{}",
            repo_base(repo)?,
            path_segments(name)?
        );
        let body = json!({ "sha": sha, "force": true });
        self.request(Method::PATCH, &path, Some(&body))
            .await
            .map(drop)
    }

    pub(super) async fn commit_marker(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        marker: &str,
    ) -> Result<bool, ForgeError> {
        let sha = self.commit_sha(repo, git_ref).await?;
        let path = format!(
            "{}/commits/{}/comments",
            repo_base(repo)?,
            path_segment(&sha)?
        );
        let comments: Vec<GhCommitComment> = self.get_all(&path).await?;
        Ok(comments
            .iter()
            .any(|c| c.body.as_deref().is_some_and(|b| b.contains(marker))))
    }

    pub(super) async fn post_commit_comment(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        let sha = self.commit_sha(repo, git_ref).await?;
        let path = format!(
            "{}/commits/{}/comments",
            repo_base(repo)?,
            path_segment(&sha)?
        );
        self.create_request(Method::POST, &path, &json!({ "body": body }))
            .await
            .map(drop)
    }

    /// The number of the open milestone titled `title` (through the milestone cache).
    pub(super) async fn open_milestone_number(
        &self,
        repo: &RepoPath,
        title: &str,
    ) -> Result<u64, ForgeError> {
        self.shared
            .lists
            .milestone_id(repo, title, self.fetch_milestones(repo))
            .await
    }
}
