//! A small bounded cache with a time to live, for name → id look-ups (milestone titles, user
//! names) so that repeated commands do not re-read the same lists from the forge.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept per cache by default; the oldest entry goes when a new one does not fit.
pub const DEFAULT_CAPACITY: usize = 4096;
/// How long a look-up stays valid by default (milestones and users change rarely; a miss
/// always goes back to the forge).
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// Repositories whose label and milestone lists are kept at a time.
pub const LIST_CAPACITY: usize = 256;
/// How long a repository's label or milestone list is reused: short, so that a label or
/// milestone created on the forge is seen soon, but long enough that the commands of one
/// comment (and a burst of comments) read each list once.
pub const LIST_TTL: Duration = Duration::from_secs(60);

/// A thread-safe TTL cache holding at most `capacity` entries.
#[derive(Debug)]
pub struct TtlCache<K, V> {
    capacity: usize,
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY, DEFAULT_TTL)
    }
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        TtlCache {
            capacity: capacity.max(1),
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value, if present and younger than the TTL.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    /// The cached value for `key`, or the result of `fetch` (cached when it succeeds). `fetch`
    /// is a future, so it does nothing unless the value is missing.
    pub async fn get_or_fetch<E>(
        &self,
        key: K,
        fetch: impl std::future::Future<Output = Result<V, E>>,
    ) -> Result<V, E> {
        if let Some(value) = self.get(&key) {
            return Ok(value);
        }
        let value = fetch.await?;
        self.insert(key, value.clone());
        Ok(value)
    }

    pub fn insert(&self, key: K, value: V) {
        self.insert_at(key, value, Instant::now());
    }

    /// Forget one entry (e.g. after the forge said the id no longer exists).
    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some((stored, value)) if now.duration_since(*stored) < self.ttl => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn insert_at(&self, key: K, value: V, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, (stored, _)| now.duration_since(*stored) < ttl);
            if entries.len() >= self.capacity {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, (stored, _))| *stored)
                    .map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key, (now, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let cache = TtlCache::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        cache.insert_at("a", 1, t0);
        assert_eq!(cache.get_at(&"a", t0 + Duration::from_secs(59)), Some(1));
        assert_eq!(cache.get_at(&"a", t0 + Duration::from_secs(60)), None);
        assert!(cache.is_empty(), "expired entries are dropped on read");
    }

    #[test]
    fn capacity_evicts_the_oldest() {
        let cache = TtlCache::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        cache.insert_at("a", 1, t0);
        cache.insert_at("b", 2, t0 + Duration::from_secs(1));
        cache.insert_at("c", 3, t0 + Duration::from_secs(2));
        let now = t0 + Duration::from_secs(3);
        assert_eq!(cache.get_at(&"a", now), None);
        assert_eq!(cache.get_at(&"b", now), Some(2));
        assert_eq!(cache.get_at(&"c", now), Some(3));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn expired_entries_make_room_first() {
        let cache = TtlCache::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        cache.insert_at("old", 1, t0);
        cache.insert_at("new", 2, t0 + Duration::from_secs(9));
        cache.insert_at("newer", 3, t0 + Duration::from_secs(11));
        let now = t0 + Duration::from_secs(12);
        assert_eq!(cache.get_at(&"new", now), Some(2));
        assert_eq!(cache.get_at(&"newer", now), Some(3));
    }

    #[test]
    fn overwrite_and_remove() {
        let cache: TtlCache<String, u64> = TtlCache::default();
        cache.insert("k".into(), 1);
        cache.insert("k".into(), 2);
        assert_eq!(cache.get(&"k".into()), Some(2));
        cache.remove(&"k".into());
        assert_eq!(cache.get(&"k".into()), None);
    }

    #[tokio::test]
    async fn get_or_fetch_fetches_on_a_miss_only_and_keeps_no_error() {
        let cache: TtlCache<String, u32> = TtlCache::default();
        let calls = std::cell::Cell::new(0);
        let fetch = |v: Result<u32, &'static str>| {
            let calls = &calls;
            async move {
                calls.set(calls.get() + 1);
                v
            }
        };
        assert_eq!(
            cache.get_or_fetch("a".into(), fetch(Err("down"))).await,
            Err("down")
        );
        assert_eq!(cache.get_or_fetch("a".into(), fetch(Ok(7))).await, Ok(7));
        assert_eq!(cache.get_or_fetch("a".into(), fetch(Ok(9))).await, Ok(7));
        assert_eq!(
            calls.get(),
            2,
            "the cached value is served without fetching"
        );
    }
}
