//! GitLab adapter on the `gitlab` crate's `AsyncGitlab` (raw REST calls, so that status
//! codes and `Retry-After` are visible): one `PUT` per issue edit, names resolved to ids
//! through the caches; operations mapped to endpoints and answer shapes. Requests go through
//! the shared transport (retry, per-project write throttle, metrics, paging).

mod branches;
mod hooks;
mod ops;
mod publish;
mod release;
mod release_types;
mod sender;

use super::transport::classify::{classify, from_status, RateLimitHeaders};
use super::transport::encode::encode;
use super::transport::lists::RepoLists;
use super::transport::{cache::TtlCache, Pagination, Transport, TransportConfig};
use super::{ForgeError, RetryPolicy, ROLE_CAPACITY, ROLE_TTL};
use crate::model::{ForgeKind, IssueRef, RepoPath};
use crate::role::Role;
use crate::telemetry::Metrics;
use gitlab::api::ApiError;
use gitlab::{AsyncGitlab, GitlabBuilder, GitlabError, RestError};
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// GitLab.com.
pub const DEFAULT_URL: &str = "https://gitlab.com";
/// Time allowed for one request, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Items asked for per page (GitLab's maximum).
pub const PER_PAGE: usize = 100;
/// Pages read at most when listing (labels, milestones, notes).
pub const MAX_PAGES: usize = 50;
/// Default spacing of writes per GitLab project (GitLab.com allows far more; self-managed
/// instances set their own limits, hence configurable).
pub const GITLAB_WRITE_INTERVAL: Duration = Duration::from_millis(200);
/// GitLab's rate-limit headers (`RateLimit-Reset` is in Unix seconds).
const RATE_LIMIT_HEADERS: RateLimitHeaders = RateLimitHeaders {
    remaining: "ratelimit-remaining",
    reset: Some("ratelimit-reset"),
};

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
    transport: Transport,
    timeout: Duration,
    /// Labels and milestones per project (milestones by global id, which GitLab's writes
    /// take).
    lists: RepoLists,
    /// username → user id (`None`: no such user).
    users: TtlCache<String, Option<u64>>,
    /// `(project, lower-case username)` → role (`None`: no such user), for [`ROLE_TTL`].
    roles: TtlCache<(RepoPath, String), Option<Role>>,
    /// The account this client acts as, once learned.
    own_login: OnceLock<String>,
}

/// A GitLab client. Cheap to clone.
#[derive(Clone)]
pub struct GitlabForge {
    /// Made (and the token checked) on first use, so that nothing waits for GitLab before
    /// it is needed; a failed attempt is made again by the next request.
    client: Arc<OnceCell<AsyncGitlab>>,
    connection: Arc<Connection>,
    shared: Arc<Shared>,
}

/// What making the client takes.
struct Connection {
    url: String,
    host: String,
    insecure: bool,
    token: SecretString,
}

impl GitlabForge {
    /// The client, without contacting GitLab yet (see [`GitlabForge::check`]).
    pub fn new(config: GitlabConfig) -> Result<Self, ForgeError> {
        let url = config.url.trim_end_matches('/').to_string();
        let (insecure, host) = match url.split_once("://") {
            Some(("http", host)) => (true, host.to_string()),
            Some(("https", host)) => (false, host.to_string()),
            None => (false, url.clone()),
            Some((scheme, _)) => {
                return Err(ForgeError::Other(format!(
                    "GitLab URL `{url}`: unsupported scheme `{scheme}`"
                )))
            }
        };
        let transport = Transport::new(TransportConfig {
            forge: ForgeKind::Gitlab,
            retry: config.retry,
            write_interval: config.write_interval,
            metrics: config.metrics,
            pages: Pagination {
                per_page: PER_PAGE,
                max_pages: MAX_PAGES,
            },
            rate_limit: RATE_LIMIT_HEADERS,
        });
        Ok(GitlabForge {
            client: Arc::new(OnceCell::new()),
            connection: Arc::new(Connection {
                url,
                host,
                insecure,
                token: config.token,
            }),
            shared: Arc::new(Shared {
                transport,
                timeout: config.request_timeout,
                lists: RepoLists::new(|m| m.id),
                users: TtlCache::default(),
                roles: TtlCache::new(ROLE_CAPACITY, ROLE_TTL),
                own_login: OnceLock::new(),
            }),
        })
    }

    /// Connect to the instance now; this checks the token with `GET /api/v4/user`.
    pub async fn connect(config: GitlabConfig) -> Result<Self, ForgeError> {
        let forge = Self::new(config)?;
        forge.check().await?;
        Ok(forge)
    }

    /// Reach the instance and check the token (`GET /api/v4/user`), once: after a success
    /// the client is kept.
    pub async fn check(&self) -> Result<(), ForgeError> {
        self.client().await.map(|_| ())
    }

    /// The client, made on first use.
    async fn client(&self) -> Result<&AsyncGitlab, ForgeError> {
        let c = &self.connection;
        self.client
            .get_or_try_init(|| async {
                let mut builder = GitlabBuilder::new(c.host.as_str(), c.token.expose_secret());
                if c.insecure {
                    builder.insecure();
                }
                tokio::time::timeout(self.shared.timeout, builder.build_async())
                    .await
                    .map_err(|_| {
                        ForgeError::Transient(format!("GitLab at {} did not answer", c.url))
                    })?
                    .map_err(map_connect_error)
            })
            .await
    }

    /// One request through the transport (writes throttled per project); the 2xx body.
    async fn request(
        &self,
        method: Method,
        endpoint: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        self.shared
            .transport
            .request(self, method, endpoint, body)
            .await
    }

    /// A create, sent once (see [`Transport::create`]).
    async fn create_request(
        &self,
        method: Method,
        endpoint: &str,
        body: &Value,
    ) -> Result<Vec<u8>, ForgeError> {
        self.shared
            .transport
            .create(self, method, endpoint, body)
            .await
    }

    async fn get_json<T: DeserializeOwned>(&self, endpoint: &str) -> Result<T, ForgeError> {
        self.shared.transport.get_json(self, endpoint).await
    }

    /// Every item of a paged list.
    async fn get_all<T: DeserializeOwned>(&self, endpoint: &str) -> Result<Vec<T>, ForgeError> {
        self.shared.transport.get_all(self, endpoint).await
    }

    fn parse<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, ForgeError> {
        self.shared.transport.parse(body)
    }

    /// The user id of `username`, `None` when there is no such user.
    async fn user_id(&self, username: &str) -> Result<Option<u64>, ForgeError> {
        let username = username.trim_start_matches('@');
        let fetch = async {
            let users: Vec<GlUser> = self
                .get_json(&format!("users?username={}", encode(username)))
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

    /// User ids of `usernames`; unknown users are an error.
    async fn user_ids<S: AsRef<str> + Sync>(
        &self,
        usernames: &[S],
    ) -> Result<Vec<u64>, ForgeError> {
        let mut ids = Vec::with_capacity(usernames.len());
        for username in usernames {
            let username = username.as_ref();
            match self.user_id(username).await? {
                Some(id) => ids.push(id),
                None => return Err(ForgeError::NotFound(format!("user @{username}"))),
            }
        }
        Ok(ids)
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
            from_status(status.as_u16(), &data, None, false)
        }
        ApiError::GitlabWithStatus { status, msg } => classify(status.as_u16(), msg, None, false),
        ApiError::GitlabObjectWithStatus { status, obj }
        | ApiError::GitlabUnrecognizedWithStatus { status, obj } => {
            classify(status.as_u16(), obj.to_string(), None, false)
        }
        ApiError::GitlabRateLimited { retry_after, .. } => ForgeError::RateLimited {
            retry_after: Some(retry_after),
        },
        other => ForgeError::Other(format!("GitLab client: {other}")),
    }
}

/// `projects/:id` for a project path or numeric id (the path encoded as one segment; a
/// `RepoPath` is never empty, `.` or `..`).
fn project_base(project: &RepoPath) -> String {
    format!("projects/{}", encode(project.as_str()))
}

/// `projects/:id/issues/:iid` or `projects/:id/merge_requests/:iid`.
fn item_base(item: &IssueRef) -> String {
    let kind = if item.is_merge_request {
        "merge_requests"
    } else {
        "issues"
    };
    format!("{}/{kind}/{}", project_base(&item.repo), item.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(path: &str) -> RepoPath {
        RepoPath::parse(path).unwrap()
    }

    #[test]
    fn project_paths_are_encoded_as_ids() {
        assert_eq!(
            project_base(&project("group/sub/proj")),
            "projects/group%2Fsub%2Fproj"
        );
        assert_eq!(project_base(&project("42")), "projects/42");
        assert_eq!(project_base(&project("a/b.c")), "projects/a%2Fb.c");
        assert_eq!(project_base(&project("a/b+c")), "projects/a%2Fb%2Bc");
    }

    #[test]
    fn items_and_merge_requests() {
        let mut item = IssueRef::parse("g/p", 7, false).unwrap();
        assert_eq!(item_base(&item), "projects/g%2Fp/issues/7");
        item.is_merge_request = true;
        assert_eq!(item_base(&item), "projects/g%2Fp/merge_requests/7");
    }
}
