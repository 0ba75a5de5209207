//! Executes the publishing intents: the forge's release object looked up by its tag before
//! it is created (never a second one; a published release is never made a draft again),
//! "released in" comments skipped when their marker is found, the failed-publish issue
//! found again by its marker and updated or reopened, and closed with one comment when a
//! publish succeeds.

use crate::forge::{Forge, ForgeError, IssueEdit, ReleaseFields};
use crate::model::{IssueRef, IssueState, LabelName, Login, RepoPath};
use crate::plan::{IssueSpec, ReleaseSpec, ReleasedInSpec, ResolveSpec};

type Done = Result<(String, bool), ForgeError>;

/// Create the release of `spec.tag`, or update the one that exists when it differs.
pub(super) async fn upsert_release(spec: &ReleaseSpec, forge: &dyn Forge) -> Done {
    let repo = RepoPath::parse(&spec.repo)?;
    let fields = ReleaseFields {
        tag: &spec.tag,
        name: &spec.name,
        notes: &spec.notes,
        draft: spec.draft,
        prerelease: spec.prerelease,
        milestones: &spec.milestones,
    };
    let Some(existing) = forge.release_by_tag(&repo, &spec.tag).await? else {
        let url = forge.create_release(&repo, &fields).await?;
        let at = url.map(|u| format!(" ({u})")).unwrap_or_default();
        return Ok((format!("created {spec}{at}"), false));
    };
    if spec.draft && !existing.draft {
        let line = format!("release {} of {} is published already", spec.tag, spec.repo);
        return Ok((line, true));
    }
    if fields.is_met_by(&existing) {
        let line = format!("release {} of {} is up to date", spec.tag, spec.repo);
        return Ok((line, true));
    }
    forge.update_release(&repo, &existing, &fields).await?;
    Ok((format!("updated {spec}"), false))
}

/// Label, then comment — unless the marker comment shows it was done. The comment comes
/// last: a run stopped between the two is completed by the next one.
pub(super) async fn released_in(spec: &ReleasedInSpec, forge: &dyn Forge) -> Done {
    let item = super::item_ref(&spec.target)?;
    if let Some(id) = forge.find_comment_with_marker(&item, &spec.marker).await? {
        let line = format!("{} was told already (comment {id})", spec.target);
        return Ok((line, true));
    }
    if !spec.labels.is_empty() {
        let edit = IssueEdit {
            add_labels: LabelName::parse_all(&spec.labels)?,
            ..IssueEdit::default()
        };
        forge.edit_issue(&item, &edit).await?;
    }
    let id = forge.comment(&item, &spec.body).await?;
    Ok((format!("{spec} (comment {id})"), false))
}

/// Open the issue, or bring the one carrying the marker up to date: its body replaced when
/// it differs, reopened when it was closed.
pub(super) async fn upsert_issue(spec: &IssueSpec, forge: &dyn Forge) -> Done {
    let repo = RepoPath::parse(&spec.repo)?;
    let labels = LabelName::parse_all(&spec.labels)?;
    let assignees = Login::parse_all(&spec.assignees)?;
    let found = forge
        .find_issue_with_marker(&repo, &spec.marker, labels.first())
        .await?;
    let Some(issue) = found else {
        let number = forge
            .create_issue(&repo, &spec.title, &spec.body, &labels, &assignees)
            .await?;
        return Ok((
            format!("opened {}#{number}: \"{}\"", spec.repo, spec.title),
            false,
        ));
    };
    let reopen = !issue.is_open();
    if !reopen && issue.body.trim_end() == spec.body.trim_end() {
        let line = format!("issue {}#{} is up to date", spec.repo, issue.number);
        return Ok((line, true));
    }
    forge
        .rewrite_issue(&repo, issue.number, &spec.body, reopen)
        .await?;
    let verb = if reopen { "reopened" } else { "updated" };
    Ok((format!("{verb} {}#{}", spec.repo, issue.number), false))
}

/// Comment on the open issue carrying the marker (once) and close it.
pub(super) async fn resolve_issue(spec: &ResolveSpec, forge: &dyn Forge) -> Done {
    let repo = RepoPath::parse(&spec.repo)?;
    let label = spec.label.as_deref().map(LabelName::parse).transpose()?;
    let found = forge
        .find_issue_with_marker(&repo, &spec.marker, label.as_ref())
        .await?;
    let Some(issue) = found.filter(|i| i.is_open()) else {
        let line = format!("no open issue of {} carries {}", spec.repo, spec.marker);
        return Ok((line, true));
    };
    let item = IssueRef::parse(&spec.repo, issue.number, false)?;
    if forge
        .find_comment_with_marker(&item, &spec.comment_marker)
        .await?
        .is_none()
    {
        forge.comment(&item, &spec.comment).await?;
    }
    let close = IssueEdit {
        state: Some(IssueState::Closed),
        ..IssueEdit::default()
    };
    forge.edit_issue(&item, &close).await?;
    Ok((format!("commented on and closed {item}"), false))
}
