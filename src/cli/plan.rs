//! `forgehand plan`: what the bot would do for one delivery, decided without calling any
//! forge (facts it would fetch are assumed), printed for people or as JSON.

use crate::decide::{self, Context};
use crate::event::{self, Decoded};
use crate::model::ForgeKind;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn plan(
    path: &Path,
    forge: ForgeKind,
    event: &str,
    payload: &Path,
    json: bool,
) -> ExitCode {
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
    let event = match event::decode(forge, event, &body) {
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
        decide::decide(&event, &config, &Context::default(), crate::clock::now())
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
