//! A `Plan` is what `decide` wants done: a list of forge-neutral intents that prints itself
//! for `forgehand plan` and `--dry-run`, and that the executor turns into the fewest API calls.

mod release;

pub use release::{
    CommitCommentSpec, FileCommit, IssueSpec, MergeRequestSpec, ReleaseBranchSpec, ReleaseSpec,
    ReleasedInSpec, ResolveSpec,
};
use serde::Serialize;
use std::fmt;

/// An issue or merge request in a repository / project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// `owner/name` (GitHub) or `group/project` (GitLab).
    pub repo: String,
    /// Issue / PR number (GitHub) or iid (GitLab).
    pub number: u64,
    pub is_merge_request: bool,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.is_merge_request { "!" } else { "#" };
        write!(f, "{}{}{}", self.repo, sep, self.number)
    }
}

/// Open or close an issue / merge request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateChange {
    Close,
    Reopen,
}

/// Every change to one issue that a delivery asks for, merged so that the executor can send it
/// in one request where the forge allows (GitLab: one `PUT`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IssueChange {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_labels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_labels: Vec<String>,
    /// `Some(Some(title))` sets the milestone, `Some(None)` removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Option<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_assignees: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_assignees: Vec<String>,
    /// Replace all assignees (`/reassign`); applied before add/remove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_assignees: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateChange>,
}

impl IssueChange {
    pub fn is_empty(&self) -> bool {
        *self == IssueChange::default()
    }

    /// The assignee list after applying `set`, then `add`, then `remove` to `current`.
    pub fn resulting_assignees(&self, current: &[String]) -> Vec<String> {
        crate::model::apply_assignees(
            current,
            self.set_assignees.as_deref(),
            &self.add_assignees,
            &self.remove_assignees,
        )
    }

    /// Whether the change touches assignees at all.
    pub fn changes_assignees(&self) -> bool {
        self.set_assignees.is_some()
            || !self.add_assignees.is_empty()
            || !self.remove_assignees.is_empty()
    }
}

/// One thing the bot intends to do. Its name (`edit_issue`, `comment`, …) is the same in
/// the JSON plan and in metrics: [`Intent::name`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(tag = "intent", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Intent {
    /// Labels, milestone, assignees and state of one issue / MR.
    EditIssue { target: Target, change: IssueChange },
    /// A comment; with a `marker`, the executor first looks for a comment carrying it and
    /// does nothing if one exists (idempotency).
    Comment {
        target: Target,
        body: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        marker: Option<String>,
    },
    /// Acknowledge a comment with a reaction (`eyes`).
    React {
        target: Target,
        comment_id: u64,
        reaction: String,
    },
    /// Create or update a merge request (release MR, version bump).
    UpsertMergeRequest(MergeRequestSpec),
    /// File an issue once (deployment request, checklist).
    FileIssue(IssueSpec),
    /// Open an issue, or bring the one carrying its marker up to date (body; reopened when
    /// closed): the failed-publish issue.
    UpsertIssue(IssueSpec),
    /// Comment on and close the open issue carrying a marker (a publish that succeeded).
    ResolveIssue(ResolveSpec),
    /// Create or update the forge's release object of a tag.
    UpsertRelease(ReleaseSpec),
    /// Label and comment "released in" on an issue / merge request once.
    ReleasedIn(ReleasedInSpec),
    /// Create branch `name` from `from` (a branch, tag or sha) unless it exists.
    CreateBranch {
        repo: String,
        name: String,
        from: String,
    },
    /// Commit one file on a branch.
    CommitFile(FileCommit),
    /// Point the release branch at a tag (created, left, or moved from an earlier release).
    PointBranch(ReleaseBranchSpec),
    /// Comment once on the commit a tag points at (a tag with nothing to merge).
    CommentOnCommit(CommitCommentSpec),
}

impl Intent {
    /// The intent's kind, in snake case (`upsert_merge_request`).
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Intent::EditIssue { target, change } => {
                write!(f, "edit {target}: {}", describe(change))
            }
            Intent::Comment { target, body, .. } => {
                let first = body.lines().next().unwrap_or("");
                write!(f, "comment on {target}: {first}")?;
                if body.lines().nth(1).is_some() {
                    write!(f, " …")?;
                }
                Ok(())
            }
            Intent::React {
                target,
                comment_id,
                reaction,
            } => write!(f, "react :{reaction}: to comment {comment_id} on {target}"),
            Intent::UpsertMergeRequest(spec) => spec.fmt(f),
            Intent::FileIssue(spec) => spec.fmt(f),
            Intent::UpsertIssue(spec) => {
                write!(
                    f,
                    "open or update issue in {}: \"{}\"",
                    spec.repo, spec.title
                )?;
                if !spec.labels.is_empty() {
                    write!(f, " labels {}", spec.labels.join(", "))?;
                }
                if !spec.assignees.is_empty() {
                    write!(f, " assigned to {}", spec.assignees.join(", "))?;
                }
                write!(f, " (found again by {})", spec.marker)
            }
            Intent::ResolveIssue(spec) => spec.fmt(f),
            Intent::UpsertRelease(spec) => spec.fmt(f),
            Intent::ReleasedIn(spec) => spec.fmt(f),
            Intent::CreateBranch { repo, name, from } => {
                write!(
                    f,
                    "create branch {name} of {repo} from {from} (unless it exists)"
                )
            }
            Intent::CommitFile(commit) => commit.fmt(f),
            Intent::PointBranch(spec) => spec.fmt(f),
            Intent::CommentOnCommit(spec) => spec.fmt(f),
        }
    }
}

/// The parts of an issue change, e.g. `add labels "bug"; milestone "1.4"; close`.
fn describe(change: &IssueChange) -> String {
    let mut parts = Vec::new();
    if !change.add_labels.is_empty() {
        parts.push(format!("add labels {}", quoted(&change.add_labels)));
    }
    if !change.remove_labels.is_empty() {
        parts.push(format!("remove labels {}", quoted(&change.remove_labels)));
    }
    match &change.milestone {
        Some(Some(m)) => parts.push(format!("milestone \"{m}\"")),
        Some(None) => parts.push("remove milestone".into()),
        None => {}
    }
    if let Some(users) = &change.set_assignees {
        parts.push(format!("assignees = {}", quoted(users)));
    }
    if !change.add_assignees.is_empty() {
        parts.push(format!("assign {}", quoted(&change.add_assignees)));
    }
    if !change.remove_assignees.is_empty() {
        parts.push(format!("unassign {}", quoted(&change.remove_assignees)));
    }
    match change.state {
        Some(StateChange::Close) => parts.push("close".into()),
        Some(StateChange::Reopen) => parts.push("reopen".into()),
        None => {}
    }
    parts.join("; ")
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `decide` made of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub intents: Vec<Intent>,
    /// Why something was not done (for the log and `forgehand plan`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.intents.is_empty()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.intents.is_empty() {
            writeln!(f, "nothing to do")?;
        }
        for (i, intent) in self.intents.iter().enumerate() {
            writeln!(f, "{}. {intent}", i + 1)?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intent_has_one_name_in_json_and_metrics() {
        let target = Target {
            repo: "acme/app".into(),
            number: 1,
            is_merge_request: false,
        };
        let intents = [
            Intent::EditIssue {
                target: target.clone(),
                change: IssueChange::default(),
            },
            Intent::React {
                target,
                comment_id: 2,
                reaction: "eyes".into(),
            },
            Intent::CommitFile(FileCommit {
                repo: "acme/app".into(),
                branch: "b".into(),
                path: "VERSION".into(),
                content: "1.0.0".into(),
                message: "m".into(),
            }),
        ];
        let names: Vec<&str> = intents.iter().map(Intent::name).collect();
        assert_eq!(names, ["edit_issue", "react", "commit_file"]);
        for intent in &intents {
            let json = serde_json::to_value(intent).unwrap();
            assert_eq!(json["intent"], intent.name());
        }
    }

    #[test]
    fn assignees_set_then_add_then_remove() {
        let change = IssueChange {
            set_assignees: Some(vec!["a".into(), "b".into()]),
            add_assignees: vec!["c".into(), "A".into()],
            remove_assignees: vec!["b".into()],
            ..IssueChange::default()
        };
        assert_eq!(change.resulting_assignees(&["z".into()]), ["a", "c"]);
        let add_only = IssueChange {
            add_assignees: vec!["c".into()],
            ..IssueChange::default()
        };
        assert_eq!(add_only.resulting_assignees(&["z".into()]), ["z", "c"]);
        assert!(add_only.changes_assignees());
        assert!(!IssueChange::default().changes_assignees());
    }
}
