//! Webhook payloads of the release flow, built from the fixtures for a given repository:
//! tag pushes, publish pipelines (GitHub workflow runs, GitLab Pipeline Hooks), published
//! releases and comments on the release merge request.

use super::fixture;
use serde_json::{json, Value};

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// GitHub `push` of `tag` to `repo`.
pub fn github_tag_push(repo: &str, tag: &str) -> Value {
    let mut p = fixture_json("github/push.tag.json");
    p["ref"] = json!(format!("refs/tags/{tag}"));
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["default_branch"] = json!("main");
    p["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    p
}

/// GitHub `create` of `tag` in `repo` (sent with the tag's `push`).
pub fn github_tag_create(repo: &str, tag: &str) -> Value {
    let mut p = fixture_json("github/create.tag.json");
    p["ref"] = json!(tag);
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["default_branch"] = json!("main");
    p["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    p
}

/// A completed `Publish` workflow run `id` of `tag` (`conclusion`: `success`, `failure`).
pub fn github_run(repo: &str, tag: &str, id: u64, conclusion: &str) -> Value {
    let mut run = fixture_json("github/workflow_run.completed.json");
    run["repository"]["full_name"] = json!(repo);
    run["repository"]["default_branch"] = json!("main");
    run["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    run["workflow_run"]["id"] = json!(id);
    run["workflow_run"]["head_branch"] = json!(tag);
    run["workflow_run"]["name"] = json!("Publish");
    run["workflow_run"]["conclusion"] = json!(conclusion);
    run["workflow_run"]["html_url"] = json!(format!("https://github.com/{repo}/actions/runs/{id}"));
    run
}

/// GitHub `release` `published` of `tag`, by a person.
pub fn github_release(repo: &str, tag: &str) -> Value {
    let mut p = fixture_json("github/release.published.json");
    p["release"]["tag_name"] = json!(tag);
    p["release"]["html_url"] = json!(format!("https://github.com/{repo}/releases/tag/{tag}"));
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["default_branch"] = json!("main");
    p["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    p
}

/// GitLab Tag Push Hook of `tag`.
pub fn gitlab_tag_push(repo: &str, tag: &str) -> Value {
    let mut p = fixture_json("gitlab/tag_push.json");
    p["ref"] = json!(format!("refs/tags/{tag}"));
    p["project"]["path_with_namespace"] = json!(repo);
    p["project"]["default_branch"] = json!("main");
    p["project"]["web_url"] = json!(format!("https://gitlab.com/{repo}"));
    p
}

/// A Pipeline Hook of `tag`'s pipeline `id` with a `publish` stage.
pub fn gitlab_pipeline(repo: &str, tag: &str, id: u64, status: &str) -> Value {
    let mut p = fixture_json("gitlab/pipeline.json");
    p["project"]["path_with_namespace"] = json!(repo);
    p["project"]["default_branch"] = json!("main");
    p["project"]["web_url"] = json!(format!("https://gitlab.com/{repo}"));
    p["object_attributes"]["id"] = json!(id);
    p["object_attributes"]["ref"] = json!(tag);
    p["object_attributes"]["tag"] = json!(true);
    p["object_attributes"]["status"] = json!(status);
    p["object_attributes"]["stages"] = json!(["build", "publish"]);
    p["object_attributes"]["url"] = json!(format!("https://gitlab.com/{repo}/-/pipelines/{id}"));
    p
}

/// GitLab Release Hook (`create`) of `tag`.
pub fn gitlab_release(repo: &str, tag: &str) -> Value {
    let mut p = fixture_json("gitlab/release.create.json");
    p["tag"] = json!(tag);
    p["url"] = json!(format!("https://gitlab.com/{repo}/-/releases/{tag}"));
    p["project"]["path_with_namespace"] = json!(repo);
    p["project"]["default_branch"] = json!("main");
    p["project"]["web_url"] = json!(format!("https://gitlab.com/{repo}"));
    p
}

/// A GitLab note by `author` saying `text` on merge request `number` whose description is
/// `description` (comment id `id`).
pub fn gitlab_mr_note(
    repo: &str,
    number: u64,
    description: &str,
    author: &str,
    text: &str,
    id: u64,
) -> Value {
    let mut p = fixture_json("gitlab/note.merge_request.json");
    p["project"]["path_with_namespace"] = json!(repo);
    p["project"]["default_branch"] = json!("main");
    p["project"]["web_url"] = json!(format!("https://gitlab.com/{repo}"));
    p["object_attributes"]["id"] = json!(id);
    p["object_attributes"]["note"] = json!(text);
    p["user"]["username"] = json!(author);
    p["merge_request"]["iid"] = json!(number);
    p["merge_request"]["description"] = json!(description);
    p
}

/// A new GitHub comment `body` (id `comment_id`) by `author` on issue `issue` of `repo`, the
/// author's role left to the collaborator permission (no association).
pub fn github_comment(repo: &str, issue: u64, comment_id: u64, author: &str, body: &str) -> Value {
    let mut p = fixture_json("github/issue_comment.created.json");
    let (owner, name) = repo.split_once('/').expect("owner/name");
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["name"] = json!(name);
    p["repository"]["owner"]["login"] = json!(owner);
    p["comment"]["id"] = json!(comment_id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!(author);
    p["comment"]["author_association"] = Value::Null;
    p["sender"]["login"] = json!(author);
    p["issue"]["number"] = json!(issue);
    p["issue"]["labels"] = json!([]);
    p["issue"]["assignees"] = json!([]);
    p["issue"]["milestone"] = Value::Null;
    p
}
