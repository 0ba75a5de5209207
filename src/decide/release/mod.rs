//! Release decisions: a semver tag push keeps the release merge request (`release-next` →
//! default branch) in step with the template; the tag's publishing pipeline updates it and
//! publishes the forge's release (`publish.rs`) or opens the failed-publish issue; a
//! published release files the deployment request, the next release's checklist and the
//! version-bump merge request, and tells its issues and merge requests (`feedback.rs`).
//! Facts come from [`ReleaseFacts`], gathered beforehand.

mod branch;
#[cfg(test)]
mod branch_tests;
pub mod commands;
pub mod day;
mod day_render;
pub mod feedback;
#[cfg(test)]
mod flow_tests;
pub mod publish;
#[cfg(test)]
mod publish_tests;
pub mod refresh;
mod render;
#[cfg(test)]
mod testing;

use super::Context;
use crate::config::publish::PublishTrigger;
use crate::config::release::DeployTrigger;
use crate::config::release::ReleaseConfig;
use crate::config::Config;
use crate::event::{Dialect, Event, EventKind, MergeRequestAction, Pipeline};
use crate::model::{Change, FailedJob, PipelineInfo};
use crate::plan::{Intent, Plan};
use crate::release::{
    bump_kind, extract_section, group_changes, previous_tag, BumpKind, RefStyle, Version,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// What the worker fetched about the release a tag names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReleaseFacts {
    /// The release's tag.
    pub tag: String,
    /// Every tag of the repository.
    pub tags: Vec<String>,
    /// The branch releases merge into.
    pub default_branch: String,
    /// The changelog file at the tag, if it exists.
    pub changelog: Option<String>,
    /// Merged changes between the previous semver tag and this one.
    pub changes: Vec<Change>,
    /// The tag's latest publishing pipeline.
    pub pipeline: Option<PipelineInfo>,
    /// Open issues carrying the blocker label.
    pub blockers: Vec<u64>,
    /// The version file on the default branch (when a version bump is configured).
    pub version_file: Option<String>,
    /// Web URL of this release's checklist issue, if one exists.
    pub checklist_url: Option<String>,
    /// The failed jobs of a failed publish pipeline (when the failed-publish issue is on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_jobs: Vec<FailedJob>,
    /// Titles of the open milestones (forges whose releases link milestones, when the
    /// release object is written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<String>,
    /// Number of this version's release merge request, when the feedback summary goes there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_mr: Option<u64>,
    /// Titles of the open milestones that have a due date (forges whose issues have none,
    /// when the next release's checklist is filed: its milestone dates it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dated_milestones: Vec<String>,
    /// Whether the default branch already has the tag's commit (nothing for a release merge
    /// request to merge); `None` when it was not looked up (then one is opened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_default_branch: Option<bool>,
    /// Web URL of the forge's release of the tag (GitHub release / GitLab release), when one
    /// exists and a deployment request may link it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_url: Option<String>,
    /// The open release merge request of this version, when the event only refreshes its
    /// pipeline line ([`refresh::refreshes_only`]); the other facts are then not gathered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_release_mr: Option<OpenReleaseMr>,
}

/// The open release merge request whose pipeline line an event refreshes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OpenReleaseMr {
    pub number: u64,
    pub body: String,
}

/// Why the release flow looks at this event: the tag it is about, if the event concerns a
/// release at all. Comments name their tag through the release MR's marker, or take the
/// newest semver tag (`None` here; the gatherer resolves it).
pub fn subject(event: &Event, config: &Config) -> Option<Subject> {
    let release = &config.release;
    if !release.enabled {
        return None;
    }
    let format = release.tag_format();
    match &event.kind {
        EventKind::TagPushed { tag, .. }
        | EventKind::ReleasePublished {
            release: crate::event::Release { tag, .. },
        } => format.parse(tag).ok().map(|_| Subject::Tag(tag.clone())),
        // Where pipelines are not flagged as a tag's, the ref must parse as a tag.
        EventKind::Pipeline { pipeline }
            if is_publishing(pipeline, release)
                && (pipeline.is_tag || !event.dialect().pipelines_flag_tags) =>
        {
            format
                .parse(&pipeline.git_ref)
                .ok()
                .map(|_| Subject::Tag(pipeline.git_ref.clone()))
        }
        EventKind::Comment { on, .. } => Some(match marked_version(&on.body) {
            Some(version) => Subject::Tag(format.tag_for(&version)),
            None => Subject::Latest,
        }),
        // The merged release merge request publishes the release, when so configured.
        EventKind::MergeRequest {
            action: MergeRequestAction::Merged,
            merge_request,
        } if release
            .publish
            .as_ref()
            .is_some_and(|p| p.on == PublishTrigger::Merge)
            && merge_request.source_branch == release.release_branch() =>
        {
            marked_version(&merge_request.item.body).map(|v| Subject::Tag(format.tag_for(&v)))
        }
        _ => None,
    }
}

/// The release an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Tag(String),
    /// The newest semver tag.
    Latest,
}

/// Whether a pipeline is the publishing one: GitLab lists the stage, GitHub's workflow
/// name mentions it.
fn is_publishing(pipeline: &Pipeline, release: &ReleaseConfig) -> bool {
    let stage = release.pipeline_stage().to_lowercase();
    pipeline
        .stages
        .iter()
        .any(|s| s.to_lowercase().contains(&stage))
}

/// The version in a release merge request's marker, if the text carries one.
pub fn marked_version(body: &str) -> Option<Version> {
    let start = body.find("<!-- forgehand:release-mr v")? + "<!-- forgehand:release-mr v".len();
    let rest = &body[start..];
    let end = rest.find(' ').unwrap_or(rest.len());
    Version::parse(rest[..end].trim()).ok()
}

/// Everything decided about one release, derived from the facts.
pub(super) struct Derived<'a> {
    pub config: &'a ReleaseConfig,
    pub repo: String,
    pub dialect: Dialect,
    pub facts: &'a ReleaseFacts,
    pub version: Version,
    pub previous: Option<Version>,
    pub bump: Option<BumpKind>,
    pub changelog: String,
    pub release_date: Option<NaiveDate>,
    pub manager: Option<String>,
    pub today: NaiveDate,
    /// The release page (published release) or the tag's page.
    pub release_url: String,
}

/// Releases looked at to find the next one of a tag's kind (a weekly cadence has at most
/// seven a week).
const UPCOMING_FOR_KIND: usize = 8;

impl<'a> Derived<'a> {
    pub fn new(
        event: &Event,
        config: &'a Config,
        facts: &'a ReleaseFacts,
        now: DateTime<Utc>,
    ) -> Option<Derived<'a>> {
        let release = &config.release;
        let format = release.tag_format();
        let version = format.parse(&facts.tag).ok()?;
        let previous = previous_tag(&facts.tags, &version, &format);
        let bump = previous.as_ref().and_then(|p| bump_kind(p, &version));
        let dialect = event.dialect();
        let changelog = facts
            .changelog
            .as_deref()
            .and_then(|text| extract_section(text, &version))
            .unwrap_or_else(|| {
                group_changes(&facts.changes, &release.changelog_groups, dialect.refs)
                    .trim_end()
                    .to_string()
            });
        let today = now.date_naive();
        // The next release of this tag's kind (a minor tag → the next minor release day, a
        // patch → the next patch day); the next release of any kind when none matches.
        let release_date = release.calendar.as_ref().and_then(|c| {
            let upcoming = c.upcoming(today, UPCOMING_FOR_KIND);
            upcoming
                .iter()
                .find(|r| Some(r.bump) == bump)
                .or(upcoming.first())
                .map(|r| r.date)
        });
        // The manager on duty for the release this day belongs to (the one on or before it).
        let manager = release.rotation.as_ref().map(|r| {
            crate::release::manager_on_duty(release.calendar.as_ref(), r, today).to_string()
        });
        let repo = event.repo.as_ref()?;
        // The release itself when known (the published release's event, or the release object
        // looked up for a deployment request), else the tag's page.
        let release_url = match (&event.kind, &facts.release_url) {
            (
                EventKind::ReleasePublished {
                    release: crate::event::Release { url: Some(url), .. },
                },
                _,
            )
            | (_, Some(url)) => url.clone(),
            _ => dialect.tag_url(repo.url.as_deref().unwrap_or_default(), &facts.tag),
        };
        Some(Derived {
            release_url,
            config: release,
            repo: event.repo.as_ref()?.path.clone(),
            dialect,
            facts,
            version,
            previous,
            bump,
            changelog,
            release_date,
            manager,
            today,
        })
    }

    /// How the release notes reference changes.
    pub fn style(&self) -> RefStyle {
        self.dialect.refs
    }
}

/// Tag pushes, tag pipelines and published releases.
pub fn decide(
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
    plan: &mut Plan,
) {
    let release = &config.release;
    if !release.enabled {
        plan.notes.push(format!(
            "release automation is off; `{}` ignored",
            event.kind.name()
        ));
        return;
    }
    let Some(Subject::Tag(tag)) = subject(event, config) else {
        plan.notes.push(ignored_reason(event, release));
        return;
    };
    let mut facts = match &context.release {
        Some(facts) => facts.clone(),
        None => {
            // `forgehand plan` and dry runs call no forge: plan with what the event says.
            plan.notes.push(format!(
                "release facts for {tag} were not gathered (dry run): tags, changelog, \
                 changes and pipeline are unknown"
            ));
            ReleaseFacts {
                tag: tag.clone(),
                tags: vec![tag.clone()],
                default_branch: event
                    .repo
                    .as_ref()
                    .and_then(|r| r.default_branch.clone())
                    .unwrap_or_else(|| "main".into()),
                ..ReleaseFacts::default()
            }
        }
    };
    if let EventKind::Pipeline { pipeline } = &event.kind {
        // The delivery is fresher than what the list said.
        facts.pipeline = Some(PipelineInfo {
            id: pipeline.id,
            status: render::status_word(pipeline.status).to_string(),
            url: pipeline.url.clone(),
        });
    }
    let Some(derived) = Derived::new(event, config, &facts, now) else {
        plan.notes.push(format!("`{tag}` is not a release tag"));
        return;
    };
    if let (Some(open), EventKind::Pipeline { .. }) = (&facts.open_release_mr, &event.kind) {
        refresh_pipeline_line(&derived, open, plan);
        return;
    }
    let intents = &mut plan.intents;
    match &event.kind {
        EventKind::TagPushed { .. } | EventKind::Pipeline { .. } => {
            // Also for pipelines: their delivery may overtake the tag push's.
            if facts.on_default_branch == Some(true) {
                intents.push(Intent::CommentOnCommit(branch::nothing_to_merge(&derived)));
                plan.notes.push(format!(
                    "`{}` already has {tag}'s commit: nothing to merge, no release merge request",
                    facts.default_branch
                ));
            } else {
                intents.push(Intent::PointBranch(branch::release_branch(&derived)));
                match render::release_merge_request(&derived) {
                    Ok(spec) => intents.push(Intent::UpsertMergeRequest(spec)),
                    Err(e) => plan.notes.push(e),
                }
            }
            let on_tag = release
                .deploy_requests
                .as_ref()
                .is_some_and(|d| d.on == DeployTrigger::Tag);
            if on_tag && matches!(event.kind, EventKind::TagPushed { .. }) {
                push_deploy_request(&derived, None, &mut plan.intents, &mut plan.notes);
            }
            publish::release_object(&derived, event, plan);
            if let EventKind::Pipeline { pipeline } = &event.kind {
                publish::failed_publish(&derived, pipeline, plan);
            }
        }
        EventKind::MergeRequest { .. } => publish::release_object(&derived, event, plan),
        EventKind::ReleasePublished { .. } => {
            let on_release = release
                .deploy_requests
                .as_ref()
                .is_some_and(|d| d.on == DeployTrigger::Release);
            if on_release {
                push_deploy_request(&derived, None, &mut plan.intents, &mut plan.notes);
            }
            match render::next_checklist(&derived) {
                Ok(Some(spec)) => plan.intents.push(Intent::FileIssue(spec)),
                Ok(None) => {}
                Err(e) => plan.notes.push(e),
            }
            match render::version_bump(&derived) {
                Ok(bump) => plan.intents.extend(bump),
                Err(e) => plan.notes.push(e),
            }
            feedback::released_in(&derived, plan);
        }
        _ => {}
    }
}

/// Only the pipeline line of the open release merge request changes: the body as it stands
/// with that line re-rendered (the labels as the full flow gives them: a patch tag is a
/// hotfix).
fn refresh_pipeline_line(derived: &Derived<'_>, open: &OpenReleaseMr, plan: &mut Plan) {
    let Some(body) = refresh::refreshed(derived, &open.body) else {
        plan.notes.push(format!(
            "the pipeline line of !{} was not found; it is refreshed by the next tag push",
            open.number
        ));
        return;
    };
    if body == open.body {
        plan.notes.push(format!(
            "the pipeline line of !{} is up to date",
            open.number
        ));
        return;
    }
    match render::release_merge_request_with(derived, &body) {
        Ok(mut spec) => {
            let hotfix = &derived.config.labels.hotfix;
            let patch = derived.version.patch() > 0 && !derived.version.is_prerelease();
            if patch && !spec.labels.contains(hotfix) {
                spec.labels.push(hotfix.clone());
            }
            plan.intents.push(Intent::UpsertMergeRequest(spec));
        }
        Err(e) => plan.notes.push(e),
    }
}

/// Add the automatic deployment request (environment from the configuration).
fn push_deploy_request(
    derived: &Derived<'_>,
    environment: Option<crate::release::DeployEnvironment>,
    intents: &mut Vec<Intent>,
    notes: &mut Vec<String>,
) {
    match render::deploy_request(derived, environment, None) {
        Ok(Some(spec)) => intents.push(Intent::FileIssue(spec)),
        Ok(None) => {}
        Err(e) => notes.push(e),
    }
}

fn ignored_reason(event: &Event, release: &ReleaseConfig) -> String {
    match &event.kind {
        EventKind::TagPushed { tag, .. } => format!(
            "tag `{tag}` is not a release tag (semver with optional prefix `{}`); ignored",
            release.tag_format().prefix
        ),
        EventKind::TagDeleted { tag } => format!("tag `{tag}` was deleted; ignored"),
        EventKind::Pipeline { pipeline } => format!(
            "pipeline {} of `{}` is not a tag's `{}` pipeline; ignored",
            pipeline.id,
            pipeline.git_ref,
            release.pipeline_stage()
        ),
        other => format!("no release rule acts on `{}` events", other.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_markers() {
        let body = "<!-- forgehand:release-mr v1.4.0 -->\n# Release";
        assert_eq!(marked_version(body), Some(Version::new(1, 4, 0)));
        assert_eq!(marked_version("no marker"), None);
        let pre = "<!-- forgehand:release-mr v2.0.0-rc.1 -->";
        assert_eq!(marked_version(pre).unwrap().to_string(), "2.0.0-rc.1");
    }
}
