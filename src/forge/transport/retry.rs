//! Retry of forge requests: `Transient` and `RateLimited` errors are tried again with
//! exponential backoff that honours `Retry-After`; every other error fails at once.

use crate::forge::ForgeError;
use std::future::Future;
use std::time::Duration;

/// Tries per request, the first one included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// Wait before the second try; doubled for each further try.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// Longest wait between two tries. A `Retry-After` longer than this is not waited for: the
/// error is returned so that the job can be retried later instead of holding a worker.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

/// `wait` spread at random over `[wait / 2, wait]` ("equal jitter").
fn jittered(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // Each `RandomState` is seeded afresh: a random number without another dependency.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = wait / 2;
    let span = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX).max(1);
    half + Duration::from_nanos(random % span)
}

impl RetryPolicy {
    /// No retries at all (for `--dry-run` style checks and tests of failure paths).
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait after failed try number `attempt` (1-based), or `None` to give up.
    pub fn delay_after(&self, attempt: u32, error: &ForgeError) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let backoff = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        match error {
            ForgeError::Transient(_) => Some(backoff),
            ForgeError::RateLimited { retry_after: None } => Some(backoff),
            ForgeError::RateLimited {
                retry_after: Some(wait),
            } => (*wait <= self.max_delay).then_some(*wait),
            _ => None,
        }
    }

    /// Run `op` until it succeeds, fails with a non-retryable error, or the tries run out.
    /// `what` names the request in log lines.
    pub async fn run<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, ForgeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ForgeError>>,
    {
        let mut attempt = 1;
        loop {
            match op().await {
                Ok(value) => return Ok(value),
                Err(error) => match self.delay_after(attempt, &error) {
                    Some(wait) => {
                        // A forge's own `Retry-After` is obeyed as given; a computed backoff
                        // is spread so that clients failing together do not retry together.
                        let wait = match error {
                            ForgeError::RateLimited {
                                retry_after: Some(_),
                            } => wait,
                            _ => jittered(wait),
                        };
                        tracing::warn!(
                            request = what,
                            attempt,
                            wait_ms = wait.as_millis() as u64,
                            error = %error,
                            "forge request failed, retrying"
                        );
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(error),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
        };
        let t = ForgeError::Transient("503".into());
        let delays: Vec<_> = (1..=5).map(|a| p.delay_after(a, &t).unwrap()).collect();
        let ms: Vec<u128> = delays.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 700, 700]);
        assert_eq!(p.delay_after(10, &t), None);
    }

    #[test]
    fn retry_after_is_honoured_unless_too_long() {
        let p = RetryPolicy::default();
        let wait = |s| ForgeError::RateLimited {
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(p.delay_after(1, &wait(7)), Some(Duration::from_secs(7)));
        assert_eq!(p.delay_after(1, &wait(3600)), None);
    }

    #[test]
    fn only_transient_and_rate_limits_are_retried() {
        let p = RetryPolicy::default();
        assert!(p.delay_after(1, &ForgeError::Unauthorized).is_none());
        assert!(p
            .delay_after(1, &ForgeError::NotFound("x".into()))
            .is_none());
        let rejected = ForgeError::Rejected {
            status: 422,
            message: "no".into(),
        };
        assert!(p.delay_after(1, &rejected).is_none());
        assert!(RetryPolicy::never()
            .delay_after(1, &ForgeError::Transient("x".into()))
            .is_none());
    }

    #[tokio::test]
    async fn run_retries_then_succeeds() {
        let calls = AtomicU32::new(0);
        let result = fast()
            .run("test", || async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(ForgeError::Transient("503".into()))
                } else {
                    Ok(42)
                }
            })
            .await;
        assert_eq!(result, Ok(42));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn run_gives_up_after_max_attempts() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = fast()
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ForgeError::Transient("503".into()))
            })
            .await;
        assert!(matches!(result, Err(ForgeError::Transient(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn run_stops_on_permanent_errors() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = fast()
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ForgeError::Unauthorized)
            })
            .await;
        assert_eq!(result, Err(ForgeError::Unauthorized));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn jitter_stays_within_half_to_full_wait() {
        let wait = Duration::from_millis(800);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(wait)).collect();
        assert!(waits.iter().all(|w| *w >= wait / 2 && *w <= wait));
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(
            distinct.len() > 100,
            "jitter should vary: {}",
            distinct.len()
        );
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
