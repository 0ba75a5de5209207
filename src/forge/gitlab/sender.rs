//! GitLab's raw access for the transport: a request goes out through the `gitlab` crate's
//! raw REST client within [`REQUEST_TIMEOUT`](super::REQUEST_TIMEOUT), and its writes are
//! throttled per project.

use super::{map_api_error, GitlabForge};
use crate::forge::transport::{RawResponse, Request, Route, Sender};
use crate::forge::ForgeError;
use async_trait::async_trait;
use gitlab::api::{AsyncClient, RestClient};

#[async_trait]
impl Sender for GitlabForge {
    /// The request's full URL.
    type Channel = String;

    async fn route(&self, endpoint: &str) -> Result<Route<String>, ForgeError> {
        let url = self
            .client()
            .await?
            .rest_endpoint(endpoint)
            .map_err(|e| ForgeError::Other(format!("GitLab endpoint `{endpoint}`: {e}")))?;
        Ok(Route {
            channel: url.as_str().to_string(),
            throttle_key: project_of(endpoint).to_string(),
            // GitLab counts its rate limits per user (the token), across projects.
            budget_key: TOKEN_BUDGET.to_string(),
            metric_path: url.path().to_string(),
        })
    }

    async fn send(
        &self,
        route: &Route<String>,
        request: &Request<'_>,
    ) -> Result<RawResponse, ForgeError> {
        let mut http_request = http::Request::builder()
            .method(request.method.clone())
            .uri(route.channel.as_str());
        let data = match request.body {
            Some(body) => {
                http_request = http_request.header(http::header::CONTENT_TYPE, "application/json");
                serde_json::to_vec(body).map_err(|e| ForgeError::Other(e.to_string()))?
            }
            None => Vec::new(),
        };
        let answer = tokio::time::timeout(
            self.shared.timeout,
            self.client().await?.rest_async(http_request, data),
        )
        .await;
        let response = answer
            .map_err(|_| ForgeError::Transient("GitLab request timed out".into()))?
            .map_err(map_api_error)?;
        Ok(RawResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.body().to_vec(),
        })
    }
}

/// The budget key of GitLab's rate limits: the one token forgehand uses.
const TOKEN_BUDGET: &str = "token";

/// The (encoded) project of a `projects/:id/…` endpoint; empty for other endpoints.
fn project_of(endpoint: &str) -> &str {
    endpoint
        .strip_prefix("projects/")
        .and_then(|rest| rest.split(['/', '?']).next())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_throttled_per_project() {
        assert_eq!(project_of("projects/g%2Fp/issues/1"), "g%2Fp");
        assert_eq!(project_of("projects/42"), "42");
        assert_eq!(project_of("projects/g%2Fp?x=1"), "g%2Fp");
        assert_eq!(project_of("users?username=a"), "");
    }
}
