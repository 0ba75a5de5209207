//! What both forge adapters share: one request path with retry (backoff honouring
//! `Retry-After`), a per-key write throttle, API-call metrics, pagination, the
//! classification of failed answers, percent-encoding of what goes into a URL, and the
//! caches. An adapter brings only a [`Sender`]: authentication and "send one request".

pub mod api_metrics;
pub mod cache;
pub mod classify;
pub mod encode;
pub mod lists;
pub mod retry;
pub mod throttle;

use crate::forge::ForgeError;
use crate::model::ForgeKind;
use crate::telemetry::{BudgetLabels, Metrics};
use async_trait::async_trait;
use classify::RateLimitHeaders;
use http::{HeaderMap, Method};
use retry::RetryPolicy;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use throttle::{Budget, Throttle, Turn};

/// One API request: `path` is relative to the adapter's API root and may end in a query.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub body: Option<&'a Value>,
}

impl Request<'_> {
    /// Writes are throttled, reads are not.
    fn is_write(&self) -> bool {
        *self.method != Method::GET
    }

    /// The path without its query, for log lines.
    fn endpoint(&self) -> &str {
        self.path.split('?').next().unwrap_or(self.path)
    }
}

/// An HTTP answer of any status.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Where one request goes, as its adapter decides.
#[derive(Debug, Clone)]
pub struct Route<C> {
    /// What the request is sent on (GitHub: the client of the right installation).
    pub channel: C,
    /// The key its write is throttled under (installation, token, project).
    pub throttle_key: String,
    /// The key of the forge's rate-limit budget it counts against (installation, token).
    pub budget_key: String,
    /// The URL path its metrics are recorded under.
    pub metric_path: String,
}

/// An adapter's raw access to its forge.
#[async_trait]
pub trait Sender: Send + Sync {
    type Channel: Send + Sync;

    /// Where a request to `path` goes. Called for every try, before the throttle.
    async fn route(&self, path: &str) -> Result<Route<Self::Channel>, ForgeError>;

    /// Send one request, once. Any HTTP answer is `Ok`, whatever its status; `Err` is for no
    /// (readable) answer: connection errors, timeouts, a client library's own failure.
    async fn send(
        &self,
        route: &Route<Self::Channel>,
        request: &Request<'_>,
    ) -> Result<RawResponse, ForgeError>;
}

/// How a forge's lists are paged (`per_page` and `page` query parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// Items asked for per page.
    pub per_page: usize,
    /// Pages read at most.
    pub max_pages: usize,
}

/// The request machinery of one forge client, shared by all its clones.
#[derive(Debug)]
pub struct Transport {
    forge: ForgeKind,
    retry: RetryPolicy,
    throttle: Throttle,
    metrics: Arc<Metrics>,
    pages: Pagination,
    rate_limit: RateLimitHeaders,
}

/// The settings of a [`Transport`].
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Which forge, for metrics and log lines.
    pub forge: ForgeKind,
    pub retry: RetryPolicy,
    /// Minimum spacing of writes per throttle key.
    pub write_interval: Duration,
    pub metrics: Arc<Metrics>,
    pub pages: Pagination,
    pub rate_limit: RateLimitHeaders,
}

impl Transport {
    pub fn new(config: TransportConfig) -> Self {
        Transport {
            forge: config.forge,
            retry: config.retry,
            throttle: Throttle::new(config.write_interval),
            metrics: config.metrics,
            pages: config.pages,
            rate_limit: config.rate_limit,
        }
    }

    pub fn pages(&self) -> Pagination {
        self.pages
    }

    /// One request through `sender`, retried while retrying can help, writes throttled; the
    /// body of the 2xx answer.
    pub async fn request<S: Sender>(
        &self,
        sender: &S,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, ForgeError> {
        let request = Request {
            method: &method,
            path,
            body,
        };
        let what = format!("{method} {}", request.endpoint());
        // A budget spent (or paused by the forge) for longer than a job should hold a worker:
        // not sent, so that the job is set aside until the forge has room again.
        // (A route that cannot be made yet is the tries' business, retried there.)
        let wait = match sender.route(path).await {
            Ok(route) => self
                .throttle
                .budget_wait(&route.budget_key, tokio::time::Instant::now()),
            Err(_) => Duration::ZERO,
        };
        if wait > self.throttle.set_aside_after() {
            tracing::debug!(wait_ms = wait.as_millis() as u64, "forge budget spent");
            return Err(ForgeError::RateLimited {
                retry_after: Some(wait),
            });
        }
        self.retry
            .run(&what, || self.attempt(sender, &request))
            .await
    }

    /// A create (POST of a new comment, issue, merge request, branch, release), sent once
    /// and never retried here: a timeout, a dropped connection or a 5xx may hide a create
    /// that landed, so sending it again blindly could make a second one. The executor
    /// looks for what it may have created before it sends the create again.
    pub async fn create<S: Sender>(
        &self,
        sender: &S,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Vec<u8>, ForgeError> {
        let request = Request {
            method: &method,
            path,
            body: Some(body),
        };
        self.attempt(sender, &request).await
    }

    /// One try: route, throttle, send, count, classify.
    async fn attempt<S: Sender>(
        &self,
        sender: &S,
        request: &Request<'_>,
    ) -> Result<Vec<u8>, ForgeError> {
        let route = sender.route(request.path).await?;
        self.throttle
            .acquire(&route.throttle_key, &route.budget_key, request.is_write())
            .await;
        let started = Instant::now();
        let answer = sender.send(&route, request).await;
        let status = answer.as_ref().map_or(0, |a| a.status);
        api_metrics::record(
            &self.metrics,
            self.forge.as_str(),
            request.method.as_str(),
            &route.metric_path,
            status,
            started.elapsed(),
        );
        let answer = answer?;
        tracing::debug!(
            forge = %self.forge,
            method = %request.method,
            path = request.endpoint(),
            status,
            "forge API call"
        );
        let budget = self.rate_limit.budget(&answer.headers);
        if let Some(budget) = budget {
            self.metrics.set_budget(
                BudgetLabels {
                    forge: self.forge.as_str().to_string(),
                    key: route.budget_key.clone(),
                },
                budget.remaining,
            );
        }
        if (200..300).contains(&status) {
            self.throttle.observe(&route.budget_key, budget, None);
            return Ok(answer.body);
        }
        let error =
            classify::classify_answer(status, &answer.headers, &answer.body, &self.rate_limit);
        let pause = match &error {
            ForgeError::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        self.throttle.observe(&route.budget_key, budget, pause);
        Err(error)
    }

    /// Whether job `ticket` of `repo` may send its `writes` now (see [`Throttle::turn`]),
    /// for the request to `path` that stands for the repository's writes.
    pub async fn turn<S: Sender>(
        &self,
        sender: &S,
        path: &str,
        (repo, ticket): (&str, i64),
        writes: u32,
    ) -> Result<Turn, ForgeError> {
        let route = sender.route(path).await?;
        Ok(self.throttle.turn(
            &route.throttle_key,
            &route.budget_key,
            (repo, ticket),
            writes,
            tokio::time::Instant::now(),
        ))
    }

    /// The budgets the forge last reported, by key.
    pub fn budgets(&self) -> Vec<(String, Budget)> {
        self.throttle.budgets()
    }

    /// `GET` and read the answer as `T`.
    pub async fn get_json<T: DeserializeOwned, S: Sender>(
        &self,
        sender: &S,
        path: &str,
    ) -> Result<T, ForgeError> {
        let body = self.request(sender, Method::GET, path, None).await?;
        self.parse(&body)
    }

    /// Every item of a paged list (`path` has no query or ends in one), page by page until
    /// a page comes back short or [`Pagination::max_pages`] were read.
    pub async fn get_all<T: DeserializeOwned, S: Sender>(
        &self,
        sender: &S,
        path: &str,
    ) -> Result<Vec<T>, ForgeError> {
        let mut all = Vec::new();
        for page in 1..=self.pages.max_pages {
            let items: Vec<T> = self
                .get_json(sender, &page_path(path, self.pages, page))
                .await?;
            let last = items.len() < self.pages.per_page;
            all.extend(items);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// Read a 2xx body as `T`.
    pub fn parse<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, ForgeError> {
        let name = self.forge.display_name();
        serde_json::from_slice(body)
            .map_err(|e| ForgeError::Other(format!("unexpected answer from {name}: {e}")))
    }
}

/// `path` asking for page `page`.
fn page_path(path: &str, pages: Pagination, page: usize) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}per_page={}&page={page}", pages.per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_extend_the_query() {
        let pages = Pagination {
            per_page: 100,
            max_pages: 50,
        };
        assert_eq!(page_path("/x", pages, 2), "/x?per_page=100&page=2");
        assert_eq!(
            page_path("/x?state=open", pages, 1),
            "/x?state=open&per_page=100&page=1"
        );
    }
}
