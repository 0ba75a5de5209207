//! The one issue a repository gets when its `.forgehand.yml` on the default branch is
//! invalid: found again by its hidden marker, rewritten (and reopened) rather than filed anew.

use crate::config::REPO_FILE_PATH;
use crate::forge::{Forge, ForgeError, IssueEdit};
use crate::model::{IssueRef, IssueState, RepoPath};

/// The hidden marker of the "invalid configuration" issue.
pub const INVALID_FILE_MARKER: &str = "<!-- forgehand:invalid-config -->";

/// The comment that closes the issue once the file is valid again.
pub const FIXED_FILE_COMMENT: &str = "`.forgehand.yml` on the default branch is valid again: \
     forgehand follows it from now on. Closing this issue.";

/// Title of the issue.
const TITLE: &str = "forgehand: .forgehand.yml on the default branch is invalid";

/// The issue's body: every error (`file:line:column: path: message`), and what forgehand
/// does meanwhile.
pub fn invalid_file_body(branch: &str, errors: &str) -> String {
    let list: String = errors
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("- `{l}`\n"))
        .collect();
    format!(
        "{INVALID_FILE_MARKER}\n`{REPO_FILE_PATH}` on `{branch}` does not validate, so forgehand \
         keeps following the last valid version (or the server's defaults if there never was \
         one) until it is fixed:\n\n{list}\nRun `forgehand check {REPO_FILE_PATH}` to check a \
         change before it is merged.\n"
    )
}

/// Files the issue, or rewrites the one filed before (reopening it if it was closed).
pub async fn file_or_update(
    forge: &dyn Forge,
    repo: &RepoPath,
    body: &str,
) -> Result<(), ForgeError> {
    match forge
        .find_issue_with_marker(repo, INVALID_FILE_MARKER, None)
        .await?
    {
        Some(issue) if issue.body == body && issue.state == IssueState::Open => Ok(()),
        Some(issue) => {
            let reopen = issue.state != IssueState::Open;
            forge.rewrite_issue(repo, issue.number, body, reopen).await
        }
        None => forge
            .create_issue(repo, TITLE, body, &[], &[])
            .await
            .map(|_| ()),
    }
}

/// Closes the issue with [`FIXED_FILE_COMMENT`] if it is open; nothing when there is none.
pub async fn close_if_open(forge: &dyn Forge, repo: &RepoPath) -> Result<(), ForgeError> {
    let Some(issue) = forge
        .find_issue_with_marker(repo, INVALID_FILE_MARKER, None)
        .await?
    else {
        return Ok(());
    };
    if issue.state != IssueState::Open {
        return Ok(());
    }
    let item = IssueRef {
        repo: repo.clone(),
        number: issue.number,
        is_merge_request: false,
    };
    forge.comment(&item, FIXED_FILE_COMMENT).await?;
    let close = IssueEdit {
        state: Some(IssueState::Closed),
        ..IssueEdit::default()
    };
    forge.edit_issue(&item, &close).await
}
