//! Shutdown with a deadline: `forgehand serve` whose jobs hang on a forge that never answers
//! gets SIGTERM, exits within its grace (plus process overhead), and puts the unfinished jobs
//! back so that the next start claims them at once.

mod support;

use forgehand::event::ForgeKind;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::http;

const SECRET: &str = "shutdown-secret";
/// The grace configured for the run.
const GRACE: Duration = Duration::from_secs(2);
/// Deliveries whose jobs hang on the forge.
const DELIVERIES: usize = 6;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A "forge" that accepts connections and never answers: every request hangs until the
/// client's own timeout (30 s).
fn hanging_forge() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

async fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http::request(port, "GET", "/healthz", &[], b"").await {
            if r.status == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("forgehand did not start on port {port}");
}

/// Jobs running, read from `/metrics`.
async fn running_jobs(port: u16) -> u64 {
    let page = http::request(port, "GET", "/metrics", &[], b"")
        .await
        .map(|r| r.body)
        .unwrap_or_default();
    let prefix = "forgehand_store_jobs{state=\"running\"} ";
    page.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_exits_within_the_grace_and_puts_jobs_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forgehand.db").display().to_string();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/forgehand.yml"))
            .unwrap();
    assert!(shipped.contains("shutdown_grace_seconds: 8"));
    let config = dir.path().join("forgehand.yml");
    std::fs::write(
        &config,
        shipped.replace(
            "shutdown_grace_seconds: 8",
            &format!("shutdown_grace_seconds: {}", GRACE.as_secs()),
        ),
    )
    .unwrap();
    let port = free_port();
    let forge = hanging_forge();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(["serve", "--config", &config.display().to_string()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_WEBHOOK_SECRET", SECRET)
        .env("GITHUB_TOKEN", "test-token")
        .env("GITHUB_API_URL", format!("http://127.0.0.1:{forge}"))
        .env("FORGEHAND_DATABASE_URL", format!("sqlite://{db}"))
        .env("FORGEHAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start forgehand");
    wait_ready(port).await;

    // A command whose author's role must be asked of the forge: the job hangs there.
    let mut payload: serde_json::Value =
        serde_json::from_slice(&support::fixture("github/issue_comment.created.json")).unwrap();
    payload["comment"]["body"] = serde_json::json!("/label ~bug");
    payload["comment"]["author_association"] = serde_json::Value::Null;
    let body = serde_json::to_vec(&payload).unwrap();
    let sig = forgehand::ingress::github::sign(SECRET, &body);
    for n in 0..DELIVERIES {
        let id = format!("hang-{n}");
        let headers = [
            ("X-GitHub-Event", "issue_comment"),
            ("X-GitHub-Delivery", id.as_str()),
            ("X-Hub-Signature-256", sig.as_str()),
        ];
        let r = http::request(port, "POST", "/webhooks/github", &headers, &body)
            .await
            .unwrap();
        assert_eq!(r.status, 202);
    }
    // Every worker is stuck on the forge.
    let deadline = Instant::now() + Duration::from_secs(20);
    while running_jobs(port).await == 0 {
        assert!(Instant::now() < deadline, "no job started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let sent = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let took = sent.elapsed();
    eprintln!("SIGTERM → exit: {took:?} (grace {GRACE:?})");
    assert!(status.success(), "{status:?}");
    // The bound is the grace plus a margin no loaded machine needs: a process that waited
    // for its hanging requests would take 30 s.
    assert!(took < GRACE + Duration::from_secs(8), "took {took:?}");

    // Every delivery is still there, none done, none counted as tried: claimable at once.
    let store = forgehand::store::open(&format!("sqlite://{db}"))
        .await
        .unwrap();
    for n in 0..DELIVERIES {
        let record = store
            .delivery(ForgeKind::Github, &format!("hang-{n}"))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(
            (record.state.as_str(), record.attempts),
            ("pending", 0),
            "hang-{n}"
        );
    }
    let now = forgehand::clock::now_ms();
    let jobs = store
        .claim(now, Duration::from_secs(60), DELIVERIES)
        .await
        .unwrap();
    assert_eq!(
        jobs.len(),
        DELIVERIES,
        "all claimable again without waiting"
    );
}
