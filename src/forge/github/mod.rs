//! GitHub adapter on octocrab: a token or a GitHub App (installation tokens), GitHub
//! Enterprise base URL; operations mapped to REST endpoints and answer shapes. Requests go
//! through the shared transport (retry, per-installation write throttle, metrics, paging).

mod app;
mod branches;
mod hooks;
mod ops;
mod publish;
mod release;
mod release_types;
mod sender;

use super::transport::classify::RateLimitHeaders;
use super::transport::encode::encode;
use super::transport::lists::RepoLists;
use super::transport::{cache::TtlCache, Pagination, Transport, TransportConfig};
use super::{ForgeError, RetryPolicy, ROLE_CAPACITY, ROLE_TTL};
use crate::model::{ForgeKind, Login, RepoPath};
use crate::role::Role;
use crate::telemetry::Metrics;
use http::Method;
use octocrab::models::AppId;
use octocrab::Octocrab;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
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
/// GitHub allows about 80 content-creating requests a minute per installation and asks for
/// at most one per second; this is the default spacing of writes per installation.
pub const GITHUB_WRITE_INTERVAL: Duration = Duration::from_secs(1);
/// GitHub's rate-limit headers (`x-ratelimit-reset` is in Unix seconds).
const RATE_LIMIT_HEADERS: RateLimitHeaders = RateLimitHeaders {
    remaining: "x-ratelimit-remaining",
    reset: Some("x-ratelimit-reset"),
};

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
    /// Time allowed for an answer once connected (default [`READ_TIMEOUT`]).
    pub read_timeout: Duration,
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
            read_timeout: READ_TIMEOUT,
            metrics: Arc::default(),
        }
    }
}

/// State shared by all clones and installation views of one GitHub client.
struct Shared {
    transport: Transport,
    /// Labels and milestones per repository (milestones by number, which GitHub's writes
    /// take).
    lists: RepoLists,
    /// Clients bound to an installation, so that installation tokens are reused.
    /// Behind `Arc` because cloning an `Octocrab` copies (not shares) its cached token.
    installations: Mutex<HashMap<u64, Arc<Octocrab>>>,
    /// `owner/name` → installation id of the GitHub App (App mode).
    repo_installations: TtlCache<String, u64>,
    /// Lower-case login → whether the account exists.
    users: TtlCache<String, bool>,
    /// `(repository, lower-case login)` → role (`None`: no such user), for [`ROLE_TTL`].
    roles: TtlCache<(RepoPath, String), Option<Role>>,
    /// The account this client acts as, once learned.
    own_login: OnceLock<String>,
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
            .set_read_timeout(Some(config.read_timeout));
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
        let transport = Transport::new(TransportConfig {
            forge: ForgeKind::Github,
            retry: config.retry,
            write_interval: config.write_interval,
            metrics: config.metrics,
            pages: Pagination {
                per_page: PER_PAGE,
                max_pages: MAX_PAGES,
            },
            rate_limit: RATE_LIMIT_HEADERS,
        });
        Ok(GithubForge {
            app: is_app.then(|| client.clone()),
            client,
            installation: None,
            shared: Arc::new(Shared {
                transport,
                lists: RepoLists::new(|m| m.number_or_iid),
                installations: Mutex::new(HashMap::new()),
                repo_installations: TtlCache::default(),
                users: TtlCache::default(),
                roles: TtlCache::new(ROLE_CAPACITY, ROLE_TTL),
                own_login: OnceLock::new(),
            }),
        })
    }

    /// One request through the transport; the body of the 2xx answer.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        self.shared
            .transport
            .request(self, method, path, body)
            .await
    }

    /// A create, sent once (see [`Transport::create`]).
    async fn create_request(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Vec<u8>, ForgeError> {
        self.shared.transport.create(self, method, path, body).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ForgeError> {
        self.shared.transport.get_json(self, path).await
    }

    /// Every item of a paged list.
    async fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ForgeError> {
        self.shared.transport.get_all(self, path).await
    }

    fn parse<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, ForgeError> {
        self.shared.transport.parse(body)
    }
}

/// `/repos/{owner}/{name}` for an `owner/name` path, each part percent-encoded (a
/// `RepoPath` segment is never empty, `.` or `..`).
fn repo_base(repo: &RepoPath) -> Result<String, ForgeError> {
    let mut segments = repo.segments();
    match (segments.next(), segments.next(), segments.next()) {
        (Some(owner), Some(name), None) => Ok(format!("/repos/{}/{}", encode(owner), encode(name))),
        _ => Err(ForgeError::Other(format!(
            "`{repo}` is not a GitHub repository (owner/name)"
        ))),
    }
}

/// A login GitHub could have (letters, digits and dashes; app bots end in `[bot]`); no
/// other can exist there.
fn valid_login(login: &Login) -> bool {
    let login = login.as_str();
    let name = login.strip_suffix("[bot]").unwrap_or(login);
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(path: &str) -> RepoPath {
        RepoPath::parse(path).unwrap()
    }

    #[test]
    fn repo_paths_are_checked_and_encoded() {
        assert_eq!(
            repo_base(&repo("acme/app.rs")).unwrap(),
            "/repos/acme/app.rs"
        );
        assert_eq!(repo_base(&repo("ac-me/a_b")).unwrap(), "/repos/ac-me/a_b");
        assert_eq!(repo_base(&repo("acme/a+b")).unwrap(), "/repos/acme/a%2Bb");
        assert_eq!(repo_base(&repo("ü/x")).unwrap(), "/repos/%C3%BC/x");
        assert!(repo_base(&repo("acme")).is_err());
        assert!(repo_base(&repo("acme/app/x")).is_err());
    }

    #[test]
    fn logins_are_checked() {
        let login = |s: &str| Login::parse(s).unwrap();
        assert!(valid_login(&login("alice-1")));
        assert!(valid_login(&login("dependabot[bot]")));
        assert!(!valid_login(&login("..")));
        assert!(!valid_login(&login("[bot]")));
        assert!(!valid_login(&login("a.b")));
    }
}
