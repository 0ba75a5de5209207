//! Exactly once against a forge that misbehaves: with 30 % of requests to both forges failing
//! (5xx, 429 with `Retry-After`, answers slower than the client's timeout, dropped
//! connections — half of them after the forge applied the write), every intended label
//! lands and no comment is posted twice.

mod support;

use forgehand::event::ForgeKind;
use forgehand::store::{ActionQuery, ActionRecord, ActionState};
use std::collections::HashSet;
use std::time::Duration;
use support::app::Tuning;
use support::fake_faults::{FaultKind, FaultPlan, FaultTime};
use support::triage::{
    comment_payload, post_comment_payload, seeded_app_tuned, without_intent_marker, Side, BOTH,
};

/// Issues per forge, each with one command that labels and replies.
const ISSUES: u64 = 20;
/// Fraction of forge requests that fail.
const FAULT_RATE: f64 = 0.3;
/// Longest wait for the queue to drain under faults.
const DRAIN: Duration = Duration::from_secs(120);

fn forge_of(side: Side) -> ForgeKind {
    match side {
        Side::Github => ForgeKind::Github,
        Side::Gitlab => ForgeKind::Gitlab,
    }
}

async fn ledger(
    app: &support::app::TestApp,
    forge: ForgeKind,
    delivery: &str,
) -> Vec<ActionRecord> {
    let query = ActionQuery {
        delivery: Some((forge, delivery.to_string())),
        limit: 100,
        ..ActionQuery::default()
    };
    app.store.actions(query).await.expect("ledger")
}

fn bot_comments(app: &support::app::TestApp, side: Side, number: u64) -> Vec<String> {
    app.fake
        .comments(side.repo(), number)
        .into_iter()
        .filter(|c| c.author == "forgehand[bot]" || c.author == "forgehand-bot")
        .map(|c| c.body)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_percent_faults_on_both_forges_lose_and_double_nothing() {
    let app = seeded_app_tuned("", Tuning::fast()).await;
    for side in BOTH {
        for number in 2..=ISSUES {
            app.fake.add_issue(side.repo(), number);
        }
    }
    app.fake.inject_faults(FaultPlan::all_kinds(FAULT_RATE, 8));
    let mut deliveries = Vec::new();
    for number in 1..=ISSUES {
        for side in BOTH {
            let body = "/label bug\n/cc @alice";
            let id = app.fake.add_comment(side.repo(), number, "maint", body);
            let payload = comment_payload(&app, side, "maint", number, id, body);
            let delivery = format!("fault-{side:?}-{number}");
            post_comment_payload(&app, side, &delivery, &payload).await;
            deliveries.push((side, delivery));
        }
    }
    app.wait_idle_for(DRAIN).await;
    let injected = app.fake.stop_faults();

    // The faults really happened, of every kind, before and after writes landed.
    let kinds: HashSet<_> = injected.iter().map(|f| (f.kind, f.time)).collect();
    for kind in [
        FaultKind::ServerError,
        FaultKind::RateLimited,
        FaultKind::Slow,
        FaultKind::Dropped,
    ] {
        for time in [FaultTime::Before, FaultTime::After] {
            assert!(
                kinds.contains(&(kind, time)),
                "no {kind:?} {time:?} injected"
            );
        }
    }
    let landed_comment_failures = injected
        .iter()
        .filter(|f| f.time == FaultTime::After && f.method == "POST")
        .filter(|f| f.path.ends_with("/comments") || f.path.ends_with("/notes"))
        .count();
    assert!(
        landed_comment_failures >= 1,
        "too few comment posts failed after landing: {landed_comment_failures}"
    );

    for side in BOTH {
        for number in 1..=ISSUES {
            let issue = app.fake.issue(side.repo(), number);
            assert!(
                issue.labels.contains(&"bug".to_string()),
                "{side:?} #{number}: {:?}",
                issue.labels
            );
            let replies = bot_comments(&app, side, number);
            let texts: Vec<String> = replies.iter().map(|b| without_intent_marker(b)).collect();
            assert_eq!(texts, ["cc @alice"], "{side:?} #{number}: {replies:#?}");
        }
    }
    for (side, delivery) in &deliveries {
        let forge = forge_of(*side);
        let record = app.delivery(forge, delivery).await;
        assert_eq!(record.state, "done", "{record:?}");
        // The ledger says what was done for the delivery: the reply, with the id of the
        // comment the forge holds. (The label's row may be `failed` when its write landed
        // behind a fault: the re-run's plan then has no label left to add.)
        let actions = ledger(&app, forge, delivery).await;
        let reply = actions
            .iter()
            .find(|a| a.intent == "comment" && a.state == ActionState::Done)
            .unwrap_or_else(|| panic!("{delivery}: no reply done in {actions:#?}"));
        let id: u64 = reply.object_id.as_deref().unwrap().parse().unwrap();
        let number = delivery.rsplit('-').next().unwrap().parse().unwrap();
        let held = app.fake.comments(side.repo(), number);
        assert!(held.iter().any(|c| c.id == id), "{delivery}: comment {id}");
    }
    eprintln!(
        "faults injected: {} ({} after the write landed, {} on comment posts that landed)",
        injected.len(),
        injected
            .iter()
            .filter(|f| f.time == FaultTime::After)
            .count(),
        landed_comment_failures
    );
    app.teardown().await;
}

/// A dry run decides and logs but writes nothing: no forge write, no ledger row.
#[tokio::test]
async fn a_dry_run_writes_nothing_and_records_nothing() {
    let tuning = Tuning {
        dry_run: true,
        ..Tuning::fast()
    };
    let app = seeded_app_tuned("", tuning).await;
    app.fake.clear_calls();
    let mut deliveries = Vec::new();
    for side in BOTH {
        let body = "/label bug\n/cc @alice";
        let id = app.fake.add_comment(side.repo(), 1, "maint", body);
        let payload = comment_payload(&app, side, "maint", 1, id, body);
        let delivery = format!("dry-{side:?}");
        post_comment_payload(&app, side, &delivery, &payload).await;
        deliveries.push((side, delivery));
    }
    app.wait_idle().await;
    assert!(app.fake.writes().is_empty(), "{:#?}", app.fake.writes());
    for (side, delivery) in &deliveries {
        let forge = forge_of(*side);
        assert_eq!(app.delivery(forge, delivery).await.state, "done");
        assert!(ledger(&app, forge, delivery).await.is_empty());
    }
    let everything = ActionQuery {
        limit: 100,
        ..ActionQuery::default()
    };
    assert!(app.store.actions(everything).await.unwrap().is_empty());
    app.teardown().await;
}
