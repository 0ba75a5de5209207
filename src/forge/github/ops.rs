//! The GitHub operations behind [`Forge`]: issue edits in at most two writes (`POST` labels
//! for pure additions, one `PATCH` for the rest), comments, reactions, listings and roles.

use super::{parse, repo_base, valid_login, GithubForge};
use crate::forge::{Forge, ForgeError};
use crate::model::ForgeKind;
use crate::model::{IssueSnapshot, IssueState, Milestone};
use crate::plan::{IssueChange, StateChange, Target};
use crate::role::Role;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct Titled {
    title: String,
}

#[derive(Deserialize)]
struct GhIssue {
    #[serde(default)]
    labels: Vec<Named>,
    milestone: Option<Titled>,
    #[serde(default)]
    assignees: Vec<Login>,
    state: String,
}

#[derive(Deserialize)]
struct GhMilestone {
    id: u64,
    number: u64,
    title: String,
    due_on: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct GhComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct GhPermission {
    permission: String,
}

#[async_trait]
impl Forge for GithubForge {
    fn kind(&self) -> ForgeKind {
        ForgeKind::Github
    }

    async fn issue(&self, target: &Target) -> Result<IssueSnapshot, ForgeError> {
        let base = repo_base(&target.repo)?;
        let issue: GhIssue = self
            .get_json(&format!("{base}/issues/{}", target.number))
            .await?;
        Ok(IssueSnapshot {
            labels: issue.labels.into_iter().map(|l| l.name).collect(),
            milestone: issue.milestone.map(|m| m.title),
            assignees: issue.assignees.into_iter().map(|a| a.login).collect(),
            state: if issue.state == "closed" {
                IssueState::Closed
            } else {
                IssueState::Open
            },
        })
    }

    async fn edit_issue(
        &self,
        target: &Target,
        change: &IssueChange,
        current_labels: &[String],
    ) -> Result<(), ForgeError> {
        let issue_path = format!("{}/issues/{}", repo_base(&target.repo)?, target.number);
        let mut patch = Map::new();

        let has =
            |labels: &[String], name: &str| labels.iter().any(|l| l.eq_ignore_ascii_case(name));
        let mut additions: Vec<String> = Vec::new();
        for label in &change.add_labels {
            if !has(current_labels, label) && !has(&additions, label) {
                additions.push(label.clone());
            }
        }
        let removes_any = current_labels
            .iter()
            .any(|l| has(&change.remove_labels, l) && !has(&change.add_labels, l));
        if removes_any {
            // GitHub cannot remove several labels in one call: send the resulting list.
            let mut labels: Vec<String> = current_labels
                .iter()
                .filter(|l| !has(&change.remove_labels, l) || has(&change.add_labels, l))
                .cloned()
                .collect();
            labels.append(&mut additions);
            patch.insert("labels".into(), json!(labels));
        }

        match &change.milestone {
            Some(Some(title)) => {
                let number = self.milestone_number(&target.repo, title).await?;
                patch.insert("milestone".into(), json!(number));
            }
            Some(None) => {
                patch.insert("milestone".into(), Value::Null);
            }
            None => {}
        }
        if change.changes_assignees() {
            let current = if change.set_assignees.is_some() {
                Vec::new()
            } else {
                self.issue(target).await?.assignees
            };
            patch.insert(
                "assignees".into(),
                json!(change.resulting_assignees(&current)),
            );
        }
        match change.state {
            Some(StateChange::Close) => {
                patch.insert("state".into(), json!("closed"));
            }
            Some(StateChange::Reopen) => {
                patch.insert("state".into(), json!("open"));
            }
            None => {}
        }

        if !additions.is_empty() {
            let body = json!({ "labels": additions });
            self.request(Method::POST, &format!("{issue_path}/labels"), Some(&body))
                .await?;
        }
        if !patch.is_empty() {
            self.request(Method::PATCH, &issue_path, Some(&Value::Object(patch)))
                .await?;
        }
        Ok(())
    }

    async fn comment(&self, target: &Target, body: &str) -> Result<u64, ForgeError> {
        let path = format!(
            "{}/issues/{}/comments",
            repo_base(&target.repo)?,
            target.number
        );
        let text = self
            .request(Method::POST, &path, Some(&json!({ "body": body })))
            .await?;
        Ok(parse::<GhComment>(&text)?.id)
    }

    async fn find_comment_with_marker(
        &self,
        target: &Target,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        let path = format!(
            "{}/issues/{}/comments",
            repo_base(&target.repo)?,
            target.number
        );
        let comments: Vec<GhComment> = self.get_all(&path).await?;
        Ok(comments
            .into_iter()
            .find(|c| c.body.as_deref().is_some_and(|b| b.contains(marker)))
            .map(|c| c.id))
    }

    async fn react(
        &self,
        target: &Target,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let path = format!(
            "{}/issues/comments/{comment_id}/reactions",
            repo_base(&target.repo)?
        );
        // 200 (already there) and 201 (created) are both fine.
        self.request(Method::POST, &path, Some(&json!({ "content": reaction })))
            .await
            .map(drop)
    }

    async fn labels(&self, repo: &str) -> Result<Vec<String>, ForgeError> {
        let fetch = async {
            let labels: Vec<Named> = self
                .get_all(&format!("{}/labels", repo_base(repo)?))
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
        if !valid_login(login) {
            return Ok(false);
        }
        let fetch = async {
            match self
                .request(Method::GET, &format!("/users/{login}"), None)
                .await
            {
                Ok(_) => Ok(true),
                Err(ForgeError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
            }
        };
        let key = login.to_ascii_lowercase();
        self.shared.users.get_or_fetch(key, fetch).await
    }

    async fn create_label(&self, repo: &str, name: &str, color: &str) -> Result<(), ForgeError> {
        let path = format!("{}/labels", repo_base(repo)?);
        let body = json!({ "name": name, "color": color.trim_start_matches('#') });
        self.request(Method::POST, &path, Some(&body)).await?;
        self.shared.labels.remove(&repo.to_string());
        Ok(())
    }

    async fn role_of(&self, repo: &str, login: &str) -> Result<Option<Role>, ForgeError> {
        if !valid_login(login) {
            return Ok(None);
        }
        let path = format!("{}/collaborators/{login}/permission", repo_base(repo)?);
        match self.get_json::<GhPermission>(&path).await {
            // Non-collaborators get `read` (public) or `none`: both are `Reader`.
            Ok(p) => Ok(Some(
                Role::from_github_permission(&p.permission).unwrap_or(Role::Reader),
            )),
            Err(ForgeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl GithubForge {
    /// Read the open milestones from GitHub, refreshing both caches.
    pub(super) async fn fetch_milestones(&self, repo: &str) -> Result<Vec<Milestone>, ForgeError> {
        let found: Vec<GhMilestone> = self
            .get_all(&format!("{}/milestones?state=open", repo_base(repo)?))
            .await?;
        let milestones: Vec<Milestone> = found
            .into_iter()
            .map(|m| Milestone {
                id: m.id,
                number_or_iid: m.number,
                title: m.title,
                start_date: None,
                due_date: m.due_on.map(|d| d.date_naive()),
            })
            .collect();
        for m in &milestones {
            self.shared
                .milestones
                .insert((repo.to_string(), m.title.clone()), m.number_or_iid);
        }
        self.shared
            .milestone_lists
            .insert(repo.to_string(), milestones.clone());
        Ok(milestones)
    }
}
