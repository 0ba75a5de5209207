//! GitHub issues, issue comments and pull requests.

use crate::event::payload::Payload;

use super::types::{self, Issue, Label, Milestone, User};
use super::{parse, Ctx};
use crate::event::{
    Comment, CommentAction, DecodeError, Decoded, EventKind, IssueAction, Item, ItemState,
    MergeRequest, MergeRequestAction,
};

impl Ctx<'_> {
    pub(super) fn issues(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let action = match self.action()? {
            "opened" => IssueAction::Opened,
            "edited" => IssueAction::Edited,
            "closed" => IssueAction::Closed,
            "reopened" => IssueAction::Reopened,
            "labeled" => IssueAction::Labeled,
            "unlabeled" => IssueAction::Unlabeled,
            "milestoned" => IssueAction::Milestoned,
            "demilestoned" => IssueAction::Demilestoned,
            "assigned" => IssueAction::Assigned,
            "unassigned" => IssueAction::Unassigned,
            _ => return self.ignored("issue action not handled"),
        };
        let payload: types::IssuesPayload = parse(value, &self.what())?;
        let issue = issue_item(payload.issue);
        self.event(EventKind::Issue { action, issue })
    }

    pub(super) fn issue_comment(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let created = match self.action()? {
            "created" => true,
            "edited" => false,
            _ => return self.ignored("comment action not handled"),
        };
        let payload: types::IssueCommentPayload = parse(value, &self.what())?;
        let action = if created {
            CommentAction::Created
        } else {
            let previous_body = payload.changes.and_then(|c| c.body).and_then(|b| b.from);
            CommentAction::Edited { previous_body }
        };
        let c = payload.comment;
        let comment = Comment {
            id: c.id,
            body: c.body.unwrap_or_default(),
            author: c.user.map(|u| u.login).unwrap_or_default(),
            author_association: c.author_association,
            url: c.html_url,
        };
        let on = issue_item(payload.issue);
        self.event(EventKind::Comment {
            action,
            comment,
            on,
        })
    }

    pub(super) fn pull_request(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let action = match self.action()? {
            "opened" => MergeRequestAction::Opened,
            "synchronize" | "edited" => MergeRequestAction::Updated,
            "reopened" => MergeRequestAction::Reopened,
            "closed" => MergeRequestAction::Closed,
            _ => return self.ignored("pull request action not handled"),
        };
        let payload: types::PullRequestPayload = parse(value, &self.what())?;
        let pr = payload.pull_request;
        let action = match action {
            MergeRequestAction::Closed if pr.merged == Some(true) => MergeRequestAction::Merged,
            other => other,
        };
        self.pull_request_event(action, pr)
    }

    fn pull_request_event(
        &self,
        action: MergeRequestAction,
        pr: types::PullRequest,
    ) -> Result<Decoded, DecodeError> {
        let merged = pr.merged == Some(true) || pr.merged_at.is_some();
        let (milestone, milestone_id) = milestone(pr.milestone);
        let (author, author_id) = author(pr.user);
        let item = Item {
            number: pr.number,
            global_id: None,
            is_merge_request: true,
            title: pr.title,
            body: pr.body.unwrap_or_default(),
            state: item_state(pr.state.as_deref(), merged),
            labels: label_names(pr.labels),
            milestone,
            milestone_id,
            assignees: logins(pr.assignees),
            author,
            author_id,
            author_association: pr.author_association,
            url: pr.html_url,
        };
        self.event(EventKind::MergeRequest {
            action,
            merge_request: MergeRequest {
                item,
                source_branch: pr.head.git_ref,
                target_branch: pr.base.git_ref,
                sha: pr.head.sha,
            },
        })
    }
}

fn author(user: Option<User>) -> (String, Option<u64>) {
    user.map(|u| (u.login, u.id)).unwrap_or_default()
}

fn milestone(m: Option<Milestone>) -> (Option<String>, Option<u64>) {
    match m {
        Some(m) => (Some(m.title), m.number),
        None => (None, None),
    }
}

fn label_names(labels: Option<Vec<Label>>) -> Vec<String> {
    labels
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.name)
        .collect()
}

fn logins(users: Option<Vec<User>>) -> Vec<String> {
    users
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.login)
        .collect()
}

fn item_state(state: Option<&str>, merged: bool) -> ItemState {
    match state {
        Some("closed") if merged => ItemState::Merged,
        Some("closed") => ItemState::Closed,
        _ => ItemState::Open,
    }
}

/// An issue, or a pull request seen as an issue (`issue.pull_request` present).
fn issue_item(issue: Issue) -> Item {
    let is_merge_request = issue.pull_request.is_some();
    let merged = issue
        .pull_request
        .as_ref()
        .is_some_and(|p| p.merged_at.is_some());
    let (milestone, milestone_id) = milestone(issue.milestone);
    let (author, author_id) = author(issue.user);
    Item {
        number: issue.number,
        global_id: None,
        is_merge_request,
        title: issue.title,
        body: issue.body.unwrap_or_default(),
        state: item_state(issue.state.as_deref(), merged),
        labels: label_names(issue.labels),
        milestone,
        milestone_id,
        assignees: logins(issue.assignees),
        author,
        author_id,
        author_association: issue.author_association,
        url: issue.html_url,
    }
}
