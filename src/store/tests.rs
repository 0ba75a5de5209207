use super::schema;
use super::*;
use std::time::Duration;

fn delivery(id: &str) -> NewDelivery {
    NewDelivery {
        forge: ForgeKind::Github,
        delivery_id: id.to_string(),
        event: "issue_comment".into(),
        body: b"{}".to_vec(),
        received_at: 1,
    }
}

/// Where the PostgreSQL tests connect: `FORGEHAND_TEST_POSTGRES_URL` (`.ci/run` starts a
/// server and sets it). Without it these tests fail rather than silently skip.
fn postgres_url() -> String {
    std::env::var("FORGEHAND_TEST_POSTGRES_URL").expect(
        "FORGEHAND_TEST_POSTGRES_URL is not set: the PostgreSQL store tests need a server \
         (bash .ci/run installs and starts one)",
    )
}

/// A fresh database of the given backend: a SQLite file in a temp dir, or a PostgreSQL
/// schema of its own. Returns its URL and what must live as long as it.
async fn fresh_url(backend: &str) -> (String, Option<tempfile::TempDir>) {
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        return (url, Some(dir));
    }
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let base = postgres_url();
    let schema = format!(
        "t{}_{}_{}",
        std::process::id(),
        crate::clock::now_ms(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    (format!("{base}{sep}options=-csearch_path%3D{schema}"), None)
}

async fn temp_store(backend: &str) -> (Option<tempfile::TempDir>, Arc<dyn Store>) {
    let (url, dir) = fresh_url(backend).await;
    (dir, open(&url).await.unwrap())
}

/// Every store test runs against both backends.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[tokio::test]
            async fn $name() {
                super::$name("sqlite").await
            })*
        }
        mod postgres_backend {
            $(#[tokio::test]
            async fn $name() {
                super::$name("postgres").await
            })*
        }
    };
}

both_backends!(
    insert_dedupes_on_forge_and_delivery_id,
    concurrent_inserts_all_commit,
    claim_finish_and_stale_attempts,
    retry_later_waits_for_its_time,
    set_aside_does_not_count_an_attempt,
    set_asides_are_counted_across_claims,
    deliveries_survive_reopening,
    mark_once_is_true_only_the_first_time,
    payloads_round_trip_compressed,
    comment_bodies_are_kept_per_forge_repo_and_comment,
    a_stored_unknown_forge_fails_its_delivery,
    a_database_of_version_1_is_migrated_and_keeps_its_data,
    a_database_newer_than_the_binary_is_refused,
    leases_are_renewed_only_by_their_attempt,
    the_ledger_records_and_lists_actions,
    locks_have_one_holder_until_they_lapse,
    facts_are_kept_per_delivery_with_its_payload,
    only_a_failed_delivery_is_queued_again,
    pruning_removes_old_rows_and_keeps_new_ones,
    recent_deliveries_newest_first_filtered_and_paged,
);

const LEASE: Duration = Duration::from_secs(60);

async fn set_asides_are_counted_across_claims(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    let mut job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(job.set_asides(), 0);
    for n in 1..=5 {
        assert!(store
            .set_aside(job.id, job.attempt, 1_000 + n)
            .await
            .unwrap());
        job = store.claim(1_000 + n, LEASE, 1).await.unwrap().remove(0);
        assert_eq!(job.set_asides(), n, "after {n} set-asides");
        assert_eq!(job.tries, 1);
    }
    // A try that counts does not count as a set-aside.
    assert!(store
        .retry_later(job.id, job.attempt, "transient".into(), 2_000)
        .await
        .unwrap());
    let job = store.claim(2_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!((job.tries, job.set_asides()), (2, 5));
}

async fn insert_dedupes_on_forge_and_delivery_id(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    assert_eq!(store.insert(delivery("a")).await.unwrap(), Inserted::New);
    assert_eq!(
        store.insert(delivery("a")).await.unwrap(),
        Inserted::Duplicate
    );
    let mut other_forge = delivery("a");
    other_forge.forge = ForgeKind::Gitlab;
    assert_eq!(store.insert(other_forge).await.unwrap(), Inserted::New);
    assert_eq!(store.stats().await.unwrap().pending, 2);
}

async fn concurrent_inserts_all_commit(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    let mut handles = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store
                .insert(delivery(&format!("d{}", i % 150)))
                .await
                .unwrap()
        }));
    }
    let mut new = 0;
    for h in handles {
        if h.await.unwrap() == Inserted::New {
            new += 1;
        }
    }
    assert_eq!(new, 150);
    assert_eq!(store.stats().await.unwrap().pending, 150);
}

async fn claim_finish_and_stale_attempts(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    store.insert(delivery("b")).await.unwrap();
    let jobs = store.claim(1_000, LEASE, 1).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].delivery_id, "a");
    assert_eq!(jobs[0].attempt, 1);
    // Running and leased: not claimed again before the lease ends.
    let next = store.claim(2_000, LEASE, 10).await.unwrap();
    assert_eq!(
        next.iter()
            .map(|j| j.delivery_id.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    // The lease of `a` expires: it is claimed again with attempt 2.
    let again = store.claim(1_000 + 61_000, LEASE, 10).await.unwrap();
    let a = again.iter().find(|j| j.delivery_id == "a").unwrap();
    assert_eq!(a.attempt, 2);
    // The first worker's late completion is refused; the second one's is recorded.
    assert!(!store.finish(a.id, 1, Outcome::Done).await.unwrap());
    assert!(store.finish(a.id, 2, Outcome::Done).await.unwrap());
    assert!(!store.finish(a.id, 2, Outcome::Done).await.unwrap());
    let rec = store
        .delivery(ForgeKind::Github, "a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.state, "done");
    assert_eq!(rec.attempts, 2);
}

async fn retry_later_waits_for_its_time(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    let job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
    assert!(store
        .retry_later(job.id, job.attempt, "forge 503".into(), 5_000)
        .await
        .unwrap());
    assert!(store.claim(4_999, LEASE, 1).await.unwrap().is_empty());
    let job = store.claim(5_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(job.attempt, 2);
    store
        .finish(job.id, job.attempt, Outcome::Failed("gave up".into()))
        .await
        .unwrap();
    let rec = store
        .delivery(ForgeKind::Github, "a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (rec.state.as_str(), rec.reason.as_deref()),
        ("failed", Some("gave up"))
    );
}

async fn set_aside_does_not_count_an_attempt(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    let job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
    assert!(store.set_aside(job.id, job.attempt, 3_000).await.unwrap());
    // A stale attempt cannot set the job aside again.
    assert!(!store.set_aside(job.id, job.attempt, 9_000).await.unwrap());
    assert!(store.claim(2_999, LEASE, 1).await.unwrap().is_empty());
    let again = store.claim(3_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(again.tries, 1, "the set-aside claim was not a try");
    assert_eq!(again.attempt, 2, "but the fencing number still grew");
    assert_eq!(again.set_asides(), 1);
    assert!(
        !store
            .finish(job.id, job.attempt, Outcome::Done)
            .await
            .unwrap(),
        "the worker that set it aside cannot finish the new claim"
    );
    assert!(store
        .finish(again.id, again.attempt, Outcome::Done)
        .await
        .unwrap());
    let rec = store
        .delivery(ForgeKind::Github, "a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((rec.state.as_str(), rec.attempts), ("done", 1));
}

async fn deliveries_survive_reopening(backend: &str) {
    let (url, _dir) = fresh_url(backend).await;
    {
        let store = open(&url).await.unwrap();
        store.insert(delivery("kept")).await.unwrap();
        store.claim(1_000, LEASE, 1).await.unwrap();
    }
    let store = open(&url).await.unwrap();
    assert_eq!(
        store.insert(delivery("kept")).await.unwrap(),
        Inserted::Duplicate
    );
    let jobs = store.claim(1_000 + 61_000, LEASE, 5).await.unwrap();
    assert_eq!(jobs.len(), 1, "the job of a dead worker is claimed again");
}

async fn mark_once_is_true_only_the_first_time(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    assert!(store
        .mark_once("schedule:weekly:2026-11-23T09:00", 1)
        .await
        .unwrap());
    assert!(!store
        .mark_once("schedule:weekly:2026-11-23T09:00", 2)
        .await
        .unwrap());
}

async fn payloads_round_trip_compressed(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    let body: Vec<u8> = (0..20_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let mut d = delivery("big");
    d.body = body.clone();
    store.insert(d).await.unwrap();
    let job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(job.body, body);
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    assert!(matches!(
        open("mysql://x").await.err(),
        Some(StoreError::UnsupportedUrl(_))
    ));
}

async fn comment_bodies_are_kept_per_forge_repo_and_comment(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    let gl = ForgeKind::Gitlab;
    assert_eq!(store.comment_body(gl, "a/b", 7).await.unwrap(), None);
    store
        .set_comment_body(gl, "a/b", 7, "/label ~x")
        .await
        .unwrap();
    store
        .set_comment_body(gl, "a/c", 7, "other repo")
        .await
        .unwrap();
    store
        .set_comment_body(gl, "a/b", 7, "/label ~x\n/close")
        .await
        .unwrap();
    let body = store.comment_body(gl, "a/b", 7).await.unwrap();
    assert_eq!(body.as_deref(), Some("/label ~x\n/close"));
    let other = store.comment_body(gl, "a/c", 7).await.unwrap();
    assert_eq!(other.as_deref(), Some("other repo"));
    let github = store
        .comment_body(ForgeKind::Github, "a/b", 7)
        .await
        .unwrap();
    assert_eq!(github, None);
}

/// Rewrite a stored delivery's forge behind the store's back, as another version (or a
/// person) could.
async fn set_stored_forge(url: &str, delivery_id: &str, forge: &str) {
    const SQL: &str = "UPDATE deliveries SET forge = $1 WHERE delivery_id = $2";
    if let Some(path) = url.strip_prefix("sqlite://") {
        let conn = rusqlite::Connection::open(path).unwrap();
        let changed = conn
            .execute(&SQL.replace('$', "?"), [forge, delivery_id])
            .unwrap();
        assert_eq!(changed, 1);
        return;
    }
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let changed = client.execute(SQL, &[&forge, &delivery_id]).await.unwrap();
    assert_eq!(changed, 1);
}

async fn a_stored_unknown_forge_fails_its_delivery(backend: &str) {
    let (url, _dir) = fresh_url(backend).await;
    let store = open(&url).await.unwrap();
    store.insert(delivery("a")).await.unwrap();
    store.insert(delivery("b")).await.unwrap();
    set_stored_forge(&url, "a", "gitea").await;
    let jobs = store.claim(1_000, LEASE, 10).await.unwrap();
    let claimed: Vec<_> = jobs
        .iter()
        .map(|j| (j.forge, j.delivery_id.as_str()))
        .collect();
    assert_eq!(claimed, [(ForgeKind::Github, "b")]);
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.failed, stats.running), (1, 1));
    // Failed for good: never claimed again, even after the lease would have ended.
    assert!(store
        .claim(1_000 + 61_000, LEASE, 10)
        .await
        .unwrap()
        .iter()
        .all(|j| j.delivery_id == "b"));
    set_stored_forge(&url, "a", "github").await;
    let record = store
        .delivery(ForgeKind::Github, "a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "failed");
    assert_eq!(
        record.reason.as_deref(),
        Some("unknown forge `gitea` (expected github or gitlab)")
    );
}

/// Run `statements` on the database at `url` behind the store's back, as an older
/// forgehand (or a person) would.
async fn run_sql(url: &str, statements: &[&str]) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let conn = rusqlite::Connection::open(path).unwrap();
        for stmt in statements {
            conn.execute_batch(stmt).unwrap();
        }
        return;
    }
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    for stmt in statements {
        client.batch_execute(stmt).await.unwrap();
    }
}

async fn schema_versions(url: &str) -> Vec<i64> {
    const SQL: &str = "SELECT version FROM schema_version ORDER BY version";
    if let Some(path) = url.strip_prefix("sqlite://") {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn.prepare(SQL).unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        return rows.map(Result::unwrap).collect();
    }
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = client.query(SQL, &[]).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

async fn a_database_of_version_1_is_migrated_and_keeps_its_data(backend: &str) {
    let (url, _dir) = fresh_url(backend).await;
    // What the binary before versioned migrations left: its tables, no version table.
    let v1 = if backend == "sqlite" {
        schema::SQLITE_V1
    } else {
        schema::POSTGRES_V1
    };
    run_sql(&url, v1).await;
    run_sql(
        &url,
        &[
            "INSERT INTO deliveries (forge, delivery_id, event, received_at)
             VALUES ('github', 'old', 'issue_comment', 5)",
            "INSERT INTO markers (key, created_at) VALUES ('schedule:old', 5)",
        ],
    )
    .await;
    let store = open(&url).await.unwrap();
    assert_eq!(schema_versions(&url).await, [1, 2, 3, 4]);
    let kept = store.delivery(ForgeKind::Github, "old").await.unwrap();
    assert_eq!(kept.map(|d| d.state).as_deref(), Some("pending"));
    assert!(!store.mark_once("schedule:old", 6).await.unwrap());
    // The new tables are there.
    assert!(store.try_lock("k", "me", 1, LEASE).await.unwrap());
    drop(store);
    // Opening again applies nothing twice.
    let again = open(&url).await.unwrap();
    assert_eq!(schema_versions(&url).await, [1, 2, 3, 4]);
    assert_eq!(again.stats().await.unwrap().pending, 1);
}

async fn a_database_newer_than_the_binary_is_refused(backend: &str) {
    let (url, _dir) = fresh_url(backend).await;
    drop(open(&url).await.unwrap());
    run_sql(
        &url,
        &["INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)"],
    )
    .await;
    match open(&url).await {
        Err(StoreError::Database(why)) => assert!(why.contains("schema version 99"), "{why}"),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a database from a newer forgehand was opened"),
    }
}

async fn leases_are_renewed_only_by_their_attempt(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    let job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
    // Renewed at 50 s: the lease now runs to 110 s, so a claim at 70 s finds nothing.
    assert!(store.renew_lease(job.id, 1, 50_000, LEASE).await.unwrap());
    assert!(store.claim(70_000, LEASE, 1).await.unwrap().is_empty());
    // Lapsed at 111 s: claimed again; the first attempt can no longer renew (fenced).
    let again = store.claim(111_000, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(again.attempt, 2);
    assert!(!store.renew_lease(job.id, 1, 112_000, LEASE).await.unwrap());
    assert!(store.renew_lease(job.id, 2, 112_000, LEASE).await.unwrap());
    store.finish(job.id, 2, Outcome::Done).await.unwrap();
    assert!(!store.renew_lease(job.id, 2, 113_000, LEASE).await.unwrap());
}

fn action(delivery_id: &str, position: i64, repo: &str, at: i64) -> ActionRecord {
    ActionRecord {
        key: format!("github:{delivery_id}:{position}:abc"),
        forge: ForgeKind::Github,
        delivery_id: delivery_id.into(),
        repo: repo.into(),
        intent: "comment".into(),
        position,
        state: ActionState::Failed,
        answer: Some("transient forge error: 502".into()),
        object_id: None,
        url: None,
        at,
    }
}

async fn the_ledger_records_and_lists_actions(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    assert_eq!(store.action("github:d1:0:abc").await.unwrap(), None);
    let failed = action("d1", 0, "acme/app", 10);
    store.record_action(failed.clone()).await.unwrap();
    assert_eq!(
        store.action(&failed.key).await.unwrap(),
        Some(failed.clone())
    );
    // The next try succeeds: the same key now says done, with what was created.
    let done = ActionRecord {
        state: ActionState::Done,
        answer: Some("comment on acme/app#1".into()),
        object_id: Some("42".into()),
        url: Some("http://forge/acme/app/issues/1#issuecomment-42".into()),
        at: 20,
        ..failed
    };
    store.record_action(done.clone()).await.unwrap();
    assert_eq!(store.action(&done.key).await.unwrap(), Some(done.clone()));
    store
        .record_action(action("d1", 1, "acme/app", 21))
        .await
        .unwrap();
    store
        .record_action(action("d2", 0, "acme/other", 30))
        .await
        .unwrap();
    let keys = |rows: Vec<ActionRecord>| {
        rows.into_iter()
            .map(|r| (r.delivery_id, r.position))
            .collect::<Vec<_>>()
    };
    let by_delivery = ActionQuery {
        delivery: Some((ForgeKind::Github, "d1".into())),
        limit: 10,
        ..ActionQuery::default()
    };
    let d1 = store.actions(by_delivery).await.unwrap();
    assert_eq!(d1[0], done);
    assert_eq!(keys(d1), [("d1".to_string(), 0), ("d1".to_string(), 1)]);
    let by_repo = ActionQuery {
        repo: Some("acme/other".into()),
        limit: 10,
        ..ActionQuery::default()
    };
    assert_eq!(
        keys(store.actions(by_repo).await.unwrap()),
        [("d2".to_string(), 0)]
    );
    let by_time = ActionQuery {
        since_ms: Some(21),
        until_ms: Some(30),
        limit: 10,
        ..ActionQuery::default()
    };
    assert_eq!(
        keys(store.actions(by_time).await.unwrap()),
        [("d1".to_string(), 1)]
    );
    let other_forge = ActionQuery {
        delivery: Some((ForgeKind::Gitlab, "d1".into())),
        limit: 10,
        ..ActionQuery::default()
    };
    assert!(store.actions(other_forge).await.unwrap().is_empty());
    let limited = ActionQuery {
        limit: 2,
        ..ActionQuery::default()
    };
    assert_eq!(store.actions(limited).await.unwrap().len(), 2);
}

async fn locks_have_one_holder_until_they_lapse(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    let ttl = Duration::from_secs(10);
    assert!(store
        .try_lock("mr acme/app release", "a", 1_000, ttl)
        .await
        .unwrap());
    assert!(!store
        .try_lock("mr acme/app release", "b", 2_000, ttl)
        .await
        .unwrap());
    // Another key is free; the holder may take its own lock again (renewing it).
    assert!(store
        .try_lock("issue acme/app x", "b", 2_000, ttl)
        .await
        .unwrap());
    assert!(store
        .try_lock("mr acme/app release", "a", 5_000, ttl)
        .await
        .unwrap());
    assert!(!store
        .try_lock("mr acme/app release", "b", 14_000, ttl)
        .await
        .unwrap());
    // Only the holder can give it back.
    store.unlock("mr acme/app release", "b").await.unwrap();
    assert!(!store
        .try_lock("mr acme/app release", "b", 14_000, ttl)
        .await
        .unwrap());
    store.unlock("mr acme/app release", "a").await.unwrap();
    assert!(store
        .try_lock("mr acme/app release", "b", 14_000, ttl)
        .await
        .unwrap());
    // A holder that died: its lock lapses.
    assert!(store
        .try_lock("mr acme/app release", "c", 24_001, ttl)
        .await
        .unwrap());
}

fn facts(delivery_id: &str, repo: &str, at: i64) -> DeliveryFacts {
    DeliveryFacts {
        forge: ForgeKind::Github,
        delivery_id: delivery_id.into(),
        repo: repo.into(),
        context: r#"{"actor_role":{"known":"developer"}}"#.into(),
        plan: r#"{"intents":[],"notes":[]}"#.into(),
        at,
    }
}

fn delivery_at(id: &str, received_at: i64) -> NewDelivery {
    NewDelivery {
        received_at,
        body: format!("{{\"id\":\"{id}\"}}").into_bytes(),
        ..delivery(id)
    }
}

async fn facts_are_kept_per_delivery_with_its_payload(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery_at("a", 100)).await.unwrap();
    store.insert(delivery_at("b", 200)).await.unwrap();
    store.insert(delivery_at("c", 300)).await.unwrap();
    let stored = store.stored(ForgeKind::Github, "a").await.unwrap().unwrap();
    assert_eq!(stored.body, br#"{"id":"a"}"#);
    assert_eq!(stored.received_at, 100);
    assert_eq!(stored.record.state, "pending");
    assert_eq!(stored.facts, None);
    store
        .record_facts(facts("a", "acme/app", 150))
        .await
        .unwrap();
    // A later try replaces the earlier one's facts.
    let mut again = facts("a", "acme/app", 160);
    again.plan = r#"{"intents":[1]}"#.into();
    store.record_facts(again.clone()).await.unwrap();
    store
        .record_facts(facts("b", "acme/other", 250))
        .await
        .unwrap();
    store
        .record_facts(facts("c", "acme/app", 350))
        .await
        .unwrap();
    let stored = store.stored(ForgeKind::Github, "a").await.unwrap().unwrap();
    assert_eq!(stored.facts, Some(again));
    assert_eq!(store.stored(ForgeKind::Gitlab, "a").await.unwrap(), None);
    let ids = |rows: Vec<StoredDelivery>| {
        rows.into_iter()
            .map(|r| r.record.delivery_id)
            .collect::<Vec<_>>()
    };
    let all = StoredQuery {
        since_ms: 0,
        repo: None,
        limit: 10,
    };
    assert_eq!(
        ids(store.stored_with_facts(all.clone()).await.unwrap()),
        ["a", "b", "c"]
    );
    let app_since = StoredQuery {
        since_ms: 150,
        repo: Some("acme/app".into()),
        limit: 10,
    };
    let found = store.stored_with_facts(app_since).await.unwrap();
    assert_eq!(found[0].body, br#"{"id":"c"}"#);
    assert_eq!(ids(found), ["c"]);
    let limited = StoredQuery { limit: 1, ..all };
    assert_eq!(ids(store.stored_with_facts(limited).await.unwrap()), ["a"]);
}

async fn only_a_failed_delivery_is_queued_again(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    store.insert(delivery("a")).await.unwrap();
    assert_eq!(
        store.redeliver(ForgeKind::Github, "a").await.unwrap(),
        Redelivery::NotFailed("pending".into())
    );
    assert_eq!(
        store.redeliver(ForgeKind::Github, "none").await.unwrap(),
        Redelivery::NotFound
    );
    // Tried three times, then failed.
    for (attempt, now) in [(1, 1_000), (2, 2_000)] {
        let job = store.claim(now, LEASE, 1).await.unwrap().remove(0);
        assert_eq!(job.attempt, attempt);
        store
            .retry_later(job.id, attempt, "502".into(), now)
            .await
            .unwrap();
    }
    let job = store.claim(3_000, LEASE, 1).await.unwrap().remove(0);
    store
        .finish(
            job.id,
            3,
            Outcome::Failed("gave up after 3 attempts: 502".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        store.redeliver(ForgeKind::Github, "a").await.unwrap(),
        Redelivery::Queued
    );
    let record = store
        .delivery(ForgeKind::Github, "a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "pending");
    assert_eq!(record.attempts, 0);
    assert_eq!(
        record.reason.as_deref(),
        Some("queued again by an operator; it had failed: gave up after 3 attempts: 502")
    );
    // Claimed again at once: a new attempt number (it fences), its tries from one.
    let job = store.claim(3_001, LEASE, 1).await.unwrap().remove(0);
    assert_eq!((job.attempt, job.tries), (4, 1));
    store.finish(job.id, 4, Outcome::Done).await.unwrap();
    assert_eq!(
        store.redeliver(ForgeKind::Github, "a").await.unwrap(),
        Redelivery::NotFailed("done".into())
    );
}

async fn recent_deliveries_newest_first_filtered_and_paged(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    for (id, at) in [("a", 100), ("b", 200), ("c", 300)] {
        store.insert(delivery_at(id, at)).await.unwrap();
    }
    store
        .record_facts(facts("a", "acme/app", 150))
        .await
        .unwrap();
    store
        .record_facts(facts("c", "acme/web", 350))
        .await
        .unwrap();
    let job = store.claim(400, LEASE, 1).await.unwrap().remove(0);
    assert_eq!(job.delivery_id, "a");
    store
        .finish(job.id, 1, Outcome::Failed("502".into()))
        .await
        .unwrap();
    let ids = |rows: Vec<crate::store::DeliverySummary>| -> Vec<String> {
        rows.into_iter().map(|r| r.record.delivery_id).collect()
    };
    let query = |f: fn(&mut RecentQuery)| {
        let mut q = RecentQuery {
            limit: 10,
            ..RecentQuery::default()
        };
        f(&mut q);
        q
    };
    let all = store.recent(query(|_| {})).await.unwrap();
    assert_eq!(all[2].repo, "acme/app");
    assert_eq!(all[2].finished_at.map(|f| f > 0), Some(true));
    assert_eq!(all[1].repo, "", "no facts kept: no repository");
    assert_eq!(all[1].finished_at, None);
    assert_eq!(ids(all), ["c", "b", "a"]);
    let failed = store
        .recent(query(|q| q.state = Some("failed".into())))
        .await
        .unwrap();
    assert_eq!(ids(failed), ["a"]);
    let web = store
        .recent(query(|q| q.repo = Some("acme/web".into())))
        .await
        .unwrap();
    assert_eq!(ids(web), ["c"]);
    let none = store
        .recent(query(|q| q.event = Some("push".into())))
        .await
        .unwrap();
    assert!(none.is_empty());
    let page = store
        .recent(query(|q| {
            q.offset = 1;
            q.limit = 1
        }))
        .await
        .unwrap();
    assert_eq!(ids(page), ["b"]);
    assert_eq!(
        store.repos().await.unwrap(),
        [
            (ForgeKind::Github, "acme/app".to_string()),
            (ForgeKind::Github, "acme/web".to_string())
        ]
    );
}

async fn pruning_removes_old_rows_and_keeps_new_ones(backend: &str) {
    let (_d, store) = temp_store(backend).await;
    // "old" and "new" finish; "old-open", as old, is still pending.
    for (id, at) in [("old", 100), ("new", 900), ("old-open", 100)] {
        store.insert(delivery_at(id, at)).await.unwrap();
        store
            .record_facts(facts(id, "acme/app", at + 1))
            .await
            .unwrap();
        store
            .record_action(action(id, 0, "acme/app", at + 2))
            .await
            .unwrap();
        if id != "old-open" {
            let job = store.claim(1_000, LEASE, 1).await.unwrap().remove(0);
            assert_eq!(job.delivery_id, id);
            store
                .finish(job.id, job.attempt, Outcome::Done)
                .await
                .unwrap();
        }
    }
    let pruned = store.prune(500).await.unwrap();
    assert_eq!(
        pruned,
        Pruned {
            deliveries: 1,
            facts: 2,
            actions: 2
        }
    );
    assert_eq!(store.stored(ForgeKind::Github, "old").await.unwrap(), None);
    let new = store
        .stored(ForgeKind::Github, "new")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.body, br#"{"id":"new"}"#);
    assert!(new.facts.is_some());
    let actions = store
        .actions(ActionQuery {
            limit: 10,
            ..ActionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].delivery_id, "new");
    let open = store.delivery(ForgeKind::Github, "old-open").await.unwrap();
    assert!(open.is_some(), "a pending delivery is never pruned");
    // Nothing more to prune.
    assert_eq!(store.prune(500).await.unwrap(), Pruned::default());
}
