//! Turns a [`Derived`] release into the objects the bot writes: the release merge request,
//! deployment requests, the next release's checklist and the version-bump merge request,
//! each rendered from its template and carrying its hidden marker.

use super::Derived;
use crate::config::release::TemplateKind;
use crate::event::PipelineStatus;
use crate::plan::{FileCommit, Intent, IssueSpec, MergeRequestSpec};
use crate::release::{
    change_entries, config_changes, ensure_marker, marker, to_context, BumpKind, ChecklistContext,
    DeployEnvironment, DeployKind, DeployRequestContext, ReleaseMrContext, Requirement,
    VersionFile, MARKER_CHECKLIST, MARKER_DEPLOY_REQUEST, MARKER_RELEASE_MR,
};

/// Bump of the next release when the calendar does not say.
const DEFAULT_NEXT_BUMP: BumpKind = BumpKind::Minor;

/// The neutral word for a pipeline status (as the templates show it).
pub fn status_word(status: PipelineStatus) -> &'static str {
    match status {
        PipelineStatus::Pending => "pending",
        PipelineStatus::Running => "running",
        PipelineStatus::Success => "success",
        PipelineStatus::Failed => "failed",
        PipelineStatus::Canceled => "canceled",
        PipelineStatus::Skipped => "skipped",
        PipelineStatus::Other => "unknown",
    }
}

fn render(
    derived: &Derived<'_>,
    kind: TemplateKind,
    context: serde_json::Value,
) -> Result<String, String> {
    let template = derived.config.template(kind).map_err(|e| e.to_string())?;
    template.render(&context).map_err(|e| e.to_string())
}

/// The release merge request's template context.
pub(super) fn release_mr_context(derived: &Derived<'_>) -> ReleaseMrContext {
    let facts = derived.facts;
    ReleaseMrContext {
        version: derived.version.clone(),
        previous_version: derived.previous.clone(),
        bump: derived.bump,
        changelog: derived.changelog.clone(),
        pipeline_url: facts.pipeline.as_ref().and_then(|p| p.url.clone()),
        pipeline_status: facts.pipeline.as_ref().map(|p| p.status.clone()),
        release_manager: derived.manager.clone(),
        release_date: derived.release_date,
        tag: facts.tag.clone(),
        project: derived.repo.clone(),
    }
}

/// The release merge request's body for `context`.
pub(super) fn render_release_mr(
    derived: &Derived<'_>,
    context: &ReleaseMrContext,
) -> Result<String, String> {
    render(derived, TemplateKind::Release, to_context(context))
}

/// The release merge request `release-next` → default branch.
pub fn release_merge_request(derived: &Derived<'_>) -> Result<MergeRequestSpec, String> {
    let body = render_release_mr(derived, &release_mr_context(derived))?;
    release_merge_request_with(derived, &body)
}

/// The release merge request with `body` (rendered, or refreshed in place).
pub(super) fn release_merge_request_with(
    derived: &Derived<'_>,
    body: &str,
) -> Result<MergeRequestSpec, String> {
    let facts = derived.facts;
    let mark = marker(MARKER_RELEASE_MR, &derived.version.to_string(), None);
    let labels = &derived.config.labels;
    let mut mr_labels = vec![labels.release.clone()];
    if derived.bump == Some(BumpKind::Patch) {
        mr_labels.push(labels.hotfix.clone());
    }
    Ok(MergeRequestSpec {
        repo: derived.repo.clone(),
        source_branch: derived.config.release_branch().to_string(),
        target_branch: facts.default_branch.clone(),
        title: format!("Release {}", facts.tag),
        body: ensure_marker(body, &mark),
        labels: mr_labels,
        assignees: derived.manager.iter().cloned().collect(),
        remove_source_branch: true,
        marker: mark,
    })
}

/// The requirements of a deployment, as they stand. `approved` is whether the release
/// manager on duty asked for it (someone else with the role may file it; the box then
/// stays open).
pub fn requirements(derived: &Derived<'_>, approved: bool) -> Vec<Requirement> {
    let facts = derived.facts;
    let pipeline_ok = facts
        .pipeline
        .as_ref()
        .is_some_and(|p| p.status == "success");
    let holiday = derived
        .config
        .calendar
        .as_ref()
        .is_some_and(|c| c.is_holiday(derived.today));
    vec![
        Requirement {
            description: "The tag pipeline passed".into(),
            met: pipeline_ok,
        },
        Requirement {
            description: format!(
                "QA found no blockers (no open `{}` issues)",
                derived.config.labels.blocker
            ),
            met: facts.blockers.is_empty(),
        },
        Requirement {
            description: "The release manager approves".into(),
            met: approved,
        },
        Requirement {
            description: format!("{} is not a holiday", derived.today),
            met: !holiday,
        },
    ]
}

/// A deployment request in the ops project; `None` when deployment requests are off.
/// `environment` defaults to the configured one; `approved_by` is who asked (`/deploy`):
/// the request says so, and ticks the approval only when that is the release manager.
pub fn deploy_request(
    derived: &Derived<'_>,
    environment: Option<DeployEnvironment>,
    approved_by: Option<&str>,
) -> Result<Option<IssueSpec>, String> {
    let Some(settings) = &derived.config.deploy_requests else {
        return Ok(None);
    };
    let environment = environment.unwrap_or(settings.environment);
    let kind = match (derived.bump, environment) {
        (Some(BumpKind::Patch), DeployEnvironment::Production) => DeployKind::Hotfix,
        (Some(BumpKind::Patch), DeployEnvironment::Staging) => DeployKind::Warmfix,
        _ => DeployKind::Regular,
    };
    let approved = approved_by.is_some_and(|who| {
        derived
            .manager
            .as_ref()
            .is_some_and(|m| m.eq_ignore_ascii_case(who))
    });
    let changes: Vec<_> = derived.facts.changes.iter().collect();
    let config_label = &derived.config.labels.config_change;
    let context = DeployRequestContext {
        version: derived.version.clone(),
        tag: derived.facts.tag.clone(),
        release_url: derived.release_url.clone(),
        environment,
        kind,
        changes: change_entries(&changes, derived.style()),
        config_changes: change_entries(
            &config_changes(&derived.facts.changes, config_label),
            derived.style(),
        ),
        requirements: requirements(derived, approved),
        release_manager: derived.manager.clone(),
        filed_by: approved_by.map(str::to_string),
        project: derived.repo.clone(),
    };
    let env = env_word(environment);
    let mark = marker(
        MARKER_DEPLOY_REQUEST,
        &derived.version.to_string(),
        Some(env),
    );
    let body = render(derived, TemplateKind::DeployRequest, to_context(&context))?;
    Ok(Some(IssueSpec {
        repo: settings.project.clone(),
        title: format!("Deploy {} {} to {env}", derived.repo, derived.facts.tag),
        body: ensure_marker(&body, &mark),
        labels: settings.labels.clone(),
        assignees: derived.manager.iter().cloned().collect(),
        marker: mark,
        due_date: None,
        milestone: None,
    }))
}

pub fn env_word(environment: DeployEnvironment) -> &'static str {
    match environment {
        DeployEnvironment::Staging => "staging",
        DeployEnvironment::Production => "production",
    }
}

/// The checklist issue of the release after this one; `None` when checklists are off or
/// the calendar has no later release.
pub fn next_checklist(derived: &Derived<'_>) -> Result<Option<IssueSpec>, String> {
    let Some(settings) = &derived.config.checklist else {
        return Ok(None);
    };
    let Some(calendar) = &derived.config.calendar else {
        return Err("the checklist needs `release.calendar` to date the next release".into());
    };
    let Some(next) = calendar.next_after(derived.today) else {
        return Ok(None);
    };
    let version = derived.version.bump(next.bump);
    let manager = derived
        .config
        .rotation
        .as_ref()
        .map(|r| r.manager_on(next.date).to_string());
    let context = ChecklistContext {
        version: version.clone(),
        release_date: next.date,
        release_manager: manager.clone(),
        previous_checklist_url: derived.facts.checklist_url.clone(),
        project: derived.repo.clone(),
    };
    let mark = marker(MARKER_CHECKLIST, &version.to_string(), None);
    let body = render(derived, TemplateKind::Checklist, to_context(&context))?;
    // Due on the release date where issues have dates; elsewhere in the version's milestone
    // when it has a due date (else the date is in the title and body only).
    let (due_date, milestone) = if derived.dialect.issue_due_dates {
        (Some(next.date), None)
    } else {
        let tag = derived.config.tag_format().tag_for(&version);
        (
            None,
            super::publish::milestone_of(&version, &tag, &derived.facts.dated_milestones),
        )
    };
    Ok(Some(IssueSpec {
        repo: settings
            .project
            .clone()
            .unwrap_or_else(|| derived.repo.clone()),
        title: format!("Release {version} checklist ({})", next.date),
        body: ensure_marker(&body, &mark),
        labels: settings.labels.clone(),
        assignees: manager.into_iter().collect(),
        marker: mark,
        due_date,
        milestone,
    }))
}

/// Branch, commit and merge request bumping the version file to the next version; empty
/// when bumps are off.
pub fn version_bump(derived: &Derived<'_>) -> Result<Vec<Intent>, String> {
    let Some(settings) = &derived.config.version_bump else {
        return Ok(Vec::new());
    };
    let path = settings.file.value.as_str();
    let file =
        VersionFile::from_path(path).ok_or_else(|| format!("`{path}` is no version file"))?;
    let Some(contents) = &derived.facts.version_file else {
        return Err(format!("{path} was not found on the default branch"));
    };
    let bump = derived
        .config
        .calendar
        .as_ref()
        .and_then(|c| c.next_after(derived.today))
        .map_or(DEFAULT_NEXT_BUMP, |r| r.bump);
    let next = derived.version.bump(bump);
    let updated = file.bump(contents, &next).map_err(|e| e.to_string())?;
    let branch = format!("{}{next}", settings.branch_prefix);
    let mark = marker("version-bump", &next.to_string(), None);
    let repo = derived.repo.clone();
    let default_branch = derived.facts.default_branch.clone();
    Ok(vec![
        Intent::CreateBranch {
            repo: repo.clone(),
            name: branch.clone(),
            from: default_branch.clone(),
        },
        Intent::CommitFile(FileCommit {
            repo: repo.clone(),
            branch: branch.clone(),
            path: path.to_string(),
            content: updated,
            message: format!("Bump version to {next}"),
        }),
        Intent::UpsertMergeRequest(MergeRequestSpec {
            repo,
            source_branch: branch,
            target_branch: default_branch,
            title: format!("Bump version to {next}"),
            body: format!(
                "{mark}\n{} {} shipped; this bumps `{path}` to `{next}` for the next release.\n",
                derived.repo, derived.facts.tag
            ),
            labels: vec![derived.config.labels.release.clone()],
            assignees: derived.manager.iter().cloned().collect(),
            remove_source_branch: true,
            marker: mark,
        }),
    ])
}
