//! The real octocrab and gitlab clients against the stateful fake forge: state changes, call
//! counts, retry of 5xx / 429, error messages, idempotent marker comments, reactions, roles.

mod support;

use forgehand::execute::issue_edit;
use forgehand::execute::ACTIONS_METRIC;
use forgehand::forge::{
    Forge, ForgeError, GithubAuth, GithubConfig, GithubForge, GitlabConfig, GitlabForge, IssueEdit,
    ReleaseForge, RetryPolicy,
};
use forgehand::model::{IssueRef, Login, RepoPath};
use forgehand::plan::{Intent, IssueChange, Plan, StateChange, Target};
use forgehand::role::Role;
use forgehand::telemetry::Metrics;
use secrecy::SecretString;
use std::time::Duration;
use support::execute_as_new_delivery as execute;
use support::FakeForge;

const REPO: &str = "acme/app";

/// Quick retries so that tests do not sleep long (`Retry-After` is still honoured).
fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    }
}

fn github(fake: &FakeForge) -> GithubForge {
    let mut config = GithubConfig::new(
        fake.url(),
        GithubAuth::Token(SecretString::from("ghp_test_token")),
    );
    config.write_interval = Duration::ZERO;
    config.retry = fast_retry();
    GithubForge::new(config).expect("github client")
}

async fn gitlab(fake: &FakeForge) -> GitlabForge {
    let mut config = GitlabConfig::new(fake.url(), SecretString::from("glpat-test"));
    config.write_interval = Duration::ZERO;
    config.retry = fast_retry();
    GitlabForge::connect(config).await.expect("gitlab client")
}

/// A fake with `acme/app`, issue #1, labels, milestones `1.4` / `Backlog`, and users.
async fn seeded() -> FakeForge {
    let fake = FakeForge::start().await;
    fake.add_repo(REPO);
    fake.add_issue(REPO, 1);
    fake.add_merge_request(REPO, 2);
    for label in ["bug", "flow::Triage", "flow::To Do", "priority::high"] {
        fake.add_label(REPO, label);
    }
    fake.add_milestone_dated(REPO, "1.4", Some("2024-05-01"), Some("2024-05-14"));
    fake.add_milestone(REPO, "Backlog");
    fake.add_user("alice", Role::Owner);
    fake.add_user("bob", Role::Maintainer);
    fake.add_user("carol", Role::Reader);
    fake.add_user("dave", None);
    fake
}

fn issue(number: u64) -> Target {
    Target {
        repo: REPO.into(),
        number,
        is_merge_request: false,
    }
}

fn repo() -> RepoPath {
    RepoPath::parse(REPO).unwrap()
}

/// Issue `number` of [`REPO`], as the forge clients take it.
fn item(number: u64) -> IssueRef {
    IssueRef::parse(REPO, number, false).unwrap()
}

fn mr_item(number: u64) -> IssueRef {
    IssueRef::parse(REPO, number, true).unwrap()
}

fn login(name: &str) -> Login {
    Login::parse(name).unwrap()
}

fn edit(change: &IssueChange) -> IssueEdit {
    issue_edit(change).unwrap()
}

/// Everything at once: add + remove labels, milestone, assignees, close.
fn full_change() -> IssueChange {
    IssueChange {
        add_labels: vec!["flow::To Do".into(), "priority::high".into()],
        remove_labels: vec!["flow::Triage".into()],
        milestone: Some(Some("1.4".into())),
        add_assignees: vec!["alice".into()],
        state: Some(StateChange::Close),
        ..IssueChange::default()
    }
}

fn seed_triage(fake: &FakeForge, number: u64) {
    fake.update_issue(REPO, number, |i| {
        i.labels = vec!["bug".into(), "flow::Triage".into()];
        i.assignees = vec!["bob".into()];
    });
}

fn edit_plan(target: Target, change: IssueChange) -> Plan {
    Plan {
        intents: vec![Intent::EditIssue { target, change }],
        notes: vec![],
    }
}

#[tokio::test]
async fn github_adding_labels_is_one_post() {
    let fake = seeded().await;
    let forge = github(&fake);
    let change = IssueChange {
        add_labels: vec!["bug".into(), "flow::Triage".into()],
        ..IssueChange::default()
    };
    forge.edit_issue(&item(1), &edit(&change)).await.unwrap();

    assert_eq!(fake.issue(REPO, 1).labels, ["bug", "flow::Triage"]);
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "POST");
    assert_eq!(writes[0].path, "/repos/acme/app/issues/1/labels");
    assert_eq!(
        writes[0].authorization.as_deref(),
        Some("Bearer ghp_test_token")
    );
    fake.assert_all_routed();
}

#[tokio::test]
async fn gitlab_adding_labels_changes_the_issue() {
    let fake = seeded().await;
    let forge = gitlab(&fake).await;
    let change = IssueChange {
        add_labels: vec!["bug".into()],
        ..IssueChange::default()
    };
    forge.edit_issue(&item(1), &edit(&change)).await.unwrap();
    assert_eq!(fake.issue(REPO, 1).labels, ["bug"]);
    fake.assert_all_routed();
}

#[tokio::test]
async fn gitlab_full_edit_is_exactly_one_put() {
    let fake = seeded().await;
    seed_triage(&fake, 1);
    let forge = gitlab(&fake).await;
    let done = execute(
        &edit_plan(issue(1), full_change()),
        &forge,
        &Metrics::default(),
    )
    .await
    .unwrap();
    assert_eq!(done.len(), 1);

    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PUT");
    assert_eq!(writes[0].path, "/api/v4/projects/acme/app/issues/1");
    let body = &writes[0].body;
    assert_eq!(body["add_labels"], "flow::To Do,priority::high");
    assert_eq!(body["remove_labels"], "flow::Triage");
    assert_eq!(body["state_event"], "close");

    let after = fake.issue(REPO, 1);
    assert_eq!(after.labels, ["bug", "flow::To Do", "priority::high"]);
    assert_eq!(after.milestone.as_deref(), Some("1.4"));
    assert_eq!(after.assignees, ["bob", "alice"]);
    assert_eq!(after.state, "closed");
    fake.assert_all_routed();
}

#[tokio::test]
async fn github_full_edit_is_at_most_two_writes() {
    let fake = seeded().await;
    seed_triage(&fake, 1);
    let forge = github(&fake);
    execute(
        &edit_plan(issue(1), full_change()),
        &forge,
        &Metrics::default(),
    )
    .await
    .unwrap();

    let writes = fake.writes();
    assert!(writes.len() <= 2, "{writes:?}");
    // Removals make GitHub take the whole resulting label list in the one PATCH.
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(
        writes[0].body["labels"],
        serde_json::json!(["bug", "flow::To Do", "priority::high"])
    );
    assert_eq!(writes[0].body["milestone"], 1);
    assert_eq!(writes[0].body["state"], "closed");
    let after = fake.issue(REPO, 1);
    assert_eq!(after.labels, ["bug", "flow::To Do", "priority::high"]);
    assert_eq!(after.milestone.as_deref(), Some("1.4"));
    assert_eq!(after.assignees, ["bob", "alice"]);
    assert_eq!(after.state, "closed");
    fake.assert_all_routed();
}

/// GitHub's `PATCH` replaces the whole label list, so to remove a label the GitHub client
/// reads the item's labels itself: one read, one write. GitLab removes by name: one write,
/// no read.
#[tokio::test]
async fn removing_a_label_reads_only_where_the_forge_needs_it() {
    let fake = seeded().await;
    seed_triage(&fake, 1);
    let change = IssueChange {
        remove_labels: vec!["flow::Triage".into()],
        ..IssueChange::default()
    };
    github(&fake)
        .edit_issue(&item(1), &edit(&change))
        .await
        .unwrap();
    let calls: Vec<String> = fake
        .calls()
        .iter()
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    assert_eq!(
        calls,
        [
            "GET /repos/acme/app/issues/1",
            "PATCH /repos/acme/app/issues/1"
        ]
    );
    assert_eq!(fake.writes()[0].body["labels"], serde_json::json!(["bug"]));
    assert_eq!(fake.issue(REPO, 1).labels, ["bug"]);

    seed_triage(&fake, 1);
    fake.clear_calls();
    let gl = gitlab(&fake).await;
    fake.clear_calls();
    gl.edit_issue(&item(1), &edit(&change)).await.unwrap();
    let calls: Vec<String> = fake
        .calls()
        .iter()
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    assert_eq!(calls, ["PUT /api/v4/projects/acme/app/issues/1"]);
    assert_eq!(fake.issue(REPO, 1).labels, ["bug"]);
    fake.assert_all_routed();
}

/// Every value a client puts into a URL is encoded: a branch or file name made of `..` and
/// `/` stays one value inside the repository's path and cannot reach another endpoint; a
/// value that URL parsers would resolve even encoded (`..`, empty) is refused unsent.
#[tokio::test]
async fn hostile_names_stay_inside_the_repository_path() {
    let fake = seeded().await;
    let gh = github(&fake);
    let gl = gitlab(&fake).await;
    let escape = "../../../../users/alice";
    for forge in [&gh as &dyn Forge, &gl] {
        let kind = forge.kind();
        fake.clear_calls();
        assert!(
            !forge.branch_exists(&repo(), escape).await.unwrap(),
            "{kind}"
        );
        assert!(forge.file_at(&repo(), "x", escape).await.unwrap().is_none());
        let refused = [
            forge.branch_exists(&repo(), "..").await.err(),
            forge.branch_exists(&repo(), "").await.err(),
            forge.file_at(&repo(), "..", "main").await.err(),
        ];
        for err in refused {
            assert!(
                matches!(err, Some(ForgeError::Invalid(_))),
                "{kind}: {err:?}"
            );
        }
        let calls = fake.calls();
        assert_eq!(calls.len(), 2, "{kind}: {calls:#?}");
        for call in &calls {
            let inside = call.path.starts_with("/repos/acme/app/")
                || call.path.starts_with("/api/v4/projects/acme/app/");
            assert!(inside && call.status == 404, "{kind}: {call:#?}");
        }
    }
    // GitHub takes a file path with its `/`: a `..` in it is refused.
    let err = gh.file_at(&repo(), escape, "main").await.unwrap_err();
    assert!(matches!(err, ForgeError::Invalid(_)), "{err:?}");
    // GitLab takes it as one encoded segment.
    assert!(gl.file_at(&repo(), escape, "main").await.unwrap().is_none());
    assert!(fake
        .calls()
        .last()
        .unwrap()
        .path
        .starts_with("/api/v4/projects/acme/app/repository/files/"));
    fake.assert_all_routed();
}

/// GitHub wants `owner/name`; a nested path is refused before any request.
#[tokio::test]
async fn github_refuses_a_nested_repository_path() {
    let fake = seeded().await;
    let nested = IssueRef::parse("group/sub/app", 1, false).unwrap();
    let err = github(&fake).comment(&nested, "x").await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("owner/name"), "{err}");
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn github_additions_with_milestone_travel_in_the_one_patch() {
    let fake = seeded().await;
    let forge = github(&fake);
    let change = IssueChange {
        add_labels: vec!["bug".into()],
        milestone: Some(Some("Backlog".into())),
        set_assignees: Some(vec!["carol".into()]),
        ..IssueChange::default()
    };
    forge.edit_issue(&item(1), &edit(&change)).await.unwrap();
    let writes: Vec<_> = fake
        .writes()
        .into_iter()
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    // A PATCH is made anyway (milestone, assignees): the labels go in it, after one read
    // of the labels the issue has now.
    assert_eq!(writes, ["PATCH /repos/acme/app/issues/1"]);
    let reads = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "GET" && c.path == "/repos/acme/app/issues/1")
        .count();
    assert_eq!(reads, 1);
    let after = fake.issue(REPO, 1);
    assert_eq!(after.labels, ["bug"]);
    assert_eq!(after.milestone.as_deref(), Some("Backlog"));
    assert_eq!(after.assignees, ["carol"]);
    fake.assert_all_routed();
}

#[tokio::test]
async fn removing_milestone_and_reopening_on_both_forges() {
    let fake = seeded().await;
    fake.update_issue(REPO, 1, |i| {
        i.milestone = Some("1.4".into());
        i.state = "closed".into();
    });
    let change = IssueChange {
        milestone: Some(None),
        state: Some(StateChange::Reopen),
        ..IssueChange::default()
    };
    github(&fake)
        .edit_issue(&item(1), &edit(&change))
        .await
        .unwrap();
    let after = fake.issue(REPO, 1);
    assert_eq!((after.milestone, after.state.as_str()), (None, "open"));

    fake.update_issue(REPO, 1, |i| {
        i.milestone = Some("1.4".into());
        i.state = "closed".into();
    });
    gitlab(&fake)
        .await
        .edit_issue(&item(1), &edit(&change))
        .await
        .unwrap();
    let after = fake.issue(REPO, 1);
    assert_eq!((after.milestone, after.state.as_str()), (None, "open"));
    assert_eq!(fake.writes().last().unwrap().body["milestone_id"], 0);
    fake.assert_all_routed();
}

#[tokio::test]
async fn gitlab_merge_requests_use_their_own_endpoint() {
    let fake = seeded().await;
    let forge = gitlab(&fake).await;
    let change = IssueChange {
        add_labels: vec!["release".into()],
        set_assignees: Some(vec!["bob".into()]),
        ..IssueChange::default()
    };
    forge.edit_issue(&mr_item(2), &edit(&change)).await.unwrap();
    assert_eq!(
        fake.writes()[0].path,
        "/api/v4/projects/acme/app/merge_requests/2"
    );
    assert_eq!(fake.issue(REPO, 2).labels, ["release"]);
    assert_eq!(fake.issue(REPO, 2).assignees, ["bob"]);
    fake.assert_all_routed();
}

#[tokio::test]
async fn a_503_is_retried_until_it_succeeds() {
    let fake = seeded().await;
    let change = IssueChange {
        state: Some(StateChange::Close),
        ..IssueChange::default()
    };

    fake.fail_next("PATCH", "/repos/acme/app/issues/1", 503, None, 2);
    github(&fake)
        .edit_issue(&item(1), &edit(&change))
        .await
        .unwrap();
    assert_eq!(fake.writes().len(), 3);
    assert_eq!(fake.issue(REPO, 1).state, "closed");

    fake.clear_calls();
    fake.update_issue(REPO, 1, |i| i.state = "open".into());
    let gl = gitlab(&fake).await;
    fake.fail_next("PUT", "/api/v4/projects/acme/app/issues/1", 502, None, 1);
    gl.edit_issue(&item(1), &edit(&change)).await.unwrap();
    assert_eq!(fake.writes().len(), 2);
    assert_eq!(fake.issue(REPO, 1).state, "closed");
    fake.assert_all_routed();
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured() {
    let fake = seeded().await;
    fake.fail_next("POST", "/repos/acme/app/issues/1/comments", 429, Some(1), 1);
    let plan = Plan {
        intents: vec![Intent::Comment {
            target: issue(1),
            body: "hello".into(),
            marker: None,
        }],
        notes: vec![],
    };
    let started = std::time::Instant::now();
    execute(&plan, &github(&fake), &Metrics::default())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    let posts = fake.writes();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert_eq!(posts[0].status, 429);
    assert_eq!(posts[1].status, 201);
    assert_eq!(fake.comments(REPO, 1).len(), 1);

    fake.clear_calls();
    let gl = gitlab(&fake).await;
    fake.fail_next("PUT", "/api/v4/projects/acme/app/issues/1", 429, Some(1), 1);
    gl.edit_issue(&item(1), &edit(&full_change()))
        .await
        .unwrap();
    let puts = fake.writes();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert_eq!(puts[0].status, 429);
    fake.assert_all_routed();
}

/// A create is sent once by the client whatever the failure (it may have landed): the
/// executor looks for it before sending it again (`execute/journal.rs`).
#[tokio::test]
async fn creates_are_sent_once_by_the_clients() {
    let fake = seeded().await;
    fake.fail_next("POST", "/repos/acme/app/issues/1/comments", 502, None, 1);
    let err = github(&fake).comment(&item(1), "x").await.unwrap_err();
    assert!(matches!(err, ForgeError::Transient(_)), "{err:?}");
    assert_eq!(fake.writes().len(), 1);
    fake.clear_calls();
    let gl = gitlab(&fake).await;
    fake.fail_next(
        "POST",
        "/api/v4/projects/acme/app/issues/1/notes",
        429,
        Some(1),
        1,
    );
    let err = gl.comment(&item(1), "x").await.unwrap_err();
    assert!(matches!(err, ForgeError::RateLimited { .. }), "{err:?}");
    assert_eq!(fake.writes().len(), 1);
    fake.assert_all_routed();
}

#[tokio::test]
async fn retries_stop_after_the_last_attempt() {
    let fake = seeded().await;
    fake.fail_next("PATCH", "/repos/acme/app/issues/1", 500, None, 10);
    let close = IssueChange {
        state: Some(StateChange::Close),
        ..IssueChange::default()
    };
    let err = github(&fake)
        .edit_issue(&item(1), &edit(&close))
        .await
        .unwrap_err();
    assert!(matches!(err, ForgeError::Transient(_)), "{err:?}");
    assert_eq!(fake.writes().len(), fast_retry().max_attempts as usize);
    fake.assert_all_routed();
}

#[tokio::test]
async fn a_4xx_fails_at_once_with_the_forges_message() {
    let fake = seeded().await;
    let gh = github(&fake);
    let change = IssueChange {
        state: Some(StateChange::Close),
        ..IssueChange::default()
    };

    fake.fail_next("PATCH", "/repos/acme/app/issues/1", 422, None, 1);
    let err = gh.edit_issue(&item(1), &edit(&change)).await.unwrap_err();
    assert_eq!(
        err,
        ForgeError::Rejected {
            status: 422,
            message: "injected failure 422".into()
        }
    );
    assert_eq!(fake.writes().len(), 1, "a 4xx is not retried");

    let err = gh.edit_issue(&item(99), &edit(&change)).await.unwrap_err();
    assert_eq!(err, ForgeError::NotFound("Not Found".into()));

    let gl = gitlab(&fake).await;
    let err = gl.edit_issue(&item(99), &edit(&change)).await.unwrap_err();
    assert_eq!(err, ForgeError::NotFound("404 Not Found".into()));

    fake.fail_next("GET", "/repos/acme/app/labels", 401, None, 1);
    assert_eq!(gh.labels(&repo()).await, Err(ForgeError::Unauthorized));
    fake.assert_all_routed();
}

#[tokio::test]
async fn unknown_milestones_and_users_fail_without_writing() {
    let fake = seeded().await;
    let change = IssueChange {
        milestone: Some(Some("9.9".into())),
        ..IssueChange::default()
    };
    let err = github(&fake)
        .edit_issue(&item(1), &edit(&change))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ForgeError::NotFound(m) if m.contains("9.9")),
        "{err:?}"
    );

    let gl = gitlab(&fake).await;
    assert!(gl.edit_issue(&item(1), &edit(&change)).await.is_err());
    let change = IssueChange {
        add_assignees: vec!["nobody".into()],
        ..IssueChange::default()
    };
    let err = gl.edit_issue(&item(1), &edit(&change)).await.unwrap_err();
    assert_eq!(err, ForgeError::NotFound("user @nobody".into()));
    assert!(fake.writes().is_empty());
    fake.assert_all_routed();
}

#[tokio::test]
async fn an_executor_failure_stops_the_plan() {
    let fake = seeded().await;
    let forge = github(&fake);
    fake.fail_next("POST", "/repos/acme/app/issues/1/comments", 403, None, 1);
    let plan = Plan {
        intents: vec![
            Intent::Comment {
                target: issue(1),
                body: "first".into(),
                marker: None,
            },
            Intent::Comment {
                target: issue(1),
                body: "second".into(),
                marker: None,
            },
        ],
        notes: vec![],
    };
    let err = execute(&plan, &forge, &Metrics::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("injected failure 403"), "{err}");
    assert_eq!(fake.writes().len(), 1);
    assert!(fake.comments(REPO, 1).is_empty());
    fake.assert_all_routed();
}

fn marker_plan() -> Plan {
    let comment = Intent::Comment {
        target: issue(1),
        body: "Deployment request filed.\n<!-- forgehand:deploy v1.4.0 -->".into(),
        marker: Some("<!-- forgehand:deploy v1.4.0 -->".into()),
    };
    Plan {
        intents: vec![comment],
        notes: vec![],
    }
}

#[tokio::test]
async fn marker_comments_are_not_duplicated() {
    let fake = seeded().await;
    fake.add_comment(REPO, 1, "carol", "unrelated");
    let gh = github(&fake);
    let metrics = Metrics::default();
    execute(&marker_plan(), &gh, &metrics).await.unwrap();
    let done = execute(&marker_plan(), &gh, &metrics).await.unwrap();
    assert!(done[0].contains("skipped"), "{done:?}");
    assert_eq!(fake.comments(REPO, 1).len(), 2);
    let count = |outcome| {
        let labels = [
            ("forge", "github"),
            ("action", "comment"),
            ("outcome", outcome),
        ];
        metrics.counter(ACTIONS_METRIC, &labels)
    };
    assert_eq!((count("done"), count("skipped")), (1, 1));

    let gl = gitlab(&fake).await;
    let done = execute(&marker_plan(), &gl, &Metrics::default())
        .await
        .unwrap();
    assert!(done[0].contains("skipped"), "{done:?}");
    assert_eq!(fake.comments(REPO, 1).len(), 2);
    fake.assert_all_routed();
}

#[tokio::test]
async fn reactions_on_both_forges() {
    let fake = seeded().await;
    let id = fake.add_comment(REPO, 1, "carol", "/label ~bug");
    let gh = github(&fake);
    gh.react(&item(1), id, "eyes").await.unwrap();
    gh.react(&item(1), id, "eyes").await.unwrap();
    let writes = fake.writes();
    assert_eq!(
        writes[0].path,
        format!("/repos/acme/app/issues/comments/{id}/reactions")
    );
    assert_eq!(writes[0].body["content"], "eyes");

    let id2 = fake.add_comment(REPO, 1, "carol", "@forgehand label bug");
    let gl = gitlab(&fake).await;
    gl.react(&item(1), id2, "eyes").await.unwrap();
    gl.react(&item(1), id2, "eyes").await.unwrap();
    let comments = fake.comments(REPO, 1);
    assert_eq!(comments[0].reactions, ["eyes"]);
    assert_eq!(comments[1].reactions, ["eyes"]);
    assert_eq!(
        fake.writes().last().unwrap().path,
        format!("/api/v4/projects/acme/app/issues/1/notes/{id2}/award_emoji")
    );
    fake.assert_all_routed();
}

#[tokio::test]
async fn roles_map_on_both_forges() {
    let fake = seeded().await;
    let gh = github(&fake);
    let gl = gitlab(&fake).await;
    for forge in [&gh as &dyn Forge, &gl] {
        let kind = forge.kind();
        let repo = &repo();
        let role = |name: &'static str| {
            let login = login(name);
            async move { forge.role_of(repo, &login).await }
        };
        assert_eq!(role("alice").await.unwrap(), Some(Role::Owner), "{kind}");
        assert_eq!(role("bob").await.unwrap(), Some(Role::Maintainer), "{kind}");
        assert_eq!(role("carol").await.unwrap(), Some(Role::Reader), "{kind}");
        assert_eq!(role("dave").await.unwrap(), Some(Role::Reader), "{kind}");
        assert_eq!(role("nobody").await.unwrap(), None, "{kind}");
        assert!(forge.user_exists(&login("dave")).await.unwrap(), "{kind}");
        assert!(
            !forge.user_exists(&login("nobody")).await.unwrap(),
            "{kind}"
        );
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn labels_and_milestones_on_both_forges() {
    let fake = seeded().await;
    for n in 0..120 {
        fake.add_label(REPO, &format!("extra-{n}"));
    }
    let gh = github(&fake);
    let gl = gitlab(&fake).await;

    for forge in [&gh as &dyn Forge, &gl] {
        let labels = forge.labels(&repo()).await.unwrap();
        assert_eq!(labels.len(), 124, "{}: all pages", forge.kind());
        assert!(labels.contains(&"flow::To Do".to_string()));
    }

    let m = gh.milestones(&repo()).await.unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!((m[0].title.as_str(), m[0].number_or_iid), ("1.4", 1));
    assert_eq!(m[0].start_date, None);
    assert_eq!(m[0].due_date.unwrap().to_string(), "2024-05-14");

    let m = gl.milestones(&repo()).await.unwrap();
    assert_eq!(m[0].start_date.unwrap().to_string(), "2024-05-01");
    assert_eq!(m[0].due_date.unwrap().to_string(), "2024-05-14");
    assert_eq!(m[1].title, "Backlog");
    fake.assert_all_routed();
}

#[tokio::test]
async fn milestone_ids_are_cached() {
    let fake = seeded().await;
    let gl = gitlab(&fake).await;
    let change = |title: &str| IssueChange {
        milestone: Some(Some(title.into())),
        ..IssueChange::default()
    };
    gl.edit_issue(&item(1), &edit(&change("1.4")))
        .await
        .unwrap();
    gl.edit_issue(&item(1), &edit(&change("Backlog")))
        .await
        .unwrap();
    let milestone_reads = fake
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/milestones"))
        .count();
    assert_eq!(milestone_reads, 1);
    assert_eq!(fake.issue(REPO, 1).milestone.as_deref(), Some("Backlog"));
    fake.assert_all_routed();
}

#[tokio::test]
async fn github_app_bound_to_an_installation_reuses_its_token() {
    let fake = seeded().await;
    let app = github_app(&fake);
    let forge = app.for_installation(777).unwrap();
    forge.comment(&item(1), "hi").await.unwrap();
    app.for_installation(777)
        .unwrap()
        .comment(&item(1), "again")
        .await
        .unwrap();

    let calls = fake.calls();
    let minted: Vec<_> = calls
        .iter()
        .filter(|c| c.path == "/app/installations/777/access_tokens")
        .collect();
    assert_eq!(minted.len(), 1, "the token is reused: {calls:?}");
    assert!(minted[0]
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Bearer ey")));
    let comments: Vec<_> = calls
        .iter()
        .filter(|c| c.path.ends_with("/comments"))
        .collect();
    assert_eq!(comments.len(), 2);
    for c in comments {
        assert_eq!(
            c.authorization.as_deref(),
            Some("Bearer ghs_fake_installation_777")
        );
    }
    fake.assert_all_routed();
}

fn github_app(fake: &FakeForge) -> GithubForge {
    let mut config = GithubConfig::new(
        fake.url(),
        GithubAuth::App {
            app_id: 12345,
            private_key: SecretString::from(include_str!("support/github_app_test_key.pem")),
        },
    );
    config.write_interval = Duration::ZERO;
    config.retry = fast_retry();
    GithubForge::new(config).unwrap()
}

#[tokio::test]
async fn github_app_finds_the_installation_of_each_repo() {
    let fake = seeded().await;
    fake.add_repo("other/lib");
    fake.add_issue("other/lib", 3);
    fake.set_installation("other/lib", 888);
    let forge = github_app(&fake);

    forge.comment(&item(1), "one").await.unwrap();
    forge.comment(&item(1), "two").await.unwrap();
    let other = IssueRef::parse("other/lib", 3, false).unwrap();
    forge.comment(&other, "three").await.unwrap();
    assert!(forge.user_exists(&login("alice")).await.unwrap());

    let calls = fake.calls();
    let count = |path: &str| calls.iter().filter(|c| c.path == path).count();
    assert_eq!(
        count("/repos/acme/app/installation"),
        1,
        "cached: {calls:#?}"
    );
    assert_eq!(count("/repos/other/lib/installation"), 1);
    assert_eq!(count("/app/installations/777/access_tokens"), 1);
    assert_eq!(count("/app/installations/888/access_tokens"), 1);
    let auth_of = |path: &str| {
        calls
            .iter()
            .filter(|c| c.path == path)
            .map(|c| c.authorization.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert!(auth_of("/repos/acme/app/installation")[0].starts_with("Bearer ey"));
    assert_eq!(
        auth_of("/repos/acme/app/issues/1/comments"),
        ["Bearer ghs_fake_installation_777"; 2]
    );
    assert_eq!(
        auth_of("/repos/other/lib/issues/3/comments"),
        ["Bearer ghs_fake_installation_888"]
    );
    assert_eq!(fake.comments("other/lib", 3).len(), 1);
    fake.assert_all_routed();
}

#[tokio::test]
async fn github_app_not_installed_is_reported() {
    let fake = seeded().await;
    let forge = github_app(&fake);
    let elsewhere = IssueRef::parse("elsewhere/repo", 1, false).unwrap();
    let err = forge.comment(&elsewhere, "x").await.unwrap_err();
    assert_eq!(
        err,
        ForgeError::NotFound("the GitHub App is not installed on elsewhere/repo".into())
    );
    fake.assert_all_routed();
}

#[tokio::test]
async fn issue_snapshots_on_both_forges() {
    let fake = seeded().await;
    seed_triage(&fake, 1);
    fake.update_issue(REPO, 1, |i| i.milestone = Some("1.4".into()));
    let gh = github(&fake);
    let gl = gitlab(&fake).await;
    for forge in [&gh as &dyn Forge, &gl] {
        let snap = forge.issue(&item(1)).await.unwrap();
        assert_eq!(snap.labels, ["bug", "flow::Triage"]);
        assert_eq!(snap.milestone.as_deref(), Some("1.4"));
        assert_eq!(snap.assignees, ["bob"]);
    }
    fake.assert_all_routed();
}
