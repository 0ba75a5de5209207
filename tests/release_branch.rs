//! The release branch on a tag push, end to end on both forges: a `release-next` left from an
//! earlier release is moved to the new tag (GitHub: a forced ref update; GitLab: deleted and
//! created again) and that release's merge request still open from it is closed with a note;
//! a `release-next` that already contains the tag is left alone; a tag the default branch
//! already has gets one comment on its commit instead of a release merge request. Each once,
//! also when the forge fails after writing and when the delivery comes again.

mod support;

use forgehand::model::ForgeKind;
use serde_json::json;
use support::app::{spawn_app_with, TestApp};
use support::payloads::{github_tag_create, github_tag_push, gitlab_tag_push};

const GITHUB_REPO: &str = "acme/app";
const GITLAB_REPO: &str = "acme/service";

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
"#;

const OLD_MR_BODY: &str = "<!-- forgehand:release-mr v1.3.0 -->\n# Release v1.3.0\n";

/// Tags v1.3.0 (commit `bump13`) and v1.4.0 (commit `bump14`, cut from `main` at `m16`).
fn seed(app: &TestApp, repo: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_branch_history(repo, "main", &["c1", "m12", "m15", "m16"]);
    fake.add_tag(repo, "v1.3.0", &["c1", "bump13"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12", "m15", "m16", "bump14"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
}

async fn push_tag(app: &TestApp, forge: ForgeKind, repo: &str, tag: &str, delivery: &str) {
    let status = match forge {
        ForgeKind::Github => {
            app.github("push", delivery, &github_tag_push(repo, tag))
                .await
                .status
        }
        ForgeKind::Gitlab => {
            app.gitlab("Tag Push Hook", delivery, &gitlab_tag_push(repo, tag))
                .await
                .status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

fn repo_of(forge: ForgeKind) -> &'static str {
    match forge {
        ForgeKind::Github => GITHUB_REPO,
        ForgeKind::Gitlab => GITLAB_REPO,
    }
}

/// The calls that moved `release-next`: GitHub's ref update, GitLab's delete and create.
fn branch_writes(app: &TestApp) -> Vec<(String, String)> {
    app.fake
        .writes()
        .into_iter()
        .filter(|c| c.path.contains("/git/refs") || c.path.contains("/repository/branches"))
        .map(|c| (c.method, c.path))
        .collect()
}

async fn a_stale_release_next_is_moved_and_its_old_merge_request_closed(forge: ForgeKind) {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = repo_of(forge);
    seed(&app, repo);
    // Left from v1.3.0: the forge did not delete it when its merge request stayed open.
    app.fake
        .add_branch_history(repo, "release-next", &["c1", "bump13"]);
    let old = app
        .fake
        .add_open_merge_request(repo, "release-next", "main", OLD_MR_BODY);

    push_tag(&app, forge, repo, "v1.4.0", "d1").await;

    assert_eq!(
        app.fake.branch_head(repo, "release-next").as_deref(),
        Some("bump14"),
        "release-next points at v1.4.0's commit"
    );
    let moved = branch_writes(&app);
    match forge {
        ForgeKind::Github => {
            assert_eq!(moved.len(), 1, "{moved:#?}");
            assert_eq!(moved[0].0, "PATCH");
            assert!(moved[0].1.ends_with("/git/refs/heads/release-next"));
            let patch = app
                .fake
                .writes()
                .into_iter()
                .find(|c| c.method == "PATCH" && c.path.contains("/git/refs/"))
                .unwrap();
            assert_eq!(patch.body, json!({ "sha": "bump14", "force": true }));
        }
        ForgeKind::Gitlab => {
            let methods: Vec<&str> = moved.iter().map(|(m, _)| m.as_str()).collect();
            assert_eq!(methods, ["DELETE", "POST"], "{moved:#?}");
            assert!(moved[0].1.ends_with("/repository/branches/release-next"));
        }
    }
    // The v1.3.0 merge request is closed with one note; v1.4.0 gets its own.
    assert_eq!(app.fake.issue(repo, old).state, "closed");
    let notes = app.fake.comments(repo, old);
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(notes[0]
        .body
        .contains("<!-- forgehand:release-mr-superseded v1.4.0 -->"));
    assert!(notes[0].body.contains("Superseded by [v1.4.0]"));
    let open: Vec<_> = app
        .fake
        .opened_merge_requests(repo)
        .into_iter()
        .filter(|(mr, _)| mr.state == "open")
        .collect();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_ne!(open[0].0.number, old);
    assert!(open[0]
        .0
        .body
        .contains("<!-- forgehand:release-mr v1.4.0 -->"));

    // The same tag again: nothing moves, nothing is written.
    app.fake.clear_calls();
    push_tag(&app, forge, repo, "v1.4.0", "d2").await;
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    app.teardown().await;
}

#[tokio::test]
async fn github_a_stale_release_next_is_moved_and_its_old_pull_request_closed() {
    a_stale_release_next_is_moved_and_its_old_merge_request_closed(ForgeKind::Github).await;
}

#[tokio::test]
async fn gitlab_a_stale_release_next_is_deleted_created_again_and_its_old_mr_closed() {
    a_stale_release_next_is_moved_and_its_old_merge_request_closed(ForgeKind::Gitlab).await;
}

async fn moving_stays_once_when_the_forge_fails_after_writing(forge: ForgeKind) {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = repo_of(forge);
    seed(&app, repo);
    app.fake
        .add_branch_history(repo, "release-next", &["c1", "bump13"]);
    let old = app
        .fake
        .add_open_merge_request(repo, "release-next", "main", OLD_MR_BODY);
    let base = match forge {
        ForgeKind::Github => format!("/repos/{repo}"),
        ForgeKind::Gitlab => format!("/api/v4/projects/{repo}"),
    };
    // Each write lands, then its answer is lost.
    match forge {
        ForgeKind::Github => {
            let refs = format!("{base}/git/refs/heads/release-next");
            app.fake.fail_next_after_write("PATCH", &refs, 502, 1);
            let comments = format!("{base}/issues/{old}/comments");
            app.fake.fail_next_after_write("POST", &comments, 502, 1);
        }
        ForgeKind::Gitlab => {
            let branches = format!("{base}/repository/branches");
            app.fake.fail_next_after_write("DELETE", &branches, 502, 1);
            app.fake.fail_next_after_write("POST", &branches, 502, 1);
            let notes = format!("{base}/merge_requests/{old}/notes");
            app.fake.fail_next_after_write("POST", &notes, 502, 1);
        }
    }

    push_tag(&app, forge, repo, "v1.4.0", "d1").await;

    let failed = app
        .fake
        .writes()
        .into_iter()
        .filter(|c| c.status == 502)
        .count();
    let injected = match forge {
        ForgeKind::Github => 2,
        ForgeKind::Gitlab => 3,
    };
    assert_eq!(failed, injected, "{:#?}", app.fake.writes());
    assert_eq!(app.delivery(forge, "d1").await.state, "done");
    assert_eq!(
        app.fake.branch_head(repo, "release-next").as_deref(),
        Some("bump14")
    );
    assert_eq!(app.fake.comments(repo, old).len(), 1, "one note, once");
    assert_eq!(app.fake.issue(repo, old).state, "closed");
    let open = app
        .fake
        .opened_merge_requests(repo)
        .into_iter()
        .filter(|(mr, _)| mr.state == "open")
        .count();
    assert_eq!(open, 1);
    if forge == ForgeKind::Gitlab {
        // The create whose answer was lost is looked for, not sent again.
        let creates = app
            .fake
            .writes()
            .into_iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/repository/branches"))
            .count();
        assert_eq!(creates, 1);
    }
    app.teardown().await;
}

#[tokio::test]
async fn github_moving_release_next_stays_once_under_faults() {
    moving_stays_once_when_the_forge_fails_after_writing(ForgeKind::Github).await;
}

#[tokio::test]
async fn gitlab_moving_release_next_stays_once_under_faults() {
    moving_stays_once_when_the_forge_fails_after_writing(ForgeKind::Gitlab).await;
}

async fn a_release_next_that_contains_the_tag_is_left_alone(forge: ForgeKind) {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = repo_of(forge);
    seed(&app, repo);
    // The handbook's sequence: cut from main, the bump committed and tagged, one fix after.
    app.fake.add_branch_history(
        repo,
        "release-next",
        &["c1", "m12", "m15", "m16", "bump14", "fix"],
    );
    push_tag(&app, forge, repo, "v1.4.0", "d1").await;
    assert!(branch_writes(&app).is_empty(), "{:#?}", branch_writes(&app));
    assert_eq!(
        app.fake.branch_head(repo, "release-next").as_deref(),
        Some("fix")
    );
    let mrs = app.fake.opened_merge_requests(repo);
    assert_eq!(mrs.len(), 1, "{mrs:#?}");
    assert_eq!(mrs[0].0.source, "release-next");
    app.teardown().await;
}

#[tokio::test]
async fn github_a_release_next_containing_the_tag_is_not_moved() {
    a_release_next_that_contains_the_tag_is_left_alone(ForgeKind::Github).await;
}

#[tokio::test]
async fn gitlab_a_release_next_containing_the_tag_is_not_moved() {
    a_release_next_that_contains_the_tag_is_left_alone(ForgeKind::Gitlab).await;
}

async fn a_fresh_release_next_is_created_at_the_tag(forge: ForgeKind) {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = repo_of(forge);
    seed(&app, repo);
    push_tag(&app, forge, repo, "v1.4.0", "d1").await;
    assert_eq!(
        app.fake.branch_head(repo, "release-next").as_deref(),
        Some("bump14")
    );
    assert_eq!(app.fake.opened_merge_requests(repo).len(), 1);
    app.teardown().await;
}

#[tokio::test]
async fn github_release_next_is_created_at_the_tag() {
    a_fresh_release_next_is_created_at_the_tag(ForgeKind::Github).await;
}

#[tokio::test]
async fn gitlab_release_next_is_created_at_the_tag() {
    a_fresh_release_next_is_created_at_the_tag(ForgeKind::Gitlab).await;
}

async fn a_tag_with_nothing_to_merge_is_said_once_on_its_commit(forge: ForgeKind) {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = repo_of(forge);
    seed(&app, repo);
    // v1.5.0 tags main's head: the bump was committed on main itself.
    app.fake
        .add_branch_history(repo, "main", &["c1", "m12", "m15", "m16", "bump15"]);
    app.fake
        .add_tag(repo, "v1.5.0", &["c1", "m12", "m15", "m16", "bump15"]);

    push_tag(&app, forge, repo, "v1.5.0", "d1").await;
    if forge == ForgeKind::Github {
        // GitHub sends a new tag twice (`create` and `push`).
        let create = github_tag_create(repo, "v1.5.0");
        assert_eq!(app.github("create", "d1c", &create).await.status, 202);
        app.wait_idle().await;
    }
    push_tag(&app, forge, repo, "v1.5.0", "d2").await;

    let comments = app.fake.commit_comments(repo, "v1.5.0");
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].contains("<!-- forgehand:nothing-to-merge v1.5.0 -->"));
    assert!(comments[0].contains("@alice: [v1.5.0]("), "{}", comments[0]);
    assert!(comments[0].contains("nothing to merge"));
    assert!(app.fake.opened_merge_requests(repo).is_empty());
    assert_eq!(app.fake.branch_head(repo, "release-next"), None);
    for delivery in ["d1", "d2"] {
        let record = app.delivery(forge, delivery).await;
        assert_eq!(record.state, "done", "{record:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn github_a_tag_at_the_default_branch_head_gets_one_commit_comment() {
    a_tag_with_nothing_to_merge_is_said_once_on_its_commit(ForgeKind::Github).await;
}

#[tokio::test]
async fn gitlab_a_tag_at_the_default_branch_head_gets_one_commit_comment() {
    a_tag_with_nothing_to_merge_is_said_once_on_its_commit(ForgeKind::Gitlab).await;
}
