//! Helpers for the triage tests: one seeded issue per forge, comments posted as any user with
//! the payload showing the issue as the fake forge has it, and the bot's replies.

use super::app::{spawn_app_tuned, spawn_app_with, TestApp, Tuning};
use super::fixture;
use chrono::{Duration, Utc};
use forgehand::role::Role;
use serde_json::{json, Value};

pub const GITHUB_REPO: &str = "Codertocat/Hello-World";
pub const GITLAB_REPO: &str = "gitlab-org/gitlab-test";

/// Which forge a test drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Github,
    Gitlab,
}

pub const BOTH: [Side; 2] = [Side::Github, Side::Gitlab];

impl Side {
    pub fn repo(self) -> &'static str {
        match self {
            Side::Github => GITHUB_REPO,
            Side::Gitlab => GITLAB_REPO,
        }
    }
}

/// The top-level sections `names` of the shipped `config/forgehand.yml`, with the triagers'
/// variables set to `lead` and `pm`.
pub fn shipped_sections(names: &[&str]) -> String {
    let path = format!("{}/config/forgehand.yml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("config/forgehand.yml");
    let mut out = String::new();
    let mut keep = false;
    for line in text.lines() {
        let top = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#');
        if top {
            let key = line.split(':').next().unwrap_or("");
            keep = names.contains(&key);
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.replace("${FORGEHAND_ENGINEERING_LEAD:-}", "lead")
        .replace("${FORGEHAND_PRODUCT_MANAGER:-}", "pm")
}

/// The app with `extra` configuration, both repositories seeded: issue #1, labels, users of
/// every role, and milestones around today (`1.3` over, `1.4` current, `1.5` next, `Backlog`).
pub async fn seeded_app(extra: &str) -> TestApp {
    seed(spawn_app_with(extra).await)
}

/// [`seeded_app`] with forge clients tuned for fault tests.
pub async fn seeded_app_tuned(extra: &str, tuning: Tuning) -> TestApp {
    seed(spawn_app_tuned(extra, tuning).await)
}

fn seed(app: TestApp) -> TestApp {
    let today = Utc::now().date_naive();
    let day = |offset: i64| {
        (today + Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    for side in BOTH {
        let repo = side.repo();
        app.fake.add_repo(repo);
        app.fake.add_issue(repo, 1);
        for label in [
            "bug",
            "ui",
            "docs",
            "flow::Triage",
            "flow::To Do",
            "flow::Doing",
        ] {
            app.fake.add_label(repo, label);
        }
        app.fake
            .add_milestone_dated(repo, "1.3", Some(&day(-20)), Some(&day(-6)));
        app.fake
            .add_milestone_dated(repo, "1.4", Some(&day(-5)), Some(&day(5)));
        app.fake
            .add_milestone_dated(repo, "1.5", Some(&day(6)), Some(&day(16)));
        app.fake.add_milestone(repo, "Backlog");
    }
    for (login, role) in [
        ("owner", Some(Role::Owner)),
        ("maint", Some(Role::Maintainer)),
        ("reader", Some(Role::Reader)),
        ("alice", Some(Role::Maintainer)),
        ("bob", Some(Role::Reader)),
        ("lead", Some(Role::Maintainer)),
        ("pm", Some(Role::Maintainer)),
        ("stranger", None),
    ] {
        app.fake.add_user(login, role);
    }
    app
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// Post a new comment `body` by `who` on issue #1; returns the comment id.
pub async fn comment(app: &TestApp, side: Side, who: &str, body: &str, delivery: &str) -> u64 {
    let id = app.fake.add_comment(side.repo(), 1, who, body);
    let payload = payload(app, side, who, id, body, None);
    post(app, side, delivery, &payload).await;
    id
}

/// The webhook payload of a new comment `body` (id `id`) by `who` on issue `number`, showing
/// the issue as the fake forge has it.
pub fn comment_payload(
    app: &TestApp,
    side: Side,
    who: &str,
    number: u64,
    id: u64,
    body: &str,
) -> Value {
    payload_on(app, side, who, number, id, body, None)
}

/// Post `payload` (a comment webhook) under `delivery` without waiting for it.
pub async fn post_comment_payload(app: &TestApp, side: Side, delivery: &str, payload: &Value) {
    let status = match side {
        Side::Github => app.github("issue_comment", delivery, payload).await.status,
        Side::Gitlab => app.gitlab("Note Hook", delivery, payload).await.status,
    };
    assert_eq!(status, 202, "{delivery}");
}

/// Post the edit of comment `id` from `before` to `after` (GitLab's payload does not carry
/// `before`: forgehand has to remember it).
pub async fn edit(
    app: &TestApp,
    side: Side,
    who: &str,
    id: u64,
    before: &str,
    after: &str,
    delivery: &str,
) {
    let payload = payload(app, side, who, id, after, Some(before));
    post(app, side, delivery, &payload).await;
}

async fn post(app: &TestApp, side: Side, delivery: &str, payload: &Value) {
    post_comment_payload(app, side, delivery, payload).await;
    app.wait_idle().await;
}

pub fn payload(
    app: &TestApp,
    side: Side,
    who: &str,
    id: u64,
    body: &str,
    before: Option<&str>,
) -> Value {
    payload_on(app, side, who, 1, id, body, before)
}

fn payload_on(
    app: &TestApp,
    side: Side,
    who: &str,
    number: u64,
    id: u64,
    body: &str,
    before: Option<&str>,
) -> Value {
    let issue = app.fake.issue(side.repo(), number);
    match side {
        Side::Github => {
            let mut p = match before {
                None => fixture_json("github/issue_comment.created.json"),
                Some(_) => fixture_json("github/issue_comment.edited.json"),
            };
            if let Some(before) = before {
                p["changes"] = json!({ "body": { "from": before } });
            }
            p["comment"]["id"] = json!(id);
            p["comment"]["body"] = json!(body);
            p["comment"]["user"]["login"] = json!(who);
            // No association: the role comes from the collaborator permission.
            p["comment"]["author_association"] = Value::Null;
            p["sender"]["login"] = json!(who);
            p["issue"]["number"] = json!(number);
            p["issue"]["state"] = json!(issue.state);
            p["issue"]["labels"] = json!(issue
                .labels
                .iter()
                .map(|l| json!({ "name": l }))
                .collect::<Vec<_>>());
            p["issue"]["assignees"] = json!(issue
                .assignees
                .iter()
                .map(|l| json!({ "login": l }))
                .collect::<Vec<_>>());
            p["issue"]["milestone"] = match &issue.milestone {
                Some(t) => json!({ "number": 1, "title": t }),
                None => Value::Null,
            };
            p
        }
        Side::Gitlab => {
            let mut p = fixture_json("gitlab/note.issue.json");
            p["user"]["username"] = json!(who);
            p["object_attributes"]["id"] = json!(id);
            p["object_attributes"]["note"] = json!(body);
            if before.is_some() {
                p["object_attributes"]["action"] = json!("update");
            }
            p["issue"]["iid"] = json!(number);
            p["issue"]["labels"] = json!(issue
                .labels
                .iter()
                .map(|l| json!({ "title": l }))
                .collect::<Vec<_>>());
            p
        }
    }
}

/// Bodies of the comments the bot wrote on issue #1.
pub fn replies(app: &TestApp, side: Side) -> Vec<String> {
    app.fake
        .comments(side.repo(), 1)
        .into_iter()
        .filter(|c| c.author == "forgehand[bot]" || c.author == "forgehand-bot")
        .map(|c| without_intent_marker(&c.body))
        .collect()
}

/// A bot comment's text without the hidden marker of its delivery (which every comment
/// forgehand posts ends with, unless its plan gave it a marker of its own, e.g. a rule's; it
/// differs per delivery, so snapshots leave it out). Panics when the comment carries no
/// forgehand marker at all.
pub fn without_intent_marker(body: &str) -> String {
    match body.rsplit_once("\n\n<!-- forgehand:intent ") {
        Some((text, marker)) => {
            assert!(marker.ends_with(" -->"), "{body:?}");
            text.to_string()
        }
        None => {
            assert!(
                body.contains("<!-- forgehand:"),
                "a bot comment without a marker: {body:?}"
            );
            body.to_string()
        }
    }
}

/// Reactions on comment `id`.
pub fn reactions(app: &TestApp, side: Side, id: u64) -> Vec<String> {
    app.fake
        .comments(side.repo(), 1)
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.reactions)
        .unwrap_or_default()
}

/// Write calls other than reactions.
pub fn edits(app: &TestApp) -> Vec<super::Call> {
    app.fake
        .writes()
        .into_iter()
        .filter(|c| !c.path.ends_with("/reactions") && !c.path.ends_with("/award_emoji"))
        .collect()
}
