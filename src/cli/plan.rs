//! `forgehand plan`: what the bot would do for one delivery — a forge's webhook or an alert —
//! or on one date of the release calendar (`--release-day DATE --repo R`), decided without
//! calling any forge (facts it would fetch are assumed), printed for people or as JSON.

use crate::config::schedule::parse_repo;
use crate::config::Config;
use crate::decide::{self, Context};
use crate::event::alerts::{self, AlertSource, Notice};
use crate::event::release_day::{DayFiring, DayStep, RELEASE_DAY_EVENT};
use crate::event::{self, Decoded};
use crate::model::ForgeKind;
use chrono::NaiveDate;
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

/// The configuration `repo` on `forge` is decided under offline: the server file's with the
/// matching `repos:` entry, and the sections of `repo_file` when given (`None` after printing
/// its errors).
fn effective(
    config: Config,
    forge: ForgeKind,
    repo: Option<&str>,
    repo_file: Option<&Path>,
) -> Option<Config> {
    let Some(repo) = repo else {
        return Some(config);
    };
    let base = config.for_repo(forge, repo);
    let Some(file) = repo_file else {
        return Some(base);
    };
    match super::check::read_repo_file(file) {
        Ok(own) => Some(base.with_repo_file(&own, forge, repo)),
        Err(errors) => {
            eprintln!("{errors}");
            None
        }
    }
}

pub(super) fn plan(
    path: &Path,
    origin: &Origin,
    payload: &Path,
    repo_file: Option<&Path>,
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
    let repo = event.repo.as_ref().map(|r| r.path.as_str());
    let Some(config) = effective(config, forge, repo, repo_file) else {
        return ExitCode::FAILURE;
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

/// `forgehand plan --release-day DATE --repo R`: each step of that date's release day
/// (the call, and the production train where configured), decided without a forge.
pub(super) fn release_day(
    path: &Path,
    date: NaiveDate,
    repo: &str,
    repo_file: Option<&Path>,
    json: bool,
) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let (forge, repo_path) = match parse_repo(repo) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("--repo {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(config) = effective(config, forge, Some(repo_path), repo_file) else {
        return ExitCode::FAILURE;
    };
    let Some(day) = &config.release.release_day else {
        eprintln!(
            "{}: `release.release_day` is not configured",
            path.display()
        );
        return ExitCode::FAILURE;
    };
    let mut steps = vec![(DayStep::Release, day.call_time())];
    if let Some(at) = day.train_time() {
        steps.push((DayStep::Train, at));
    }
    let mut plans = Vec::new();
    for (step, at) in steps {
        let firing = DayFiring {
            step,
            date,
            slot: date.and_time(at).and_utc(),
            repo: repo_path.to_string(),
        };
        let event = match event::decode(forge, RELEASE_DAY_EVENT, &firing.body()) {
            Ok(Decoded::Event(e)) => e,
            _ => {
                eprintln!("cannot build the release-day firing");
                return ExitCode::FAILURE;
            }
        };
        let plan = decide::decide(&event, &config, &Context::default(), firing.slot);
        plans.push((firing, plan));
    }
    if json {
        let list: Vec<_> = plans
            .iter()
            .map(|(f, p)| serde_json::json!({ "step": f.step, "at": f.slot, "plan": p }))
            .collect();
        match serde_json::to_string_pretty(&list) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("cannot render the plan: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    for (firing, plan) in plans {
        println!(
            "{} {repo} at {} UTC:",
            match firing.step {
                DayStep::Release => "release-day call",
                DayStep::Train => "production train",
            },
            firing.slot.format("%Y-%m-%d %H:%M")
        );
        print!("{plan}");
    }
    ExitCode::SUCCESS
}
