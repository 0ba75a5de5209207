//! The release branch on a tag push: `release-next` pointed at the tag (a branch left from an
//! earlier release is moved, and that release's merge request still open from it is closed
//! with a note), or — when the default branch already has the tag's commit, so there is
//! nothing to merge — one comment on the tag's commit saying so instead of a release merge
//! request the forge would refuse.

use super::Derived;
use crate::plan::{CommitCommentSpec, ReleaseBranchSpec};
use crate::release::{marker, MARKER_RELEASE_MR};

/// Marker kind of the note on a release merge request superseded by a newer release.
pub const MARKER_SUPERSEDED: &str = "release-mr-superseded";
/// Marker kind of the comment on a tag's commit that has nothing to merge.
pub const MARKER_NOTHING_TO_MERGE: &str = "nothing-to-merge";

/// `release-next` at the tag, closing another release's merge request when it moves.
pub fn release_branch(derived: &Derived<'_>) -> ReleaseBranchSpec {
    let version = derived.version.to_string();
    let branch = derived.config.release_branch();
    let default_branch = &derived.facts.default_branch;
    let tag = &derived.facts.tag;
    let note_marker = marker(MARKER_SUPERSEDED, &version, None);
    let note = format!(
        "{note_marker}\nSuperseded by [{tag}]({url}): `{branch}` was left from this release and \
         now points at {tag}, so this merge request would show {tag}'s changes under this \
         release's title. forgehand closes it; the release merge request of {tag} takes \
         `{branch}` into `{default_branch}` instead.\n",
        url = derived.release_url,
    );
    let keep_marker = marker(MARKER_RELEASE_MR, &version, None);
    let marker_start = format!("<!-- forgehand:{MARKER_RELEASE_MR} v");
    ReleaseBranchSpec {
        repo: derived.repo.clone(),
        name: branch.to_string(),
        tag: tag.clone(),
        target_branch: default_branch.clone(),
        marker_start,
        keep_marker,
        note,
        note_marker,
    }
}

/// The comment on the tag's commit when the default branch already has it.
pub fn nothing_to_merge(derived: &Derived<'_>) -> CommitCommentSpec {
    let tag = &derived.facts.tag;
    let default_branch = &derived.facts.default_branch;
    let branch = derived.config.release_branch();
    let mark = marker(MARKER_NOTHING_TO_MERGE, &derived.version.to_string(), None);
    let to = derived
        .manager
        .as_ref()
        .map(|m| format!("@{m}: "))
        .unwrap_or_default();
    let body = format!(
        "{mark}\n{to}[{tag}]({url}) points at a commit `{default_branch}` already has: there is \
         nothing to merge, so forgehand opens no release merge request for it and leaves \
         `{branch}` as it is.\n\nThe release process cuts `{branch}` from `{default_branch}`, \
         commits the version bump and changelog there and tags that commit; the release merge \
         request then takes `{branch}` into `{default_branch}`. The rest of {tag}'s release \
         (pipeline, release notes, deployment requests) goes on as usual.\n",
        url = derived.release_url,
    );
    CommitCommentSpec {
        repo: derived.repo.clone(),
        git_ref: tag.clone(),
        body,
        marker: mark,
    }
}
