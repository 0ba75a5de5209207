//! Start-up never waits on a forge: `forgehand serve` pointed at a GitLab that does not answer
//! starts, accepts and stores webhooks, shows the forge as unreachable on `/readyz`, and
//! retries the jobs that need GitLab instead of failing them.

mod support;

use forgehand::event::ForgeKind;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::http;

const TOKEN: &str = "startup-gitlab-token";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(port: u16, path: &str) -> Option<http::Response> {
    http::request(port, "GET", path, &[], b"").await.ok()
}

/// Poll `check` on `path` until it holds (20 s at most).
async fn wait_for(port: u16, path: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(r) = get(port, path).await {
            if check(&r.body) {
                return r.body;
            }
        }
        assert!(Instant::now() < deadline, "never saw {what} on {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_an_unreachable_gitlab_accepts_webhooks_and_reports_the_forge() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forgehand.db").display().to_string();
    let port = free_port();
    // Nothing listens there: connections are refused.
    let gitlab = free_port();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args([
            "serve",
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/forgehand.yml"),
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITLAB_WEBHOOK_TOKEN", TOKEN)
        .env("GITLAB_TOKEN", "glpat-test")
        .env("GITLAB_URL", format!("http://127.0.0.1:{gitlab}"))
        .env("FORGEHAND_DATABASE_URL", format!("sqlite://{db}"))
        .env("FORGEHAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start forgehand");
    wait_for(port, "/healthz", "ok", |b| b.contains("ok")).await;
    eprintln!("listening after {:?}", started.elapsed());

    // A command from a GitLab note: deciding it needs GitLab (the author's role).
    let mut note: serde_json::Value =
        serde_json::from_slice(&support::fixture("gitlab/note.issue.json")).unwrap();
    note["object_attributes"]["note"] = serde_json::json!("/label ~bug");
    let body = serde_json::to_vec(&note).unwrap();
    let r = http::post_gitlab(port, TOKEN, "Note Hook", "down-1", &body).await;
    assert_eq!(r.status, 202, "{}", r.body);

    let ready = wait_for(port, "/readyz", "gitlab unreachable", |b| {
        b.contains("\"unreachable\"")
    })
    .await;
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(
        ready["status"], "ready",
        "intake is ready whatever GitLab says"
    );
    assert_eq!(ready["store"], "ok");
    assert_eq!(ready["forges"]["gitlab"]["state"], "unreachable");
    assert!(ready["forges"].get("github").is_none(), "not configured");

    // The job tried once, could not reach GitLab, and waits to be retried.
    wait_for(port, "/metrics", "a retried job", |b| {
        b.contains("forgehand_jobs_total{forge=\"gitlab\",outcome=\"retry\"} 1")
    })
    .await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");

    let store = forgehand::store::open(&format!("sqlite://{db}"))
        .await
        .unwrap();
    let record = store
        .delivery(ForgeKind::Gitlab, "down-1")
        .await
        .unwrap()
        .expect("the delivery is stored");
    assert_eq!((record.state.as_str(), record.attempts), ("pending", 1));
    let reason = record.reason.unwrap_or_default();
    assert!(reason.contains("transient"), "{reason}");
}
