//! What `decide` knows beyond the event: facts the worker fetched from the forge and the store
//! before deciding. A `None` field was not fetched (e.g. `forgehand plan`, which calls no forge),
//! and `decide` then assumes the most permissive answer rather than refusing.

use crate::model::{IssueSnapshot, MarkedIssue, Milestone};
use crate::role::Role;
use serde::Serialize;
use std::collections::BTreeMap;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The actor's role as the forge reports it (the YAML `roles:` map wins over it).
    pub actor_role: Option<Role>,
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
    /// there is none.
    pub incident: Option<Option<MarkedIssue>>,
    /// What a release-day firing acts on ([`Needs::release_day`]).
    pub release_day: Option<super::release::day::ReleaseDayFacts>,
}

impl Context {
    /// Whether `login` is known not to exist (unknown means "exists").
    pub fn user_missing(&self, login: &str) -> bool {
        self.users
            .as_ref()
            .and_then(|u| u.get(&login.to_ascii_lowercase()))
            .is_some_and(|exists| !exists)
    }
}
