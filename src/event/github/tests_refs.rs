//! GitHub decoder tests, continued: tags, pushes, releases, pipelines, ping, bots, malformed payloads and every octokit example.

use super::*;

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
    use crate::event::github::refs::run_status;
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
