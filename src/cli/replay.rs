//! `forgehand replay --config NEW.yml`: decide again, with a new configuration, over the
//! deliveries the store kept and the facts gathered for them then, and print how each plan
//! differs from what was done (the action ledger), with a summary. Progress goes to stderr on a terminal only.

use crate::config::Config;
use crate::explain::replay::{replay_one, Report};
use crate::model::ForgeKind;
use crate::store::{ActionQuery, StoredQuery};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Deliveries read from the store at a time.
const PAGE: usize = 500;
/// Most ledger rows read for one delivery.
const MAX_ACTIONS: usize = 1_000;

/// `7d`, `12h`, `30m` or a number of seconds, as a duration.
pub(super) fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not an age like 7d, 12h, 30m"))?;
    let secs = match unit {
        'd' => n * 86_400,
        'h' => n * 3_600,
        'm' => n * 60,
        's' => n,
        _ => return Err(format!("`{text}`: the unit is d, h, m or s")),
    };
    Ok(Duration::from_secs(secs))
}

pub(super) fn replay(
    path: &Path,
    since: Duration,
    repo: Option<String>,
    repo_file: Option<&Path>,
    json: bool,
) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let own = match repo_file.map(super::check::read_repo_file).transpose() {
        Ok(own) => own,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    // Each repository's deliveries are decided under the configuration that applies to it:
    // its `repos:` entry over the server's, and the repository file given for `--repo`.
    let mut effective: HashMap<(ForgeKind, String), Arc<Config>> = HashMap::new();
    let mut config_of = |forge: ForgeKind, path: &str| -> Arc<Config> {
        effective
            .entry((forge, path.to_string()))
            .or_insert_with(|| {
                let base = config.for_repo(forge, path);
                Arc::new(match &own {
                    Some(file) => base.with_repo_file(file, forge, path),
                    None => base,
                })
            })
            .clone()
    };
    let Some(rt) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    let progress = std::io::stderr().is_terminal();
    rt.block_on(async {
        let Some(store) = super::explain::open_store(&config).await else {
            return ExitCode::FAILURE;
        };
        let since_ms =
            crate::clock::now_ms() - i64::try_from(since.as_millis()).unwrap_or(i64::MAX);
        let mut report = Report::default();
        let mut edge: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut query = StoredQuery {
            since_ms,
            repo,
            limit: PAGE,
        };
        loop {
            let page = match store.stored_with_facts(query.clone()).await {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("cannot read the store: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let last = page.last().map(|s| s.received_at);
            let full = page.len() == PAGE;
            // The previous page's last millisecond is read again (keyed by time, a page may
            // end inside it); what was replayed of it is skipped.
            let fresh: Vec<_> = page
                .iter()
                .filter(|s| {
                    !(s.received_at == query.since_ms && edge.contains(&s.record.delivery_id))
                })
                .collect();
            edge = page
                .iter()
                .filter(|s| Some(s.received_at) == last)
                .map(|s| s.record.delivery_id.clone())
                .collect();
            for stored in fresh {
                let query = stored.facts.as_ref().map(|f| ActionQuery {
                    delivery: Some((f.forge, f.delivery_id.clone())),
                    limit: MAX_ACTIONS,
                    ..ActionQuery::default()
                });
                let ledger = match query {
                    Some(q) => match store.actions(q).await {
                        Ok(rows) => rows,
                        Err(e) => {
                            eprintln!("cannot read the action ledger: {e}");
                            return ExitCode::FAILURE;
                        }
                    },
                    None => Vec::new(),
                };
                let applies = match &stored.facts {
                    Some(f) if !f.repo.is_empty() => config_of(f.forge, &f.repo),
                    _ => Arc::new(config.clone()),
                };
                report.add(replay_one(stored, &applies, &ledger));
                if progress {
                    let s = &report.summary;
                    let mut err = std::io::stderr();
                    let _ = write!(
                        err,
                        "\rreplayed {} deliveries, {} differ",
                        s.replayed + s.skipped,
                        s.differing
                    );
                    let _ = err.flush();
                }
            }
            match (full, last) {
                (true, Some(at)) if at > query.since_ms => query.since_ms = at,
                // A whole page received in one millisecond: go past it.
                (true, Some(at)) => query.since_ms = at + 1,
                _ => break,
            }
        }
        if progress {
            eprintln!();
        }
        if json {
            match serde_json::to_string_pretty(&report) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("cannot render the report: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            print!("{report}");
        }
        ExitCode::SUCCESS
    })
}
