//! A forgehand process killed with SIGKILL under load and restarted loses no acknowledged
//! delivery, and processes none twice to completion.

mod support;

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::http;

const SECRET: &str = "durability-secret";
/// Concurrent senders while the process is killed.
const SENDERS: usize = 16;
/// Load runs this long before the kill.
const LOAD_BEFORE_KILL: Duration = Duration::from_millis(1500);
/// Longest wait for the restarted process to drain the queue.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The shipped configuration with a one-second lease, so that the jobs a killed process held
/// are claimed again quickly after the restart.
fn config_file(dir: &std::path::Path) -> String {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/forgehand.yml"))
            .unwrap();
    assert!(shipped.contains("lease_seconds: 60"));
    let path = dir.join("forgehand.yml");
    std::fs::write(
        &path,
        shipped.replace("lease_seconds: 60", "lease_seconds: 1"),
    )
    .unwrap();
    path.display().to_string()
}

fn start(config: &str, db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(["serve", "--config", config])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_WEBHOOK_SECRET", SECRET)
        .env("FORGEHAND_DATABASE_URL", format!("sqlite://{db}"))
        .env("FORGEHAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start forgehand")
}

async fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http::request(port, "GET", "/readyz", &[], b"").await {
            if r.status == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("forgehand did not become ready on port {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_no_acknowledged_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forgehand.db").display().to_string();
    let body = support::fixture("github/issue_comment.created.json");
    let config = config_file(dir.path());
    let port = free_port();
    let mut child = start(&config, &db, port);
    wait_ready(port).await;

    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let (acked, stop, body) = (acked.clone(), stop.clone(), body.clone());
        senders.push(tokio::spawn(async move {
            let sig = forgehand::ingress::github::sign(SECRET, &body);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let id = format!("kill-{s}-{n}");
                let headers = [
                    ("X-GitHub-Event", "issue_comment"),
                    ("X-GitHub-Delivery", id.as_str()),
                    ("X-Hub-Signature-256", sig.as_str()),
                ];
                match http::request(port, "POST", "/webhooks/github", &headers, &body).await {
                    Ok(r) if r.status == 202 || r.status == 200 => {
                        acked.lock().unwrap().insert(id);
                    }
                    // The process is gone: unacknowledged deliveries may be lost.
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 100,
        "the load produced only {} acks",
        acked.len()
    );

    // Restart on the same database: every acknowledged delivery is there and gets processed.
    let port = free_port();
    let mut child = start(&config, &db, port);
    wait_ready(port).await;
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    let conn = rusqlite::Connection::open(&db).unwrap();
    loop {
        let open: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'running')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs still open");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let mut stmt = conn
        .prepare("SELECT delivery_id, state, attempts FROM deliveries")
        .unwrap();
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let stored: HashSet<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    // One row per delivery id (the unique key), each finished exactly once: `done`, reached by
    // a fenced completion; a job cut off by the kill was claimed again (attempts 2).
    assert_eq!(stored.len(), rows.len());
    for (id, state, attempts) in &rows {
        assert_eq!(state, "done", "{id} ended {state}");
        assert!((1..=2).contains(attempts), "{id} took {attempts} attempts");
    }
}
