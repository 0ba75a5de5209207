//! `spawn_app()`: forgehand on port 0 with a fresh SQLite file, its forge clients pointed at a
//! fresh fake forge. `teardown()` fails if jobs were left unprocessed or a call hit no route.

use super::http::{self, Response};
use super::FakeForge;
use forgehand::config::Config;
use forgehand::event::ForgeKind;
use forgehand::startup::Application;
use forgehand::store::{self, DeliveryRecord, Store};
use forgehand::telemetry::Metrics;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const GITHUB_SECRET: &str = "test-github-secret";
pub const GITLAB_TOKEN: &str = "test-gitlab-token";
/// Longest a test waits for the queue to drain.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestApp {
    pub port: u16,
    pub fake: FakeForge,
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// The forge clients the application uses (e.g. to see what they learned).
    pub forges: forgehand::forge::Forges,
    _dir: tempfile::TempDir,
}

/// The application with the default test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with("").await
}

/// The application with `extra` YAML appended to the test configuration (rules, roles, …).
pub async fn spawn_app_with(extra: &str) -> TestApp {
    spawn_app_on(FakeForge::start().await, extra).await
}

/// [`spawn_app_with`] on a fake forge the test started (and set up) itself.
pub async fn spawn_app_on(fake: FakeForge, extra: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("forgehand.db");
    let url = fake.url();
    let yaml = format!(
        r#"
server:
  listen: 127.0.0.1:0
  database_url: sqlite://{db}
  workers: 2
bot:
  name: forgehand
github:
  webhook_secrets: [{GITHUB_SECRET}]
  token: github-test-token
  api_url: {url}
  writes_per_second: 1000
gitlab:
  webhook_tokens: [{GITLAB_TOKEN}]
  token: gitlab-test-token
  url: {url}
  writes_per_second: 1000
{extra}
"#,
        db = db.display()
    );
    let config = Config::from_str(&yaml, "test.yml", &|_| None)
        .unwrap_or_else(|e| panic!("test configuration: {e}"));
    let config = Arc::new(config);
    let metrics = Arc::new(Metrics::default());
    let forges = forgehand::forge::build(&config, metrics.clone())
        .await
        .expect("forge clients");
    let store = store::open(&format!("sqlite://{}", db.display()))
        .await
        .expect("store");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::build_with(
        config.clone(),
        forges.clone(),
        store.clone(),
        listener,
        metrics,
    )
    .expect("build the application");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        port,
        fake,
        store,
        config,
        forges,
        _dir: dir,
    };
    // The clients learn their own accounts in the background; wait, so that those reads do
    // not land among the calls a test counts.
    for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
        app.own_login(forge).await;
    }
    app
}

impl TestApp {
    /// Post a signed GitHub delivery.
    pub async fn github(&self, event: &str, delivery: &str, body: &serde_json::Value) -> Response {
        let body = serde_json::to_vec(body).expect("json");
        http::post_github(self.port, GITHUB_SECRET, event, delivery, &body).await
    }

    /// Post a GitLab delivery with the right token.
    pub async fn gitlab(&self, event: &str, delivery: &str, body: &serde_json::Value) -> Response {
        let body = serde_json::to_vec(body).expect("json");
        http::post_gitlab(self.port, GITLAB_TOKEN, event, delivery, &body).await
    }

    /// Post the webhooks the fake forge sent since the last call, as the forge would (GitHub
    /// signed, GitLab with its token), each under a new delivery id; returns the ids with
    /// the event names.
    pub async fn deliver_fake_webhooks(&self) -> Vec<(ForgeKind, String, String)> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut sent = Vec::new();
        for hook in self.fake.take_webhooks() {
            let id = format!("fake-{}", NEXT.fetch_add(1, Ordering::Relaxed));
            let (forge, response) = match hook.forge {
                "github" => (
                    ForgeKind::Github,
                    self.github(&hook.event, &id, &hook.payload).await,
                ),
                _ => (
                    ForgeKind::Gitlab,
                    self.gitlab(&hook.event, &id, &hook.payload).await,
                ),
            };
            assert_eq!(response.status, 202, "{}: {}", hook.event, response.body);
            let action = hook.payload["action"].as_str().unwrap_or_default();
            sent.push((forge, id, format!("{}.{action}", hook.event)));
        }
        sent
    }

    pub async fn get(&self, path: &str) -> Response {
        http::request(self.port, "GET", path, &[], b"")
            .await
            .expect("GET")
    }

    /// Wait until no job is pending or running.
    pub async fn wait_idle(&self) {
        let deadline = Instant::now() + IDLE_TIMEOUT;
        loop {
            let stats = self.store.stats().await.expect("stats");
            if stats.pending + stats.running == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "jobs still open: {stats:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How a delivery ended.
    pub async fn delivery(&self, forge: ForgeKind, id: &str) -> DeliveryRecord {
        self.store
            .delivery(forge, id)
            .await
            .expect("store")
            .unwrap_or_else(|| panic!("delivery {id} is not stored"))
    }

    /// Wait until the client of `forge` learned the account it acts as; returns it.
    pub async fn own_login(&self, forge: ForgeKind) -> String {
        let deadline = Instant::now() + IDLE_TIMEOUT;
        loop {
            if let Some(login) = self.forges.get(forge).and_then(|f| f.own_login()) {
                return login;
            }
            assert!(
                Instant::now() < deadline,
                "{forge:?}: own account not learned"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// End of test: the queue drained, and every forge call hit a route of the fake.
    pub async fn teardown(self) {
        self.wait_idle().await;
        self.fake.assert_all_routed();
    }
}
