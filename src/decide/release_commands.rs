//! `/release` and `/deploy`: a stub that the release automation fills in. Until then both
//! are refused with a sentence that says so.

use super::Context;
use crate::command::Command;
use crate::config::Config;
use crate::event::Event;
use crate::plan::Plan;
use chrono::{DateTime, Utc};

/// Run a release command: push its intents onto `plan`, or return why it was refused (the
/// text goes into the comment's one reply).
pub fn release_command(
    command: &Command,
    event: &Event,
    config: &Config,
    context: &Context,
    now: DateTime<Utc>,
    plan: &mut Plan,
) -> Result<(), String> {
    let _ = (event, config, context, now, plan);
    Err(format!("`{}` is not available yet", command.name()))
}
