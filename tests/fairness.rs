//! Fair scheduling end to end: behind a burst of commands on one GitHub repository, a command
//! on another repository sharing the same token is written in turn, not after the burst.

mod support;

use serde_json::Value;
use support::app::{spawn_app_at_rate, TestApp};
use support::Call;

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
    support::payloads::github_comment(repo, 1, id, "maint", &body)
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

/// The value of the budget gauge for `forge` in a `/metrics` page.
fn budget_gauge(metrics: &str, forge: &str) -> Option<u64> {
    let prefix = format!("forgehand_forge_budget_remaining{{forge=\"{forge}\",key=\"token\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.trim().parse().ok())
}

fn set_aside_jobs(metrics: &str) -> u64 {
    let prefix = "forgehand_jobs_total{forge=\"github\",outcome=\"set_aside\"} ";
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn budgets_the_forges_report_are_read_exposed_and_obeyed() {
    use forgehand::event::ForgeKind;
    use support::triage::{seeded_app, Side};
    let app = seeded_app("").await;
    let unix = chrono::Utc::now().timestamp() as u64;
    // GitHub's budget is spent for the next 3 s; GitLab's is not.
    app.fake.set_rate_limits((0, unix + 3), (987, unix + 60));
    let github = app
        .github(
            "issue_comment",
            "spent",
            &label_comment(&app, support::triage::GITHUB_REPO, "bug"),
        )
        .await;
    assert_eq!(github.status, 202);
    // The job reads once, learns the budget is spent, and is set aside untried.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let metrics = loop {
        let metrics = app.get("/metrics").await.body;
        if set_aside_jobs(&metrics) > 0 {
            break metrics;
        }
        assert!(std::time::Instant::now() < deadline, "never set aside");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(budget_gauge(&metrics, "github"), Some(0));
    assert!(
        app.fake.writes().is_empty(),
        "nothing is written on a spent budget"
    );
    // The window resets: the job comes back and is done, its set-aside not counted as a try.
    app.fake
        .set_rate_limits((4321, unix + 3600), (987, unix + 60));
    app.wait_idle().await;
    let record = app.delivery(ForgeKind::Github, "spent").await;
    assert_eq!((record.state.as_str(), record.attempts), ("done", 1));
    assert_eq!(
        app.fake.issue(support::triage::GITHUB_REPO, 1).labels,
        ["bug"]
    );

    support::triage::comment(&app, Side::Gitlab, "maint", "/label ~bug", "gl").await;
    let metrics = app.get("/metrics").await.body;
    assert_eq!(budget_gauge(&metrics, "github"), Some(4321));
    assert_eq!(budget_gauge(&metrics, "gitlab"), Some(987));
    app.teardown().await;
}
