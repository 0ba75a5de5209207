//! The label sets of forgehand's metrics: one struct per metric family, with closed enums for
//! outcomes and states so that a label can only take the values the dashboards know.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use std::fmt::Write as _;

use crate::model::ForgeKind;

impl EncodeLabelValue for ForgeKind {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

/// Declares a closed set of label values, each written as the given lower-case text.
macro_rules! label_values {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The label value as `/metrics` shows it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                encoder.write_str(self.as_str())
            }
        }
    };
}

label_values! {
    /// How ingress answered a delivery.
    pub enum DeliveryOutcome {
        /// Stored as a new job (202).
        Accepted => "accepted",
        /// A delivery id already stored (200, not processed again).
        Duplicate => "duplicate",
        /// The store failed; the forge retries (503).
        StoreError => "store_error",
        /// The signature or token did not match (401).
        Unauthorized => "unauthorized",
    }
}

label_values! {
    /// How one attempt at a job ended.
    pub enum JobOutcome {
        /// The plan ran.
        Done => "done",
        /// Nothing to do for this event.
        Ignored => "ignored",
        /// Failed for good.
        Failed => "failed",
        /// Failed for now; the job runs again later.
        Retry => "retry",
        /// Set aside, untried, until its forge's write budget has a slot for it.
        SetAside => "set_aside",
    }
}

label_values! {
    /// What became of one intent of a plan.
    pub enum ActionOutcome {
        /// Sent to the forge.
        Done => "done",
        /// Already done (ledger or marker) or nothing to change.
        Skipped => "skipped",
        /// The forge refused or did not answer.
        Failed => "failed",
    }
}

label_values! {
    /// A job's state in the store.
    pub enum JobState {
        /// Waiting to be claimed.
        Pending => "pending",
        /// Claimed by a worker.
        Running => "running",
        /// Finished.
        Done => "done",
        /// Finished with nothing to do.
        Ignored => "ignored",
        /// Finished in failure.
        Failed => "failed",
    }
}

/// `forgehand_deliveries_total`: one answered delivery.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub forge: ForgeKind,
    /// A known event name, `other`, or empty when the delivery was refused before reading it.
    pub event: &'static str,
    pub outcome: DeliveryOutcome,
}

/// Latencies measured per forge (`forgehand_ack_seconds`, `forgehand_job_seconds`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ForgeLabels {
    pub forge: ForgeKind,
}

/// `forgehand_jobs_total`: one finished job attempt.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct JobLabels {
    pub forge: ForgeKind,
    pub outcome: JobOutcome,
}

/// `forgehand_store_jobs`: the number of jobs in one state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct JobStateLabels {
    pub state: JobState,
}

/// `forgehand_forge_actions_total`: one executed intent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ActionLabels {
    pub forge: ForgeKind,
    /// The intent's kind (`comment`, `edit_issue`, …).
    pub action: &'static str,
    pub outcome: ActionOutcome,
}

/// `forgehand_forge_action_seconds`: the time one intent took.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ActionTimeLabels {
    pub forge: ForgeKind,
    pub action: &'static str,
}

/// `forgehand_forge_api_calls_total`: one HTTP request to a forge API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ApiCallLabels {
    /// The forge client's name for itself (`github`, `gitlab`).
    pub forge: String,
    pub method: String,
    /// The path template (`/repos/:x/:x/issues/:n/labels`), never the raw path.
    pub endpoint: String,
    /// The HTTP status, 0 when no answer came.
    pub status: u16,
}

/// `forgehand_forge_api_seconds`: the latency of one HTTP request to a forge API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ApiTimeLabels {
    pub forge: String,
}

/// `forgehand_forge_budget_remaining`: the requests a forge said remain under one budget.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct BudgetLabels {
    /// The forge client's name for itself (`github`, `gitlab`).
    pub forge: String,
    /// The budget: `token`, `installation:ID`.
    pub key: String,
}
