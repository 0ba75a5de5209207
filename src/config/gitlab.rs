//! The `gitlab:` section: webhook tokens (several, for rotation), the API token, the instance
//! URL and the write rate.

use super::document::{Report, Validate};
use super::secret;
use super::types::HttpUrl;
use secrecy::SecretString;
use serde::Deserialize;

/// The variable the shipped configuration reads the GitLab webhook token from; the GitLab
/// endpoint names it when it answers 503 because no token is set.
pub const WEBHOOK_TOKEN_VAR: &str = "GITLAB_WEBHOOK_TOKEN";
/// Default instance URL (a self-managed instance: `https://gitlab.example.com`).
pub const DEFAULT_URL: &str = "https://gitlab.com";

/// `gitlab:` — how forgehand talks to GitLab.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitlabConfig {
    /// Tokens accepted in `X-Gitlab-Token`; several during a rotation. Empty entries are
    /// dropped. None set (the default) means the GitLab endpoint is not served.
    #[serde(default, deserialize_with = "secret::list")]
    pub webhook_tokens: Vec<SecretString>,
    /// A personal, project or group access token for the API. Default none.
    #[serde(default, deserialize_with = "secret::optional")]
    pub token: Option<SecretString>,
    /// The instance's base URL. Default `https://gitlab.com`.
    #[serde(default = "default_url")]
    pub url: HttpUrl,
    /// Write requests per second per project. Default 5.0.
    #[serde(default = "default_writes_per_second")]
    pub writes_per_second: f64,
}

impl GitlabConfig {
    /// Whether the webhook endpoint is served: at least one token is set.
    pub fn webhook_enabled(&self) -> bool {
        !self.webhook_tokens.is_empty()
    }
}

impl Validate for GitlabConfig {
    fn validate(&self, report: &mut Report<'_>) {
        super::github::check_rate(report, self.writes_per_second);
    }
}

fn default_url() -> HttpUrl {
    HttpUrl::parse(DEFAULT_URL).expect("valid default URL")
}

fn default_writes_per_second() -> f64 {
    5.0
}
