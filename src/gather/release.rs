//! Gathers what the release flow decides on: the repository's tags, the changelog at the
//! tag, the changes merged since the previous semver tag, the tag's pipeline, open release
//! blockers, the version file and the current checklist; around publishing, the failed
//! jobs of a failed publish pipeline, the milestones a release may link and the release
//! merge request a feedback summary goes on. The only I/O of the release flow besides
//! executing its plan.

use crate::config::Config;
use crate::decide::release::{feedback, publish};
use crate::decide::{ReleaseFacts, Subject};
use crate::event::{Event, EventKind, PipelineStatus};
use crate::forge::{Forge, ForgeError};
use crate::model::{LabelName, RepoPath};
use crate::release::{marker, previous_tag_name, Version, MARKER_CHECKLIST, MARKER_RELEASE_MR};

/// Default branch when neither the configuration nor the payload names one.
const FALLBACK_DEFAULT_BRANCH: &str = "main";

/// The facts about the release `event` concerns; `None` when it concerns none.
pub async fn gather(
    forge: &dyn Forge,
    config: &Config,
    event: &Event,
) -> Result<Option<ReleaseFacts>, ForgeError> {
    let Some(subject) = crate::decide::release::subject(event, config) else {
        return Ok(None);
    };
    let Some(repo) = event.repo.as_ref() else {
        return Ok(None);
    };
    let release = &config.release;
    let format = release.tag_format();
    let path = &RepoPath::parse(&repo.path)?;
    let default_branch = release
        .default_branch
        .clone()
        .or_else(|| repo.default_branch.clone())
        .unwrap_or_else(|| FALLBACK_DEFAULT_BRANCH.to_string());
    let tags = forge.tags(path).await?;
    let tag = match subject {
        Subject::Tag(tag) => tag,
        Subject::Latest => tags
            .iter()
            .filter_map(|t| format.parse(t).ok().map(|v| (t, v)))
            .filter(|(_, v)| !v.is_prerelease())
            .max_by(|(_, a), (_, b)| a.cmp(b))
            .map(|(t, _)| t.clone())
            .unwrap_or_default(),
    };
    let mut facts = ReleaseFacts {
        tag: tag.clone(),
        default_branch: default_branch.clone(),
        ..ReleaseFacts::default()
    };
    let Ok(version) = format.parse(&tag) else {
        facts.tags = tags;
        return Ok(Some(facts));
    };
    facts.changelog = forge
        .file_at(path, release.changelog_file(), &tag)
        .await?
        .map(|f| f.content);
    if let Some((previous, _)) = previous_tag_name(&tags, &version, &format) {
        facts.changes = forge
            .merged_between(path, previous, &tag, &default_branch)
            .await?;
    }
    facts.pipeline = forge
        .latest_pipeline(path, &tag, release.pipeline_stage())
        .await?;
    if release.deploy_requests.is_some() {
        let blocker = LabelName::parse(&release.labels.blocker)?;
        facts.blockers = forge.open_issues_with_label(path, &blocker).await?;
    }
    if matches!(event.kind, EventKind::ReleasePublished { .. }) {
        if let Some(bump) = &release.version_bump {
            facts.version_file = forge
                .file_at(path, &bump.file, &default_branch)
                .await?
                .map(|f| f.content);
        }
        if let Some(checklist) = &release.checklist {
            let project = match checklist.project.as_deref() {
                Some(project) => RepoPath::parse(project)?,
                None => path.clone(),
            };
            let mark = marker(MARKER_CHECKLIST, &version.to_string(), None);
            let label = checklist
                .labels
                .first()
                .map(|l| LabelName::parse(l))
                .transpose()?;
            facts.checklist_url = forge
                .find_issue_with_marker(&project, &mark, label.as_ref())
                .await?
                .and_then(|found| found.url);
        }
    }
    around_publishing(forge, config, event, path, &version, &mut facts).await?;
    facts.tags = tags;
    Ok(Some(facts))
}

/// The facts of publishing, each fetched only for the event that needs it: the failed jobs
/// of a failed publish pipeline, the milestones when a release object is written on a forge
/// whose releases link them, and the release merge request when a published release has
/// more items than get their own "released in" comment.
async fn around_publishing(
    forge: &dyn Forge,
    config: &Config,
    event: &Event,
    path: &RepoPath,
    version: &Version,
    facts: &mut ReleaseFacts,
) -> Result<(), ForgeError> {
    let release = &config.release;
    match &event.kind {
        EventKind::Pipeline { pipeline }
            if pipeline.status == PipelineStatus::Failed && release.failed_publish.is_some() =>
        {
            facts.failed_jobs = forge.failed_jobs(path, pipeline.id).await?;
        }
        EventKind::ReleasePublished { .. } => {
            let over_cap = release.feedback.as_ref().is_some_and(|settings| {
                feedback::items(facts, event.dialect().refs).len() > settings.max_items
            });
            if over_cap {
                let mark = marker(MARKER_RELEASE_MR, &version.to_string(), None);
                let found = forge
                    .merge_requests_between(path, release.release_branch(), &facts.default_branch)
                    .await?;
                facts.release_mr = found
                    .iter()
                    .find(|mr| mr.body.contains(&mark))
                    .map(|mr| mr.number);
            }
        }
        _ => {}
    }
    if event.dialect().release_milestones && publish::writes_release(event, config) {
        let milestones = forge.milestones(path).await?;
        facts.milestones = milestones.into_iter().map(|m| m.title).collect();
    }
    Ok(())
}
