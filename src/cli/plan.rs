//! `forgehand plan`: what the bot would do for one delivery — a forge's webhook or an alert —
//! decided without calling any forge (facts it would fetch are assumed), printed for people
//! or as JSON.

use crate::config::Config;
use crate::decide::{self, Context};
use crate::event::alerts::{self, AlertSource, Notice};
use crate::event::{self, Decoded};
use crate::model::ForgeKind;
use std::path::Path;
use std::process::ExitCode;

/// Where the delivery comes from.
pub(super) enum Origin {
    /// A forge's webhook and its event name.
    Forge(ForgeKind, String),
    /// A monitoring system's alert.
    Alert(AlertSource),
}

/// The forge and event name `origin`'s delivery is decoded as: an alert's are its route's
/// forge (the default repository's when it routes nowhere) and its source's name.
fn forge_and_event(origin: &Origin, config: &Config, body: &[u8]) -> (ForgeKind, String) {
    match origin {
        Origin::Forge(forge, event) => (*forge, event.clone()),
        Origin::Alert(source) => {
            let incidents = &config.incidents;
            let routed = match alerts::parse(*source, body) {
                Ok(Notice::Alert(alert)) => incidents.route(&alert).map(|to| to.forge),
                _ => None,
            };
            let forge = routed
                .or_else(|| incidents.default_forge())
                .unwrap_or(ForgeKind::Github);
            (forge, source.as_str().to_string())
        }
    }
}

pub(super) fn plan(path: &Path, origin: &Origin, payload: &Path, json: bool) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let body = match std::fs::read(payload) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", payload.display());
            return ExitCode::FAILURE;
        }
    };
    let (forge, event) = forge_and_event(origin, &config, &body);
    let event = match event::decode(forge, &event, &body) {
        Ok(Decoded::Event(e)) => e,
        Ok(Decoded::Ignored(why)) => {
            println!("ignored: {why}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}: {e}", payload.display());
            return ExitCode::FAILURE;
        }
    };
    let plan = if config.bot.is_self(&event.actor.login) && !decide::acts_on_own(&event) {
        let mut p = crate::plan::Plan::default();
        p.notes.push("caused by forgehand itself: ignored".into());
        p
    } else {
        decide::decide(
            &event,
            &config,
            &Context::offline_assumptions(),
            crate::clock::now(),
        )
    };
    if json {
        match serde_json::to_string_pretty(&plan) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("cannot render the plan: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{plan}");
    }
    ExitCode::SUCCESS
}
