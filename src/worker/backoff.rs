//! When a job is tried again: the doubling retry delay, and when a job set aside too often
//! for too long fails instead.

use std::time::Duration;

/// First delay before a job that failed transiently is tried again; doubles per attempt.
pub(super) const RETRY_BASE: Duration = Duration::from_secs(5);
/// Longest delay between two tries of a job.
pub(super) const RETRY_MAX: Duration = Duration::from_secs(600);

/// A job set aside at least this many times, and received at least [`SET_ASIDE_MAX_AGE`]
/// ago, fails instead of being set aside again: a forge that keeps answering 429, or a
/// budget that never has room for it, does not keep it pending for ever. (Both must hold: a
/// busy budget may set a young job aside often, and a backlog may make an old job's first
/// wait.)
pub(super) const MAX_SET_ASIDES: i64 = 100;
/// See [`MAX_SET_ASIDES`].
pub(super) const SET_ASIDE_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Why a job that would be set aside again fails instead: it was set aside `set_asides`
/// times already and was received at `received_at_ms`, both past their limits
/// ([`MAX_SET_ASIDES`], [`SET_ASIDE_MAX_AGE`]).
pub(super) fn waited_too_long(set_asides: i64, received_at_ms: i64, now_ms: i64) -> Option<String> {
    let age = Duration::from_millis(now_ms.saturating_sub(received_at_ms).max(0) as u64);
    if set_asides < MAX_SET_ASIDES || age < SET_ASIDE_MAX_AGE {
        return None;
    }
    Some(format!(
        "gave up after being set aside {set_asides} times over {} h: the forge kept refusing \
         writes (rate limit) or its write budget never had room for this job",
        age.as_secs() / 3600
    ))
}

/// Delay before try number `attempt + 1`: doubling from [`RETRY_BASE`], capped at [`RETRY_MAX`].
pub(super) fn retry_delay(attempt: i64) -> Duration {
    let factor = 1u32 << attempt.clamp(0, 16) as u32;
    RETRY_BASE.saturating_mul(factor).min(RETRY_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_set_aside_too_often_for_too_long_fails_with_the_reason() {
        const HOUR: i64 = 3_600_000;
        let received = 1_000;
        // Often, but young: a busy budget; old, but seldom set aside: a backlog.
        assert_eq!(waited_too_long(5_000, received, received + HOUR), None);
        assert_eq!(waited_too_long(3, received, received + 48 * HOUR), None);
        assert_eq!(waited_too_long(99, received, received + 48 * HOUR), None);
        assert_eq!(
            waited_too_long(100, received, received + 24 * HOUR - 1),
            None
        );
        let why = waited_too_long(100, received, received + 24 * HOUR).expect("gives up");
        assert_eq!(
            why,
            "gave up after being set aside 100 times over 24 h: the forge kept refusing writes \
             (rate limit) or its write budget never had room for this job"
        );
        assert!(waited_too_long(250, received, received + 72 * HOUR)
            .is_some_and(|why| why.contains("250 times over 72 h")));
    }

    #[test]
    fn retry_delay_doubles_and_is_capped() {
        assert_eq!(retry_delay(0), Duration::from_secs(5));
        assert_eq!(retry_delay(1), Duration::from_secs(10));
        assert_eq!(retry_delay(3), Duration::from_secs(40));
        assert_eq!(retry_delay(30), RETRY_MAX);
    }
}
