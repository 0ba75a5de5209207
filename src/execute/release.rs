//! Executes the release intents: merge requests found again by branches and marker,
//! issues filed once by marker, branches created unless present, commits skipped when the
//! file already has the content; the publishing intents are in `publish.rs`. Each says
//! whether it was skipped as already done. The repository paths, labels and logins of an
//! intent are parsed first.

use super::publish;
use crate::forge::{Forge, ForgeError, MergeRequestFields};
use crate::model::{LabelName, Login, RepoPath};
use crate::plan::{FileCommit, Intent, IssueSpec, MergeRequestSpec};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::OwnedMutexGuard;

/// Locks held while one intent looks for its object and creates it, keyed by what it
/// creates, so that two deliveries of one event (GitHub sends a new tag as `create` and
/// `push`) handled by two workers at once cannot both create it.
type Locks = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

fn locks() -> &'static Locks {
    static LOCKS: OnceLock<Locks> = OnceLock::new();
    LOCKS.get_or_init(Locks::default)
}

/// Wait for the lock of `key`; entries nobody holds are dropped on the way.
async fn lock(key: String) -> OwnedMutexGuard<()> {
    let mutex = {
        let mut map = locks().lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, m| Arc::strong_count(m) > 1);
        map.entry(key).or_default().clone()
    };
    mutex.lock_owned().await
}

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
        other => other.to_string(),
    }
}

/// Run one release intent: what was done, and whether it was skipped as already done.
pub(super) async fn run(intent: &Intent, forge: &dyn Forge) -> Result<(String, bool), ForgeError> {
    let _guard = lock(lock_key(intent)).await;
    match intent {
        Intent::UpsertMergeRequest(spec) => upsert_merge_request(spec, forge).await,
        Intent::FileIssue(spec) => file_issue(spec, forge).await,
        Intent::CreateBranch { repo, name, from } => {
            let path = RepoPath::parse(repo)?;
            if forge.branch_exists(&path, name).await? {
                return Ok((format!("branch {name} of {repo} exists"), true));
            }
            forge.create_branch(&path, name, from).await?;
            Ok((intent.to_string(), false))
        }
        Intent::CommitFile(commit) => commit_file(commit, forge).await,
        Intent::UpsertIssue(spec) => publish::upsert_issue(spec, forge).await,
        Intent::ResolveIssue(spec) => publish::resolve_issue(spec, forge).await,
        Intent::UpsertRelease(spec) => publish::upsert_release(spec, forge).await,
        Intent::ReleasedIn(spec) => publish::released_in(spec, forge).await,
        other => Err(ForgeError::Other(format!("not a release intent: {other}"))),
    }
}

async fn upsert_merge_request(
    spec: &MergeRequestSpec,
    forge: &dyn Forge,
) -> Result<(String, bool), ForgeError> {
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
            return Ok((line, true));
        }
        forge
            .update_merge_request(&repo, open.number, &fields)
            .await?;
        return Ok((
            format!("updated {}!{}: {spec}", spec.repo, open.number),
            false,
        ));
    }
    if let Some(done) = existing.iter().find(|mr| mr.body.contains(&spec.marker)) {
        let line = format!(
            "merge request {}!{} ({}) already carries {}",
            spec.repo, done.number, done.state, spec.marker
        );
        return Ok((line, true));
    }
    let number = forge
        .create_merge_request(&repo, &spec.source_branch, &spec.target_branch, &fields)
        .await?;
    Ok((format!("created {}!{number}: {spec}", spec.repo), false))
}

async fn file_issue(spec: &IssueSpec, forge: &dyn Forge) -> Result<(String, bool), ForgeError> {
    let repo = RepoPath::parse(&spec.repo)?;
    let labels = LabelName::parse_all(&spec.labels)?;
    let assignees = Login::parse_all(&spec.assignees)?;
    if let Some(found) = forge
        .find_issue_with_marker(&repo, &spec.marker, labels.first())
        .await?
    {
        let line = format!(
            "issue {}#{} already carries {}",
            spec.repo, found.number, spec.marker
        );
        return Ok((line, true));
    }
    let number = forge
        .create_issue(&repo, &spec.title, &spec.body, &labels, &assignees)
        .await?;
    Ok((format!("filed {}#{number}: {spec}", spec.repo), false))
}

async fn commit_file(commit: &FileCommit, forge: &dyn Forge) -> Result<(String, bool), ForgeError> {
    let repo = RepoPath::parse(&commit.repo)?;
    let current = forge.file_at(&repo, &commit.path, &commit.branch).await?;
    if current.is_some_and(|f| f.content == commit.content) {
        let line = format!(
            "{} on {} already has the content",
            commit.path, commit.branch
        );
        return Ok((line, true));
    }
    forge
        .commit_file(
            &repo,
            &commit.branch,
            &commit.path,
            &commit.content,
            &commit.message,
        )
        .await?;
    Ok((commit.to_string(), false))
}
