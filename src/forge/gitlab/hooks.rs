//! The project webhook forgehand needs on GitLab (`forgehand hooks install`): found by its
//! URL among `GET /projects/:id/hooks`, created (`POST`) when missing, its triggers set
//! (`PUT /projects/:id/hooks/:hook_id`) when they differ.

use super::{project_base, GitlabForge};
use crate::forge::{ForgeError, HookInstall};
use crate::model::RepoPath;
use http::Method;
use serde_json::{json, Map, Value};

/// The triggers forgehand acts on (PRODUCT.md: pushes, tag pushes, comments, issues, merge
/// requests, pipelines, releases — confidential issues and comments included).
pub const GITLAB_HOOK_EVENTS: &[&str] = &[
    "confidential_issues_events",
    "confidential_note_events",
    "issues_events",
    "merge_requests_events",
    "note_events",
    "pipeline_events",
    "push_events",
    "releases_events",
    "tag_push_events",
];

/// Triggers forgehand turns off (it ignores their events).
const OFF: &[&str] = &[
    "job_events",
    "wiki_page_events",
    "deployment_events",
    "feature_flag_events",
];

impl GitlabForge {
    pub(super) async fn install_hook_here(
        &self,
        repo: &RepoPath,
        url: &str,
        token: &str,
    ) -> Result<HookInstall, ForgeError> {
        let base = format!("{}/hooks", project_base(repo));
        let hooks: Vec<Value> = self.get_all(&base).await?;
        let mut events: Vec<String> = GITLAB_HOOK_EVENTS.iter().map(|e| e.to_string()).collect();
        events.sort();
        let mut body = Map::new();
        body.insert("url".into(), json!(url));
        body.insert("token".into(), json!(token));
        body.insert("enable_ssl_verification".into(), json!(true));
        for e in GITLAB_HOOK_EVENTS {
            body.insert((*e).into(), json!(true));
        }
        for e in OFF {
            body.insert((*e).into(), json!(false));
        }
        let body = Value::Object(body);
        let existing = hooks.iter().find(|h| h["url"].as_str() == Some(url));
        let Some(hook) = existing else {
            let answer = self.create_request(Method::POST, &base, &body).await?;
            let created: Value = self.parse(&answer)?;
            let id = created["id"].as_u64().unwrap_or_default();
            return Ok(HookInstall::Created { id, events });
        };
        let id = hook["id"].as_u64().unwrap_or_default();
        let mut have: Vec<String> = hook
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| k.ends_with("_events") && v.as_bool() == Some(true))
            .map(|(k, _)| k.clone())
            .collect();
        have.sort();
        if have == events {
            return Ok(HookInstall::Unchanged { id, events });
        }
        self.request(Method::PUT, &format!("{base}/{id}"), Some(&body))
            .await?;
        Ok(HookInstall::Updated {
            id,
            events,
            before: have,
        })
    }
}
