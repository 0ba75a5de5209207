//! The `rules:` section as written: `{id, on, if, then}` entries, each value checked while it
//! is read (identifiers, event kinds, regexes, templates), so errors carry line and column.

use super::{Ident, Pattern, Report, Validate};
use crate::event::EventKindName;
use crate::release::template::Template;
use crate::role::Role;
use serde::de::{Deserialize, Deserializer, Error};
use std::fmt;

/// Event kinds a rule may name in `on:`, with their actions; `kind` alone matches every
/// action of that kind. Derived from the event model, where a kind or an action is added.
pub fn event_kinds() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    EventKindName::for_rules()
}

/// Variables a rule's `comment` template may use.
pub const TEMPLATE_VARS: &[&str] = &[
    "rule",
    "event",
    "actor",
    "repo",
    "number",
    "title",
    "author",
    "url",
    "labels",
    "milestone",
    "assignees",
    "tag",
];

/// One rule.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier: 1–20 lowercase letters, digits, dashes. Unique.
    pub id: Ident,
    /// Event kinds it reacts to: `issue`, `issue.opened`, `comment`, `merge_request.merged`…
    pub on: Vec<EventFilter>,
    /// Conditions; all must hold. Default: none (always).
    #[serde(default, rename = "if")]
    pub when: Conditions,
    /// What to do.
    #[serde(rename = "then")]
    pub then: Actions,
}

/// `kind` or `kind.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFilter {
    pub kind: &'static str,
    pub action: Option<&'static str>,
}

impl EventFilter {
    /// Parses `issue` / `issue.opened`.
    pub fn parse(text: &str) -> Result<EventFilter, String> {
        let (kind, action) = match text.split_once('.') {
            Some((k, a)) => (k, Some(a)),
            None => (text, None),
        };
        let known = || {
            event_kinds()
                .flat_map(|(k, actions)| {
                    std::iter::once(k.to_string())
                        .chain(actions.iter().map(move |a| format!("{k}.{a}")))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((kind, actions)) = event_kinds().find(|(k, _)| *k == kind) else {
            return Err(format!(
                "unknown event kind `{text}`, expected one of {}",
                known()
            ));
        };
        let action = match action {
            None => None,
            Some(a) => match actions.iter().find(|x| **x == a) {
                Some(a) => Some(*a),
                None => {
                    return Err(format!(
                        "unknown event kind `{text}`, expected one of {}",
                        known()
                    ))
                }
            },
        };
        Ok(EventFilter { kind, action })
    }

    /// Whether an event of `kind` with `action` matches.
    pub fn matches(&self, kind: &str, action: Option<&str>) -> bool {
        self.kind == kind && (self.action.is_none() || self.action == action)
    }
}

impl fmt::Display for EventFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.action {
            Some(a) => write!(f, "{}.{a}", self.kind),
            None => f.write_str(self.kind),
        }
    }
}

impl<'de> Deserialize<'de> for EventFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EventFilter::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// `set` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneIs {
    Set,
    None,
}

/// `any` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeIs {
    Any,
    None,
}

/// `if:` — every condition given must hold.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Labels that must all be present.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Labels that must all be absent.
    #[serde(default)]
    pub labels_absent: Vec<String>,
    /// A scope (`flow` or `flow::*`) of which some label must be present.
    #[serde(default, deserialize_with = "scope")]
    pub scoped_label: Option<String>,
    /// A scope of which no label may be present.
    #[serde(default, deserialize_with = "scope")]
    pub scoped_label_absent: Option<String>,
    /// Whether a milestone is set.
    #[serde(default)]
    pub milestone: Option<MilestoneIs>,
    /// The milestone's title must be one of these.
    #[serde(default)]
    pub milestone_is: Vec<String>,
    /// The milestone's title must be none of these (no milestone passes).
    #[serde(default)]
    pub milestone_is_not: Vec<String>,
    /// Whether anyone is assigned.
    #[serde(default)]
    pub assignee: Option<AssigneeIs>,
    /// The role of the person who caused the event must be one of these.
    #[serde(default)]
    pub author_role: Vec<Role>,
    /// Regex the issue / MR title must match.
    #[serde(default)]
    pub title: Option<Pattern>,
    /// Regex the issue / MR description must match.
    #[serde(default)]
    pub body: Option<Pattern>,
    /// Regex the merge request's target branch must match.
    #[serde(default)]
    pub target_branch: Option<Pattern>,
    /// Regex the tag (tag push / release) must match.
    #[serde(default)]
    pub tag: Option<Pattern>,
}

/// `flow` or `flow::*` → `flow`.
fn scope<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    let Some(text) = text else { return Ok(None) };
    let scope = text.strip_suffix("::*").unwrap_or(&text);
    if scope.is_empty() || scope.ends_with("::") {
        return Err(D::Error::custom(format!(
            "invalid scope `{text}`: write `flow` or `flow::*`"
        )));
    }
    Ok(Some(scope.to_string()))
}

/// `close` or `reopen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateAction {
    Close,
    Reopen,
}

/// `then:` — what a rule does to the issue / MR of the event.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    /// Labels to add (a scoped label replaces the others of its scope).
    #[serde(default)]
    pub add_labels: Vec<String>,
    /// Labels to remove.
    #[serde(default)]
    pub remove_labels: Vec<String>,
    /// Milestone title to set.
    #[serde(default)]
    pub milestone: Option<String>,
    /// Clear the milestone.
    #[serde(default)]
    pub remove_milestone: bool,
    /// Logins to assign (added to the current assignees).
    #[serde(default)]
    pub assign: Vec<String>,
    /// A comment, as a minijinja template (variables: [`TEMPLATE_VARS`]); posted once per
    /// issue and rule.
    #[serde(default)]
    pub comment: Option<RuleTemplate>,
    /// `close` or `reopen`.
    #[serde(default)]
    pub state: Option<StateAction>,
}

impl Actions {
    fn is_empty(&self) -> bool {
        self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.milestone.is_none()
            && !self.remove_milestone
            && self.assign.is_empty()
            && self.comment.is_none()
            && self.state.is_none()
    }
}

/// A comment template compiled at load; unknown variables are load errors.
#[derive(Debug, Clone)]
pub struct RuleTemplate(pub Template);

impl<'de> Deserialize<'de> for RuleTemplate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        Template::compile("comment", &source, TEMPLATE_VARS)
            .map(RuleTemplate)
            .map_err(|e| D::Error::custom(e.to_string()))
    }
}

impl Validate for Rule {
    fn validate(&self, report: &mut Report<'_>) {
        if self.on.is_empty() {
            report.error("on", "name at least one event kind");
        }
        if self.then.is_empty() {
            report.error("then", "a rule needs at least one action");
        }
        if self.then.milestone.is_some() && self.then.remove_milestone {
            report.error("then.remove_milestone", "conflicts with `milestone`");
        }
        for label in self.then.add_labels.iter().chain(&self.then.remove_labels) {
            if label.trim().is_empty() {
                report.error("then", "empty label name");
            }
        }
    }
}

/// Ids used by more than one rule (each reported at its second use).
pub fn validate_unique_ids(rules: &[Rule], report: &mut Report<'_>) {
    for (i, rule) in rules.iter().enumerate() {
        if rules[..i].iter().any(|r| r.id == rule.id) {
            report.error(
                &format!("rules[{i}].id"),
                format!("duplicate rule id `{}`", rule.id),
            );
        }
    }
}
