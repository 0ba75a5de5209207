//! `forgehand labels sync`: the labels the rules use, created in a repository where they are
//! missing. Existing labels are left as they are (their colour and description belong to the
//! team).

use super::Rule;
use crate::forge::{Forge, ForgeError};

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

/// Create the `wanted` labels missing in `repo`; with `dry_run`, only say which.
pub async fn sync(
    forge: &dyn Forge,
    repo: &str,
    wanted: &[String],
    dry_run: bool,
) -> Result<SyncReport, ForgeError> {
    let present = forge.labels(repo).await?;
    let mut report = SyncReport::default();
    for label in wanted {
        if present.iter().any(|p| p.eq_ignore_ascii_case(label)) {
            report.existing.push(label.clone());
            continue;
        }
        if !dry_run {
            forge.create_label(repo, label, DEFAULT_LABEL_COLOR).await?;
        }
        report.created.push(label.clone());
    }
    Ok(report)
}
