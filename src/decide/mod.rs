//! `decide(event, config, context, now) -> Plan`: the pure heart of forgehand. No I/O, no
//! clock reads, no randomness; everything it needs to know arrives in the [`Context`].
//!
//! For an issue, MR or comment event: the comment's commands build a [`Draft`] of the item's
//! change, the rules run on the state that draft leaves and add to it, and the result is one
//! `EditIssue` intent (one write), plus at most one reply comment and one reaction.

mod assignees;
mod change;
mod commands;
mod context;
mod help;
pub mod incidents;
mod labels;
mod milestones;
mod precedence;
pub mod release;
mod reply;
pub mod rules;
mod schedule;

pub use change::{Draft, ItemView};
pub(crate) use commands::cannot_check;
pub use context::{Context, Fact, Needs, NOT_LOOKED_UP};
pub use milestones::{current_milestone, next_milestone};
pub use release::{ReleaseFacts, Subject};

use crate::config::Config;
use crate::event::{Event, EventKind, Item};
use crate::plan::{Intent, Plan, Target};
use crate::role::Role;
use chrono::{DateTime, Utc};

/// What `decide` will need to know beyond the event, so the worker can fetch it first.
pub fn needs(event: &Event, config: &Config) -> Needs {
    needs_after(event, config, None)
}

/// [`needs`], for a comment edit whose previous text the store kept.
pub fn needs_after(event: &Event, config: &Config, stored_previous: Option<&str>) -> Needs {
    let mut needs = commands::needs(event, config, stored_previous);
    needs.labelled_issues = schedule::needs(event, config);
    needs.incident = incidents::needs(event, config);
    needs.release_day = release::day::needs(event, config);
    let facts = rules::facts(event, None);
    let rules = rules::matching(&config.rules, &facts);
    let has_commands = !commands::found(event, config, stored_previous).is_empty();
    if !event.dialect().comments_name_assignees
        && matches!(event.kind, EventKind::Comment { .. })
        && (has_commands || !rules.is_empty())
    {
        // The comment's event names the item's assignees by id only: read the item itself.
        needs.item = true;
    }
    if release::subject(event, config).is_some() {
        // Release events need the release's facts; a comment only for `/deploy`.
        needs.release = !matches!(event.kind, EventKind::Comment { .. })
            || commands::found(event, config, stored_previous)
                .iter()
                .any(|raw| {
                    matches!(
                        crate::command::parse(raw),
                        Ok(crate::command::Command::Deploy(_))
                    )
                });
    }
    if !rules.is_empty() && !needs.item {
        if item_of(event).is_some_and(|i| i.milestone.is_none() && i.milestone_id.is_some()) {
            needs.milestones = true;
        }
        if rules.iter().any(|r| !r.when.author_role.is_empty())
            && known_role(event, config).is_none()
        {
            needs.actor_role = true;
        }
    }
    needs
}

/// Whether forgehand acts on `event` although it caused it itself. Its own comments,
/// commands and edits are ignored (no loops); a release it published still starts what a
/// published release starts — deployment request, checklist, version bump, feedback —
/// none of which publishes a release again.
pub fn acts_on_own(event: &Event) -> bool {
    matches!(event.kind, EventKind::ReleasePublished { .. })
}

/// Decide what to do about `event`.
pub fn decide(event: &Event, config: &Config, context: &Context, now: DateTime<Utc>) -> Plan {
    let mut plan = Plan::default();
    if let EventKind::Scheduled { .. } = event.kind {
        schedule::decide(event, config, context, &mut plan);
        return plan;
    }
    if let EventKind::ReleaseDay { .. } = event.kind {
        release::day::decide(event, config, context, &mut plan);
        return plan;
    }
    if let EventKind::Alert { .. } = event.kind {
        incidents::decide(event, config, context, now, &mut plan);
        return plan;
    }
    let release_event = match event.kind {
        EventKind::TagPushed { .. }
        | EventKind::TagDeleted { .. }
        | EventKind::Pipeline { .. }
        | EventKind::ReleasePublished { .. } => true,
        // A merged release merge request, when it publishes the release.
        EventKind::MergeRequest { .. } => release::subject(event, config).is_some(),
        _ => false,
    };
    if release_event {
        release::decide(event, config, context, now, &mut plan);
    }
    let role = actor_role(event, config, context);
    let facts = rules::facts(event, role.value().copied());
    let (Some(target), Some(item)) = (target_of(event), item_of(event)) else {
        let outcome = rules::evaluate(&config.rules, &facts, None);
        plan.notes.extend(outcome.notes);
        if plan.intents.is_empty() && plan.notes.is_empty() {
            plan.notes
                .push(format!("no rule acts on `{}` events", event.kind.name()));
        }
        return plan;
    };
    let mut draft = Draft::new(view_of(item, context));
    let mut reply = reply::Reply::default();
    if let EventKind::Comment { comment, .. } = &event.kind {
        let run = commands::run(
            event, config, context, now, &mut draft, &mut reply, &mut plan,
        );
        if run {
            plan.intents.push(Intent::React {
                target: target.clone(),
                comment_id: comment.id,
                reaction: commands::ACK_REACTION.to_string(),
            });
        }
    }
    let outcome = rules::evaluate(&config.rules, &facts, Some(&mut draft));
    plan.notes.extend(outcome.notes);
    plan.notes.append(&mut draft.overridden);
    let change = draft.finish();
    if !change.is_empty() {
        plan.intents.push(Intent::EditIssue {
            target: target.clone(),
            change,
        });
    }
    let author = match &event.kind {
        EventKind::Comment { comment, .. } => comment.author.as_str(),
        _ => event.actor.login.as_str(),
    };
    if let Some(body) = reply.body(author) {
        plan.intents.push(Intent::Comment {
            target: target.clone(),
            body,
            marker: None,
        });
    }
    for comment in outcome.comments {
        let marker = format!("<!-- forgehand:rule {} -->", comment.rule);
        plan.intents.push(Intent::Comment {
            target: target.clone(),
            body: format!("{}\n\n{marker}", comment.body.trim_end()),
            marker: Some(marker),
        });
    }
    if plan.intents.is_empty() && plan.notes.is_empty() {
        plan.notes.push("no command or rule applies".to_string());
    }
    plan
}

/// The actor's role when it is known without asking the forge: the YAML `roles:` map, or
/// GitHub's `OWNER` association (the repository's owner). No other `author_association`
/// counts: `MEMBER` and `COLLABORATOR` say nothing about write access, so everyone else's
/// role is the forge's permission, gathered.
pub fn known_role(event: &Event, config: &Config) -> Option<Role> {
    if let Some(role) = config.roles.get(&event.actor.login) {
        return Some(role);
    }
    let association = match &event.kind {
        EventKind::Comment { comment, .. } if comment.author == event.actor.login => {
            comment.author_association.as_deref()
        }
        EventKind::Issue { issue, .. } if issue.author == event.actor.login => {
            issue.author_association.as_deref()
        }
        _ => None,
    };
    (association == Some(Role::GITHUB_OWNER_ASSOCIATION)).then_some(Role::Owner)
}

/// The actor's role: the configuration's or the owner's, else what the forge said (or
/// `forgehand plan` assumed); unknown, with the reason, when it could not be checked.
pub fn actor_role(event: &Event, config: &Config, context: &Context) -> Fact<Role> {
    match known_role(event, config) {
        Some(role) => Fact::Known(role),
        None => context.actor_role.clone(),
    }
}

/// The issue or merge request an event is about.
fn item_of(event: &Event) -> Option<&Item> {
    match &event.kind {
        EventKind::Issue { issue, .. } => Some(issue),
        EventKind::Comment { on, .. } => Some(on),
        EventKind::MergeRequest { merge_request, .. } => Some(&merge_request.item),
        _ => None,
    }
}

/// The item's state as commands and rules see it. GitLab payloads name the milestone only by
/// id: its title comes from the open milestones in the context.
fn view_of(item: &Item, context: &Context) -> ItemView {
    if let Some(now) = &context.item {
        return ItemView {
            labels: now.labels.clone(),
            milestone: now.milestone.clone(),
            assignees: now.assignees.clone(),
            closed: now.state == crate::model::IssueState::Closed,
        };
    }
    let milestone = item.milestone.clone().or_else(|| {
        let id = item.milestone_id?;
        let found = context
            .milestones
            .as_ref()
            .and_then(|ms| ms.iter().find(|m| m.id == id).map(|m| m.title.clone()));
        Some(found.unwrap_or_else(|| format!("milestone {id}")))
    });
    ItemView {
        labels: item.labels.clone(),
        milestone,
        assignees: item.assignees.clone(),
        closed: item.state != crate::event::ItemState::Open,
    }
}

/// The issue or merge request an event is about.
pub fn target_of(event: &Event) -> Option<Target> {
    let repo = event.repo.as_ref()?.path.clone();
    let item = item_of(event)?;
    Some(Target {
        repo,
        number: item.number,
        is_merge_request: item.is_merge_request,
    })
}
#[cfg(test)]
mod tests;
