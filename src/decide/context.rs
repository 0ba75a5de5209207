//! What `decide` knows beyond the event: facts the worker fetched from the forge and the store
//! before deciding. A fact a permission depends on is a [`Fact`]: when serving it is either
//! known or unknown (with the reason), and an unknown one refuses the command. Only
//! `forgehand plan`, which calls no forge, assumes — through [`Context::offline_assumptions`],
//! the one place a [`Fact::Assumed`] is made.

use crate::model::{IssueSnapshot, MarkedIssue, Milestone};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a fact is unknown when nothing tried to fetch it.
pub const NOT_LOOKED_UP: &str = "it was not looked up";

/// A fact `decide` may need: what the forge said, what `forgehand plan` assumes, or unknown
/// (and why). The default is unknown, so a fact nobody fetched refuses what depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    /// The forge (or the configuration) says so.
    Known(T),
    /// Not asked of any forge: `forgehand plan`'s assumption, shown as such in its output.
    Assumed(T),
    /// Could not be checked; the text says why ("the forge answered 500 …").
    Unknown(String),
}

impl<T> Default for Fact<T> {
    fn default() -> Self {
        Fact::Unknown(NOT_LOOKED_UP.to_string())
    }
}

impl<T> Fact<T> {
    /// The value, known or assumed; `None` when unknown.
    pub fn value(&self) -> Option<&T> {
        match self {
            Fact::Known(v) | Fact::Assumed(v) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    /// Why the fact is unknown, if it is.
    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Fact::Unknown(why) => Some(why),
            _ => None,
        }
    }
}

/// Which facts `decide` needs for an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The role of the event's actor, from the forge.
    pub actor_role: bool,
    /// The labels defined in the repository.
    pub labels: bool,
    /// Facts about the release the event concerns (tags, changelog, changes, pipeline…).
    pub release: bool,
    /// The open milestones of the repository.
    pub milestones: bool,
    /// Logins whose existence commands depend on.
    pub users: Vec<String>,
    /// The item as the forge has it now (GitLab note payloads name assignees only by id).
    pub item: bool,
    /// The open issues carrying this label (a scheduled summary).
    pub labelled_issues: Option<String>,
    /// The incident issue of an alert, found by its marker.
    pub incident: Option<super::incidents::IncidentLookup>,
    /// The facts of a release-day firing (last tag, changes, checklist, the train's
    /// deployment requests).
    pub release_day: bool,
}

/// Facts gathered for one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The actor's role as the forge reports it (the YAML `roles:` map wins over it);
    /// unknown unless gathered.
    pub actor_role: Fact<Role>,
    /// Labels that exist in the repository.
    pub labels: Option<Vec<String>>,
    /// The comment's text before an edit, when the forge's payload does not carry it.
    pub previous_comment_body: Option<String>,
    /// The release the event concerns, when it concerns one.
    pub release: Option<super::release::ReleaseFacts>,
    /// Open milestones of the repository.
    pub milestones: Option<Vec<Milestone>>,
    /// Lowercased login → whether such a user exists. A login not in the map is unknown.
    pub users: Option<BTreeMap<String, bool>>,
    /// The issue / MR as the forge has it now; when present it replaces the payload's view.
    pub item: Option<IssueSnapshot>,
    /// Numbers of the open issues carrying the label [`Needs::labelled_issues`] named.
    pub labelled_issues: Option<Vec<u64>>,
    /// The newest issue carrying the marker [`Needs::incident`] named: `Some(None)` when
    /// there is none. (Kept as JSON for `explain` and `replay`: absent when not looked up,
    /// `null` when looked up and none found, so that both read back as they were.)
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "looked_up"
    )]
    pub incident: Option<Option<MarkedIssue>>,
    /// What a release-day firing acts on ([`Needs::release_day`]).
    pub release_day: Option<super::release::day::ReleaseDayFacts>,
}

/// A present value, `null` included, is `Some`: something was looked up.
fn looked_up<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl Context {
    /// What `forgehand plan` assumes, calling no forge: the actor holds the `owner` role, so
    /// the plan shows what the commands would do. The only constructor of assumed facts;
    /// serving never calls it (`tests/fail_closed.rs` checks both).
    pub fn offline_assumptions() -> Context {
        Context {
            actor_role: Fact::Assumed(Role::Owner),
            ..Context::default()
        }
    }

    /// Whether `login` is known not to exist (unknown means "exists").
    pub fn user_missing(&self, login: &str) -> bool {
        self.users
            .as_ref()
            .and_then(|u| u.get(&login.to_ascii_lowercase()))
            .is_some_and(|exists| !exists)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_reads_back_as_it_was_kept() {
        for incident in [None, Some(None)] {
            let context = Context {
                actor_role: Fact::Known(Role::Maintainer),
                labels: Some(vec!["bug".into()]),
                users: Some(BTreeMap::from([("alice".to_string(), false)])),
                incident,
                ..Context::default()
            };
            let json = serde_json::to_string(&context).unwrap();
            let back: Context = serde_json::from_str(&json).unwrap();
            assert_eq!(back, context, "{json}");
        }
        let unknown: Context =
            serde_json::from_str(r#"{"actor_role":{"unknown":"the forge answered 502"}}"#).unwrap();
        assert_eq!(
            unknown.actor_role.unknown_reason(),
            Some("the forge answered 502")
        );
    }
}
