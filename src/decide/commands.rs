//! Commands in comments → the issue change they ask for, plus one reply for whatever was
//! refused, and a reaction acknowledging the comment.

use super::{comment_texts, target_of, Context};
use crate::command::{self, Command, CommandError, RawCommand};
use crate::config::Config;
use crate::event::{Event, EventKind};
use crate::plan::{Intent, IssueChange, Plan};

/// Reaction that acknowledges a comment carrying commands.
const ACK_REACTION: &str = "eyes";

/// The commands of this comment event that have not run yet (an edit runs only new ones).
pub fn found(event: &Event, config: &Config) -> Vec<RawCommand> {
    found_with(event, config, None)
}

fn found_with(event: &Event, config: &Config, stored_previous: Option<&str>) -> Vec<RawCommand> {
    let Some((body, previous)) = comment_texts(event) else {
        return Vec::new();
    };
    let bot = config.bot_name();
    match previous.or(stored_previous) {
        None => command::extract(body, bot),
        Some(previous) => command::added_since(previous, body, bot),
    }
}

pub fn decide(event: &Event, config: &Config, context: &Context, plan: &mut Plan) {
    let raws = found_with(event, config, context.previous_comment_body.as_deref());
    let (Some(target), EventKind::Comment { comment, on, .. }) = (target_of(event), &event.kind)
    else {
        return;
    };
    if raws.is_empty() {
        return;
    }
    let mut change = IssueChange::default();
    let mut refusals: Vec<String> = Vec::new();
    for raw in &raws {
        match command::parse(raw) {
            Ok(Command::Label(labels)) => {
                add_labels(&mut change, &on.labels, &labels, context, &mut refusals)
            }
            // `/release` and `/deploy` are decided in `release_commands`.
            Ok(Command::Release(_) | Command::Deploy(_)) => {}
            Ok(other) => refusals.push(format!(
                "`{}` is not available yet on this forgehand",
                other.name()
            )),
            Err(e) => refusals.push(error_text(&e)),
        }
    }
    plan.intents.push(Intent::React {
        target: target.clone(),
        comment_id: comment.id,
        reaction: ACK_REACTION.to_string(),
    });
    if !change.is_empty() {
        plan.intents.push(Intent::EditIssue {
            target: target.clone(),
            change,
        });
    }
    if !refusals.is_empty() {
        let mut body = format!("@{}: ", comment.author);
        if refusals.len() == 1 {
            body.push_str(&refusals[0]);
        } else {
            body.push_str("some commands were not run:\n");
            for r in &refusals {
                body.push_str(&format!("\n- {r}"));
            }
        }
        plan.intents.push(Intent::Comment {
            target,
            body,
            marker: None,
        });
    }
}

fn error_text(e: &CommandError) -> String {
    e.to_string()
}

/// Add labels; a scoped label (`scope::value`) replaces any other label of its scope.
fn add_labels(
    change: &mut IssueChange,
    current: &[String],
    labels: &[String],
    context: &Context,
    refusals: &mut Vec<String>,
) {
    for label in labels {
        if let Some(known) = &context.labels {
            if !known.iter().any(|k| k == label) {
                refusals.push(format!(
                    "the label `{label}` does not exist in this project"
                ));
                continue;
            }
        }
        if let Some(scope) = command::scope_of(label) {
            let same_scope = |l: &String| l != label && command::scope_of(l) == Some(scope);
            for old in current.iter().filter(|l| same_scope(l)) {
                if !change.remove_labels.contains(old) {
                    change.remove_labels.push(old.clone());
                }
            }
            change.add_labels.retain(|l| !same_scope(l));
        }
        if !current.contains(label) && !change.add_labels.contains(label) {
            change.add_labels.push(label.clone());
        }
    }
}
