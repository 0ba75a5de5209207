//! The shipped triage flow (`config/forgehand.yml`'s `roles`, `commands`, `triage` and
//! `rules`) end to end on both forges, and the economy rule: the commands and rules of one
//! comment cost one issue write on both forges; a command beats a rule in the same event.

mod support;

use serde_json::{json, Value};
use support::app::TestApp;
use support::triage::{comment, edits, seeded_app, shipped_sections, Side, BOTH};
use support::{fixture, Call};

async fn flow_app() -> TestApp {
    seeded_app(&shipped_sections(&["roles", "commands", "triage", "rules"])).await
}

/// Deliver "issue #1 was opened" as each forge says it.
async fn open_issue(app: &TestApp, side: Side, delivery: &str) {
    let status = match side {
        Side::Github => {
            let mut p: Value =
                serde_json::from_slice(&fixture("github/issues.opened.json")).unwrap();
            p["issue"]["number"] = json!(1);
            p["issue"]["labels"] = json!([]);
            p["issue"]["milestone"] = Value::Null;
            p["issue"]["assignees"] = json!([]);
            app.github("issues", delivery, &p).await.status
        }
        Side::Gitlab => {
            let mut p: Value = serde_json::from_slice(&fixture("gitlab/issue.open.json")).unwrap();
            p["project"]["path_with_namespace"] = json!(side.repo());
            p["object_attributes"]["iid"] = json!(1);
            p["object_attributes"]["labels"] = json!([]);
            p["object_attributes"]["milestone_id"] = Value::Null;
            p["labels"] = json!([]);
            p["assignees"] = json!([]);
            app.gitlab("Issue Hook", delivery, &p).await.status
        }
    };
    assert_eq!(status, 202);
    app.wait_idle().await;
}

fn reset(app: &TestApp, side: Side) {
    app.fake.update_issue(side.repo(), 1, |i| {
        i.labels = vec!["flow::Triage".into()];
        i.milestone = None;
        i.assignees = vec![];
    });
}

#[tokio::test]
async fn the_shipped_triage_flow_on_both_forges() {
    let app = flow_app().await;
    for side in BOTH {
        let repo = side.repo();
        // A new issue waits in flow::Triage.
        open_issue(&app, side, "open-1").await;
        assert_eq!(app.fake.issue(repo, 1).labels, ["flow::Triage"], "{side:?}");

        // A milestone other than Backlog and an assignee: flow::To Do replaces flow::Triage,
        // in the same write as the milestone.
        app.fake
            .update_issue(repo, 1, |i| i.assignees = vec!["alice".into()]);
        app.fake.clear_calls();
        comment(&app, side, "maint", "/milestone %\"1.4\"", "ms-1").await;
        let issue = app.fake.issue(repo, 1);
        assert_eq!(issue.milestone.as_deref(), Some("1.4"), "{side:?}");
        assert_eq!(issue.labels, ["flow::To Do"], "{side:?}");
        assert!(edits(&app).len() <= 2, "{side:?}: {:#?}", edits(&app));

        // Backlog is not triaged.
        reset(&app, side);
        app.fake
            .update_issue(repo, 1, |i| i.assignees = vec!["alice".into()]);
        comment(&app, side, "maint", "/milestone %Backlog", "ms-2").await;
        assert_eq!(app.fake.issue(repo, 1).labels, ["flow::Triage"], "{side:?}");

        // /triage urgent: the engineering lead and the current milestone → triaged.
        reset(&app, side);
        comment(&app, side, "maint", "/triage urgent", "t-1").await;
        let issue = app.fake.issue(repo, 1);
        assert_eq!(issue.assignees, ["lead"], "{side:?}");
        assert_eq!(issue.milestone.as_deref(), Some("1.4"), "{side:?}");
        assert_eq!(issue.labels, ["flow::To Do"], "{side:?}");

        // /triage later: the product manager and Backlog → still waiting in triage.
        reset(&app, side);
        comment(&app, side, "maint", "/triage later", "t-2").await;
        let issue = app.fake.issue(repo, 1);
        assert_eq!(issue.assignees, ["pm"], "{side:?}");
        assert_eq!(issue.milestone.as_deref(), Some("Backlog"), "{side:?}");
        assert_eq!(issue.labels, ["flow::Triage"], "{side:?}");
    }
    app.teardown().await;
}

fn describe(calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .map(|c| match c.query.as_str() {
            "" => format!("{} {}", c.method, c.path),
            q => format!("{} {}?{q}", c.method, c.path),
        })
        .collect()
}

const ECONOMY: &str = "/label ~bug ~ui\n/milestone %current\n/reassign @alice";

#[tokio::test]
async fn gitlab_one_comment_is_one_put() {
    let app = flow_app().await;
    let side = Side::Gitlab;
    reset(&app, side);
    app.fake.clear_calls();
    let id = comment(&app, side, "maint", ECONOMY, "eco-1").await;
    let calls = app.fake.calls();
    eprintln!("GitLab calls: {:#?}", describe(&calls));
    let writes: Vec<&Call> = calls.iter().filter(|c| c.is_write()).collect();
    let puts: Vec<&&Call> = writes.iter().filter(|c| c.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "{:#?}", describe(&calls));
    let put = &puts[0].body;
    assert_eq!(put["add_labels"], json!("bug,ui,flow::To Do"));
    assert_eq!(put["remove_labels"], json!("flow::Triage"));
    assert!(put["milestone_id"].is_u64());
    assert_eq!(put["assignee_ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        writes.len(),
        2,
        "the PUT and the reaction: {:#?}",
        describe(&calls)
    );
    let emoji = format!("/notes/{id}/award_emoji");
    assert!(writes.iter().any(|w| w.path.ends_with(&emoji)));
    let issue = app.fake.issue(side.repo(), 1);
    assert_eq!(issue.labels, ["bug", "ui", "flow::To Do"]);
    assert_eq!(issue.milestone.as_deref(), Some("1.4"));
    assert_eq!(issue.assignees, ["alice"]);

    // The same look-ups again come from the cache: only the item and the write.
    reset(&app, side);
    app.fake.clear_calls();
    comment(&app, side, "maint", ECONOMY, "eco-2").await;
    let again = describe(&app.fake.calls());
    eprintln!("GitLab calls, cached: {again:#?}");
    for list in ["/labels", "/milestones", "/users"] {
        assert!(
            !again.iter().any(|c| c.contains(list)),
            "{list} read again: {again:#?}"
        );
    }
    app.teardown().await;
}

#[tokio::test]
async fn github_one_comment_is_at_most_two_writes() {
    let app = flow_app().await;
    let side = Side::Github;
    reset(&app, side);
    app.fake.clear_calls();
    comment(&app, side, "maint", ECONOMY, "eco-1").await;
    let calls = app.fake.calls();
    eprintln!("GitHub calls: {:#?}", describe(&calls));
    let reactions = calls
        .iter()
        .filter(|c| c.is_write() && c.path.ends_with("/reactions"))
        .count();
    assert_eq!(reactions, 1);
    // A label is removed (flow::Triage), so GitHub gets the whole label list in the PATCH
    // that also sets the milestone and the assignees: one write.
    let methods: Vec<String> = edits(&app).iter().map(|c| c.method.clone()).collect();
    assert_eq!(methods, ["PATCH"], "{:#?}", describe(&calls));
    let issue = app.fake.issue(side.repo(), 1);
    assert_eq!(issue.labels, ["bug", "ui", "flow::To Do"]);
    assert_eq!(issue.milestone.as_deref(), Some("1.4"));
    assert_eq!(issue.assignees, ["alice"]);

    // Nothing to remove: the labels travel in the PATCH that sets the rest (after one read
    // of the issue's labels): one write.
    app.fake.update_issue(side.repo(), 1, |i| {
        i.labels.clear();
        i.milestone = None;
        i.assignees.clear();
    });
    app.fake.clear_calls();
    comment(&app, side, "maint", ECONOMY, "eco-2").await;
    let methods: Vec<String> = edits(&app).iter().map(|c| c.method.clone()).collect();
    assert_eq!(methods, ["PATCH"], "{:#?}", describe(&app.fake.calls()));
    assert_eq!(app.fake.issue(side.repo(), 1).labels, ["bug", "ui"]);

    reset(&app, side);
    app.fake.clear_calls();
    comment(&app, side, "maint", ECONOMY, "eco-3").await;
    let again = describe(&app.fake.calls());
    eprintln!("GitHub calls, cached: {again:#?}");
    for list in ["/labels", "/milestones", "/users/", "/permission"] {
        let reads = again
            .iter()
            .filter(|c| c.starts_with("GET") && c.contains(list))
            .count();
        // The caller's permission is cached briefly too (`forge::ROLE_TTL`).
        assert_eq!(reads, 0, "{list}: {again:#?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_rule_comment_is_posted_once_per_issue_on_both_forges() {
    let rules = r#"
rules:
  - id: welcome
    on: [issue.opened, comment]
    if: { labels_absent: [bug] }
    then:
      comment: "Thanks for #{{ number }}, @{{ actor }}! A maintainer will triage it."
"#;
    let app = seeded_app(rules).await;
    for side in BOTH {
        open_issue(&app, side, "w-1").await;
        comment(&app, side, "reader", "any news?", "w-2").await;
        let bodies = support::triage::replies(&app, side);
        assert_eq!(bodies.len(), 1, "{side:?}: {bodies:#?}");
        assert!(bodies[0].starts_with("Thanks for #1, @"), "{}", bodies[0]);
        assert!(bodies[0].ends_with("<!-- forgehand:rule welcome -->"));
    }
    app.teardown().await;
}

#[tokio::test]
async fn labels_sync_creates_the_labels_the_rules_use_on_both_forges() {
    let app = support::app::spawn_app_with(&shipped_sections(&["rules"])).await;
    let wanted = forgehand::cli::labels::wanted_labels(&app.config);
    let names: Vec<_> = wanted.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["flow::Triage", "flow::To Do"]);
    let forges = forgehand::forge::build(&app.config, Default::default())
        .await
        .unwrap();
    for (kind, repo) in [
        (
            forgehand::event::ForgeKind::Github,
            support::triage::GITHUB_REPO,
        ),
        (
            forgehand::event::ForgeKind::Gitlab,
            support::triage::GITLAB_REPO,
        ),
    ] {
        app.fake.add_repo(repo);
        app.fake.add_label(repo, "flow::To Do");
        let forge = forges.get(kind).unwrap();
        let sync = forgehand::cli::labels::sync;
        let dry = sync(forge.as_ref(), repo, &wanted, true).await.unwrap();
        assert_eq!(dry.created, ["flow::Triage"], "{kind}");
        assert_eq!(
            app.fake.labels(repo),
            ["flow::To Do"],
            "{kind}: a dry run writes nothing"
        );
        let done = sync(forge.as_ref(), repo, &wanted, false).await.unwrap();
        assert_eq!(done.created, ["flow::Triage"], "{kind}");
        assert_eq!(done.existing, ["flow::To Do"], "{kind}");
        assert_eq!(
            app.fake.labels(repo),
            ["flow::To Do", "flow::Triage"],
            "{kind}"
        );
        let again = sync(forge.as_ref(), repo, &wanted, false).await.unwrap();
        assert!(
            again.created.is_empty() && again.updated.is_empty(),
            "{kind}: a second sync changes nothing: {again:?}"
        );
    }
    app.teardown().await;
}

/// `labels:` gives colours and descriptions: new labels get them, existing ones that differ
/// are updated (a name spelled in another case too), matching ones are left alone, and a
/// second run writes nothing.
#[tokio::test]
async fn labels_sync_sets_colour_and_description_from_the_labels_section_on_both_forges() {
    let section = r##"
rules:
  - id: new-issue
    on: [issue.opened]
    then:
      add_labels: ["flow::Triage"]
labels:
  "flow::Triage": {color: "#FBCA04", description: Waiting for triage}
  bug: {color: d73a4a, description: Something is broken}
  docs: {description: Documentation}
  keep: {color: "0e8a16"}
"##;
    let app = support::app::spawn_app_with(section).await;
    let wanted = forgehand::cli::labels::wanted_labels(&app.config);
    let forges = forgehand::forge::build(&app.config, Default::default())
        .await
        .unwrap();
    for (kind, repo) in [
        (
            forgehand::event::ForgeKind::Github,
            support::triage::GITHUB_REPO,
        ),
        (
            forgehand::event::ForgeKind::Gitlab,
            support::triage::GITLAB_REPO,
        ),
    ] {
        app.fake.add_repo(repo);
        app.fake
            .add_styled_label(repo, "BUG", "ee0701", "Something is wrong");
        app.fake.add_styled_label(repo, "docs", "c5def5", "");
        app.fake.add_styled_label(repo, "keep", "0e8a16", "Mine");
        let forge = forges.get(kind).unwrap();
        let sync = forgehand::cli::labels::sync;
        let done = sync(forge.as_ref(), repo, &wanted, false).await.unwrap();
        assert_eq!(done.created, ["flow::Triage"], "{kind}");
        assert_eq!(done.updated, ["bug", "docs"], "{kind}");
        assert_eq!(done.existing, ["keep"], "{kind}");
        let style = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            app.fake.label_styles(repo),
            [
                style("BUG", "d73a4a", "Something is broken"),
                style("docs", "c5def5", "Documentation"),
                style("keep", "0e8a16", "Mine"),
                style("flow::Triage", "fbca04", "Waiting for triage"),
            ],
            "{kind}"
        );
        let writes = app.fake.writes().len();
        let again = sync(forge.as_ref(), repo, &wanted, false).await.unwrap();
        assert!(
            again.created.is_empty() && again.updated.is_empty(),
            "{kind}: {again:?}"
        );
        assert_eq!(
            app.fake.writes().len(),
            writes,
            "{kind}: the second run writes nothing"
        );
    }
    app.teardown().await;
}

/// A repository that keeps its process in its own `.forgehand.yml`: `labels sync` with that
/// file syncs its rules' labels and its `labels:` (over the server's), on both forges.
#[tokio::test]
async fn labels_sync_takes_the_repository_files_rules_and_labels_on_both_forges() {
    let app = support::app::spawn_app_with(&shipped_sections(&["rules"])).await;
    let own = forgehand::config::repo::RepoFile::from_str(
        r##"
rules:
  - id: needs-owner
    on: [issue.opened]
    then:
      add_labels: ["needs-owner"]
labels:
  "needs-owner": {color: "#c2e0c6", description: Nobody owns it yet}
  "flow::Triage": {description: Waiting for the lead}
"##,
        ".forgehand.yml",
    )
    .expect("a valid repository file");
    let forges = forgehand::forge::build(&app.config, Default::default())
        .await
        .unwrap();
    for (kind, repo) in [
        (
            forgehand::event::ForgeKind::Github,
            support::triage::GITHUB_REPO,
        ),
        (
            forgehand::event::ForgeKind::Gitlab,
            support::triage::GITLAB_REPO,
        ),
    ] {
        let server_only = forgehand::cli::labels::wanted_in_repo(&app.config, kind, repo, None);
        assert!(
            server_only.iter().all(|(n, _)| n != "needs-owner"),
            "{kind}: {server_only:?}"
        );
        let wanted = forgehand::cli::labels::wanted_in_repo(&app.config, kind, repo, Some(&own));
        let names: Vec<&str> = wanted.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["needs-owner", "flow::Triage"], "{kind}");
        app.fake.add_repo(repo);
        let forge = forges.get(kind).unwrap();
        let done = forgehand::cli::labels::sync(forge.as_ref(), repo, &wanted, false)
            .await
            .unwrap();
        assert_eq!(done.created, ["needs-owner", "flow::Triage"], "{kind}");
        let style = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            app.fake.label_styles(repo),
            [
                style("needs-owner", "c2e0c6", "Nobody owns it yet"),
                style("flow::Triage", "ededed", "Waiting for the lead"),
            ],
            "{kind}"
        );
    }
    app.teardown().await;
}

/// Someone sets the milestone by hand (no command): the forge's issue event alone triages
/// the issue. GitLab names the milestone by id only; forgehand finds its title.
#[tokio::test]
async fn a_milestone_set_by_hand_triages_the_issue_on_both_forges() {
    let app = flow_app().await;
    let cases = [("Backlog", "flow::Triage"), ("1.4", "flow::To Do")];
    for (side, (title, expected)) in BOTH.into_iter().flat_map(|s| cases.map(|c| (s, c))) {
        let repo = side.repo();
        let delivery = format!("hand-{title}");
        app.fake.update_issue(repo, 1, |i| {
            i.labels = vec!["flow::Triage".into()];
            i.milestone = Some(title.into());
            i.assignees = vec!["alice".into()];
        });
        let status = match side {
            Side::Github => {
                let mut p: Value =
                    serde_json::from_slice(&fixture("github/issues.milestoned.json")).unwrap();
                p["issue"]["number"] = json!(1);
                p["issue"]["labels"] = json!([{ "name": "flow::Triage" }]);
                p["issue"]["assignees"] = json!([{ "login": "alice" }]);
                p["issue"]["milestone"]["title"] = json!(title);
                app.github("issues", &delivery, &p).await.status
            }
            Side::Gitlab => {
                let id = app.fake.milestone_id(repo, title);
                let mut p: Value =
                    serde_json::from_slice(&fixture("gitlab/issue.open.json")).unwrap();
                p["project"]["path_with_namespace"] = json!(repo);
                p["object_attributes"]["action"] = json!("update");
                p["object_attributes"]["iid"] = json!(1);
                p["object_attributes"]["milestone_id"] = json!(id);
                p["object_attributes"]["labels"] = json!([{ "title": "flow::Triage" }]);
                p["labels"] = json!([{ "title": "flow::Triage" }]);
                p["assignees"] = json!([{ "username": "alice", "name": "alice" }]);
                p["changes"] = json!({ "milestone_id": { "previous": null, "current": id } });
                app.gitlab("Issue Hook", &delivery, &p).await.status
            }
        };
        assert_eq!(status, 202);
        app.wait_idle().await;
        assert_eq!(
            app.fake.issue(repo, 1).labels,
            [expected],
            "{side:?} {title}"
        );
    }
    app.teardown().await;
}

/// The handbook's recipe for handing an issue to the lead for triage.
const TO_THE_LEAD: &str = "/milestone %current\n/label ~\"flow::Triage\"\n/reassign @lead";

#[tokio::test]
async fn a_command_beats_a_rule_in_the_same_event_and_rules_act_later_on_both_forges() {
    let app = flow_app().await;
    for side in BOTH {
        let repo = side.repo();
        app.fake.update_issue(repo, 1, |i| {
            i.labels = vec!["flow::To Do".into()];
            i.milestone = None;
            i.assignees = vec![];
        });
        app.fake.clear_calls();
        comment(&app, side, "maint", TO_THE_LEAD, &format!("{side:?}-lead")).await;
        let issue = app.fake.issue(repo, 1);
        // The shipped `triaged` rule would turn it into flow::To Do; the command wins.
        assert_eq!(issue.labels, ["flow::Triage"], "{side:?}");
        assert_eq!(issue.milestone.as_deref(), Some("1.4"), "{side:?}");
        assert_eq!(issue.assignees, ["lead"], "{side:?}");
        // The recipe costs one edit (and the reaction; no reply: nothing was refused).
        let methods: Vec<String> = edits(&app).iter().map(|c| c.method.clone()).collect();
        let expected = match side {
            Side::Github => "PATCH",
            Side::Gitlab => "PUT",
        };
        assert_eq!(
            methods,
            [expected],
            "{side:?}: {:#?}",
            describe(&app.fake.calls())
        );
        // A later event: the rule acts as usual.
        comment(
            &app,
            side,
            "reader",
            "any news?",
            &format!("{side:?}-later"),
        )
        .await;
        assert_eq!(app.fake.issue(repo, 1).labels, ["flow::To Do"], "{side:?}");
    }
    app.teardown().await;
}
