//! The forge's release object of a tag — a draft kept up to date from the tag push on where
//! the forge has drafts, created or published when `release.publish.on` fires — and the
//! failed-publish issue: opened (or updated) when the tag's publish pipeline fails,
//! commented on and closed when a later run succeeds.

use super::Derived;
use crate::config::publish::{PublishConfig, PublishTrigger};
use crate::config::Config;
use crate::event::{Event, EventKind, MergeRequestAction, Pipeline, PipelineStatus};
use crate::plan::{Intent, IssueSpec, Plan, ReleaseSpec, ResolveSpec};
use crate::release::{publish_fixed_comment, publish_fixed_marker, FailedPublish, Version};
use serde_json::json;

/// Added to the name of a pre-release on forges without a pre-release flag.
const PRERELEASE_SUFFIX: &str = " (pre-release)";
/// Notes of a release whose changelog says nothing.
const EMPTY_NOTES: &str = "_No changelog entry for this version._";

/// What an event asks of the release object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Keep an unpublished draft up to date.
    Draft,
    /// Create or publish the release.
    Publish,
}

/// The step `event` asks for under `publish`, if any (before asking whether the forge has
/// drafts).
fn step(event: &Event, publish: &PublishConfig) -> Option<Step> {
    let fires = match (&event.kind, publish.on) {
        (EventKind::TagPushed { .. }, PublishTrigger::Tag) => true,
        (EventKind::Pipeline { pipeline }, PublishTrigger::Pipeline) => {
            pipeline.status == PipelineStatus::Success
        }
        (
            EventKind::MergeRequest {
                action: MergeRequestAction::Merged,
                ..
            },
            PublishTrigger::Merge,
        ) => true,
        _ => false,
    };
    if fires {
        return Some(Step::Publish);
    }
    let before = match &event.kind {
        EventKind::TagPushed { .. } => true,
        EventKind::Pipeline { pipeline } => {
            matches!(
                pipeline.status,
                PipelineStatus::Pending | PipelineStatus::Running
            )
        }
        _ => false,
    };
    (publish.draft && before).then_some(Step::Draft)
}

/// Whether `event` writes a release object (so its facts need the milestones).
pub fn writes_release(event: &Event, config: &Config) -> bool {
    let Some(publish) = &config.release.publish else {
        return false;
    };
    match step(event, publish) {
        Some(Step::Publish) => true,
        Some(Step::Draft) => event.dialect().release_drafts,
        None => false,
    }
}

/// The release object's intent for this event, if it asks for one.
pub(super) fn release_object(derived: &Derived<'_>, event: &Event, plan: &mut Plan) {
    let Some(publish) = &derived.config.publish else {
        return;
    };
    let Some(step) = step(event, publish) else {
        return;
    };
    if step == Step::Draft && !derived.dialect.release_drafts {
        plan.notes.push(format!(
            "{} has no draft releases: the release of {} is created when it is published",
            event.forge.display_name(),
            derived.facts.tag
        ));
        return;
    }
    match release_spec(derived, publish, step == Step::Draft) {
        Ok(spec) => plan.intents.push(Intent::UpsertRelease(spec)),
        Err(e) => plan.notes.push(e),
    }
}

fn release_spec(
    derived: &Derived<'_>,
    publish: &PublishConfig,
    draft: bool,
) -> Result<ReleaseSpec, String> {
    let tag = &derived.facts.tag;
    let context = json!({
        "tag": tag,
        "version": derived.version.to_string(),
        "project": derived.repo,
    });
    let template = publish.name_template().map_err(|e| e.to_string())?;
    let mut name = template.render(&context).map_err(|e| e.to_string())?;
    name = name.trim().to_string();
    let mut prerelease = derived.version.is_prerelease();
    if prerelease && !derived.dialect.release_prerelease_flag {
        if !name.to_lowercase().contains("pre-release") {
            name.push_str(PRERELEASE_SUFFIX);
        }
        prerelease = false;
    }
    let milestones = if derived.dialect.release_milestones {
        milestone_of(&derived.version, tag, &derived.facts.milestones)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let notes = if derived.changelog.trim().is_empty() {
        EMPTY_NOTES.to_string()
    } else {
        derived.changelog.clone()
    };
    Ok(ReleaseSpec {
        repo: derived.repo.clone(),
        tag: tag.clone(),
        name,
        notes,
        draft,
        prerelease,
        milestones,
    })
}

/// The milestone of a version among `titles`: `1.4.0`, the tag `v1.4.0`, then `1.4` and
/// `v1.4` (the first that exists).
pub(super) fn milestone_of(version: &Version, tag: &str, titles: &[String]) -> Option<String> {
    let short = format!("{}.{}", version.major(), version.minor());
    let wanted = [
        version.to_string(),
        tag.to_string(),
        short.clone(),
        format!("v{short}"),
    ];
    wanted
        .iter()
        .find_map(|w| titles.iter().find(|t| t.trim() == w.as_str()))
        .cloned()
}

/// The failed-publish issue for a publish pipeline's outcome: opened or updated when it
/// failed, commented on and closed when it succeeded.
pub(super) fn failed_publish(derived: &Derived<'_>, pipeline: &Pipeline, plan: &mut Plan) {
    if derived.config.failed_publish.is_none() {
        return;
    }
    let labels = derived.config.failed_publish_labels();
    let blocker = &derived.config.labels.blocker;
    let blocker_ref = labels
        .iter()
        .any(|l| l.eq_ignore_ascii_case(blocker))
        .then(|| derived.dialect.label_reference(blocker));
    let version = derived.version.to_string();
    let issue = FailedPublish {
        version: &version,
        tag: &derived.facts.tag,
        tag_url: Some(&derived.release_url),
        stage: derived.config.pipeline_stage(),
        pipeline_id: pipeline.id,
        pipeline_url: pipeline.url.as_deref(),
        jobs: &derived.facts.failed_jobs,
        release_manager: derived.manager.as_deref(),
        blocker: blocker_ref.as_deref(),
    };
    match pipeline.status {
        PipelineStatus::Failed => plan.intents.push(Intent::UpsertIssue(IssueSpec {
            repo: derived.repo.clone(),
            title: issue.title(),
            body: issue.render(),
            labels,
            assignees: derived.manager.iter().cloned().collect(),
            marker: issue.marker(),
            due_date: None,
            milestone: None,
        })),
        PipelineStatus::Success => plan.intents.push(Intent::ResolveIssue(ResolveSpec {
            repo: derived.repo.clone(),
            marker: issue.marker(),
            label: labels.first().cloned(),
            comment: publish_fixed_comment(
                &version,
                &derived.facts.tag,
                pipeline.id,
                pipeline.url.as_deref(),
            ),
            comment_marker: publish_fixed_marker(&version, pipeline.id),
        })),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestones_are_matched_by_version_tag_then_minor() {
        let v = Version::parse("1.4.0").unwrap();
        let titles = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["1.3", "1.4", "v1.4.0"], Some("v1.4.0")),
            (&["1.4", "1.4.0"], Some("1.4.0")),
            (&["Backlog", "v1.4"], Some("v1.4")),
            (&["1.4.1", "1.40"], None),
            (&[], None),
        ];
        for (given, expected) in cases {
            assert_eq!(
                milestone_of(&v, "v1.4.0", &titles(given)).as_deref(),
                *expected,
                "{given:?}"
            );
        }
    }
}
