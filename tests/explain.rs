//! `explain`, `redeliver` and `replay` on deliveries a running forgehand processed: the worker
//! keeps the facts and the plan of each delivery; the account shows each rule's verdict, the
//! plan and the ledger; a failed delivery is queued again; a changed rule replays to exact
//! differences.

mod support;

use forgehand::config::Config;
use forgehand::explain::{self, replay};
use forgehand::model::ForgeKind;
use forgehand::store::{Redelivery, StoredQuery};
use support::triage::{comment, seeded_app, Side};

const RULES: &str = r#"
rules:
  - id: triage
    on: [comment]
    if: { labels: [bug], assignee: none }
    then:
      add_labels: ["flow::Triage"]
  - id: docs
    on: [comment]
    if: { labels: [docs], title: "^Docs" }
    then:
      comment: "Docs are reviewed on Fridays."
  - id: welcome
    on: [issue.opened]
    then:
      comment: "Thanks!"
"#;

/// Text with what changes from run to run (times, the fake forge's port) replaced.
fn stable(text: &str) -> String {
    let time = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let millis = regex::Regex::new(r#""at": \d+"#).unwrap();
    let text = time.replace_all(text, "<time>");
    let text = millis.replace_all(&text, r#""at": "<ms>""#);
    port.replace_all(&text, "127.0.0.1:<port>").into_owned()
}

#[tokio::test]
async fn explain_shows_the_event_facts_rule_verdicts_plan_and_actions() {
    let app = seeded_app(RULES).await;
    comment(&app, Side::Github, "maint", "/label ~bug", "x-1").await;
    let stored = app
        .store
        .stored(ForgeKind::Github, "x-1")
        .await
        .unwrap()
        .unwrap();
    let facts = stored.facts.expect("the worker kept the facts");
    assert_eq!(facts.repo, Side::Github.repo());
    let account = explain::account(app.store.as_ref(), &app.config, ForgeKind::Github, "x-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.state, "done");
    let verdicts: Vec<(&str, bool, bool)> = account
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.on_event, r.matched))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("triage", true, true),
            ("docs", true, false),
            ("welcome", false, false)
        ]
    );
    assert_eq!(account.rules[1].failed.len(), 2, "{:?}", account.rules[1]);
    // The ledger's rows: the label edit and the reaction, each done, with its answer.
    assert!(!account.actions.is_empty());
    assert!(account
        .actions
        .iter()
        .all(|a| a.state == forgehand::store::ActionState::Done));
    insta::assert_snapshot!("explain_text", stable(&account.to_string()));
    let json = serde_json::to_string_pretty(&account).unwrap();
    insta::assert_snapshot!("explain_json", stable(&json));
    app.teardown().await;
}

#[tokio::test]
async fn a_failed_delivery_is_queued_again_and_runs() {
    let app = seeded_app(RULES).await;
    // Not failed: refused, nothing changes.
    comment(&app, Side::Github, "maint", "/label ~bug", "r-1").await;
    assert_eq!(
        app.store.redeliver(ForgeKind::Github, "r-1").await.unwrap(),
        Redelivery::NotFailed("done".into())
    );
    // A delivery whose payload did not decode failed; queued again, it fails again the same way
    // (the payload is what it is) — but it was claimed and tried once more.
    let status = app
        .github(
            "issue_comment",
            "r-2",
            &serde_json::json!({"action": "created"}),
        )
        .await
        .status;
    assert_eq!(status, 202);
    app.wait_idle().await;
    let failed = app.delivery(ForgeKind::Github, "r-2").await;
    assert_eq!(failed.state, "failed");
    assert_eq!(
        app.store.redeliver(ForgeKind::Github, "r-2").await.unwrap(),
        Redelivery::Queued
    );
    let queued = app.delivery(ForgeKind::Github, "r-2").await;
    assert_eq!(queued.state, "pending");
    assert!(
        queued
            .reason
            .as_deref()
            .unwrap()
            .starts_with("queued again by an operator; it had failed: "),
        "{queued:?}"
    );
    app.wait_idle().await;
    let again = app.delivery(ForgeKind::Github, "r-2").await;
    assert_eq!((again.state.as_str(), again.attempts), ("failed", 1));
    app.teardown().await;
}

#[tokio::test]
async fn replay_with_a_changed_rule_shows_the_exact_differences() {
    let app = seeded_app(RULES).await;
    comment(&app, Side::Github, "maint", "/label ~bug", "p-1").await;
    comment(&app, Side::Github, "maint", "/assign @alice", "p-2").await;
    comment(&app, Side::Github, "maint", "/label ~docs", "p-3").await;
    // The new configuration: triage adds another label; a rule that thanks every comment.
    let changed = RULES.replace(
        r#"add_labels: ["flow::Triage"]"#,
        r#"add_labels: ["flow::Triage", "needs-owner"]"#,
    ) + r#"
  - id: thanks
    on: [comment]
    if: { labels: [docs] }
    then:
      comment: "Thanks for the docs."
"#;
    let mut config = (*app.config).clone();
    config.rules = Config::from_str(&changed, "new.yml", &|_| None)
        .unwrap()
        .rules;
    let stored = app
        .store
        .stored_with_facts(StoredQuery {
            since_ms: 0,
            repo: None,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    let mut ledgers = Vec::new();
    for s in &stored {
        ledgers.push(ledger_of(&app, &s.record.delivery_id).await);
    }
    assert!(
        ledgers.iter().all(|l| !l.is_empty()),
        "every delivery did something"
    );
    let mut report = replay::Report::default();
    for (s, ledger) in stored.iter().zip(&ledgers) {
        report.add(replay::replay_one(s, &config, ledger));
    }
    assert_eq!(report.summary.replayed, 3);
    assert_eq!(report.summary.differing, 2, "{report}");
    // The same configuration replays to no difference.
    let mut same = replay::Report::default();
    for (s, ledger) in stored.iter().zip(&ledgers) {
        same.add(replay::replay_one(s, &app.config, ledger));
    }
    assert_eq!(same.summary.differing, 0, "{same}");
    insta::assert_snapshot!("replay_text", stable(&report.to_string()));
    insta::assert_json_snapshot!("replay_json", report.summary);

    // Compared with what was done, not with what was planned: had p-1's write failed, the
    // same configuration would now add it, marked with the failure; with no ledger row
    // at all (a dry run), the recorded plan is the baseline.
    let p1 = stored
        .iter()
        .position(|s| s.record.delivery_id == "p-1")
        .unwrap();
    let mut failed = ledgers[p1].clone();
    let kind = failed[0].intent.clone();
    let reply = &mut failed[0];
    reply.state = forgehand::store::ActionState::Failed;
    reply.answer = Some("502 Bad Gateway".to_string());
    let again = replay::replay_one(&stored[p1], &app.config, &failed)
        .unwrap()
        .expect("the failed write would be made now");
    assert_eq!(again.baseline, "done");
    assert!(
        again.dropped.is_empty() && again.changed.is_empty(),
        "{again:?}"
    );
    assert_eq!(again.added.len(), 1, "{again:?}");
    assert_eq!(again.added[0].intent, kind);
    assert_eq!(
        again.added[0].then.as_deref(),
        Some("failed then: 502 Bad Gateway")
    );
    let dry = replay::replay_one(&stored[p1], &config, &[])
        .unwrap()
        .expect("the changed rule differs from the plan too");
    assert_eq!(dry.baseline, "planned");
    assert_eq!(dry.changed.len(), 1, "{dry:?}");
    app.teardown().await;
}

/// The action ledger's rows of GitHub delivery `id`.
async fn ledger_of(app: &support::app::TestApp, id: &str) -> Vec<forgehand::store::ActionRecord> {
    app.store
        .actions(forgehand::store::ActionQuery {
            delivery: Some((ForgeKind::Github, id.to_string())),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
}
