//! Answer shapes of the GitHub endpoints behind the release operations (per GitHub's
//! OpenAPI description), trimmed to the fields forgehand reads.

use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct GhTag {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct GhContent {
    #[serde(default)]
    pub(super) content: String,
    pub(super) sha: String,
}

#[derive(Deserialize)]
pub(super) struct GhCompare {
    #[serde(default)]
    pub(super) commits: Vec<GhSha>,
}

#[derive(Deserialize)]
pub(super) struct GhSha {
    pub(super) sha: String,
}

#[derive(Deserialize)]
pub(super) struct GhLabel {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct GhUser {
    pub(super) login: String,
}

#[derive(Deserialize)]
pub(super) struct GhPull {
    pub(super) number: u64,
    #[serde(default)]
    pub(super) title: String,
    pub(super) state: String,
    #[serde(default)]
    pub(super) body: Option<String>,
    pub(super) html_url: Option<String>,
    pub(super) merged_at: Option<String>,
    pub(super) merge_commit_sha: Option<String>,
    #[serde(default)]
    pub(super) labels: Vec<GhLabel>,
    pub(super) user: Option<GhUser>,
}

#[derive(Deserialize)]
pub(super) struct GhIssueRef {
    pub(super) number: u64,
    #[serde(default)]
    pub(super) body: Option<String>,
    pub(super) html_url: Option<String>,
    pub(super) pull_request: Option<serde_json::Value>,
    /// `open` or `closed`.
    #[serde(default)]
    pub(super) state: String,
    #[serde(default)]
    pub(super) closed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub(super) labels: Vec<GhLabel>,
}

#[derive(Deserialize)]
pub(super) struct GhNumber {
    pub(super) number: u64,
}

#[derive(Deserialize)]
pub(super) struct GhRuns {
    #[serde(default)]
    pub(super) workflow_runs: Vec<GhRun>,
}

#[derive(Deserialize)]
pub(super) struct GhRun {
    pub(super) id: u64,
    #[serde(default)]
    pub(super) name: Option<String>,
    pub(super) status: Option<String>,
    pub(super) conclusion: Option<String>,
    pub(super) html_url: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct GhJobs {
    #[serde(default)]
    pub(super) jobs: Vec<GhJob>,
}

#[derive(Deserialize)]
pub(super) struct GhJob {
    pub(super) name: String,
    pub(super) conclusion: Option<String>,
    pub(super) html_url: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct GhRelease {
    pub(super) id: u64,
    pub(super) tag_name: String,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) body: Option<String>,
    #[serde(default)]
    pub(super) draft: bool,
    #[serde(default)]
    pub(super) prerelease: bool,
    pub(super) html_url: Option<String>,
    pub(super) author: Option<GhUser>,
}
