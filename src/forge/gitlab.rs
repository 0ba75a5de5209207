//! GitLab implementation of [`Forge`] on the `gitlab` crate's `AsyncGitlab` (raw REST calls,
//! so that status codes and `Retry-After` are visible): one `PUT` per issue edit, names
//! resolved to ids through the cache, per-project write throttle and retry.

mod ops;
mod release;

use super::transport::api_metrics;
use super::transport::cache::{TtlCache, LIST_CAPACITY, LIST_TTL};
use super::transport::retry::RetryPolicy;
use super::transport::throttle::{Throttle, GITLAB_WRITE_INTERVAL};
use super::{parse_retry_after, ForgeError};
use crate::plan::Target;
use crate::telemetry::Metrics;
use gitlab::api::{ApiError, AsyncClient, RestClient};
use gitlab::{AsyncGitlab, GitlabBuilder, GitlabError, RestError};
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// GitLab.com.
pub const DEFAULT_URL: &str = "https://gitlab.com";
/// Time allowed for one request, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Items asked for per page (GitLab's maximum).
pub const PER_PAGE: usize = 100;
/// Pages read at most when listing (labels, milestones, notes).
pub const MAX_PAGES: usize = 50;

/// Settings of the GitLab client.
#[derive(Debug, Clone)]
pub struct GitlabConfig {
    /// Instance URL, e.g. `https://gitlab.com` or `https://git.example.org/gitlab`;
    /// `http://` is accepted (tests, local instances).
    pub url: String,
    /// Personal, group or project access token with `api` scope.
    pub token: SecretString,
    /// Minimum spacing of writes per project (default [`GITLAB_WRITE_INTERVAL`]).
    pub write_interval: Duration,
    /// Retry of failed requests (default [`RetryPolicy::default`]).
    pub retry: RetryPolicy,
    /// Time allowed per request (default [`REQUEST_TIMEOUT`]).
    pub request_timeout: Duration,
    /// Where API calls are counted.
    pub metrics: Arc<Metrics>,
}

impl GitlabConfig {
    pub fn new(url: impl Into<String>, token: SecretString) -> Self {
        GitlabConfig {
            url: url.into(),
            token,
            write_interval: GITLAB_WRITE_INTERVAL,
            retry: RetryPolicy::default(),
            request_timeout: REQUEST_TIMEOUT,
            metrics: Arc::default(),
        }
    }
}

struct Shared {
    retry: RetryPolicy,
    metrics: Arc<Metrics>,
    throttle: Throttle,
    timeout: Duration,
    /// `(project, milestone title)` → milestone id.
    milestones: TtlCache<(String, String), u64>,
    /// username → user id (`None`: no such user).
    users: TtlCache<String, Option<u64>>,
    /// project → label names.
    labels: TtlCache<String, Vec<String>>,
    /// project → open milestones.
    milestone_lists: TtlCache<String, Vec<crate::model::Milestone>>,
}

/// A GitLab client. Cheap to clone.
#[derive(Clone)]
pub struct GitlabForge {
    client: AsyncGitlab,
    shared: Arc<Shared>,
}

impl GitlabForge {
    /// Connect to the instance; this checks the token with `GET /api/v4/user`.
    pub async fn connect(config: GitlabConfig) -> Result<Self, ForgeError> {
        let url = config.url.trim_end_matches('/');
        let (insecure, host) = match url.split_once("://") {
            Some(("http", host)) => (true, host),
            Some(("https", host)) => (false, host),
            None => (false, url),
            Some((scheme, _)) => {
                return Err(ForgeError::Other(format!(
                    "GitLab URL `{url}`: unsupported scheme `{scheme}`"
                )))
            }
        };
        let mut builder = GitlabBuilder::new(host, config.token.expose_secret());
        if insecure {
            builder.insecure();
        }
        let client = tokio::time::timeout(config.request_timeout, builder.build_async())
            .await
            .map_err(|_| ForgeError::Transient(format!("GitLab at {url} did not answer")))?
            .map_err(map_connect_error)?;
        Ok(GitlabForge {
            client,
            shared: Arc::new(Shared {
                retry: config.retry,
                metrics: config.metrics.clone(),
                throttle: Throttle::new(config.write_interval),
                timeout: config.request_timeout,
                milestones: TtlCache::default(),
                users: TtlCache::default(),
                labels: TtlCache::new(LIST_CAPACITY, LIST_TTL),
                milestone_lists: TtlCache::new(LIST_CAPACITY, LIST_TTL),
            }),
        })
    }

    /// One request with retry (and throttle for writes, keyed by `project`); the 2xx body.
    async fn request(
        &self,
        method: Method,
        project: &str,
        endpoint: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        let what = format!(
            "{method} {}",
            endpoint.split('?').next().unwrap_or(endpoint)
        );
        self.shared
            .retry
            .run(&what, || {
                self.request_once(method.clone(), project, endpoint, body)
            })
            .await
    }

    async fn request_once(
        &self,
        method: Method,
        project: &str,
        endpoint: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        if method != Method::GET {
            self.shared.throttle.acquire(project).await;
        }
        let url = self
            .client
            .rest_endpoint(endpoint)
            .map_err(|e| ForgeError::Other(format!("GitLab endpoint `{endpoint}`: {e}")))?;
        let mut request = http::Request::builder()
            .method(method.clone())
            .uri(url.as_str());
        let data = match body {
            Some(body) => {
                request = request.header(http::header::CONTENT_TYPE, "application/json");
                serde_json::to_vec(body).map_err(|e| ForgeError::Other(e.to_string()))?
            }
            None => Vec::new(),
        };
        let started = std::time::Instant::now();
        let metrics = &self.shared.metrics;
        let record = |status| {
            let elapsed = started.elapsed();
            api_metrics::record(
                metrics,
                "gitlab",
                method.as_str(),
                url.path(),
                status,
                elapsed,
            )
        };
        let answer =
            tokio::time::timeout(self.shared.timeout, self.client.rest_async(request, data)).await;
        let response = answer
            .map_err(|_| ForgeError::Transient("GitLab request timed out".into()))
            .and_then(|r| r.map_err(map_api_error))
            .inspect_err(|_| record(0))?;
        let status = response.status().as_u16();
        record(status);
        tracing::debug!(%method, endpoint = endpoint.split('?').next().unwrap_or(""), status, "GitLab API call");
        if (200..300).contains(&status) {
            return Ok(response.body().to_vec());
        }
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        let exhausted = header("ratelimit-remaining").is_some_and(|v| v.trim() == "0");
        Err(ForgeError::from_status(
            status,
            response.body(),
            parse_retry_after(header("retry-after")),
            exhausted,
        ))
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        project: &str,
        endpoint: &str,
    ) -> Result<T, ForgeError> {
        parse(&self.request(Method::GET, project, endpoint, None).await?)
    }

    async fn get_all<T: DeserializeOwned>(
        &self,
        project: &str,
        endpoint: &str,
    ) -> Result<Vec<T>, ForgeError> {
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let items: Vec<T> = self
                .get_json(
                    project,
                    &format!("{endpoint}{sep}per_page={PER_PAGE}&page={page}"),
                )
                .await?;
            let last = items.len() < PER_PAGE;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// The user id of `username`, `None` when there is no such user.
    async fn user_id(&self, username: &str) -> Result<Option<u64>, ForgeError> {
        let username = username.trim_start_matches('@');
        let fetch = async {
            let users: Vec<GlUser> = self
                .get_json("", &format!("users?username={}", encode(username)))
                .await?;
            Ok(users
                .iter()
                .find(|u| u.username.eq_ignore_ascii_case(username))
                .map(|u| u.id))
        };
        self.shared
            .users
            .get_or_fetch(username.to_string(), fetch)
            .await
    }

    async fn milestone_id(&self, project: &str, title: &str) -> Result<u64, ForgeError> {
        let key = (project.to_string(), title.to_string());
        if let Some(id) = self.shared.milestones.get(&key) {
            return Ok(id);
        }
        // A miss re-reads the list: the milestone may have been created since.
        let found = self.fetch_milestones(project).await?;
        found
            .iter()
            .find(|m| m.title == title)
            .map(|m| m.id)
            .ok_or_else(|| ForgeError::NotFound(format!("milestone \"{title}\" in {project}")))
    }
}

#[derive(Deserialize)]
pub(super) struct GlUser {
    pub id: u64,
    pub username: String,
}

fn map_connect_error(error: GitlabError) -> ForgeError {
    match error {
        GitlabError::Api { source } => map_api_error(source),
        GitlabError::Communication { .. } | GitlabError::Http { .. } => {
            ForgeError::Transient(error.to_string())
        }
        other => ForgeError::Other(format!("GitLab client: {other}")),
    }
}

fn map_api_error(error: ApiError<RestError>) -> ForgeError {
    match error {
        ApiError::Client { source } => ForgeError::Transient(source.to_string()),
        ApiError::GitlabService { status, data } => {
            ForgeError::from_status(status.as_u16(), &data, None, false)
        }
        ApiError::GitlabWithStatus { status, msg } => {
            ForgeError::classify(status.as_u16(), msg, None, false)
        }
        ApiError::GitlabObjectWithStatus { status, obj }
        | ApiError::GitlabUnrecognizedWithStatus { status, obj } => {
            ForgeError::classify(status.as_u16(), obj.to_string(), None, false)
        }
        ApiError::GitlabRateLimited { retry_after, .. } => ForgeError::RateLimited {
            retry_after: Some(retry_after),
        },
        other => ForgeError::Other(format!("GitLab client: {other}")),
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ForgeError> {
    serde_json::from_slice(body)
        .map_err(|e| ForgeError::Other(format!("unexpected answer from GitLab: {e}")))
}

/// Percent-encode everything but unreserved characters (a project path becomes its `:id`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `projects/:id` for a project path or numeric id.
fn project_base(project: &str) -> String {
    format!("projects/{}", encode(project))
}

/// `projects/:id/issues/:iid` or `projects/:id/merge_requests/:iid`.
fn item_base(target: &Target) -> String {
    let kind = if target.is_merge_request {
        "merge_requests"
    } else {
        "issues"
    };
    format!("{}/{kind}/{}", project_base(&target.repo), target.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_are_encoded_as_ids() {
        assert_eq!(
            project_base("group/sub/proj"),
            "projects/group%2Fsub%2Fproj"
        );
        assert_eq!(project_base("42"), "projects/42");
        assert_eq!(encode("a b?"), "a%20b%3F");
    }

    #[test]
    fn items_and_merge_requests() {
        let mut target = Target {
            repo: "g/p".into(),
            number: 7,
            is_merge_request: false,
        };
        assert_eq!(item_base(&target), "projects/g%2Fp/issues/7");
        target.is_merge_request = true;
        assert_eq!(item_base(&target), "projects/g%2Fp/merge_requests/7");
    }
}
