//! The account of one delivery — what came in, what was known, which rules matched and why
//! not, what was planned, what was done — as one serialisable structure that `forgehand
//! explain` prints (and the operations page will render); what the worker keeps for it
//! ([`keep_facts`]); and `replay`'s comparison of a new configuration's plans with the
//! recorded ones ([`replay`]).

mod render;
pub mod replay;

use crate::config::Config;
use crate::decide::rules::{self, RuleVerdict};
use crate::decide::Context;
use crate::event::{self, Decoded, Event};
use crate::model::ForgeKind;
use crate::plan::{Intent, Plan};
use crate::store::{ActionQuery, ActionRecord, DeliveryFacts, Job, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most ledger rows shown for one delivery.
const MAX_ACTIONS: usize = 1_000;

/// A plan as kept with its delivery: each intent as printed and as data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    pub intents: Vec<IntentRecord>,
    pub notes: Vec<String>,
}

/// One intent of a kept plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentRecord {
    /// `comment`, `edit_issue`, …
    pub intent: String,
    /// As `forgehand plan` prints it.
    pub text: String,
    /// The intent as JSON.
    pub spec: serde_json::Value,
    /// In a replay, what the ledger says of this intent when the delivery was processed
    /// (`done: URL`, `failed: answer`, `planned, not done`); never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<String>,
}

impl PlanRecord {
    pub fn of(plan: &Plan) -> PlanRecord {
        PlanRecord {
            intents: plan.intents.iter().map(IntentRecord::of).collect(),
            notes: plan.notes.clone(),
        }
    }
}

impl IntentRecord {
    pub fn of(intent: &Intent) -> IntentRecord {
        IntentRecord {
            intent: intent.name().to_string(),
            text: intent.to_string(),
            spec: serde_json::to_value(intent).unwrap_or(serde_json::Value::Null),
            then: None,
        }
    }
}

/// Keep what was gathered and decided for `job`'s delivery, for `explain` and `replay`. A
/// failure is logged, never the job's: the facts are a record, not part of the work.
pub async fn keep_facts(
    store: &dyn Store,
    job: &Job,
    event: &Event,
    context: &Context,
    plan: &Plan,
) {
    let facts = match (
        serde_json::to_string(context),
        serde_json::to_string(&PlanRecord::of(plan)),
    ) {
        (Ok(context), Ok(plan)) => DeliveryFacts {
            forge: job.forge,
            delivery_id: job.delivery_id.clone(),
            repo: event
                .repo
                .as_ref()
                .map_or(String::new(), |r| r.path.clone()),
            context,
            plan,
            at: crate::clock::now_ms(),
        },
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot serialise the delivery's facts");
            return;
        }
    };
    if let Err(e) = store.record_facts(facts).await {
        tracing::warn!(error = %e, "cannot keep the delivery's facts");
    }
}

/// The neutral event of a delivery, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "as", content = "value")]
pub enum EventView {
    Event(Box<serde_json::Value>),
    /// Authentic but nothing forgehand acts on.
    Ignored(String),
    /// The payload does not decode.
    Undecodable(String),
}

/// Everything known about one delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub forge: ForgeKind,
    pub delivery_id: String,
    /// The forge's event name (`issues`, `Note Hook`, …).
    pub event_name: String,
    pub received_at: String,
    /// pending / running / done / ignored / failed
    pub state: String,
    pub reason: Option<String>,
    /// Tries that counted.
    pub attempts: i64,
    pub event: EventView,
    /// The facts gathered (the `Context`), when a worker got as far as deciding.
    pub facts: Option<serde_json::Value>,
    pub decided_at: Option<String>,
    /// Every rule of the configuration: whether it matched and which condition did not.
    /// Empty without an event or facts.
    pub rules: Vec<RuleVerdict>,
    /// The plan decided (the latest try's).
    pub plan: Option<PlanRecord>,
    /// The action ledger's rows for this delivery, in plan order.
    pub actions: Vec<ActionRecord>,
    /// What could not be shown, and why.
    pub problems: Vec<String>,
}

/// A Unix millisecond as RFC 3339 UTC text.
pub fn time_text(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    )
}

/// The account of one stored delivery, the rules judged by `config`; `None` when no such
/// delivery is stored.
pub async fn account(
    store: &dyn Store,
    config: &Config,
    forge: ForgeKind,
    delivery_id: &str,
) -> Result<Option<Account>, StoreError> {
    let Some(stored) = store.stored(forge, delivery_id).await? else {
        return Ok(None);
    };
    let mut actions = store
        .actions(ActionQuery {
            delivery: Some((forge, delivery_id.to_string())),
            limit: MAX_ACTIONS,
            ..ActionQuery::default()
        })
        .await?;
    actions.sort_by_key(|a| a.position);
    let mut problems = Vec::new();
    let decoded = event::decode(forge, &stored.record.event, &stored.body);
    let (event, event_view) = match decoded {
        Ok(Decoded::Event(e)) => {
            let value = serde_json::to_value(&e).unwrap_or(serde_json::Value::Null);
            (Some(e), EventView::Event(Box::new(value)))
        }
        Ok(Decoded::Ignored(why)) => (None, EventView::Ignored(why)),
        Err(e) => (None, EventView::Undecodable(e.0)),
    };
    let facts = stored.facts.as_ref();
    let context = facts.and_then(|f| match serde_json::from_str::<Context>(&f.context) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(format!("the stored facts do not read back: {e}"));
            None
        }
    });
    let plan = facts.and_then(|f| match serde_json::from_str::<PlanRecord>(&f.plan) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(format!("the stored plan does not read back: {e}"));
            None
        }
    });
    let rules = match (&event, &context, facts) {
        (Some(event), Some(context), Some(f)) => {
            let at = DateTime::<Utc>::from_timestamp_millis(f.at).unwrap_or_default();
            rules::explain(event, config, context, at)
        }
        _ => Vec::new(),
    };
    let record = stored.record;
    Ok(Some(Account {
        forge,
        delivery_id: record.delivery_id,
        event_name: record.event,
        received_at: time_text(stored.received_at),
        state: record.state,
        reason: record.reason,
        attempts: record.attempts,
        event: event_view,
        facts: context
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .map(without_nulls),
        decided_at: facts.map(|f| time_text(f.at)),
        rules,
        plan,
        actions,
        problems,
    }))
}

/// `value` without the object members that are `null` (facts that were not needed).
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}
