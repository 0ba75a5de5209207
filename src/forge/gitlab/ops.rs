//! The GitLab operations behind [`Forge`]: one `PUT` per issue / merge request edit (labels,
//! milestone id, assignee ids, state event), notes, award emoji, listings and member roles.

use super::{item_base, project_base, GitlabForge, GlUser};
use crate::forge::{Forge, ForgeError, IssueEdit, LabelStyle, Turn};
use crate::model::{
    ForgeKind, IssueRef, IssueSnapshot, IssueState, LabelName, Login, Milestone, RepoPath,
};
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
    #[serde(default)]
    color: String,
    #[serde(default)]
    description: Option<String>,
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

    async fn check_credentials(&self) -> Result<(), ForgeError> {
        self.check().await
    }

    async fn write_turn(
        &self,
        repo: &RepoPath,
        ticket: i64,
        writes: u32,
    ) -> Result<Turn, ForgeError> {
        let path = project_base(repo);
        self.shared
            .transport
            .turn(self, &path, (repo.as_str(), ticket), writes)
            .await
    }

    async fn issue(&self, item: &IssueRef) -> Result<IssueSnapshot, ForgeError> {
        let issue: GlIssue = self.get_json(&item_base(item)).await?;
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

    async fn edit_issue(&self, item: &IssueRef, edit: &IssueEdit) -> Result<(), ForgeError> {
        let mut body = Map::new();
        if !edit.add_labels.is_empty() {
            body.insert("add_labels".into(), json!(joined(&edit.add_labels)));
        }
        if !edit.remove_labels.is_empty() {
            body.insert("remove_labels".into(), json!(joined(&edit.remove_labels)));
        }
        match &edit.milestone {
            Some(Some(title)) => {
                let id = self
                    .shared
                    .lists
                    .milestone_id(&item.repo, title, self.fetch_milestones(&item.repo))
                    .await?;
                body.insert("milestone_id".into(), json!(id));
            }
            Some(None) => {
                body.insert("milestone_id".into(), json!(0));
            }
            None => {}
        }
        if edit.changes_assignees() {
            let current = if edit.set_assignees.is_some() {
                Vec::new()
            } else {
                self.issue(item).await?.assignees
            };
            let resulting = edit.resulting_assignees(&current);
            body.insert(
                "assignee_ids".into(),
                json!(self.user_ids(&resulting).await?),
            );
        }
        match edit.state {
            Some(IssueState::Closed) => {
                body.insert("state_event".into(), json!("close"));
            }
            Some(IssueState::Open) => {
                body.insert("state_event".into(), json!("reopen"));
            }
            None => {}
        }
        if body.is_empty() {
            return Ok(());
        }
        self.request(Method::PUT, &item_base(item), Some(&Value::Object(body)))
            .await
            .map(drop)
    }

    async fn comment(&self, item: &IssueRef, body: &str) -> Result<u64, ForgeError> {
        let endpoint = format!("{}/notes", item_base(item));
        let answer = self
            .create_request(Method::POST, &endpoint, &json!({ "body": body }))
            .await?;
        Ok(self.parse::<GlNote>(&answer)?.id)
    }

    async fn find_comment_with_marker(
        &self,
        item: &IssueRef,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        let endpoint = format!("{}/notes", item_base(item));
        let notes: Vec<GlNote> = self.get_all(&endpoint).await?;
        Ok(notes
            .into_iter()
            .find(|n| n.body.contains(marker))
            .map(|n| n.id))
    }

    async fn edit_comment(
        &self,
        item: &IssueRef,
        comment_id: u64,
        body: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!("{}/notes/{comment_id}", item_base(item));
        self.request(Method::PUT, &endpoint, Some(&json!({ "body": body })))
            .await
            .map(drop)
    }

    async fn set_commit_status(
        &self,
        repo: &RepoPath,
        sha: &str,
        context: &str,
        success: bool,
        description: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!(
            "{}/statuses/{}",
            project_base(repo),
            crate::forge::transport::encode::encode(sha)
        );
        let state = if success { "success" } else { "failed" };
        let body = json!({ "state": state, "name": context, "description": description });
        self.request(Method::POST, &endpoint, Some(&body))
            .await
            .map(drop)
    }

    async fn react(
        &self,
        item: &IssueRef,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!("{}/notes/{comment_id}/award_emoji", item_base(item));
        let body = json!({ "name": emoji_name(reaction) });
        match self.request(Method::POST, &endpoint, Some(&body)).await {
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

    async fn labels(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError> {
        let fetch = async {
            let endpoint = format!("{}/labels", project_base(repo));
            let labels: Vec<GlLabel> = self.get_all(&endpoint).await?;
            Ok(labels.into_iter().map(|l| l.name).collect())
        };
        self.shared.lists.labels(repo, fetch).await
    }

    async fn milestones(&self, repo: &RepoPath) -> Result<Vec<Milestone>, ForgeError> {
        self.shared
            .lists
            .milestones(repo, self.fetch_milestones(repo))
            .await
    }

    async fn user_exists(&self, login: &Login) -> Result<bool, ForgeError> {
        Ok(self.user_id(login.as_str()).await?.is_some())
    }

    async fn install_hook(
        &self,
        repo: &RepoPath,
        url: &str,
        secret: &str,
    ) -> Result<crate::forge::HookInstall, ForgeError> {
        self.install_hook_here(repo, url, secret).await
    }

    async fn label_styles(&self, repo: &RepoPath) -> Result<Vec<LabelStyle>, ForgeError> {
        let endpoint = format!("{}/labels", project_base(repo));
        let labels: Vec<GlLabel> = self.get_all(&endpoint).await?;
        Ok(labels
            .into_iter()
            .map(|l| LabelStyle {
                name: l.name,
                color: LabelStyle::normal_color(&l.color),
                description: l.description.unwrap_or_default(),
            })
            .collect())
    }

    async fn create_label(
        &self,
        repo: &RepoPath,
        name: &LabelName,
        color: &str,
        description: &str,
    ) -> Result<(), ForgeError> {
        let endpoint = format!("{}/labels", project_base(repo));
        let color = format!("#{}", color.trim_start_matches('#'));
        let body = json!({ "name": name.as_str(), "color": color, "description": description });
        self.request(Method::POST, &endpoint, Some(&body)).await?;
        self.shared.lists.forget_labels(repo);
        Ok(())
    }

    async fn update_label(
        &self,
        repo: &RepoPath,
        name: &LabelName,
        color: &str,
        description: &str,
    ) -> Result<(), ForgeError> {
        // `PUT /projects/:id/labels/:label_id` takes the label's id or its name.
        let endpoint = format!(
            "{}/labels/{}",
            project_base(repo),
            crate::forge::transport::encode::encode(name.as_str())
        );
        let color = format!("#{}", color.trim_start_matches('#'));
        let body = json!({ "color": color, "description": description });
        self.request(Method::PUT, &endpoint, Some(&body)).await?;
        Ok(())
    }

    async fn role_of(&self, repo: &RepoPath, login: &Login) -> Result<Option<Role>, ForgeError> {
        let key = (repo.clone(), login.as_str().to_ascii_lowercase());
        self.shared
            .roles
            .get_or_fetch(key, self.fetch_role(repo, login))
            .await
    }

    async fn learn_own_login(&self) -> Result<String, ForgeError> {
        let me: GlUser = self.get_json("user").await?;
        Ok(self.shared.own_login.get_or_init(|| me.username).clone())
    }

    fn own_login(&self) -> Option<String> {
        self.shared.own_login.get().cloned()
    }
}

impl GitlabForge {
    /// The member access level of `login` in `repo` (inherited memberships included), as a
    /// role.
    async fn fetch_role(&self, repo: &RepoPath, login: &Login) -> Result<Option<Role>, ForgeError> {
        let Some(user_id) = self.user_id(login.as_str()).await? else {
            return Ok(None);
        };
        let endpoint = format!("{}/members/all/{user_id}", project_base(repo));
        match self.get_json::<GlMember>(&endpoint).await {
            Ok(member) => Ok(Some(Role::from_gitlab_access_level(member.access_level))),
            // An existing user who is not a member (public projects): a reader.
            Err(ForgeError::NotFound(_)) => Ok(Some(Role::Reader)),
            Err(e) => Err(e),
        }
    }
}

impl GitlabForge {
    /// Read the open milestones (the project's and its groups') from GitLab.
    pub(super) async fn fetch_milestones(
        &self,
        repo: &RepoPath,
    ) -> Result<Vec<Milestone>, ForgeError> {
        let endpoint = format!(
            "{}/milestones?state=active&include_ancestors=true",
            project_base(repo)
        );
        let found: Vec<GlMilestone> = self.get_all(&endpoint).await?;
        Ok(found
            .into_iter()
            .map(|m| Milestone {
                id: m.id,
                number_or_iid: m.iid,
                title: m.title,
                start_date: m.start_date,
                due_date: m.due_date,
            })
            .collect())
    }
}

/// Label names as GitLab takes them in one field: joined by commas.
fn joined(labels: &[LabelName]) -> String {
    labels
        .iter()
        .map(LabelName::as_str)
        .collect::<Vec<_>>()
        .join(",")
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
