//! `spawn_app()`: forgehand on port 0 with a fresh SQLite file, its forge clients pointed at a
//! fresh fake forge. `teardown()` fails if jobs were left unprocessed or a call hit no route.

use super::http::{self, Response};
use super::FakeForge;
use forgehand::config::Config;
use forgehand::event::ForgeKind;
use forgehand::forge::{
    Forges, GithubAuth, GithubConfig, GithubForge, GitlabConfig, GitlabForge, RetryPolicy,
};
use forgehand::startup::Application;
use forgehand::store::{self, DeliveryRecord, Store};
use forgehand::telemetry::Metrics;
use secrecy::SecretString;
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
    /// The repositories with their own process, as the application's schedulers see them.
    pub known: forgehand::schedule::KnownRepos,
    _dir: tempfile::TempDir,
}

/// The application with the default test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with("").await
}

/// Forge clients tuned for fault tests: short timeouts and retry delays, so that a test with
/// many injected faults stays fast.
#[derive(Debug, Clone)]
pub struct Tuning {
    pub workers: usize,
    /// Time a client waits for an answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// The job lease (seconds).
    pub lease_seconds: u64,
    /// `server.dry_run`: decide and log, write nothing.
    pub dry_run: bool,
}

impl Tuning {
    /// 8 workers, 300 ms timeouts, 5 tries from 20 ms apart, a 5 s lease.
    pub fn fast() -> Self {
        Tuning {
            workers: 8,
            timeout: Duration::from_millis(300),
            retry: RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_secs(2),
            },
            lease_seconds: 5,
            dry_run: false,
        }
    }
}

/// The application with `extra` YAML appended to the test configuration (rules, roles, …).
pub async fn spawn_app_with(extra: &str) -> TestApp {
    spawn(FakeForge::start().await, extra, None, 1000.0, 2).await
}

/// [`spawn_app_with`] on a fake forge the test started (and set up) itself.
pub async fn spawn_app_on(fake: FakeForge, extra: &str) -> TestApp {
    spawn(fake, extra, None, 1000.0, 2).await
}

/// The application with forge clients tuned as `tuning` says.
pub async fn spawn_app_tuned(extra: &str, tuning: Tuning) -> TestApp {
    let workers = tuning.workers;
    spawn(
        FakeForge::start().await,
        extra,
        Some(tuning),
        1000.0,
        workers,
    )
    .await
}

/// Like [`spawn_app_with`], with GitHub writes limited to `github_writes_per_second`.
pub async fn spawn_app_at_rate(extra: &str, github_writes_per_second: f64) -> TestApp {
    spawn_app_paced(extra, github_writes_per_second, 2).await
}

/// Like [`spawn_app_at_rate`], with `workers` job workers.
pub async fn spawn_app_paced(
    extra: &str,
    github_writes_per_second: f64,
    workers: usize,
) -> TestApp {
    spawn(
        FakeForge::start().await,
        extra,
        None,
        github_writes_per_second,
        workers,
    )
    .await
}

async fn spawn(
    fake: FakeForge,
    extra: &str,
    tuning: Option<Tuning>,
    github_writes_per_second: f64,
    workers: usize,
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("forgehand.db");
    let url = fake.url();
    let yaml = format!(
        r#"
server:
  listen: 127.0.0.1:0
  database_url: sqlite://{db}
  workers: {workers}
  lease_seconds: {lease}
  dry_run: {dry_run}
bot:
  name: forgehand
github:
  webhook_secrets: [{GITHUB_SECRET}]
  token: github-test-token
  api_url: {url}
  writes_per_second: {github_writes_per_second}
gitlab:
  webhook_tokens: [{GITLAB_TOKEN}]
  token: gitlab-test-token
  url: {url}
  writes_per_second: 1000
{extra}
"#,
        db = db.display(),
        lease = tuning.as_ref().map_or(60, |t| t.lease_seconds),
        dry_run = tuning.as_ref().is_some_and(|t| t.dry_run),
    );
    let config = Config::from_str(&yaml, "test.yml", &|_| None)
        .unwrap_or_else(|e| panic!("test configuration: {e}"));
    let config = Arc::new(config);
    let metrics = Arc::new(Metrics::default());
    let forges = match &tuning {
        None => forgehand::forge::build(&config, metrics.clone())
            .await
            .expect("forge clients"),
        Some(tuning) => tuned_forges(&url, tuning, metrics.clone()).await,
    };
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
    let known = app.known_repos();
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        port,
        fake,
        store,
        config,
        forges,
        known,
        _dir: dir,
    };
    // The clients learn their own accounts in the background; wait, so that those reads do
    // not land among the calls a test counts.
    for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
        app.own_login(forge).await;
    }
    app
}

/// Both forge clients against the fake at `url`, with `tuning`'s timeouts and retries.
async fn tuned_forges(url: &str, tuning: &Tuning, metrics: Arc<Metrics>) -> Forges {
    let mut github = GithubConfig::new(
        url,
        GithubAuth::Token(SecretString::from("github-test-token")),
    );
    github.write_interval = Duration::from_millis(1);
    github.retry = tuning.retry;
    github.read_timeout = tuning.timeout;
    github.metrics = metrics.clone();
    let mut gitlab = GitlabConfig::new(url, SecretString::from("gitlab-test-token"));
    gitlab.write_interval = Duration::from_millis(1);
    gitlab.retry = tuning.retry;
    gitlab.request_timeout = tuning.timeout;
    gitlab.metrics = metrics;
    Forges {
        github: Some(Arc::new(GithubForge::new(github).expect("GitHub client"))),
        gitlab: Some(Arc::new(
            GitlabForge::connect(gitlab).await.expect("GitLab client"),
        )),
        health: Default::default(),
    }
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
        self.wait_idle_for(IDLE_TIMEOUT).await
    }

    /// Wait up to `timeout` until no job is pending or running.
    pub async fn wait_idle_for(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
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
