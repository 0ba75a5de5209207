//! GitLab issues, notes and merge requests.

use crate::event::payload::Payload;

use super::types::{self, IssueChanges, Label};
use super::{parse, Ctx};
use crate::event::{
    Comment, CommentAction, DecodeError, Decoded, EventKind, IssueAction, Item, ItemState,
    MergeRequest, MergeRequestAction,
};

impl Ctx<'_> {
    pub(super) fn issue(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::IssueHook = parse(value, self.event)?;
        let action = match hook.object_attributes.action.as_deref() {
            Some("open") => IssueAction::Opened,
            Some("close") => IssueAction::Closed,
            Some("reopen") => IssueAction::Reopened,
            Some("update") => update_action(hook.changes.as_ref()),
            Some(other) => return self.ignored(&format!("issue action `{other}` not handled")),
            None => {
                return Err(DecodeError(format!(
                    "{}: missing field `object_attributes.action`",
                    self.event
                )))
            }
        };
        let assignees = hook.assignees.unwrap_or_default();
        let issue = self.issue_item(hook.object_attributes, assignees)?;
        self.event(
            hook.project,
            self.actor.clone(),
            EventKind::Issue { action, issue },
        )
    }

    fn issue_item(
        &self,
        issue: types::Issue,
        assignees: Vec<types::Assignee>,
    ) -> Result<Item, DecodeError> {
        Ok(Item {
            number: issue.iid,
            global_id: issue.id,
            is_merge_request: false,
            title: issue.title,
            body: issue.description.unwrap_or_default(),
            state: self.state(issue.state.as_deref())?,
            labels: label_titles(issue.labels),
            milestone: None,
            milestone_id: issue.milestone_id,
            assignees: assignees.into_iter().map(|a| a.username).collect(),
            author: self.author(issue.author_id),
            author_id: issue.author_id,
            author_association: None,
            url: issue.url,
        })
    }

    pub(super) fn merge_request(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::MergeRequestHook = parse(value, self.event)?;
        let action = match hook.object_attributes.action.as_deref() {
            Some("open") => MergeRequestAction::Opened,
            Some("update") => MergeRequestAction::Updated,
            Some("merge") => MergeRequestAction::Merged,
            Some("close") => MergeRequestAction::Closed,
            Some("reopen") => MergeRequestAction::Reopened,
            Some(other) => {
                return self.ignored(&format!("merge request action `{other}` not handled"))
            }
            None => {
                return Err(DecodeError(format!(
                    "{}: missing field `object_attributes.action`",
                    self.event
                )))
            }
        };
        let merge_request = self.merge_request_of(hook.object_attributes, hook.assignees)?;
        self.event(
            hook.project,
            self.actor.clone(),
            EventKind::MergeRequest {
                action,
                merge_request,
            },
        )
    }

    fn merge_request_of(
        &self,
        mr: types::MergeRequest,
        assignees: Option<Vec<types::Assignee>>,
    ) -> Result<MergeRequest, DecodeError> {
        let assignees = assignees
            .unwrap_or_else(|| mr.assignee.into_iter().collect())
            .into_iter()
            .map(|a| a.username)
            .collect();
        let item = Item {
            number: mr.iid,
            global_id: mr.id,
            is_merge_request: true,
            title: mr.title,
            body: mr.description.unwrap_or_default(),
            state: self.state(mr.state.as_deref())?,
            labels: label_titles(mr.labels),
            milestone: None,
            milestone_id: mr.milestone_id,
            assignees,
            author: self.author(mr.author_id),
            author_id: mr.author_id,
            author_association: None,
            url: mr.url,
        };
        Ok(MergeRequest {
            item,
            source_branch: mr.source_branch,
            target_branch: mr.target_branch,
            sha: mr.last_commit.map(|c| c.id),
        })
    }

    fn state(&self, state: Option<&str>) -> Result<ItemState, DecodeError> {
        match state {
            Some("opened") | None => Ok(ItemState::Open),
            Some("closed" | "locked") => Ok(ItemState::Closed),
            Some("merged") => Ok(ItemState::Merged),
            Some(other) => Err(DecodeError(format!(
                "{}: unknown state `{other}`",
                self.event
            ))),
        }
    }

    pub(super) fn note(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::NoteHook = parse(value, self.event)?;
        let note = hook.object_attributes;
        if note.system == Some(true) {
            return self.ignored("system note");
        }
        let action = match note.action.as_deref() {
            // GitLab before 16.11 sent no action: notes were only created.
            Some("create") | None => CommentAction::Created,
            Some("update") => CommentAction::Edited {
                previous_body: None,
            },
            Some(other) => return self.ignored(&format!("note action `{other}` not handled")),
        };
        let missing = |field: &str| DecodeError(format!("{}: missing field `{field}`", self.event));
        let on = match note.noteable_type.as_str() {
            "Issue" => {
                let issue = hook.issue.ok_or_else(|| missing("issue"))?;
                self.issue_item(issue, Vec::new())?
            }
            "MergeRequest" => {
                let mr = hook.merge_request.ok_or_else(|| missing("merge_request"))?;
                self.merge_request_of(mr, None)?.item
            }
            other => return self.ignored(&format!("note on a {other} not handled")),
        };
        let comment = Comment {
            id: note.id,
            body: note.note.unwrap_or_default(),
            author: self.actor.login.clone(),
            author_association: None,
            url: note.url,
        };
        self.event(
            hook.project,
            self.actor.clone(),
            EventKind::Comment {
                action,
                comment,
                on,
            },
        )
    }
}

fn label_titles(labels: Option<Vec<Label>>) -> Vec<String> {
    labels
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.title)
        .collect()
}

/// Which kind of change an issue `update` was, judged from `changes`. Text edits win,
/// then labels, milestone and assignees; anything else is an edit.
fn update_action(changes: Option<&IssueChanges>) -> IssueAction {
    let Some(c) = changes else {
        return IssueAction::Edited;
    };
    if c.title.is_some() || c.description.is_some() {
        return IssueAction::Edited;
    }
    if let Some(labels) = &c.labels {
        let before: Vec<&str> = titles(&labels.previous);
        let added = titles(&labels.current).iter().any(|t| !before.contains(t));
        return if added {
            IssueAction::Labeled
        } else {
            IssueAction::Unlabeled
        };
    }
    if let Some(milestone) = &c.milestone_id {
        return if milestone.current.is_some() {
            IssueAction::Milestoned
        } else {
            IssueAction::Demilestoned
        };
    }
    if let Some(assignees) = &c.assignees {
        let before: Vec<&str> = usernames(&assignees.previous);
        let added = usernames(&assignees.current)
            .iter()
            .any(|u| !before.contains(u));
        return if added {
            IssueAction::Assigned
        } else {
            IssueAction::Unassigned
        };
    }
    IssueAction::Edited
}

fn titles(labels: &Option<Vec<Label>>) -> Vec<&str> {
    labels.iter().flatten().map(|l| l.title.as_str()).collect()
}

fn usernames(users: &Option<Vec<types::Assignee>>) -> Vec<&str> {
    users
        .iter()
        .flatten()
        .map(|u| u.username.as_str())
        .collect()
}
