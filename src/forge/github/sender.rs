//! GitHub's raw access for the transport: a request goes out on octocrab's raw methods with
//! the client of the installation it concerns (or the token client), and its writes are
//! throttled per installation.

use super::{GithubForge, RATE_LIMIT_HEADERS};
use crate::forge::transport::classify::{classify_read_error, RateLimitHeaders};
use crate::forge::transport::{RawResponse, Request, Route, Sender};
use crate::forge::ForgeError;
use async_trait::async_trait;
use http::Method;
use octocrab::Octocrab;
use std::sync::Arc;

#[async_trait]
impl Sender for GithubForge {
    type Channel = Arc<Octocrab>;

    async fn route(&self, path: &str) -> Result<Route<Arc<Octocrab>>, ForgeError> {
        let (client, throttle_key) = self.client_for(repo_of(path)).await?;
        Ok(Route {
            channel: client,
            budget_key: throttle_key.clone(),
            throttle_key,
            metric_path: path.to_string(),
        })
    }

    async fn send(
        &self,
        route: &Route<Arc<Octocrab>>,
        request: &Request<'_>,
    ) -> Result<RawResponse, ForgeError> {
        send_with(&route.channel, request).await
    }
}

/// The GitHub App itself (JWT-authenticated), for the requests that find installations.
pub(super) struct AppSender<'a>(pub(super) &'a Octocrab);

#[async_trait]
impl Sender for AppSender<'_> {
    type Channel = ();

    async fn route(&self, path: &str) -> Result<Route<()>, ForgeError> {
        Ok(Route {
            channel: (),
            throttle_key: "app".to_string(),
            budget_key: "app".to_string(),
            metric_path: path.to_string(),
        })
    }

    async fn send(&self, _: &Route<()>, request: &Request<'_>) -> Result<RawResponse, ForgeError> {
        send_with(self.0, request).await
    }
}

/// Send one request with `client`: the answer, whatever its status.
async fn send_with(client: &Octocrab, request: &Request<'_>) -> Result<RawResponse, ForgeError> {
    let (path, body) = (request.path, request.body);
    let response = match *request.method {
        Method::GET => client._get(path).await,
        Method::POST => client._post(path, body).await,
        Method::PATCH => client._patch(path, body).await,
        Method::PUT => client._put(path, body).await,
        Method::DELETE => client._delete(path, body).await,
        ref other => return Err(ForgeError::Other(format!("unsupported method {other}"))),
    }
    .map_err(map_octocrab_error)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = client
        .body_to_string(response)
        .await
        .map_err(map_octocrab_error)?;
    Ok(RawResponse {
        status,
        headers,
        body: text.into_bytes(),
    })
}

/// The (already percent-encoded) `owner/name` of a `/repos/{owner}/{name}/…` path.
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
            // An error octocrab read itself (minting an installation token): only
            // `Retry-After` says how long to wait.
            let names = RateLimitHeaders {
                reset: None,
                ..RATE_LIMIT_HEADERS
            };
            classify_read_error(
                source.status_code.as_u16(),
                source.message.clone(),
                source.headers.as_ref(),
                &names,
            )
        }
        octocrab::Error::Service { .. } | octocrab::Error::Hyper { .. } => {
            ForgeError::Transient(error.to_string())
        }
        other => ForgeError::Other(format!("GitHub client: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repos_of_paths() {
        assert_eq!(repo_of("/repos/acme/app/issues/1"), Some("acme/app"));
        assert_eq!(repo_of("/repos/acme/app"), Some("acme/app"));
        assert_eq!(repo_of("/repos/acme/app?x=1"), Some("acme/app"));
        assert_eq!(repo_of("/repos/a%2Fb/c/x"), Some("a%2Fb/c"));
        assert_eq!(repo_of("/users/alice"), None);
    }
}
