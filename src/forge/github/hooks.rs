//! The repository webhook forgehand needs on GitHub (`forgehand hooks install`): found by
//! its URL among `GET /repos/{owner}/{name}/hooks`, created (`POST`) when missing, its events
//! set (`PATCH …/hooks/{id}`) when they differ.

use super::{repo_base, GithubForge};
use crate::forge::{ForgeError, HookInstall};
use crate::model::RepoPath;
use http::Method;
use serde::Deserialize;
use serde_json::{json, Value};

/// The events forgehand acts on (PRODUCT.md: issues, comments, pull requests, pushes, tag
/// creation and deletion, releases, workflow runs, check suites).
pub const GITHUB_HOOK_EVENTS: &[&str] = &[
    "check_suite",
    "create",
    "delete",
    "issue_comment",
    "issues",
    "pull_request",
    "push",
    "release",
    "workflow_run",
];

#[derive(Deserialize)]
struct GhHook {
    id: u64,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    events: Vec<String>,
    #[serde(default)]
    config: GhHookConfig,
}

#[derive(Deserialize, Default)]
struct GhHookConfig {
    #[serde(default)]
    url: Option<String>,
}

impl GithubForge {
    pub(super) async fn install_hook_here(
        &self,
        repo: &RepoPath,
        url: &str,
        secret: &str,
    ) -> Result<HookInstall, ForgeError> {
        let base = format!("{}/hooks", repo_base(repo)?);
        let hooks: Vec<GhHook> = self.get_all(&base).await?;
        let mut events: Vec<String> = GITHUB_HOOK_EVENTS.iter().map(|e| e.to_string()).collect();
        events.sort();
        let config = json!({
            "url": url,
            "content_type": "json",
            "secret": secret,
            "insecure_ssl": "0",
        });
        let existing = hooks.iter().find(|h| h.config.url.as_deref() == Some(url));
        let Some(hook) = existing else {
            let body = json!({ "name": "web", "active": true, "events": events, "config": config });
            let answer = self.create_request(Method::POST, &base, &body).await?;
            let created: Value = self.parse(&answer)?;
            let id = created["id"].as_u64().unwrap_or_default();
            return Ok(HookInstall::Created { id, events });
        };
        let mut have = hook.events.clone();
        have.sort();
        if have == events && hook.active {
            return Ok(HookInstall::Unchanged {
                id: hook.id,
                events,
            });
        }
        let body = json!({ "active": true, "events": events, "config": config });
        self.request(Method::PATCH, &format!("{base}/{}", hook.id), Some(&body))
            .await?;
        Ok(HookInstall::Updated {
            id: hook.id,
            events,
            before: have,
        })
    }
}
