//! Every example payload of `@octokit/webhooks-examples` (all GitHub event kinds), signed and
//! posted to the running app: each is answered 2xx, none makes a job panic or stay open, the
//! kinds forgehand acts on are processed, and the rest are recorded as ignored.

mod support;

use forgehand::event::{self, Decoded, ForgeKind};
use serde_json::Value;
use support::app::spawn_app;

/// GitHub event names forgehand decodes into events (PRODUCT.md › Intake).
const RELEVANT: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request",
    "create",
    "delete",
    "push",
    "release",
    "workflow_run",
    "check_suite",
    "ping",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_octokit_example_is_acknowledged_and_processed() {
    let app = spawn_app().await;
    let examples: Vec<Value> =
        serde_json::from_slice(&support::fixture("github/webhooks-examples.json")).unwrap();
    let mut posted = Vec::new();
    let mut bodies = Vec::new();
    for group in &examples {
        let name = group["name"].as_str().unwrap();
        for (i, example) in group["examples"].as_array().unwrap().iter().enumerate() {
            let id = format!("{name}-{i}");
            let r = app.github(name, &id, example).await;
            assert!((200..300).contains(&r.status), "{id}: status {}", r.status);
            posted.push((name.to_string(), id));
            bodies.push(example.clone());
        }
    }
    assert_eq!(posted.len(), 329, "the package holds 329 examples");
    app.wait_idle().await;

    let mut processed = std::collections::BTreeMap::<&str, usize>::new();
    for ((name, id), example) in posted.iter().zip(bodies.iter()) {
        let rec = app.delivery(ForgeKind::Github, id).await;
        // The job ends as the decoder says: an event is processed (done), anything else is
        // recorded as ignored with its reason.
        let body = serde_json::to_vec(example).unwrap();
        match event::decode(ForgeKind::Github, name, &body) {
            Ok(Decoded::Event(_)) => {
                assert_eq!(rec.state, "done", "{id}: {:?}", rec.reason);
                assert!(RELEVANT.contains(&name.as_str()), "{id} was processed");
                *processed.entry(name.as_str()).or_default() += 1;
            }
            Ok(Decoded::Ignored(why)) => {
                assert_eq!(rec.state, "ignored", "{id}");
                assert_eq!(rec.reason.as_deref(), Some(why.as_str()));
            }
            Err(e) => panic!("{id}: a real example failed to decode: {e}"),
        }
    }
    for kind in RELEVANT {
        assert!(
            processed.get(kind).is_some_and(|n| *n > 0),
            "no {kind} example processed"
        );
    }
    assert_eq!(processed.values().sum::<usize>(), 75, "{processed:?}");
    // Example comments carry no commands and no rules are configured: nothing is written.
    assert!(app.fake.writes().is_empty(), "{:?}", app.fake.writes());
    app.teardown().await;
}
