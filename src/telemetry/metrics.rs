//! The metrics forgehand exposes on `GET /metrics`: a `prometheus-client` registry holding a
//! family per metric (HELP and TYPE lines for each), recorded through typed label sets and
//! rendered in the OpenMetrics text format.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::labels::{
    ActionLabels, ActionOutcome, ActionTimeLabels, ApiCallLabels, ApiTimeLabels, BudgetLabels,
    DeliveryLabels, ForgeLabels, JobLabels, JobOutcome, JobState, JobStateLabels,
};
use crate::model::ForgeKind;

/// Content type of [`Metrics::render`]'s output: OpenMetrics text, which Prometheus reads.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counter of webhook deliveries answered, by forge, event and outcome.
pub const DELIVERIES_METRIC: &str = "forgehand_deliveries_total";
/// Histogram of the time from a delivery's arrival to its answer.
pub const ACK_SECONDS_METRIC: &str = "forgehand_ack_seconds";
/// Counter of finished job attempts, by forge and outcome.
pub const JOBS_METRIC: &str = "forgehand_jobs_total";
/// Histogram of the time one job attempt took.
pub const JOB_SECONDS_METRIC: &str = "forgehand_job_seconds";
/// Gauge of jobs in the store, by state. (Not `forgehand_jobs`: in OpenMetrics that is the
/// family name of [`JOBS_METRIC`], and two families may not share a name.)
pub const JOB_STATES_METRIC: &str = "forgehand_store_jobs";
/// Gauge of jobs waiting or running.
pub const QUEUE_DEPTH_METRIC: &str = "forgehand_queue_depth";
/// Counter of executed intents, by forge, action and outcome (`done`, `skipped`, `failed`).
pub const ACTIONS_METRIC: &str = "forgehand_forge_actions_total";
/// Histogram of the time one intent took (its requests, retries and throttle waits).
pub const ACTION_SECONDS_METRIC: &str = "forgehand_forge_action_seconds";
/// Counter of forge API calls, by forge, method, endpoint template and status.
pub const API_CALLS_METRIC: &str = "forgehand_forge_api_calls_total";
/// Histogram of forge API call latency (one HTTP request, without retries).
pub const API_SECONDS_METRIC: &str = "forgehand_forge_api_seconds";
/// Gauge of the requests a forge said remain, by forge and budget (installation, token).
pub const BUDGET_METRIC: &str = "forgehand_forge_budget_remaining";

/// Upper bounds (seconds) of the ack-latency buckets: fine from half a millisecond (a stored
/// delivery) up to the 10 s a forge waits for an answer.
const ACK_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Upper bounds (seconds) of the job and action buckets: a job waits for rate-limit budget and
/// retries its requests, so one attempt can take minutes; the last bucket is 10 minutes.
const JOB_BUCKETS: [f64; 15] = [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Upper bounds (seconds) of the forge API buckets: one request, up to the clients' 30 s read
/// timeout plus the connect timeout.
const API_BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// A gauge holding a count.
type Count = Gauge<u64, AtomicU64>;
/// A family of histograms, each made by a plain function (so the type can be named).
type Histograms<S> = Family<S, Histogram, fn() -> Histogram>;

fn ack_histogram() -> Histogram {
    Histogram::new(ACK_BUCKETS)
}

fn job_histogram() -> Histogram {
    Histogram::new(JOB_BUCKETS)
}

fn api_histogram() -> Histogram {
    Histogram::new(API_BUCKETS)
}

/// The name a counter is registered under: the library adds the `_total` suffix itself.
fn counter_name(exposed: &'static str) -> &'static str {
    exposed.strip_suffix("_total").unwrap_or(exposed)
}

/// Every metric forgehand keeps. Cheap to record from any thread; `Metrics::default()` makes
/// a fresh registry (each test has its own).
pub struct Metrics {
    registry: Registry,
    deliveries: Family<DeliveryLabels, Counter>,
    ack_seconds: Histograms<ForgeLabels>,
    jobs: Family<JobLabels, Counter>,
    job_seconds: Histograms<ForgeLabels>,
    job_states: Family<JobStateLabels, Count>,
    queue_depth: Count,
    actions: Family<ActionLabels, Counter>,
    action_seconds: Histograms<ActionTimeLabels>,
    api_calls: Family<ApiCallLabels, Counter>,
    api_seconds: Histograms<ApiTimeLabels>,
    budgets: Family<BudgetLabels, Count>,
    /// The same budgets as a list the operations page can read: `(forge, key)` → remaining.
    budget_list: std::sync::Mutex<std::collections::BTreeMap<(String, String), u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let metrics = Metrics {
            registry: Registry::default(),
            deliveries: Family::default(),
            ack_seconds: Family::new_with_constructor(ack_histogram),
            jobs: Family::default(),
            job_seconds: Family::new_with_constructor(job_histogram),
            job_states: Family::default(),
            queue_depth: Count::default(),
            actions: Family::default(),
            action_seconds: Family::new_with_constructor(job_histogram),
            api_calls: Family::default(),
            api_seconds: Family::new_with_constructor(api_histogram),
            budgets: Family::default(),
            budget_list: Default::default(),
        };
        metrics.registered()
    }
}

impl Metrics {
    /// Registers every family with its help text (the families are shared handles).
    fn registered(mut self) -> Self {
        let r = &mut self.registry;
        r.register(
            counter_name(DELIVERIES_METRIC),
            "Webhook deliveries answered, by forge, event and outcome",
            self.deliveries.clone(),
        );
        r.register(
            ACK_SECONDS_METRIC,
            "Seconds from a delivery's arrival to its answer",
            self.ack_seconds.clone(),
        );
        r.register(
            counter_name(JOBS_METRIC),
            "Job attempts finished, by forge and outcome",
            self.jobs.clone(),
        );
        r.register(
            JOB_SECONDS_METRIC,
            "Seconds one job attempt took, from claim to recorded outcome",
            self.job_seconds.clone(),
        );
        r.register(
            JOB_STATES_METRIC,
            "Jobs in the store, by state",
            self.job_states.clone(),
        );
        r.register(
            QUEUE_DEPTH_METRIC,
            "Jobs pending or running",
            self.queue_depth.clone(),
        );
        r.register(
            counter_name(ACTIONS_METRIC),
            "Plan intents executed, by forge, action and outcome",
            self.actions.clone(),
        );
        r.register(
            ACTION_SECONDS_METRIC,
            "Seconds one intent took, with its requests, retries and throttle waits",
            self.action_seconds.clone(),
        );
        r.register(
            counter_name(API_CALLS_METRIC),
            "Forge API requests, by forge, method, endpoint template and HTTP status (0: no answer)",
            self.api_calls.clone(),
        );
        r.register(
            API_SECONDS_METRIC,
            "Seconds one forge API request took, without retries",
            self.api_seconds.clone(),
        );
        r.register(
            BUDGET_METRIC,
            "Requests the forge said remain in its rate-limit window, by forge and budget",
            self.budgets.clone(),
        );
        self
    }

    /// A delivery answered by ingress.
    pub fn delivery(&self, labels: DeliveryLabels) {
        self.deliveries.get_or_create(&labels).inc();
    }

    /// The time ingress took to answer a delivery it read.
    pub fn ack(&self, forge: ForgeKind, elapsed: Duration) {
        let labels = ForgeLabels { forge };
        let histogram = self.ack_seconds.get_or_create(&labels);
        histogram.observe(elapsed.as_secs_f64());
    }

    /// A job attempt that ended with `outcome`.
    pub fn job(&self, forge: ForgeKind, outcome: JobOutcome) {
        self.jobs.get_or_create(&JobLabels { forge, outcome }).inc();
    }

    /// The time one job attempt took.
    pub fn job_time(&self, forge: ForgeKind, elapsed: Duration) {
        let labels = ForgeLabels { forge };
        let histogram = self.job_seconds.get_or_create(&labels);
        histogram.observe(elapsed.as_secs_f64());
    }

    /// One executed intent: its outcome and the time it took.
    pub fn action(
        &self,
        forge: ForgeKind,
        action: &'static str,
        outcome: ActionOutcome,
        elapsed: Duration,
    ) {
        let time = ActionTimeLabels { forge, action };
        let histogram = self.action_seconds.get_or_create(&time);
        histogram.observe(elapsed.as_secs_f64());
        let labels = ActionLabels {
            forge,
            action,
            outcome,
        };
        self.actions.get_or_create(&labels).inc();
    }

    /// One forge API request and its latency.
    pub fn api_call(&self, labels: ApiCallLabels, elapsed: Duration) {
        let time = ApiTimeLabels {
            forge: labels.forge.clone(),
        };
        let histogram = self.api_seconds.get_or_create(&time);
        histogram.observe(elapsed.as_secs_f64());
        self.api_calls.get_or_create(&labels).inc();
    }

    /// Sets the requests a forge said remain under one budget.
    pub fn set_budget(&self, labels: BudgetLabels, remaining: u64) {
        self.budgets.get_or_create(&labels).set(remaining);
        self.budget_list
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((labels.forge, labels.key), remaining);
    }

    /// The rate budgets the forges last reported: `(forge, budget, remaining)`, in order.
    pub fn budgets(&self) -> Vec<(String, String, u64)> {
        self.budget_list
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|((forge, key), remaining)| (forge.clone(), key.clone(), *remaining))
            .collect()
    }

    /// The value of the gauge sample `name{labels}` (as [`counter`](Self::counter) reads
    /// counters); `None` when there is none.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
        let prefix = sample_prefix(name, labels);
        self.render()
            .lines()
            .filter_map(|line| line.strip_prefix(prefix.as_str()))
            .find_map(|value| value.split_whitespace().next()?.parse().ok())
    }

    /// Sets the number of jobs in `state` (read from the store when `/metrics` is served).
    pub fn set_jobs(&self, state: JobState, count: u64) {
        self.job_states
            .get_or_create(&JobStateLabels { state })
            .set(count);
    }

    /// Sets the number of jobs pending or running.
    pub fn set_queue_depth(&self, count: u64) {
        self.queue_depth.set(count);
    }

    /// The OpenMetrics text exposition of every metric (serve it as [`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            // Writing to a String does not fail, and no label value refuses to encode.
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        out
    }

    /// The value of the counter sample `name{labels}` as [`render`](Self::render) writes it
    /// (`name` with its `_total`, labels in the family's order); 0 when there is none. For
    /// tests and diagnostics: it renders the whole registry.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let prefix = sample_prefix(name, labels);
        self.render()
            .lines()
            .filter_map(|line| line.strip_prefix(prefix.as_str()))
            .find_map(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics { .. }")
    }
}

/// `name{k="v",…} ` (or `name ` without labels), label values escaped as the exposition
/// format escapes them.
fn sample_prefix(name: &str, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return format!("{name} ");
    }
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{name}{{{}}} ", pairs.join(","))
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
