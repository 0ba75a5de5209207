//! The account of a delivery for a terminal.

use super::{Account, EventView};
use std::fmt::{self, Write as _};

/// `text` with every line indented by `by` spaces.
fn indented(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::new();
    for line in text.lines() {
        let _ = writeln!(out, "{pad}{line}");
    }
    out
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "delivery {}:{} ({}), received {}",
            self.forge.as_str(),
            self.delivery_id,
            self.event_name,
            self.received_at
        )?;
        writeln!(
            f,
            "state: {} after {} attempt{}",
            self.state,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )?;
        if let Some(reason) = &self.reason {
            writeln!(f, "reason: {reason}")?;
        }
        writeln!(f, "\nevent:")?;
        match &self.event {
            EventView::Event(value) => f.write_str(&indented(&pretty(value), 2))?,
            EventView::Ignored(why) => writeln!(f, "  ignored: {why}")?,
            EventView::Undecodable(why) => writeln!(f, "  does not decode: {why}")?,
        }
        writeln!(f, "\nfacts:")?;
        match (&self.facts, &self.decided_at) {
            (Some(facts), Some(at)) => {
                writeln!(f, "  gathered {at}")?;
                f.write_str(&indented(&pretty(facts), 2))?;
            }
            _ => writeln!(f, "  none kept (no worker decided on this delivery)")?,
        }
        writeln!(f, "\nrules:")?;
        if self.rules.is_empty() {
            writeln!(f, "  none judged")?;
        }
        for rule in &self.rules {
            match (rule.on_event, rule.matched) {
                (false, _) => writeln!(f, "  - {}: not for this event", rule.rule)?,
                (true, true) => writeln!(f, "  ✓ {}: matched", rule.rule)?,
                (true, false) => {
                    writeln!(f, "  ✗ {}: did not match", rule.rule)?;
                    for why in &rule.failed {
                        writeln!(f, "      {why}")?;
                    }
                }
            }
        }
        writeln!(f, "\nplan:")?;
        match &self.plan {
            None => writeln!(f, "  none kept")?,
            Some(plan) => {
                if plan.intents.is_empty() {
                    writeln!(f, "  nothing to do")?;
                }
                for (i, intent) in plan.intents.iter().enumerate() {
                    let text = indented(&intent.text, 5);
                    writeln!(f, "  {}. {}", i + 1, text.trim())?;
                }
                for note in &plan.notes {
                    writeln!(f, "  note: {note}")?;
                }
            }
        }
        writeln!(f, "\nactions:")?;
        if self.actions.is_empty() {
            writeln!(f, "  none recorded")?;
        }
        for a in &self.actions {
            write!(
                f,
                "  {}. {} on {}: {}",
                a.position + 1,
                a.intent,
                a.repo,
                a.state.as_str()
            )?;
            if let Some(answer) = &a.answer {
                write!(f, " — {answer}")?;
            }
            if let Some(id) = &a.object_id {
                write!(f, " (id {id})")?;
            }
            writeln!(f, " at {}", super::time_text(a.at))?;
            if let Some(url) = &a.url {
                writeln!(f, "     {url}")?;
            }
        }
        for problem in &self.problems {
            writeln!(f, "\nproblem: {problem}")?;
        }
        Ok(())
    }
}
