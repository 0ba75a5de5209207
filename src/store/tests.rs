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

fn temp_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = open(&url).unwrap();
    (dir, store)
}

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn insert_dedupes_on_forge_and_delivery_id() {
    let (_d, store) = temp_store();
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

#[tokio::test]
async fn concurrent_inserts_all_commit() {
    let (_d, store) = temp_store();
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

#[tokio::test]
async fn claim_finish_and_stale_attempts() {
    let (_d, store) = temp_store();
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

#[tokio::test]
async fn retry_later_waits_for_its_time() {
    let (_d, store) = temp_store();
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

#[tokio::test]
async fn deliveries_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    {
        let store = open(&url).unwrap();
        store.insert(delivery("kept")).await.unwrap();
        store.claim(1_000, LEASE, 1).await.unwrap();
    }
    let store = open(&url).unwrap();
    assert_eq!(
        store.insert(delivery("kept")).await.unwrap(),
        Inserted::Duplicate
    );
    let jobs = store.claim(1_000 + 61_000, LEASE, 5).await.unwrap();
    assert_eq!(jobs.len(), 1, "the job of a dead worker is claimed again");
}

#[tokio::test]
async fn mark_once_is_true_only_the_first_time() {
    let (_d, store) = temp_store();
    assert!(store
        .mark_once("schedule:weekly:2026-11-23T09:00", 1)
        .await
        .unwrap());
    assert!(!store
        .mark_once("schedule:weekly:2026-11-23T09:00", 2)
        .await
        .unwrap());
}

#[test]
fn unsupported_urls_are_refused() {
    assert!(matches!(
        open("mysql://x").err(),
        Some(StoreError::UnsupportedUrl(_))
    ));
}

#[tokio::test]
async fn comment_bodies_are_kept_per_forge_repo_and_comment() {
    let (_d, store) = temp_store();
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
