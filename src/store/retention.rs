//! Retention: `serve` prunes what is older than `server.retention_days` in the background.

use super::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the store is pruned (and once at start-up).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Prune rows older than `keep` now and every [`PRUNE_EVERY`] until `stop` turns true.
pub async fn run(store: Arc<dyn Store>, keep: Duration, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        let before = crate::clock::now_ms() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
        match store.prune(before).await {
            Ok(pruned) => tracing::info!(
                deliveries = pruned.deliveries,
                facts = pruned.facts,
                actions = pruned.actions,
                "old deliveries pruned"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot prune old deliveries"),
        }
        tokio::select! {
            _ = tokio::time::sleep(PRUNE_EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}
