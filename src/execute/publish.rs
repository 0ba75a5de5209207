//! Executes the publishing intents: the forge's release object looked up by its tag before
//! it is created (never a second one; a published release is never made a draft again),
//! "released in" comments skipped when their marker is found, the failed-publish issue
//! found again by its marker and updated or reopened, and closed with one comment when a
//! publish succeeds.

use super::{Did, Journal, Ran};
use crate::forge::{Forge, IssueEdit, ReleaseFields};
use crate::model::{IssueRef, IssueState, LabelName, Login, RepoPath};
use crate::plan::{IssueSpec, ReleaseSpec, ReleasedInSpec, ResolveSpec};

/// Create the release of `spec.tag`, or update the one that exists when it differs.
pub(super) async fn upsert_release(
    spec: &ReleaseSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let fields = ReleaseFields {
        tag: &spec.tag,
        name: &spec.name,
        notes: &spec.notes,
        draft: spec.draft,
        prerelease: spec.prerelease,
        milestones: &spec.milestones,
    };
    let existing = forge.release_by_tag(&repo, &spec.tag).await?;
    let Some(existing) = existing else {
        // After a create whose outcome is unknown, the release of the tag is that try's.
        let find = || async {
            let found = forge.release_by_tag(&repo, &spec.tag).await?;
            Ok(found.map(|_| None))
        };
        let (url, found) = journal
            .find_or_create(false, find, || forge.create_release(&repo, &fields))
            .await?;
        let at = url.as_ref().map(|u| format!(" ({u})")).unwrap_or_default();
        let line = if found {
            format!(
                "release {} of {} was made by an earlier try",
                spec.tag, spec.repo
            )
        } else {
            format!("created {spec}{at}")
        };
        let did = Did {
            url,
            ..Did::done(line).object(&spec.tag)
        };
        return Ok(did);
    };
    if spec.draft && !existing.draft {
        let line = format!("release {} of {} is published already", spec.tag, spec.repo);
        return Ok(Did::skipped(line));
    }
    if fields.is_met_by(&existing) {
        let line = format!("release {} of {} is up to date", spec.tag, spec.repo);
        return Ok(Did::skipped(line));
    }
    journal.fence().await?;
    forge.update_release(&repo, &existing, &fields).await?;
    Ok(Did::done(format!("updated {spec}")))
}

/// Label, then comment — unless the marker comment shows it was done. The comment comes
/// last: a run stopped between the two is completed by the next one.
pub(super) async fn released_in(
    spec: &ReleasedInSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let item = super::item_ref(&spec.target)?;
    if let Some(id) = forge.find_comment_with_marker(&item, &spec.marker).await? {
        let line = format!("{} was told already (comment {id})", spec.target);
        return Ok(Did::skipped(line).object(id));
    }
    if !spec.labels.is_empty() {
        let edit = IssueEdit {
            add_labels: LabelName::parse_all(&spec.labels)?,
            ..IssueEdit::default()
        };
        forge.edit_issue(&item, &edit).await?;
    }
    let (id, _) = journal
        .find_or_create(
            false,
            || forge.find_comment_with_marker(&item, &spec.marker),
            || forge.comment(&item, &spec.body),
        )
        .await?;
    Ok(Did::done(format!("{spec} (comment {id})")).object(id))
}

/// Open the issue, or bring the one carrying the marker up to date: its body replaced when
/// it differs, reopened when it was closed.
pub(super) async fn upsert_issue(
    spec: &IssueSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let labels = LabelName::parse_all(&spec.labels)?;
    let assignees = Login::parse_all(&spec.assignees)?;
    let found = forge
        .find_issue_with_marker(&repo, &spec.marker, labels.first())
        .await?;
    let Some(issue) = found else {
        let find = || async {
            let found = forge
                .find_issue_with_marker(&repo, &spec.marker, labels.first())
                .await?;
            Ok(found.map(|issue| issue.number))
        };
        let create = || forge.create_issue(&repo, &spec.title, &spec.body, &labels, &assignees);
        let (number, _) = journal.find_or_create(false, find, create).await?;
        let line = format!("opened {}#{number}: \"{}\"", spec.repo, spec.title);
        return Ok(Did::done(line).object(number));
    };
    let reopen = !issue.is_open();
    if !reopen && issue.body.trim_end() == spec.body.trim_end() {
        let line = format!("issue {}#{} is up to date", spec.repo, issue.number);
        return Ok(Did::skipped(line).object(issue.number));
    }
    journal.fence().await?;
    forge
        .rewrite_issue(&repo, issue.number, &spec.body, reopen)
        .await?;
    let verb = if reopen { "reopened" } else { "updated" };
    Ok(Did::done(format!("{verb} {}#{}", spec.repo, issue.number)).object(issue.number))
}

/// Comment on the open issue carrying the marker (once) and close it.
pub(super) async fn resolve_issue(
    spec: &ResolveSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let label = spec.label.as_deref().map(LabelName::parse).transpose()?;
    let found = forge
        .find_issue_with_marker(&repo, &spec.marker, label.as_ref())
        .await?;
    let Some(issue) = found.filter(|i| i.is_open()) else {
        let line = format!("no open issue of {} carries {}", spec.repo, spec.marker);
        return Ok(Did::skipped(line));
    };
    let item = IssueRef::parse(&spec.repo, issue.number, false)?;
    comment_once_and_close(&item, &spec.comment_marker, &spec.comment, forge, journal).await?;
    Ok(Did::done(format!("commented on and closed {item}")).object(issue.number))
}

/// Post `comment` on `item` unless a comment with `marker` is there (looked for first when
/// the job runs again), then close `item` (an edit: the transport retries it).
pub(super) async fn comment_once_and_close(
    item: &IssueRef,
    marker: &str,
    comment: &str,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Result<(), super::ExecError> {
    journal
        .find_or_create(
            true,
            || forge.find_comment_with_marker(item, marker),
            || forge.comment(item, comment),
        )
        .await?;
    journal.fence().await?;
    let close = IssueEdit {
        state: Some(IssueState::Closed),
        ..IssueEdit::default()
    };
    forge.edit_issue(item, &close).await?;
    Ok(())
}
