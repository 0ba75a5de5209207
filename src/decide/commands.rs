//! Commands in comments: find the ones that have not run yet, check the caller may run each,
//! and turn them into changes to the item's [`Draft`] and parts of the one reply.

use super::release::commands as release_commands;
use super::reply::Reply;
use super::{assignees, help, labels, milestones, Context, Draft, Fact, Needs};
use crate::command::{self, Command, RawCommand, TriageArg, UserArg};
use crate::config::Config;
use crate::event::{CommentAction, Event, EventKind};
use crate::plan::{Plan, StateChange};
use crate::role::Role;
use chrono::{DateTime, Utc};

/// Reaction that acknowledges a comment carrying commands.
pub const ACK_REACTION: &str = "eyes";

/// The commands of this comment event that have not run yet: all of a new comment's; of an
/// edited one, those not in its previous text (from the payload, else from the store; with
/// neither, all of them).
pub fn found(event: &Event, config: &Config, stored_previous: Option<&str>) -> Vec<RawCommand> {
    let EventKind::Comment {
        action, comment, ..
    } = &event.kind
    else {
        return Vec::new();
    };
    let bot = config.bot_name();
    let previous = match action {
        CommentAction::Created => None,
        CommentAction::Edited { previous_body } => previous_body.as_deref().or(stored_previous),
    };
    match previous {
        None => command::extract(&comment.body, bot),
        Some(previous) => command::added_since(previous, &comment.body, bot),
    }
}

/// What the commands of this event need fetched.
pub fn needs(event: &Event, config: &Config, stored_previous: Option<&str>) -> Needs {
    let mut needs = Needs::default();
    let raws = found(event, config, stored_previous);
    if raws.is_empty() {
        return needs;
    }
    let parsed: Vec<_> = raws.iter().map(command::parse).collect();
    // The forge is asked for the caller's role only when a command needs more than anyone
    // holds (or `/help` lists what the role allows), and the configuration does not say it.
    needs.actor_role = super::known_role(event, config).is_none()
        && parsed
            .iter()
            .flatten()
            .any(|c| matches!(c, Command::Help) || needs_role(c, config));
    for parsed in parsed {
        match parsed {
            Ok(Command::Label(_) | Command::Relabel(_)) => needs.labels = true,
            Ok(Command::Milestone(_) | Command::Triage(_)) => needs.milestones = true,
            Ok(Command::Assign(u) | Command::Reassign(u) | Command::Unassign(u)) => {
                for login in assignees::named(&u) {
                    if !needs.users.iter().any(|l| l.eq_ignore_ascii_case(login)) {
                        needs.users.push(login.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    needs
}

/// Run the comment's new commands; false when it carried none.
pub fn run(
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
    draft: &mut Draft,
    reply: &mut Reply,
    plan: &mut Plan,
) -> bool {
    let raws = found(event, config, context.previous_comment_body.as_deref());
    let EventKind::Comment { comment, .. } = &event.kind else {
        return false;
    };
    if raws.is_empty() {
        return false;
    }
    let role = super::actor_role(event, config, context);
    if let Fact::Assumed(assumed) = &role {
        plan.notes.push(format!(
            "the caller's role is not looked up offline: assumed {assumed}"
        ));
    }
    let me = comment.author.as_str();
    let limit = config.limits.commands();
    if raws.len() > limit {
        reply.refuse(format!(
            "a comment runs at most {limit} commands; skipped: the last {}",
            super::reply::thousands(raws.len() - limit)
        ));
    }
    let mut mentions = assignees::Mentions::new(config.limits.mentions());
    for raw in raws.iter().take(limit) {
        let command = match command::parse(raw) {
            Ok(command) => command,
            Err(e) => {
                reply.refuse(e.to_string());
                continue;
            }
        };
        let name = command.name();
        // `/deploy` has its own rule (the release manager, or the configured role).
        if !matches!(command, Command::Deploy(_)) && needs_role(&command, config) {
            let min = config.commands.min_role(name).unwrap_or(Role::Owner);
            match &role {
                Fact::Known(role) | Fact::Assumed(role) if config.commands.permits(name, *role) => {
                }
                Fact::Known(role) | Fact::Assumed(role) => {
                    reply.refuse(format!(
                        "you may not run `{name}` here: it needs the {min} role, and yours is {role}"
                    ));
                    continue;
                }
                Fact::Unknown(why) => {
                    reply.refuse(cannot_check(
                        me,
                        &format!("the {min} role `{name}` needs"),
                        why,
                    ));
                    continue;
                }
            }
        }
        let today = now.date_naive();
        match &command {
            Command::Label(l) => labels::label(l, context, draft, reply),
            Command::Unlabel(l) => labels::unlabel(l, draft),
            Command::Relabel(l) => labels::relabel(l, context, draft, reply),
            Command::Milestone(arg) => {
                milestones::milestone(arg, context, today, draft, reply);
            }
            Command::RemoveMilestone => draft.set_milestone(None),
            Command::Assign(u) => assignees::assign(u, me, context, draft, reply),
            Command::Reassign(u) => assignees::reassign(u, me, context, draft, reply),
            Command::Unassign(u) => assignees::unassign(u, me, context, draft, reply),
            Command::Cc(people) => mentions.cc(people, reply),
            Command::Close => draft.set_state(StateChange::Close),
            Command::Reopen => draft.set_state(StateChange::Reopen),
            Command::Triage(arg) => triage(*arg, config, context, today, draft, reply),
            Command::Help => reply.help = Some(help::text(config, role.value().copied())),
            Command::Release(_) | Command::Deploy(_) => {
                match release_commands::release_command(&command, event, config, context, now) {
                    Ok(intents) => plan.intents.extend(intents),
                    Err(why) => reply.refuse(why),
                }
            }
        }
    }
    mentions.finish(reply);
    plan.notes.append(&mut reply.notes);
    true
}

/// Whether running `command` needs a role beyond the least one (`/deploy` always asks: the
/// release manager or the configured role may file a request).
fn needs_role(command: &Command, config: &Config) -> bool {
    matches!(command, Command::Deploy(_)) || !config.commands.permits(command.name(), Role::Reader)
}

/// The refusal when a permission could not be checked: fail closed, say why and that
/// another try may work.
pub fn cannot_check(who: &str, what: &str, why: &str) -> String {
    format!(
        "could not check whether @{who} holds {what} ({why}), so it was not run; try again later"
    )
}

/// `/triage urgent`: engineering lead + current milestone. `/triage later`: product manager +
/// the backlog milestone. Nothing changes unless both parts can be done.
fn triage(
    arg: TriageArg,
    config: &Config,
    context: &Context,
    today: chrono::NaiveDate,
    draft: &mut Draft,
    reply: &mut Reply,
) {
    let (person, field, milestone) = match arg {
        TriageArg::Urgent => (
            &config.triage.engineering_lead,
            "engineering_lead",
            command::MilestoneArg::Current,
        ),
        TriageArg::Later => (
            &config.triage.product_manager,
            "product_manager",
            command::MilestoneArg::Title(config.triage.backlog_milestone.clone()),
        ),
    };
    let word = match arg {
        TriageArg::Urgent => "urgent",
        TriageArg::Later => "later",
    };
    let Some(person) = person else {
        reply.refuse(format!(
            "`triage {word}` is not set up: the configuration names no `triage.{field}`"
        ));
        return;
    };
    match milestones::resolve(&milestone, context, today) {
        Ok(title) => {
            if let Some(title) = title {
                draft.set_milestone(Some(title));
            } else {
                reply.note("the milestone is resolved when the bot runs");
            }
            let users = [UserArg::Login(person.clone())];
            assignees::reassign(&users, person, context, draft, reply);
        }
        Err(why) => reply.refuse(format!("`triage {word}`: {why}")),
    }
}
