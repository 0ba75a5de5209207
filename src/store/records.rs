//! What is kept of each delivery beyond its job: the facts gathered and the plan decided (for
//! `forgehand explain` and `forgehand replay`), redelivery of a failed one, and retention.

use super::DeliveryRecord;
use crate::model::ForgeKind;
use serde::Serialize;

/// What the worker gathered and decided for one delivery (its latest try).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryFacts {
    pub forge: ForgeKind,
    pub delivery_id: String,
    /// `owner/name` or `group/project`; empty for events of no repository.
    pub repo: String,
    /// The gathered `Context`, as JSON.
    pub context: String,
    /// The decided `Plan`, as JSON.
    pub plan: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// A stored delivery with its payload and, when a worker got as far as deciding, its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    pub record: DeliveryRecord,
    /// Unix milliseconds.
    pub received_at: i64,
    /// The payload as received (decompressed).
    pub body: Vec<u8>,
    pub facts: Option<DeliveryFacts>,
}

/// Which deliveries with facts to list (for `replay`), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredQuery {
    /// Received from this Unix millisecond on.
    pub since_ms: i64,
    pub repo: Option<String>,
    pub limit: usize,
}

/// Which deliveries the operations page lists: newest first, every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentQuery {
    /// `owner/name` / `group/project` (as kept with the facts; deliveries a worker never
    /// decided on have none).
    pub repo: Option<String>,
    /// The forge's event name (`issues`, `Note Hook`, …).
    pub event: Option<String>,
    /// pending / running / done / ignored / failed
    pub state: Option<String>,
    /// Rows skipped (paging).
    pub offset: usize,
    pub limit: usize,
}

/// One delivery in a listing, without its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliverySummary {
    pub record: DeliveryRecord,
    /// The repository kept with its facts; empty when none were kept.
    pub repo: String,
    /// Unix milliseconds.
    pub received_at: i64,
    /// Unix milliseconds; `None` while pending or running.
    pub finished_at: Option<i64>,
}

/// What `redeliver` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redelivery {
    /// Back to pending; its tries count from zero again.
    Queued,
    /// Not failed: its state (only a failed delivery is queued again).
    NotFailed(String),
    NotFound,
}

/// Rows removed by one pruning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    pub deliveries: u64,
    pub facts: u64,
    pub actions: u64,
}

/// The reason kept on a delivery queued again: the failure it had, for the record.
pub(super) fn requeued_reason(previous: Option<&str>) -> String {
    format!(
        "queued again by an operator; it had failed: {}",
        previous.unwrap_or("(no reason recorded)")
    )
}
