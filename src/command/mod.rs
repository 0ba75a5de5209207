//! Commands in comments: a markdown-aware extractor (`extract`), the table of commands
//! ([`COMMANDS`]: names, default roles, help, grammar) and the argument grammar (`parse`)
//! that turns a command line into a typed [`Command`]. Pure: no I/O, no clock.
//!
//! # What counts as a command
//! A command is a line of plain paragraph text (not in fenced or indented code, inline code,
//! a block quote — GitLab's `>>>` fences included — an HTML block or an HTML comment) that
//! starts, after at most three spaces, with `/name` or `@<bot-name> name`, where `name` is
//! followed by whitespace or the end of the line (`/assign@joe` and `/usr/bin` are prose).
//! The arguments are the rest of that line. Names are case-insensitive.
//!
//! Not commands:
//! - list markers before the name (`- /label x`): the line must start with the command,
//!   as Prow and GitLab require; a list item's continuation line may hold one;
//! - lines indented by four spaces or more, even inside a paragraph;
//! - `/name` where `name` is not a forgehand command: such lines are GitLab quick actions
//!   (`/estimate 1h`, `/spend 2h`) or prose, and are ignored silently. With the explicit
//!   `@<bot-name> name` spelling the author clearly meant forgehand, so an unknown name is
//!   kept and [`parse`] answers [`CommandError::Unknown`].

mod extract;
mod grammar;
mod table;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use extract::extract;
pub use grammar::parse;
pub use table::{canonical_name, spec_of, CommandSpec, ParseArgs, COMMANDS};

/// How a command was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spelling {
    /// `/label ~bug`
    Slash,
    /// `@forgehand label ~bug`
    Mention,
}

/// One command line found in a comment, before its arguments are parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RawCommand {
    /// The command name as written, lowercased (an alias is not resolved here).
    pub name: String,
    /// The rest of the line, trimmed.
    pub args: String,
    /// 1-based line number in the comment body.
    pub line: usize,
    /// `/name` or `@bot name`.
    pub spelling: Spelling,
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case", tag = "command", content = "args")]
#[strum(serialize_all = "snake_case")]
pub enum Command {
    /// Add labels.
    Label(Vec<String>),
    /// Remove labels; empty means all labels.
    Unlabel(Vec<String>),
    /// Replace all labels by these.
    Relabel(Vec<String>),
    /// Set the milestone.
    Milestone(MilestoneArg),
    /// Clear the milestone.
    RemoveMilestone,
    /// Add assignees.
    Assign(Vec<UserArg>),
    /// Replace all assignees by these.
    Reassign(Vec<UserArg>),
    /// Remove assignees; empty means all assignees.
    Unassign(Vec<UserArg>),
    /// Mention people (logins without `@`).
    Cc(Vec<String>),
    /// Close the issue or merge request.
    Close,
    /// Reopen the issue or merge request.
    Reopen,
    /// Route the issue per the configured triagers.
    Triage(TriageArg),
    /// List the commands the caller may run.
    Help,
    /// Release questions.
    Release(ReleaseArg),
    /// File a deployment request.
    Deploy(DeployEnv),
}

/// The argument of `/milestone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneArg {
    /// `%current` (unquoted, any case): the open milestone due soonest.
    Current,
    /// `%next` (unquoted, any case): the open milestone after the current one.
    Next,
    /// A milestone title: `%"1.4"`, `%Backlog`, `1.4`, `Sprint 12`, `%"current"`.
    Title(String),
}

/// A user in `/assign`, `/reassign`, `/unassign`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserArg {
    /// `me` or `@me`: the comment's author.
    Me,
    /// A login, without the `@`, as written.
    Login(String),
}

/// The argument of `/triage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageArg {
    /// To the engineering lead, current milestone.
    Urgent,
    /// To the product manager, `Backlog`.
    Later,
}

/// The subcommand of `/release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseArg {
    /// Answer the next release dates and the release manager.
    Schedule,
}

/// The environment of `/deploy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployEnv {
    /// `/deploy staging`
    Staging,
    /// `/deploy production`
    Production,
}

/// A command that cannot run as written; `Display` is a sentence fit for a reply comment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// `@bot foo` where `foo` is not a command.
    #[error("unknown command `{name}`; `help` lists the commands")]
    Unknown { name: String },
    /// A required argument is missing.
    #[error("`{command}` needs {expected}")]
    Missing {
        command: &'static str,
        expected: &'static str,
    },
    /// Arguments given to a command that takes none, or too many.
    #[error("`{command}` {expected}, but got `{got}`")]
    Unexpected {
        command: &'static str,
        expected: &'static str,
        got: String,
    },
    /// A value outside a fixed set (`/triage soon`, `/deploy qa`).
    #[error("`{command}` does not know `{got}`; use {valid}")]
    Invalid {
        command: &'static str,
        got: String,
        valid: &'static str,
    },
    /// A `"` without its closing `"`.
    #[error("`{command}`: unterminated quote in `{text}`; close it with `\"`")]
    UnterminatedQuote { command: &'static str, text: String },
    /// Text glued to a closing quote: `~"foo"bar`.
    #[error("`{command}`: unexpected text right after the closing quote in `{text}`; separate values with a space or a comma")]
    AfterQuote { command: &'static str, text: String },
    /// A sigil or quotes with nothing in them: `~`, `~""`, `%`.
    #[error("`{command}`: empty {what} in `{text}`")]
    Empty {
        command: &'static str,
        what: &'static str,
        text: String,
    },
    /// Not a possible forge login.
    #[error("`{command}`: `{got}` is not a valid username")]
    InvalidUser { command: &'static str, got: String },
}

impl Command {
    /// The canonical name, used for permissions and help (the variant's name in snake
    /// case, as in [`COMMANDS`]).
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// Every command line of `body`, parsed, in order: one result per line [`extract`] finds.
pub fn parse_all(body: &str, bot_name: &str) -> Vec<Result<Command, CommandError>> {
    extract(body, bot_name).iter().map(parse).collect()
}

/// The command lines of `current` that were not in `previous` (for edited comments):
/// compared by name and arguments, counting repeats, ignoring line numbers.
pub fn added_since(previous: &str, current: &str, bot_name: &str) -> Vec<RawCommand> {
    let mut old = extract(previous, bot_name);
    extract(current, bot_name)
        .into_iter()
        .filter(|new| {
            match old
                .iter()
                .position(|o| o.name == new.name && o.args == new.args)
            {
                Some(i) => {
                    old.swap_remove(i);
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// The scope of a scoped label: the part before the last `::` (GitLab's rule), if both it
/// and the value after it are non-empty. `flow::To Do` → `flow`; `a::b::c` → `a::b`.
pub fn scope_of(label: &str) -> Option<&str> {
    let i = label.rfind("::")?;
    let (scope, value) = (&label[..i], &label[i + 2..]);
    (!scope.is_empty() && !value.is_empty()).then_some(scope)
}
