//! Executes the release branch's placement and the note on a tag's commit. `release-next` is
//! created at the tag, left alone when it already contains the tag's commit, or moved there
//! when it was left from an earlier release — after the merge requests of that release that
//! are still open from it are closed with a note, so that none of them is reused blindly.
//! Every step looks before it writes, so a try run again (or a write whose answer was lost)
//! does each once.

use super::{Did, Journal, Ran};
use crate::forge::Forge;
use crate::model::{IssueRef, RepoPath};
use crate::plan::{CommitCommentSpec, ReleaseBranchSpec};

/// Create, leave or move the release branch (see the module's text).
pub(super) async fn point_branch(
    spec: &ReleaseBranchSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let (name, tag) = (spec.name.as_str(), spec.tag.as_str());
    // Found done: the branch exists and contains the tag's commit.
    let placed = || async {
        Ok(match forge.branch_head(&repo, name).await? {
            Some(head) => forge.contains(&repo, &head, tag).await?.then_some(()),
            None => None,
        })
    };
    let Some(head) = forge.branch_head(&repo, name).await? else {
        let (_, found) = journal
            .find_or_create(false, placed, || forge.create_branch(&repo, name, tag))
            .await?;
        let line = format!("created branch {name} of {} at {tag}", spec.repo);
        return Ok(if found {
            Did::skipped(line)
        } else {
            Did::done(line)
        }
        .object(name));
    };
    if forge.contains(&repo, &head, tag).await? {
        let line = format!("branch {name} of {} already contains {tag}", spec.repo);
        return Ok(Did::skipped(line).object(name));
    }
    let closed = supersede(spec, &repo, forge, journal).await?;
    let (_, found) = journal
        .find_or_create(false, placed, || forge.move_branch(&repo, name, tag))
        .await?;
    let mut line = format!(
        "moved branch {name} of {} from {head} to {tag} (left from an earlier release)",
        spec.repo
    );
    if !closed.is_empty() {
        let numbers: Vec<String> = closed.iter().map(|n| format!("!{n}")).collect();
        line.push_str(&format!("; closed {}", numbers.join(", ")));
    }
    Ok(if found {
        Did::skipped(line)
    } else {
        Did::done(line)
    }
    .object(name))
}

/// Close, each with the note (posted once), the open merge requests from the branch that
/// carry another release's marker. Returns their numbers.
async fn supersede(
    spec: &ReleaseBranchSpec,
    repo: &RepoPath,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Result<Vec<u64>, super::ExecError> {
    let found = forge
        .merge_requests_between(repo, &spec.name, &spec.target_branch)
        .await?;
    let stale = found.iter().filter(|mr| {
        mr.is_open() && mr.body.contains(&spec.marker_start) && !mr.body.contains(&spec.keep_marker)
    });
    let mut closed = Vec::new();
    for mr in stale {
        let item = IssueRef::parse(&spec.repo, mr.number, true)?;
        super::publish::comment_once_and_close(
            &item,
            &spec.note_marker,
            &spec.note,
            forge,
            journal,
        )
        .await?;
        closed.push(mr.number);
    }
    Ok(closed)
}

/// Comment on the tag's commit once (found again by its marker).
pub(super) async fn comment_on_commit(
    spec: &CommitCommentSpec,
    forge: &dyn Forge,
    journal: &Journal<'_>,
) -> Ran {
    let repo = RepoPath::parse(&spec.repo)?;
    let find = || async {
        Ok(forge
            .commit_comment_with_marker(&repo, &spec.git_ref, &spec.marker)
            .await?
            .then_some(()))
    };
    let create = || forge.comment_on_commit(&repo, &spec.git_ref, &spec.body);
    let (_, found) = journal.find_or_create(true, find, create).await?;
    if found {
        let line = format!(
            "the commit of {} in {} already carries {}",
            spec.git_ref, spec.repo, spec.marker
        );
        return Ok(Did::skipped(line));
    }
    Ok(Did::done(spec.to_string()))
}
