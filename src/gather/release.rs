//! Gathers what the release flow decides on: the repository's tags, the changelog at the
//! tag, the changes merged since the previous semver tag, the tag's pipeline, open release
//! blockers, the version file and the current checklist; around publishing, the failed
//! jobs of a failed publish pipeline, the milestones a release may link and the release
//! merge request a feedback summary goes on. The only I/O of the release flow besides
//! executing its plan.

use crate::config::release::DeployTrigger;
use crate::config::Config;
use crate::decide::release::{feedback, publish, refresh, OpenReleaseMr};
use crate::decide::{ReleaseFacts, Subject};
use crate::event::{Event, EventKind, PipelineStatus};
use crate::forge::{Forge, ForgeError};
use crate::model::{LabelName, RepoPath};
use crate::release::{
    extract_section, marker, previous_tag_name, Version, MARKER_CHECKLIST, MARKER_RELEASE_MR,
};

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
    if let Some(facts) = refresh_only(forge, config, event, &subject, path, &default_branch).await?
    {
        return Ok(Some(facts));
    }
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
    // The changes between the tags (compare, then their merged requests) serve the notes when
    // the changelog has no section for this version, deployment requests and feedback.
    let has_section = facts
        .changelog
        .as_deref()
        .is_some_and(|text| extract_section(text, &version).is_some());
    let changes_needed = !has_section
        || files_deploy_request(config, event)
        || matches!(event.kind, EventKind::ReleasePublished { .. });
    let previous = previous_tag_name(&tags, &version, &format).filter(|_| changes_needed);
    if let Some((previous, _)) = previous {
        facts.changes = forge
            .merged_between(path, previous, &tag, &default_branch)
            .await?;
    }
    // A pipeline delivery brings its own status; a merged release MR publishes without one.
    if !matches!(
        event.kind,
        EventKind::Pipeline { .. } | EventKind::MergeRequest { .. }
    ) {
        facts.pipeline = forge
            .latest_pipeline(path, &tag, release.pipeline_stage())
            .await?;
    }
    if files_deploy_request(config, event) {
        let blocker = LabelName::parse(&release.labels.blocker)?;
        facts.blockers = forge.open_issues_with_label(path, &blocker).await?;
    }
    // `/deploy` links the release itself (a draft is no page to link yet).
    if matches!(event.kind, EventKind::Comment { .. }) && files_deploy_request(config, event) {
        let found = forge.release_by_tag(path, &tag).await?;
        facts.release_url = found.filter(|r| !r.draft).and_then(|r| r.url);
    }
    // A tag the default branch already has leaves nothing for a release merge request.
    if matches!(
        event.kind,
        EventKind::TagPushed { .. } | EventKind::Pipeline { .. }
    ) {
        facts.on_default_branch = Some(forge.contains(path, &default_branch, &tag).await?);
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
            // Where issues have no due date, the next checklist's milestone dates it.
            if !event.dialect().issue_due_dates {
                let milestones = forge.milestones(&project).await?;
                facts.dated_milestones = milestones
                    .into_iter()
                    .filter(|m| m.due_date.is_some())
                    .map(|m| m.title)
                    .collect();
            }
        }
    }
    around_publishing(forge, config, event, path, &version, &mut facts).await?;
    facts.tags = tags;
    Ok(Some(facts))
}

/// Whether `event` may file a deployment request, whose requirements name the blockers: a
/// tag push or a published release as configured, or a comment (`/deploy`).
fn files_deploy_request(config: &Config, event: &Event) -> bool {
    let Some(requests) = &config.release.deploy_requests else {
        return false;
    };
    match event.kind {
        EventKind::TagPushed { .. } => requests.on == DeployTrigger::Tag,
        EventKind::ReleasePublished { .. } => requests.on == DeployTrigger::Release,
        EventKind::Comment { .. } => true,
        _ => false,
    }
}

/// For an event that only refreshes the pipeline line: the open release merge request of the
/// tag's version, when its body has the line (one read); `None` when the release must be
/// gathered in full (no such merge request yet: the pipeline overtook the tag push).
async fn refresh_only(
    forge: &dyn Forge,
    config: &Config,
    event: &Event,
    subject: &Subject,
    path: &RepoPath,
    default_branch: &str,
) -> Result<Option<ReleaseFacts>, ForgeError> {
    let Subject::Tag(tag) = subject else {
        return Ok(None);
    };
    let release = &config.release;
    let Ok(version) = release.tag_format().parse(tag) else {
        return Ok(None);
    };
    if !refresh::refreshes_only(event, config) {
        return Ok(None);
    }
    let mark = marker(MARKER_RELEASE_MR, &version.to_string(), None);
    let found = forge
        .merge_requests_between(path, release.release_branch(), default_branch)
        .await?;
    let open = found.into_iter().find(|mr| {
        mr.is_open()
            && mr.body.contains(&mark)
            && refresh::refreshable(config, &version, tag, path.as_str(), &mr.body)
    });
    Ok(open.map(|mr| ReleaseFacts {
        tag: tag.clone(),
        tags: vec![tag.clone()],
        default_branch: default_branch.to_string(),
        open_release_mr: Some(OpenReleaseMr {
            number: mr.number,
            body: mr.body,
        }),
        ..ReleaseFacts::default()
    }))
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
