//! Two repositories on one server follow two different release processes, each from its own
//! `.forgehand.yml` on the default branch (the server file has no `release:`): `app` the
//! weekly release flow (Monday minor, Thursday patch; alice manages; deployment requests on
//! a published release), `sync` the two-week train (every other Tuesday; dana manages; the
//! staging deployment request filed on the tag push). The same tag push on each, on both
//! forges, gives each repository its own outcome, counted on the fake forge.

mod support;

use serde_json::json;
use support::app::{spawn_app, TestApp};
use support::repo_files::*;
use support::triage::{Side, BOTH};

/// The weekly release flow.
const WEEKLY: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
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

/// The two-week train.
const TRAIN: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
  calendar:
    cadence:
      every_weeks: 2
      weekday: tuesday
      anchor: 2026-01-06
      bump: minor
  rotation:
    people: [dana]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
    on: tag
    environment: staging
    labels: [deployment]
"#;

/// The repository's tags v1.3.0 and v1.4.0 with one feature merged in between.
fn seed_release(app: &TestApp, repo: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_branch(repo, DEFAULT_BRANCH);
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
}

/// Deliver "tag v1.4.0 was pushed to `repo`" as `side` says it.
async fn push_tag(app: &TestApp, side: Side, repo: &str) {
    let delivery = format!("{side:?}-{repo}-tag");
    let status = match side {
        Side::Github => {
            let mut p = fixture_json("github/push.tag.json");
            p["ref"] = json!("refs/tags/v1.4.0");
            p["repository"]["full_name"] = json!(repo);
            p["repository"]["default_branch"] = json!(DEFAULT_BRANCH);
            app.github("push", &delivery, &p).await.status
        }
        Side::Gitlab => {
            let mut p = fixture_json("gitlab/tag_push.json");
            p["ref"] = json!("refs/tags/v1.4.0");
            p["project"]["path_with_namespace"] = json!(repo);
            p["project"]["default_branch"] = json!(DEFAULT_BRANCH);
            app.gitlab("Tag Push Hook", &delivery, &p).await.status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

/// Deployment requests in the ops project `ops` naming `repo`.
fn deployment_requests(app: &TestApp, ops: &str, repo: &str) -> usize {
    app.fake
        .issues_with_bodies(ops)
        .into_iter()
        .filter(|(i, body)| i.title.contains(repo) || body.contains(repo))
        .count()
}

#[tokio::test]
async fn two_repositories_on_one_server_follow_two_release_flows() {
    let app = spawn_app().await;
    app.fake
        .add_user("alice", forgehand::role::Role::Maintainer);
    app.fake.add_user("dana", forgehand::role::Role::Maintainer);
    for side in BOTH {
        // Each forge's own ops project (a deployment request is found again by its marker).
        let (weekly, train, ops) = match side {
            Side::Github => ("acme/app", "acme/sync", "acme/ops"),
            Side::Gitlab => ("acme/web/app", "acme/web/sync", "acme/web/ops"),
        };
        app.fake.add_repo(ops);
        for (repo, file) in [(weekly, WEEKLY), (train, TRAIN)] {
            seed_release(&app, repo);
            let file = format!("{file}{}", labelling(repo.rsplit('/').next().unwrap()))
                .replace("acme/ops", ops);
            app.fake.add_file(repo, DEFAULT_BRANCH, FILE, &file);
            app.fake.add_label(repo, repo.rsplit('/').next().unwrap());
        }
        push_tag(&app, side, weekly).await;
        push_tag(&app, side, train).await;

        // Each opens its release merge request, managed by its own release manager.
        for (repo, manager) in [(weekly, "alice"), (train, "dana")] {
            let mrs = app.fake.opened_merge_requests(repo);
            assert_eq!(mrs.len(), 1, "{side:?} {repo}: {mrs:#?}");
            assert_eq!(mrs[0].1.title, "Release v1.4.0", "{side:?} {repo}");
            assert_eq!(mrs[0].1.assignees, [manager], "{side:?} {repo}");
        }
        // Only the train files its staging deployment request on the tag push; the weekly
        // flow waits for the published release.
        assert_eq!(
            deployment_requests(&app, ops, weekly),
            0,
            "{side:?} {weekly}"
        );
        assert_eq!(deployment_requests(&app, ops, train), 1, "{side:?} {train}");

        // And each file's triage rule labels its own new issues.
        for repo in [weekly, train] {
            app.fake.add_issue(repo, 1);
            open_issue(&app, side, repo, 1, &format!("{side:?}-{repo}-1")).await;
            assert_eq!(
                labels(&app, repo, 1),
                [repo.rsplit('/').next().unwrap()],
                "{side:?} {repo}"
            );
        }
    }
    app.teardown().await;
}
