//! Executes the release intents: merge requests found again by branches and marker,
//! issues filed once by marker, branches created unless present, commits skipped when the
//! file already has the content; the publishing intents are in `publish.rs`. Each says
//! whether it was skipped as already done. The repository paths, labels and logins of an
//! intent are parsed first. Each runs holding a lock in the store, keyed by what it creates,
//! so that two deliveries of one event (GitHub sends a new tag as `create` and `push`)
//! handled by two workers — of one replica or of two — cannot both create it.

use super::{branch, publish, Did, Journal, Ran};
use crate::forge::{Forge, ForgeError, IssueDates, MergeRequestFields};
use crate::model::{LabelName, Login, RepoPath};
use crate::plan::{FileCommit, Intent, IssueSpec, MergeRequestSpec};

/// The lock key of an intent that creates something.
fn lock_key(intent: &Intent) -> String {
    match intent {
        Intent::UpsertMergeRequest(s) => format!("mr {} {}", s.repo, s.source_branch),
        Intent::FileIssue(s) | Intent::UpsertIssue(s) => format!("issue {} {}", s.repo, s.marker),
        Intent::ResolveIssue(s) => format!("issue {} {}", s.repo, s.marker),
        Intent::UpsertRelease(s) => format!("release {} {}", s.repo, s.tag),
        Intent::ReleasedIn(s) => format!("released-in {} {}", s.target, s.marker),
        Intent::CreateBranch { repo, name, .. } => format!("branch {repo} {name}"),
        Intent::CommitFile(c) => format!("file {} {} {}", c.repo, c.branch, c.path),
        Intent::PointBranch(s) => format!("branch {} {}", s.repo, s.name),
        Intent::CommentOnCommit(s) => format!("commit-comment {} {}", s.repo, s.marker),
        other => other.to_string(),
    }
}

/// Run one release intent, holding its store lock: what was done, and whether it was
/// skipped as already done.
pub(super) async fn run(intent: &Intent, forge: &dyn Forge, journal: &Journal<'_>) -> Ran {
    let key = format!("{} {}", forge.kind(), lock_key(intent));
    journal
        .locked(&key, run_locked(intent, forge, journal))
        .await
}

async fn run_locked(intent: &Intent, forge: &dyn Forge, journal: &Journal<'_>) -> Ran {
    match intent {
        Intent::UpsertMergeRequest(spec) => upsert_merge_request(spec, forge, journal).await,
        Intent::FileIssue(spec) => file_issue(spec, forge, journal).await,
        Intent::CreateBranch { repo, name, from } => {
            let path = RepoPath::parse(repo)?;
            let exists = || async { Ok(forge.branch_exists(&path, name).await?.then_some(())) };
            let (_, found) = journal
                .find_or_create(true, exists, || forge.create_branch(&path, name, from))
                .await?;
            if found {
                return Ok(Did::skipped(format!("branch {name} of {repo} exists")).object(name));
            }
            Ok(Did::done(intent.to_string()).object(name))
        }
        Intent::CommitFile(commit) => commit_file(commit, forge, journal).await,
        Intent::UpsertIssue(spec) => publish::upsert_issue(spec, forge, journal).await,
        Intent::ResolveIssue(spec) => publish::resolve_issue(spec, forge, journal).await,
        Intent::UpsertRelease(spec) => publish::upsert_release(spec, forge, journal).await,
        Intent::ReleasedIn(spec) => publish::released_in(spec, forge, journal).await,
        Intent::PointBranch(spec) => branch::point_branch(spec, forge, journal).await,
        Intent::CommentOnCommit(spec) => branch::comment_on_commit(spec, forge, journal).await,
        other => Err(ForgeError::Other(format!("not a release intent: {other}")).into()),
    }
}

async fn upsert_merge_request(
    spec: &MergeRequestSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let labels = LabelName::parse_all(&spec.labels)?;
    let assignees = Login::parse_all(&spec.assignees)?;
    let fields = MergeRequestFields {
        title: &spec.title,
        body: &spec.body,
        labels: &labels,
        assignees: &assignees,
        remove_source_branch: spec.remove_source_branch,
    };
    let existing = forge
        .merge_requests_between(&repo, &spec.source_branch, &spec.target_branch)
        .await?;
    if let Some(open) = existing.iter().find(|mr| mr.is_open()) {
        if open.body == spec.body {
            let line = format!("merge request {}!{} is up to date", spec.repo, open.number);
            return Ok(Did::skipped(line).object(open.number));
        }
        journal.fence().await?;
        forge
            .update_merge_request(&repo, open.number, &fields)
            .await?;
        let line = format!("updated {}!{}: {spec}", spec.repo, open.number);
        return Ok(Did::done(line).object(open.number));
    }
    if let Some(done) = existing.iter().find(|mr| mr.body.contains(&spec.marker)) {
        let line = format!(
            "merge request {}!{} ({}) already carries {}",
            spec.repo, done.number, done.state, spec.marker
        );
        return Ok(Did::skipped(line).object(done.number));
    }
    // Looked for above; after a create whose outcome is unknown, any MR between the two
    // branches (open, or carrying the marker) is the one that try made.
    let find = || async {
        let found = forge
            .merge_requests_between(&repo, &spec.source_branch, &spec.target_branch)
            .await?;
        Ok(found
            .iter()
            .find(|mr| mr.is_open() || mr.body.contains(&spec.marker))
            .map(|mr| mr.number))
    };
    let create =
        || forge.create_merge_request(&repo, &spec.source_branch, &spec.target_branch, &fields);
    let (number, found) = journal.find_or_create(false, find, create).await?;
    if found {
        // The try that made it may have failed between its steps (GitHub sets labels and
        // assignees in a second request): bring it to the spec, an idempotent update.
        journal.fence().await?;
        forge.update_merge_request(&repo, number, &fields).await?;
        let line = format!(
            "merge request {}!{number} was made by an earlier try",
            spec.repo
        );
        return Ok(Did::done(line).object(number));
    }
    Ok(Did::done(format!("created {}!{number}: {spec}", spec.repo)).object(number))
}

async fn file_issue(spec: &IssueSpec, forge: &dyn Forge, journal: &Journal<'_>) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let labels = LabelName::parse_all(&spec.labels)?;
    let assignees = Login::parse_all(&spec.assignees)?;
    let find = || async {
        let found = forge
            .find_issue_with_marker(&repo, &spec.marker, labels.first())
            .await?;
        Ok(found.map(|issue| issue.number))
    };
    let dates = IssueDates {
        due_date: spec.due_date,
        milestone: spec.milestone.as_deref(),
    };
    let create =
        || forge.create_dated_issue(&repo, &spec.title, &spec.body, &labels, &assignees, &dates);
    let (number, found) = journal.find_or_create(true, find, create).await?;
    if found {
        let line = format!(
            "issue {}#{number} already carries {}",
            spec.repo, spec.marker
        );
        return Ok(Did::skipped(line).object(number));
    }
    Ok(Did::done(format!("filed {}#{number}: {spec}", spec.repo)).object(number))
}

/// A commit is found done when the file already has the content.
async fn commit_file(commit: &FileCommit, forge: &dyn Forge, journal: &Journal<'_>) -> Ran {
    let repo = RepoPath::parse(&commit.repo)?;
    let find = || async {
        let current = forge.file_at(&repo, &commit.path, &commit.branch).await?;
        Ok(current
            .is_some_and(|f| f.content == commit.content)
            .then_some(()))
    };
    let create = || {
        forge.commit_file(
            &repo,
            &commit.branch,
            &commit.path,
            &commit.content,
            &commit.message,
        )
    };
    let (_, found) = journal.find_or_create(true, find, create).await?;
    if found {
        let line = format!(
            "{} on {} already has the content",
            commit.path, commit.branch
        );
        return Ok(Did::skipped(line));
    }
    Ok(Did::done(commit.to_string()))
}
