//! Helpers for the configuration-as-code tests: repository files on the fake forge, and the
//! deliveries (issue opened, push to the default branch) that make forgehand read them.

use super::app::TestApp;
use super::fixture;
use super::triage::Side;
use serde_json::{json, Value};

pub const FILE: &str = ".forgehand.yml";
pub const DEFAULT_BRANCH: &str = "main";

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// A repository file whose only rule labels every new issue `label`.
pub fn labelling(label: &str) -> String {
    format!(
        "rules:\n  - id: label-new\n    on: [issue.opened]\n    then:\n      add_labels: [\"{label}\"]\n"
    )
}

/// Seeds `repo` with issues `1..=numbers` and the labels the tests use.
pub fn seed(app: &TestApp, repo: &str, numbers: u64) {
    app.fake.add_repo(repo);
    for n in 1..=numbers {
        app.fake.add_issue(repo, n);
    }
    for label in ["from-file", "v1", "v2", "team-a", "team-b"] {
        app.fake.add_label(repo, label);
    }
}

/// Deliver "issue `number` of `repo` was opened" as `side` says it.
pub async fn open_issue(app: &TestApp, side: Side, repo: &str, number: u64, delivery: &str) {
    let status = match side {
        Side::Github => {
            let mut p = fixture_json("github/issues.opened.json");
            p["repository"]["full_name"] = json!(repo);
            p["repository"]["default_branch"] = json!(DEFAULT_BRANCH);
            p["issue"]["number"] = json!(number);
            p["issue"]["labels"] = json!([]);
            p["issue"]["milestone"] = Value::Null;
            p["issue"]["assignees"] = json!([]);
            app.github("issues", delivery, &p).await.status
        }
        Side::Gitlab => {
            let mut p = fixture_json("gitlab/issue.open.json");
            p["project"]["path_with_namespace"] = json!(repo);
            p["project"]["default_branch"] = json!(DEFAULT_BRANCH);
            p["object_attributes"]["iid"] = json!(number);
            p["object_attributes"]["labels"] = json!([]);
            p["object_attributes"]["milestone_id"] = Value::Null;
            p["labels"] = json!([]);
            p["assignees"] = json!([]);
            app.gitlab("Issue Hook", delivery, &p).await.status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

/// Deliver a push to the default branch of `repo` whose commit modified `path`.
pub async fn push(app: &TestApp, side: Side, repo: &str, path: &str, delivery: &str) {
    let status = match side {
        Side::Github => {
            let mut p = fixture_json("github/push.default_branch.json");
            p["ref"] = json!(format!("refs/heads/{DEFAULT_BRANCH}"));
            p["repository"]["full_name"] = json!(repo);
            p["repository"]["default_branch"] = json!(DEFAULT_BRANCH);
            p["commits"] = json!([{
                "id": "c0ffee", "message": "Change the process", "timestamp": "2026-01-01T00:00:00Z",
                "url": "https://example.com", "author": { "name": "a", "email": "a@example.com" },
                "added": [], "removed": [], "modified": [path]
            }]);
            app.github("push", delivery, &p).await.status
        }
        Side::Gitlab => {
            let mut p = fixture_json("gitlab/push.json");
            p["ref"] = json!(format!("refs/heads/{DEFAULT_BRANCH}"));
            p["project"]["path_with_namespace"] = json!(repo);
            p["project"]["default_branch"] = json!(DEFAULT_BRANCH);
            for commit in p["commits"].as_array_mut().expect("commits") {
                commit["added"] = json!([]);
                commit["removed"] = json!([]);
                commit["modified"] = json!([path]);
            }
            app.gitlab("Push Hook", delivery, &p).await.status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

pub fn labels(app: &TestApp, repo: &str, number: u64) -> Vec<String> {
    app.fake.issue(repo, number).labels
}

/// The issues forgehand filed about an invalid file, with their bodies.
pub fn invalid_file_issues(app: &TestApp, repo: &str) -> Vec<String> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .map(|(_, body)| body)
        .filter(|b| b.contains("<!-- forgehand:invalid-config -->"))
        .collect()
}
