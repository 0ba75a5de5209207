//! Fair scheduling end to end: behind a burst of commands on one GitHub repository, a command
//! on another repository sharing the same token is written in turn, not after the burst.

mod support;

use serde_json::{json, Value};
use support::app::{spawn_app_at_rate, TestApp};
use support::{fixture, Call};

const BUSY: &str = "acme/busy";
const QUIET: &str = "acme/quiet";
/// Commands in the burst.
const BURST: usize = 20;
/// GitHub writes per second for the run (GitHub itself asks for one; five keeps the test
/// short while the burst's writes still queue for seconds).
const WRITES_PER_SECOND: f64 = 5.0;

/// A `/label` comment by a maintainer on issue #1 of `repo`, as GitHub delivers it.
fn label_comment(app: &TestApp, repo: &str, label: &str) -> Value {
    let body = format!("/label ~{label}");
    let id = app.fake.add_comment(repo, 1, "maint", &body);
    let mut p: Value =
        serde_json::from_slice(&fixture("github/issue_comment.created.json")).expect("json");
    let (owner, name) = repo.split_once('/').expect("owner/name");
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["name"] = json!(name);
    p["repository"]["owner"]["login"] = json!(owner);
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!("maint");
    p["comment"]["author_association"] = Value::Null;
    p["sender"]["login"] = json!("maint");
    p["issue"]["number"] = json!(1);
    p["issue"]["labels"] = json!([]);
    p["issue"]["assignees"] = json!([]);
    p["issue"]["milestone"] = Value::Null;
    p
}

fn writes_to(writes: &[Call], repo: &str) -> Vec<usize> {
    let prefix = format!("/repos/{repo}/");
    writes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.path.starts_with(&prefix))
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn a_command_on_another_repository_is_written_before_the_bursts_tail() {
    let app = spawn_app_at_rate("", WRITES_PER_SECOND).await;
    for repo in [BUSY, QUIET] {
        app.fake.add_repo(repo);
        app.fake.add_issue(repo, 1);
        app.fake.add_label(repo, "bug");
    }
    for n in 0..BURST {
        app.fake.add_label(BUSY, &format!("l{n}"));
    }
    app.fake
        .add_user("maint", forgehand::role::Role::Maintainer);

    for n in 0..BURST {
        let payload = label_comment(&app, BUSY, &format!("l{n}"));
        let answer = app
            .github("issue_comment", &format!("busy-{n}"), &payload)
            .await;
        assert_eq!(answer.status, 202);
    }
    let payload = label_comment(&app, QUIET, "bug");
    let sent = std::time::Instant::now();
    assert_eq!(
        app.github("issue_comment", "quiet", &payload).await.status,
        202
    );
    app.wait_idle().await;

    // Nothing lost: every label of the burst and the quiet one landed.
    let mut busy_labels = app.fake.issue(BUSY, 1).labels;
    busy_labels.sort();
    let mut expected: Vec<String> = (0..BURST).map(|n| format!("l{n}")).collect();
    expected.sort();
    assert_eq!(busy_labels, expected);
    assert_eq!(app.fake.issue(QUIET, 1).labels, ["bug"]);

    let writes = app.fake.writes();
    let busy = writes_to(&writes, BUSY);
    let quiet = writes_to(&writes, QUIET);
    assert_eq!(busy.len(), 2 * BURST, "a reaction and a label write each");
    assert_eq!(quiet.len(), 2);
    let busy_before = busy.iter().filter(|i| **i < quiet[1]).count();
    let quiet_done = writes[quiet[1]].at.duration_since(sent);
    let burst_done = writes[*busy.last().unwrap()].at.duration_since(sent);
    eprintln!(
        "quiet command written after {busy_before} of the burst's {} writes, {quiet_done:?} \
         after its delivery (burst's last write after {burst_done:?})",
        busy.len()
    );
    // First come, first served would write it after the whole burst. In turn, it goes within
    // a few slots; a quarter of the burst is a bound that cannot flake and still fails FCFS.
    assert!(
        busy_before <= busy.len() / 4,
        "the quiet repository waited behind {busy_before} of the burst's writes"
    );
    app.teardown().await;
}
