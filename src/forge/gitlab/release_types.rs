//! Answer shapes of the GitLab endpoints behind the release operations (per GitLab's REST
//! documentation), trimmed to the fields forgehand reads.

use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct GlTag {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct GlFile {
    pub(super) content: String,
    pub(super) blob_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct GlCompare {
    #[serde(default)]
    pub(super) commits: Vec<GlCommit>,
}

#[derive(Deserialize)]
pub(super) struct GlCommit {
    pub(super) id: String,
}

#[derive(Deserialize)]
pub(super) struct GlAuthor {
    pub(super) username: String,
}

#[derive(Deserialize)]
pub(super) struct GlMergeRequest {
    pub(super) iid: u64,
    #[serde(default)]
    pub(super) title: String,
    pub(super) state: String,
    #[serde(default)]
    pub(super) description: Option<String>,
    pub(super) web_url: Option<String>,
    #[serde(default)]
    pub(super) labels: Vec<String>,
    pub(super) author: Option<GlAuthor>,
    pub(super) merge_commit_sha: Option<String>,
    pub(super) squash_commit_sha: Option<String>,
    pub(super) sha: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct GlIssueRef {
    pub(super) iid: u64,
    /// `opened` or `closed`.
    #[serde(default)]
    pub(super) state: Option<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    pub(super) web_url: Option<String>,
    #[serde(default)]
    pub(super) closed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub(super) labels: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct GlPipeline {
    pub(super) id: u64,
    pub(super) status: String,
    pub(super) web_url: Option<String>,
}
