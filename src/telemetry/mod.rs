//! Logging set-up and the Prometheus metrics forgehand exposes on `GET /metrics`.

mod labels;
mod metrics;

pub use labels::{
    ActionLabels, ActionOutcome, ActionTimeLabels, ApiCallLabels, ApiTimeLabels, BudgetLabels,
    DeliveryLabels, DeliveryOutcome, ForgeLabels, JobLabels, JobOutcome, JobState, JobStateLabels,
};
pub use metrics::{
    Metrics, ACK_SECONDS_METRIC, ACTIONS_METRIC, ACTION_SECONDS_METRIC, API_CALLS_METRIC,
    API_SECONDS_METRIC, BUDGET_METRIC, CONTENT_TYPE, DELIVERIES_METRIC, JOBS_METRIC,
    JOB_SECONDS_METRIC, JOB_STATES_METRIC, QUEUE_DEPTH_METRIC,
};

/// Install the global `tracing` subscriber: JSON lines when `FORGEHAND_LOG_FORMAT=json`,
/// human-readable otherwise; filter from `RUST_LOG` (default `info`).
pub fn init_logging(json: bool) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (tests) keeps the first subscriber.
    let _ = result;
}
