//! Configuration as code end to end on both forges: a repository's `.forgehand.yml` on its
//! default branch sets that repository's process; a copy on another branch does nothing; a
//! push touching it takes effect for the next event (two repositories following two release
//! processes: `tests/repo_release_flows.rs`; their own schedules: `tests/repo_schedules.rs`);
//! an invalid file keeps the last valid version in force and is reported in one issue.

mod support;

use serde_json::{json, Value};
use support::app::{spawn_app, TestApp};
use support::triage::{Side, BOTH};

use support::repo_files::*;

#[tokio::test]
async fn a_rule_from_the_default_branch_acts_and_a_copy_on_a_feature_branch_does_not() {
    let app = spawn_app().await;
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 2);
        // Only a feature branch carries the file: nothing happens.
        app.fake
            .add_file(repo, "feature", FILE, &labelling("from-file"));
        open_issue(&app, side, repo, 1, &format!("{side:?}-1")).await;
        assert!(
            labels(&app, repo, 1).is_empty(),
            "{side:?}: {:?}",
            labels(&app, repo, 1)
        );

        // The file lands on the default branch; the push touching it is heard.
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("from-file"));
        push(&app, side, repo, FILE, &format!("{side:?}-push")).await;
        open_issue(&app, side, repo, 2, &format!("{side:?}-2")).await;
        assert_eq!(labels(&app, repo, 2), ["from-file"], "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_push_changing_the_file_takes_effect_for_the_next_event_without_restart() {
    let app = spawn_app().await;
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 3);
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("v1"));
        open_issue(&app, side, repo, 1, &format!("{side:?}-1")).await;
        assert_eq!(labels(&app, repo, 1), ["v1"], "{side:?}");

        // Changed on the default branch, but the push touched another file: the cached
        // version stays until its lifetime ends.
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("v2"));
        push(&app, side, repo, "README.md", &format!("{side:?}-push-1")).await;
        open_issue(&app, side, repo, 2, &format!("{side:?}-2")).await;
        assert_eq!(labels(&app, repo, 2), ["v1"], "{side:?}");

        // A push touching the file: the next event follows v2.
        push(&app, side, repo, FILE, &format!("{side:?}-push-2")).await;
        open_issue(&app, side, repo, 3, &format!("{side:?}-3")).await;
        assert_eq!(labels(&app, repo, 3), ["v2"], "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn an_invalid_file_on_the_default_branch_keeps_the_last_valid_one_and_files_one_issue() {
    let app = spawn_app().await;
    let broken = "rules:\n  - id: label-new\n    on: [issue.opened]\n    then:\n      add_labels: [\"v2\"]\nroles:\n  mallory: owner\n";
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 3);
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("v1"));
        open_issue(&app, side, repo, 1, &format!("{side:?}-1")).await;
        assert_eq!(labels(&app, repo, 1), ["v1"], "{side:?}");

        // A bad version is pushed: v1 keeps working, one issue says what is wrong.
        app.fake.add_file(repo, DEFAULT_BRANCH, FILE, broken);
        push(&app, side, repo, FILE, &format!("{side:?}-push-1")).await;
        open_issue(&app, side, repo, 2, &format!("{side:?}-2")).await;
        assert_eq!(labels(&app, repo, 2), ["v1"], "{side:?}");
        let filed = invalid_file_issues(&app, repo);
        assert_eq!(filed.len(), 1, "{side:?}: {filed:#?}");
        assert!(
            filed[0].contains(":6:1: roles: a repository file cannot grant roles"),
            "{side:?}: {}",
            filed[0]
        );

        // Heard again (another push of the same file, another event): still one issue.
        push(&app, side, repo, FILE, &format!("{side:?}-push-2")).await;
        open_issue(&app, side, repo, 3, &format!("{side:?}-3")).await;
        assert_eq!(labels(&app, repo, 3), ["v1"], "{side:?}");
        assert_eq!(invalid_file_issues(&app, repo).len(), 1, "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_fixed_file_closes_the_issue_about_the_bad_one_with_a_comment() {
    let app = spawn_app().await;
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 3);
        app.fake.add_file(repo, DEFAULT_BRANCH, FILE, "rules: [\n");
        open_issue(&app, side, repo, 1, &format!("{side:?}-1")).await;
        let filed: Vec<_> = marked_issues(&app, repo);
        assert_eq!(filed.len(), 1, "{side:?}: {filed:?}");
        let number = filed[0].number;
        assert_eq!(filed[0].state, "open", "{side:?}");

        // Fixed by a later push: the next event follows the file, the issue is closed with a
        // comment saying so.
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("v2"));
        push(&app, side, repo, FILE, &format!("{side:?}-fix")).await;
        open_issue(&app, side, repo, 2, &format!("{side:?}-2")).await;
        assert_eq!(labels(&app, repo, 2), ["v2"], "{side:?}");
        let issue = app.fake.issue(repo, number);
        assert_eq!(issue.state, "closed", "{side:?}");
        let comments = app.fake.comments(repo, number);
        assert_eq!(comments.len(), 1, "{side:?}: {comments:?}");
        assert!(
            comments[0].body.contains("is valid again"),
            "{side:?}: {}",
            comments[0].body
        );

        // Heard again: nothing more is written; no second issue, no second comment.
        push(&app, side, repo, FILE, &format!("{side:?}-again")).await;
        open_issue(&app, side, repo, 3, &format!("{side:?}-3")).await;
        assert_eq!(marked_issues(&app, repo).len(), 1, "{side:?}");
        assert_eq!(app.fake.comments(repo, number).len(), 1, "{side:?}");

        // Broken again: the same issue is rewritten and reopened.
        app.fake.add_file(repo, DEFAULT_BRANCH, FILE, "rules: {\n");
        push(&app, side, repo, FILE, &format!("{side:?}-break")).await;
        let filed = marked_issues(&app, repo);
        assert_eq!(filed.len(), 1, "{side:?}: {filed:?}");
        assert_eq!(filed[0].state, "open", "{side:?}");
    }
    app.teardown().await;
}

/// The issues forgehand filed about an invalid file.
fn marked_issues(app: &TestApp, repo: &str) -> Vec<support::FakeIssue> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .filter(|(_, b)| b.contains("<!-- forgehand:invalid-config -->"))
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn a_bad_file_in_a_repository_that_never_had_a_valid_one_leaves_the_server_defaults() {
    let app = support::app::spawn_app_with(&labelling_server()).await;
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 1);
        app.fake.add_file(repo, DEFAULT_BRANCH, FILE, "rules: [\n");
        open_issue(&app, side, repo, 1, &format!("{side:?}-1")).await;
        assert_eq!(
            labels(&app, repo, 1),
            ["from-file"],
            "{side:?}: server rule"
        );
        let filed = invalid_file_issues(&app, repo);
        assert_eq!(filed.len(), 1, "{side:?}: {filed:#?}");
        assert!(filed[0].contains(".forgehand.yml:"), "{}", filed[0]);
    }
    app.teardown().await;
}

/// The server file's own rule: label new issues `from-file` (the server default).
fn labelling_server() -> String {
    labelling("from-file")
}

#[tokio::test]
async fn precedence_is_repository_file_then_repos_entry_then_server_defaults() {
    let server = format!(
        "{}repos:\n  \"github:acme/*\":\n{}  \"gitlab:acme/*\":\n{}",
        labelling("from-file"),
        indent(&labelling("team-a")),
        indent(&labelling("team-a")),
    );
    let app = support::app::spawn_app_with(&server).await;
    for side in BOTH {
        let (entry, own, neither) = match side {
            Side::Github => ("acme/app", "acme/own", "other/app"),
            Side::Gitlab => ("acme/web/app", "acme/web/own", "other/web/app"),
        };
        for repo in [entry, own, neither] {
            seed(&app, repo, 1);
        }
        app.fake
            .add_file(own, DEFAULT_BRANCH, FILE, &labelling("team-b"));
        open_issue(&app, side, entry, 1, &format!("{side:?}-entry")).await;
        open_issue(&app, side, own, 1, &format!("{side:?}-own")).await;
        open_issue(&app, side, neither, 1, &format!("{side:?}-neither")).await;
        assert_eq!(
            labels(&app, entry, 1),
            ["team-a"],
            "{side:?}: the repos: entry"
        );
        assert_eq!(
            labels(&app, own, 1),
            ["team-b"],
            "{side:?}: the repository file"
        );
        assert_eq!(
            labels(&app, neither, 1),
            ["from-file"],
            "{side:?}: the server default"
        );
    }
    app.teardown().await;
}

/// `text` indented by four spaces (a section inside a `repos:` entry).
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[tokio::test]
async fn a_file_extends_a_shared_one_which_a_push_to_it_updates_and_cycles_are_refused() {
    let app = spawn_app().await;
    for side in BOTH {
        let (shared, app_repo, x, y) = match side {
            Side::Github => ("acme/.github", "acme/app", "acme/x", "acme/y"),
            Side::Gitlab => ("acme/shared", "acme/web/app", "acme/web/x", "acme/web/y"),
        };
        for repo in [shared, app_repo, x, y] {
            seed(&app, repo, 2);
        }
        // The shared file, on its default branch (the forge resolves HEAD to it).
        app.fake
            .add_file(shared, "HEAD", FILE, &labelling("team-a"));
        let own = format!("extends: {shared}\ncommands:\n  cc: maintainer\n");
        app.fake.add_file(app_repo, DEFAULT_BRANCH, FILE, &own);
        open_issue(&app, side, app_repo, 1, &format!("{side:?}-1")).await;
        assert_eq!(labels(&app, app_repo, 1), ["team-a"], "{side:?}");

        // A push to the shared repository touching its file reaches the extending one.
        app.fake
            .add_file(shared, "HEAD", FILE, &labelling("team-b"));
        push(&app, side, shared, FILE, &format!("{side:?}-push")).await;
        open_issue(&app, side, app_repo, 2, &format!("{side:?}-2")).await;
        assert_eq!(labels(&app, app_repo, 2), ["team-b"], "{side:?}");

        // x extends y extends x: refused, reported in x, the server defaults stay.
        app.fake
            .add_file(x, DEFAULT_BRANCH, FILE, &format!("extends: {y}\n"));
        app.fake
            .add_file(y, "HEAD", FILE, &format!("extends: {x}\n"));
        open_issue(&app, side, x, 1, &format!("{side:?}-x")).await;
        assert!(labels(&app, x, 1).is_empty(), "{side:?}");
        let filed = invalid_file_issues(&app, x);
        assert_eq!(filed.len(), 1, "{side:?}: {filed:#?}");
        assert!(filed[0].contains("extends: a cycle"), "{}", filed[0]);
    }
    app.teardown().await;
}

/// Deliver "merge request `number` of `repo` was opened (or updated) with head `sha`".
async fn merge_request(
    app: &TestApp,
    side: Side,
    repo: &str,
    number: u64,
    sha: &str,
    opened: bool,
) {
    let delivery = format!("{side:?}-{repo}-mr-{sha}");
    let status = match side {
        Side::Github => {
            let mut p = fixture_json(if opened {
                "github/pull_request.opened.json"
            } else {
                "github/pull_request.synchronize.json"
            });
            p["repository"]["full_name"] = json!(repo);
            p["repository"]["default_branch"] = json!(DEFAULT_BRANCH);
            p["number"] = json!(number);
            p["pull_request"]["number"] = json!(number);
            p["pull_request"]["head"]["sha"] = json!(sha);
            p["pull_request"]["head"]["ref"] = json!("change-process");
            p["pull_request"]["base"]["ref"] = json!(DEFAULT_BRANCH);
            p["pull_request"]["labels"] = json!([]);
            p["pull_request"]["assignees"] = json!([]);
            p["pull_request"]["milestone"] = Value::Null;
            app.github("pull_request", &delivery, &p).await.status
        }
        Side::Gitlab => {
            let mut p = fixture_json("gitlab/merge_request.open.json");
            p["project"]["path_with_namespace"] = json!(repo);
            p["project"]["default_branch"] = json!(DEFAULT_BRANCH);
            let o = &mut p["object_attributes"];
            o["action"] = json!(if opened { "open" } else { "update" });
            o["iid"] = json!(number);
            o["last_commit"]["id"] = json!(sha);
            o["source_branch"] = json!("change-process");
            o["target_branch"] = json!(DEFAULT_BRANCH);
            o["labels"] = json!([]);
            o["milestone_id"] = Value::Null;
            p["labels"] = json!([]);
            p["assignees"] = json!([]);
            app.gitlab("Merge Request Hook", &delivery, &p).await.status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

/// Bodies of the comments on `number` carrying the check's marker.
fn check_comments(app: &TestApp, repo: &str, number: u64) -> Vec<String> {
    app.fake
        .comments(repo, number)
        .into_iter()
        .map(|c| c.body)
        .filter(|b| b.contains("<!-- forgehand:config-check -->"))
        .collect()
}

#[tokio::test]
async fn a_merge_request_changing_the_file_gets_a_status_and_one_comment_edited_in_place() {
    let app = spawn_app().await;
    let invalid = format!("{}roles:\n  mallory: owner\n", labelling("v2"));
    let valid = format!(
        "{}  - id: close-spam\n    on: [issue.opened]\n    if:\n      title: \"(?i)casino\"\n    then:\n      state: close\n",
        labelling("v2")
    );
    for side in BOTH {
        let repo = side.repo();
        seed(&app, repo, 1);
        app.fake.add_merge_request(repo, 5);
        app.fake
            .add_file(repo, DEFAULT_BRANCH, FILE, &labelling("v1"));

        // An invalid file: failure, and one comment with line and column.
        app.fake.add_file(repo, "sha-1", FILE, &invalid);
        merge_request(&app, side, repo, 5, "sha-1", true).await;
        let statuses = app.fake.statuses(repo, "sha-1");
        assert_eq!(statuses.len(), 1, "{side:?}: {statuses:?}");
        assert_eq!(statuses[0].context, "forgehand/config");
        let failed = if side == Side::Github {
            "failure"
        } else {
            "failed"
        };
        assert_eq!(statuses[0].state, failed, "{side:?}");
        let comments = check_comments(&app, repo, 5);
        assert_eq!(comments.len(), 1, "{side:?}: {comments:#?}");
        assert!(
            comments[0].contains(".forgehand.yml:6:1: roles: a repository file cannot grant roles"),
            "{side:?}: {}",
            comments[0]
        );

        // A second push makes it valid: success, and the same comment now says what changes.
        app.fake.add_file(repo, "sha-2", FILE, &valid);
        merge_request(&app, side, repo, 5, "sha-2", false).await;
        let statuses = app.fake.statuses(repo, "sha-2");
        assert_eq!(statuses.len(), 1, "{side:?}: {statuses:?}");
        assert_eq!(statuses[0].state, "success", "{side:?}");
        let comments = check_comments(&app, repo, 5);
        assert_eq!(
            comments.len(),
            1,
            "{side:?}: edited in place: {comments:#?}"
        );
        assert!(
            comments[0].contains("rule `label-new` changed"),
            "{}",
            comments[0]
        );
        assert!(
            comments[0].contains("rule `close-spam` added"),
            "{}",
            comments[0]
        );

        // A push that leaves the file as on the default branch is not checked.
        app.fake.add_file(repo, "sha-3", FILE, &labelling("v1"));
        merge_request(&app, side, repo, 5, "sha-3", false).await;
        assert!(app.fake.statuses(repo, "sha-3").is_empty(), "{side:?}");

        // The default branch's process did not change meanwhile.
        open_issue(&app, side, repo, 1, &format!("{side:?}-after")).await;
        assert_eq!(labels(&app, repo, 1), ["v1"], "{side:?}");
    }
    app.teardown().await;
}
