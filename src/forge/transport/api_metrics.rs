//! Metrics of forge API calls: a counter by forge, method, endpoint and status, and a latency
//! histogram. Endpoints are path templates (`/repos/:x/:x/issues/:n/labels`) so that the
//! label set stays bounded whatever repositories, numbers and names the calls carry.

use crate::telemetry::{self, ApiCallLabels, Metrics};
use std::time::Duration;

/// Counter of forge API calls.
pub const API_CALLS_METRIC: &str = telemetry::API_CALLS_METRIC;
/// Histogram of forge API call latency (one HTTP request, without retries).
pub const API_SECONDS_METRIC: &str = telemetry::API_SECONDS_METRIC;

/// Path segments of the GitHub and GitLab REST APIs that forgehand calls; any other segment
/// is a value (owner, name, number, label…) and becomes `:x` (or `:n` when numeric).
const KNOWN_SEGMENTS: &[&str] = &[
    "api",
    "v4",
    "v3",
    "repos",
    "issues",
    "labels",
    "comments",
    "reactions",
    "milestones",
    "collaborators",
    "permission",
    "users",
    "user",
    "installation",
    "app",
    "installations",
    "access_tokens",
    "projects",
    "notes",
    "award_emoji",
    "merge_requests",
    "members",
    "all",
    "pulls",
    "git",
    "refs",
    "ref",
    "heads",
    "tags",
    "contents",
    "releases",
    "compare",
    "branches",
    "repository",
    "files",
    "raw",
    "pipelines",
    "actions",
    "runs",
    "check-suites",
    "commits",
    "merge",
    "search",
];

/// The path template of an API path (query string dropped).
pub fn endpoint_label(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if KNOWN_SEGMENTS.contains(&segment) {
            out.push_str(segment);
        } else if segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(":n");
        } else {
            out.push_str(":x");
        }
    }
    out
}

/// Record one API call. `status` is the HTTP status, or 0 when no answer came.
pub fn record(
    metrics: &Metrics,
    forge: &str,
    method: &str,
    path: &str,
    status: u16,
    elapsed: Duration,
) {
    let labels = ApiCallLabels {
        forge: forge.to_owned(),
        method: method.to_owned(),
        endpoint: endpoint_label(path),
        status,
    };
    metrics.api_call(labels, elapsed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_templates() {
        let cases = [
            (
                "/repos/octo/hello-world/issues/12/labels?per_page=100",
                "/repos/:x/:x/issues/:n/labels",
            ),
            (
                "/repos/o/r/issues/12/labels/flow%3A%3ATo%20Do",
                "/repos/:x/:x/issues/:n/labels/:x",
            ),
            (
                "/api/v4/projects/group%2Fproject/issues/3",
                "/api/v4/projects/:x/issues/:n",
            ),
            ("/api/v4/user", "/api/v4/user"),
            (
                "/repos/o/r/collaborators/alice/permission",
                "/repos/:x/:x/collaborators/:x/permission",
            ),
        ];
        for (path, want) in cases {
            assert_eq!(endpoint_label(path), want, "{path}");
        }
    }

    #[test]
    fn calls_are_counted_by_endpoint_and_status() {
        let m = Metrics::default();
        record(
            &m,
            "github",
            "POST",
            "/repos/a/b/issues/1/labels",
            200,
            Duration::from_millis(3),
        );
        record(
            &m,
            "github",
            "POST",
            "/repos/c/d/issues/2/labels",
            200,
            Duration::from_millis(3),
        );
        let labels = [
            ("forge", "github"),
            ("method", "POST"),
            ("endpoint", "/repos/:x/:x/issues/:n/labels"),
            ("status", "200"),
        ];
        assert_eq!(m.counter(API_CALLS_METRIC, &labels), 2);
    }
}
