//! Roles people hold in a project (`reader` < `maintainer` < `owner`); commands and rules
//! name the minimum role they need.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's role. The order is meaningful: `Reader < Maintainer < Owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Maintainer,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Maintainer => "maintainer",
            Role::Owner => "owner",
        }
    }

    /// GitHub's `author_association` of the repository's owner: the only association that
    /// is a permission (`MEMBER` and `COLLABORATOR` are not: they may be read-only).
    pub const GITHUB_OWNER_ASSOCIATION: &'static str = "OWNER";

    /// Role from GitHub's collaborator permission (`admin`, `maintain`, `write`, `triage`, `read`).
    pub fn from_github_permission(permission: &str) -> Option<Role> {
        match permission {
            "admin" => Some(Role::Owner),
            "maintain" | "write" => Some(Role::Maintainer),
            "triage" | "read" | "none" => Some(Role::Reader),
            _ => None,
        }
    }

    /// Role from a GitLab member access level (50 owner, 40 maintainer, 30 developer, …).
    pub fn from_gitlab_access_level(level: u64) -> Role {
        match level {
            50.. => Role::Owner,
            30..=49 => Role::Maintainer,
            _ => Role::Reader,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Reader < Role::Maintainer && Role::Maintainer < Role::Owner);
    }

    #[test]
    fn forge_levels_map_to_roles() {
        assert_eq!(
            Role::from_github_permission("write"),
            Some(Role::Maintainer)
        );
        assert_eq!(Role::from_github_permission("admin"), Some(Role::Owner));
        assert_eq!(Role::from_gitlab_access_level(30), Role::Maintainer);
        assert_eq!(Role::from_gitlab_access_level(20), Role::Reader);
        assert_eq!(Role::from_gitlab_access_level(50), Role::Owner);
    }
}
