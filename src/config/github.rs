//! The `github:` section: webhook secrets (several, for rotation), credentials (a token, or a
//! GitHub App's id and private key), the API base URL and the write rate.

use super::document::{Report, Validate};
use super::secret;
use super::types::HttpUrl;
use secrecy::SecretString;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// The variable the shipped configuration reads the GitHub webhook secret from; the GitHub
/// endpoint names it when it answers 503 because no secret is set.
pub const WEBHOOK_SECRET_VAR: &str = "GITHUB_WEBHOOK_SECRET";
/// Default API base URL (GitHub Enterprise: `https://HOST/api/v3`).
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// `github:` — how forgehand talks to GitHub.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    /// Secrets accepted for `X-Hub-Signature-256`; several during a rotation. Empty entries
    /// are dropped. None set (the default) means the GitHub endpoint is not served.
    #[serde(default, deserialize_with = "secret::list")]
    pub webhook_secrets: Vec<SecretString>,
    /// A personal access or installation token. Default none.
    #[serde(default, deserialize_with = "secret::optional")]
    pub token: Option<SecretString>,
    /// A GitHub App's numeric id; needs `app_private_key`. Default none.
    #[serde(default, deserialize_with = "optional_app_id")]
    pub app_id: Option<u64>,
    /// The GitHub App's private key (PEM); needs `app_id`. Default none.
    #[serde(default, deserialize_with = "secret::optional")]
    pub app_private_key: Option<SecretString>,
    /// REST API base URL. Default `https://api.github.com`.
    #[serde(default = "default_api_url")]
    pub api_url: HttpUrl,
    /// Content-creating requests per second per installation (GitHub allows about 80 a
    /// minute). Default 1.0.
    #[serde(default = "default_writes_per_second")]
    pub writes_per_second: f64,
}

/// The credentials forgehand uses for GitHub's API.
#[derive(Debug, Clone, Copy)]
pub enum GithubCredentials<'a> {
    /// A GitHub App: installation tokens are minted from the key.
    App {
        /// The App's id.
        app_id: u64,
        /// The App's private key (PEM).
        private_key: &'a SecretString,
    },
    /// A token.
    Token(&'a SecretString),
}

impl GithubConfig {
    /// Whether the webhook endpoint is served: at least one secret is set.
    pub fn webhook_enabled(&self) -> bool {
        !self.webhook_secrets.is_empty()
    }

    /// The API credentials: the App when both its id and key are set, else the token.
    pub fn credentials(&self) -> Option<GithubCredentials<'_>> {
        match (self.app_id, &self.app_private_key, &self.token) {
            (Some(app_id), Some(private_key), _) => Some(GithubCredentials::App {
                app_id,
                private_key,
            }),
            (_, _, Some(token)) => Some(GithubCredentials::Token(token)),
            _ => None,
        }
    }
}

impl Validate for GithubConfig {
    fn validate(&self, report: &mut Report<'_>) {
        match (self.app_id.is_some(), self.app_private_key.is_some()) {
            (true, false) => report.error(
                "app_id",
                "`app_id` is set but `app_private_key` is not: a GitHub App needs both",
            ),
            (false, true) => report.error(
                "app_private_key",
                "`app_private_key` is set but `app_id` is not: a GitHub App needs both",
            ),
            _ => {}
        }
        check_rate(report, self.writes_per_second);
    }
}

/// Reports a write rate that is not a positive finite number.
pub(super) fn check_rate(report: &mut Report<'_>, rate: f64) {
    if !(rate.is_finite() && rate > 0.0) {
        report.error(
            "writes_per_second",
            format!("must be a positive number, found {rate}"),
        );
    }
}

fn default_api_url() -> HttpUrl {
    HttpUrl::parse(DEFAULT_API_URL).expect("valid default URL")
}

fn default_writes_per_second() -> f64 {
    1.0
}

/// `app_id` arrives as a number, or as a string when it came through a quoted `${…}`; empty
/// means not set.
fn optional_app_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct AppId;
    impl<'de> Visitor<'de> for AppId {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a numeric GitHub App id")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                digits => digits
                    .parse()
                    .map(Some)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(AppId)
}
