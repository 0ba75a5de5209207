//! What both forge adapters share: retry with backoff honouring `Retry-After`, the per-key
//! write throttle, the TTL cache and API-call metrics.

pub mod api_metrics;
pub mod cache;
pub mod retry;
pub mod throttle;
