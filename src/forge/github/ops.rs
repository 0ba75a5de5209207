//! The GitHub operations behind [`Forge`]: issue edits in at most two writes (`POST` labels
//! for pure additions, one `PATCH` for the rest, the current labels read first when some
//! are removed since the `PATCH` replaces the whole list), comments, reactions, listings
//! and roles.

use super::{repo_base, valid_login, GithubForge};
use crate::forge::transport::encode::encode;
use crate::forge::{Forge, ForgeError, IssueEdit, LabelStyle, Turn};
use crate::model::{
    ForgeKind, IssueRef, IssueSnapshot, IssueState, LabelName, Login, Milestone, RepoPath,
};
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
struct GhLabel {
    name: String,
    #[serde(default)]
    color: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct GhLogin {
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
    assignees: Vec<GhLogin>,
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

/// `/repos/{owner}/{name}/issues/{number}` (pull requests are issues there too).
fn issue_path(item: &IssueRef) -> Result<String, ForgeError> {
    Ok(format!("{}/issues/{}", repo_base(&item.repo)?, item.number))
}

#[async_trait]
impl Forge for GithubForge {
    fn kind(&self) -> ForgeKind {
        ForgeKind::Github
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
        let path = repo_base(repo)?;
        self.shared
            .transport
            .turn(self, &path, (repo.as_str(), ticket), writes)
            .await
    }

    async fn issue(&self, item: &IssueRef) -> Result<IssueSnapshot, ForgeError> {
        let issue: GhIssue = self.get_json(&issue_path(item)?).await?;
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

    async fn edit_issue(&self, item: &IssueRef, edit: &IssueEdit) -> Result<(), ForgeError> {
        let issue_path = issue_path(item)?;
        // Fields only a PATCH sets; when one is sent, label additions travel in it too (one
        // write instead of a POST of labels and a PATCH).
        let patches_anyway =
            edit.milestone.is_some() || edit.changes_assignees() || edit.state.is_some();
        // GitHub replaces the whole label list in a PATCH, so it needs the labels as they are
        // now (not as the possibly older webhook payload saw them); one read serves the
        // assignees too.
        let needs_current = !edit.remove_labels.is_empty()
            || (!edit.add_labels.is_empty() && patches_anyway)
            || (edit.changes_assignees() && edit.set_assignees.is_none());
        let current = if needs_current {
            Some(self.issue(item).await?)
        } else {
            None
        };
        let current_labels = current
            .as_ref()
            .map(|c| c.labels.clone())
            .unwrap_or_default();
        let mut patch = Map::new();

        let has =
            |labels: &[String], name: &str| labels.iter().any(|l| l.eq_ignore_ascii_case(name));
        let names = |labels: &[LabelName]| -> Vec<String> {
            labels.iter().map(|l| l.as_str().to_string()).collect()
        };
        let (add, remove) = (names(&edit.add_labels), names(&edit.remove_labels));
        let mut additions: Vec<String> = Vec::new();
        for label in &add {
            if !has(&current_labels, label) && !has(&additions, label) {
                additions.push(label.clone());
            }
        }
        let removes_any = current_labels
            .iter()
            .any(|l| has(&remove, l) && !has(&add, l));
        if removes_any || (patches_anyway && !additions.is_empty()) {
            // GitHub cannot remove several labels in one call: send the resulting list.
            let mut labels: Vec<String> = current_labels
                .iter()
                .filter(|l| !has(&remove, l) || has(&add, l))
                .cloned()
                .collect();
            labels.append(&mut additions);
            patch.insert("labels".into(), json!(labels));
        }

        match &edit.milestone {
            Some(Some(title)) => {
                let number = self
                    .shared
                    .lists
                    .milestone_id(&item.repo, title, self.fetch_milestones(&item.repo))
                    .await?;
                patch.insert("milestone".into(), json!(number));
            }
            Some(None) => {
                patch.insert("milestone".into(), Value::Null);
            }
            None => {}
        }
        if edit.changes_assignees() {
            let assignees = current.map(|c| c.assignees).unwrap_or_default();
            patch.insert(
                "assignees".into(),
                json!(edit.resulting_assignees(&assignees)),
            );
        }
        match edit.state {
            Some(IssueState::Closed) => {
                patch.insert("state".into(), json!("closed"));
            }
            Some(IssueState::Open) => {
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

    async fn comment(&self, item: &IssueRef, body: &str) -> Result<u64, ForgeError> {
        let path = format!("{}/comments", issue_path(item)?);
        let answer = self
            .create_request(Method::POST, &path, &json!({ "body": body }))
            .await?;
        Ok(self.parse::<GhComment>(&answer)?.id)
    }

    async fn find_comment_with_marker(
        &self,
        item: &IssueRef,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        let path = format!("{}/comments", issue_path(item)?);
        let comments: Vec<GhComment> = self.get_all(&path).await?;
        Ok(comments
            .into_iter()
            .find(|c| c.body.as_deref().is_some_and(|b| b.contains(marker)))
            .map(|c| c.id))
    }

    async fn edit_comment(
        &self,
        item: &IssueRef,
        comment_id: u64,
        body: &str,
    ) -> Result<(), ForgeError> {
        let path = format!("{}/issues/comments/{comment_id}", repo_base(&item.repo)?);
        self.request(Method::PATCH, &path, Some(&json!({ "body": body })))
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
        let path = format!("{}/statuses/{}", repo_base(repo)?, encode(sha));
        let state = if success { "success" } else { "failure" };
        let body = json!({ "state": state, "context": context, "description": description });
        self.request(Method::POST, &path, Some(&body))
            .await
            .map(drop)
    }

    async fn react(
        &self,
        item: &IssueRef,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let path = format!(
            "{}/issues/comments/{comment_id}/reactions",
            repo_base(&item.repo)?
        );
        // 200 (already there) and 201 (created) are both fine.
        self.request(Method::POST, &path, Some(&json!({ "content": reaction })))
            .await
            .map(drop)
    }

    async fn labels(&self, repo: &RepoPath) -> Result<Vec<String>, ForgeError> {
        let fetch = async {
            let labels: Vec<Named> = self
                .get_all(&format!("{}/labels", repo_base(repo)?))
                .await?;
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
        if !valid_login(login) {
            return Ok(false);
        }
        let fetch = async {
            let path = format!("/users/{}", encode(login.as_str()));
            match self.request(Method::GET, &path, None).await {
                Ok(_) => Ok(true),
                Err(ForgeError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
            }
        };
        let key = login.as_str().to_ascii_lowercase();
        self.shared.users.get_or_fetch(key, fetch).await
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
        let labels: Vec<GhLabel> = self
            .get_all(&format!("{}/labels", repo_base(repo)?))
            .await?;
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
        let path = format!("{}/labels", repo_base(repo)?);
        let body = json!({
            "name": name.as_str(),
            "color": color.trim_start_matches('#'),
            "description": description,
        });
        self.request(Method::POST, &path, Some(&body)).await?;
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
        let path = format!("{}/labels/{}", repo_base(repo)?, encode(name.as_str()));
        let body = json!({ "color": color.trim_start_matches('#'), "description": description });
        self.request(Method::PATCH, &path, Some(&body)).await?;
        Ok(())
    }

    async fn role_of(&self, repo: &RepoPath, login: &Login) -> Result<Option<Role>, ForgeError> {
        if !valid_login(login) {
            return Ok(None);
        }
        let key = (repo.clone(), login.as_str().to_ascii_lowercase());
        self.shared
            .roles
            .get_or_fetch(key, self.fetch_role(repo, login))
            .await
    }

    async fn learn_own_login(&self) -> Result<String, ForgeError> {
        let login = match &self.app {
            // An App acts as `<slug>[bot]`; `GET /app` takes the App's own token.
            Some(app) => {
                let me: GhApp = self
                    .shared
                    .transport
                    .get_json(&super::sender::AppSender(app), "/app")
                    .await?;
                format!("{}[bot]", me.slug)
            }
            None => self.get_json::<GhUser>("/user").await?.login,
        };
        Ok(self.shared.own_login.get_or_init(|| login).clone())
    }

    fn own_login(&self) -> Option<String> {
        self.shared.own_login.get().cloned()
    }
}

/// `GET /app`: the part forgehand reads.
#[derive(Deserialize)]
struct GhApp {
    slug: String,
}

/// `GET /user`: the part forgehand reads.
#[derive(Deserialize)]
struct GhUser {
    login: String,
}

impl GithubForge {
    /// The collaborator permission of `login` on `repo`, as a role.
    async fn fetch_role(&self, repo: &RepoPath, login: &Login) -> Result<Option<Role>, ForgeError> {
        let path = format!(
            "{}/collaborators/{}/permission",
            repo_base(repo)?,
            encode(login.as_str())
        );
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
    /// Read the open milestones from GitHub.
    pub(super) async fn fetch_milestones(
        &self,
        repo: &RepoPath,
    ) -> Result<Vec<Milestone>, ForgeError> {
        let found: Vec<GhMilestone> = self
            .get_all(&format!("{}/milestones?state=open", repo_base(repo)?))
            .await?;
        Ok(found
            .into_iter()
            .map(|m| Milestone {
                id: m.id,
                number_or_iid: m.number,
                title: m.title,
                start_date: None,
                due_date: m.due_on.map(|d| d.date_naive()),
            })
            .collect())
    }
}
