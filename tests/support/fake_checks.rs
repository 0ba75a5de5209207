//! Commit statuses and comment edits on the fake forge: GitHub `POST statuses/{sha}` and
//! `PATCH issues/comments/{id}`, GitLab `POST statuses/{sha}` and `PUT …/notes/{id}`.

use super::fake_state::{Reply, State};
use super::FakeForge;
use serde_json::{json, Value};

/// A commit status as set: context (GitHub) / name (GitLab), state, description.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeStatus {
    pub context: String,
    pub state: String,
    pub description: String,
}

impl FakeForge {
    /// The statuses set on `sha` of `repo`, oldest first.
    pub fn statuses(&self, repo: &str, sha: &str) -> Vec<FakeStatus> {
        let key = (repo.to_string(), sha.to_string());
        self.lock().statuses.get(&key).cloned().unwrap_or_default()
    }
}

fn set_status(state: &mut State, repo: &str, sha: &str, context: &Value, body: &Value) -> Reply {
    let status = FakeStatus {
        context: context.as_str().unwrap_or_default().to_string(),
        state: body["state"].as_str().unwrap_or_default().to_string(),
        description: body["description"].as_str().unwrap_or_default().to_string(),
    };
    let key = (repo.to_string(), sha.to_string());
    state.statuses.entry(key).or_default().push(status.clone());
    Reply::created(json!({ "id": 1, "state": status.state, "context": status.context }))
}

fn edit_comment(state: &mut State, repo: &str, id: &str, body: &Value) -> Reply {
    let (Ok(id), Some(text)) = (id.parse::<u64>(), body["body"].as_str()) else {
        return Reply::error(404, "Not Found");
    };
    let Some(r) = state.repos.get_mut(repo) else {
        return Reply::error(404, "Not Found");
    };
    match r.comments.values_mut().flatten().find(|c| c.id == id) {
        Some(c) => {
            c.body = text.to_string();
            Reply::ok(json!({ "id": id, "body": text }))
        }
        None => Reply::error(404, "Not Found"),
    }
}

/// GitHub: under `/repos/{owner}/{name}/`.
pub(super) fn github_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    body: &Value,
) -> Option<Reply> {
    match (method, rest) {
        ("POST", ["statuses", sha]) => Some(set_status(state, repo, sha, &body["context"], body)),
        ("PATCH", ["issues", "comments", id]) => Some(edit_comment(state, repo, id, body)),
        _ => None,
    }
}

/// GitLab: under `/projects/:id/`.
pub(super) fn gitlab_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    body: &Value,
) -> Option<Reply> {
    match (method, rest) {
        ("POST", ["statuses", sha]) => Some(set_status(state, repo, sha, &body["name"], body)),
        ("PUT", ["merge_requests" | "issues", _, "notes", id]) => {
            Some(edit_comment(state, repo, id, body))
        }
        _ => None,
    }
}
