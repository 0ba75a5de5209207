//! `forgehand replay`: decide again, with another configuration, over stored deliveries and
//! the facts gathered for them then, and say how each plan differs from what was done.
//!
//! What was done is the action ledger's: the intents of the recorded plan that the ledger
//! marks done. An intent that was planned but failed (or was never reached) is not part of
//! it, so a new plan that still has it shows it as added, marked with what happened then. A
//! delivery without any ledger row (a dry run, or a plan of nothing) is compared with its
//! recorded plan.

use super::{IntentRecord, PlanRecord};
use crate::config::Config;
use crate::decide::{self, Context};
use crate::event::{self, Decoded};
use crate::store::{ActionRecord, ActionState, StoredDelivery};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// An intent whose kind and target stayed, its content changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    pub before: IntentRecord,
    pub after: IntentRecord,
}

/// How one delivery's plan would differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub forge: String,
    pub delivery_id: String,
    pub event: String,
    pub repo: String,
    /// What the new plans were compared with: `done` (the ledger's) or `planned` (no
    /// ledger row: the recorded plan).
    pub baseline: &'static str,
    pub added: Vec<IntentRecord>,
    pub dropped: Vec<IntentRecord>,
    pub changed: Vec<Changed>,
}

/// Totals over a replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Deliveries decided again.
    pub replayed: usize,
    /// Of those, how many would be planned otherwise.
    pub differing: usize,
    pub added: usize,
    pub dropped: usize,
    pub changed: usize,
    /// Deliveries that could not be decided again (their stored record does not read back).
    pub skipped: usize,
}

/// A whole replay.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub differences: Vec<Difference>,
    /// Why each skipped delivery was skipped.
    pub skipped: Vec<String>,
    pub summary: Summary,
}

/// What an intent acts on, for pairing a changed intent with its earlier self.
fn slot(intent: &IntentRecord) -> (String, String) {
    let target = intent
        .spec
        .get("target")
        .or_else(|| intent.spec.get("repo"))
        .map(|t| t.to_string())
        .unwrap_or_default();
    (intent.intent.clone(), target)
}

/// The difference between a recorded plan and a new one: intents equal in both are the same;
/// of the rest, a recorded and a new intent of the same kind and target are one changed; the
/// others were dropped or added.
pub fn compare(
    before: &PlanRecord,
    after: &PlanRecord,
) -> (Vec<IntentRecord>, Vec<IntentRecord>, Vec<Changed>) {
    let mut old: Vec<Option<&IntentRecord>> = before.intents.iter().map(Some).collect();
    let mut fresh: Vec<&IntentRecord> = Vec::new();
    for intent in &after.intents {
        match old
            .iter()
            .position(|o| o.is_some_and(|o| o.spec == intent.spec))
        {
            Some(i) => old[i] = None,
            None => fresh.push(intent),
        }
    }
    let mut changed = Vec::new();
    let mut added = Vec::new();
    for intent in fresh {
        let key = slot(intent);
        match old.iter().position(|o| o.is_some_and(|o| slot(o) == key)) {
            Some(i) => {
                let before = old[i].take().cloned();
                if let Some(before) = before {
                    changed.push(Changed {
                        before,
                        after: intent.clone(),
                    });
                }
            }
            None => added.push(intent.clone()),
        }
    }
    let dropped = old.into_iter().flatten().cloned().collect();
    (added, dropped, changed)
}

/// What was done of `recorded`, by the `ledger` rows of its delivery (matched by place in
/// the plan and kind), each intent marked with its row; and the name of the baseline. With
/// no ledger row at all, the recorded plan itself (`planned`).
pub fn done_of(recorded: &PlanRecord, ledger: &[ActionRecord]) -> (PlanRecord, &'static str) {
    if ledger.is_empty() {
        return (recorded.clone(), "planned");
    }
    let intents = recorded
        .intents
        .iter()
        .enumerate()
        .filter_map(|(position, intent)| {
            let row = ledger
                .iter()
                .find(|a| a.position == position as i64 && a.intent == intent.intent)?;
            (row.state == ActionState::Done).then(|| IntentRecord {
                then: Some(match &row.url {
                    Some(url) => format!("done: {url}"),
                    None => "done".to_string(),
                }),
                ..intent.clone()
            })
        })
        .collect();
    (
        PlanRecord {
            intents,
            notes: recorded.notes.clone(),
        },
        "done",
    )
}

/// What happened then to an intent of `recorded` equal to `intent` that is not in the
/// baseline: the ledger's failure, or that it was planned and not done.
fn then_of(
    intent: &IntentRecord,
    recorded: &PlanRecord,
    ledger: &[ActionRecord],
) -> Option<String> {
    let position = recorded
        .intents
        .iter()
        .position(|r| r.spec == intent.spec)?;
    let row = ledger
        .iter()
        .find(|a| a.position == position as i64 && a.intent == intent.intent);
    Some(match row {
        Some(a) if a.state == ActionState::Failed => format!(
            "failed then: {}",
            a.answer.as_deref().unwrap_or("no answer recorded")
        ),
        _ => "planned then, not done".to_string(),
    })
}

/// Decide `stored` again with `config`, as it was decided then: the same facts, the same
/// moment. `Err` says why it cannot be.
/// `ledger` is the action ledger's rows for the delivery.
pub fn replay_one(
    stored: &StoredDelivery,
    config: &Config,
    ledger: &[ActionRecord],
) -> Result<Option<Difference>, String> {
    let record = &stored.record;
    let name = format!("{}:{}", record.forge, record.delivery_id);
    let Some(facts) = &stored.facts else {
        return Err(format!("{name}: no facts were kept"));
    };
    let context: Context = serde_json::from_str(&facts.context)
        .map_err(|e| format!("{name}: the stored facts do not read back: {e}"))?;
    let recorded: PlanRecord = serde_json::from_str(&facts.plan)
        .map_err(|e| format!("{name}: the stored plan does not read back: {e}"))?;
    let event = match event::decode(facts.forge, &record.event, &stored.body) {
        Ok(Decoded::Event(e)) => e,
        Ok(Decoded::Ignored(why)) => return Err(format!("{name}: now ignored: {why}")),
        Err(e) => return Err(format!("{name}: {}", e.0)),
    };
    let at = DateTime::<Utc>::from_timestamp_millis(facts.at).unwrap_or_default();
    let plan = PlanRecord::of(&decide::decide(&event, config, &context, at));
    let (baseline, name_of_baseline) = done_of(&recorded, ledger);
    let (mut added, dropped, changed) = compare(&baseline, &plan);
    if name_of_baseline == "done" {
        for intent in &mut added {
            intent.then = then_of(intent, &recorded, ledger);
        }
    }
    if added.is_empty() && dropped.is_empty() && changed.is_empty() {
        return Ok(None);
    }
    Ok(Some(Difference {
        forge: record.forge.clone(),
        delivery_id: record.delivery_id.clone(),
        event: event.kind.name().to_string()
            + &event
                .kind
                .action_name()
                .map_or(String::new(), |a| format!(".{a}")),
        repo: facts.repo.clone(),
        baseline: name_of_baseline,
        added,
        dropped,
        changed,
    }))
}

impl Report {
    /// Add one delivery's outcome.
    pub fn add(&mut self, outcome: Result<Option<Difference>, String>) {
        match outcome {
            Ok(found) => {
                self.summary.replayed += 1;
                if let Some(d) = found {
                    self.summary.differing += 1;
                    self.summary.added += d.added.len();
                    self.summary.dropped += d.dropped.len();
                    self.summary.changed += d.changed.len();
                    self.differences.push(d);
                }
            }
            Err(why) => {
                self.summary.skipped += 1;
                self.skipped.push(why);
            }
        }
    }
}

/// The first line of an intent's text, with what happened to it then.
fn line(intent: &IntentRecord) -> String {
    let first = intent.text.lines().next().unwrap_or("");
    match &intent.then {
        Some(then) => format!("{first}  [{then}]"),
        None => first.to_string(),
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.differences {
            let against = if d.baseline == "planned" {
                " (nothing done then: compared with the plan)"
            } else {
                ""
            };
            writeln!(
                f,
                "{}:{} {} {}{against}",
                d.forge, d.delivery_id, d.event, d.repo
            )?;
            for i in &d.added {
                writeln!(f, "  + {}", line(i))?;
            }
            for i in &d.dropped {
                writeln!(f, "  - {}", line(i))?;
            }
            for c in &d.changed {
                writeln!(f, "  ~ {}", line(&c.before))?;
                writeln!(f, "    → {}", line(&c.after))?;
            }
        }
        for why in &self.skipped {
            writeln!(f, "skipped {why}")?;
        }
        let s = &self.summary;
        writeln!(
            f,
            "{} deliveries replayed, {} would be planned otherwise: {} added, {} dropped, {} changed{}",
            s.replayed,
            s.differing,
            s.added,
            s.dropped,
            s.changed,
            if s.skipped > 0 {
                format!("; {} skipped", s.skipped)
            } else {
                String::new()
            }
        )
    }
}
