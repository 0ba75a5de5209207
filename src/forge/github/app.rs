//! GitHub App authentication: which installation (and so which installation token) a request
//! uses. A client bound with [`GithubForge::for_installation`] uses that installation; an
//! unbound App client finds the installation of the request's repository
//! (`GET /repos/{owner}/{repo}/installation`, cached).

use super::sender::AppSender;
use super::GithubForge;
use crate::forge::ForgeError;
use http::Method;
use octocrab::models::InstallationId;
use octocrab::Octocrab;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
struct Installation {
    id: u64,
}

impl GithubForge {
    /// The client for a delivery of `installation_id` (the webhook's `installation.id`):
    /// with a GitHub App it acts as that installation (tokens are minted on first use and
    /// renewed when they expire); with a token it is the same client.
    pub fn for_installation(&self, installation_id: u64) -> Result<GithubForge, ForgeError> {
        if self.app.is_none() {
            return Ok(self.clone());
        }
        Ok(GithubForge {
            client: self.installation_client(installation_id)?,
            app: self.app.clone(),
            installation: Some(installation_id),
            shared: self.shared.clone(),
        })
    }

    /// The client and throttle key for a request about `repo` (`owner/name` as it stands in
    /// the request's path; `None`: not about a repository).
    pub(super) async fn client_for(
        &self,
        repo: Option<&str>,
    ) -> Result<(Arc<Octocrab>, String), ForgeError> {
        let Some(app) = &self.app else {
            return Ok((self.client.clone(), "token".to_string()));
        };
        let id = match (self.installation, repo) {
            (Some(id), _) => id,
            (None, Some(repo)) => self.installation_of_repo(app, repo).await?,
            (None, None) => self.any_installation(app).await?,
        };
        let client = match self.installation {
            Some(_) => self.client.clone(),
            None => self.installation_client(id)?,
        };
        Ok((client, format!("installation:{id}")))
    }

    /// The (shared, token-caching) client of one installation.
    fn installation_client(&self, installation_id: u64) -> Result<Arc<Octocrab>, ForgeError> {
        let Some(app) = &self.app else {
            return Ok(self.client.clone());
        };
        let mut clients = self
            .shared
            .installations
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&installation_id) {
            return Ok(client.clone());
        }
        let client = Arc::new(
            app.installation(InstallationId(installation_id))
                .map_err(|e| ForgeError::Other(format!("GitHub installation: {e}")))?,
        );
        clients.insert(installation_id, client.clone());
        Ok(client)
    }

    async fn installation_of_repo(&self, app: &Octocrab, repo: &str) -> Result<u64, ForgeError> {
        if let Some(id) = self.shared.repo_installations.get(&repo.to_string()) {
            return Ok(id);
        }
        let path = format!("/repos/{repo}/installation");
        let installation: Installation = self
            .shared
            .transport
            .get_json(&AppSender(app), &path)
            .await
            .map_err(|e| match e {
                ForgeError::NotFound(_) => {
                    ForgeError::NotFound(format!("the GitHub App is not installed on {repo}"))
                }
                other => other,
            })?;
        self.shared
            .repo_installations
            .insert(repo.to_string(), installation.id);
        Ok(installation.id)
    }

    /// Reach GitHub and check the credentials: a token with `GET /rate_limit` (which costs
    /// no budget), a GitHub App with `GET /app/installations`.
    pub async fn check(&self) -> Result<(), ForgeError> {
        match &self.app {
            Some(app) => self
                .shared
                .transport
                .request(
                    &AppSender(app),
                    Method::GET,
                    "/app/installations?per_page=1",
                    None,
                )
                .await
                .map(|_| ()),
            None => self
                .shared
                .transport
                .request(self, Method::GET, "/rate_limit", None)
                .await
                .map(|_| ()),
        }
    }

    /// Any installation, for requests that concern no repository (e.g. looking up a user).
    async fn any_installation(&self, app: &Octocrab) -> Result<u64, ForgeError> {
        let known = {
            let clients = self
                .shared
                .installations
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            clients.keys().next().copied()
        };
        if let Some(id) = known {
            return Ok(id);
        }
        let installations: Vec<Installation> = self
            .shared
            .transport
            .get_json(&AppSender(app), "/app/installations?per_page=1")
            .await?;
        installations
            .first()
            .map(|i| i.id)
            .ok_or_else(|| ForgeError::NotFound("the GitHub App has no installation".into()))
    }
}
