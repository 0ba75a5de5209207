//! The webhook pipeline end to end: a signed delivery in, the label in the fake forge's state
//! out, on both forges; redeliveries processed once; intake status codes.

mod support;

use forgehand::event::ForgeKind;
use serde_json::{json, Value};
use support::app::{spawn_app, TestApp};
use support::fixture;

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const GITLAB_REPO: &str = "gitlab-org/gitlab-test";

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// GitHub `issue_comment.created` on issue #1 saying `body`, by the repository owner.
fn github_comment(app: &TestApp, body: &str) -> Value {
    let mut p = fixture_json("github/issue_comment.created.json");
    let id = app.fake.add_comment(GITHUB_REPO, 1, "Codertocat", body);
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["issue"]["labels"] = json!([]);
    p
}

/// GitLab note on issue #1 of gitlab-org/gitlab-test saying `body`.
fn gitlab_note(app: &TestApp, body: &str) -> Value {
    let mut p = fixture_json("gitlab/note.issue.json");
    let id = app.fake.add_comment(GITLAB_REPO, 1, "root", body);
    p["object_attributes"]["id"] = json!(id);
    p["object_attributes"]["note"] = json!(body);
    p["issue"]["iid"] = json!(1);
    p["issue"]["labels"] = json!([]);
    p
}

fn seed(app: &TestApp) {
    // The GitLab commenter needs a role that may label (GitHub's says OWNER in the payload).
    app.fake.add_user("root", forgehand::role::Role::Maintainer);
    for repo in [GITHUB_REPO, GITLAB_REPO] {
        app.fake.add_repo(repo);
        app.fake.add_issue(repo, 1);
        app.fake.add_label(repo, "bug");
    }
}

fn label_writes(app: &TestApp) -> usize {
    app.fake
        .writes()
        .into_iter()
        .filter(|c| c.path.contains("/issues/1"))
        .filter(|c| {
            c.method != "POST" || !c.path.contains("reactions") && !c.path.contains("award_emoji")
        })
        .count()
}

#[tokio::test]
async fn github_label_command_labels_the_issue_once_even_when_redelivered() {
    let app = spawn_app().await;
    seed(&app);
    let payload = github_comment(&app, "Thanks!\n\n/label bug");
    let r = app.github("issue_comment", "gh-1", &payload).await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    assert_eq!(app.fake.issue(GITHUB_REPO, 1).labels, ["bug"]);
    assert_eq!(app.delivery(ForgeKind::Github, "gh-1").await.state, "done");
    assert_eq!(label_writes(&app), 1);

    let again = app.github("issue_comment", "gh-1", &payload).await;
    assert_eq!(
        again.status, 200,
        "a known delivery id is acknowledged with 200"
    );
    app.wait_idle().await;
    assert_eq!(app.fake.issue(GITHUB_REPO, 1).labels, ["bug"]);
    assert_eq!(
        label_writes(&app),
        1,
        "the redelivery caused no second write"
    );
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_mention_spelling_labels_the_issue_once_even_when_redelivered() {
    let app = spawn_app().await;
    seed(&app);
    let payload = gitlab_note(&app, "@forgehand label ~bug");
    let r = app.gitlab("Note Hook", "gl-1", &payload).await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    assert_eq!(app.fake.issue(GITLAB_REPO, 1).labels, ["bug"]);
    assert_eq!(label_writes(&app), 1);

    assert_eq!(app.gitlab("Note Hook", "gl-1", &payload).await.status, 200);
    app.wait_idle().await;
    assert_eq!(label_writes(&app), 1);
    app.teardown().await;
}

#[tokio::test]
async fn bad_or_missing_signatures_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let body = br#"{"zen":"hi"}"#;
    let bad = forgehand::ingress::github::sign("wrong-secret", body);
    let r = support::http::request(
        app.port,
        "POST",
        "/webhooks/github",
        &[
            ("X-GitHub-Event", "ping"),
            ("X-GitHub-Delivery", "x1"),
            ("X-Hub-Signature-256", &bad),
        ],
        body,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    let r = support::http::request(
        app.port,
        "POST",
        "/webhooks/github",
        &[("X-GitHub-Event", "ping"), ("X-GitHub-Delivery", "x2")],
        body,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    let r = support::http::post_gitlab(app.port, "wrong-token", "Note Hook", "x3", body).await;
    assert_eq!(r.status, 401);
    let stats = app.store.stats().await.unwrap();
    assert_eq!(stats, Default::default(), "nothing stored");
    app.teardown().await;
}

#[tokio::test]
async fn authentic_but_malformed_or_unknown_deliveries_are_acknowledged_and_recorded() {
    let app = spawn_app().await;
    let r = support::http::post_github(
        app.port,
        support::app::GITHUB_SECRET,
        "issues",
        "m1",
        b"{not json",
    )
    .await;
    assert_eq!(r.status, 202);
    let r = support::http::post_gitlab(
        app.port,
        support::app::GITLAB_TOKEN,
        "Issue Hook",
        "m2",
        b"[1,",
    )
    .await;
    assert_eq!(
        r.status, 202,
        "never a 4xx for an authentic GitLab delivery"
    );
    let r = app
        .gitlab("Emoji Hook", "m3", &json!({"object_kind": "emoji"}))
        .await;
    assert_eq!(r.status, 202);
    let r = app
        .github("star", "m4", &fixture_json("github/star.created.json"))
        .await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    let failed = app.delivery(ForgeKind::Github, "m1").await;
    assert_eq!(failed.state, "failed");
    assert!(failed.reason.unwrap().contains("malformed"));
    assert_eq!(app.delivery(ForgeKind::Gitlab, "m2").await.state, "failed");
    assert_eq!(app.delivery(ForgeKind::Gitlab, "m3").await.state, "ignored");
    assert_eq!(app.delivery(ForgeKind::Github, "m4").await.state, "ignored");
    assert!(app.fake.writes().is_empty());
    app.teardown().await;
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = support::app::spawn_app_with("").await;
    let limit = app.config.server.body_limit_bytes.get() as usize;
    let big = vec![b' '; limit + 1];
    let r = support::http::post_github(app.port, support::app::GITHUB_SECRET, "ping", "big", &big)
        .await;
    assert_eq!(r.status, 413);
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_deliveries_dedupe_on_event_uuid_then_body_hash() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&fixture_json("gitlab/push.json")).unwrap();
    let post = |headers: Vec<(&'static str, &'static str)>| {
        let body = body.clone();
        let port = app.port;
        async move {
            let mut h = vec![
                ("X-Gitlab-Token", support::app::GITLAB_TOKEN),
                ("X-Gitlab-Event", "Push Hook"),
            ];
            h.extend(headers);
            support::http::request(port, "POST", "/webhooks/gitlab", &h, &body)
                .await
                .unwrap()
                .status
        }
    };
    assert_eq!(post(vec![("X-Gitlab-Event-UUID", "u-1")]).await, 202);
    assert_eq!(post(vec![("X-Gitlab-Event-UUID", "u-1")]).await, 200);
    assert_eq!(post(vec![]).await, 202);
    assert_eq!(
        post(vec![]).await,
        200,
        "same body, no id: deduped on its hash"
    );
    app.teardown().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);
    app.github("ping", "p1", &fixture_json("github/ping.json"))
        .await;
    app.wait_idle().await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains(
        r#"forgehand_deliveries_total{forge="github",event="ping",outcome="accepted"} 1"#
    ));
    assert!(metrics.body.contains("\nforgehand_queue_depth 0\n"));
    assert!(metrics.body.contains("forgehand_ack_seconds_bucket"));
    assert!(metrics.body.contains("# HELP forgehand_deliveries "));
    assert!(metrics.body.ends_with("# EOF\n"));
    app.fake.add_repo(GITHUB_REPO);
    app.fake.add_issue(GITHUB_REPO, 1);
    app.fake.add_label(GITHUB_REPO, "bug");
    app.github("issue_comment", "c1", &github_comment(&app, "/label bug"))
        .await;
    app.wait_idle().await;
    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.contains(r#"forgehand_forge_api_calls_total{forge="github",method="POST",endpoint="/repos/:x/:x/issues/:n/labels",status="200"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"forgehand_jobs_total{forge="github",outcome="done"} 2"#),
        "{metrics}"
    );
    app.teardown().await;
}

#[tokio::test]
async fn a_forge_5xx_is_retried_and_a_4xx_fails_the_job_with_the_forges_message() {
    let app = spawn_app().await;
    seed(&app);
    // Two 503s, then the write goes through: the job ends done.
    app.fake.fail_next(
        "POST",
        "/repos/Codertocat/Hello-World/issues/1/labels",
        503,
        None,
        2,
    );
    let r = app
        .github("issue_comment", "r1", &github_comment(&app, "/label bug"))
        .await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    assert_eq!(app.delivery(ForgeKind::Github, "r1").await.state, "done");
    assert_eq!(app.fake.issue(GITHUB_REPO, 1).labels, ["bug"]);

    // GitLab refuses the edit (422): not retried, the job fails with GitLab's message.
    app.fake.fail_next(
        "PUT",
        "/api/v4/projects/gitlab-org%2Fgitlab-test/issues/1",
        422,
        None,
        1,
    );
    let r = app
        .gitlab("Note Hook", "r2", &gitlab_note(&app, "/label ~bug"))
        .await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    let rec = app.delivery(ForgeKind::Gitlab, "r2").await;
    assert_eq!(rec.state, "failed");
    let reason = rec.reason.unwrap();
    assert!(reason.contains("422"), "{reason}");
    assert_eq!(app.fake.issue(GITLAB_REPO, 1).labels, Vec::<String>::new());
    let puts = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .count();
    assert_eq!(puts, 1, "a 4xx is not retried");
    app.teardown().await;
}
