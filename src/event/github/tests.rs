//! Decoder tests against real GitHub payloads (`fixtures/github/`, taken from
//! `@octokit/webhooks-examples`), plus edge cases made by editing them.

use super::decode;
use crate::event::testing::{self, edited};
use crate::event::{
    CommentAction, Decoded, Event, EventKind, IssueAction, ItemState, MergeRequestAction,
    PipelineStatus,
};
use serde_json::Value;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/github/",
            $name,
            ".json"
        ))
        .as_slice()
    };
}

fn event(name: &str, body: &[u8]) -> Event {
    testing::event(decode, name, body)
}

fn ignored(name: &str, body: &[u8]) -> String {
    testing::ignored(decode, name, body)
}

fn error(name: &str, body: &[u8]) -> String {
    testing::error(decode, name, body)
}

const REPO: &str = "Codertocat/Hello-World";

fn assert_codertocat(e: &Event) {
    let repo = e.repo.as_ref().expect("repo");
    assert_eq!(repo.path, REPO);
    assert_eq!(repo.id, Some(186853002));
    assert_eq!(repo.default_branch.as_deref(), Some("master"));
    assert_eq!(
        repo.url.as_deref(),
        Some("https://github.com/Codertocat/Hello-World")
    );
    assert_eq!(e.actor.login, "Codertocat");
    assert_eq!(e.actor.id, Some(21031067));
    assert!(!e.actor.is_bot);
}

#[test]
fn issue_opened() {
    let e = event("issues", fixture!("issues.opened"));
    assert_codertocat(&e);
    assert_eq!(e.kind.name(), "issue");
    let EventKind::Issue { action, issue } = e.kind else {
        panic!("not an issue: {:?}", e.kind)
    };
    assert_eq!(action, IssueAction::Opened);
    assert_eq!(issue.number, 1);
    assert!(!issue.is_merge_request);
    assert_eq!(issue.title, "Spelling error in the README file");
    assert!(issue.body.starts_with("It looks like you accidently"));
    assert_eq!(issue.state, ItemState::Open);
    assert_eq!(issue.labels, ["bug"]);
    assert_eq!(issue.milestone.as_deref(), Some("v1.0"));
    assert_eq!(issue.milestone_id, Some(1));
    assert_eq!(issue.assignees, ["Codertocat"]);
    assert_eq!(issue.author, "Codertocat");
    assert_eq!(issue.author_id, Some(21031067));
    assert_eq!(issue.author_association.as_deref(), Some("OWNER"));
    assert_eq!(
        issue.url.as_deref(),
        Some("https://github.com/Codertocat/Hello-World/issues/1")
    );
}

#[test]
fn issue_actions() {
    let cases: [(&[u8], IssueAction); 9] = [
        (fixture!("issues.opened"), IssueAction::Opened),
        (fixture!("issues.edited"), IssueAction::Edited),
        (fixture!("issues.reopened"), IssueAction::Reopened),
        (fixture!("issues.labeled"), IssueAction::Labeled),
        (fixture!("issues.unlabeled"), IssueAction::Unlabeled),
        (fixture!("issues.milestoned"), IssueAction::Milestoned),
        (fixture!("issues.demilestoned"), IssueAction::Demilestoned),
        (fixture!("issues.assigned"), IssueAction::Assigned),
        (fixture!("issues.unassigned"), IssueAction::Unassigned),
    ];
    for (body, want) in cases {
        let e = event("issues", body);
        assert_codertocat(&e);
        match e.kind {
            EventKind::Issue { action, .. } => assert_eq!(action, want),
            other => panic!("{want:?}: got {other:?}"),
        }
    }
}

#[test]
fn issue_closed_is_decoded() {
    let body = edited(fixture!("issues.reopened"), |v| {
        v["action"] = "closed".into();
        v["issue"]["state"] = "closed".into();
    });
    let EventKind::Issue { action, issue } = event("issues", &body).kind else {
        panic!("not an issue")
    };
    assert_eq!(action, IssueAction::Closed);
    assert_eq!(issue.state, ItemState::Closed);
}

#[test]
fn issue_event_on_a_pull_request_is_marked() {
    let e = event("issues", fixture!("issues.milestoned"));
    let EventKind::Issue { issue, .. } = e.kind else {
        panic!("not an issue")
    };
    assert_eq!(issue.number, 2);
    assert!(issue.is_merge_request);
    assert_eq!(issue.milestone.as_deref(), Some("v1.0"));
}

#[test]
fn installation_id_is_kept() {
    let e = event("issues", fixture!("issues.assigned"));
    assert_eq!(e.repo.and_then(|r| r.installation_id), Some(1));
}

#[test]
fn issue_actions_not_acted_on_are_ignored() {
    let why = ignored("issues", fixture!("issues.locked"));
    assert!(why.contains("issues.locked"), "{why}");
}

#[test]
fn comment_created_on_issue() {
    let e = event("issue_comment", fixture!("issue_comment.created"));
    assert_codertocat(&e);
    let EventKind::Comment {
        action,
        comment,
        on,
    } = e.kind
    else {
        panic!("not a comment")
    };
    assert_eq!(action, CommentAction::Created);
    assert_eq!(comment.id, 492700400);
    assert!(comment.body.starts_with("You are totally right!"));
    assert_eq!(comment.author, "Codertocat");
    assert_eq!(comment.author_association.as_deref(), Some("OWNER"));
    assert!(comment
        .url
        .as_deref()
        .is_some_and(|u| u.ends_with("#issuecomment-492700400")));
    assert_eq!(on.number, 1);
    assert!(!on.is_merge_request);
    assert_eq!(on.labels, ["bug"]);
}

#[test]
fn comment_edited_carries_previous_body() {
    let e = event("issue_comment", fixture!("issue_comment.edited"));
    let EventKind::Comment {
        action, comment, ..
    } = e.kind
    else {
        panic!("not a comment")
    };
    assert_eq!(
        action,
        CommentAction::Edited {
            previous_body: Some("You are totally right! I'll get this fixed right away.".into())
        }
    );
    assert_eq!(
        comment.body,
        "You are totally right! I'll get this fixed today."
    );
}

#[test]
fn comment_edited_without_changes_has_no_previous_body() {
    let body = edited(fixture!("issue_comment.edited"), |v| {
        v.as_object_mut().map(|o| o.remove("changes"));
    });
    let EventKind::Comment { action, .. } = event("issue_comment", &body).kind else {
        panic!("not a comment")
    };
    assert_eq!(
        action,
        CommentAction::Edited {
            previous_body: None
        }
    );
}

#[test]
fn comment_on_pull_request_is_on_a_merge_request() {
    let body = edited(fixture!("issue_comment.created"), |v| {
        v["issue"]["pull_request"] = serde_json::json!({
            "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1",
            "merged_at": null
        });
    });
    let EventKind::Comment { on, .. } = event("issue_comment", &body).kind else {
        panic!("not a comment")
    };
    assert!(on.is_merge_request);
    assert_eq!(on.state, ItemState::Open);
}

#[test]
fn comment_deleted_is_ignored() {
    ignored("issue_comment", fixture!("issue_comment.deleted"));
}

#[test]
fn pull_request_opened() {
    let e = event("pull_request", fixture!("pull_request.opened"));
    assert_codertocat(&e);
    assert_eq!(e.repo.as_ref().and_then(|r| r.installation_id), Some(1));
    let EventKind::MergeRequest {
        action,
        merge_request: mr,
    } = e.kind
    else {
        panic!("not a merge request")
    };
    assert_eq!(action, MergeRequestAction::Opened);
    assert_eq!(mr.item.number, 2);
    assert!(mr.item.is_merge_request);
    assert_eq!(mr.item.title, "Update the README with new information.");
    assert_eq!(mr.item.state, ItemState::Open);
    assert_eq!(mr.item.labels, ["bug"]);
    assert_eq!(mr.item.assignees, ["Codertocat"]);
    assert_eq!(mr.item.author, "Codertocat");
    assert_eq!(mr.item.author_association.as_deref(), Some("OWNER"));
    assert_eq!(mr.source_branch, "changes");
    assert_eq!(mr.target_branch, "master");
    assert_eq!(
        mr.sha.as_deref(),
        Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821")
    );
}

#[test]
fn pull_request_actions() {
    let cases: [(&[u8], MergeRequestAction); 4] = [
        (fixture!("pull_request.opened"), MergeRequestAction::Opened),
        (
            fixture!("pull_request.synchronize"),
            MergeRequestAction::Updated,
        ),
        (fixture!("pull_request.closed"), MergeRequestAction::Closed),
        (
            fixture!("pull_request.reopened"),
            MergeRequestAction::Reopened,
        ),
    ];
    for (body, want) in cases {
        match event("pull_request", body).kind {
            EventKind::MergeRequest { action, .. } => assert_eq!(action, want),
            other => panic!("{want:?}: got {other:?}"),
        }
    }
    let body = edited(fixture!("pull_request.synchronize"), |v| {
        v["action"] = "edited".into();
    });
    match event("pull_request", &body).kind {
        EventKind::MergeRequest { action, .. } => assert_eq!(action, MergeRequestAction::Updated),
        other => panic!("edited: got {other:?}"),
    }
}

#[test]
fn pull_request_closed_and_merged_is_merged() {
    let body = edited(fixture!("pull_request.closed"), |v| {
        v["pull_request"]["merged"] = true.into();
        v["pull_request"]["merged_at"] = "2019-05-15T15:20:33Z".into();
    });
    let EventKind::MergeRequest {
        action,
        merge_request,
    } = event("pull_request", &body).kind
    else {
        panic!("not a merge request")
    };
    assert_eq!(action, MergeRequestAction::Merged);
    assert_eq!(merge_request.item.state, ItemState::Merged);
}

#[test]
fn pull_request_label_changes_and_review_comments_are_ignored() {
    ignored("pull_request", fixture!("pull_request.labeled"));
    ignored(
        "pull_request_review_comment",
        fixture!("pull_request_review_comment.created"),
    );
}

#[test]
fn tag_created() {
    let e = event("create", fixture!("create.tag"));
    assert_codertocat(&e);
    assert_eq!(
        e.kind,
        EventKind::TagPushed {
            tag: "simple-tag".into(),
            sha: None
        }
    );
}

#[test]
fn branch_created_is_ignored() {
    let body = edited(fixture!("create.tag"), |v| v["ref_type"] = "branch".into());
    ignored("create", &body);
    let body = edited(fixture!("delete.tag"), |v| v["ref_type"] = "branch".into());
    ignored("delete", &body);
}

#[test]
fn tag_deleted() {
    let e = event("delete", fixture!("delete.tag"));
    assert_eq!(
        e.kind,
        EventKind::TagDeleted {
            tag: "simple-tag".into()
        }
    );
}

#[test]
fn tag_pushed_and_deleted_by_push() {
    let e = event("push", fixture!("push.tag"));
    assert_codertocat(&e);
    assert_eq!(
        e.kind,
        EventKind::TagPushed {
            tag: "simple-tag".into(),
            sha: Some("6113728f27ae82c7b1a177c8d03f9e96e0adf246".into())
        }
    );
    let e = event("push", fixture!("push.tag_deleted"));
    assert_eq!(
        e.kind,
        EventKind::TagDeleted {
            tag: "simple-tag".into()
        }
    );
}

#[test]
fn push_to_default_branch() {
    let e = event("push", fixture!("push.default_branch"));
    assert_codertocat(&e);
    let EventKind::DefaultBranchPush {
        branch,
        before,
        after,
        commits,
    } = e.kind
    else {
        panic!("not a push")
    };
    assert_eq!(branch, "master");
    assert_eq!(before, None, "the all-zero sha means no commit");
    assert_eq!(
        after.as_deref(),
        Some("6113728f27ae82c7b1a177c8d03f9e96e0adf246")
    );
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].message, "Initial commit");
    assert_eq!(commits[0].paths, ["README.md"]);
}

#[test]
fn push_to_other_branch_is_ignored() {
    let body = edited(fixture!("push.default_branch"), |v| {
        v["ref"] = "refs/heads/feature".into();
    });
    let why = ignored("push", &body);
    assert!(why.contains("feature"), "{why}");
}

#[test]
fn push_without_default_branch_is_an_error() {
    let body = edited(fixture!("push.default_branch"), |v| {
        v["repository"]
            .as_object_mut()
            .map(|o| o.remove("default_branch"));
    });
    let why = error("push", &body);
    assert!(why.contains("default_branch"), "{why}");
}

#[test]
fn release_published() {
    for body in [fixture!("release.published"), fixture!("release.released")] {
        let e = event("release", body);
        assert_codertocat(&e);
        let EventKind::ReleasePublished { release } = e.kind else {
            panic!("not a release")
        };
        assert_eq!(release.tag, "0.0.1");
        assert_eq!(release.name, None);
        assert_eq!(release.body, "");
        assert_eq!(
            release.url.as_deref(),
            Some("https://github.com/Codertocat/Hello-World/releases/tag/0.0.1")
        );
    }
    ignored("release", fixture!("release.created"));
}

#[test]
fn workflow_run() {
    let e = event("workflow_run", fixture!("workflow_run.completed"));
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("octo-org/octo-repo")
    );
    let EventKind::Pipeline { pipeline } = e.kind else {
        panic!("not a pipeline")
    };
    assert_eq!(pipeline.id, 289782451);
    assert_eq!(pipeline.git_ref, "master");
    assert!(!pipeline.is_tag);
    assert_eq!(
        pipeline.sha.as_deref(),
        Some("3484a3fb816e0859fd6e1cea078d76385ff50625")
    );
    assert_eq!(pipeline.status, PipelineStatus::Success);
    assert_eq!(pipeline.stages, ["test"], "the workflow name stands in");
    assert_eq!(
        pipeline.url.as_deref(),
        Some("https://github.com/octo-org/octo-repo/actions/runs/289782451")
    );
    let e = event("workflow_run", fixture!("workflow_run.requested"));
    match e.kind {
        EventKind::Pipeline { pipeline } => assert_eq!(pipeline.status, PipelineStatus::Pending),
        other => panic!("got {other:?}"),
    }
}

#[test]
fn run_status_mapping() {
    use super::refs::run_status;
    let cases = [
        (Some("queued"), None, PipelineStatus::Pending),
        (Some("in_progress"), None, PipelineStatus::Running),
        (Some("completed"), Some("success"), PipelineStatus::Success),
        (Some("completed"), Some("failure"), PipelineStatus::Failed),
        (Some("completed"), Some("timed_out"), PipelineStatus::Failed),
        (
            Some("completed"),
            Some("cancelled"),
            PipelineStatus::Canceled,
        ),
        (Some("completed"), Some("skipped"), PipelineStatus::Skipped),
        (Some("completed"), Some("neutral"), PipelineStatus::Other),
        (Some("completed"), None, PipelineStatus::Other),
        (None, None, PipelineStatus::Other),
    ];
    for (status, conclusion, want) in cases {
        assert_eq!(
            run_status(status, conclusion),
            want,
            "{status:?} {conclusion:?}"
        );
    }
}

#[test]
fn check_suite() {
    let e = event("check_suite", fixture!("check_suite.completed"));
    assert_codertocat(&e);
    let EventKind::Pipeline { pipeline } = e.kind else {
        panic!("not a pipeline")
    };
    assert_eq!(pipeline.id, 118578147);
    assert_eq!(pipeline.git_ref, "changes");
    assert_eq!(pipeline.status, PipelineStatus::Success);
    assert_eq!(pipeline.stages, ["octocoders-linter"]);
    let e = event("check_suite", fixture!("check_suite.requested"));
    match e.kind {
        EventKind::Pipeline { pipeline } => {
            assert_eq!(pipeline.git_ref, "master");
            assert_eq!(pipeline.status, PipelineStatus::Pending);
        }
        other => panic!("got {other:?}"),
    }
    let body = edited(fixture!("check_suite.completed"), |v| {
        v["check_suite"]["head_branch"] = Value::Null;
    });
    ignored("check_suite", &body);
}

#[test]
fn ping_with_and_without_repository() {
    let e = event("ping", fixture!("ping"));
    assert_eq!(e.kind, EventKind::Ping);
    assert_eq!(
        e.repo.map(|r| r.path),
        Some("Octocoders/Hello-World".to_owned())
    );
    let e = event("ping", fixture!("ping.organization"));
    assert_eq!(e.kind, EventKind::Ping);
    assert_eq!(e.repo, None);
    assert_eq!(e.actor.login, "Codertocat");
}

#[test]
fn bots_are_recognised() {
    let body = edited(fixture!("issue_comment.created"), |v| {
        v["sender"]["type"] = "Bot".into();
    });
    assert!(event("issue_comment", &body).actor.is_bot);
    let body = edited(fixture!("issue_comment.created"), |v| {
        v["sender"]["login"] = "forgehand[bot]".into();
    });
    assert!(event("issue_comment", &body).actor.is_bot);
}

#[test]
fn other_events_are_ignored() {
    let why = ignored("star", fixture!("star.created"));
    assert!(why.contains("star"), "{why}");
}

#[test]
fn malformed_payloads_are_errors_not_panics() {
    let cases: [(&str, &[u8]); 8] = [
        ("issues", b""),
        ("issues", b"{not json"),
        ("issues", b"[1, 2]"),
        ("issues", br#"{"action": "opened"}"#),
        (
            "issues",
            br#"{"action": "opened", "issue": {"number": "one"}}"#,
        ),
        (
            "issue_comment",
            br#"{"action": "created", "issue": {"number": 1, "title": "t"}}"#,
        ),
        ("pull_request", br#"{"action": 7}"#),
        ("push", br#"{"ref": "refs/heads/main"}"#),
    ];
    for (name, body) in cases {
        let why = error(name, body);
        assert!(!why.is_empty());
    }
    let why = error("issues", br#"{"issue": {}}"#);
    assert!(why.contains("action"), "{why}");
    let body = edited(fixture!("issues.opened"), |v| {
        v.as_object_mut().map(|o| o.remove("repository"));
    });
    assert!(error("issues", &body).contains("repository"));
}

/// Every example of `@octokit/webhooks-examples` decodes without a panic; the kinds
/// forgehand acts on become events, everything else is ignored with a reason.
#[test]
fn every_octokit_example_decodes() {
    #[derive(serde::Deserialize)]
    struct Group {
        name: String,
        examples: Vec<Value>,
    }
    let groups: Vec<Group> =
        serde_json::from_slice(fixture!("webhooks-examples")).expect("examples parse");
    let mut events: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0;
    for group in &groups {
        for example in &group.examples {
            total += 1;
            let body = serde_json::to_vec(example).expect("serializes");
            let action = example["action"].as_str().unwrap_or("-");
            match decode(&group.name, &body) {
                Ok(Decoded::Event(e)) => {
                    *events
                        .entry(format!("{}:{}", group.name, e.kind.name()))
                        .or_default() += 1;
                }
                Ok(Decoded::Ignored(why)) => assert!(!why.is_empty()),
                Err(e) => panic!("{}.{action}: unexpected error {e}", group.name),
            }
        }
    }
    assert_eq!(total, 329);
    let want: &[(&str, usize)] = &[
        // 29 examples; deleted, locked ×2, pinned, transferred, unlocked ×2, unpinned ignored.
        ("issues:issue", 21),
        // 9 examples; deleted ×2 ignored.
        ("issue_comment:comment", 7),
        // 29 examples: opened ×4, closed ×2, reopened ×2, synchronize.
        ("pull_request:merge_request", 9),
        ("create:tag_push", 5),
        ("delete:tag_delete", 4),
        // 7 examples: one tag push, four tag deletions, two pushes to the default branch.
        ("push:tag_push", 1),
        ("push:tag_delete", 4),
        ("push:push", 2),
        // 13 examples: published ×3, released.
        ("release:release", 4),
        ("workflow_run:pipeline", 5),
        ("check_suite:pipeline", 9),
        ("ping:ping", 4),
    ];
    let want: std::collections::BTreeMap<String, usize> =
        want.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect();
    assert_eq!(events, want);
}

/// Any example under any handled event name (a lying header) yields a result, never a panic.
#[test]
fn mismatched_event_names_never_panic() {
    #[derive(serde::Deserialize)]
    struct Group {
        examples: Vec<Value>,
    }
    let groups: Vec<Group> =
        serde_json::from_slice(fixture!("webhooks-examples")).expect("examples parse");
    let names = [
        "ping",
        "issues",
        "issue_comment",
        "pull_request",
        "create",
        "delete",
        "push",
        "release",
        "workflow_run",
        "check_suite",
    ];
    let mut decoded = 0;
    for example in groups.iter().flat_map(|g| &g.examples) {
        let body = serde_json::to_vec(example).expect("serializes");
        for name in names {
            if let Ok(Decoded::Event(_)) = decode(name, &body) {
                decoded += 1;
            }
        }
    }
    assert!(decoded > 0);
}
