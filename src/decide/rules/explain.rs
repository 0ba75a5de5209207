//! Why each rule did or did not act on an event: the same walk as [`super::evaluate`] inside
//! [`crate::decide::decide`], keeping for every rule whether its `on:` named the event and which
//! of its `if:` conditions did not hold. For `forgehand explain` and the operations page;
//! `decide` itself does not call it.

use super::{actions, conditions, facts, matching, Rule};
use crate::config::Config;
use crate::decide::{
    actor_role, commands, item_of, reply, target_of, view_of, Context, Draft, ItemView,
};
use crate::event::{Event, EventKind};
use crate::plan::Plan;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One rule's verdict on one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleVerdict {
    pub rule: String,
    /// Its `on:` names this kind of event.
    pub on_event: bool,
    /// Its `on:` names the event and every condition held.
    pub matched: bool,
    /// The conditions that did not hold (empty when it matched or was not for this event).
    pub failed: Vec<String>,
}

/// Every configured rule's verdict on `event`, in order, each seeing the item as the commands
/// and the rules before it left it.
pub fn explain(
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
) -> Vec<RuleVerdict> {
    let role = actor_role(event, config, context);
    let facts = facts(event, role.value().copied());
    let on: Vec<&Rule> = matching(&config.rules, &facts);
    let mut draft = match (target_of(event), item_of(event)) {
        (Some(_), Some(item)) => Some(Draft::new(view_of(item, context))),
        _ => None,
    };
    if let (Some(draft), EventKind::Comment { .. }) = (draft.as_mut(), &event.kind) {
        let (mut reply, mut plan) = (reply::Reply::default(), Plan::default());
        commands::run(event, config, context, now, draft, &mut reply, &mut plan);
    }
    let mut verdicts = Vec::with_capacity(config.rules.len());
    for rule in &config.rules {
        if !on.iter().any(|r| std::ptr::eq(*r, rule)) {
            verdicts.push(RuleVerdict {
                rule: rule.id.to_string(),
                on_event: false,
                matched: false,
                failed: Vec::new(),
            });
            continue;
        }
        let item: Option<ItemView> = draft.as_ref().map(Draft::after);
        let failed = conditions::failing(&rule.when, &facts, item.as_ref());
        let matched = failed.is_empty();
        if let (true, Some(draft)) = (matched, draft.as_mut()) {
            // Errors (a template that does not render) are the plan's notes, not a verdict.
            let _ = actions::apply(rule, &facts, draft);
        }
        verdicts.push(RuleVerdict {
            rule: rule.id.to_string(),
            on_event: true,
            matched,
            failed,
        });
    }
    verdicts
}
