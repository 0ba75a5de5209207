//! The `roles:` and `commands:` sections: who holds which role (forge login → role), and the
//! minimum role each comment command needs (by default, its `default_role` in
//! [`COMMANDS`]).

use crate::command::COMMANDS;
use crate::role::Role;
use serde::de::{Deserialize, Deserializer, Error};
use std::collections::BTreeMap;

/// `roles:` — forge login → role. Logins compare case-insensitively. People not listed get
/// the role the forge gives them. Default: nobody listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(BTreeMap<String, Role>);

impl Roles {
    /// Builds the table from `(login, role)` entries; a later entry for a login wins.
    pub fn from_entries(entries: impl IntoIterator<Item = (Login, Role)>) -> Roles {
        Roles(entries.into_iter().map(|(l, r)| (l.0, r)).collect())
    }

    /// The configured role of `login`, if any.
    pub fn get(&self, login: &str) -> Option<Role> {
        self.0
            .get(&login.trim_start_matches('@').to_ascii_lowercase())
            .copied()
    }

    /// Logins (lowercased) and their roles.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Role)> {
        self.0.iter().map(|(l, r)| (l.as_str(), *r))
    }
}

/// A forge login used as a key of `roles:`; stored lowercased, without a leading `@`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Login(String);

impl<'de> Deserialize<'de> for Login {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let login = text.trim_start_matches('@');
        if login.is_empty() || login.chars().any(char::is_whitespace) {
            return Err(D::Error::custom(format!("invalid login `{text}`")));
        }
        Ok(Login(login.to_ascii_lowercase()))
    }
}

/// `commands:` — command name → minimum role; commands not listed keep their
/// `default_role` in [`COMMANDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRoles(BTreeMap<&'static str, Role>);

impl Default for CommandRoles {
    fn default() -> Self {
        CommandRoles(COMMANDS.iter().map(|c| (c.name, c.default_role)).collect())
    }
}

impl CommandRoles {
    /// The defaults, overridden by `entries`.
    pub fn from_entries(entries: impl IntoIterator<Item = (CommandName, Role)>) -> CommandRoles {
        let mut roles = CommandRoles::default();
        roles.0.extend(entries.into_iter().map(|(c, r)| (c.0, r)));
        roles
    }

    /// The minimum role for `command` (case-insensitive); `None` for an unknown command.
    pub fn min_role(&self, command: &str) -> Option<Role> {
        self.0.get(command.to_ascii_lowercase().as_str()).copied()
    }

    /// Whether someone holding `role` may run `command`; unknown commands are refused.
    pub fn permits(&self, command: &str, role: Role) -> bool {
        self.min_role(command).is_some_and(|min| role >= min)
    }

    /// Every command and its minimum role, alphabetically.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Role)> + '_ {
        self.0.iter().map(|(c, r)| (*c, *r))
    }
}

/// A known command's name used as a key of `commands:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandName(&'static str);

impl<'de> Deserialize<'de> for CommandName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let lower = text.trim_start_matches('/').to_ascii_lowercase();
        COMMANDS
            .iter()
            .find(|c| c.name == lower)
            .map(|c| CommandName(c.name))
            .ok_or_else(|| {
                let known: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
                D::Error::custom(format!(
                    "unknown command `{text}`, expected one of {}",
                    known.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_command_roles_table() {
        let roles = CommandRoles::default();
        let cases: &[(&str, Role, bool)] = &[
            ("help", Role::Reader, true),
            ("cc", Role::Reader, true),
            ("CC", Role::Reader, true),
            ("label", Role::Reader, false),
            ("label", Role::Maintainer, true),
            ("triage", Role::Owner, true),
            ("remove_milestone", Role::Maintainer, true),
            ("deploy", Role::Reader, false),
            ("frobnicate", Role::Owner, false),
        ];
        for (command, role, expected) in cases {
            assert_eq!(
                roles.permits(command, *role),
                *expected,
                "{command} as {role}"
            );
        }
    }

    #[test]
    fn overrides_keep_the_other_defaults() {
        let label: CommandName = serde_json::from_str("\"Label\"").unwrap();
        let roles = CommandRoles::from_entries([(label, Role::Reader)]);
        assert_eq!(roles.min_role("label"), Some(Role::Reader));
        assert_eq!(roles.min_role("close"), Some(Role::Maintainer));
        assert!(serde_json::from_str::<CommandName>("\"lable\"").is_err());
    }

    #[test]
    fn logins_compare_case_insensitively() {
        let alice: Login = serde_json::from_str("\"@Alice\"").unwrap();
        let roles = Roles::from_entries([(alice, Role::Owner)]);
        assert_eq!(roles.get("alice"), Some(Role::Owner));
        assert_eq!(roles.get("ALICE"), Some(Role::Owner));
        assert_eq!(roles.get("bob"), None);
    }
}
