//! `decide(event, config, context, now) -> Plan`: the pure heart of forgehand. No I/O, no
//! clock reads, no randomness; everything it needs to know arrives in the [`Context`].

mod commands;
mod context;

pub use context::{Context, Needs};

use crate::config::Config;
use crate::event::{CommentAction, Event, EventKind};
use crate::plan::{Plan, Target};
use chrono::{DateTime, Utc};

/// What `decide` will need to know beyond the event, so the worker can fetch it first.
pub fn needs(event: &Event, config: &Config) -> Needs {
    match &event.kind {
        EventKind::Comment { .. } if !commands::found(event, config).is_empty() => Needs {
            actor_role: true,
            labels: true,
        },
        _ => Needs::default(),
    }
}

/// Decide what to do about `event`.
pub fn decide(event: &Event, config: &Config, context: &Context, now: DateTime<Utc>) -> Plan {
    let _ = now;
    let mut plan = Plan::default();
    match &event.kind {
        EventKind::Comment { .. } => commands::decide(event, config, context, &mut plan),
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
