//! Forge calls per release flow, counted on the fake forge on both forges: a tag push, an
//! event that only refreshes the release merge request's pipeline line, and the merged
//! release merge request that publishes the release. Each flow has a budget of reads and
//! writes the test asserts; the calls are printed (`--nocapture`) to measure them.

mod support;

use serde_json::{json, Value};
use support::app::{spawn_app_with, TestApp};
use support::{fixture, payloads};

const GITHUB_REPO: &str = "Codertocat/Hello-World";
const GITLAB_REPO: &str = "jsmith/example";

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
  publish:
    on: merge
"#;

fn seed(app: &TestApp, repo: &str) {
    let fake = &app.fake;
    fake.add_repo(repo);
    fake.add_repo("acme/ops");
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_branch(repo, "main");
    fake.add_tag(repo, "v1.3.0", &["c1"]);
    fake.add_tag(repo, "v1.4.0", &["c1", "m12", "m15"]);
    fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
    fake.add_merged(repo, 15, "Crash on empty schedule", &["bug"], "m15");
    fake.add_file(repo, "v1.4.0", "CHANGELOG.md", CHANGELOG);
}

const CHANGELOG: &str =
    "# Changelog\n\n## [1.4.0] - 2026-11-23\n### Added\n- Dark mode.\n\n## [1.3.0]\n- Older.\n";

/// Before this work (measured on the same flows): a tag push 9 reads and 3 writes on GitHub
/// (9 and 2 on GitLab), a pipeline refresh 8 reads and 1 write, a merged release MR 8 reads
/// and 1 write, on both forges.
struct Budget {
    tag_push: (usize, usize),
    refresh: (usize, usize),
    merge: (usize, usize),
}

fn assert_within(flow: &str, measured: (usize, usize), budget: (usize, usize)) {
    assert!(
        measured.0 <= budget.0 && measured.1 <= budget.1,
        "{flow}: {measured:?} (reads, writes) is over its budget {budget:?}"
    );
}

/// The reads and writes since the last clear, without authentication calls and without the
/// read of the repository's `.forgehand.yml` (a per-repository cost, cached for minutes and
/// re-read on a push touching it — not a cost of the flow).
fn counted(app: &TestApp, flow: &str) -> (usize, usize) {
    let calls: Vec<_> = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| !c.path.contains("access_tokens"))
        .collect();
    let repo_file_reads = calls
        .iter()
        .filter(|c| !c.is_write() && c.path.contains(".forgehand.yml"))
        .count();
    assert!(
        repo_file_reads <= 1,
        "{flow}: the repository file was read {repo_file_reads} times"
    );
    let calls: Vec<_> = calls
        .into_iter()
        .filter(|c| !c.path.contains(".forgehand.yml"))
        .collect();
    for c in &calls {
        println!("{flow}: {} {}?{}", c.method, c.path, c.query);
    }
    let reads = calls.iter().filter(|c| !c.is_write()).count();
    let writes = calls.len() - reads;
    println!("{flow}: {reads} reads, {writes} writes");
    app.fake.clear_calls();
    (reads, writes)
}

fn github_merged(repo: &str, number: u64, body: &str) -> Value {
    let mut p: Value =
        serde_json::from_slice(&fixture("github/pull_request.closed.json")).expect("JSON");
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["default_branch"] = json!("main");
    p["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    let pr = &mut p["pull_request"];
    pr["number"] = json!(number);
    pr["merged"] = json!(true);
    pr["state"] = json!("closed");
    pr["body"] = json!(body);
    pr["head"]["ref"] = json!("release-next");
    pr["base"]["ref"] = json!("main");
    p
}

fn gitlab_merged(repo: &str, number: u64, body: &str) -> Value {
    let mut p: Value =
        serde_json::from_slice(&fixture("gitlab/merge_request.open.json")).expect("JSON");
    p["project"]["path_with_namespace"] = json!(repo);
    p["project"]["default_branch"] = json!("main");
    let attributes = &mut p["object_attributes"];
    attributes["action"] = json!("merge");
    attributes["state"] = json!("merged");
    attributes["iid"] = json!(number);
    attributes["source_branch"] = json!("release-next");
    attributes["target_branch"] = json!("main");
    attributes["description"] = json!(body);
    p
}

#[tokio::test]
async fn github_release_flows_stay_within_their_read_and_write_budgets() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITHUB_REPO);
    app.fake.clear_calls();
    app.github(
        "push",
        "gh-t1",
        &payloads::github_tag_push(GITHUB_REPO, "v1.4.0"),
    )
    .await;
    app.wait_idle().await;
    let tag_push = counted(&app, "github tag push");

    let run = payloads::github_run(GITHUB_REPO, "v1.4.0", 981, "success");
    app.github("workflow_run", "gh-w1", &run).await;
    app.wait_idle().await;
    let refresh = counted(&app, "github pipeline refresh");
    let body = &app.fake.opened_merge_requests(GITHUB_REPO)[0].0.body;
    insta::assert_snapshot!("github_release_mr_refreshed", body);
    // The same run again: one read, nothing written.
    app.github("workflow_run", "gh-w2", &run).await;
    app.wait_idle().await;
    assert_eq!(counted(&app, "github pipeline again"), (1, 0));

    let (mr, _) = app.fake.opened_merge_requests(GITHUB_REPO).remove(0);
    app.github(
        "pull_request",
        "gh-m1",
        &github_merged(GITHUB_REPO, mr.number, &mr.body),
    )
    .await;
    app.wait_idle().await;
    let merge = counted(&app, "github release MR merge");
    assert_eq!(app.fake.releases(GITHUB_REPO).len(), 1);
    app.fake.assert_all_routed();
    println!("github budgets: tag push {tag_push:?}, refresh {refresh:?}, merge {merge:?}");
    // The tag push reads one comparison more than before issue 10's release branch: whether
    // the default branch already has the tag (nothing to merge).
    let budget = Budget {
        tag_push: (7, 3),
        refresh: (2, 1),
        merge: (4, 1),
    };
    assert_within("github tag push", tag_push, budget.tag_push);
    assert_within("github pipeline refresh", refresh, budget.refresh);
    assert_within("github release MR merge", merge, budget.merge);
    app.teardown().await;
}

#[tokio::test]
async fn gitlab_release_flows_stay_within_their_read_and_write_budgets() {
    let app = spawn_app_with(YAML).await;
    seed(&app, GITLAB_REPO);
    app.fake.clear_calls();
    app.gitlab(
        "Tag Push Hook",
        "gl-t1",
        &payloads::gitlab_tag_push(GITLAB_REPO, "v1.4.0"),
    )
    .await;
    app.wait_idle().await;
    let tag_push = counted(&app, "gitlab tag push");

    let pipeline = payloads::gitlab_pipeline(GITLAB_REPO, "v1.4.0", 981, "running");
    app.gitlab("Pipeline Hook", "gl-p1", &pipeline).await;
    app.wait_idle().await;
    let refresh = counted(&app, "gitlab pipeline refresh");
    let body = &app.fake.opened_merge_requests(GITLAB_REPO)[0].0.body;
    insta::assert_snapshot!("gitlab_release_mr_refreshed", body);
    app.gitlab("Pipeline Hook", "gl-p2", &pipeline).await;
    app.wait_idle().await;
    assert_eq!(counted(&app, "gitlab pipeline again"), (1, 0));
    // A later status of the same pipeline: the line moves on.
    let success = payloads::gitlab_pipeline(GITLAB_REPO, "v1.4.0", 981, "success");
    app.gitlab("Pipeline Hook", "gl-p3", &success).await;
    app.wait_idle().await;
    assert_eq!(counted(&app, "gitlab pipeline success"), (2, 1));
    let body = &app.fake.opened_merge_requests(GITLAB_REPO)[0].0.body;
    assert!(body.contains("| Pipeline | [success]("), "{body}");
    assert!(!body.contains("running"), "{body}");

    let (mr, _) = app.fake.opened_merge_requests(GITLAB_REPO).remove(0);
    app.gitlab(
        "Merge Request Hook",
        "gl-m1",
        &gitlab_merged(GITLAB_REPO, mr.number, &mr.body),
    )
    .await;
    app.wait_idle().await;
    let merge = counted(&app, "gitlab release MR merge");
    assert_eq!(app.fake.releases(GITLAB_REPO).len(), 1);
    app.fake.assert_all_routed();
    println!("gitlab budgets: tag push {tag_push:?}, refresh {refresh:?}, merge {merge:?}");
    let budget = Budget {
        tag_push: (7, 2),
        refresh: (2, 1),
        merge: (4, 1),
    };
    assert_within("gitlab tag push", tag_push, budget.tag_push);
    assert_within("gitlab pipeline refresh", refresh, budget.refresh);
    assert_within("gitlab release MR merge", merge, budget.merge);
    app.teardown().await;
}
