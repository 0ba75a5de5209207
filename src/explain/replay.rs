//! `forgehand replay`: decide again, with another configuration, over stored deliveries and
//! the facts gathered for them then, and say how each plan differs from the one recorded.

use super::{IntentRecord, PlanRecord};
use crate::config::Config;
use crate::decide::{self, Context};
use crate::event::{self, Decoded};
use crate::store::StoredDelivery;
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

/// Decide `stored` again with `config`, as it was decided then: the same facts, the same
/// moment. `Err` says why it cannot be.
pub fn replay_one(stored: &StoredDelivery, config: &Config) -> Result<Option<Difference>, String> {
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
    let (added, dropped, changed) = compare(&recorded, &plan);
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

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.differences {
            writeln!(f, "{}:{} {} {}", d.forge, d.delivery_id, d.event, d.repo)?;
            for i in &d.added {
                writeln!(f, "  + {}", first_line(&i.text))?;
            }
            for i in &d.dropped {
                writeln!(f, "  - {}", first_line(&i.text))?;
            }
            for c in &d.changed {
                writeln!(f, "  ~ {}", first_line(&c.before.text))?;
                writeln!(f, "    → {}", first_line(&c.after.text))?;
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
