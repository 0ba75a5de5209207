//! Write throttle: content-creating requests under one key (a GitHub installation, a GitLab
//! project) are spaced at least `interval` apart. Reads are not throttled.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Keys remembered before idle ones are forgotten.
pub const MAX_TRACKED_KEYS: usize = 10_000;

/// Spaces writes per key (installation id, project path).
#[derive(Debug)]
pub struct Throttle {
    interval: Duration,
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl Throttle {
    pub fn new(interval: Duration) -> Self {
        Throttle {
            interval,
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Wait until a write for `key` may go out. Slots are handed out in call order, so
    /// concurrent writers queue up instead of bursting.
    pub async fn acquire(&self, key: &str) {
        if self.interval.is_zero() {
            return;
        }
        let slot = self.reserve(key, Instant::now());
        tokio::time::sleep_until(slot).await;
    }

    /// Reserve the next free slot for `key` at or after `now`.
    fn reserve(&self, key: &str, now: Instant) -> Instant {
        let mut slots = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= MAX_TRACKED_KEYS && !slots.contains_key(key) {
            slots.retain(|_, next| *next > now);
        }
        let slot = slots.get(key).copied().map_or(now, |next| next.max(now));
        slots.insert(key.to_string(), slot + self.interval);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_to_one_key_are_spaced() {
        let t = Throttle::new(Duration::from_secs(1));
        let now = Instant::now();
        assert_eq!(t.reserve("a", now), now);
        assert_eq!(t.reserve("a", now), now + Duration::from_secs(1));
        assert_eq!(t.reserve("a", now), now + Duration::from_secs(2));
        assert_eq!(t.reserve("b", now), now, "keys are independent");
    }

    #[test]
    fn idle_keys_start_fresh() {
        let t = Throttle::new(Duration::from_secs(1));
        let now = Instant::now();
        t.reserve("a", now);
        let later = now + Duration::from_secs(5);
        assert_eq!(t.reserve("a", later), later);
    }

    #[tokio::test]
    async fn zero_interval_never_waits() {
        let t = Throttle::new(Duration::ZERO);
        for _ in 0..100 {
            t.acquire("a").await;
        }
        // No slot was ever reserved: nothing to wait for.
        assert!(t.next_slot.lock().unwrap().is_empty());
    }
}
