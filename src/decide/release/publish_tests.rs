//! Publishing decisions on hand-built events and facts: the forge release on each trigger,
//! drafts, pre-releases and milestones per forge, the failed-publish issue and its
//! resolution, and "released in" feedback with its cap; snapshots of the plans.

use super::testing::{config, event, now, snapshot};
use super::*;
use crate::decide::{acts_on_own, decide, needs};
use crate::event::{
    Comment, CommentAction, Item, ItemState, MergeRequest, Pipeline, PipelineStatus, Release,
};
use crate::model::{FailedJob, ForgeKind};
use crate::plan::{IssueSpec, ReleaseSpec, ReleasedInSpec, ResolveSpec};

const CONFIG: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
  rotation:
    people: [dana, eli, fay]
    period: monthly
    anchor: 2026-01-01
  publish: {}
  feedback: {}
  failed_publish: {}
"#;

const CHANGELOG: &str =
    "# Changelog\n\n## [1.4.0] - 2026-11-23\n### Added\n- Dark mode (#12).\n\n## [1.3.0]\n- Old.\n";

fn pipeline(forge: ForgeKind, tag: &str, status: PipelineStatus) -> Event {
    event(
        forge,
        EventKind::Pipeline {
            pipeline: Pipeline {
                id: 981,
                git_ref: tag.into(),
                is_tag: true,
                sha: None,
                status,
                stages: vec!["build".into(), "publish".into()],
                url: Some("https://forge.example/acme/app/-/pipelines/981".into()),
            },
        },
    )
}

fn tag_push(forge: ForgeKind, tag: &str) -> Event {
    event(
        forge,
        EventKind::TagPushed {
            tag: tag.into(),
            sha: None,
        },
    )
}

fn published(forge: ForgeKind, tag: &str) -> Event {
    event(
        forge,
        EventKind::ReleasePublished {
            release: Release {
                tag: tag.into(),
                name: None,
                body: String::new(),
                url: Some(format!("https://forge.example/acme/app/releases/tag/{tag}")),
            },
        },
    )
}

fn change(number: u64, closes: &[u64]) -> Change {
    Change {
        number,
        title: format!("Change {number}"),
        labels: vec!["feature".into()],
        author: "dev".into(),
        url: None,
        is_merge_request: true,
        closes: closes.to_vec(),
    }
}

fn facts(tag: &str, changelog: Option<&str>) -> Context {
    Context {
        release: Some(ReleaseFacts {
            tag: tag.into(),
            tags: vec![tag.into(), "v1.3.0".into()],
            default_branch: "main".into(),
            changelog: changelog.map(String::from),
            changes: vec![change(12, &[3, 4]), change(15, &[4, 12])],
            milestones: vec!["1.3".into(), "1.4".into(), "2.0".into()],
            failed_jobs: vec![FailedJob {
                name: "publish-npm".into(),
                url: Some("https://forge.example/acme/app/-/jobs/5".into()),
            }],
            ..ReleaseFacts::default()
        }),
        ..Context::default()
    }
}

fn releases(plan: &Plan) -> Vec<&ReleaseSpec> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::UpsertRelease(spec) => Some(spec),
            _ => None,
        })
        .collect()
}

#[test]
fn a_green_publish_pipeline_publishes_the_release_with_the_changelog() {
    let config = config(CONFIG);
    let event = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Success);
    let plan = decide(&event, &config, &facts("v1.4.0", Some(CHANGELOG)), now());
    snapshot("plan_publish_success", &plan.to_string());
    let spec = releases(&plan)[0];
    assert_eq!(
        (spec.tag.as_str(), spec.name.as_str()),
        ("v1.4.0", "v1.4.0")
    );
    assert_eq!(spec.notes, "### Added\n- Dark mode (#12).");
    assert!(!spec.draft && !spec.prerelease);
    // GitHub releases link no milestones.
    assert!(spec.milestones.is_empty());
    // The green run also closes a failed-publish issue, if one is open.
    assert!(plan
        .intents
        .iter()
        .any(|i| matches!(i, Intent::ResolveIssue(ResolveSpec { label: Some(l), .. }) if l == "release-blocker")));
    // Other states of the pipeline publish nothing.
    for status in [PipelineStatus::Running, PipelineStatus::Canceled] {
        let event = pipeline(ForgeKind::Github, "v1.4.0", status);
        assert!(releases(&decide(&event, &config, &facts("v1.4.0", None), now())).is_empty());
    }
}

#[test]
fn prereleases_and_milestones_as_each_forge_has_them() {
    let config = config(CONFIG);
    let github = pipeline(ForgeKind::Github, "v2.0.0-rc.1", PipelineStatus::Success);
    let plan = decide(&github, &config, &facts("v2.0.0-rc.1", None), now());
    let spec = releases(&plan)[0];
    assert!(spec.prerelease);
    assert_eq!(spec.name, "v2.0.0-rc.1");
    // Without a changelog section the notes are the grouped merged changes.
    assert!(spec.notes.starts_with("### Features"), "{}", spec.notes);

    let gitlab = pipeline(ForgeKind::Gitlab, "v2.0.0-rc.1", PipelineStatus::Success);
    let plan = decide(&gitlab, &config, &facts("v2.0.0-rc.1", None), now());
    let spec = releases(&plan)[0];
    // GitLab has no pre-release flag: the name says it. Its release links the milestone.
    assert!(!spec.prerelease);
    assert_eq!(spec.name, "v2.0.0-rc.1 (pre-release)");
    assert_eq!(spec.milestones, ["2.0"]);
    let v140 = pipeline(ForgeKind::Gitlab, "v1.4.0", PipelineStatus::Success);
    let plan = decide(&v140, &config, &facts("v1.4.0", None), now());
    assert_eq!(releases(&plan)[0].milestones, ["1.4"]);
}

#[test]
fn the_name_comes_from_its_template() {
    let yaml = CONFIG.replace(
        "  publish: {}",
        "  publish:\n    name: \"{{ project }} {{ version }}\"",
    );
    let event = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Success);
    let plan = decide(&event, &config(&yaml), &facts("v1.4.0", None), now());
    assert_eq!(releases(&plan)[0].name, "acme/app 1.4.0");
}

#[test]
fn drafts_are_kept_from_the_tag_push_on_where_the_forge_has_them() {
    let yaml = CONFIG.replace("  publish: {}", "  publish:\n    draft: true");
    let config = config(&yaml);
    let draft = |event: &Event| {
        let plan = decide(event, &config, &facts("v1.4.0", Some(CHANGELOG)), now());
        releases(&plan).first().map(|s| s.draft)
    };
    assert_eq!(draft(&tag_push(ForgeKind::Github, "v1.4.0")), Some(true));
    let running = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Running);
    assert_eq!(draft(&running), Some(true));
    let green = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Success);
    assert_eq!(draft(&green), Some(false));
    let red = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Failed);
    assert_eq!(draft(&red), None);
    // GitLab has no drafts: nothing until the release is published, and a note says so.
    let plan = decide(
        &tag_push(ForgeKind::Gitlab, "v1.4.0"),
        &config,
        &facts("v1.4.0", None),
        now(),
    );
    assert!(releases(&plan).is_empty());
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("GitLab has no draft releases")),
        "{:?}",
        plan.notes
    );
}

/// The release merge request !30 with `body`.
fn release_mr(body: &str, state: ItemState) -> Item {
    Item {
        number: 30,
        global_id: None,
        is_merge_request: true,
        title: "Release v1.4.0".into(),
        body: body.into(),
        state,
        labels: vec![],
        milestone: None,
        milestone_id: None,
        assignees: vec![],
        author: "forgehand".into(),
        author_id: None,
        author_association: None,
        url: None,
    }
}

fn merged(body: &str, source: &str) -> Event {
    event(
        ForgeKind::Gitlab,
        EventKind::MergeRequest {
            action: crate::event::MergeRequestAction::Merged,
            merge_request: MergeRequest {
                item: release_mr(body, ItemState::Merged),
                source_branch: source.into(),
                target_branch: "main".into(),
                sha: None,
            },
        },
    )
}

#[test]
fn publishing_on_tag_push_or_when_the_release_merge_request_merges() {
    let on_tag = config(&CONFIG.replace("  publish: {}", "  publish:\n    on: tag"));
    let plan = decide(
        &tag_push(ForgeKind::Github, "v1.4.0"),
        &on_tag,
        &facts("v1.4.0", None),
        now(),
    );
    assert!(!releases(&plan)[0].draft);
    let green = pipeline(ForgeKind::Github, "v1.4.0", PipelineStatus::Success);
    assert!(releases(&decide(&green, &on_tag, &facts("v1.4.0", None), now())).is_empty());

    let on_merge = config(&CONFIG.replace("  publish: {}", "  publish:\n    on: merge"));
    let marked = merged(
        "<!-- forgehand:release-mr v1.4.0 -->\n# Release",
        "release-next",
    );
    assert!(needs(&marked, &on_merge).release);
    let plan = decide(&marked, &on_merge, &facts("v1.4.0", None), now());
    assert_eq!(releases(&plan).len(), 1, "{plan}");
    assert!(releases(&decide(&green, &on_merge, &facts("v1.4.0", None), now())).is_empty());
    // Another branch's merge, or the default trigger: not a release's.
    let feature = merged("<!-- forgehand:release-mr v1.4.0 -->", "feature-1");
    assert!(!needs(&feature, &on_merge).release);
    assert!(!needs(&marked, &self::config(CONFIG)).release);
    let plan = decide(&feature, &on_merge, &Context::default(), now());
    assert!(releases(&plan).is_empty());
}

fn upserted_issue(plan: &Plan) -> &IssueSpec {
    plan.intents
        .iter()
        .find_map(|i| match i {
            Intent::UpsertIssue(spec) => Some(spec),
            _ => None,
        })
        .expect("an issue")
}

#[test]
fn a_failed_publish_opens_the_blocker_issue_assigned_to_the_release_manager() {
    let config = config(CONFIG);
    let event = pipeline(ForgeKind::Gitlab, "v1.4.0", PipelineStatus::Failed);
    let plan = decide(&event, &config, &facts("v1.4.0", None), now());
    snapshot("plan_publish_failed", &plan.to_string());
    let issue = upserted_issue(&plan);
    assert_eq!(issue.title, "Release v1.4.0 failed to publish");
    assert_eq!(issue.labels, ["release-blocker"]);
    assert_eq!(issue.assignees, ["eli"]);
    assert_eq!(issue.marker, "<!-- forgehand:publish-failed v1.4.0 -->");
    snapshot("failed_publish_issue_gitlab", &issue.body);
    assert!(releases(&plan).is_empty());
    // Off unless configured.
    let off = self::config(&CONFIG.replace("  failed_publish: {}\n", ""));
    let plan = decide(&event, &off, &facts("v1.4.0", None), now());
    assert!(!plan
        .intents
        .iter()
        .any(|i| matches!(i, Intent::UpsertIssue(_) | Intent::ResolveIssue(_))));
}

fn told(plan: &Plan) -> Vec<&ReleasedInSpec> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::ReleasedIn(spec) => Some(spec),
            _ => None,
        })
        .collect()
}

#[test]
fn a_published_release_tells_each_merge_request_and_closed_issue_once() {
    let config = config(CONFIG);
    let github = decide(
        &published(ForgeKind::Github, "v1.4.0"),
        &config,
        &facts("v1.4.0", None),
        now(),
    );
    snapshot("plan_released_in", &github.to_string());
    let targets: Vec<String> = told(&github).iter().map(|s| s.target.to_string()).collect();
    // #12 is a pull request of the release on GitHub, where issues share its numbers.
    assert_eq!(
        targets,
        ["acme/app!12", "acme/app!15", "acme/app#3", "acme/app#4"]
    );
    let first = told(&github)[0];
    assert_eq!(first.labels, ["released"]);
    assert_eq!(first.marker, "<!-- forgehand:released-in v1.4.0 -->");
    assert!(first
        .body
        .contains("Released in [v1.4.0](https://forge.example/acme/app/releases/tag/v1.4.0)."));
    // On GitLab, issue #12 and merge request !12 are different items.
    let gitlab = decide(
        &published(ForgeKind::Gitlab, "v1.4.0"),
        &config,
        &facts("v1.4.0", None),
        now(),
    );
    assert_eq!(told(&gitlab).len(), 5);

    let labels_only =
        self::config(&CONFIG.replace("  feedback: {}", "  feedback:\n    comment: false"));
    let plan = decide(
        &published(ForgeKind::Github, "v1.4.0"),
        &labels_only,
        &facts("v1.4.0", None),
        now(),
    );
    assert!(told(&plan).is_empty());
    let edits = plan
        .intents
        .iter()
        .filter(
            |i| matches!(i, Intent::EditIssue { change, .. } if change.add_labels == ["released"]),
        )
        .count();
    assert_eq!(edits, 4);
}

#[test]
fn above_the_cap_one_summary_goes_on_the_release_merge_request() {
    let config = config(&CONFIG.replace("  feedback: {}", "  feedback:\n    max_items: 3"));
    let event = published(ForgeKind::Gitlab, "v1.4.0");
    let mut context = facts("v1.4.0", None);
    let plan = decide(&event, &config, &context, now());
    assert!(told(&plan).is_empty());
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("no release merge request")),
        "{:?}",
        plan.notes
    );
    context.release.as_mut().unwrap().release_mr = Some(30);
    let plan = decide(&event, &config, &context, now());
    let summary = told(&plan);
    assert_eq!(summary.len(), 1, "{plan}");
    assert_eq!(summary[0].target.to_string(), "acme/app!30");
    assert_eq!(
        summary[0].marker,
        "<!-- forgehand:released-in v1.4.0 summary -->"
    );
    assert!(summary[0].labels.is_empty());
    snapshot("released_summary_gitlab", &summary[0].body);
}

#[test]
fn only_a_release_forgehand_published_is_acted_on_when_it_caused_it() {
    assert!(acts_on_own(&published(ForgeKind::Github, "v1.4.0")));
    let comment = event(
        ForgeKind::Github,
        EventKind::Comment {
            action: CommentAction::Created,
            comment: Comment {
                id: 1,
                body: "/deploy production".into(),
                author: "forgehand[bot]".into(),
                author_association: None,
                url: None,
            },
            on: release_mr("<!-- forgehand:release-mr v1.4.0 -->", ItemState::Open),
        },
    );
    assert!(!acts_on_own(&comment));
    assert!(!acts_on_own(&tag_push(ForgeKind::Github, "v1.4.0")));
}
