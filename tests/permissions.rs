//! Permissions hold, end to end on both forges: a role comes from `roles:` or from the
//! forge's own permission (GitHub collaborator permission, GitLab member access level) —
//! never from GitHub's `author_association` — a look-up that fails refuses with a reply that
//! says so, and the bot's own account (learned from the forge) is never obeyed.

mod support;

use forgehand::event::ForgeKind;
use forgehand::role::Role;
use serde_json::{json, Value};
use support::app::{spawn_app_on, spawn_app_with, TestApp};
use support::triage::{comment, payload, replies, seeded_app, Side, BOTH, GITHUB_REPO};
use support::{fixture, FakeForge};

/// Post a GitHub comment whose payload claims `association` for its author.
async fn github_comment_as(app: &TestApp, who: &str, association: &str, body: &str, id: &str) {
    let comment_id = app.fake.add_comment(GITHUB_REPO, 1, who, body);
    let mut p = payload(app, Side::Github, who, comment_id, body, None);
    p["comment"]["author_association"] = json!(association);
    assert_eq!(app.github("issue_comment", id, &p).await.status, 202);
    app.wait_idle().await;
}

#[tokio::test]
async fn a_github_member_with_read_access_may_not_label_close_or_milestone() {
    let app = seeded_app("").await;
    for (n, body) in ["/label ~bug", "/close", "/milestone %\"1.5\""]
        .iter()
        .enumerate()
    {
        // `MEMBER` and `COLLABORATOR` say nothing about write access: `bob` reads only.
        let association = if n % 2 == 0 { "MEMBER" } else { "COLLABORATOR" };
        github_comment_as(&app, "bob", association, body, &format!("m{n}")).await;
    }
    let issue = app.fake.issue(GITHUB_REPO, 1);
    assert!(issue.labels.is_empty(), "{issue:?}");
    assert_eq!(issue.state, "open");
    assert_eq!(issue.milestone, None);
    let replies = replies(&app, Side::Github);
    assert_eq!(replies.len(), 3, "{replies:#?}");
    for reply in &replies {
        assert!(
            reply.contains("it needs the maintainer role, and yours is reader"),
            "{reply}"
        );
    }
    let asked = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/collaborators/bob/permission"))
        .count();
    assert_eq!(asked, 1, "the permission is read once, then cached briefly");
    app.teardown().await;
}

#[tokio::test]
async fn the_owner_association_and_roles_entries_need_no_look_up() {
    let app = seeded_app("roles:\n  bob: maintainer\n").await;
    github_comment_as(&app, "bob", "NONE", "/label ~bug", "r1").await;
    github_comment_as(&app, "stranger", "OWNER", "/label ~ui", "r2").await;
    assert_eq!(app.fake.issue(GITHUB_REPO, 1).labels, ["bug", "ui"]);
    let looked_up: Vec<String> = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.path.contains("/collaborators/"))
        .map(|c| c.path)
        .collect();
    assert!(looked_up.is_empty(), "{looked_up:#?}");
    app.teardown().await;
}

#[tokio::test]
async fn a_gitlab_reporter_may_not_label_or_close() {
    let app = seeded_app("").await;
    let side = Side::Gitlab;
    comment(&app, side, "bob", "/label ~bug\n/close", "g1").await;
    let issue = app.fake.issue(side.repo(), 1);
    assert!(issue.labels.is_empty());
    assert_eq!(issue.state, "open");
    let replies = replies(&app, side);
    assert_eq!(replies.len(), 1, "{replies:#?}");
    insta::assert_snapshot!("gitlab_reporter_refused", replies[0]);
    app.teardown().await;
}

#[tokio::test]
async fn a_failing_permission_look_up_refuses_and_says_it_could_not_check() {
    let app = seeded_app("").await;
    for side in BOTH {
        let prefix = match side {
            Side::Github => "/repos/Codertocat/Hello-World/collaborators/",
            Side::Gitlab => "/api/v4/projects/gitlab-org/gitlab-test/members/all/",
        };
        // Every try of the transport gets a 500.
        app.fake.fail_next("GET", prefix, 500, None, 5);
        comment(&app, side, "maint", "/label ~bug", &format!("{side:?}-1")).await;
        assert!(app.fake.issue(side.repo(), 1).labels.is_empty(), "{side:?}");
        let replies = replies(&app, side);
        assert_eq!(replies.len(), 1, "{side:?}: {replies:#?}");
        assert!(
            replies[0]
                .contains("could not check whether @maint holds the maintainer role `label` needs")
                && replies[0].contains("try again"),
            "{side:?}: {}",
            replies[0]
        );
        // The forge answers again: the failure was not cached, the same command runs.
        comment(&app, side, "maint", "/label ~bug", &format!("{side:?}-2")).await;
        assert_eq!(app.fake.issue(side.repo(), 1).labels, ["bug"], "{side:?}");
    }
    let github_reply = replies(&app, Side::Github).remove(0);
    insta::assert_snapshot!("permission_look_up_failed", github_reply);
    app.teardown().await;
}

const RELEASE_YAML: &str = r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
    on: release
    environment: staging
"#;

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// Post `/deploy production` by `who` on the release pull request (GitHub).
async fn github_deploy(app: &TestApp, who: &str, delivery: &str) {
    let (mr, issue) = app.fake.opened_merge_requests(GITHUB_REPO).remove(0);
    let body = "/deploy production";
    let id = app.fake.add_comment(GITHUB_REPO, issue.number, who, body);
    let mut p = fixture_json("github/issue_comment.created.json");
    p["repository"]["full_name"] = json!(GITHUB_REPO);
    p["repository"]["default_branch"] = json!("main");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!(who);
    p["comment"]["author_association"] = json!("MEMBER");
    p["sender"]["login"] = json!(who);
    p["issue"]["number"] = json!(issue.number);
    p["issue"]["title"] = json!(issue.title);
    p["issue"]["body"] = json!(mr.body);
    p["issue"]["labels"] = json!([]);
    p["issue"]["assignees"] = json!([]);
    p["issue"]["milestone"] = Value::Null;
    p["issue"]["pull_request"] = json!({ "url": "https://api.github.com/pulls/1" });
    assert_eq!(app.github("issue_comment", delivery, &p).await.status, 202);
    app.wait_idle().await;
}

#[tokio::test]
async fn github_deploy_by_a_maintainer_not_in_roles_is_filed_and_a_reader_is_refused() {
    let app = spawn_app_with(RELEASE_YAML).await;
    let fake = &app.fake;
    fake.add_repo(GITHUB_REPO);
    fake.add_repo("acme/ops");
    fake.add_user("alice", Role::Maintainer);
    fake.add_user("maint", Role::Maintainer);
    fake.add_user("bob", Role::Reader);
    fake.add_branch(GITHUB_REPO, "main");
    fake.add_tag(GITHUB_REPO, "v1.3.0", &["c1"]);
    fake.add_tag(GITHUB_REPO, "v1.4.0", &["c1", "m12"]);
    fake.add_merged(GITHUB_REPO, 12, "Dark mode", &["feature"], "m12");
    fake.add_pipeline(GITHUB_REPO, "v1.4.0", 40, "success", "publish");
    let mut push = fixture_json("github/push.tag.json");
    push["repository"]["default_branch"] = json!("main");
    push["ref"] = json!("refs/tags/v1.4.0");
    app.github("push", "t1", &push).await;
    app.wait_idle().await;

    github_deploy(&app, "bob", "d1").await;
    assert!(app.fake.issues_with_bodies("acme/ops").is_empty());
    github_deploy(&app, "maint", "d2").await;
    let filed = app.fake.issues_with_bodies("acme/ops");
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert_eq!(
        filed[0].0.title,
        "Deploy Codertocat/Hello-World v1.4.0 to production"
    );
    // Filed by a maintainer, not the release manager: the approval stays open.
    assert!(
        filed[0].1.contains("- [ ] The release manager approves"),
        "{}",
        filed[0].1
    );
    let (_, pr) = app.fake.opened_merge_requests(GITHUB_REPO).remove(0);
    let refusals: Vec<String> = app
        .fake
        .comments(GITHUB_REPO, pr.number)
        .into_iter()
        .filter(|c| c.body.contains("cannot file"))
        .map(|c| c.body)
        .collect();
    assert_eq!(refusals.len(), 1, "{refusals:#?}");
    assert!(
        refusals[0].contains(
            "@bob is not the release manager (@alice) and does not have the `maintainer` role"
        ),
        "{}",
        refusals[0]
    );
    app.teardown().await;
}

#[tokio::test]
async fn the_bots_own_account_learned_from_the_forge_is_ignored_on_both_forges() {
    let fake = FakeForge::start().await;
    // Neither is called `forgehand`: a GitLab project bot and a GitHub token's user.
    fake.set_own_login("gitlab", "project_123_bot_4f2a");
    fake.set_own_login("github", "acme-automation");
    let app = spawn_app_on(fake, "").await;
    assert_eq!(
        app.own_login(ForgeKind::Gitlab).await,
        "project_123_bot_4f2a"
    );
    assert_eq!(app.own_login(ForgeKind::Github).await, "acme-automation");
    for side in BOTH {
        app.fake.add_repo(side.repo());
        app.fake.add_issue(side.repo(), 1);
    }
    app.fake.add_user("project_123_bot_4f2a", Role::Owner);
    app.fake.add_user("acme-automation", Role::Owner);
    app.fake.clear_calls();
    comment(
        &app,
        Side::Gitlab,
        "project_123_bot_4f2a",
        "/close",
        "own-gl",
    )
    .await;
    comment(&app, Side::Github, "acme-automation", "/close", "own-gh").await;
    for (forge, id) in [(ForgeKind::Gitlab, "own-gl"), (ForgeKind::Github, "own-gh")] {
        let record = app.delivery(forge, id).await;
        assert_eq!(record.state, "ignored", "{record:?}");
        assert_eq!(
            record.reason.as_deref(),
            Some("caused by forgehand itself"),
            "{record:?}"
        );
    }
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    for side in BOTH {
        assert_eq!(app.fake.issue(side.repo(), 1).state, "open");
    }
    app.teardown().await;
}
