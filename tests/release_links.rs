//! What release issues link and when they are due, end to end on both forges: a production
//! deployment request filed by `/deploy` links the forge's release itself (GitHub release,
//! GitLab release) once one is published, the tag's page before; the next release's
//! checklist issue is due on its date (GitLab `due_date`; GitHub: the version's milestone
//! when it has a due date, otherwise only the date in its title and body).

mod support;

use serde_json::{json, Value};
use support::app::{spawn_app_with, TestApp};
use support::payloads::{github_comment, github_release, gitlab_mr_note, gitlab_release};

const GITHUB_REPO: &str = "acme/app";
const GITLAB_REPO: &str = "acme/service";
const OPS: &str = "acme/ops";

const DEPLOY_YAML: &str = r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
    on: command
"#;

const CHECKLIST_YAML: &str = r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
  checklist:
    labels: [release-checklist]
"#;

const MR_BODY: &str = "<!-- forgehand:release-mr v1.4.0 -->\n# Release v1.4.0\n";

fn seed(app: &TestApp, repo: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_repo(OPS);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_branch(repo, "main");
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
}

/// `/deploy production` by the release manager on the release merge request; returns the
/// body of the production request filed in the ops project.
async fn deploy_production(app: &TestApp, github: bool, delivery: &str) -> String {
    let repo = if github { GITHUB_REPO } else { GITLAB_REPO };
    let mr = app
        .fake
        .add_open_merge_request(repo, "release-next", "main", MR_BODY);
    let comment = app
        .fake
        .add_comment(repo, mr, "alice", "/deploy production");
    if github {
        let mut p = github_comment(repo, mr, comment, "alice", "/deploy production");
        p["issue"]["body"] = json!(MR_BODY);
        p["issue"]["pull_request"] = json!({ "url": "x" });
        app.github("issue_comment", delivery, &p).await;
    } else {
        let p = gitlab_mr_note(repo, mr, MR_BODY, "alice", "/deploy production", comment);
        app.gitlab("Note Hook", delivery, &p).await;
    }
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    let production: Vec<_> = filed
        .into_iter()
        .filter(|(issue, _)| issue.title.ends_with("to production"))
        .collect();
    assert_eq!(production.len(), 1, "{production:#?}");
    production[0].1.clone()
}

#[tokio::test]
async fn github_a_production_request_links_the_published_release() {
    let app = spawn_app_with(DEPLOY_YAML).await;
    seed(&app, GITHUB_REPO);
    app.fake
        .add_pipeline(GITHUB_REPO, "v1.4.0", 40, "success", "Publish");
    app.fake
        .add_release(GITHUB_REPO, "v1.4.0", "notes", "alice");
    let body = deploy_production(&app, true, "gh-d1").await;
    let release = format!("https://github.com/{GITHUB_REPO}/releases/tag/v1.4.0");
    assert!(
        body.contains(&format!("**Release:** [v1.4.0]({release})")),
        "{body}"
    );
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_a_production_request_links_the_release_not_the_tag() {
    let app = spawn_app_with(DEPLOY_YAML).await;
    seed(&app, GITLAB_REPO);
    app.fake
        .add_pipeline(GITLAB_REPO, "v1.4.0", 40, "success", "publish");
    app.fake
        .add_release(GITLAB_REPO, "v1.4.0", "notes", "alice");
    let body = deploy_production(&app, false, "gl-d1").await;
    let release = format!("https://gitlab.com/{GITLAB_REPO}/-/releases/v1.4.0");
    assert!(
        body.contains(&format!("**Release:** [v1.4.0]({release})")),
        "{body}"
    );
    assert!(!body.contains("/-/tags/v1.4.0"), "{body}");
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_before_a_release_is_published_the_request_links_the_tag() {
    let app = spawn_app_with(DEPLOY_YAML).await;
    seed(&app, GITLAB_REPO);
    app.fake
        .add_pipeline(GITLAB_REPO, "v1.4.0", 40, "success", "publish");
    let body = deploy_production(&app, false, "gl-d1").await;
    assert!(body.contains("/-/tags/v1.4.0)"), "{body}");
    app.teardown().await;
}

/// The checklist issue filed for the next release and the body of its create call.
fn checklist(app: &TestApp, repo: &str) -> (String, Value) {
    let issues = app.fake.issues_with_bodies(repo);
    let found: Vec<_> = issues
        .iter()
        .filter(|(i, _)| i.title.contains("checklist"))
        .collect();
    assert_eq!(found.len(), 1, "{issues:#?}");
    let title = found[0].0.title.clone();
    let create = app
        .fake
        .writes()
        .into_iter()
        .find(|c| {
            c.method == "POST" && c.path.ends_with("/issues") && c.body["title"] == json!(title)
        })
        .expect("the checklist's create call");
    (title, create.body)
}

/// `Release 1.5.0 checklist (2026-11-30)` → `2026-11-30`.
fn date_in(title: &str) -> String {
    let start = title.rfind('(').expect("a date in the title") + 1;
    title[start..title.len() - 1].to_string()
}

#[tokio::test]
async fn gitlab_the_next_checklist_is_due_on_its_release_date() {
    let app = spawn_app_with(CHECKLIST_YAML).await;
    seed(&app, GITLAB_REPO);
    app.gitlab(
        "Release Hook",
        "gl-r1",
        &gitlab_release(GITLAB_REPO, "v1.4.0"),
    )
    .await;
    app.wait_idle().await;
    let (title, create) = checklist(&app, GITLAB_REPO);
    assert!(title.starts_with("Release 1.5.0 checklist ("), "{title}");
    assert_eq!(create["due_date"], json!(date_in(&title)), "{create:#}");
    app.teardown().await;
}

#[tokio::test]
async fn github_the_next_checklist_joins_its_dated_milestone() {
    let app = spawn_app_with(CHECKLIST_YAML).await;
    seed(&app, GITHUB_REPO);
    app.fake
        .add_milestone_dated(GITHUB_REPO, "1.4.0", None, Some("2026-11-23"));
    let number = app
        .fake
        .add_milestone_dated(GITHUB_REPO, "1.5.0", None, Some("2026-11-30"));
    app.github("release", "gh-r1", &github_release(GITHUB_REPO, "v1.4.0"))
        .await;
    app.wait_idle().await;
    let (title, create) = checklist(&app, GITHUB_REPO);
    assert!(title.starts_with("Release 1.5.0 checklist ("), "{title}");
    assert_eq!(create["milestone"], json!(number), "{create:#}");
    assert!(create.get("due_date").is_none(), "{create:#}");
    let issue = app
        .fake
        .issues_with_bodies(GITHUB_REPO)
        .into_iter()
        .find(|(i, _)| i.title == title)
        .unwrap();
    assert_eq!(issue.0.milestone.as_deref(), Some("1.5.0"));
    app.teardown().await;
}

#[tokio::test]
async fn github_without_a_dated_milestone_the_date_stays_in_title_and_body() {
    let app = spawn_app_with(CHECKLIST_YAML).await;
    seed(&app, GITHUB_REPO);
    // A milestone of the version without a due date does not date the issue.
    app.fake.add_milestone(GITHUB_REPO, "1.5.0");
    app.github("release", "gh-r1", &github_release(GITHUB_REPO, "v1.4.0"))
        .await;
    app.wait_idle().await;
    let (title, create) = checklist(&app, GITHUB_REPO);
    assert!(create.get("milestone").is_none(), "{create:#}");
    let date = date_in(&title);
    assert!(
        create["body"].as_str().unwrap().contains(&date),
        "{create:#}"
    );
    app.teardown().await;
}
