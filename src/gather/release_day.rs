//! Gathers what a release-day firing decides on. The call: the last release tag, what merged
//! into the default branch since, the open checklist and the last release-day issue. The
//! production train: the deployment requests in the ops project (found by the start of their
//! markers, naming this repository), and — when staging is ahead of production — the facts of
//! the staging version's release (its changes, tag pipeline and open blockers).

use crate::config::Config;
use crate::decide::release::day::ReleaseDayFacts;
use crate::decide::ReleaseFacts;
use crate::event::release_day::DayStep;
use crate::event::{Event, EventKind};
use crate::forge::{Forge, ForgeError};
use crate::model::{LabelName, MarkedIssue, RepoPath};
use crate::release::day::{deploy_marker_version, last_release_tag};
use crate::release::{previous_tag_name, Version, MARKER_CHECKLIST, MARKER_DEPLOY_REQUEST};

/// Default branch when the configuration names none (a firing carries no payload to say).
const FALLBACK_DEFAULT_BRANCH: &str = "main";

/// The facts of a release-day firing.
pub async fn gather(
    forge: &dyn Forge,
    config: &Config,
    event: &Event,
    path: &RepoPath,
) -> Result<ReleaseDayFacts, ForgeError> {
    let release = &config.release;
    let mut facts = ReleaseDayFacts {
        default_branch: release
            .default_branch
            .clone()
            .unwrap_or_else(|| FALLBACK_DEFAULT_BRANCH.to_string()),
        ..ReleaseDayFacts::default()
    };
    match &event.kind {
        EventKind::ReleaseDay {
            step: DayStep::Release,
            ..
        } => call(forge, config, path, &mut facts).await?,
        EventKind::ReleaseDay {
            step: DayStep::Train,
            ..
        } => train(forge, config, path, &mut facts).await?,
        _ => {}
    }
    Ok(facts)
}

async fn call(
    forge: &dyn Forge,
    config: &Config,
    path: &RepoPath,
    facts: &mut ReleaseDayFacts,
) -> Result<(), ForgeError> {
    let release = &config.release;
    let tags = forge.tags(path).await?;
    if let Some((tag, _)) = last_release_tag(&tags, &release.tag_format()) {
        facts.last_tag = Some(tag.to_string());
        facts.changes = forge
            .merged_between(path, tag, &facts.default_branch, &facts.default_branch)
            .await?;
    }
    if let Some(checklist) = &release.checklist {
        let project = match checklist.project.as_deref() {
            Some(project) => RepoPath::parse(project)?,
            None => path.clone(),
        };
        let label = first_label(&checklist.labels)?;
        let start = format!("<!-- forgehand:{MARKER_CHECKLIST} v");
        let found = forge
            .issues_with_marker(&project, &start, label.as_ref())
            .await?;
        facts.checklist = found.into_iter().find(MarkedIssue::is_open);
    }
    if let Some(day) = &release.release_day {
        let label = first_label(&day.labels)?;
        let start = "<!-- forgehand:release-day ";
        facts.previous_day_issue = forge
            .find_issue_with_marker(path, start, label.as_ref())
            .await?;
    }
    Ok(())
}

async fn train(
    forge: &dyn Forge,
    config: &Config,
    path: &RepoPath,
    facts: &mut ReleaseDayFacts,
) -> Result<(), ForgeError> {
    let release = &config.release;
    let Some(settings) = &release.deploy_requests else {
        return Ok(());
    };
    let ops = RepoPath::parse(&settings.project)?;
    let label = first_label(&settings.labels)?;
    let start = format!("<!-- forgehand:{MARKER_DEPLOY_REQUEST} v");
    // The ops project may take requests of several repositories: keep this one's.
    let requests: Vec<MarkedIssue> = forge
        .issues_with_marker(&ops, &start, label.as_ref())
        .await?
        .into_iter()
        .filter(|i| i.body.contains(path.as_str()))
        .collect();
    facts.staging_request = requests
        .iter()
        .find(|i| deploy_marker_version(&i.body, "staging").is_some())
        .cloned();
    facts.production = requests
        .iter()
        .find_map(|i| deploy_marker_version(&i.body, "production"));
    let staging = facts
        .staging_request
        .as_ref()
        .and_then(|i| deploy_marker_version(&i.body, "staging"));
    let Some(staging) = staging else {
        return Ok(());
    };
    if facts.production.as_ref().is_some_and(|p| *p >= staging) {
        return Ok(());
    }
    let tag = release.tag_format().tag_for(&staging);
    facts.train =
        Some(release_facts(forge, config, path, &tag, &staging, &facts.default_branch).await?);
    facts.release_url = forge.release_by_tag(path, &tag).await?.and_then(|r| r.url);
    Ok(())
}

/// What `/deploy production` checks of a release: its changes, its tag pipeline and the
/// open blockers.
async fn release_facts(
    forge: &dyn Forge,
    config: &Config,
    path: &RepoPath,
    tag: &str,
    version: &Version,
    default_branch: &str,
) -> Result<ReleaseFacts, ForgeError> {
    let release = &config.release;
    let tags = forge.tags(path).await?;
    let mut facts = ReleaseFacts {
        tag: tag.to_string(),
        default_branch: default_branch.to_string(),
        ..ReleaseFacts::default()
    };
    if let Some((previous, _)) = previous_tag_name(&tags, version, &release.tag_format()) {
        facts.changes = forge
            .merged_between(path, previous, tag, default_branch)
            .await?;
    }
    facts.pipeline = forge
        .latest_pipeline(path, tag, release.pipeline_stage())
        .await?;
    let blocker = LabelName::parse(&release.labels.blocker)?;
    facts.blockers = forge.open_issues_with_label(path, &blocker).await?;
    facts.tags = tags;
    Ok(facts)
}

fn first_label(labels: &[String]) -> Result<Option<LabelName>, ForgeError> {
    Ok(labels.first().map(|l| LabelName::parse(l)).transpose()?)
}
