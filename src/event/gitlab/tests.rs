//! Decoder tests against real GitLab payloads (`fixtures/gitlab/`, the examples of GitLab's
//! `webhook_events.md`), plus edge cases made by editing them.

use super::decode;
use crate::event::testing::{self, edited};
use crate::event::{
    CommentAction, Decoded, Event, EventKind, IssueAction, ItemState, MergeRequestAction,
    PipelineStatus,
};
use serde_json::{json, Value};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/gitlab/",
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

const ZERO_SHA: &str = "0000000000000000000000000000000000000000";

#[test]
fn push_to_default_branch() {
    let e = event("Push Hook", fixture!("push"));
    let repo = e.repo.as_ref().expect("repo");
    assert_eq!(repo.path, "mike/diaspora");
    assert_eq!(repo.id, Some(15));
    assert_eq!(repo.default_branch.as_deref(), Some("master"));
    assert_eq!(
        repo.url.as_deref(),
        Some("http://example.com/mike/diaspora")
    );
    assert_eq!(repo.installation_id, None);
    assert_eq!(e.actor.login, "jsmith");
    assert_eq!(e.actor.id, Some(4));
    assert!(!e.actor.is_bot);
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
    assert_eq!(
        before.as_deref(),
        Some("95790bf891e76fee5e1747ab589903a6a1f80f22")
    );
    assert_eq!(
        after.as_deref(),
        Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
    );
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[1].message, "fixed readme");
    assert_eq!(
        commits[0].paths,
        ["CHANGELOG", "app/controller/application.rb"]
    );
}

#[test]
fn push_to_other_branch_or_deleting_the_default_is_ignored() {
    let body = edited(fixture!("push"), |v| v["ref"] = "refs/heads/feature".into());
    assert!(ignored("Push Hook", &body).contains("feature"));
    let body = edited(fixture!("push"), |v| v["after"] = ZERO_SHA.into());
    assert!(ignored("Push Hook", &body).contains("deleted"));
}

#[test]
fn push_without_default_branch_is_an_error() {
    let body = edited(fixture!("push"), |v| {
        v["project"]["default_branch"] = Value::Null;
    });
    assert!(error("Push Hook", &body).contains("default_branch"));
}

#[test]
fn tag_pushed() {
    let e = event("Tag Push Hook", fixture!("tag_push"));
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("jsmith/example")
    );
    assert_eq!(e.actor.id, Some(1));
    assert_eq!(
        e.actor.login, "",
        "this example names the pusher only by id"
    );
    assert_eq!(
        e.kind,
        EventKind::TagPushed {
            tag: "v1.0.0".into(),
            sha: Some("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7".into())
        }
    );
    let body = edited(fixture!("tag_push"), |v| {
        v["user_username"] = "jsmith".into()
    });
    assert_eq!(event("Tag Push Hook", &body).actor.login, "jsmith");
}

#[test]
fn tag_deleted() {
    let body = edited(fixture!("tag_push"), |v| {
        v["before"] = "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7".into();
        v["after"] = ZERO_SHA.into();
        v["checkout_sha"] = Value::Null;
    });
    assert_eq!(
        event("Tag Push Hook", &body).kind,
        EventKind::TagDeleted {
            tag: "v1.0.0".into()
        }
    );
}

#[test]
fn system_hooks_dispatch_on_object_kind() {
    let e = event("System Hook", fixture!("tag_push"));
    assert_eq!(e.kind.name(), "tag_push");
    let e = event("System Hook", fixture!("push"));
    assert_eq!(e.kind.name(), "push");
    let e = event("System Hook", fixture!("merge_request.open"));
    assert_eq!(e.kind.name(), "merge_request");
    let body = edited(fixture!("push"), |v| {
        v["object_kind"] = "repository_update".into();
    });
    assert!(ignored("System Hook", &body).contains("repository_update"));
}

#[test]
fn issue_opened() {
    let e = event("Issue Hook", fixture!("issue.open"));
    let repo = e.repo.as_ref().expect("repo");
    assert_eq!(repo.path, "gitlabhq/gitlab-test");
    assert_eq!(repo.id, Some(1));
    assert_eq!(e.actor.login, "root");
    assert_eq!(e.actor.id, Some(1));
    let EventKind::Issue { action, issue } = e.kind else {
        panic!("not an issue")
    };
    assert_eq!(action, IssueAction::Opened);
    assert_eq!(issue.number, 23);
    assert_eq!(issue.global_id, Some(301));
    assert!(!issue.is_merge_request);
    assert_eq!(issue.title, "New API: create/update/delete file");
    assert_eq!(
        issue.body,
        "Create new API for manipulations with repository"
    );
    assert_eq!(issue.state, ItemState::Open);
    assert_eq!(issue.labels, ["API"]);
    assert_eq!(issue.milestone, None);
    assert_eq!(issue.milestone_id, None);
    assert_eq!(issue.assignees, ["user1"]);
    assert_eq!(
        issue.author, "",
        "author 51 is not the actor; GitLab gives only the id"
    );
    assert_eq!(issue.author_id, Some(51));
    assert_eq!(issue.author_association, None);
    assert_eq!(
        issue.url.as_deref(),
        Some("http://example.com/diaspora/issues/23")
    );
}

#[test]
fn confidential_issue_hook_decodes_like_an_issue_hook() {
    let e = event("Confidential Issue Hook", fixture!("issue.open"));
    assert_eq!(e.kind.name(), "issue");
}

/// `issue.open` turned into an `update` with the given `changes`.
fn issue_update(changes: Value) -> IssueAction {
    let body = edited(fixture!("issue.open"), |v| {
        v["object_attributes"]["action"] = "update".into();
        v["changes"] = changes;
    });
    match event("Issue Hook", &body).kind {
        EventKind::Issue { action, .. } => action,
        other => panic!("got {other:?}"),
    }
}

#[test]
fn issue_actions() {
    for (action, want) in [
        ("close", IssueAction::Closed),
        ("reopen", IssueAction::Reopened),
    ] {
        let body = edited(fixture!("issue.open"), |v| {
            v["object_attributes"]["action"] = action.into();
        });
        match event("Issue Hook", &body).kind {
            EventKind::Issue { action, .. } => assert_eq!(action, want),
            other => panic!("got {other:?}"),
        }
    }
}

#[test]
fn issue_updates_are_classified_by_their_changes() {
    let label = |t: &str| json!({"id": 1, "title": t});
    let user = |u: &str| json!({"name": u, "username": u});
    let cases = [
        (json!({}), IssueAction::Edited),
        (
            json!({"title": {"previous": "a", "current": "b"}}),
            IssueAction::Edited,
        ),
        (
            json!({"description": {"previous": "a", "current": "b"},
                   "labels": {"previous": [], "current": [label("x")]}}),
            IssueAction::Edited,
        ),
        (
            json!({"labels": {"previous": [label("API")], "current": [label("Platform")]}}),
            IssueAction::Labeled,
        ),
        (
            json!({"labels": {"previous": [label("API"), label("x")], "current": [label("API")]}}),
            IssueAction::Unlabeled,
        ),
        (
            json!({"milestone_id": {"previous": null, "current": 7}}),
            IssueAction::Milestoned,
        ),
        (
            json!({"milestone_id": {"previous": 7, "current": null}}),
            IssueAction::Demilestoned,
        ),
        (
            json!({"assignees": {"previous": [], "current": [user("user1")]}}),
            IssueAction::Assigned,
        ),
        (
            json!({"assignees": {"previous": [user("user1")], "current": []}}),
            IssueAction::Unassigned,
        ),
        (
            json!({"updated_at": {"previous": "x", "current": "y"}}),
            IssueAction::Edited,
        ),
    ];
    for (changes, want) in cases {
        let shown = changes.to_string();
        assert_eq!(issue_update(changes), want, "{shown}");
    }
}

#[test]
fn work_items_and_unknown_issue_actions_are_ignored() {
    let body = edited(fixture!("issue.open"), |v| {
        v["object_kind"] = "work_item".into()
    });
    assert!(ignored("Issue Hook", &body).contains("work_item"));
    let body = edited(fixture!("issue.open"), |v| {
        v["object_attributes"]["action"] = "move".into();
    });
    ignored("Issue Hook", &body);
}

#[test]
fn note_on_issue() {
    let e = event("Note Hook", fixture!("note.issue"));
    assert!(!e.dialect().comments_name_assignees);
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("gitlab-org/gitlab-test")
    );
    assert_eq!(e.repo.as_ref().and_then(|r| r.id), Some(5));
    assert_eq!(e.actor.login, "root");
    let EventKind::Comment {
        action,
        comment,
        on,
    } = e.kind
    else {
        panic!("not a comment")
    };
    assert_eq!(action, CommentAction::Created);
    assert_eq!(comment.id, 1241);
    assert_eq!(comment.body, "Hello world");
    assert_eq!(comment.author, "root");
    assert_eq!(
        comment.url.as_deref(),
        Some("http://example.com/gitlab-org/gitlab-test/issues/17#note_1241")
    );
    assert_eq!(on.number, 17);
    assert_eq!(on.global_id, Some(92));
    assert!(!on.is_merge_request);
    assert_eq!(on.state, ItemState::Closed);
    assert_eq!(on.labels, ["Afterpod", "Element"]);
    assert_eq!(on.author, "root", "the commenter wrote the issue too");
    assert!(on.assignees.is_empty(), "a note names no assignee by login");
}

#[test]
fn note_on_merge_request() {
    let e = event("Note Hook", fixture!("note.merge_request"));
    let EventKind::Comment { comment, on, .. } = e.kind else {
        panic!("not a comment")
    };
    assert_eq!(comment.id, 1244);
    assert_eq!(comment.body, "This MR needs work.");
    assert_eq!(on.number, 1);
    assert_eq!(on.global_id, Some(7));
    assert!(on.is_merge_request);
    assert_eq!(on.state, ItemState::Open);
    assert_eq!(on.labels, ["Afterpod", "Element"]);
    assert_eq!(on.milestone_id, Some(11));
    assert_eq!(on.assignees, ["user1"]);
    assert_eq!(on.author_id, Some(8));
}

#[test]
fn note_actions() {
    let body = edited(fixture!("note.issue"), |v| {
        v["object_attributes"]["action"] = "update".into();
    });
    let e = event("Confidential Note Hook", &body);
    assert!(!e.dialect().comment_edits_carry_previous_text);
    let EventKind::Comment { action, .. } = e.kind else {
        panic!("not a comment")
    };
    assert_eq!(
        action,
        CommentAction::Edited {
            previous_body: None
        }
    );
    let body = edited(fixture!("note.issue"), |v| {
        v["object_attributes"]
            .as_object_mut()
            .map(|o| o.remove("action"));
    });
    match event("Note Hook", &body).kind {
        EventKind::Comment { action, .. } => assert_eq!(action, CommentAction::Created),
        other => panic!("got {other:?}"),
    }
}

#[test]
fn notes_on_commits_snippets_and_system_notes_are_ignored() {
    assert!(ignored("Note Hook", fixture!("note.commit")).contains("Commit"));
    assert!(ignored("Note Hook", fixture!("note.snippet")).contains("Snippet"));
    let body = edited(fixture!("note.issue"), |v| {
        v["object_attributes"]["system"] = true.into();
    });
    assert!(ignored("Note Hook", &body).contains("system"));
}

#[test]
fn note_without_its_issue_is_an_error() {
    let body = edited(fixture!("note.issue"), |v| {
        v.as_object_mut().map(|o| o.remove("issue"));
    });
    assert!(error("Note Hook", &body).contains("issue"));
}

#[path = "tests_mr_ci.rs"]
mod mr_ci;
