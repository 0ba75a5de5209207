//! After publishing, end to end on both forges: "released in" once per merge request and
//! per issue it closed (labels included; nothing twice on redelivery), one summary on the
//! release merge request above the cap, and the failed-publish issue — opened once with
//! `release-blocker`, `/deploy` refused while it is open, commented on and closed by a green
//! rerun.

mod support;

use forgehand::event::ForgeKind;
use forgehand::role::Role;
use support::app::{spawn_app_with, TestApp};
use support::payloads;

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const GITLAB_REPO: &str = "jsmith/example";

const YAML: &str = r#"
release:
  enabled: true
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
    on: command
  feedback: {}
  failed_publish: {}
"#;

/// v1.3.0 → v1.4.0 with merge requests 12 (closing issues 3 and 4) and 15 (closing 4 and 5)
/// merged in between, and 9 merged before (closing 1).
fn seed(app: &TestApp, repo: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_repo("acme/ops");
    fake.add_user("alice", Role::Maintainer);
    fake.add_user("zed", Role::Reader);
    fake.add_branch(repo, "main");
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12", "m15"]);
    fake.add_merged_closing(repo, 9, "c1", &[1]);
    fake.add_merged_closing(repo, 12, "m12", &[3, 4]);
    fake.add_merged_closing(repo, 15, "m15", &[4, 5]);
}

/// The "released in" comments on each item, by number.
fn told(app: &TestApp, repo: &str) -> Vec<(u64, usize)> {
    [1, 3, 4, 5, 9, 12, 15]
        .into_iter()
        .map(|n| {
            let comments = app.fake.comments(repo, n);
            let count = comments
                .iter()
                .filter(|c| c.body.contains("forgehand:released-in v1.4.0"))
                .count();
            (n, count)
        })
        .collect()
}

#[tokio::test]
async fn released_in_is_said_once_per_merge_request_and_closed_issue_on_both_forges() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO);
    seed(&app, GITLAB_REPO);
    let github = payloads::github_release(GITHUB_REPO, "v1.4.0");
    let gitlab = payloads::gitlab_release(GITLAB_REPO, "v1.4.0");
    app.github("release", "gh-r1", &github).await;
    app.gitlab("Release Hook", "gl-r1", &gitlab).await;
    app.wait_idle().await;
    let expected = [(1, 0), (3, 1), (4, 1), (5, 1), (9, 0), (12, 1), (15, 1)];
    for repo in [GITHUB_REPO, GITLAB_REPO] {
        assert_eq!(told(&app, repo), expected, "{repo}");
        for n in [3, 4, 5, 12, 15] {
            assert_eq!(app.fake.issue(repo, n).labels.last().unwrap(), "released");
        }
        assert!(!app.fake.issue(repo, 9).labels.contains(&"released".into()));
    }
    let github_body = &app.fake.comments(GITHUB_REPO, 3)[0].body;
    insta::assert_snapshot!("github_released_in", github_body);
    let gitlab_body = &app.fake.comments(GITLAB_REPO, 12)[0].body;
    insta::assert_snapshot!("gitlab_released_in", gitlab_body);

    // Redelivered (GitHub's `released` twin, GitLab's retry): nothing is written.
    app.fake.clear_calls();
    let mut released = github.clone();
    released["action"] = serde_json::json!("released");
    app.github("release", "gh-r2", &released).await;
    app.gitlab("Release Hook", "gl-r2", &gitlab).await;
    app.wait_idle().await;
    for repo in [GITHUB_REPO, GITLAB_REPO] {
        assert_eq!(told(&app, repo), expected, "{repo}");
    }
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    app.teardown().await;
}

#[tokio::test]
async fn above_the_cap_one_summary_goes_on_the_release_merge_request() {
    let yaml = YAML.replace("  feedback: {}", "  feedback:\n    max_items: 4");
    let app = spawn_app_with(&yaml).await;
    seed(&app, GITLAB_REPO);
    app.gitlab(
        "Tag Push Hook",
        "gl-t1",
        &payloads::gitlab_tag_push(GITLAB_REPO, "v1.4.0"),
    )
    .await;
    app.wait_idle().await;
    let (mr, _) = app.fake.opened_merge_requests(GITLAB_REPO).remove(0);
    let release = payloads::gitlab_release(GITLAB_REPO, "v1.4.0");
    app.gitlab("Release Hook", "gl-r1", &release).await;
    app.gitlab("Release Hook", "gl-r2", &release).await;
    app.wait_idle().await;
    // Five items (!12, !15, #3, #4, #5) are more than four: none is told on its own.
    assert!(told(&app, GITLAB_REPO).iter().all(|(_, n)| *n == 0));
    assert!(!app
        .fake
        .issue(GITLAB_REPO, 3)
        .labels
        .contains(&"released".into()));
    let summaries: Vec<String> = app
        .fake
        .comments(GITLAB_REPO, mr.number)
        .into_iter()
        .filter(|c| c.body.contains("released-in v1.4.0 summary"))
        .map(|c| c.body)
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:#?}");
    insta::assert_snapshot!("gitlab_released_summary", summaries[0]);
    app.teardown().await;
}

/// The failed-publish issues of `repo`: (title, labels, assignees, open, body).
fn failure_issues(app: &TestApp, repo: &str) -> Vec<(support::FakeIssue, String)> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .filter(|(i, _)| i.title.ends_with("failed to publish"))
        .collect()
}

/// `/deploy production` by alice on the release merge request; the reply it got, if any.
async fn deploy(app: &TestApp, id: &str) -> Option<String> {
    let (mr, _) = app.fake.opened_merge_requests(GITLAB_REPO).remove(0);
    let replies = |app: &TestApp| -> Vec<String> {
        app.fake
            .comments(GITLAB_REPO, mr.number)
            .into_iter()
            .filter(|c| c.body.starts_with("@alice"))
            .map(|c| c.body)
            .collect()
    };
    let before = replies(app).len();
    let comment = app
        .fake
        .add_comment(GITLAB_REPO, mr.number, "alice", "/deploy production");
    let note = payloads::gitlab_mr_note(
        GITLAB_REPO,
        mr.number,
        &mr.body,
        "alice",
        "/deploy production",
        comment,
    );
    app.gitlab("Note Hook", id, &note).await;
    app.wait_idle().await;
    replies(app).into_iter().nth(before)
}

#[tokio::test]
async fn gitlab_failed_publish_opens_one_blocker_issue_until_a_green_rerun_closes_it() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITLAB_REPO);
    app.gitlab(
        "Tag Push Hook",
        "gl-t1",
        &payloads::gitlab_tag_push(GITLAB_REPO, "v1.4.0"),
    )
    .await;
    app.fake.add_job(GITLAB_REPO, 981, "build", "success");
    app.fake.add_job(GITLAB_REPO, 981, "publish-npm", "failed");
    app.fake
        .add_pipeline(GITLAB_REPO, "v1.4.0", 981, "failed", "publish");
    let red = payloads::gitlab_pipeline(GITLAB_REPO, "v1.4.0", 981, "failed");
    app.gitlab("Pipeline Hook", "gl-p1", &red).await;
    app.gitlab("Pipeline Hook", "gl-p2", &red).await;
    app.wait_idle().await;
    let issues = failure_issues(&app, GITLAB_REPO);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let (issue, body) = &issues[0];
    assert_eq!(issue.title, "Release v1.4.0 failed to publish");
    assert_eq!(issue.labels, ["release-blocker"]);
    assert_eq!(issue.assignees, ["alice"]);
    assert_eq!(issue.state, "open");
    insta::assert_snapshot!("gitlab_failed_publish_issue", body);

    // While it is open, /deploy refuses (the pipeline also failed).
    let reply = deploy(&app, "gl-n1").await.expect("a refusal");
    assert!(
        reply.contains("not met: QA found no blockers (no open `release-blocker` issues)"),
        "{reply}"
    );
    assert!(app.fake.issues_with_bodies("acme/ops").is_empty());

    // A green rerun: one comment, closed; delivered twice, still one comment.
    app.fake
        .add_pipeline(GITLAB_REPO, "v1.4.0", 982, "success", "publish");
    let green = payloads::gitlab_pipeline(GITLAB_REPO, "v1.4.0", 982, "success");
    app.gitlab("Pipeline Hook", "gl-p3", &green).await;
    app.gitlab("Pipeline Hook", "gl-p4", &green).await;
    app.wait_idle().await;
    let (issue, _) = failure_issues(&app, GITLAB_REPO).remove(0);
    assert_eq!(issue.state, "closed");
    let fixed: Vec<String> = app
        .fake
        .comments(GITLAB_REPO, issue.number)
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(fixed.len(), 1, "{fixed:#?}");
    insta::assert_snapshot!("gitlab_publish_fixed_comment", fixed[0]);

    // Now /deploy files the production request.
    assert_eq!(deploy(&app, "gl-n2").await, None);
    let filed = app.fake.issues_with_bodies("acme/ops");
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert_eq!(
        filed[0].0.title,
        "Deploy jsmith/example v1.4.0 to production"
    );
    app.teardown().await;
}

#[tokio::test]
async fn github_failed_publish_is_updated_by_a_second_failure_and_closed_by_success() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO);
    app.fake.add_job(GITHUB_REPO, 981, "publish-npm", "failed");
    app.fake
        .add_job(GITHUB_REPO, 983, "publish-docker", "failed");
    let run = |id, conclusion| payloads::github_run(GITHUB_REPO, "v1.4.0", id, conclusion);
    app.github("workflow_run", "gh-w1", &run(981, "failure"))
        .await;
    app.wait_idle().await;
    let issues = failure_issues(&app, GITHUB_REPO);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert!(
        issues[0].1.contains("[publish-npm](https://github.com/"),
        "{}",
        issues[0].1
    );
    insta::assert_snapshot!("github_failed_publish_issue", issues[0].1);
    let number = issues[0].0.number;

    // Another failed run: the same issue now names that run's job.
    app.github("workflow_run", "gh-w2", &run(983, "failure"))
        .await;
    app.wait_idle().await;
    let issues = failure_issues(&app, GITHUB_REPO);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert!(issues[0].1.contains("publish-docker"), "{}", issues[0].1);

    app.github("workflow_run", "gh-w3", &run(984, "success"))
        .await;
    app.wait_idle().await;
    let issue = app.fake.issue(GITHUB_REPO, number);
    assert_eq!(issue.state, "closed");
    let comments = app.fake.comments(GITHUB_REPO, number);
    assert_eq!(comments.len(), 1);
    assert!(comments[0]
        .body
        .contains("[pipeline 984](https://github.com/Codertocat/Hello-World/actions/runs/984)"));

    // A later failure reopens the same issue.
    app.github("workflow_run", "gh-w4", &run(985, "failure"))
        .await;
    app.wait_idle().await;
    assert_eq!(failure_issues(&app, GITHUB_REPO).len(), 1);
    assert_eq!(app.fake.issue(GITHUB_REPO, number).state, "open");
    let record = app.delivery(ForgeKind::Github, "gh-w4").await;
    assert_eq!(record.state, "done");
    app.teardown().await;
}
