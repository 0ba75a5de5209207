//! Release automation end to end on both forges: a tag push opens the release merge request
//! with the changelog, the publish pipeline updates it, a published release files the
//! deployment request in the ops project, `/deploy` checks its requirements, and the same
//! deliveries again (GitHub's create + push double, published + released) add nothing.

mod support;

use serde_json::{json, Value};
use support::app::{spawn_app_with, TestApp};
use support::fixture;

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const GITLAB_REPO: &str = "jsmith/example";
const OPS: &str = "acme/ops";

const RELEASE_YAML: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
    - title: Fixes
      labels: [bug]
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

const CHANGELOG: &str =
    "# Changelog\n\n## [1.4.0] - 2026-11-23\n### Added\n- Dark mode.\n\n## [1.3.0]\n- Older.\n";

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// Tags v1.3.0 and v1.4.0, three merge requests merged in between (one a configuration
/// change), the release manager and the ops project.
fn seed(app: &TestApp, repo: &str, changelog: bool) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_repo(OPS);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_branch(repo, "main");
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12", "m15", "m16"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
    fake.add_merged(repo, 15, "Crash on empty schedule", &["bug"], "m15");
    fake.add_merged(repo, 16, "New cache backend", &["config-change"], "m16");
    fake.add_merged(repo, 9, "Shipped long ago", &["feature"], "c1");
    if changelog {
        fake.add_file(repo, "v1.4.0", "CHANGELOG.md", CHANGELOG);
    }
}

fn github_payload(path: &str, f: impl FnOnce(&mut Value)) -> Value {
    let mut p = fixture_json(path);
    p["repository"]["default_branch"] = json!("main");
    f(&mut p);
    p
}

fn gitlab_payload(path: &str, f: impl FnOnce(&mut Value)) -> Value {
    let mut p = fixture_json(path);
    p["project"]["path_with_namespace"] = json!(GITLAB_REPO);
    p["project"]["default_branch"] = json!("main");
    f(&mut p);
    p
}

fn create_writes(app: &TestApp) -> usize {
    app.fake
        .writes()
        .into_iter()
        .filter(|c| c.method == "POST" && !c.path.contains("access_tokens"))
        .count()
}

#[tokio::test]
async fn github_tag_push_opens_one_release_pull_request_even_when_sent_twice() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITHUB_REPO, true);
    let create = github_payload("github/create.tag.json", |p| p["ref"] = json!("v1.4.0"));
    let push = github_payload("github/push.tag.json", |p| {
        p["ref"] = json!("refs/tags/v1.4.0")
    });
    assert_eq!(app.github("create", "gh-c1", &create).await.status, 202);
    assert_eq!(app.github("push", "gh-p1", &push).await.status, 202);
    app.wait_idle().await;

    let mrs = app.fake.opened_merge_requests(GITHUB_REPO);
    assert_eq!(mrs.len(), 1, "{mrs:#?}");
    let (mr, issue) = &mrs[0];
    assert_eq!(
        (mr.source.as_str(), mr.target.as_str()),
        ("release-next", "main")
    );
    assert_eq!(issue.title, "Release v1.4.0");
    assert_eq!(issue.labels, ["release"]);
    assert_eq!(issue.assignees, ["alice"]);
    assert!(mr.body.contains("<!-- forgehand:release-mr v1.4.0 -->"));
    assert!(mr.body.contains("### Added\n- Dark mode."), "{}", mr.body);
    assert!(mr.body.contains("(previous: `1.3.0`)"));

    // A redelivery under a new id changes nothing.
    let writes = create_writes(&app);
    app.github("push", "gh-p2", &push).await;
    app.wait_idle().await;
    assert_eq!(app.fake.opened_merge_requests(GITHUB_REPO).len(), 1);
    assert_eq!(create_writes(&app), writes);
    app.teardown().await;
}

#[tokio::test]
async fn github_publish_workflow_writes_its_link_into_the_pull_request() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITHUB_REPO, false);
    let push = github_payload("github/push.tag.json", |p| {
        p["ref"] = json!("refs/tags/v1.4.0")
    });
    app.github("push", "gh-p1", &push).await;
    app.wait_idle().await;
    let body = &app.fake.opened_merge_requests(GITHUB_REPO)[0].0.body;
    assert!(body.contains("_waiting for the tag pipeline_"), "{body}");
    // Without a changelog section, the merged pull requests grouped by label.
    assert!(
        body.contains("### Features\n\n- Dark mode ([#12]"),
        "{body}"
    );
    assert!(!body.contains("Shipped long ago"), "{body}");

    let mut run = github_payload("github/workflow_run.completed.json", |_| {});
    run["repository"]["full_name"] = json!(GITHUB_REPO);
    run["workflow_run"]["head_branch"] = json!("v1.4.0");
    run["workflow_run"]["name"] = json!("Publish");
    app.github("workflow_run", "gh-w1", &run).await;
    app.wait_idle().await;
    let mrs = app.fake.opened_merge_requests(GITHUB_REPO);
    assert_eq!(mrs.len(), 1);
    let url = "https://github.com/octo-org/octo-repo/actions/runs/289782451";
    assert!(
        mrs[0].0.body.contains(&format!("[success]({url})")),
        "{}",
        mrs[0].0.body
    );

    // The same run delivered again: the body is unchanged, nothing is written.
    app.fake.clear_calls();
    app.github("workflow_run", "gh-w2", &run).await;
    app.wait_idle().await;
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    app.teardown().await;
}

#[tokio::test]
async fn github_published_release_files_one_deployment_request_in_the_ops_repo() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITHUB_REPO, false);
    let published = github_payload("github/release.published.json", |p| {
        p["release"]["tag_name"] = json!("v1.4.0");
    });
    let released = github_payload("github/release.released.json", |p| {
        p["release"]["tag_name"] = json!("v1.4.0");
    });
    app.github("release", "gh-r1", &published).await;
    app.github("release", "gh-r2", &released).await;
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    assert_eq!(filed.len(), 1, "{filed:#?}");
    let (issue, body) = &filed[0];
    assert_eq!(
        issue.title,
        "Deploy Codertocat/Hello-World v1.4.0 to staging"
    );
    assert_eq!(issue.assignees, ["alice"]);
    assert_eq!(issue.labels, ["deployment"]);
    let changes = body.split("### Configuration changes").collect::<Vec<_>>();
    assert!(changes[0].contains("Dark mode") && changes[0].contains("Crash on empty schedule"));
    assert!(!changes[0].contains("Shipped long ago"));
    assert!(changes[1].contains("New cache backend") && !changes[1].contains("Dark mode"));
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_tag_pipeline_and_release_flow_once() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITLAB_REPO, true);
    let tag = gitlab_payload("gitlab/tag_push.json", |p| {
        p["ref"] = json!("refs/tags/v1.4.0")
    });
    app.gitlab("Tag Push Hook", "gl-t1", &tag).await;
    app.gitlab("Tag Push Hook", "gl-t2", &tag).await;
    app.wait_idle().await;
    let mrs = app.fake.opened_merge_requests(GITLAB_REPO);
    assert_eq!(mrs.len(), 1, "{mrs:#?}");
    assert_eq!(mrs[0].1.assignees, ["alice"]);
    assert!(mrs[0].0.body.contains("- Dark mode."));
    let create = app
        .fake
        .calls()
        .into_iter()
        .find(|c| c.method == "POST" && c.path.ends_with("/merge_requests"))
        .expect("the merge request was created");
    assert_eq!(create.body["remove_source_branch"], json!(true));

    let pipeline = gitlab_payload("gitlab/pipeline.json", |p| {
        p["object_attributes"]["ref"] = json!("v1.4.0");
        p["object_attributes"]["tag"] = json!(true);
        p["object_attributes"]["status"] = json!("running");
        p["object_attributes"]["stages"] = json!(["build", "publish"]);
    });
    app.gitlab("Pipeline Hook", "gl-p1", &pipeline).await;
    app.wait_idle().await;
    let body = &app.fake.opened_merge_requests(GITLAB_REPO)[0].0.body;
    assert!(
        body.contains("[running](http://example.com/gitlab-org/gitlab-test/-/pipelines/31)"),
        "{body}"
    );

    let release = gitlab_payload("gitlab/release.create.json", |p| p["tag"] = json!("v1.4.0"));
    app.gitlab("Release Hook", "gl-r1", &release).await;
    app.gitlab("Release Hook", "gl-r2", &release).await;
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert!(
        filed[0].1.contains("New cache backend ([!16]"),
        "{}",
        filed[0].1
    );
    assert_eq!(app.fake.opened_merge_requests(GITLAB_REPO).len(), 1);
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_deploy_command_is_refused_then_filed() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITLAB_REPO, false);
    let tag = gitlab_payload("gitlab/tag_push.json", |p| {
        p["ref"] = json!("refs/tags/v1.4.0")
    });
    app.gitlab("Tag Push Hook", "gl-t1", &tag).await;
    app.wait_idle().await;
    let (mr, _) = app.fake.opened_merge_requests(GITLAB_REPO).remove(0);

    let note = |app: &TestApp, id: &str| {
        let mut p = gitlab_payload("gitlab/note.merge_request.json", |_| {});
        let comment = app
            .fake
            .add_comment(GITLAB_REPO, mr.number, "alice", "/deploy production");
        p["object_attributes"]["id"] = json!(comment);
        p["object_attributes"]["note"] = json!("/deploy production");
        p["user"]["username"] = json!("alice");
        p["merge_request"]["iid"] = json!(mr.number);
        p["merge_request"]["description"] = json!(mr.body);
        (id.to_string(), p)
    };
    // No pipeline yet: refused, saying why.
    let (id, p) = note(&app, "gl-n1");
    app.gitlab("Note Hook", &id, &p).await;
    app.wait_idle().await;
    assert!(app.fake.issues_with_bodies(OPS).is_empty());
    let replies: Vec<String> = app
        .fake
        .comments(GITLAB_REPO, mr.number)
        .into_iter()
        .filter(|c| c.body.contains("cannot file"))
        .map(|c| c.body)
        .collect();
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert!(
        replies[0].contains("The tag pipeline passed (no pipeline found)"),
        "{}",
        replies[0]
    );

    app.fake
        .add_pipeline(GITLAB_REPO, "v1.4.0", 40, "success", "publish");
    let (id, p) = note(&app, "gl-n2");
    app.gitlab("Note Hook", &id, &p).await;
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert_eq!(
        filed[0].0.title,
        "Deploy jsmith/example v1.4.0 to production"
    );
    assert!(filed[0].1.contains("- [x] The release manager approves"));
    app.teardown().await;
}

#[tokio::test]
async fn non_semver_and_deleted_tags_do_nothing() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITHUB_REPO, false);
    let create = github_payload("github/create.tag.json", |_| {});
    app.github("create", "gh-c1", &create).await;
    let delete = github_payload("github/delete.tag.json", |p| p["ref"] = json!("v1.4.0"));
    app.github("delete", "gh-d1", &delete).await;
    app.wait_idle().await;
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    app.teardown().await;
}

/// The `release:` section of a shipped configuration.
fn shipped_release_section(file: &str) -> String {
    let path = format!("{}/config/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("shipped configuration");
    let start = text.find("\nrelease:").expect("a release section");
    // Without its release day: the server's scheduler runs on the real clock.
    let mut kept = String::new();
    let mut skipping = false;
    for line in text[start..].lines() {
        if line == "  release_day:" {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with("    ") || line.trim().is_empty()) {
            continue;
        }
        skipping = false;
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

#[tokio::test]
async fn release_train_ships_checklist_and_version_bump_once() {
    let app = spawn_app_with(&shipped_release_section("release-train.yml")).await;
    seed(&app, GITHUB_REPO, false);
    for person in ["dana", "eli", "fay"] {
        app.fake.add_user(person, forgehand::role::Role::Maintainer);
    }
    let package = "{\n  \"name\": \"hello\",\n  \"version\": \"1.4.0\"\n}\n";
    app.fake
        .add_file(GITHUB_REPO, "main", "package.json", package);
    let published = github_payload("github/release.published.json", |p| {
        p["release"]["tag_name"] = json!("v1.4.0");
    });
    app.github("release", "gh-r1", &published).await;
    app.wait_idle().await;
    app.github("release", "gh-r2", &published).await;
    app.wait_idle().await;

    let ops = app.fake.issues_with_bodies(OPS);
    assert_eq!(ops.len(), 1, "{ops:#?}");
    assert!(ops[0].0.title.ends_with("v1.4.0 to staging"));
    let checklists = app.fake.issues_with_bodies(GITHUB_REPO);
    assert_eq!(checklists.len(), 1, "{checklists:#?}");
    let (checklist, body) = &checklists[0];
    assert!(
        checklist.title.starts_with("Release 1.5.0 checklist ("),
        "{}",
        checklist.title
    );
    assert_eq!(checklist.labels, ["release-checklist"]);
    assert_eq!(checklist.assignees.len(), 1);
    assert!(body.contains("<!-- forgehand:release-checklist v1.5.0 -->"));

    let bumped = app
        .fake
        .file(GITHUB_REPO, "forgehand/bump-1.5.0", "package.json")
        .expect("the bump branch has package.json");
    assert!(bumped.contains("\"version\": \"1.5.0\""), "{bumped}");
    assert_eq!(
        app.fake.file(GITHUB_REPO, "main", "package.json").unwrap(),
        package
    );
    let mrs = app.fake.opened_merge_requests(GITHUB_REPO);
    assert_eq!(mrs.len(), 1, "{mrs:#?}");
    assert_eq!(mrs[0].0.source, "forgehand/bump-1.5.0");
    assert_eq!(mrs[0].1.title, "Bump version to 1.5.0");
    app.teardown().await;
}

#[tokio::test]
async fn github_release_schedule_replies_with_dates_and_managers() {
    let app = spawn_app_with(RELEASE_YAML).await;
    seed(&app, GITHUB_REPO, false);
    app.fake.add_issue(GITHUB_REPO, 1);
    let mut p = fixture_json("github/issue_comment.created.json");
    let id = app
        .fake
        .add_comment(GITHUB_REPO, 1, "Codertocat", "/release schedule");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!("/release schedule");
    app.github("issue_comment", "gh-s1", &p).await;
    app.wait_idle().await;
    let replies: Vec<String> = app
        .fake
        .comments(GITHUB_REPO, 1)
        .into_iter()
        .filter(|c| c.body.contains("the next releases"))
        .map(|c| c.body)
        .collect();
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert_eq!(
        replies[0].matches("| @alice |").count(),
        4,
        "{}",
        replies[0]
    );
    assert!(replies[0].contains("| minor |") && replies[0].contains("| patch |"));
    app.teardown().await;
}

/// The `| Release date |` row of the release merge request opened for `tag` on `forge`.
async fn release_date_row(forge: forgehand::model::ForgeKind, tag: &str) -> String {
    let app = spawn_app_with(RELEASE_YAML).await;
    let repo = match forge {
        forgehand::model::ForgeKind::Github => GITHUB_REPO,
        forgehand::model::ForgeKind::Gitlab => GITLAB_REPO,
    };
    seed(&app, repo, false);
    app.fake
        .add_tag(repo, "v1.4.1", &["c1", "m12", "m15", "m16", "p1"]);
    match forge {
        forgehand::model::ForgeKind::Github => {
            let push = github_payload("github/push.tag.json", |p| {
                p["ref"] = json!(format!("refs/tags/{tag}"))
            });
            assert_eq!(app.github("push", "gh-date", &push).await.status, 202);
        }
        forgehand::model::ForgeKind::Gitlab => {
            let push = gitlab_payload("gitlab/tag_push.json", |p| {
                p["ref"] = json!(format!("refs/tags/{tag}"))
            });
            assert_eq!(
                app.gitlab("Tag Push Hook", "gl-date", &push).await.status,
                202
            );
        }
    }
    app.wait_idle().await;
    let mrs = app.fake.opened_merge_requests(repo);
    assert_eq!(mrs.len(), 1, "{forge:?} {tag}: {mrs:#?}");
    let row = mrs[0]
        .0
        .body
        .lines()
        .find(|l| l.starts_with("| Release date |"))
        .unwrap_or_else(|| panic!("{forge:?} {tag}: no release date in {}", mrs[0].0.body))
        .to_string();
    app.teardown().await;
    row
}

/// The weekly flow (minor on Monday, patch on Thursday): the release merge request's date is
/// the coming day of the tag's kind — a minor tag's a Monday, a patch tag's a Thursday, each
/// within the week ahead — on both forges.
#[tokio::test]
async fn the_release_mr_names_the_coming_day_of_its_kind_on_both_forges() {
    use chrono::{Datelike, NaiveDate, Weekday};
    let today = chrono::Utc::now().date_naive();
    for forge in [
        forgehand::model::ForgeKind::Github,
        forgehand::model::ForgeKind::Gitlab,
    ] {
        for (tag, weekday) in [("v1.4.0", Weekday::Mon), ("v1.4.1", Weekday::Thu)] {
            let row = release_date_row(forge, tag).await;
            let text = row
                .trim_start_matches("| Release date |")
                .trim_end_matches('|');
            let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .unwrap_or_else(|e| panic!("{forge:?} {tag}: `{row}`: {e}"));
            assert_eq!(date.weekday(), weekday, "{forge:?} {tag}: {row}");
            let ahead = (date - today).num_days();
            assert!(
                (0..7).contains(&ahead),
                "{forge:?} {tag}: {date} is {ahead} days from {today}"
            );
        }
    }
}
