//! Runs a [`Plan`] against a [`Forge`], intent by intent, and says what it did. The plan's
//! repository paths, logins and label names are parsed here, at the edge (one that does not
//! parse fails its intent, not retried). Retries and the write throttle happen per request
//! inside the forge clients; the first error that retrying did not fix stops the plan and is
//! returned (the job is then marked failed).

mod publish;
mod release;

use crate::forge::{Forge, ForgeError, IssueEdit};
use crate::model::{InvalidName, IssueRef, IssueState, LabelName, Login};
use crate::plan::{Intent, IssueChange, Plan, StateChange, Target};
use crate::telemetry::{ActionOutcome, Metrics};
use std::time::Instant;

pub use crate::telemetry::{ACTIONS_METRIC, ACTION_SECONDS_METRIC};

/// Execute every intent of `plan` in order. Returns one line per intent, saying what was
/// done or why it was skipped (for the audit record).
#[tracing::instrument(skip_all, fields(forge = %forge.kind(), intents = plan.intents.len()))]
pub async fn execute(
    plan: &Plan,
    forge: &dyn Forge,
    metrics: &Metrics,
) -> Result<Vec<String>, ForgeError> {
    let mut done = Vec::with_capacity(plan.intents.len());
    let kind = forge.kind();
    for intent in &plan.intents {
        let action = intent.name();
        let started = Instant::now();
        let result = run(intent, forge).await;
        let elapsed = started.elapsed();
        match result {
            Ok((line, skipped)) => {
                let outcome = if skipped {
                    ActionOutcome::Skipped
                } else {
                    ActionOutcome::Done
                };
                metrics.action(kind, action, outcome, elapsed);
                let outcome = outcome.as_str();
                tracing::info!(action = %line, "forge action {outcome}");
                done.push(line);
            }
            Err(error) => {
                metrics.action(kind, action, ActionOutcome::Failed, elapsed);
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
                return Err(error);
            }
        }
    }
    Ok(done)
}

/// Run one intent: what was done, and whether it was skipped as already done.
async fn run(intent: &Intent, forge: &dyn Forge) -> Result<(String, bool), ForgeError> {
    match intent {
        Intent::EditIssue { target, change } => {
            if change.is_empty() {
                return Ok((format!("nothing to change on {target}"), true));
            }
            forge
                .edit_issue(&item_ref(target)?, &issue_edit(change)?)
                .await?;
            Ok((intent.to_string(), false))
        }
        Intent::Comment {
            target,
            body,
            marker,
        } => {
            let item = item_ref(target)?;
            if let Some(marker) = marker {
                if let Some(id) = forge.find_comment_with_marker(&item, marker).await? {
                    let line = format!(
                        "comment on {target} skipped: comment {id} already carries {marker}"
                    );
                    return Ok((line, true));
                }
            }
            let id = forge.comment(&item, body).await?;
            Ok((format!("{intent} (comment {id})"), false))
        }
        Intent::React {
            target,
            comment_id,
            reaction,
        } => {
            forge
                .react(&item_ref(target)?, *comment_id, reaction)
                .await?;
            Ok((intent.to_string(), false))
        }
        release => release::run(release, forge).await,
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
