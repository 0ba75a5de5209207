//! GitHub implementation of [`Forge`] on octocrab: a token or a GitHub App (installation
//! tokens), GitHub Enterprise base URL, per-installation write throttle and retry.

mod app;
mod ops;
mod release;
mod release_types;

use super::transport::api_metrics;
use super::transport::cache::{TtlCache, LIST_CAPACITY, LIST_TTL};
use super::transport::retry::RetryPolicy;
use super::transport::throttle::{Throttle, GITHUB_WRITE_INTERVAL};
use super::{parse_retry_after, ForgeError};
use crate::telemetry::Metrics;
use chrono::Utc;
use http::Method;
use octocrab::models::AppId;
use octocrab::Octocrab;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// GitHub's public API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Time allowed to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for an answer once connected.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Items asked for per page (GitHub's maximum).
pub const PER_PAGE: usize = 100;
/// Pages read at most when listing (labels, milestones, comments).
pub const MAX_PAGES: usize = 50;

/// How forgehand authenticates to GitHub.
#[derive(Debug, Clone)]
pub enum GithubAuth {
    /// A personal or fine-grained access token.
    Token(SecretString),
    /// A GitHub App: requests are made with installation tokens, of the installation on the
    /// request's repository or the one given to [`GithubForge::for_installation`].
    App {
        app_id: u64,
        /// The app's RSA private key in PEM form.
        private_key: SecretString,
    },
}

/// Settings of the GitHub client.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// API base URL: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise.
    pub api_url: String,
    pub auth: GithubAuth,
    /// Minimum spacing of content-creating requests per installation
    /// (default [`GITHUB_WRITE_INTERVAL`]).
    pub write_interval: Duration,
    /// Retry of failed requests (default [`RetryPolicy::default`]).
    pub retry: RetryPolicy,
    /// Where API calls are counted.
    pub metrics: Arc<Metrics>,
}

impl GithubConfig {
    pub fn new(api_url: impl Into<String>, auth: GithubAuth) -> Self {
        GithubConfig {
            api_url: api_url.into(),
            auth,
            write_interval: GITHUB_WRITE_INTERVAL,
            retry: RetryPolicy::default(),
            metrics: Arc::default(),
        }
    }
}

/// State shared by all clones and installation views of one GitHub client.
struct Shared {
    retry: RetryPolicy,
    metrics: Arc<Metrics>,
    throttle: Throttle,
    /// `(repo, milestone title)` → milestone number.
    milestones: TtlCache<(String, String), u64>,
    /// Clients bound to an installation, so that installation tokens are reused.
    /// Behind `Arc` because cloning an `Octocrab` copies (not shares) its cached token.
    installations: Mutex<HashMap<u64, Arc<Octocrab>>>,
    /// `owner/name` → installation id of the GitHub App (App mode).
    repo_installations: TtlCache<String, u64>,
    /// `owner/name` → label names.
    labels: TtlCache<String, Vec<String>>,
    /// `owner/name` → open milestones.
    milestone_lists: TtlCache<String, Vec<crate::model::Milestone>>,
    /// login → whether the account exists.
    users: TtlCache<String, bool>,
}

/// A GitHub client. Cheap to clone.
#[derive(Clone)]
pub struct GithubForge {
    client: Arc<Octocrab>,
    /// The app-authenticated client when using a GitHub App.
    app: Option<Arc<Octocrab>>,
    installation: Option<u64>,
    shared: Arc<Shared>,
}

impl GithubForge {
    /// Build the client. Must be called inside a Tokio runtime (octocrab spawns a worker).
    pub fn new(config: GithubConfig) -> Result<Self, ForgeError> {
        let builder = Octocrab::builder()
            .base_uri(config.api_url.trim_end_matches('/'))
            .map_err(|e| ForgeError::Other(format!("bad GitHub API URL: {e}")))?
            .set_connect_timeout(Some(CONNECT_TIMEOUT))
            .set_read_timeout(Some(READ_TIMEOUT));
        let (client, is_app) = match &config.auth {
            GithubAuth::Token(token) => (
                builder
                    .personal_token(token.expose_secret().to_string())
                    .build(),
                false,
            ),
            GithubAuth::App {
                app_id,
                private_key,
            } => (
                builder
                    .app_from_rsa_pem(AppId(*app_id), private_key.expose_secret().as_bytes())
                    .map_err(|e| ForgeError::Other(format!("bad GitHub App private key: {e}")))?
                    .build(),
                true,
            ),
        };
        let client =
            Arc::new(client.map_err(|e| ForgeError::Other(format!("GitHub client: {e}")))?);
        Ok(GithubForge {
            app: is_app.then(|| client.clone()),
            client,
            installation: None,
            shared: Arc::new(Shared {
                retry: config.retry,
                metrics: config.metrics.clone(),
                throttle: Throttle::new(config.write_interval),
                milestones: TtlCache::default(),
                installations: Mutex::new(HashMap::new()),
                repo_installations: TtlCache::default(),
                labels: TtlCache::new(LIST_CAPACITY, LIST_TTL),
                milestone_lists: TtlCache::new(LIST_CAPACITY, LIST_TTL),
                users: TtlCache::default(),
            }),
        })
    }

    /// One request with retry (and throttle for writes); the body of a 2xx answer.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<String, ForgeError> {
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        self.shared
            .retry
            .run(&what, || self.request_once(method.clone(), path, body))
            .await
    }

    async fn request_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<String, ForgeError> {
        let (client, throttle_key) = self.client_for(repo_of(path)).await?;
        if method != Method::GET {
            self.shared.throttle.acquire(&throttle_key).await;
        }
        send(&client, method, path, body, &self.shared.metrics).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ForgeError> {
        parse(&self.request(Method::GET, path, None).await?)
    }

    /// Every item of a paginated list (`path` has no query or ends in one).
    async fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ForgeError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let items: Vec<T> = self
                .get_json(&format!("{path}{sep}per_page={PER_PAGE}&page={page}"))
                .await?;
            let last = items.len() < PER_PAGE;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }

    async fn milestone_number(&self, repo: &str, title: &str) -> Result<u64, ForgeError> {
        let key = (repo.to_string(), title.to_string());
        if let Some(number) = self.shared.milestones.get(&key) {
            return Ok(number);
        }
        // A miss re-reads the list: the milestone may have been created since.
        let found = self.fetch_milestones(repo).await?;
        found
            .iter()
            .find(|m| m.title == title)
            .map(|m| m.number_or_iid)
            .ok_or_else(|| ForgeError::NotFound(format!("milestone \"{title}\" in {repo}")))
    }
}

/// Send one request with `client`; the body of a 2xx answer, else the classified error.
async fn send(
    client: &Octocrab,
    method: Method,
    path: &str,
    body: Option<&Value>,
    metrics: &Metrics,
) -> Result<String, ForgeError> {
    let started = std::time::Instant::now();
    let response = match method {
        Method::GET => client._get(path).await,
        Method::POST => client._post(path, body).await,
        Method::PATCH => client._patch(path, body).await,
        Method::PUT => client._put(path, body).await,
        Method::DELETE => client._delete(path, body).await,
        ref other => return Err(ForgeError::Other(format!("unsupported method {other}"))),
    }
    .map_err(|e| {
        api_metrics::record(
            metrics,
            "github",
            method.as_str(),
            path,
            0,
            started.elapsed(),
        );
        map_octocrab_error(e)
    })?;
    let status = response.status().as_u16();
    api_metrics::record(
        metrics,
        "github",
        method.as_str(),
        path,
        status,
        started.elapsed(),
    );
    let endpoint = path.split('?').next().unwrap_or("");
    tracing::debug!(%method, path = endpoint, status, "GitHub API call");
    let headers = response.headers().clone();
    let text = client
        .body_to_string(response)
        .await
        .map_err(map_octocrab_error)?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let exhausted = header("x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
    let retry_after = parse_retry_after(header("retry-after")).or_else(|| {
        let reset = header("x-ratelimit-reset")?.trim().parse::<i64>().ok()?;
        exhausted.then(|| Duration::from_secs((reset - Utc::now().timestamp()).max(1) as u64))
    });
    Err(ForgeError::from_status(
        status,
        text.as_bytes(),
        retry_after,
        exhausted,
    ))
}

/// `owner/name` of a `/repos/{owner}/{name}/…` path.
fn repo_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/repos/")?;
    let end = rest
        .match_indices('/')
        .nth(1)
        .map_or(rest.len(), |(i, _)| i);
    let end = rest[..end].find('?').unwrap_or(end);
    Some(&rest[..end])
}

fn map_octocrab_error(error: octocrab::Error) -> ForgeError {
    match error {
        octocrab::Error::GitHub { source, .. } => {
            let header = |name: &str| {
                source
                    .headers
                    .as_ref()
                    .and_then(|h| h.get(name))
                    .and_then(|v| v.to_str().ok())
            };
            let exhausted = header("x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
            ForgeError::classify(
                source.status_code.as_u16(),
                source.message.clone(),
                parse_retry_after(header("retry-after")),
                exhausted,
            )
        }
        octocrab::Error::Service { .. } | octocrab::Error::Hyper { .. } => {
            ForgeError::Transient(error.to_string())
        }
        other => ForgeError::Other(format!("GitHub client: {other}")),
    }
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ForgeError> {
    serde_json::from_str(text)
        .map_err(|e| ForgeError::Other(format!("unexpected answer from GitHub: {e}")))
}

/// `/repos/{owner}/{name}` for an `owner/name` path.
fn repo_base(repo: &str) -> Result<String, ForgeError> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repo.split_once('/') {
        Some((owner, name)) if valid(owner) && valid(name) => Ok(format!("/repos/{owner}/{name}")),
        _ => Err(ForgeError::Other(format!(
            "`{repo}` is not a GitHub repository (owner/name)"
        ))),
    }
}

/// A login that can go into a URL path (GitHub logins are letters, digits and dashes; app
/// bots end in `[bot]`).
fn valid_login(login: &str) -> bool {
    let name = login.strip_suffix("[bot]").unwrap_or(login);
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_are_checked() {
        assert_eq!(repo_base("acme/app.rs").unwrap(), "/repos/acme/app.rs");
        assert!(repo_base("acme").is_err());
        assert!(repo_base("acme/app/../x").is_err());
        assert!(repo_base("acme/a?b").is_err());
    }

    #[test]
    fn repos_of_paths() {
        assert_eq!(repo_of("/repos/acme/app/issues/1"), Some("acme/app"));
        assert_eq!(repo_of("/repos/acme/app"), Some("acme/app"));
        assert_eq!(repo_of("/repos/acme/app?x=1"), Some("acme/app"));
        assert_eq!(repo_of("/users/alice"), None);
    }

    #[test]
    fn logins_are_checked() {
        assert!(valid_login("alice-1"));
        assert!(valid_login("dependabot[bot]"));
        assert!(!valid_login("../x"));
        assert!(!valid_login(""));
    }
}
