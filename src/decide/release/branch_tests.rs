//! The release branch decisions: `release-next` pointed at the tag (with the note that closes
//! an earlier release's merge request), or one comment on the tag's commit when the default
//! branch already has it; snapshots of both bodies.

use super::testing::{config, event, now, snapshot};
use super::*;
use crate::decide::decide;
use crate::model::ForgeKind;
use crate::plan::{CommitCommentSpec, Intent, ReleaseBranchSpec};

const CONFIG: &str = r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
  rotation:
    people: [alice]
    period: monthly
    anchor: 2026-01-01
"#;

fn tag_push(forge: ForgeKind) -> Event {
    event(
        forge,
        EventKind::TagPushed {
            tag: "v1.4.0".into(),
            sha: None,
        },
    )
}

fn facts(on_default_branch: Option<bool>) -> Context {
    Context {
        release: Some(ReleaseFacts {
            tag: "v1.4.0".into(),
            tags: vec!["v1.4.0".into(), "v1.3.0".into()],
            default_branch: "main".into(),
            on_default_branch,
            ..ReleaseFacts::default()
        }),
        ..Context::default()
    }
}

fn branch(plan: &Plan) -> Option<&ReleaseBranchSpec> {
    plan.intents.iter().find_map(|i| match i {
        Intent::PointBranch(spec) => Some(spec),
        _ => None,
    })
}

fn commit_comment(plan: &Plan) -> Option<&CommitCommentSpec> {
    plan.intents.iter().find_map(|i| match i {
        Intent::CommentOnCommit(spec) => Some(spec),
        _ => None,
    })
}

fn has_release_mr(plan: &Plan) -> bool {
    plan.intents
        .iter()
        .any(|i| matches!(i, Intent::UpsertMergeRequest(s) if s.source_branch == "release-next"))
}

#[test]
fn a_tag_with_something_to_merge_points_release_next_at_it() {
    let config = config(CONFIG);
    let plan = decide(
        &tag_push(ForgeKind::Github),
        &config,
        &facts(Some(false)),
        now(),
    );
    let spec = branch(&plan).expect("release-next is pointed at the tag");
    assert_eq!(
        (
            spec.name.as_str(),
            spec.tag.as_str(),
            spec.target_branch.as_str()
        ),
        ("release-next", "v1.4.0", "main")
    );
    assert_eq!(spec.keep_marker, "<!-- forgehand:release-mr v1.4.0 -->");
    assert!(spec.keep_marker.starts_with(&spec.marker_start));
    assert!(spec.note.starts_with(&spec.note_marker));
    assert!(has_release_mr(&plan));
    assert!(commit_comment(&plan).is_none());
    snapshot("plan_tag_push_branch", &plan.to_string());
    snapshot("release_mr_superseded_note", &spec.note);
}

#[test]
fn a_tag_the_default_branch_has_gets_a_commit_comment_instead_of_a_merge_request() {
    let config = config(CONFIG);
    for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
        let plan = decide(&tag_push(forge), &config, &facts(Some(true)), now());
        assert!(branch(&plan).is_none(), "{plan}");
        assert!(!has_release_mr(&plan), "{plan}");
        let spec = commit_comment(&plan).expect("a comment on the tag's commit");
        assert_eq!(
            (spec.repo.as_str(), spec.git_ref.as_str()),
            ("acme/app", "v1.4.0")
        );
        assert_eq!(spec.marker, "<!-- forgehand:nothing-to-merge v1.4.0 -->");
        assert!(spec.body.starts_with(&spec.marker));
        if forge == ForgeKind::Github {
            snapshot("plan_tag_nothing_to_merge", &plan.to_string());
            snapshot("nothing_to_merge_comment", &spec.body);
        }
    }
}

#[test]
fn a_pipeline_of_a_tag_the_default_branch_has_opens_no_merge_request_either() {
    let config = config("release:\n  enabled: true\n");
    let pipeline = event(
        ForgeKind::Gitlab,
        EventKind::Pipeline {
            pipeline: crate::event::Pipeline {
                id: 7,
                git_ref: "v1.4.0".into(),
                is_tag: true,
                sha: None,
                status: crate::event::PipelineStatus::Running,
                stages: vec!["publish".into()],
                url: None,
            },
        },
    );
    let plan = decide(&pipeline, &config, &facts(Some(true)), now());
    assert!(!has_release_mr(&plan), "{plan}");
    assert!(commit_comment(&plan).is_some(), "{plan}");
}

#[test]
fn unknown_whether_the_default_branch_has_the_tag_plans_the_merge_request() {
    // `forgehand plan` looks nothing up: the release merge request is planned as usual.
    let config = config(CONFIG);
    let plan = decide(
        &tag_push(ForgeKind::Gitlab),
        &config,
        &Context::default(),
        now(),
    );
    assert!(branch(&plan).is_some(), "{plan}");
    assert!(has_release_mr(&plan), "{plan}");
}
