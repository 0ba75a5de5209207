//! GitLab decoder tests, continued: merge requests, pipelines, releases, bots, malformed payloads and every fixture.

use super::*;

#[test]
fn merge_request_opened() {
    let e = event("Merge Request Hook", fixture!("merge_request.open"));
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("gitlabhq/gitlab-test")
    );
    assert_eq!(e.actor.login, "root");
    let EventKind::MergeRequest {
        action,
        merge_request: mr,
    } = e.kind
    else {
        panic!("not a merge request")
    };
    assert_eq!(action, MergeRequestAction::Opened);
    assert_eq!(mr.item.number, 1);
    assert_eq!(mr.item.global_id, Some(99));
    assert!(mr.item.is_merge_request);
    assert_eq!(mr.item.title, "MS-Viewport");
    assert_eq!(mr.item.state, ItemState::Open);
    assert_eq!(mr.item.labels, ["API"]);
    assert_eq!(mr.item.assignees, ["user1"]);
    assert_eq!(mr.item.author_id, Some(51));
    assert_eq!(
        mr.item.url.as_deref(),
        Some("http://example.com/diaspora/merge_requests/1")
    );
    assert_eq!(mr.source_branch, "ms-viewport");
    assert_eq!(mr.target_branch, "master");
    assert_eq!(
        mr.sha.as_deref(),
        Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
    );
}

#[test]
fn merge_request_actions() {
    let cases = [
        (
            "update",
            "opened",
            MergeRequestAction::Updated,
            ItemState::Open,
        ),
        (
            "merge",
            "merged",
            MergeRequestAction::Merged,
            ItemState::Merged,
        ),
        (
            "close",
            "closed",
            MergeRequestAction::Closed,
            ItemState::Closed,
        ),
        (
            "reopen",
            "opened",
            MergeRequestAction::Reopened,
            ItemState::Open,
        ),
    ];
    for (action, state, want, want_state) in cases {
        let body = edited(fixture!("merge_request.open"), |v| {
            v["object_attributes"]["action"] = action.into();
            v["object_attributes"]["state"] = state.into();
        });
        match event("Merge Request Hook", &body).kind {
            EventKind::MergeRequest {
                action,
                merge_request,
            } => {
                assert_eq!(action, want);
                assert_eq!(merge_request.item.state, want_state);
            }
            other => panic!("{action}: got {other:?}"),
        }
    }
    for action in ["approved", "unapproved", "approval", "unapproval"] {
        let body = edited(fixture!("merge_request.open"), |v| {
            v["object_attributes"]["action"] = action.into();
        });
        assert!(ignored("Merge Request Hook", &body).contains(action));
    }
}

#[test]
fn pipeline() {
    let e = event("Pipeline Hook", fixture!("pipeline"));
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("gitlab-org/gitlab-test")
    );
    assert_eq!(e.actor.login, "root");
    let EventKind::Pipeline { pipeline } = e.kind else {
        panic!("not a pipeline")
    };
    assert_eq!(pipeline.id, 31);
    assert_eq!(pipeline.git_ref, "master");
    assert!(!pipeline.is_tag);
    assert_eq!(
        pipeline.sha.as_deref(),
        Some("bcbb5ec396a2c0f828686f14fac9b80b780504f2")
    );
    assert_eq!(pipeline.status, PipelineStatus::Success);
    assert_eq!(pipeline.stages, ["build", "test", "deploy"]);
    assert_eq!(
        pipeline.url.as_deref(),
        Some("http://example.com/gitlab-org/gitlab-test/-/pipelines/31")
    );
    let body = edited(fixture!("pipeline"), |v| {
        v["object_attributes"]["tag"] = true.into();
        v["object_attributes"]["ref"] = "v1.2.0".into();
        v["object_attributes"]["status"] = "running".into();
    });
    let EventKind::Pipeline { pipeline } = event("Pipeline Hook", &body).kind else {
        panic!("not a pipeline")
    };
    assert!(pipeline.is_tag);
    assert_eq!(pipeline.git_ref, "v1.2.0");
    assert_eq!(pipeline.status, PipelineStatus::Running);
}

#[test]
fn pipeline_status_mapping() {
    use crate::event::gitlab::refs::pipeline_status;
    let cases = [
        ("created", PipelineStatus::Pending),
        ("waiting_for_resource", PipelineStatus::Pending),
        ("preparing", PipelineStatus::Pending),
        ("pending", PipelineStatus::Pending),
        ("running", PipelineStatus::Running),
        ("success", PipelineStatus::Success),
        ("failed", PipelineStatus::Failed),
        ("canceled", PipelineStatus::Canceled),
        ("skipped", PipelineStatus::Skipped),
        ("manual", PipelineStatus::Other),
        ("scheduled", PipelineStatus::Other),
    ];
    for (status, want) in cases {
        assert_eq!(pipeline_status(Some(status)), want, "{status}");
    }
    assert_eq!(pipeline_status(None), PipelineStatus::Other);
}

#[test]
fn release_created() {
    let e = event("Release Hook", fixture!("release.create"));
    assert_eq!(
        e.repo.as_ref().map(|r| r.path.as_str()),
        Some("gitlab-org/release-webhook-example")
    );
    assert_eq!(e.actor.login, "", "release hooks name no user");
    let EventKind::ReleasePublished { release } = e.kind else {
        panic!("not a release")
    };
    assert_eq!(release.tag, "v1.1");
    assert_eq!(release.name.as_deref(), Some("v1.1"));
    assert_eq!(release.body, "v1.1 has been released");
    assert_eq!(
        release.url.as_deref(),
        Some("https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1")
    );
    for action in ["update", "delete"] {
        let body = edited(fixture!("release.create"), |v| v["action"] = action.into());
        ignored("Release Hook", &body);
    }
}

#[test]
fn other_hooks_are_ignored() {
    assert!(ignored("Wiki Page Hook", fixture!("wiki_page")).contains("Wiki Page Hook"));
    ignored("Milestone Hook", fixture!("milestone.create"));
    ignored("Job Hook", b"{}");
}

#[test]
fn bots_are_recognised() {
    for (username, bot) in [
        ("project_42_bot", true),
        ("project_42_bot_3f9a", true),
        ("group_7_bot_1", true),
        ("renovate[bot]", true),
        ("project_bot", false),
        ("project_x_bot", false),
        ("root", false),
    ] {
        let body = edited(fixture!("note.issue"), |v| {
            v["user"]["username"] = username.into()
        });
        assert_eq!(event("Note Hook", &body).actor.is_bot, bot, "{username}");
    }
    let body = edited(fixture!("note.issue"), |v| v["user"]["bot"] = true.into());
    assert!(event("Note Hook", &body).actor.is_bot);
}

#[test]
fn malformed_payloads_are_errors_not_panics() {
    let cases: [(&str, &[u8]); 8] = [
        ("Issue Hook", b""),
        ("Issue Hook", b"{oops"),
        ("Note Hook", b"\"a string\""),
        ("Issue Hook", br#"{"object_kind": "issue"}"#),
        (
            "Merge Request Hook",
            br#"{"object_kind": "merge_request", "project": {}}"#,
        ),
        ("Push Hook", br#"{"ref": "refs/heads/main"}"#),
        ("Pipeline Hook", br#"{"object_attributes": {"id": -1}}"#),
        ("Release Hook", br#"{"tag": "v1"}"#),
    ];
    for (name, body) in cases {
        let why = error(name, body);
        assert!(!why.is_empty());
    }
    let body = edited(fixture!("issue.open"), |v| {
        v["object_attributes"]["state"] = "weird".into();
    });
    assert!(error("Issue Hook", &body).contains("weird"));
    let body = edited(fixture!("merge_request.open"), |v| {
        v["object_attributes"]
            .as_object_mut()
            .map(|o| o.remove("action"));
    });
    assert!(error("Merge Request Hook", &body).contains("action"));
}

/// Every GitLab fixture decodes under its header without an error.
#[test]
fn every_fixture_decodes() {
    let cases: [(&str, &[u8], Option<&str>); 12] = [
        ("Push Hook", fixture!("push"), Some("push")),
        ("Tag Push Hook", fixture!("tag_push"), Some("tag_push")),
        ("Issue Hook", fixture!("issue.open"), Some("issue")),
        ("Note Hook", fixture!("note.issue"), Some("comment")),
        ("Note Hook", fixture!("note.merge_request"), Some("comment")),
        ("Note Hook", fixture!("note.commit"), None),
        ("Note Hook", fixture!("note.snippet"), None),
        (
            "Merge Request Hook",
            fixture!("merge_request.open"),
            Some("merge_request"),
        ),
        ("Pipeline Hook", fixture!("pipeline"), Some("pipeline")),
        ("Release Hook", fixture!("release.create"), Some("release")),
        ("Wiki Page Hook", fixture!("wiki_page"), None),
        ("Milestone Hook", fixture!("milestone.create"), None),
    ];
    for (name, body, want) in cases {
        match (decode(name, body), want) {
            (Ok(Decoded::Event(e)), Some(kind)) => assert_eq!(e.kind.name(), kind, "{name}"),
            (Ok(Decoded::Ignored(_)), None) => {}
            (other, _) => panic!("{name}: got {other:?}, wanted {want:?}"),
        }
    }
}

/// Any fixture under any handled header (a lying header) yields a result, never a panic.
#[test]
fn mismatched_event_names_never_panic() {
    let bodies: [&[u8]; 12] = [
        fixture!("push"),
        fixture!("tag_push"),
        fixture!("issue.open"),
        fixture!("note.issue"),
        fixture!("note.merge_request"),
        fixture!("note.commit"),
        fixture!("note.snippet"),
        fixture!("merge_request.open"),
        fixture!("pipeline"),
        fixture!("release.create"),
        fixture!("wiki_page"),
        fixture!("milestone.create"),
    ];
    let names = [
        "Issue Hook",
        "Confidential Issue Hook",
        "Note Hook",
        "Confidential Note Hook",
        "Merge Request Hook",
        "Push Hook",
        "Tag Push Hook",
        "Pipeline Hook",
        "Release Hook",
        "System Hook",
    ];
    for body in bodies {
        for name in names {
            let _ = decode(name, body);
        }
    }
}
