//! `forgehand labels sync`: the labels the rules use, created in a repository where they are
//! missing. Existing labels are left as they are (their colour and description belong to the
//! team).

use crate::config::rules::Rule;
use crate::forge::{Forge, ForgeError};
use crate::model::{ForgeKind, LabelName, RepoPath};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Colour of the labels `labels sync` creates (six hex digits, no `#`).
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

/// What a sync found or did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Labels created (or, in a dry run, that would be).
    pub created: Vec<String>,
    /// Labels that already existed.
    pub existing: Vec<String>,
}

/// Create the `wanted` labels missing in `repo`; with `dry_run`, only say which. A
/// repository path or label name that does not parse is an error before any call.
pub async fn sync(
    forge: &dyn Forge,
    repo: &str,
    wanted: &[String],
    dry_run: bool,
) -> Result<SyncReport, ForgeError> {
    let repo = RepoPath::parse(repo)?;
    let wanted = LabelName::parse_all(wanted)?;
    let present = forge.labels(&repo).await?;
    let mut report = SyncReport::default();
    for label in &wanted {
        let name = label.as_str().to_string();
        if present.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
            report.existing.push(name);
            continue;
        }
        if !dry_run {
            forge
                .create_label(&repo, label, DEFAULT_LABEL_COLOR)
                .await?;
        }
        report.created.push(name);
    }
    Ok(report)
}
pub(super) fn sync_command(
    path: &Path,
    kind: ForgeKind,
    repos: &[String],
    dry_run: bool,
) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let wanted = used_labels(&config.rules);
    let Some(runtime) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let forges = crate::forge::build(&config, Arc::default()).await?;
        let forge = forges
            .get(kind)
            .ok_or_else(|| anyhow::anyhow!("no {kind} credentials are set"))?;
        for repo in repos {
            let report = sync(forge.as_ref(), repo, &wanted, dry_run).await?;
            let verb = if dry_run { "would create" } else { "created" };
            for label in &report.created {
                println!("{repo}: {verb} `{label}`");
            }
            println!(
                "{repo}: {} label(s) {verb}, {} already there",
                report.created.len(),
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
