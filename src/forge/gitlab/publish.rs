//! GitLab releases and the failed jobs of a pipeline, for [`ReleaseForge`]'s release
//! methods (`release.rs` delegates here). A GitLab release is addressed by its tag:
//! `GET`, `POST` and `PUT /projects/:id/releases[/:tag_name]`; it links milestones by
//! title and has no drafts and no pre-release flag. Shapes per GitLab's Releases and Jobs
//! API documentation.

use super::{project_base, GitlabForge};
use crate::forge::transport::encode::{encode, path_segment};
use crate::forge::{ForgeError, ForgeRelease, ReleaseFields};
use crate::model::{FailedJob, RepoPath};
use http::Method;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct GlRelease {
    tag_name: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    milestones: Vec<GlTitle>,
    author: Option<GlUsername>,
    #[serde(rename = "_links", default)]
    links: Option<GlLinks>,
}

#[derive(Deserialize)]
struct GlTitle {
    title: String,
}

#[derive(Deserialize)]
struct GlUsername {
    username: String,
}

#[derive(Deserialize)]
struct GlLinks {
    #[serde(rename = "self")]
    web: Option<String>,
}

#[derive(Deserialize)]
struct GlJob {
    name: String,
    web_url: Option<String>,
}

fn release(r: GlRelease) -> ForgeRelease {
    ForgeRelease {
        id: None,
        tag: r.tag_name,
        name: r.name.unwrap_or_default(),
        notes: r.description.unwrap_or_default(),
        draft: false,
        prerelease: false,
        milestones: r.milestones.into_iter().map(|m| m.title).collect(),
        author: r.author.map(|a| a.username),
        url: r.links.and_then(|l| l.web),
    }
}

/// Name, description and (when asked for) milestones.
fn payload(fields: &ReleaseFields<'_>) -> Value {
    let mut body = json!({ "name": fields.name, "description": fields.notes });
    if !fields.milestones.is_empty() {
        body["milestones"] = json!(fields.milestones);
    }
    body
}

impl GitlabForge {
    fn release_endpoint(repo: &RepoPath, tag: &str) -> Result<String, ForgeError> {
        Ok(format!(
            "{}/releases/{}",
            project_base(repo),
            path_segment(tag)?
        ))
    }

    pub(super) async fn find_release(
        &self,
        repo: &RepoPath,
        tag: &str,
    ) -> Result<Option<ForgeRelease>, ForgeError> {
        match self
            .get_json::<GlRelease>(&Self::release_endpoint(repo, tag)?)
            .await
        {
            Ok(found) => Ok(Some(release(found))),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn post_release(
        &self,
        repo: &RepoPath,
        fields: &ReleaseFields<'_>,
    ) -> Result<Option<String>, ForgeError> {
        let mut body = payload(fields);
        body["tag_name"] = json!(fields.tag);
        let endpoint = format!("{}/releases", project_base(repo));
        let answer = self.create_request(Method::POST, &endpoint, &body).await?;
        Ok(release(self.parse(&answer)?).url)
    }

    pub(super) async fn put_release(
        &self,
        repo: &RepoPath,
        existing: &ForgeRelease,
        fields: &ReleaseFields<'_>,
    ) -> Result<(), ForgeError> {
        let endpoint = Self::release_endpoint(repo, &existing.tag)?;
        self.request(Method::PUT, &endpoint, Some(&payload(fields)))
            .await
            .map(drop)
    }

    pub(super) async fn pipeline_failed_jobs(
        &self,
        repo: &RepoPath,
        pipeline_id: u64,
    ) -> Result<Vec<FailedJob>, ForgeError> {
        let endpoint = format!(
            "{}/pipelines/{pipeline_id}/jobs?{}=failed",
            project_base(repo),
            encode("scope[]")
        );
        let jobs: Vec<GlJob> = self.get_all(&endpoint).await?;
        Ok(jobs
            .into_iter()
            .map(|j| FailedJob {
                name: j.name,
                url: j.web_url,
            })
            .collect())
    }

    pub(super) async fn put_issue_description(
        &self,
        repo: &RepoPath,
        number: u64,
        body: &str,
        reopen: bool,
    ) -> Result<(), ForgeError> {
        let mut payload = json!({ "description": body });
        if reopen {
            payload["state_event"] = json!("reopen");
        }
        let endpoint = format!("{}/issues/{number}", project_base(repo));
        self.request(Method::PUT, &endpoint, Some(&payload))
            .await
            .map(drop)
    }
}
