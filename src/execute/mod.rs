//! Runs a [`Plan`] against a [`Forge`], intent by intent, and says what it did. Retries and
//! the write throttle happen per request inside the forge clients; the first error that
//! retrying did not fix stops the plan and is returned (the job is then marked failed).

mod release;

use crate::forge::{Forge, ForgeError};
use crate::model::ForgeKind;
use crate::plan::{Intent, Plan};
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
        let action = action_name(intent);
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

/// The metric label of an intent.
fn action_name(intent: &Intent) -> &'static str {
    match intent {
        Intent::EditIssue { .. } => "edit_issue",
        Intent::Comment { .. } => "comment",
        Intent::React { .. } => "react",
        Intent::UpsertMergeRequest(_) => "upsert_merge_request",
        Intent::FileIssue(_) => "file_issue",
        Intent::CreateBranch { .. } => "create_branch",
        Intent::CommitFile(_) => "commit_file",
    }
}

/// Run one intent: what was done, and whether it was skipped as already done.
async fn run(intent: &Intent, forge: &dyn Forge) -> Result<(String, bool), ForgeError> {
    match intent {
        Intent::EditIssue { target, change } => {
            if change.is_empty() {
                return Ok((format!("nothing to change on {target}"), true));
            }
            // GitHub replaces the whole label list to remove labels, so it needs the labels
            // as they are now (not as the possibly older webhook payload saw them).
            let current = if forge.kind() == ForgeKind::Github && !change.remove_labels.is_empty() {
                forge.issue(target).await?.labels
            } else {
                Vec::new()
            };
            forge.edit_issue(target, change, &current).await?;
            Ok((intent.to_string(), false))
        }
        Intent::Comment {
            target,
            body,
            marker,
        } => {
            if let Some(marker) = marker {
                if let Some(id) = forge.find_comment_with_marker(target, marker).await? {
                    let line = format!(
                        "comment on {target} skipped: comment {id} already carries {marker}"
                    );
                    return Ok((line, true));
                }
            }
            let id = forge.comment(target, body).await?;
            Ok((format!("{intent} (comment {id})"), false))
        }
        Intent::React {
            target,
            comment_id,
            reaction,
        } => {
            forge.react(target, *comment_id, reaction).await?;
            Ok((intent.to_string(), false))
        }
        release => release::run(release, forge).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IssueSnapshot, IssueState, Milestone};
    use crate::plan::{IssueChange, Target};
    use crate::role::Role;
    use async_trait::async_trait;
    use std::sync::Mutex;

    /// An in-memory forge that records calls (the HTTP fake is in `tests/support`).
    #[derive(Default)]
    struct Recorder {
        calls: Mutex<Vec<String>>,
        existing_marker: Option<String>,
        fail_comments: bool,
    }

    impl Recorder {
        fn log(&self, call: String) {
            self.calls.lock().unwrap().push(call);
        }
        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
    }

    impl crate::forge::ReleaseForge for Recorder {}

    #[async_trait]
    impl Forge for Recorder {
        fn kind(&self) -> ForgeKind {
            ForgeKind::Github
        }
        async fn issue(&self, target: &Target) -> Result<IssueSnapshot, ForgeError> {
            self.log(format!("issue {target}"));
            Ok(IssueSnapshot {
                labels: vec!["bug".into(), "flow::Triage".into()],
                milestone: None,
                assignees: vec![],
                state: IssueState::Open,
            })
        }
        async fn edit_issue(
            &self,
            target: &Target,
            _change: &IssueChange,
            current_labels: &[String],
        ) -> Result<(), ForgeError> {
            self.log(format!("edit {target} current={current_labels:?}"));
            Ok(())
        }
        async fn comment(&self, target: &Target, _body: &str) -> Result<u64, ForgeError> {
            self.log(format!("comment {target}"));
            if self.fail_comments {
                return Err(ForgeError::Rejected {
                    status: 422,
                    message: "Validation Failed".into(),
                });
            }
            Ok(7)
        }
        async fn find_comment_with_marker(
            &self,
            target: &Target,
            marker: &str,
        ) -> Result<Option<u64>, ForgeError> {
            self.log(format!("find {target} {marker}"));
            Ok((self.existing_marker.as_deref() == Some(marker)).then_some(3))
        }
        async fn react(&self, _: &Target, id: u64, reaction: &str) -> Result<(), ForgeError> {
            self.log(format!("react {id} {reaction}"));
            Ok(())
        }
        async fn labels(&self, _: &str) -> Result<Vec<String>, ForgeError> {
            Ok(vec![])
        }
        async fn milestones(&self, _: &str) -> Result<Vec<Milestone>, ForgeError> {
            Ok(vec![])
        }
        async fn user_exists(&self, _: &str) -> Result<bool, ForgeError> {
            Ok(true)
        }
        async fn role_of(&self, _: &str, _: &str) -> Result<Option<Role>, ForgeError> {
            Ok(None)
        }
    }

    fn target() -> Target {
        Target {
            repo: "acme/app".into(),
            number: 1,
            is_merge_request: false,
        }
    }

    fn comment(marker: Option<&str>) -> Intent {
        Intent::Comment {
            target: target(),
            body: "hello".into(),
            marker: marker.map(String::from),
        }
    }

    #[tokio::test]
    async fn removals_on_github_read_current_labels() {
        let forge = Recorder::default();
        let change = IssueChange {
            remove_labels: vec!["flow::Triage".into()],
            ..IssueChange::default()
        };
        let plan = Plan {
            intents: vec![Intent::EditIssue {
                target: target(),
                change,
            }],
            notes: vec![],
        };
        execute(&plan, &forge, &Metrics::default()).await.unwrap();
        assert_eq!(
            forge.calls(),
            [
                "issue acme/app#1",
                r#"edit acme/app#1 current=["bug", "flow::Triage"]"#
            ]
        );
    }

    #[tokio::test]
    async fn marker_comment_is_skipped_when_present() {
        let forge = Recorder {
            existing_marker: Some("<!-- m -->".into()),
            ..Recorder::default()
        };
        let plan = Plan {
            intents: vec![comment(Some("<!-- m -->")), comment(Some("<!-- other -->"))],
            notes: vec![],
        };
        let done = execute(&plan, &forge, &Metrics::default()).await.unwrap();
        assert!(done[0].contains("skipped"), "{done:?}");
        assert_eq!(
            forge.calls(),
            [
                "find acme/app#1 <!-- m -->",
                "find acme/app#1 <!-- other -->",
                "comment acme/app#1"
            ]
        );
    }

    #[tokio::test]
    async fn a_failure_stops_the_plan() {
        let forge = Recorder {
            fail_comments: true,
            ..Recorder::default()
        };
        let react = Intent::React {
            target: target(),
            comment_id: 5,
            reaction: "eyes".into(),
        };
        let plan = Plan {
            intents: vec![react.clone(), comment(None), react],
            notes: vec![],
        };
        let err = execute(&plan, &forge, &Metrics::default())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Validation Failed"));
        assert_eq!(forge.calls(), ["react 5 eyes", "comment acme/app#1"]);
    }

    #[tokio::test]
    async fn empty_edits_call_nothing() {
        let forge = Recorder::default();
        let plan = Plan {
            intents: vec![Intent::EditIssue {
                target: target(),
                change: IssueChange::default(),
            }],
            notes: vec![],
        };
        let done = execute(&plan, &forge, &Metrics::default()).await.unwrap();
        assert_eq!(done, ["nothing to change on acme/app#1"]);
        assert!(forge.calls().is_empty());
    }
}
