//! A forge's non-success answer as a [`ForgeError`]: the status, the message in the body,
//! `Retry-After`, and the rate-limit headers (whose names each adapter gives).

use super::throttle::Budget;
use crate::forge::ForgeError;
use chrono::Utc;
use http::HeaderMap;
use std::time::Duration;

/// Longest forge message kept in an error (forges sometimes answer with whole HTML pages).
pub const MAX_ERROR_MESSAGE_CHARS: usize = 500;

/// The names of a forge's rate-limit headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// Requests left in the current window; `0` means none remain.
    pub remaining: &'static str,
    /// Unix time the window resets: the wait when none remain and no `Retry-After` came.
    pub reset: Option<&'static str>,
}

impl RateLimitHeaders {
    /// Whether the forge said no requests remain.
    fn exhausted(&self, headers: &HeaderMap) -> bool {
        header(headers, self.remaining).is_some_and(|v| v.trim() == "0")
    }

    /// `Retry-After`, else (when none remain) the time until the window resets.
    fn retry_after(&self, headers: &HeaderMap, exhausted: bool) -> Option<Duration> {
        parse_retry_after(header(headers, "retry-after")).or_else(|| {
            let reset = header(headers, self.reset?)?.trim().parse::<i64>().ok()?;
            exhausted.then(|| Duration::from_secs((reset - Utc::now().timestamp()).max(1) as u64))
        })
    }
}

impl RateLimitHeaders {
    /// The budget an answer reports: requests remaining and (when the forge sends it) the
    /// Unix time the window resets. `None` when the answer carries no remaining count.
    pub fn budget(&self, headers: &HeaderMap) -> Option<Budget> {
        let remaining = header(headers, self.remaining)?
            .trim()
            .parse::<u64>()
            .ok()?;
        let reset_unix = self
            .reset
            .and_then(|name| header(headers, name))
            .and_then(|v| v.trim().parse::<u64>().ok());
        Some(Budget {
            remaining,
            reset_unix,
        })
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Classify a non-success answer from its status, headers and body.
pub fn classify_answer(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    names: &RateLimitHeaders,
) -> ForgeError {
    let exhausted = names.exhausted(headers);
    let retry_after = names.retry_after(headers, exhausted);
    from_status(status, body, retry_after, exhausted)
}

/// Classify an error a client library already read (its message extracted), with the
/// answer's headers when it kept them.
pub fn classify_read_error(
    status: u16,
    message: String,
    headers: Option<&HeaderMap>,
    names: &RateLimitHeaders,
) -> ForgeError {
    let (retry_after, exhausted) = match headers {
        Some(headers) => {
            let exhausted = names.exhausted(headers);
            (names.retry_after(headers, exhausted), exhausted)
        }
        None => (None, false),
    };
    classify(status, message, retry_after, exhausted)
}

/// Classify a non-success HTTP answer.
///
/// `retry_after` comes from `Retry-After` (or the rate-limit reset header);
/// `rate_limit_exhausted` is true when the forge said no requests remain
/// (GitHub answers 403 in that case).
pub fn from_status(
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
    rate_limit_exhausted: bool,
) -> ForgeError {
    classify(
        status,
        error_message(body),
        retry_after,
        rate_limit_exhausted,
    )
}

/// Classify a non-success HTTP status whose message is already extracted.
pub fn classify(
    status: u16,
    message: String,
    retry_after: Option<Duration>,
    rate_limit_exhausted: bool,
) -> ForgeError {
    match status {
        401 => ForgeError::Unauthorized,
        403 if rate_limit_exhausted
            || retry_after.is_some()
            || message.contains("secondary rate limit") =>
        {
            ForgeError::RateLimited { retry_after }
        }
        404 => ForgeError::NotFound(message),
        408 => ForgeError::Transient(format!("408: {message}")),
        429 => ForgeError::RateLimited { retry_after },
        500..=599 => ForgeError::Transient(format!("{status}: {message}")),
        _ => ForgeError::Rejected { status, message },
    }
}

/// The human part of an error body: GitHub `{"message", "errors"}`, GitLab `{"message"}` or
/// `{"error"}` (GitLab's `message` may be an object of field → errors).
pub fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            let main = match json.get("message").or_else(|| json.get("error")) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => json.to_string(),
            };
            match json.get("errors") {
                Some(errors) if errors.as_array().is_some_and(|a| !a.is_empty()) => {
                    format!("{main}: {errors}")
                }
                _ => main,
            }
        }
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    };
    if text.chars().count() > MAX_ERROR_MESSAGE_CHARS {
        let cut: String = text.chars().take(MAX_ERROR_MESSAGE_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Seconds in a `Retry-After` header (the HTTP-date form is not used by either forge).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: RateLimitHeaders = RateLimitHeaders {
        remaining: "x-ratelimit-remaining",
        reset: Some("x-ratelimit-reset"),
    };

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn statuses_are_classified() {
        let body = br#"{"message":"Validation Failed","errors":[{"code":"invalid"}]}"#;
        assert_eq!(from_status(401, b"", None, false), ForgeError::Unauthorized);
        assert_eq!(
            from_status(404, br#"{"message":"Not Found"}"#, None, false),
            ForgeError::NotFound("Not Found".into())
        );
        match from_status(422, body, None, false) {
            ForgeError::Rejected { status, message } => {
                assert_eq!(status, 422);
                assert!(message.starts_with("Validation Failed: "), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(from_status(503, b"", None, false).is_retryable());
        assert_eq!(
            from_status(429, b"", Some(Duration::from_secs(3)), false),
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert!(from_status(403, b"", None, true).is_retryable());
        assert!(!from_status(403, b"{}", None, false).is_retryable());
        let secondary = br#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert!(from_status(403, secondary, None, false).is_retryable());
    }

    #[test]
    fn rate_limit_headers_are_read() {
        let limited = headers(&[("retry-after", "7".into())]);
        assert_eq!(
            classify_answer(429, &limited, b"", &NAMES),
            ForgeError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        let reset = Utc::now().timestamp() + 30;
        let exhausted = headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", reset.to_string()),
        ]);
        match classify_answer(403, &exhausted, b"{}", &NAMES) {
            ForgeError::RateLimited {
                retry_after: Some(wait),
            } => assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28)),
            other => panic!("{other:?}"),
        }
        let without_reset = RateLimitHeaders {
            reset: None,
            ..NAMES
        };
        assert_eq!(
            classify_answer(403, &exhausted, b"{}", &without_reset),
            ForgeError::RateLimited { retry_after: None }
        );
        let left = headers(&[("x-ratelimit-remaining", "12".into())]);
        assert!(!classify_answer(403, &left, b"{}", &NAMES).is_retryable());
        assert_eq!(
            classify_read_error(403, "no".into(), Some(&exhausted), &without_reset),
            ForgeError::RateLimited { retry_after: None }
        );
        assert_eq!(
            classify_read_error(404, "gone".into(), None, &NAMES),
            ForgeError::NotFound("gone".into())
        );
    }

    #[test]
    fn budgets_are_read_from_either_forges_headers() {
        let github = headers(&[
            ("x-ratelimit-remaining", " 4321 ".into()),
            ("x-ratelimit-reset", "1700000000".into()),
        ]);
        assert_eq!(
            NAMES.budget(&github),
            Some(Budget {
                remaining: 4321,
                reset_unix: Some(1_700_000_000)
            })
        );
        let gitlab_names = RateLimitHeaders {
            remaining: "ratelimit-remaining",
            reset: Some("ratelimit-reset"),
        };
        // Header names are case-insensitive: GitLab sends `RateLimit-Remaining`.
        let mut gitlab = HeaderMap::new();
        gitlab.insert("RateLimit-Remaining", "12".parse().unwrap());
        assert_eq!(
            gitlab_names.budget(&gitlab),
            Some(Budget {
                remaining: 12,
                reset_unix: None
            })
        );
        assert_eq!(NAMES.budget(&HeaderMap::new()), None);
        let garbled = headers(&[("x-ratelimit-remaining", "lots".into())]);
        assert_eq!(NAMES.budget(&garbled), None);
    }

    #[test]
    fn gitlab_field_errors_are_kept() {
        let msg = error_message(br#"{"message":{"title":["can't be blank"]}}"#);
        assert_eq!(msg, r#"{"title":["can't be blank"]}"#);
        assert_eq!(
            error_message(br#"{"error":"invalid_token"}"#),
            "invalid_token"
        );
        assert_eq!(error_message(b"  plain text "), "plain text");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "x".repeat(MAX_ERROR_MESSAGE_CHARS + 10);
        assert_eq!(
            error_message(long.as_bytes()).chars().count(),
            MAX_ERROR_MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(Some(" 7 ")), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }
}
