//! Hostile input stays harmless, end to end on both forges: a repository path that could
//! leave `/repos/{owner}/{repo}` or `/api/v4/projects/:id` fails its delivery with the reason
//! and calls no forge; a comment with thousands of unknown labels gets one reply under the
//! forge's size limit; `/cc` mentions at most the configured number of people, and a comment
//! runs at most the configured number of commands.

mod support;

use forgehand::event::ForgeKind;
use serde_json::json;
use support::app::TestApp;
use support::triage::{comment, payload, replies, seeded_app, Side, BOTH};

/// GitHub's limit on a comment's length, in characters.
const GITHUB_COMMENT_LIMIT: usize = 65_536;

async fn post_with_repo(app: &TestApp, side: Side, path: &str, delivery: &str) {
    let id = app.fake.add_comment(side.repo(), 1, "maint", "/label ~bug");
    let mut p = payload(app, side, "maint", id, "/label ~bug", None);
    let status = match side {
        Side::Github => {
            p["repository"]["full_name"] = json!(path);
            app.github("issue_comment", delivery, &p).await.status
        }
        Side::Gitlab => {
            p["project"]["path_with_namespace"] = json!(path);
            app.gitlab("Note Hook", delivery, &p).await.status
        }
    };
    assert_eq!(status, 202, "{delivery}: stored and acknowledged");
    app.wait_idle().await;
}

#[tokio::test]
async fn a_delivery_whose_repository_path_is_hostile_fails_with_the_reason_on_both_forges() {
    let app = seeded_app("").await;
    let cases = [
        ("Codertocat/..", "`.` and `..` segments are not allowed"),
        ("../../users/alice", "`.` and `..` segments are not allowed"),
        ("acme//app", "empty segment"),
        ("acme/app?per_page=100", "`?`, `#` and `%` are not allowed"),
        ("acme/app#x", "`?`, `#` and `%` are not allowed"),
        ("acme/%2e%2e", "`?`, `#` and `%` are not allowed"),
    ];
    app.fake.clear_calls();
    for side in BOTH {
        let forge = match side {
            Side::Github => ForgeKind::Github,
            Side::Gitlab => ForgeKind::Gitlab,
        };
        for (n, (path, why)) in cases.iter().enumerate() {
            let delivery = format!("{side:?}-bad-{n}");
            post_with_repo(&app, side, path, &delivery).await;
            let record = app.delivery(forge, &delivery).await;
            assert_eq!(record.state, "failed", "{path}: {record:?}");
            let reason = record.reason.unwrap_or_default();
            assert!(
                reason.contains("invalid repository path") && reason.contains(why),
                "{side:?} {path}: {reason}"
            );
        }
    }
    let calls = app.fake.calls();
    assert!(
        calls.is_empty(),
        "no request leaves for a bad path: {calls:#?}"
    );
    app.teardown().await;
}

#[tokio::test]
async fn ten_thousand_unknown_labels_get_one_reply_under_the_limit_on_both_forges() {
    let app = seeded_app("").await;
    let labels: String = (0..10_000).map(|i| format!(" ~nope-{i}")).collect();
    for side in BOTH {
        comment(&app, side, "maint", &format!("/label ~bug{labels}"), "many").await;
        assert_eq!(app.fake.issue(side.repo(), 1).labels, ["bug"], "{side:?}");
        let replies = replies(&app, side);
        assert_eq!(replies.len(), 1, "{side:?}");
        let reply = &replies[0];
        assert!(
            reply.chars().count() < GITHUB_COMMENT_LIMIT,
            "{}",
            reply.len()
        );
        let shown = reply.matches("\n- the label").count();
        assert!(
            reply.ends_with(&format!("… and {} more", thousands(10_000 - shown))),
            "{side:?}: {}",
            &reply[reply.len() - 100..]
        );
    }
    app.teardown().await;
}

#[tokio::test]
async fn cc_mentions_at_most_the_configured_number_and_says_so_on_both_forges() {
    let app = seeded_app("limits:\n  mentions_per_cc: 5\n").await;
    let crowd: String = (0..8).map(|i| format!(" @p{i}")).collect();
    for side in BOTH {
        comment(&app, side, "reader", &format!("/cc{crowd}"), "crowd").await;
        let replies = replies(&app, side);
        assert_eq!(replies.len(), 1, "{side:?}");
        insta::assert_snapshot!(format!("cc_capped_{side:?}"), replies[0]);
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_comment_runs_at_most_the_configured_number_of_commands_and_says_so_on_both_forges() {
    let app = seeded_app("limits:\n  commands_per_comment: 3\n").await;
    let text: String = (0..5).map(|i| format!("/cc @q{i}\n")).collect();
    for side in BOTH {
        comment(&app, side, "reader", &text, "many").await;
        let replies = replies(&app, side);
        assert_eq!(replies.len(), 1, "{side:?}: {replies:#?}");
        let reply = &replies[0];
        assert!(
            reply.contains("a comment runs at most 3 commands; skipped: the last 2"),
            "{side:?}: {reply}"
        );
        for ran in ["@q0", "@q1", "@q2"] {
            assert!(reply.contains(ran), "{side:?}: {ran} in {reply}");
        }
        for skipped in ["@q3", "@q4"] {
            assert!(!reply.contains(skipped), "{side:?}: {skipped} in {reply}");
        }
    }
    app.teardown().await;
}

/// 9990 → "9,990" (as the reply writes counts).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
