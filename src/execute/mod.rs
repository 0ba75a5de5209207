//! Runs a [`Plan`] against a [`Forge`], intent by intent, and says what it did. The plan's
//! repository paths, logins and label names are parsed here, at the edge (one that does not
//! parse fails its intent, not retried). Each intent is recorded in the action ledger as it
//! ends; a job run again skips the intents the ledger says are done. Every comment carries a
//! hidden marker, and a create that may have landed is looked for before it is sent again
//! (`journal.rs`). Before each write the job's lease is confirmed. The first error that
//! retrying did not fix stops the plan and is returned.

mod branch;
mod journal;
mod publish;
mod release;

pub use journal::{ExecError, Fence, Journal};

use crate::forge::{Forge, IssueEdit};
use crate::model::{InvalidName, IssueRef, IssueState, LabelName, Login};
use crate::plan::{Intent, IssueChange, Plan, StateChange, Target};
use crate::store::{ActionRecord, ActionState};
use crate::telemetry::{ActionOutcome, Metrics};
use std::collections::HashMap;
use std::time::Instant;

pub use crate::telemetry::{ACTIONS_METRIC, ACTION_SECONDS_METRIC};

/// Longest forge answer kept in a ledger row.
const MAX_ANSWER_CHARS: usize = 300;

/// What one intent did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Did {
    /// One line for the log and the ledger.
    pub line: String,
    /// Found done already (nothing was written).
    pub skipped: bool,
    /// The id or number of what was created or found.
    pub object_id: Option<String>,
    /// Its web URL, when the forge gave one.
    pub url: Option<String>,
}

impl Did {
    fn done(line: impl Into<String>) -> Self {
        Did {
            line: line.into(),
            skipped: false,
            object_id: None,
            url: None,
        }
    }

    fn skipped(line: impl Into<String>) -> Self {
        Did {
            skipped: true,
            ..Did::done(line)
        }
    }

    fn object(mut self, id: impl ToString) -> Self {
        self.object_id = Some(id.to_string());
        self
    }
}

/// The result of running one intent.
type Ran = Result<Did, ExecError>;

/// Execute every intent of `plan` in order, recording each in the ledger of `journal` and
/// skipping those it says are done. Returns one line per intent, saying what was done or
/// why it was skipped.
#[tracing::instrument(skip_all, fields(forge = %forge.kind(), intents = plan.intents.len()))]
pub async fn execute(
    plan: &Plan,
    forge: &dyn Forge,
    metrics: &Metrics,
    journal: &Journal<'_>,
) -> Result<Vec<String>, ExecError> {
    let mut done = Vec::with_capacity(plan.intents.len());
    let kind = forge.kind();
    let mut comments_per_target: HashMap<&Target, usize> = HashMap::new();
    for (position, intent) in plan.intents.iter().enumerate() {
        let action = intent.name();
        let key = journal.intent_key(position, intent);
        let marker = match intent {
            Intent::Comment { target, .. } => {
                let nth = comments_per_target.entry(target).or_default();
                *nth += 1;
                Some(journal.comment_marker(&target.to_string(), *nth))
            }
            _ => None,
        };
        if let Some(row) = journal.store.action(&key).await? {
            if row.state == ActionState::Done {
                metrics.action(kind, action, ActionOutcome::Skipped, Default::default());
                let line = format!("{intent}: done by an earlier try (ledger)");
                tracing::info!(action = %line, "forge action skipped");
                done.push(line);
                continue;
            }
        }
        journal.fence().await?;
        let started = Instant::now();
        let result = run(intent, forge, journal, marker.as_deref()).await;
        let elapsed = started.elapsed();
        let record = |state, answer: String, did: Option<&Did>| ActionRecord {
            key: key.clone(),
            forge: kind,
            delivery_id: journal.delivery_id.to_string(),
            repo: intent_repo(intent).to_string(),
            intent: action.to_string(),
            position: position as i64,
            state,
            answer: Some(cut(&answer)),
            object_id: did.and_then(|d| d.object_id.clone()),
            url: did.and_then(|d| d.url.clone()),
            at: crate::clock::now_ms(),
        };
        match result {
            Ok(did) => {
                let outcome = if did.skipped {
                    ActionOutcome::Skipped
                } else {
                    ActionOutcome::Done
                };
                metrics.action(kind, action, outcome, elapsed);
                let row = record(ActionState::Done, did.line.clone(), Some(&did));
                journal.store.record_action(row).await?;
                let outcome = outcome.as_str();
                tracing::info!(action = %did.line, "forge action {outcome}");
                done.push(did.line);
            }
            Err(ExecError::Forge(error)) => {
                metrics.action(kind, action, ActionOutcome::Failed, elapsed);
                let row = record(ActionState::Failed, error.to_string(), None);
                journal.store.record_action(row).await?;
                if matches!(intent, Intent::React { .. }) {
                    // An acknowledgement is a courtesy: its failure does not undo or block
                    // the commands it acknowledges.
                    tracing::warn!(intent = %intent, error = %error, "reaction failed");
                    done.push(format!("{intent} failed: {error}"));
                    continue;
                }
                tracing::warn!(
                    intent = %intent,
                    done = done.len(),
                    error = %error,
                    "forge action failed; the rest of the plan is not run"
                );
                return Err(error.into());
            }
            Err(other) => {
                metrics.action(kind, action, ActionOutcome::Failed, elapsed);
                return Err(other);
            }
        }
    }
    Ok(done)
}

/// At most [`MAX_ANSWER_CHARS`] of `text`.
fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_ANSWER_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_ANSWER_CHARS).collect();
    format!("{cut}…")
}

/// The repository an intent acts on, for the ledger.
fn intent_repo(intent: &Intent) -> &str {
    match intent {
        Intent::EditIssue { target, .. }
        | Intent::Comment { target, .. }
        | Intent::React { target, .. } => &target.repo,
        Intent::UpsertMergeRequest(s) => &s.repo,
        Intent::FileIssue(s) | Intent::UpsertIssue(s) => &s.repo,
        Intent::ResolveIssue(s) => &s.repo,
        Intent::UpsertRelease(s) => &s.repo,
        Intent::ReleasedIn(s) => &s.target.repo,
        Intent::CreateBranch { repo, .. } => repo,
        Intent::CommitFile(c) => &c.repo,
        Intent::PointBranch(s) => &s.repo,
        Intent::CommentOnCommit(s) => &s.repo,
    }
}

/// Run one intent. `generated` is the marker of a comment whose intent names none.
async fn run(
    intent: &Intent,
    forge: &dyn Forge,
    journal: &Journal<'_>,
    generated: Option<&str>,
) -> Ran {
    match intent {
        Intent::EditIssue { target, change } => {
            if change.is_empty() {
                return Ok(Did::skipped(format!("nothing to change on {target}")));
            }
            forge
                .edit_issue(&item_ref(target)?, &issue_edit(change)?)
                .await?;
            Ok(Did::done(intent.to_string()))
        }
        Intent::Comment {
            target,
            body,
            marker,
        } => {
            let item = item_ref(target)?;
            // A marker the plan gives is looked for always (it dedupes across deliveries);
            // the generated one when an earlier try may have posted the comment.
            let (marker, look_first, body) = match marker {
                Some(m) => (m.clone(), true, body.clone()),
                None => {
                    let m = generated.map_or_else(
                        || journal.comment_marker(&target.to_string(), 1),
                        str::to_string,
                    );
                    let body = format!("{body}\n\n{m}");
                    (m, journal.rerun, body)
                }
            };
            let (id, found) = journal
                .find_or_create(
                    look_first,
                    || forge.find_comment_with_marker(&item, &marker),
                    || forge.comment(&item, &body),
                )
                .await?;
            if found {
                let line =
                    format!("comment on {target} skipped: comment {id} already carries {marker}");
                return Ok(Did::skipped(line).object(id));
            }
            Ok(Did::done(format!("{intent} (comment {id})")).object(id))
        }
        Intent::React {
            target,
            comment_id,
            reaction,
        } => {
            forge
                .react(&item_ref(target)?, *comment_id, reaction)
                .await?;
            Ok(Did::done(intent.to_string()))
        }
        release => release::run(release, forge, journal).await,
    }
}

/// The issue / merge request a plan's target names.
pub fn item_ref(target: &Target) -> Result<IssueRef, InvalidName> {
    IssueRef::parse(&target.repo, target.number, target.is_merge_request)
}

/// A plan's change with its label names and logins parsed.
pub fn issue_edit(change: &IssueChange) -> Result<IssueEdit, InvalidName> {
    Ok(IssueEdit {
        add_labels: LabelName::parse_all(&change.add_labels)?,
        remove_labels: LabelName::parse_all(&change.remove_labels)?,
        milestone: change.milestone.clone(),
        add_assignees: Login::parse_all(&change.add_assignees)?,
        remove_assignees: Login::parse_all(&change.remove_assignees)?,
        set_assignees: change
            .set_assignees
            .as_deref()
            .map(Login::parse_all)
            .transpose()?,
        state: change.state.map(|state| match state {
            StateChange::Close => IssueState::Closed,
            StateChange::Reopen => IssueState::Open,
        }),
    })
}

#[cfg(test)]
mod tests;
