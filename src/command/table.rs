//! The commands, one row each: name and aliases, the minimum role it needs unless the
//! `commands:` section says otherwise, its usage and help line, and its argument grammar.
//! The extractor, the parser, `/help`, role checks and configuration validation all read
//! this table; a command is added here once.

use super::grammar::{choice, labels, mentions, milestone, no_args, users};
use super::{Command, CommandError, DeployEnv, ReleaseArg, TriageArg};
use crate::role::Role;

/// Parses a command's arguments (the rest of its line, trimmed). The first argument is the
/// command's canonical name, for error messages.
pub type ParseArgs = fn(&'static str, &str) -> Result<Command, CommandError>;

/// One command.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Canonical name, as returned by [`Command::name`].
    pub name: &'static str,
    /// Other accepted names.
    pub aliases: &'static [&'static str],
    /// The minimum role to run it, unless `commands:` says otherwise.
    pub default_role: Role,
    /// Usage line, without the leading `/`.
    pub usage: &'static str,
    /// What it does, one line.
    pub summary: &'static str,
    /// Its argument grammar.
    pub parse: ParseArgs,
}

/// Every command, in help order. Readers may ask for `help`, `cc` people and ask for the
/// `release` schedule; everything that changes an issue or files a deployment needs a
/// maintainer.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "label",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "label ~foo ~\"with space\"",
        summary: "add labels",
        parse: |name, args| Ok(Command::Label(labels(name, args, true)?)),
    },
    CommandSpec {
        name: "unlabel",
        aliases: &["remove_label"],
        default_role: Role::Maintainer,
        usage: "unlabel [~foo …]",
        summary: "remove labels (none = all)",
        parse: |name, args| Ok(Command::Unlabel(labels(name, args, false)?)),
    },
    CommandSpec {
        name: "relabel",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "relabel ~foo …",
        summary: "replace all labels",
        parse: |name, args| Ok(Command::Relabel(labels(name, args, true)?)),
    },
    CommandSpec {
        name: "milestone",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "milestone %\"1.4\" | %current | %next",
        summary: "set the milestone",
        parse: |_, args| Ok(Command::Milestone(milestone(args)?)),
    },
    CommandSpec {
        name: "remove_milestone",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "remove_milestone",
        summary: "clear the milestone",
        parse: |name, args| no_args(name, args, Command::RemoveMilestone),
    },
    CommandSpec {
        name: "assign",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "assign @user | me",
        summary: "add assignees",
        parse: |name, args| Ok(Command::Assign(users(name, args, true)?)),
    },
    CommandSpec {
        name: "reassign",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "reassign @user | me",
        summary: "replace the assignees",
        parse: |name, args| Ok(Command::Reassign(users(name, args, true)?)),
    },
    CommandSpec {
        name: "unassign",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "unassign [@user …]",
        summary: "remove assignees (none = all)",
        parse: |name, args| Ok(Command::Unassign(users(name, args, false)?)),
    },
    CommandSpec {
        name: "cc",
        aliases: &[],
        default_role: Role::Reader,
        usage: "cc @user …",
        summary: "mention people",
        parse: |_, args| Ok(Command::Cc(mentions(args)?)),
    },
    CommandSpec {
        name: "close",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "close",
        summary: "close",
        parse: |name, args| no_args(name, args, Command::Close),
    },
    CommandSpec {
        name: "reopen",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "reopen",
        summary: "reopen",
        parse: |name, args| no_args(name, args, Command::Reopen),
    },
    CommandSpec {
        name: "triage",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "triage urgent | later",
        summary: "route to the triagers",
        parse: |name, args| {
            let options = [("urgent", TriageArg::Urgent), ("later", TriageArg::Later)];
            choice(name, args, "`urgent` or `later`", &options).map(Command::Triage)
        },
    },
    CommandSpec {
        name: "help",
        aliases: &[],
        default_role: Role::Reader,
        usage: "help",
        summary: "list the commands you may run",
        parse: |name, args| no_args(name, args, Command::Help),
    },
    CommandSpec {
        name: "release",
        aliases: &[],
        default_role: Role::Reader,
        usage: "release schedule",
        summary: "next release dates and manager",
        parse: |name, args| {
            let options = [("schedule", ReleaseArg::Schedule)];
            choice(name, args, "`schedule`", &options).map(Command::Release)
        },
    },
    CommandSpec {
        name: "deploy",
        aliases: &[],
        default_role: Role::Maintainer,
        usage: "deploy production | staging",
        summary: "file a deployment request",
        parse: |name, args| {
            let options = [
                ("production", DeployEnv::Production),
                ("staging", DeployEnv::Staging),
            ];
            choice(name, args, "`production` or `staging`", &options).map(Command::Deploy)
        },
    },
];

/// The command a (lowercase) name or alias names, if it is a command.
pub fn spec_of(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// The canonical name for a (lowercase) command name or alias, if it is a command.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    spec_of(name).map(|c| c.name)
}
