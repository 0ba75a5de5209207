//! The GitLab operations behind [`Forge`]: one `PUT` per issue / merge request edit (labels,
//! milestone id, assignee ids, state event), notes, award emoji, listings and member roles.

use super::{item_base, parse, project_base, GitlabForge, GlUser};
use crate::forge::{Forge, ForgeError};
use crate::model::ForgeKind;
use crate::model::{IssueSnapshot, IssueState, Milestone};
use crate::plan::{IssueChange, StateChange, Target};
use crate::role::Role;
use async_trait::async_trait;
use chrono::NaiveDate;
use http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// GitHub reaction names → GitLab award emoji names (others are passed through).
fn emoji_name(reaction: &str) -> &str {
    match reaction {
        "+1" => "thumbsup",
        "-1" => "thumbsdown",
        "laugh" => "laughing",
        "hooray" => "tada",
        other => other,
    }
}

#[derive(Deserialize)]
struct GlMilestoneRef {
    title: String,
}

#[derive(Deserialize)]
struct GlIssue {
    #[serde(default)]
    labels: Vec<String>,
    milestone: Option<GlMilestoneRef>,
    #[serde(default)]
    assignees: Vec<GlUser>,
    state: String,
}

#[derive(Deserialize)]
struct GlMilestone {
    id: u64,
    iid: u64,
    title: String,
    start_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct GlLabel {
    name: String,
}

#[derive(Deserialize)]
struct GlNote {
    id: u64,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct GlMember {
    access_level: u64,
}

#[async_trait]
impl Forge for GitlabForge {
    fn kind(&self) -> ForgeKind {
        ForgeKind::Gitlab
    }

    async fn issue(&self, target: &Target) -> Result<IssueSnapshot, ForgeError> {
        let issue: GlIssue = self.get_json(&target.repo, &item_base(target)).await?;
        for user in &issue.assignees {
            self.shared
                .users
                .insert(user.username.clone(), Some(user.id));
        }
        Ok(IssueSnapshot {
            labels: issue.labels,
            milestone: issue.milestone.map(|m| m.title),
            assignees: issue.assignees.into_iter().map(|u| u.username).collect(),
            state: if issue.state == "opened" {
                IssueState::Open
            } else {
                IssueState::Closed
            },
        })
    }

    async fn edit_issue(
        &self,
        target: &Target,
        change: &IssueChange,
        _current_labels: &[String],
    ) -> Result<(), ForgeError> {
        let mut body = Map::new();
        if !change.add_labels.is_empty() {
            body.insert("add_labels".into(), json!(change.add_labels.join(",")));
        }
        if !change.remove_labels.is_empty() {
            body.insert(
                "remove_labels".into(),
                json!(change.remove_labels.join(",")),
            );
        }
        match &change.milestone {
            Some(Some(title)) => {
                let id = self.milestone_id(&target.repo, title).await?;
                body.insert("milestone_id".into(), json!(id));
            }
            Some(None) => {
                body.insert("milestone_id".into(), json!(0));
            }
            None => {}
        }
        if change.changes_assignees() {
            let current = if change.set_assignees.is_some() {
                Vec::new()
            } else {
                self.issue(target).await?.assignees
            };
            let mut ids = Vec::new();
            for username in change.resulting_assignees(&current) {
                match self.user_id(&username).await? {
                    Some(id) => ids.push(id),
                    None => return Err(ForgeError::NotFound(format!("user @{username}"))),
                }
            }
            body.insert("assignee_ids".into(), json!(ids));
        }
        match change.state {
            Some(StateChange::Close) => {
                body.insert("state_event".into(), json!("close"));
            }
            Some(StateChange::Reopen) => {
                body.insert("state_event".into(), json!("reopen"));
            }
            None => {}
        }
        if body.is_empty() {
            return Ok(());
        }
        self.request(
            Method::PUT,
            &target.repo,
            &item_base(target),
            Some(&Value::Object(body)),
        )
        .await
        .map(drop)
    }

    async fn comment(&self, target: &Target, body: &str) -> Result<u64, ForgeError> {
        let endpoint = format!("{}/notes", item_base(target));
        let answer = self
            .request(
                Method::POST,
                &target.repo,
                &endpoint,
                Some(&json!({ "body": body })),
            )
            .await?;
        Ok(parse::<GlNote>(&answer)?.id)
    }

    async fn find_comment_with_marker(
        &self,
        target: &Target,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        let endpoint = format!("{}/notes", item_base(target));
        let notes: Vec<GlNote> = self.get_all(&target.repo, &endpoint).await?;
        Ok(notes
            .into_iter()
            .find(|n| n.body.contains(marker))
            .map(|n| n.id))
    }

    async fn react(
        &self,
        target: &Target,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!("{}/notes/{comment_id}/award_emoji", item_base(target));
        let body = json!({ "name": emoji_name(reaction) });
        match self
            .request(Method::POST, &target.repo, &endpoint, Some(&body))
            .await
        {
            Ok(_) => Ok(()),
            // Awarding the same emoji twice is refused; it is there, which is what we want.
            Err(ForgeError::NotFound(m) | ForgeError::Rejected { message: m, .. })
                if m.contains("already been taken") =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    async fn labels(&self, repo: &str) -> Result<Vec<String>, ForgeError> {
        let fetch = async {
            let labels: Vec<GlLabel> = self
                .get_all(repo, &format!("{}/labels", project_base(repo)))
                .await?;
            Ok(labels.into_iter().map(|l| l.name).collect())
        };
        self.shared
            .labels
            .get_or_fetch(repo.to_string(), fetch)
            .await
    }

    async fn milestones(&self, repo: &str) -> Result<Vec<Milestone>, ForgeError> {
        match self.shared.milestone_lists.get(&repo.to_string()) {
            Some(list) => Ok(list),
            None => self.fetch_milestones(repo).await,
        }
    }

    async fn user_exists(&self, login: &str) -> Result<bool, ForgeError> {
        Ok(self.user_id(login).await?.is_some())
    }

    async fn create_label(&self, repo: &str, name: &str, color: &str) -> Result<(), ForgeError> {
        let endpoint = format!("{}/labels", project_base(repo));
        let color = format!("#{}", color.trim_start_matches('#'));
        let body = json!({ "name": name, "color": color });
        self.request(Method::POST, repo, &endpoint, Some(&body))
            .await?;
        self.shared.labels.remove(&repo.to_string());
        Ok(())
    }

    async fn role_of(&self, repo: &str, login: &str) -> Result<Option<Role>, ForgeError> {
        let Some(user_id) = self.user_id(login).await? else {
            return Ok(None);
        };
        let endpoint = format!("{}/members/all/{user_id}", project_base(repo));
        match self.get_json::<GlMember>(repo, &endpoint).await {
            Ok(member) => Ok(Some(Role::from_gitlab_access_level(member.access_level))),
            // An existing user who is not a member (public projects): a reader.
            Err(ForgeError::NotFound(_)) => Ok(Some(Role::Reader)),
            Err(e) => Err(e),
        }
    }
}

impl GitlabForge {
    /// Read the open milestones (the project's and its groups') from GitLab, refreshing both
    /// caches.
    pub(super) async fn fetch_milestones(&self, repo: &str) -> Result<Vec<Milestone>, ForgeError> {
        let endpoint = format!(
            "{}/milestones?state=active&include_ancestors=true",
            project_base(repo)
        );
        let found: Vec<GlMilestone> = self.get_all(repo, &endpoint).await?;
        let milestones: Vec<Milestone> = found
            .into_iter()
            .map(|m| Milestone {
                id: m.id,
                number_or_iid: m.iid,
                title: m.title,
                start_date: m.start_date,
                due_date: m.due_date,
            })
            .collect();
        for m in &milestones {
            self.shared
                .milestones
                .insert((repo.to_string(), m.title.clone()), m.id);
        }
        self.shared
            .milestone_lists
            .insert(repo.to_string(), milestones.clone());
        Ok(milestones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_map_to_award_emoji() {
        assert_eq!(emoji_name("eyes"), "eyes");
        assert_eq!(emoji_name("+1"), "thumbsup");
        assert_eq!(emoji_name("hooray"), "tada");
    }
}
