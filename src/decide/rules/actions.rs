//! A rule's `then:`: changes merged into the event's one [`Draft`], and comments rendered
//! from templates.

use super::{Facts, RuleComment};
use crate::config::rules::{Actions, Rule, StateAction};
use crate::decide::{Draft, ItemView};
use crate::plan::StateChange;
use serde_json::json;

/// Apply `actions` to the draft; returns the rule's comment, if it has one.
pub fn apply(
    rule: &Rule,
    facts: &Facts<'_>,
    draft: &mut Draft,
) -> Result<Option<RuleComment>, String> {
    let actions: &Actions = &rule.then;
    let id = rule.id.as_str();
    // A command of the same event wins over these (see `decide/precedence.rs`).
    draft.start_rules();
    for label in &actions.remove_labels {
        draft.rule_remove_label(id, label);
    }
    for label in &actions.add_labels {
        draft.rule_add_label(id, label);
    }
    if let Some(title) = &actions.milestone {
        if draft.after().milestone.as_deref() != Some(title) {
            draft.rule_set_milestone(id, Some(title.clone()));
        }
    } else if actions.remove_milestone && draft.after().milestone.is_some() {
        draft.rule_set_milestone(id, None);
    }
    for login in &actions.assign {
        draft.rule_assign(id, login);
    }
    match actions.state {
        Some(StateAction::Close) => draft.rule_set_state(id, StateChange::Close),
        Some(StateAction::Reopen) => draft.rule_set_state(id, StateChange::Reopen),
        None => {}
    }
    let Some(template) = &actions.comment else {
        return Ok(None);
    };
    let after = draft.after();
    let body = template
        .0
        .render(&variables(rule, facts, &after))
        .map_err(|e| format!("rule `{}`: {e}", rule.id))?;
    Ok(Some(RuleComment {
        rule: rule.id.to_string(),
        body,
    }))
}

fn variables(rule: &Rule, facts: &Facts<'_>, item: &ItemView) -> serde_json::Value {
    json!({
        "rule": rule.id.as_str(),
        "event": facts.event_name(),
        "actor": facts.actor,
        "repo": facts.repo,
        "number": facts.number,
        "title": facts.title,
        "author": facts.author,
        "url": facts.url,
        "labels": item.labels,
        "milestone": item.milestone,
        "assignees": item.assignees,
        "tag": facts.tag,
    })
}
