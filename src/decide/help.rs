//! `/help`: the commands the caller may run, from [`crate::command::COMMANDS`] filtered by
//! the caller's role and the `commands:` minimum roles.

use crate::command::COMMANDS;
use crate::config::Config;
use crate::role::Role;

/// The help text for someone holding `role` (`None`: unknown, everything is listed).
pub fn text(config: &Config, role: Option<Role>) -> String {
    let bot = config.bot_name();
    let mut lines = match role {
        Some(role) => vec![format!(
            "the commands you may run here (your role: {role}):"
        )],
        None => vec!["the commands of this project:".to_string()],
    };
    lines.push(String::new());
    for spec in COMMANDS {
        let allowed = match role {
            Some(role) => config.commands.permits(spec.name, role),
            None => true,
        };
        if allowed {
            lines.push(format!("- `/{}`: {}", spec.usage, spec.summary));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Write a command at the start of a line; `@{bot} <command>` works too."
    ));
    lines.join("\n")
}
