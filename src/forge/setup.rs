//! Builds the forge clients from the configuration: GitHub when a token or App credentials
//! are set, GitLab when a token is set. [`build`] checks the GitLab token before it returns
//! (one-shot commands); [`build_unchecked`] contacts no forge (`serve`, which checks them
//! in the background).

use super::github::{GithubAuth, GithubConfig, GithubForge};
use super::gitlab::{GitlabConfig, GitlabForge};
use super::Forges;
use crate::config::{Config, GithubCredentials};
use crate::telemetry::Metrics;
use anyhow::Context as _;
use std::sync::Arc;
use std::time::Duration;

/// The clients for every forge whose credentials are configured, GitLab's token checked;
/// their API calls are counted in `metrics`.
pub async fn build(config: &Config, metrics: Arc<Metrics>) -> anyhow::Result<Forges> {
    let (mut forges, gitlab) = clients(config, metrics)?;
    if let Some(gitlab) = gitlab {
        let url = config.gitlab.url.as_str();
        gitlab
            .check()
            .await
            .with_context(|| format!("connecting to GitLab at {url}"))?;
        forges.gitlab = Some(Arc::new(gitlab));
    }
    Ok(forges)
}

/// The clients for every forge whose credentials are configured, without contacting any
/// (see [`super::check_in_background`]).
pub fn build_unchecked(config: &Config, metrics: Arc<Metrics>) -> anyhow::Result<Forges> {
    let (mut forges, gitlab) = clients(config, metrics)?;
    forges.gitlab = gitlab.map(|g| Arc::new(g) as Arc<dyn super::Forge>);
    Ok(forges)
}

/// The GitHub client in `Forges`, and the GitLab client (not yet connected) apart.
fn clients(
    config: &Config,
    metrics: Arc<Metrics>,
) -> anyhow::Result<(Forges, Option<GitlabForge>)> {
    let mut forges = Forges::default();
    if let Some(credentials) = config.github.credentials() {
        let auth = match credentials {
            GithubCredentials::Token(token) => GithubAuth::Token(token.clone()),
            GithubCredentials::App {
                app_id,
                private_key,
            } => GithubAuth::App {
                app_id,
                private_key: private_key.clone(),
            },
        };
        let mut github = GithubConfig::new(config.github.api_url.as_str(), auth);
        if let Some(interval) = write_interval(config.github.writes_per_second) {
            github.write_interval = interval;
        }
        github.metrics = metrics.clone();
        let client = GithubForge::new(github).context("setting up the GitHub client")?;
        forges.github = Some(Arc::new(client));
    }
    if let Some(token) = &config.gitlab.token {
        let url = config.gitlab.url.as_str();
        let mut gitlab = GitlabConfig::new(url, token.clone());
        if let Some(interval) = write_interval(config.gitlab.writes_per_second) {
            gitlab.write_interval = interval;
        }
        gitlab.metrics = metrics;
        let client =
            GitlabForge::new(gitlab).with_context(|| format!("setting up GitLab at {url}"))?;
        return Ok((forges, Some(client)));
    }
    Ok((forges, None))
}

/// Spacing of writes for a rate in writes per second (`None` for a rate that is not a
/// positive number; validation reports those).
fn write_interval(writes_per_second: f64) -> Option<Duration> {
    (writes_per_second.is_finite() && writes_per_second > 0.0)
        .then(|| Duration::from_secs_f64(1.0 / writes_per_second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_become_intervals() {
        assert_eq!(write_interval(1.0), Some(Duration::from_secs(1)));
        assert_eq!(write_interval(5.0), Some(Duration::from_millis(200)));
        assert_eq!(write_interval(0.0), None);
        assert_eq!(write_interval(f64::NAN), None);
    }
}
