//! Whether a rule's `if:` holds for an event and the item's state after the commands of the
//! same event.

use super::Facts;
use crate::command::scope_of;
use crate::config::rules::{AssigneeIs, Conditions, MilestoneIs};
use crate::decide::ItemView;

fn has(labels: &[String], name: &str) -> bool {
    labels.iter().any(|l| l.eq_ignore_ascii_case(name))
}

fn has_scope(labels: &[String], scope: &str) -> bool {
    labels.iter().any(|l| scope_of(l) == Some(scope))
}

/// True when every condition given holds. `item` is `None` for events without an issue or
/// MR (tags, pipelines): item conditions then fail.
pub fn hold(when: &Conditions, facts: &Facts<'_>, item: Option<&ItemView>) -> bool {
    let item_ok = |f: &dyn Fn(&ItemView) -> bool| item.is_some_and(f);
    let all_labels = when.labels.iter().all(|l| item_ok(&|i| has(&i.labels, l)));
    let no_labels = when
        .labels_absent
        .iter()
        .all(|l| item_ok(&|i| !has(&i.labels, l)));
    let scoped = when
        .scoped_label
        .as_deref()
        .is_none_or(|s| item_ok(&|i| has_scope(&i.labels, s)));
    let scoped_absent = when
        .scoped_label_absent
        .as_deref()
        .is_none_or(|s| item_ok(&|i| !has_scope(&i.labels, s)));
    let milestone = when.milestone.is_none_or(|m| {
        item_ok(&|i| match m {
            MilestoneIs::Set => i.milestone.is_some(),
            MilestoneIs::None => i.milestone.is_none(),
        })
    });
    let milestone_is = when.milestone_is.is_empty()
        || item_ok(&|i| {
            i.milestone
                .as_deref()
                .is_some_and(|m| when.milestone_is.iter().any(|t| t == m))
        });
    let milestone_is_not = when.milestone_is_not.is_empty()
        || item_ok(&|i| {
            i.milestone
                .as_deref()
                .is_none_or(|m| !when.milestone_is_not.iter().any(|t| t == m))
        });
    let assignee = when.assignee.is_none_or(|a| {
        item_ok(&|i| match a {
            AssigneeIs::Any => !i.assignees.is_empty(),
            AssigneeIs::None => i.assignees.is_empty(),
        })
    });
    let role = when.author_role.is_empty()
        || facts
            .actor_role
            .is_some_and(|r| when.author_role.contains(&r));
    let title = when
        .title
        .as_ref()
        .is_none_or(|p| item.is_some() && p.is_match(facts.title));
    let body = when
        .body
        .as_ref()
        .is_none_or(|p| item.is_some() && p.is_match(facts.body));
    let branch = when
        .target_branch
        .as_ref()
        .is_none_or(|p| facts.target_branch.is_some_and(|b| p.is_match(b)));
    let tag = when
        .tag
        .as_ref()
        .is_none_or(|p| facts.tag.is_some_and(|t| p.is_match(t)));
    all_labels
        && no_labels
        && scoped
        && scoped_absent
        && milestone
        && milestone_is
        && milestone_is_not
        && assignee
        && role
        && title
        && body
        && branch
        && tag
}
