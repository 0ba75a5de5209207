//! The `bot:` section: the name people address the bot by and the logins that are the bot
//! itself (whose events and comments are ignored, so it never answers itself).

use super::document::{Report, Validate};
use serde::Deserialize;

/// Default bot name when neither the file nor `FORGEHAND_BOT_NAME` says otherwise.
pub const DEFAULT_BOT_NAME: &str = "forgehand";

/// `bot:` — the bot's identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    /// The name in `@forgehand label …`, and a login of the bot itself (as is
    /// `<name>[bot]`, GitHub's login for an App). Default `forgehand`.
    #[serde(default = "default_name")]
    pub name: String,
    /// More logins that are the bot itself, e.g. the user a GitLab token belongs to.
    /// Default none.
    #[serde(default)]
    pub logins: Vec<String>,
}

impl BotConfig {
    /// Whether `login` is the bot itself (case-insensitive).
    pub fn is_self(&self, login: &str) -> bool {
        let login = login.trim_start_matches('@');
        login.eq_ignore_ascii_case(&self.name)
            || login
                .strip_suffix("[bot]")
                .is_some_and(|l| l.eq_ignore_ascii_case(&self.name))
            || self.logins.iter().any(|l| l.eq_ignore_ascii_case(login))
    }
}

impl Validate for BotConfig {
    fn validate(&self, report: &mut Report<'_>) {
        if let Some(problem) = login_problem(&self.name) {
            report.error(
                "name",
                format!("invalid bot name `{}`: {problem}", self.name),
            );
        }
        for (i, login) in self.logins.iter().enumerate() {
            if let Some(problem) = login_problem(login) {
                report.error(
                    &format!("logins[{i}]"),
                    format!("invalid login `{login}`: {problem}"),
                );
            }
        }
    }
}

/// Why `login` cannot be a forge login, if it cannot.
fn login_problem(login: &str) -> Option<&'static str> {
    if login.is_empty() {
        Some("must not be empty")
    } else if login.starts_with('@') {
        Some("write it without the leading `@`")
    } else if login.chars().any(char::is_whitespace) {
        Some("must not contain spaces")
    } else {
        None
    }
}

fn default_name() -> String {
    DEFAULT_BOT_NAME.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_logins_table() {
        let bot = BotConfig {
            name: "forgehand".into(),
            logins: vec!["forgehand-gitlab".into()],
        };
        let cases: &[(&str, bool)] = &[
            ("forgehand", true),
            ("ForgeHand", true),
            ("@forgehand", true),
            ("forgehand[bot]", true),
            ("forgehand-gitlab", true),
            ("alice", false),
            ("forgehand2", false),
            ("[bot]", false),
        ];
        for (login, expected) in cases {
            assert_eq!(bot.is_self(login), *expected, "{login}");
        }
    }
}
