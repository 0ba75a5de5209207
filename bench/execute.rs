//! Benchmarks of the execute stage against the in-repo fake forge, in-process (the fake
//! answers at once). `#[ignore]`d: run them on purpose, preferably in release mode:
//!
//! ```text
//! cargo test --release --test bench_execute -- --ignored --nocapture --test-threads 1
//! ```
//!
//! (a) `burst_delay`: behind a burst of `BURST` commands on one GitHub repository, the delay
//!     from the delivery of one command on another repository sharing the token to its last
//!     write, at GitHub's 1 write/s (`WRITES_PER_SECOND`).
//! (b) `delivery_to_last_write`: `RATE` deliveries/s for `SECONDS` s spread over `REPOS`
//!     repositories, write budgets raised; p50 / p99 / max of delivery → last forge write.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::app::{spawn_app_paced, TestApp};
use support::payloads::github_comment;
use support::Call;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    }
}

/// Seed `repo` with issues `1..=issues`, the label `bug` and the maintainer `maint`.
fn seed(app: &TestApp, repo: &str, issues: u64) {
    app.fake.add_repo(repo);
    for n in 1..=issues {
        app.fake.add_issue(repo, n);
    }
    app.fake.add_label(repo, "bug");
}

/// Post `/label ~{label}` on `repo#issue`; the comment's id.
async fn command(app: &TestApp, repo: &str, issue: u64, label: &str, delivery: &str) -> u64 {
    let body = format!("/label ~{label}");
    let id = app.fake.add_comment(repo, issue, "maint", &body);
    let payload = github_comment(repo, issue, id, "maint", &body);
    let answer = app.github("issue_comment", delivery, &payload).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    id
}

/// When the last write of the command on `repo#issue` whose comment is `comment` landed: its
/// label write or its reaction.
fn last_write(writes: &[Call], repo: &str, issue: u64, comment: u64) -> Option<Instant> {
    let labels = format!("/repos/{repo}/issues/{issue}/labels");
    let reaction = format!("/repos/{repo}/issues/comments/{comment}/reactions");
    writes
        .iter()
        .filter(|c| c.path == labels || c.path == reaction)
        .map(|c| c.at)
        .max()
}

/// Wait (up to 10 minutes) until no job is pending or running.
async fn drain(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let stats = app.store.stats().await.expect("stats");
        if stats.pending + stats.running == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "jobs still open: {stats:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored"]
async fn burst_delay() {
    let burst: usize = env_or("BURST", 20);
    let wps: f64 = env_or("WRITES_PER_SECOND", 1.0);
    let app = spawn_app_paced("", wps, 4).await;
    app.fake
        .add_user("maint", forgehand::role::Role::Maintainer);
    seed(&app, "acme/busy", 1);
    seed(&app, "acme/quiet", 1);
    for n in 0..burst {
        app.fake.add_label("acme/busy", &format!("l{n}"));
    }
    let start = Instant::now();
    for n in 0..burst {
        command(&app, "acme/busy", 1, &format!("l{n}"), &format!("busy-{n}")).await;
    }
    let sent = Instant::now();
    let quiet = command(&app, "acme/quiet", 1, "bug", "quiet").await;
    drain(&app).await;
    let writes = app.fake.writes();
    let quiet_done = last_write(&writes, "acme/quiet", 1, quiet).expect("quiet written");
    let quiet_first = writes
        .iter()
        .find(|c| c.path.starts_with("/repos/acme/quiet/"))
        .map(|c| c.at)
        .expect("quiet written");
    let burst_done = writes
        .iter()
        .filter(|c| c.path.starts_with("/repos/acme/busy/"))
        .map(|c| c.at)
        .max()
        .expect("burst written");
    println!(
        "(a) {}: burst of {burst} commands ({} writes) at {wps} write/s, 4 workers: the other \
         repository's command had its first write {:.2} s and its last (of 2) {:.2} s after its \
         delivery; the burst's last write came {:.2} s after the burst began",
        profile(),
        writes.len() - 2,
        quiet_first.duration_since(sent).as_secs_f64(),
        quiet_done.duration_since(sent).as_secs_f64(),
        burst_done.duration_since(start).as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored"]
async fn delivery_to_last_write() {
    let rate: u64 = env_or("RATE", 200);
    let seconds: u64 = env_or("SECONDS", 10);
    let repos: u64 = env_or("REPOS", 50);
    let workers: usize = env_or("WORKERS", 4);
    let total = rate * seconds;
    let per_repo = total.div_ceil(repos);
    let app = spawn_app_paced("", 100_000.0, workers).await;
    app.fake
        .add_user("maint", forgehand::role::Role::Maintainer);
    let repo = move |k: u64| format!("acme/r{}", k % repos);
    for r in 0..repos {
        seed(&app, &repo(r), per_repo);
    }
    // Delivery k: repository k % repos, issue k / repos + 1, each its own issue.
    let app = std::sync::Arc::new(app);
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let mut sends = Vec::with_capacity(total as usize);
    for k in 0..total {
        tick.tick().await;
        let app = app.clone();
        sends.push(tokio::spawn(async move {
            let (repo, issue) = (repo(k), k / repos + 1);
            let at = Instant::now();
            let comment = command(&app, &repo, issue, "bug", &format!("d-{k}")).await;
            (k, at, comment)
        }));
    }
    let mut sent = HashMap::new();
    for s in sends {
        let (k, at, comment) = s.await.unwrap();
        sent.insert(k, (at, comment));
    }
    let offered = started.elapsed();
    drain(&app).await;
    let drained = started.elapsed();
    let writes = app.fake.writes();
    let metrics = app.get("/metrics").await.body;
    let set_aside = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix("forgehand_jobs_total{forge=\"github\",outcome=\"set_aside\"} ")
        })
        .unwrap_or("0")
        .trim()
        .to_string();
    let mut latencies: Vec<Duration> = sent
        .iter()
        .map(|(k, (at, comment))| {
            let done = last_write(&writes, &repo(*k), k / repos + 1, *comment)
                .unwrap_or_else(|| panic!("delivery {k} never written"));
            done.duration_since(*at)
        })
        .collect();
    latencies.sort();
    println!(
        "(b) {}: {total} deliveries at {rate}/s over {repos} repositories ({:.1} s to offer, \
         {:.1} s to drain), {workers} workers, fake forge answering at once: delivery → last \
         forge write p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {set_aside} set-asides",
        profile(),
        offered.as_secs_f64(),
        drained.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
}
