//! Event-driven rules from YAML (`rules:`): `on` event kinds, `if` conditions, `then`
//! actions. Evaluated by `decide` on the item's state after the event's commands, with every
//! change merged into the same draft so that one event costs one write.

mod actions;
mod conditions;
mod explain;
#[cfg(test)]
mod tests;

pub use crate::config::rules::{
    Actions, AssigneeIs, Conditions, EventFilter, MilestoneIs, Rule, RuleTemplate, StateAction,
};

pub use explain::{explain, RuleVerdict};

use crate::decide::Draft;
use crate::event::{Event, EventKind};
use crate::role::Role;

/// What rules know about the event besides the item's labels, milestone and assignees.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub kind: &'static str,
    pub action: Option<&'static str>,
    pub actor: &'a str,
    /// The role of the person who caused the event, when known.
    pub actor_role: Option<Role>,
    pub repo: &'a str,
    pub number: Option<u64>,
    pub title: &'a str,
    pub body: &'a str,
    pub author: &'a str,
    pub url: Option<&'a str>,
    pub target_branch: Option<&'a str>,
    pub tag: Option<&'a str>,
}

impl Facts<'_> {
    /// `kind` or `kind.action`, as rules name it.
    pub fn event_name(&self) -> String {
        match self.action {
            Some(a) => format!("{}.{a}", self.kind),
            None => self.kind.to_string(),
        }
    }
}

/// A comment a rule asks for; posted at most once per item and rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleComment {
    pub rule: String,
    pub body: String,
}

/// What the rules did: comments to post, and notes for the log / `forgehand plan`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub comments: Vec<RuleComment>,
    pub notes: Vec<String>,
}

/// The facts of `event` (role from the caller, who resolved it).
pub fn facts(event: &Event, actor_role: Option<Role>) -> Facts<'_> {
    let mut facts = Facts {
        kind: event.kind.name(),
        action: event.kind.action_name(),
        actor: &event.actor.login,
        actor_role,
        repo: event.repo.as_ref().map_or("", |r| r.path.as_str()),
        ..Facts::default()
    };
    let item = match &event.kind {
        EventKind::Issue { issue, .. } => Some(issue),
        EventKind::Comment { on, .. } => Some(on),
        EventKind::MergeRequest { merge_request, .. } => {
            facts.target_branch = Some(&merge_request.target_branch);
            Some(&merge_request.item)
        }
        EventKind::TagPushed { tag, .. } | EventKind::TagDeleted { tag } => {
            facts.tag = Some(tag);
            None
        }
        EventKind::ReleasePublished { release } => {
            facts.tag = Some(&release.tag);
            None
        }
        _ => None,
    };
    if let Some(item) = item {
        facts.number = Some(item.number);
        facts.title = &item.title;
        facts.body = &item.body;
        facts.author = &item.author;
        facts.url = item.url.as_deref();
    }
    facts
}

/// The rules that react to this kind of event.
pub fn matching<'r>(rules: &'r [Rule], facts: &Facts<'_>) -> Vec<&'r Rule> {
    rules
        .iter()
        .filter(|r| r.on.iter().any(|f| f.matches(facts.kind, facts.action)))
        .collect()
}

/// Run every matching rule in order, each seeing the state the previous ones left.
/// `draft` is `None` for events without an issue or MR: rules with item conditions do not
/// fire there, and actions are noted as skipped.
pub fn evaluate(rules: &[Rule], facts: &Facts<'_>, mut draft: Option<&mut Draft>) -> Outcome {
    let mut outcome = Outcome::default();
    for rule in matching(rules, facts) {
        let item = draft.as_deref().map(Draft::after);
        if !conditions::hold(&rule.when, facts, item.as_ref()) {
            continue;
        }
        let Some(draft) = draft.as_deref_mut() else {
            outcome.notes.push(format!(
                "rule `{}` matched, but `{}` events have no issue or merge request to act on",
                rule.id,
                facts.event_name()
            ));
            continue;
        };
        match actions::apply(rule, facts, draft) {
            Ok(Some(comment)) => outcome.comments.push(comment),
            Ok(None) => {}
            Err(e) => outcome.notes.push(e),
        }
        outcome.notes.push(format!("rule `{}` applied", rule.id));
    }
    outcome
}
