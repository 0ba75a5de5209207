//! The forge's release object end to end on both forges: a green publish pipeline creates one
//! release with the changelog's notes (a redelivery adds nothing), pre-release tags make
//! pre-releases, a draft is kept from the tag push and published when the pipeline is green,
//! and the chain tag → green pipeline → release published by forgehand → exactly one staging
//! deployment request holds although forgehand authored the release.

mod support;

use forgehand::event::ForgeKind;
use serde_json::{json, Value};
use support::app::{spawn_app_with, TestApp};
use support::fake_publish::GITHUB_BOT_LOGIN;
use support::{fixture, payloads};

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const GITLAB_REPO: &str = "jsmith/example";
const OPS: &str = "acme/ops";

const YAML: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
    on: release
    environment: staging
  publish: {}
"#;

const CHANGELOG: &str =
    "# Changelog\n\n## [1.4.0] - 2026-11-23\n### Added\n- Dark mode.\n\n## [1.3.0]\n- Older.\n";

/// The tag `tag` after v1.3.0, with three merged changes, its changelog and release manager.
fn seed(app: &TestApp, repo: &str, tag: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_repo(OPS);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_branch(repo, "main");
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, tag, &["c1", "m12", "m15"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
    fake.add_merged(repo, 15, "Crash on empty schedule", &["bug"], "m15");
    fake.add_file(repo, tag, "CHANGELOG.md", CHANGELOG);
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

fn github_tag_push(tag: &str) -> Value {
    payloads::github_tag_push(GITHUB_REPO, tag)
}

fn github_run(tag: &str, id: u64, conclusion: &str) -> Value {
    payloads::github_run(GITHUB_REPO, tag, id, conclusion)
}

fn gitlab_tag_push(tag: &str) -> Value {
    payloads::gitlab_tag_push(GITLAB_REPO, tag)
}

fn gitlab_pipeline(tag: &str, id: u64, status: &str) -> Value {
    payloads::gitlab_pipeline(GITLAB_REPO, tag, id, status)
}

/// Writes to release objects (creates and updates).
fn release_writes(app: &TestApp) -> usize {
    app.fake
        .writes()
        .into_iter()
        .filter(|c| c.path.contains("/releases"))
        .count()
}

#[tokio::test]
async fn github_green_publish_pipeline_creates_one_release_with_the_changelog_notes() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO, "v1.4.0");
    app.github(
        "workflow_run",
        "gh-w1",
        &github_run("v1.4.0", 981, "success"),
    )
    .await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITHUB_REPO);
    assert_eq!(releases.len(), 1, "{releases:#?}");
    let release = &releases[0];
    assert_eq!(
        (release.tag.as_str(), release.name.as_str()),
        ("v1.4.0", "v1.4.0")
    );
    assert!(!release.draft && !release.prerelease);
    assert_eq!(release.author, GITHUB_BOT_LOGIN);
    insta::assert_snapshot!("github_release_notes", release.notes);

    // The same run delivered again (a new delivery id): nothing is written at all.
    app.fake.clear_calls();
    app.github(
        "workflow_run",
        "gh-w2",
        &github_run("v1.4.0", 981, "success"),
    )
    .await;
    // And the same delivery id again: acknowledged, not processed again.
    let again = app
        .github(
            "workflow_run",
            "gh-w1",
            &github_run("v1.4.0", 981, "success"),
        )
        .await;
    assert_eq!(again.status, 200);
    app.wait_idle().await;
    assert_eq!(app.fake.releases(GITHUB_REPO).len(), 1);
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_green_publish_pipeline_creates_one_release_linked_to_its_milestone() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITLAB_REPO, "v1.4.0");
    app.fake.add_milestone(GITLAB_REPO, "1.3");
    app.fake.add_milestone(GITLAB_REPO, "1.4");
    let green = gitlab_pipeline("v1.4.0", 981, "success");
    app.gitlab("Pipeline Hook", "gl-p1", &green).await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITLAB_REPO);
    assert_eq!(releases.len(), 1, "{releases:#?}");
    let release = &releases[0];
    assert_eq!(release.name, "v1.4.0");
    assert_eq!(release.milestones, ["1.4"]);
    assert_eq!(release.author, support::fake_gitlab::BOT_USERNAME);
    insta::assert_snapshot!("gitlab_release_notes", release.notes);

    app.fake.clear_calls();
    app.gitlab("Pipeline Hook", "gl-p2", &green).await;
    app.wait_idle().await;
    assert_eq!(app.fake.releases(GITLAB_REPO).len(), 1);
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    // A running pipeline of the tag publishes nothing.
    app.gitlab(
        "Pipeline Hook",
        "gl-p3",
        &gitlab_pipeline("v1.4.0", 982, "running"),
    )
    .await;
    app.wait_idle().await;
    assert_eq!(release_writes(&app), 0);
    app.teardown().await;
}

#[tokio::test]
async fn a_prerelease_tag_makes_a_prerelease_on_both_forges() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO, "v2.0.0-rc.1");
    seed(&app, GITLAB_REPO, "v2.0.0-rc.1");
    app.github(
        "workflow_run",
        "gh-w1",
        &github_run("v2.0.0-rc.1", 7, "success"),
    )
    .await;
    app.gitlab(
        "Pipeline Hook",
        "gl-p1",
        &gitlab_pipeline("v2.0.0-rc.1", 8, "success"),
    )
    .await;
    app.wait_idle().await;
    let github = &app.fake.releases(GITHUB_REPO)[0];
    assert!(github.prerelease, "{github:?}");
    assert_eq!(github.name, "v2.0.0-rc.1");
    // GitLab has no pre-release flag: the name says so.
    let gitlab = &app.fake.releases(GITLAB_REPO)[0];
    assert_eq!(gitlab.name, "v2.0.0-rc.1 (pre-release)");
    // GitHub announces a published pre-release, but not as `released`.
    let hooks: Vec<String> = app
        .fake
        .take_webhooks()
        .into_iter()
        .filter(|h| h.forge == "github")
        .map(|h| h.payload["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(hooks, ["created", "published"]);
    app.teardown().await;
}

#[tokio::test]
async fn github_draft_is_kept_from_the_tag_push_and_published_when_green() {
    let yaml = YAML.replace("  publish: {}", "  publish:\n    draft: true");
    let app = spawn_app_with(&yaml).await;
    seed(&app, GITHUB_REPO, "v1.4.0");
    app.github("push", "gh-p1", &github_tag_push("v1.4.0"))
        .await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITHUB_REPO);
    assert_eq!(releases.len(), 1);
    assert!(releases[0].draft);
    assert!(releases[0].notes.contains("- Dark mode."));
    let hooks = app.fake.take_webhooks();
    assert_eq!(hooks.len(), 1, "a draft is only `created`: {hooks:#?}");

    // The tag push again: the draft is up to date, nothing is written.
    app.fake.clear_calls();
    app.github("push", "gh-p2", &github_tag_push("v1.4.0"))
        .await;
    app.wait_idle().await;
    assert_eq!(release_writes(&app), 0);

    app.github(
        "workflow_run",
        "gh-w1",
        &github_run("v1.4.0", 981, "success"),
    )
    .await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITHUB_REPO);
    assert_eq!(releases.len(), 1, "{releases:#?}");
    assert!(!releases[0].draft);
    let actions: Vec<String> = app
        .fake
        .take_webhooks()
        .iter()
        .map(|h| h.payload["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["published", "released"]);
    // A late tag push does not turn the published release back into a draft.
    app.github("push", "gh-p3", &github_tag_push("v1.4.0"))
        .await;
    app.wait_idle().await;
    assert!(!app.fake.releases(GITHUB_REPO)[0].draft);
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_release_merge_request_merged_publishes_when_so_configured() {
    let yaml = YAML.replace("  publish: {}", "  publish:\n    on: merge");
    let app = spawn_app_with(&yaml).await;
    seed(&app, GITLAB_REPO, "v1.4.0");
    app.gitlab("Tag Push Hook", "gl-t1", &gitlab_tag_push("v1.4.0"))
        .await;
    app.gitlab(
        "Pipeline Hook",
        "gl-p1",
        &gitlab_pipeline("v1.4.0", 981, "success"),
    )
    .await;
    app.wait_idle().await;
    assert!(
        app.fake.releases(GITLAB_REPO).is_empty(),
        "not on the pipeline"
    );
    let (mr, _) = app.fake.opened_merge_requests(GITLAB_REPO).remove(0);
    let merged = |source: &str| {
        let mut p = fixture_json("gitlab/merge_request.open.json");
        p["project"]["path_with_namespace"] = json!(GITLAB_REPO);
        p["project"]["default_branch"] = json!("main");
        let attributes = &mut p["object_attributes"];
        attributes["action"] = json!("merge");
        attributes["state"] = json!("merged");
        attributes["iid"] = json!(mr.number);
        attributes["source_branch"] = json!(source);
        attributes["target_branch"] = json!("main");
        attributes["description"] = json!(mr.body);
        p
    };
    // Another branch's merge request carrying the same text publishes nothing.
    app.gitlab("Merge Request Hook", "gl-m0", &merged("feature-1"))
        .await;
    app.wait_idle().await;
    assert!(app.fake.releases(GITLAB_REPO).is_empty());
    app.gitlab("Merge Request Hook", "gl-m1", &merged("release-next"))
        .await;
    app.gitlab("Merge Request Hook", "gl-m2", &merged("release-next"))
        .await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITLAB_REPO);
    assert_eq!(releases.len(), 1, "{releases:#?}");
    assert_eq!(releases[0].tag, "v1.4.0");
    assert!(releases[0].notes.contains("- Dark mode."));
    app.teardown().await;
}

/// A comment by forgehand itself on the release merge request: still ignored.
fn github_bot_comment(app: &TestApp, number: u64) -> Value {
    let mut p = fixture_json("github/issue_comment.created.json");
    let id = app
        .fake
        .add_comment(GITHUB_REPO, number, GITHUB_BOT_LOGIN, "/deploy production");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!("/deploy production");
    p["comment"]["user"]["login"] = json!(GITHUB_BOT_LOGIN);
    p["sender"] = json!({ "login": GITHUB_BOT_LOGIN, "type": "Bot" });
    p["issue"]["number"] = json!(number);
    p
}

#[tokio::test]
async fn github_chain_tag_green_pipeline_release_by_forgehand_one_deployment_request() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO, "v1.4.0");
    app.github("push", "gh-p1", &github_tag_push("v1.4.0"))
        .await;
    app.wait_idle().await;
    let (mr, _) = app.fake.opened_merge_requests(GITHUB_REPO).remove(0);
    app.github(
        "workflow_run",
        "gh-w1",
        &github_run("v1.4.0", 981, "success"),
    )
    .await;
    app.wait_idle().await;
    let release = &app.fake.releases(GITHUB_REPO)[0];
    assert_eq!(release.author, GITHUB_BOT_LOGIN);
    assert!(app.fake.issues_with_bodies(OPS).is_empty());

    // GitHub tells forgehand about the release it published, as forgehand's own event.
    let sent = app.deliver_fake_webhooks().await;
    let names: Vec<&str> = sent.iter().map(|(_, _, n)| n.as_str()).collect();
    assert_eq!(
        names,
        ["release.created", "release.published", "release.released"]
    );
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert_eq!(
        filed[0].0.title,
        "Deploy Codertocat/Hello-World v1.4.0 to staging"
    );
    assert!(filed[0]
        .1
        .contains("https://github.com/Codertocat/Hello-World/releases/tag/v1.4.0"));
    for (forge, id, name) in &sent {
        let state = app.delivery(*forge, id).await.state;
        let expected = if name == "release.created" {
            "ignored"
        } else {
            "done"
        };
        assert_eq!(state, expected, "{name}");
    }

    // Its comments and commands stay ignored.
    app.github(
        "issue_comment",
        "gh-c1",
        &github_bot_comment(&app, mr.number),
    )
    .await;
    app.wait_idle().await;
    let record = app.delivery(ForgeKind::Github, "gh-c1").await;
    assert_eq!(record.state, "ignored");
    assert_eq!(app.fake.issues_with_bodies(OPS).len(), 1);
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_chain_tag_green_pipeline_release_by_forgehand_one_deployment_request() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITLAB_REPO, "v1.4.0");
    app.gitlab("Tag Push Hook", "gl-t1", &gitlab_tag_push("v1.4.0"))
        .await;
    app.wait_idle().await;
    app.gitlab(
        "Pipeline Hook",
        "gl-p1",
        &gitlab_pipeline("v1.4.0", 981, "success"),
    )
    .await;
    // GitLab retries the delivery: still one release.
    app.gitlab(
        "Pipeline Hook",
        "gl-p2",
        &gitlab_pipeline("v1.4.0", 981, "success"),
    )
    .await;
    app.wait_idle().await;
    let releases = app.fake.releases(GITLAB_REPO);
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0].author, support::fake_gitlab::BOT_USERNAME);
    // GitLab's Release Hook names nobody; it is posted twice (a redelivery).
    let hooks = app.fake.take_webhooks();
    assert_eq!(hooks.len(), 1, "{hooks:#?}");
    assert_eq!(hooks[0].payload["action"], "create");
    app.gitlab("Release Hook", "gl-r1", &hooks[0].payload).await;
    app.gitlab("Release Hook", "gl-r2", &hooks[0].payload).await;
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies(OPS);
    assert_eq!(filed.len(), 1, "{filed:#?}");
    assert_eq!(filed[0].0.title, "Deploy jsmith/example v1.4.0 to staging");
    assert!(filed[0]
        .1
        .contains("https://gitlab.com/jsmith/example/-/releases/v1.4.0"));
    assert_eq!(app.delivery(ForgeKind::Gitlab, "gl-r1").await.state, "done");
    app.teardown().await;
}

/// (reads, writes) of the calls since the last `clear_calls`, and the calls themselves.
fn cost(app: &TestApp) -> ((usize, usize), Vec<String>) {
    let calls = app.fake.calls();
    let writes = calls.iter().filter(|c| c.is_write()).count();
    let listed = calls
        .iter()
        .map(|c| format!("{} {}?{}", c.method, c.path, c.query))
        .collect();
    ((calls.len() - writes, writes), listed)
}

/// What one publish costs, from the green pipeline to the release's own event, with the
/// feedback on two merge requests, the failed-publish check and the staging deployment
/// request: the numbers docs/release.md gives. A new call on this path shows up here.
#[tokio::test]
async fn a_publish_costs_the_documented_calls_on_each_forge() {
    let yaml = format!("{YAML}  feedback: {{}}\n  failed_publish: {{}}\n");
    let mut costs = Vec::new();
    for forge in ["github", "gitlab"] {
        let app = spawn_app_with(&yaml).await;
        let github = forge == "github";
        seed(
            &app,
            if github { GITHUB_REPO } else { GITLAB_REPO },
            "v1.4.0",
        );
        if github {
            app.github("push", "gh-p1", &github_tag_push("v1.4.0"))
                .await;
        } else {
            app.gitlab("Tag Push Hook", "gl-t1", &gitlab_tag_push("v1.4.0"))
                .await;
        }
        app.wait_idle().await;
        app.fake.clear_calls();
        if github {
            let run = github_run("v1.4.0", 981, "success");
            app.github("workflow_run", "gh-w1", &run).await;
        } else {
            let green = gitlab_pipeline("v1.4.0", 981, "success");
            app.gitlab("Pipeline Hook", "gl-p1", &green).await;
        }
        app.wait_idle().await;
        let pipeline = cost(&app);
        app.fake.clear_calls();
        // One release event: GitHub's `released` twin costs the reads again, no writes.
        let hook = app
            .fake
            .take_webhooks()
            .into_iter()
            .find(|h| h.payload["action"] != "created")
            .expect("the release's event");
        if github {
            app.github(&hook.event, "gh-r1", &hook.payload).await;
        } else {
            app.gitlab(&hook.event, "gl-r1", &hook.payload).await;
        }
        app.wait_idle().await;
        costs.push((forge, pipeline, cost(&app)));
        app.teardown().await;
    }
    let counts: Vec<_> = costs.iter().map(|(f, p, r)| (*f, p.0, r.0)).collect();
    assert_eq!(
        counts,
        [
            // Green pipeline: the release MR's facts and update (6 reads, 1 write: tags,
            // changelog, whether the default branch has the tag, release-next's head and
            // whether it contains the tag, the MR), the release looked up (GitHub: by tag,
            // then the newest page for a draft; GitLab: the milestones, then by tag) and
            // created, the failed-publish issue looked for. The release event: its facts
            // (6 reads), the deployment request (1 read, 1 write), and per merge request
            // 1 read + 2 writes (label, comment).
            ("github", (9, 2), (9, 5)),
            ("gitlab", (9, 2), (9, 5)),
        ],
        "{costs:#?}"
    );
}
