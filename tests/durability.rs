//! A forgehand process killed with SIGKILL under load and restarted loses no acknowledged
//! delivery, processes none twice to completion, and doubles no forge effect.

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
    start_with(config, db, port, &[])
}

fn start_with(config: &str, db: &str, port: u16, env: &[(&str, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(["serve", "--config", config])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_WEBHOOK_SECRET", SECRET)
        .env("FORGEHAND_DATABASE_URL", database_url(db))
        .env("FORGEHAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(match std::env::var("DURABILITY_LOG") {
            Ok(_) => Stdio::inherit(),
            Err(_) => Stdio::null(),
        })
        .spawn()
        .expect("start forgehand")
}

/// `db` as a database URL: a URL stays as it is, a path is a SQLite file.
fn database_url(db: &str) -> String {
    if db.contains("://") {
        db.to_string()
    } else {
        format!("sqlite://{db}")
    }
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

/// The database a test process ran on, read from outside the process.
enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(tokio_postgres::Client),
}

impl Db {
    async fn count(&self, sql: &str) -> i64 {
        match self {
            Db::Sqlite(conn) => conn.query_row(sql, [], |r| r.get(0)).unwrap(),
            Db::Postgres(client) => client.query_one(sql, &[]).await.unwrap().get(0),
        }
    }

    /// Waits until no job is pending or running (at most [`DRAIN_TIMEOUT`]).
    async fn wait_drained(&self) {
        let deadline = Instant::now() + DRAIN_TIMEOUT;
        loop {
            let open = self
                .count("SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'running')")
                .await;
            if open == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "{open} jobs still open");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every stored delivery as (id, state, attempts).
    async fn rows(&self) -> Vec<(String, String, i64)> {
        let sql = "SELECT delivery_id, state, attempts FROM deliveries";
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare(sql).unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Db::Postgres(client) => client
                .query(sql, &[])
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
        }
    }
}

/// Asserts that every acknowledged delivery is stored and that every stored one ended `done`.
fn assert_none_lost(acked: &HashSet<String>, rows: &[(String, String, i64)]) {
    let stored: HashSet<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    for (id, state, _) in rows {
        assert_eq!(state, "done", "{id} ended {state}");
    }
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
    let db = Db::Sqlite(rusqlite::Connection::open(&db).unwrap());
    db.wait_drained().await;
    child.kill().unwrap();
    child.wait().unwrap();

    let rows = db.rows().await;
    assert_none_lost(&acked, &rows);
    let stored: HashSet<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
    // One row per delivery id (the unique key), each finished exactly once: `done`, reached by
    // a fenced completion; a job cut off by the kill was claimed again (attempts 2).
    assert_eq!(stored.len(), rows.len());
    for (id, _, attempts) in &rows {
        assert!((1..=2).contains(attempts), "{id} took {attempts} attempts");
    }
}

/// Issues the effects test comments on.
const EFFECT_ISSUES: u64 = 10;
/// Pause of each sender between two deliveries in the effects test (every delivery writes to
/// the fake forge, so the load is lighter than above).
const EFFECT_PACE: Duration = Duration::from_millis(10);
const EFFECT_REPO: &str = "Codertocat/Hello-World";
/// What each delivery's comment says.
const COMMAND: &str = "/label bug\n/cc @alice";

/// A comment by `maint` on issue `number` that labels it and replies (`/cc`).
fn effect_payload(number: u64, comment_id: u64) -> Vec<u8> {
    let mut p: serde_json::Value =
        serde_json::from_slice(&support::fixture("github/issue_comment.created.json")).unwrap();
    p["comment"]["id"] = serde_json::json!(comment_id);
    p["comment"]["body"] = serde_json::json!(COMMAND);
    p["comment"]["user"]["login"] = serde_json::json!("maint");
    p["comment"]["author_association"] = serde_json::Value::Null;
    p["sender"]["login"] = serde_json::json!("maint");
    p["issue"]["number"] = serde_json::json!(number);
    p["issue"]["labels"] = serde_json::json!([]);
    serde_json::to_vec(&p).unwrap()
}

/// A fake forge with [`EFFECT_REPO`], its `bug` label, [`EFFECT_ISSUES`] issues and two
/// maintainers (`maint` who comments, `alice` who is cc'd).
async fn effects_fake() -> support::FakeForge {
    let fake = support::FakeForge::start().await;
    fake.add_repo(EFFECT_REPO);
    fake.add_label(EFFECT_REPO, "bug");
    for number in 1..=EFFECT_ISSUES {
        fake.add_issue(EFFECT_REPO, number);
    }
    fake.add_user("maint", forgehand::role::Role::Maintainer);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake
}

/// [`config_file`] with writes unthrottled, written as `forgehand-{suffix}.yml`.
fn fast_writes_config(dir: &std::path::Path, suffix: &str) -> String {
    let shipped = std::fs::read_to_string(config_file(dir)).unwrap();
    let path = dir.join(format!("forgehand-{suffix}.yml"));
    std::fs::write(
        &path,
        shipped.replace("writes_per_second: 1.0", "writes_per_second: 1000.0"),
    )
    .unwrap();
    path.display().to_string()
}

/// Delivery `id` of a fresh `maint` comment on an issue of the fake: its stored comment, then
/// the signed webhook posted to `port`. True when forgehand acknowledged it.
async fn send_effect(fake: &support::FakeForge, port: u16, id: &str, n: u64) -> bool {
    let issue = n % EFFECT_ISSUES + 1;
    let comment_id = fake.add_comment(EFFECT_REPO, issue, "maint", COMMAND);
    let body = effect_payload(issue, comment_id);
    let sig = forgehand::ingress::github::sign(SECRET, &body);
    let headers = [
        ("X-GitHub-Event", "issue_comment"),
        ("X-GitHub-Delivery", id),
        ("X-Hub-Signature-256", sig.as_str()),
    ];
    matches!(
        http::request(port, "POST", "/webhooks/github", &headers, &body).await,
        Ok(r) if r.status == 202 || r.status == 200
    )
}

/// The bot's replies on `number` (every comment not by `maint`).
fn bot_replies(fake: &support::FakeForge, number: u64) -> Vec<support::fake_state::FakeComment> {
    fake.comments(EFFECT_REPO, number)
        .into_iter()
        .filter(|c| c.author != "maint")
        .collect()
}

/// Asserts one reply per stored delivery, each with a marker of its own (none lost, none
/// doubled), and the label on every issue; returns the number of replies.
fn assert_one_reply_each(fake: &support::FakeForge, deliveries: usize) -> usize {
    let mut markers = Vec::new();
    for number in 1..=EFFECT_ISSUES {
        for comment in bot_replies(fake, number) {
            assert!(comment.body.starts_with("cc @alice"), "{comment:?}");
            let marker = comment.body.split("<!-- forgehand:intent ").nth(1);
            markers.push(marker.expect("a reply without its marker").to_string());
        }
        assert_eq!(fake.issue(EFFECT_REPO, number).labels, ["bug"], "#{number}");
    }
    let distinct: HashSet<&String> = markers.iter().collect();
    assert_eq!(distinct.len(), markers.len(), "a reply was posted twice");
    assert_eq!(markers.len(), deliveries, "replies vs deliveries");
    markers.len()
}

/// Every delivery labels an issue and posts one reply. Killed under load and restarted on
/// the same database: every acknowledged delivery is done, and the fake forge holds exactly
/// one reply per delivery (each with its own marker) — none lost, none doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_doubles_no_forge_effect() {
    let fake = effects_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forgehand.db").display().to_string();
    let config = fast_writes_config(dir.path(), "effects");
    let env = [
        ("GITHUB_TOKEN", "effects-test-token".to_string()),
        ("GITHUB_API_URL", fake.url()),
    ];
    let port = free_port();
    let mut child = start_with(&config, &db, port, &env);
    wait_ready(port).await;

    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..4u64 {
        let (acked, stop, fake) = (acked.clone(), stop.clone(), fake.clone());
        senders.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let id = format!("effect-{s}-{n}");
                if !send_effect(&fake, port, &id, n).await {
                    break;
                }
                acked.lock().unwrap().insert(id);
                tokio::time::sleep(EFFECT_PACE).await;
            }
        }));
    }
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "the load produced only {} acks",
        acked.len()
    );
    let replies_at_kill: usize = (1..=EFFECT_ISSUES)
        .map(|n| bot_replies(&fake, n).len())
        .sum();

    let port = free_port();
    let mut child = start_with(&config, &db, port, &env);
    wait_ready(port).await;
    let db = Db::Sqlite(rusqlite::Connection::open(&db).unwrap());
    db.wait_drained().await;
    child.kill().unwrap();
    child.wait().unwrap();

    let rows = db.rows().await;
    assert_none_lost(&acked, &rows);
    let rerun = rows.iter().filter(|(_, _, attempts)| *attempts > 1).count();
    let replies = assert_one_reply_each(&fake, rows.len());
    eprintln!(
        "{} deliveries acknowledged, {} stored, {rerun} run again after the kill, \
         {replies_at_kill} replies at the kill, {replies} after",
        acked.len(),
        rows.len(),
    );
}

/// A fresh PostgreSQL schema of its own on `FORGEHAND_TEST_POSTGRES_URL` (required: the test
/// fails without it), as a URL, and a client on it.
async fn fresh_postgres() -> (String, tokio_postgres::Client) {
    let base = std::env::var("FORGEHAND_TEST_POSTGRES_URL").expect(
        "FORGEHAND_TEST_POSTGRES_URL is not set: the replicas test needs PostgreSQL \
         (bash scripts/test.sh starts one)",
    );
    let schema = format!(
        "replicas_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    (url, client)
}

/// Two replicas on one PostgreSQL database behind a "load balancer" (senders alternate),
/// against one fake forge; one is killed (SIGKILL) mid-load and the senders go on with the
/// survivor. The survivor finishes every job: no acknowledged delivery lost, every reply
/// posted exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_postgres_one_killed_lose_and_double_nothing() {
    let fake = effects_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let config = fast_writes_config(dir.path(), "replicas");
    let (db, client) = fresh_postgres().await;
    let env = [
        ("GITHUB_TOKEN", "replicas-test-token".to_string()),
        ("GITHUB_API_URL", fake.url()),
    ];
    let ports = [free_port(), free_port()];
    let mut doomed = start_with(&config, &db, ports[0], &env);
    wait_ready(ports[0]).await;
    let mut survivor = start_with(&config, &db, ports[1], &env);
    wait_ready(ports[1]).await;

    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..4u64 {
        let (acked, stop, fake) = (acked.clone(), stop.clone(), fake.clone());
        senders.push(tokio::spawn(async move {
            let mut n = 0;
            let mut first_is_dead = false;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let id = format!("replica-{s}-{n}");
                let port = if first_is_dead {
                    ports[1]
                } else {
                    ports[(n % 2) as usize]
                };
                if send_effect(&fake, port, &id, n).await {
                    acked.lock().unwrap().insert(id);
                } else if port == ports[0] {
                    // The killed replica: the load balancer sends the rest to the survivor.
                    first_is_dead = true;
                } else {
                    panic!("the survivor failed delivery {id}");
                }
                tokio::time::sleep(EFFECT_PACE).await;
            }
        }));
    }
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    doomed.kill().expect("SIGKILL");
    doomed.wait().unwrap();
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "the load produced only {} acks",
        acked.len()
    );

    let db = Db::Postgres(client);
    db.wait_drained().await;
    survivor.kill().unwrap();
    survivor.wait().unwrap();

    let rows = db.rows().await;
    assert_none_lost(&acked, &rows);
    let rerun = rows.iter().filter(|(_, _, attempts)| *attempts > 1).count();
    let replies = assert_one_reply_each(&fake, rows.len());
    eprintln!(
        "{} deliveries acknowledged, {} stored, {rerun} run again after the kill, {replies} replies",
        acked.len(),
        rows.len(),
    );
}
