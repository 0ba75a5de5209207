//! Every triage command end to end on both forges: a signed comment in, the issue in the fake
//! forge's state out, one reaction per comment and at most one reply.

mod support;

use support::triage::{comment, edit, edits, reactions, replies, seeded_app, Side, BOTH};

#[tokio::test]
async fn label_unlabel_relabel_on_both_forges() {
    let app = seeded_app("").await;
    for side in BOTH {
        let repo = side.repo();
        let id = comment(&app, side, "maint", "/label ~bug ~\"flow::Triage\"", "l1").await;
        assert_eq!(
            app.fake.issue(repo, 1).labels,
            ["bug", "flow::Triage"],
            "{side:?}"
        );
        assert_eq!(reactions(&app, side, id), ["eyes"], "{side:?}");
        comment(&app, side, "maint", "/label ~\"flow::To Do\" ~ui", "l2").await;
        assert_eq!(
            app.fake.issue(repo, 1).labels,
            ["bug", "flow::To Do", "ui"],
            "{side:?}: a scoped label replaces its scope"
        );
        comment(&app, side, "maint", "/unlabel ~ui", "l3").await;
        assert_eq!(
            app.fake.issue(repo, 1).labels,
            ["bug", "flow::To Do"],
            "{side:?}"
        );
        comment(&app, side, "maint", "/relabel ~docs ~\"flow::Doing\"", "l4").await;
        assert_eq!(
            app.fake.issue(repo, 1).labels,
            ["docs", "flow::Doing"],
            "{side:?}"
        );
        comment(&app, side, "maint", "@forgehand unlabel", "l5").await;
        assert!(app.fake.issue(repo, 1).labels.is_empty(), "{side:?}");
        assert!(
            replies(&app, side).is_empty(),
            "{side:?}: no refusal, no reply"
        );
    }
    app.teardown().await;
}

#[tokio::test]
async fn milestones_by_title_current_next_and_removal_on_both_forges() {
    let app = seeded_app("").await;
    for side in BOTH {
        let repo = side.repo();
        let cases = [
            ("/milestone %\"1.5\"", Some("1.5")),
            ("/milestone %current", Some("1.4")),
            ("/milestone %next", Some("1.5")),
            ("/milestone %Backlog", Some("Backlog")),
            ("/milestone 1.3", Some("1.3")),
            ("/remove_milestone", None),
        ];
        for (i, (body, expected)) in cases.iter().enumerate() {
            comment(&app, side, "maint", body, &format!("m{i}")).await;
            assert_eq!(
                app.fake.issue(repo, 1).milestone.as_deref(),
                *expected,
                "{side:?} {body}"
            );
        }
        assert!(replies(&app, side).is_empty(), "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn assign_reassign_unassign_and_me_on_both_forges() {
    let app = seeded_app("").await;
    for side in BOTH {
        let repo = side.repo();
        let steps: [(&str, &[&str]); 6] = [
            ("/assign @alice", &["alice"]),
            ("/assign me, bob", &["alice", "maint", "bob"]),
            ("/unassign @maint", &["alice", "bob"]),
            ("/reassign @lead and @pm", &["lead", "pm"]),
            ("/unassign", &[]),
            ("/assign me", &["maint"]),
        ];
        for (i, (body, expected)) in steps.iter().enumerate() {
            comment(&app, side, "maint", body, &format!("a{i}")).await;
            assert_eq!(
                app.fake.issue(repo, 1).assignees,
                *expected,
                "{side:?} {body}"
            );
        }
        assert!(replies(&app, side).is_empty(), "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn cc_close_and_reopen_on_both_forges() {
    let app = seeded_app("").await;
    for side in BOTH {
        let repo = side.repo();
        comment(&app, side, "reader", "/cc @alice @bob", "c1").await;
        assert_eq!(replies(&app, side), ["cc @alice @bob"], "{side:?}");
        comment(&app, side, "maint", "/close", "c2").await;
        assert_eq!(app.fake.issue(repo, 1).state, "closed", "{side:?}");
        comment(&app, side, "maint", "/reopen", "c3").await;
        assert_eq!(app.fake.issue(repo, 1).state, "open", "{side:?}");
        assert_eq!(replies(&app, side).len(), 1, "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn help_lists_what_the_caller_may_run() {
    let app = seeded_app("").await;
    for side in BOTH {
        comment(&app, side, "reader", "/help", "h1").await;
        comment(&app, side, "maint", "@forgehand help", "h2").await;
    }
    let github = replies(&app, Side::Github);
    assert_eq!(
        github,
        replies(&app, Side::Gitlab),
        "same help on both forges"
    );
    insta::assert_snapshot!("help_reader", github[0]);
    insta::assert_snapshot!("help_maintainer", github[1]);
    app.teardown().await;
}

/// One refused command per comment: exactly one reply saying why, and nothing changed.
#[tokio::test]
async fn every_refusal_is_one_reply_on_both_forges() {
    let app = seeded_app("").await;
    let cases = [
        ("not_permitted", "reader", "/label ~bug"),
        ("unknown_label", "maint", "/label ~nope"),
        ("unknown_milestone", "maint", "/milestone %\"9.9\""),
        ("unknown_user", "maint", "/assign @ghost"),
        ("bad_arguments", "maint", "/triage soon"),
        ("unknown_command", "maint", "@forgehand frobnicate"),
        ("release_not_configured", "maint", "/release schedule"),
        ("deploy_not_configured", "maint", "/deploy production"),
        ("no_role_at_all", "stranger", "/close"),
    ];
    for side in BOTH {
        for (i, (name, who, body)) in cases.iter().enumerate() {
            let before = replies(&app, side).len();
            comment(&app, side, who, body, &format!("r{i}")).await;
            let now = replies(&app, side);
            assert_eq!(now.len(), before + 1, "{side:?} {name}: exactly one reply");
            let issue = app.fake.issue(side.repo(), 1);
            assert!(
                issue.labels.is_empty() && issue.milestone.is_none(),
                "{name}"
            );
            assert!(
                issue.assignees.is_empty() && issue.state == "open",
                "{name}"
            );
            if side == Side::Github {
                insta::assert_snapshot!(format!("refusal_{name}"), now[before]);
            } else {
                let github = replies(&app, Side::Github);
                assert_eq!(now[before], github[i], "{name}: same text on both forges");
            }
        }
    }
    app.teardown().await;
}

#[tokio::test]
async fn all_refusals_of_one_comment_share_one_reply_and_the_rest_runs() {
    let app = seeded_app("").await;
    let body = "/label ~bug ~nope\n/milestone %\"9.9\"\n/assign @ghost @alice\n/release schedule";
    for side in BOTH {
        let id = comment(&app, side, "maint", body, "x1").await;
        let issue = app.fake.issue(side.repo(), 1);
        assert_eq!(issue.labels, ["bug"], "{side:?}");
        assert_eq!(issue.assignees, ["alice"], "{side:?}");
        assert_eq!(reactions(&app, side, id), ["eyes"]);
        let replies = replies(&app, side);
        assert_eq!(replies.len(), 1, "{side:?}");
        if side == Side::Github {
            insta::assert_snapshot!("refusals_together", replies[0]);
        }
    }
    app.teardown().await;
}

#[tokio::test]
async fn edited_comments_run_only_their_new_commands_on_both_forges() {
    let app = seeded_app("").await;
    for side in BOTH {
        let repo = side.repo();
        let first = "/label ~bug";
        let id = comment(&app, side, "maint", first, "e1").await;
        // Someone removes the label by hand; the edit must not put it back.
        app.fake.update_issue(repo, 1, |i| i.labels.clear());
        let second = "/label ~bug\n/assign @alice";
        edit(&app, side, "maint", id, first, second, "e2").await;
        let issue = app.fake.issue(repo, 1);
        assert!(
            issue.labels.is_empty(),
            "{side:?}: the old command did not run again"
        );
        assert_eq!(issue.assignees, ["alice"], "{side:?}: the new one did");
        // An edit that adds nothing runs nothing.
        app.fake.clear_calls();
        edit(
            &app,
            side,
            "maint",
            id,
            second,
            &format!("{second}\n\nthanks"),
            "e3",
        )
        .await;
        assert!(app.fake.writes().is_empty(), "{side:?}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn commands_in_the_bots_own_comments_never_run() {
    let app = seeded_app("").await;
    for side in BOTH {
        let bot = match side {
            Side::Github => "forgehand[bot]",
            Side::Gitlab => "forgehand",
        };
        comment(&app, side, bot, "/label ~bug", "b1").await;
        assert!(app.fake.issue(side.repo(), 1).labels.is_empty(), "{side:?}");
    }
    assert!(edits(&app).is_empty());
    app.teardown().await;
}

#[tokio::test]
async fn commands_work_on_merge_requests_on_both_forges() {
    use serde_json::{json, Value};
    let app = seeded_app("").await;
    let fixture = |p: &str| -> Value { serde_json::from_slice(&support::fixture(p)).unwrap() };
    for side in BOTH {
        let repo = side.repo();
        app.fake.add_merge_request(repo, 2);
        let body = "/label ~bug\n/assign me\n/close";
        let id = app.fake.add_comment(repo, 2, "maint", body);
        let status = match side {
            Side::Github => {
                let mut p = fixture("github/issue_comment.created.json");
                p["comment"]["id"] = json!(id);
                p["comment"]["body"] = json!(body);
                p["comment"]["user"]["login"] = json!("maint");
                p["comment"]["author_association"] = Value::Null;
                p["sender"]["login"] = json!("maint");
                p["issue"]["number"] = json!(2);
                p["issue"]["labels"] = json!([]);
                p["issue"]["assignees"] = json!([]);
                p["issue"]["milestone"] = Value::Null;
                p["issue"]["pull_request"] = json!({
                    "url": format!("https://api.github.com/repos/{repo}/pulls/2")
                });
                app.github("issue_comment", "mr-1", &p).await.status
            }
            Side::Gitlab => {
                let mut p = fixture("gitlab/note.merge_request.json");
                p["user"]["username"] = json!("maint");
                p["object_attributes"]["id"] = json!(id);
                p["object_attributes"]["note"] = json!(body);
                p["merge_request"]["iid"] = json!(2);
                p["merge_request"]["labels"] = json!([]);
                app.gitlab("Note Hook", "mr-1", &p).await.status
            }
        };
        assert_eq!(status, 202);
        app.wait_idle().await;
        let mr = app.fake.issue(repo, 2);
        assert!(mr.is_merge_request);
        assert_eq!(mr.labels, ["bug"], "{side:?}");
        assert_eq!(mr.assignees, ["maint"], "{side:?}");
        assert_eq!(mr.state, "closed", "{side:?}");
    }
    app.teardown().await;
}
