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
    assert!(e.dialect().comment_edits_carry_previous_text);
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

#[path = "tests_refs.rs"]
mod refs;
