//! GitLab branch heads, containment, moving a branch and commit comments, for the release
//! branch (`release-next` pointed at the tag) and the note on a tag that has nothing to merge:
//! `GET repository/branches/:branch`, `GET repository/compare`, `DELETE` then `POST
//! repository/branches` (GitLab has no branch update), `GET`/`POST
//! repository/commits/:sha/comments` (which take a tag or branch name as well as a sha).

use super::release_types::GlCommit;
use super::{project_base, GitlabForge};
use crate::forge::transport::encode::{encode, path_segment};
use crate::forge::ForgeError;
use crate::model::RepoPath;
use http::Method;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct GlBranch {
    commit: GlCommit,
}

#[derive(Deserialize)]
struct GlCompared {
    #[serde(default)]
    commits: Vec<GlCommit>,
}

#[derive(Deserialize)]
struct GlCommitNote {
    #[serde(default)]
    note: String,
}

impl GitlabForge {
    pub(super) async fn head_of_branch(
        &self,
        repo: &RepoPath,
        name: &str,
    ) -> Result<Option<String>, ForgeError> {
        let endpoint = format!(
            "{}/repository/branches/{}",
            project_base(repo),
            path_segment(name)?
        );
        match self.get_json::<GlBranch>(&endpoint).await {
            Ok(branch) => Ok(Some(branch.commit.id)),
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
        let endpoint = format!(
            "{}/repository/compare?from={}&to={}",
            project_base(repo),
            encode(container),
            encode(commit)
        );
        let compare: GlCompared = self.get_json(&endpoint).await?;
        Ok(compare.commits.is_empty())
    }

    pub(super) async fn recreate_branch(
        &self,
        repo: &RepoPath,
        name: &str,
        to: &str,
    ) -> Result<(), ForgeError> {
        let base = project_base(repo);
        let endpoint = format!("{base}/repository/branches/{}", path_segment(name)?);
        match self.request(Method::DELETE, &endpoint, None).await {
            Ok(_) | Err(ForgeError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        let body = json!({ "branch": name, "ref": to });
        self.create_request(Method::POST, &format!("{base}/repository/branches"), &body)
            .await
            .map(drop)
    }

    pub(super) async fn commit_marker(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        marker: &str,
    ) -> Result<bool, ForgeError> {
        let endpoint = format!(
            "{}/repository/commits/{}/comments",
            project_base(repo),
            path_segment(git_ref)?
        );
        let notes: Vec<GlCommitNote> = self.get_all(&endpoint).await?;
        Ok(notes.iter().any(|n| n.note.contains(marker)))
    }

    pub(super) async fn post_commit_comment(
        &self,
        repo: &RepoPath,
        git_ref: &str,
        body: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!(
            "{}/repository/commits/{}/comments",
            project_base(repo),
            path_segment(git_ref)?
        );
        self.create_request(Method::POST, &endpoint, &json!({ "note": body }))
            .await
            .map(drop)
    }

    /// The id of the open milestone titled `title` (through the milestone cache).
    pub(super) async fn open_milestone_id(
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
