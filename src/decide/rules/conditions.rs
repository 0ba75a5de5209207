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

/// The conditions of `when` that do not hold, each named as written in the YAML with what it
/// asked for and what was there — empty exactly when [`hold`] is true (tested).
pub fn failing(when: &Conditions, facts: &Facts<'_>, item: Option<&ItemView>) -> Vec<String> {
    let mut out = Vec::new();
    let labels_of = |i: Option<&ItemView>| match i {
        Some(i) if i.labels.is_empty() => "no labels".to_string(),
        Some(i) => format!("labels {}", i.labels.join(", ")),
        None => "no issue or merge request".to_string(),
    };
    let on_item = |ok: &dyn Fn(&ItemView) -> bool| item.is_some_and(ok);
    for l in &when.labels {
        if !on_item(&|i| has(&i.labels, l)) {
            out.push(format!("labels: `{l}` is missing ({})", labels_of(item)));
        }
    }
    for l in &when.labels_absent {
        if !on_item(&|i| !has(&i.labels, l)) {
            out.push(format!("labels_absent: `{l}` ({})", labels_of(item)));
        }
    }
    if let Some(s) = &when.scoped_label {
        if !on_item(&|i| has_scope(&i.labels, s)) {
            out.push(format!(
                "scoped_label: no `{s}::` label ({})",
                labels_of(item)
            ));
        }
    }
    if let Some(s) = &when.scoped_label_absent {
        if !on_item(&|i| !has_scope(&i.labels, s)) {
            out.push(format!(
                "scoped_label_absent: `{s}::` ({})",
                labels_of(item)
            ));
        }
    }
    let milestone = item.and_then(|i| i.milestone.as_deref());
    let milestone_text = || match (item, milestone) {
        (None, _) => "no issue or merge request".to_string(),
        (_, None) => "no milestone".to_string(),
        (_, Some(m)) => format!("milestone `{m}`"),
    };
    if let Some(m) = when.milestone {
        let ok = on_item(&|i| match m {
            MilestoneIs::Set => i.milestone.is_some(),
            MilestoneIs::None => i.milestone.is_none(),
        });
        if !ok {
            let want = match m {
                MilestoneIs::Set => "set",
                MilestoneIs::None => "none",
            };
            out.push(format!("milestone: {want} ({})", milestone_text()));
        }
    }
    if !when.milestone_is.is_empty()
        && !milestone.is_some_and(|m| when.milestone_is.iter().any(|t| t == m))
    {
        out.push(format!(
            "milestone_is: {} ({})",
            when.milestone_is.join(", "),
            milestone_text()
        ));
    }
    if !when.milestone_is_not.is_empty()
        && !on_item(&|i| {
            i.milestone
                .as_deref()
                .is_none_or(|m| !when.milestone_is_not.iter().any(|t| t == m))
        })
    {
        out.push(format!(
            "milestone_is_not: {} ({})",
            when.milestone_is_not.join(", "),
            milestone_text()
        ));
    }
    if let Some(a) = when.assignee {
        let (ok, want) = match a {
            AssigneeIs::Any => (on_item(&|i| !i.assignees.is_empty()), "any"),
            AssigneeIs::None => (on_item(&|i| i.assignees.is_empty()), "none"),
        };
        if !ok {
            let had = match item {
                None => "no issue or merge request".to_string(),
                Some(i) if i.assignees.is_empty() => "no assignee".to_string(),
                Some(i) => format!("assigned to {}", i.assignees.join(", ")),
            };
            out.push(format!("assignee: {want} ({had})"));
        }
    }
    if !when.author_role.is_empty()
        && !facts
            .actor_role
            .is_some_and(|r| when.author_role.contains(&r))
    {
        let want: Vec<&str> = when.author_role.iter().map(|r| r.as_str()).collect();
        let had = facts
            .actor_role
            .map_or("the role is unknown".to_string(), |r| {
                format!("`{}` is {}", facts.actor, r.as_str())
            });
        out.push(format!("author_role: {} ({had})", want.join(", ")));
    }
    let pattern = |name: &str, p: &Option<crate::config::Pattern>, text: Option<&str>| {
        p.as_ref().and_then(|p| {
            (!text.is_some_and(|t| p.is_match(t))).then(|| match text {
                Some(t) => format!("{name}: /{}/ does not match `{t}`", p.regex().as_str()),
                None => format!("{name}: /{}/ (the event has none)", p.regex().as_str()),
            })
        })
    };
    let (title, body) = match item {
        Some(_) => (Some(facts.title), Some(facts.body)),
        None => (None, None),
    };
    out.extend(pattern("title", &when.title, title));
    out.extend(pattern("body", &when.body, body));
    out.extend(pattern(
        "target_branch",
        &when.target_branch,
        facts.target_branch,
    ));
    out.extend(pattern("tag", &when.tag, facts.tag));
    out
}
