//! `decide(event, config, context, now) -> Plan`: the pure heart of forgehand. No I/O, no
//! clock reads, no randomness; everything it needs to know arrives in the [`Context`].

mod commands;
mod context;
pub mod release;
pub mod release_commands;
mod release_render;
#[cfg(test)]
mod release_tests;

pub use context::{Context, Needs};
pub use release::{ReleaseFacts, Subject};

use crate::config::Config;
use crate::event::{CommentAction, Event, EventKind};
use crate::plan::{Plan, Target};
use chrono::{DateTime, Utc};

/// What `decide` will need to know beyond the event, so the worker can fetch it first.
pub fn needs(event: &Event, config: &Config) -> Needs {
    let release = release::subject(event, config).is_some();
    match &event.kind {
        EventKind::Comment { .. } => {
            let found = commands::found(event, config);
            let release_command = found.iter().any(|raw| {
                matches!(
                    crate::command::parse(raw),
                    Ok(crate::command::Command::Deploy(_))
                )
            });
            Needs {
                actor_role: !found.is_empty(),
                labels: !found.is_empty(),
                release: release && release_command,
            }
        }
        _ => Needs {
            release,
            ..Needs::default()
        },
    }
}

/// Decide what to do about `event`.
pub fn decide(event: &Event, config: &Config, context: &Context, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    match &event.kind {
        EventKind::Comment { .. } => {
            commands::decide(event, config, context, &mut plan);
            release_commands::decide(event, config, context, now, &mut plan);
        }
        EventKind::TagPushed { .. }
        | EventKind::TagDeleted { .. }
        | EventKind::Pipeline { .. }
        | EventKind::ReleasePublished { .. } => {
            release::decide(event, config, context, now, &mut plan)
        }
        other => plan
            .notes
            .push(format!("no rule acts on `{}` events", other.name())),
    }
    plan
}

/// The issue or merge request an event is about.
fn target_of(event: &Event) -> Option<Target> {
    let repo = event.repo.as_ref()?.path.clone();
    let item = match &event.kind {
        EventKind::Issue { issue, .. } => issue,
        EventKind::Comment { on, .. } => on,
        EventKind::MergeRequest { merge_request, .. } => &merge_request.item,
        _ => return None,
    };
    Some(Target {
        repo,
        number: item.number,
        is_merge_request: item.is_merge_request,
    })
}

/// The text of a comment that is new since the forge last told us about it.
fn comment_texts(event: &Event) -> Option<(&str, Option<&str>)> {
    match &event.kind {
        EventKind::Comment {
            action, comment, ..
        } => {
            let previous = match action {
                CommentAction::Created => None,
                CommentAction::Edited { previous_body } => {
                    Some(previous_body.as_deref().unwrap_or(""))
                }
            };
            Some((comment.body.as_str(), previous))
        }
        _ => None,
    }
}
