//! Release decisions on hand-built events and facts, with a fixed clock: plans, and
//! snapshots of every body the release flow writes.

use super::testing::{config, event, now, snapshot};
use super::*;
use crate::decide::{decide, needs};
use crate::event::{Comment, CommentAction, Item, ItemState, Pipeline, PipelineStatus, Release};
use crate::model::Change;
use crate::model::ForgeKind;
use crate::model::PipelineInfo;
use crate::plan::{Intent, IssueSpec, MergeRequestSpec};
use crate::role::Role;

const CONFIG: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
    - title: Fixes
      labels: [bug]
  calendar:
    cadence:
      every_weeks: 2
      weekday: tuesday
      anchor: 2026-01-06
      bump: minor
    holidays: [2026-12-22, 2026-11-24]
    on_holiday: shift
  rotation:
    people: [dana, eli, fay]
    period: monthly
    anchor: 2026-01-01
  deploy_requests:
    project: acme/ops
  checklist: {}
  version_bump:
    file: package.json
"#;

const CHANGELOG: &str = "# Changelog\n\n## [1.4.0] - 2026-11-23\n### Added\n- Dark mode (#12).\n\n## [1.3.0]\n### Fixed\n- Old bug.\n";

fn tag(forge: ForgeKind, name: &str) -> Event {
    event(
        forge,
        EventKind::TagPushed {
            tag: name.into(),
            sha: None,
        },
    )
}

fn change(number: u64, title: &str, labels: &[&str]) -> Change {
    Change {
        number,
        title: title.into(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        author: "dev".into(),
        url: Some(format!("https://forge.example/acme/app/pull/{number}")),
        is_merge_request: true,
        closes: vec![],
    }
}

fn facts(tag: &str, changelog: Option<&str>) -> Context {
    Context {
        release: Some(ReleaseFacts {
            tag: tag.into(),
            tags: vec![
                tag.into(),
                "v1.3.0".into(),
                "v1.2.9".into(),
                "nightly".into(),
            ],
            default_branch: "main".into(),
            changelog: changelog.map(String::from),
            changes: vec![
                change(12, "Dark mode", &["feature"]),
                change(15, "Crash on empty schedule", &["bug"]),
                change(16, "New cache backend", &["config-change"]),
            ],
            pipeline: None,
            blockers: vec![],
            version_file: Some("{\n  \"name\": \"app\",\n  \"version\": \"1.4.0\"\n}\n".into()),
            checklist_url: Some("https://forge.example/acme/app/issues/40".into()),
            ..ReleaseFacts::default()
        }),
        ..Context::default()
    }
}

fn mr(plan: &Plan) -> &MergeRequestSpec {
    plan.intents
        .iter()
        .find_map(|i| match i {
            Intent::UpsertMergeRequest(spec) if spec.source_branch == "release-next" => Some(spec),
            _ => None,
        })
        .expect("a release merge request")
}

fn issues(plan: &Plan) -> Vec<&IssueSpec> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::FileIssue(spec) => Some(spec),
            _ => None,
        })
        .collect()
}

#[test]
fn tag_push_makes_the_release_merge_request_from_the_changelog() {
    let config = config(CONFIG);
    let plan = decide(
        &tag(ForgeKind::Github, "v1.4.0"),
        &config,
        &facts("v1.4.0", Some(CHANGELOG)),
        now(),
    );
    snapshot("plan_tag_push", &plan.to_string());
    let spec = mr(&plan);
    assert_eq!(spec.target_branch, "main");
    assert_eq!(spec.labels, ["release"]);
    // 2026-11-24 is a holiday: the release shifts to Wednesday 25th, in eli's month.
    assert_eq!(spec.assignees, ["eli"]);
    assert!(spec.remove_source_branch);
    snapshot("release_mr_changelog", &spec.body);
}

#[test]
fn without_a_changelog_section_the_merged_changes_are_grouped() {
    let config = config(CONFIG);
    let plan = decide(
        &tag(ForgeKind::Gitlab, "1.4.0"),
        &config,
        &facts("1.4.0", Some("# Changelog\n")),
        now(),
    );
    snapshot("release_mr_grouped", &mr(&plan).body);
}

#[test]
fn a_patch_release_is_a_hotfix() {
    let config = config(CONFIG);
    let plan = decide(
        &tag(ForgeKind::Github, "v1.3.1"),
        &config,
        &facts("v1.3.1", None),
        now(),
    );
    assert_eq!(mr(&plan).labels, ["release", "hotfix"]);
}

#[test]
fn other_tags_and_deletions_are_ignored_with_a_note() {
    let config = config(CONFIG);
    for event in [
        tag(ForgeKind::Github, "nightly"),
        event(
            ForgeKind::Gitlab,
            EventKind::TagDeleted {
                tag: "v1.4.0".into(),
            },
        ),
    ] {
        let plan = decide(&event, &config, &Context::default(), now());
        assert!(plan.is_empty(), "{plan}");
        assert!(plan.notes[0].contains("ignored"), "{:?}", plan.notes);
    }
    let off = decide(
        &tag(ForgeKind::Github, "v1.4.0"),
        &Config::from_str("", "t", &|_| None).unwrap(),
        &Context::default(),
        now(),
    );
    assert!(off.is_empty());
}

fn pipeline(git_ref: &str, stages: &[&str], status: PipelineStatus) -> Event {
    event(
        ForgeKind::Gitlab,
        EventKind::Pipeline {
            pipeline: Pipeline {
                id: 981,
                git_ref: git_ref.into(),
                is_tag: true,
                sha: None,
                status,
                stages: stages.iter().map(|s| s.to_string()).collect(),
                url: Some("https://forge.example/acme/app/-/pipelines/981".into()),
            },
        },
    )
}

#[test]
fn the_publish_pipeline_updates_the_merge_request() {
    let config = config(CONFIG);
    let event = pipeline("v1.4.0", &["build", "publish"], PipelineStatus::Running);
    let plan = decide(&event, &config, &facts("v1.4.0", Some(CHANGELOG)), now());
    assert_eq!(plan.intents.len(), 2, "{plan}");
    snapshot("release_mr_pipeline", &mr(&plan).body);

    let other = pipeline("v1.4.0", &["build", "test"], PipelineStatus::Success);
    assert!(decide(&other, &config, &facts("v1.4.0", None), now()).is_empty());
    let branch = pipeline("main", &["publish"], PipelineStatus::Success);
    assert!(decide(&branch, &config, &facts("v1.4.0", None), now()).is_empty());
    // A GitLab branch that happens to be called like a version is not a tag.
    let mut named_like_a_tag = pipeline("1.4.0", &["publish"], PipelineStatus::Success);
    if let EventKind::Pipeline { pipeline } = &mut named_like_a_tag.kind {
        pipeline.is_tag = false;
    }
    assert!(decide(&named_like_a_tag, &config, &facts("1.4.0", None), now()).is_empty());
}

#[test]
fn a_published_release_files_deploy_request_checklist_and_bump() {
    let config = config(CONFIG);
    let event = event(
        ForgeKind::Github,
        EventKind::ReleasePublished {
            release: Release {
                tag: "v1.4.0".into(),
                name: None,
                body: String::new(),
                url: Some("https://forge.example/acme/app/releases/tag/v1.4.0".into()),
            },
        },
    );
    let mut context = facts("v1.4.0", Some(CHANGELOG));
    context.release.as_mut().unwrap().pipeline = Some(PipelineInfo {
        id: 5,
        status: "success".into(),
        url: None,
    });
    let plan = decide(&event, &config, &context, now());
    snapshot("plan_release_published", &plan.to_string());
    let filed = issues(&plan);
    assert_eq!(filed[0].repo, "acme/ops");
    assert_eq!(filed[0].title, "Deploy acme/app v1.4.0 to staging");
    snapshot("deploy_request_staging", &filed[0].body);
    assert_eq!(filed[1].title, "Release 1.5.0 checklist (2026-11-25)");
    snapshot("checklist_next", &filed[1].body);
    let commit = plan.intents.iter().find_map(|i| match i {
        Intent::CommitFile(c) => Some(c),
        _ => None,
    });
    assert!(commit.unwrap().content.contains("\"version\": \"1.5.0\""));
    let bump = plan.intents.iter().find_map(|i| match i {
        Intent::UpsertMergeRequest(mr) if mr.source_branch.contains("bump") => Some(mr),
        _ => None,
    });
    snapshot("version_bump_mr", &bump.unwrap().body);
}

fn comment(body: &str, author: &str, on_body: &str) -> Event {
    event(
        ForgeKind::Gitlab,
        EventKind::Comment {
            action: CommentAction::Created,
            comment: Comment {
                id: 77,
                body: body.into(),
                author: author.into(),
                author_association: None,
                url: None,
            },
            on: Item {
                number: 3,
                global_id: None,
                is_merge_request: true,
                title: "Release v1.4.0".into(),
                body: on_body.into(),
                state: ItemState::Open,
                labels: vec![],
                milestone: None,
                milestone_id: None,
                assignees: vec![],
                author: "forgehand".into(),
                author_id: None,
                author_association: None,
                url: None,
            },
        },
    )
}

fn replies(plan: &Plan) -> Vec<&str> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::Comment { body, .. } => Some(body.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn release_schedule_lists_dates_and_managers() {
    let config = config(CONFIG);
    let plan = decide(
        &comment("/release schedule", "zed", ""),
        &config,
        &Context::default(),
        now(),
    );
    let reply = replies(&plan);
    assert_eq!(reply.len(), 1, "{plan}");
    snapshot("release_schedule_reply", reply[0]);
}

#[test]
fn deploy_is_refused_with_every_failed_requirement() {
    let config = config(CONFIG);
    let mut context = facts("v1.4.0", None);
    context.actor_role = crate::decide::Fact::Known(Role::Reader);
    context.release.as_mut().unwrap().blockers = vec![9];
    let on = "<!-- forgehand:release-mr v1.4.0 -->\n# Release";
    let plan = decide(
        &comment("/deploy production", "zed", on),
        &config,
        &context,
        now(),
    );
    assert!(issues(&plan).is_empty());
    let reply = replies(&plan);
    assert_eq!(reply.len(), 1, "{plan}");
    snapshot("deploy_refusal", reply[0]);
}

#[test]
fn deploy_by_the_release_manager_files_the_request() {
    let config = config(CONFIG);
    let mut context = facts("v1.3.1", None);
    context.release.as_mut().unwrap().pipeline = Some(PipelineInfo {
        id: 5,
        status: "success".into(),
        url: None,
    });
    let on = "<!-- forgehand:release-mr v1.3.1 -->";
    // November 2026 is eli's month (dana, eli, fay, dana… from January).
    let plan = decide(
        &comment("/deploy production", "eli", on),
        &config,
        &context,
        now(),
    );
    assert!(replies(&plan).is_empty(), "{plan}");
    let filed = issues(&plan);
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].title, "Deploy acme/app v1.3.1 to production");
    assert!(
        filed[0].body.contains("**Type:** hotfix"),
        "{}",
        filed[0].body
    );
    assert!(filed[0].marker.ends_with("v1.3.1 production -->"));
}

#[test]
fn deployment_requests_on_tag_push_when_configured() {
    let yaml = CONFIG.replace(
        "    project: acme/ops\n",
        "    project: acme/ops\n    on: tag\n    environment: production\n",
    );
    let config = config(&yaml);
    let plan = decide(
        &tag(ForgeKind::Gitlab, "v1.3.1"),
        &config,
        &facts("v1.3.1", None),
        now(),
    );
    let filed = issues(&plan);
    assert_eq!(filed.len(), 1, "{plan}");
    assert_eq!(filed[0].title, "Deploy acme/app v1.3.1 to production");
    assert!(filed[0].body.contains("**Type:** hotfix"));
    assert!(filed[0]
        .body
        .contains("**Release:** [v1.3.1](https://forge.example/acme/app/-/tags/v1.3.1)"));
    // The pipeline of the same tag does not file it again.
    let event = pipeline("v1.3.1", &["publish"], PipelineStatus::Success);
    assert!(issues(&decide(&event, &config, &facts("v1.3.1", None), now())).is_empty());
}

#[test]
fn github_workflows_count_when_their_name_mentions_the_stage() {
    let config = config(CONFIG);
    let mut event = pipeline("v1.4.0", &["Build and Publish"], PipelineStatus::Failed);
    event.forge = ForgeKind::Github;
    let plan = decide(&event, &config, &facts("v1.4.0", None), now());
    assert!(mr(&plan).body.contains("[failed]("), "{}", mr(&plan).body);
    let mut tests_only = pipeline("v1.4.0", &["CI"], PipelineStatus::Success);
    tests_only.forge = ForgeKind::Github;
    let plan = decide(&tests_only, &config, &facts("v1.4.0", None), now());
    assert!(plan.is_empty());
    assert!(
        plan.notes[0].contains("not a tag's `publish` pipeline"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn release_commands_without_release_automation_say_so() {
    let config = config("");
    let plan = decide(
        &comment("/deploy staging\n/release schedule", "zed", ""),
        &config,
        &Context::default(),
        now(),
    );
    let reply = replies(&plan);
    assert_eq!(reply.len(), 1, "{plan}");
    // Both commands are refused for the same reason: the one reply says it once.
    assert_eq!(
        reply[0],
        "@zed: release automation is not configured for this project"
    );
}

#[test]
fn needs_release_facts_only_for_release_events_and_deploy() {
    let config = config(CONFIG);
    assert!(needs(&tag(ForgeKind::Github, "v1.4.0"), &config).release);
    assert!(!needs(&tag(ForgeKind::Github, "nightly"), &config).release);
    assert!(needs(&comment("/deploy staging", "a", ""), &config).release);
    assert!(!needs(&comment("/release schedule", "a", ""), &config).release);
    assert!(!needs(&tag(ForgeKind::Github, "v1.4.0"), &self::config("")).release);
}

#[test]
fn the_weekly_release_date_is_the_next_day_of_the_tags_kind() {
    let config = config(
        r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
"#,
    );
    // Sunday 2026-11-22: a minor tag → Monday 23rd, a patch tag → Thursday 26th.
    let date_of = |tag: &str| {
        let plan = decide(&tag_event(tag), &config, &facts(tag, None), now());
        let body = mr(&plan).body.clone();
        body.lines()
            .find(|l| l.starts_with("| Release date |"))
            .unwrap_or_default()
            .to_string()
    };
    let cases = [
        ("v1.4.0", "| Release date | 2026-11-23 |"),
        ("v1.3.1", "| Release date | 2026-11-26 |"),
    ];
    for (tag, line) in cases {
        assert_eq!(date_of(tag), line, "{tag}");
    }
}

fn tag_event(name: &str) -> Event {
    tag(ForgeKind::Github, name)
}
