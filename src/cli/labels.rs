//! `forgehand labels sync`: the labels the configuration uses — those the rules add, remove
//! or test for, and those its `labels:` section describes — created in a repository where
//! they are missing, and, where `labels:` gives a colour or description that differs from
//! the forge's, updated. Running it twice changes nothing.

use crate::config::labels::LabelSpec;
use crate::config::rules::Rule;
use crate::config::Config;
use crate::forge::{Forge, ForgeError, LabelStyle};
use crate::model::{ForgeKind, LabelName, RepoPath};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Colour of the labels `labels sync` creates without a `labels:` colour (six hex digits,
/// no `#`).
pub const DEFAULT_LABEL_COLOR: &str = "ededed";

/// Every label a rule adds, removes or tests for, in order of first use, without repeats
/// (compared case-insensitively, as both forges do).
pub fn used_labels(rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in rules {
        let lists = [
            &rule.when.labels,
            &rule.when.labels_absent,
            &rule.then.add_labels,
            &rule.then.remove_labels,
        ];
        for label in lists.into_iter().flatten() {
            if !out.iter().any(|l| l.eq_ignore_ascii_case(label)) {
                out.push(label.clone());
            }
        }
    }
    out
}

/// The labels `config` uses, each with what `labels:` says of it: the rules' labels first,
/// then the other labels of `labels:`, without repeats (case-insensitively).
pub fn wanted_labels(config: &Config) -> Vec<(String, LabelSpec)> {
    let spec = |name: &str| {
        config
            .labels
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<(String, LabelSpec)> = used_labels(&config.rules)
        .into_iter()
        .map(|name| {
            let s = spec(&name);
            (name, s)
        })
        .collect();
    for (name, s) in &config.labels {
        if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            out.push((name.clone(), s.clone()));
        }
    }
    out
}

/// The labels wanted in `repo` on `forge`: those of the configuration that applies to it —
/// the server file with its matching `repos:` entry, and over them the sections of the
/// repository's own file `own` when given (its rules and its `labels:`).
pub fn wanted_in_repo(
    config: &Config,
    forge: ForgeKind,
    repo: &str,
    own: Option<&crate::config::repo::RepoFile>,
) -> Vec<(String, LabelSpec)> {
    let base = config.for_repo(forge, repo);
    match own {
        Some(file) => wanted_labels(&base.with_repo_file(file, forge, repo)),
        None => wanted_labels(&base),
    }
}

/// What a sync found or did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Labels created (or, in a dry run, that would be).
    pub created: Vec<String>,
    /// Existing labels whose colour or description was set (or would be).
    pub updated: Vec<String>,
    /// Labels that already existed as wanted.
    pub existing: Vec<String>,
}

/// Create the `wanted` labels missing in `repo` and update the colour and description of
/// existing ones where their spec differs; with `dry_run`, only say which. A repository
/// path or label name that does not parse is an error before any call.
pub async fn sync(
    forge: &dyn Forge,
    repo: &str,
    wanted: &[(String, LabelSpec)],
    dry_run: bool,
) -> Result<SyncReport, ForgeError> {
    let repo = RepoPath::parse(repo)?;
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let parsed = LabelName::parse_all(&names)?;
    let present = forge.label_styles(&repo).await?;
    let mut report = SyncReport::default();
    for (label, (name, spec)) in parsed.iter().zip(wanted) {
        let found = present.iter().find(|p| p.name.eq_ignore_ascii_case(name));
        let Some(found) = found else {
            let color = spec.color.as_deref().unwrap_or(DEFAULT_LABEL_COLOR);
            let description = spec.description.as_deref().unwrap_or("");
            if !dry_run {
                forge
                    .create_label(&repo, label, &LabelStyle::normal_color(color), description)
                    .await?;
            }
            report.created.push(name.clone());
            continue;
        };
        let color = spec
            .color
            .as_deref()
            .map_or(found.color.clone(), LabelStyle::normal_color);
        let description = spec.description.as_deref().unwrap_or(&found.description);
        if color == found.color && description == found.description {
            report.existing.push(name.clone());
            continue;
        }
        if !dry_run {
            // The forge's own spelling of the name (labels compare case-insensitively).
            let own = LabelName::parse(&found.name)?;
            forge.update_label(&repo, &own, &color, description).await?;
        }
        report.updated.push(name.clone());
    }
    Ok(report)
}
pub(super) fn sync_command(
    path: &Path,
    kind: ForgeKind,
    repos: &[String],
    repo_file: Option<&Path>,
    dry_run: bool,
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
    let Some(runtime) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let forges = crate::forge::build(&config, Arc::default()).await?;
        let forge = forges
            .get(kind)
            .ok_or_else(|| anyhow::anyhow!("no {kind} credentials are set"))?;
        for repo in repos {
            let wanted = wanted_in_repo(&config, kind, repo, own.as_ref());
            let report = sync(forge.as_ref(), repo, &wanted, dry_run).await?;
            let (verb, update) = if dry_run {
                ("would create", "would update")
            } else {
                ("created", "updated")
            };
            for label in &report.created {
                println!("{repo}: {verb} `{label}`");
            }
            for label in &report.updated {
                println!("{repo}: {update} the colour or description of `{label}`");
            }
            println!(
                "{repo}: {} label(s) {verb}, {} {update}, {} already as configured",
                report.created.len(),
                report.updated.len(),
                report.existing.len()
            );
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forgehand labels sync: {e:#}");
            ExitCode::FAILURE
        }
    }
}
