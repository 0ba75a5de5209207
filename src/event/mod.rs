//! The forge-neutral event model: every GitHub and GitLab webhook that forgehand acts on is
//! decoded into one [`Event`]; all forge quirks end in `github.rs` / `gitlab.rs`, and what
//! remains different between forges is told by the event's [`Dialect`].

pub mod alerts;
pub mod dialect;
pub mod firing;
pub mod github;
pub mod gitlab;
mod payload;
pub mod release_day;
#[cfg(test)]
mod testing;

use serde::{Deserialize, Serialize};
use strum::{EnumDiscriminants, EnumIter, IntoEnumIterator, IntoStaticStr, VariantNames};

pub use crate::model::ForgeKind;
pub use dialect::{Dialect, LabelRefStyle};

/// A repository (GitHub) or project (GitLab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repo {
    /// `owner/name` on GitHub, `group/sub/project` on GitLab.
    pub path: String,
    /// GitHub repository id or GitLab project id.
    pub id: Option<u64>,
    /// Default branch, when the payload names it.
    pub default_branch: Option<String>,
    /// Web URL of the repository / project.
    pub url: Option<String>,
    /// GitHub App installation id (GitHub only).
    pub installation_id: Option<u64>,
}

/// The person (or bot) who caused the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub login: String,
    pub id: Option<u64>,
    /// A bot account (GitHub `type: Bot`, GitLab `bot: true`, or a `[bot]` suffix).
    pub is_bot: bool,
}

/// State of an issue or merge request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    Open,
    Closed,
    Merged,
}

/// An issue or merge request as it stood in the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Issue number (GitHub) or iid (GitLab).
    pub number: u64,
    /// GitLab's global id of the issue / MR (needed by some GitLab endpoints).
    pub global_id: Option<u64>,
    /// True for a pull / merge request.
    pub is_merge_request: bool,
    pub title: String,
    pub body: String,
    pub state: ItemState,
    pub labels: Vec<String>,
    /// Milestone title, when the payload names it (GitLab issue / MR hooks carry only an id).
    pub milestone: Option<String>,
    /// The id the forge's API takes for the milestone: GitHub milestone number, GitLab
    /// milestone id.
    pub milestone_id: Option<u64>,
    pub assignees: Vec<String>,
    /// Login of the author; empty when the payload names the author only by id (GitLab).
    pub author: String,
    /// Forge user id of the author.
    pub author_id: Option<u64>,
    /// GitHub's `author_association` of the item's author (e.g. `MEMBER`), when present.
    pub author_association: Option<String>,
    pub url: Option<String>,
}

/// A comment (GitHub issue comment / GitLab note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub author: String,
    /// GitHub's `author_association` of the commenter, when present.
    pub author_association: Option<String>,
    pub url: Option<String>,
}

/// What happened to an issue. Rules name it after the kind: `issue.opened`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum IssueAction {
    Opened,
    Edited,
    Closed,
    Reopened,
    Labeled,
    Unlabeled,
    Milestoned,
    Demilestoned,
    Assigned,
    Unassigned,
}

/// What happened to a comment. Rules name it after the kind: `comment.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommentAction {
    Created,
    /// `previous_body` is the text before the edit when the forge says it.
    Edited {
        previous_body: Option<String>,
    },
}

/// What happened to a merge request. Rules name it after the kind: `merge_request.merged`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MergeRequestAction {
    Opened,
    Updated,
    Merged,
    Closed,
    Reopened,
}

/// A merge / pull request with its branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub item: Item,
    pub source_branch: String,
    pub target_branch: String,
    /// Head commit sha.
    pub sha: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineStatus {
    Pending,
    Running,
    Success,
    Failed,
    Canceled,
    Skipped,
    Other,
}

/// A CI pipeline (GitLab pipeline, GitHub workflow run / check suite).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    pub id: u64,
    /// Branch or tag name the pipeline ran for.
    pub git_ref: String,
    pub is_tag: bool,
    pub sha: Option<String>,
    pub status: PipelineStatus,
    /// Stage names (GitLab) or the workflow name (GitHub).
    pub stages: Vec<String>,
    pub url: Option<String>,
}

/// One commit of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCommit {
    pub id: String,
    pub message: String,
    /// Files added, modified or removed by the commit.
    pub paths: Vec<String>,
}

/// A release (GitHub release, GitLab release).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub tag: String,
    pub name: Option<String>,
    pub body: String,
    pub url: Option<String>,
}

/// What happened. [`EventKindName`], derived from it, names each kind in logs, metrics and
/// rules' `on:` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum_discriminants(
    name(EventKindName),
    doc = "The kind of an [`EventKind`], without its data.",
    derive(EnumIter, IntoStaticStr),
    strum(serialize_all = "snake_case")
)]
pub enum EventKind {
    Ping,
    Issue {
        action: IssueAction,
        issue: Item,
    },
    Comment {
        action: CommentAction,
        comment: Comment,
        /// The issue or merge request the comment is on.
        on: Item,
    },
    MergeRequest {
        action: MergeRequestAction,
        merge_request: MergeRequest,
    },
    #[strum_discriminants(strum(serialize = "tag_push"))]
    TagPushed {
        tag: String,
        sha: Option<String>,
    },
    #[strum_discriminants(strum(serialize = "tag_delete"))]
    TagDeleted {
        tag: String,
    },
    #[strum_discriminants(strum(serialize = "release"))]
    ReleasePublished {
        release: Release,
    },
    Pipeline {
        pipeline: Pipeline,
    },
    /// A scheduled rule fired (`schedules:`), for the event's repository.
    #[strum_discriminants(strum(serialize = "schedule"))]
    Scheduled {
        /// The schedule's id.
        schedule: String,
        /// The time slot it fired for (UTC).
        slot: chrono::DateTime<chrono::Utc>,
    },
    /// A date of the release calendar came (`release.release_day:`), for the event's
    /// repository.
    ReleaseDay {
        /// The release-day call or the production train.
        step: release_day::DayStep,
        /// The calendar date.
        date: chrono::NaiveDate,
        /// When it was due (UTC).
        slot: chrono::DateTime<chrono::Utc>,
    },
    /// A push to the repository's default branch.
    #[strum_discriminants(strum(serialize = "push"))]
    DefaultBranchPush {
        branch: String,
        before: Option<String>,
        after: Option<String>,
        commits: Vec<PushCommit>,
    },
    /// A monitoring alert (Alertmanager, Pingdom); the event names no repository, the
    /// `incidents:` routes say where it goes.
    Alert {
        alert: alerts::Alert,
    },
}

impl EventKind {
    /// Short name used in logs, metrics and rule `on:` lists.
    pub fn name(&self) -> &'static str {
        EventKindName::from(self).name()
    }

    /// The action's name as rules write it after the kind (`opened` in `issue.opened`),
    /// for kinds that have actions.
    pub fn action_name(&self) -> Option<&'static str> {
        match self {
            EventKind::Issue { action, .. } => Some(action.into()),
            EventKind::Comment { action, .. } => Some(action.into()),
            EventKind::MergeRequest { action, .. } => Some(action.into()),
            _ => None,
        }
    }
}

impl EventKindName {
    /// Short name used in logs, metrics and rule `on:` lists.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The actions a rule may name after this kind (`issue.opened`): empty for a kind
    /// without actions, `None` for a kind rules do not react to.
    pub fn rule_actions(self) -> Option<&'static [&'static str]> {
        match self {
            EventKindName::Issue => Some(IssueAction::VARIANTS),
            EventKindName::Comment => Some(CommentAction::VARIANTS),
            EventKindName::MergeRequest => Some(MergeRequestAction::VARIANTS),
            EventKindName::TagPushed
            | EventKindName::TagDeleted
            | EventKindName::ReleasePublished
            | EventKindName::Pipeline
            | EventKindName::DefaultBranchPush => Some(&[]),
            // A hook's first delivery, a schedule's firing (its schedule says what to do) and
            // an alert (the `incidents:` section says what to do).
            EventKindName::Ping
            | EventKindName::Scheduled
            | EventKindName::ReleaseDay
            | EventKindName::Alert => None,
        }
    }

    /// Every kind a rule may name in `on:`, with its actions.
    pub fn for_rules() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
        EventKindName::iter().filter_map(|kind| Some((kind.name(), kind.rule_actions()?)))
    }
}

/// One decoded delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub forge: ForgeKind,
    /// `None` only for events that concern no single repository (e.g. a GitHub App ping).
    pub repo: Option<Repo>,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// What differs about the forge the event came from, as its decoder states it.
    pub fn dialect(&self) -> Dialect {
        dialect_of(self.forge)
    }
}

/// The dialect of `forge`, as its decoder states it.
pub fn dialect_of(forge: ForgeKind) -> Dialect {
    match forge {
        ForgeKind::Github => github::DIALECT,
        ForgeKind::Gitlab => gitlab::DIALECT,
    }
}

/// What a decoder made of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    Event(Box<Event>),
    /// Authentic, well-formed, but nothing forgehand acts on; the reason is recorded.
    Ignored(String),
}

/// A payload that could not be decoded; the job is marked failed with this reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        DecodeError(format!("malformed payload: {e}"))
    }
}

/// Whether `event_name` is one of forgehand's own sources (a schedule firing, an alert)
/// rather than a forge's event. A forge's webhook may not use these names: the forge
/// ingress stores such a delivery under [`foreign_event_name`] instead.
pub fn is_own_source(event_name: &str) -> bool {
    event_name == firing::SCHEDULE_EVENT
        || event_name == release_day::RELEASE_DAY_EVENT
        || alerts::AlertSource::from_event(event_name).is_some()
}

/// The name a forge delivery is stored under when its event header names one of
/// forgehand's own sources: decoded, it is an unknown kind of that forge and ignored, so
/// a webhook secret cannot be used to file incidents or fire schedules.
pub fn foreign_event_name(event_name: &str) -> String {
    if is_own_source(event_name) {
        format!("forge:{event_name}")
    } else {
        event_name.to_string()
    }
}

/// Decode a delivery of either forge. `event_name` is the `X-GitHub-Event` or
/// `X-Gitlab-Event` header, or forgehand's own: a schedule's firing, an alert source's name.
pub fn decode(forge: ForgeKind, event_name: &str, body: &[u8]) -> Result<Decoded, DecodeError> {
    if event_name == firing::SCHEDULE_EVENT {
        return firing::decode_firing(forge, body);
    }
    if event_name == release_day::RELEASE_DAY_EVENT {
        return release_day::decode_day(forge, body);
    }
    if let Some(source) = alerts::AlertSource::from_event(event_name) {
        return alerts::decode(forge, source, body);
    }
    match forge {
        ForgeKind::Github => github::decode(event_name, body),
        ForgeKind::Gitlab => gitlab::decode(event_name, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_as_logs_metrics_and_rules_name_them() {
        let names: Vec<_> = EventKindName::iter().map(EventKindName::name).collect();
        assert_eq!(
            names,
            [
                "ping",
                "issue",
                "comment",
                "merge_request",
                "tag_push",
                "tag_delete",
                "release",
                "pipeline",
                "schedule",
                "release_day",
                "push",
                "alert"
            ]
        );
        let ping = EventKind::Ping;
        assert_eq!((ping.name(), ping.action_name()), ("ping", None));
        let deleted = EventKind::TagDeleted { tag: "v1".into() };
        assert_eq!(
            (deleted.name(), deleted.action_name()),
            ("tag_delete", None)
        );
    }
}
