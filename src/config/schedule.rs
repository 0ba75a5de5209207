//! `schedules:` — scheduled rules: cron expressions in UTC that file a summary issue per
//! repository. The scheduler (`src/schedule/`) turns them into jobs.

use super::{CronSchedule, Ident, Report, Validate};
use crate::model::ForgeKind;
use serde::Deserialize;

/// `schedules:` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Identifier: at most 20 characters, lowercase letters, digits and dashes.
    pub id: Ident,
    /// When, in UTC: `minute hour day month weekday` (`0 9 * * MON`).
    pub cron: CronSchedule,
    /// Where it runs: `github:owner/name` or `gitlab:group/project`. Required in the server
    /// file's `schedules:`; left out at repository level (a repository file or a `repos:`
    /// entry), where a schedule runs in the repository it configures.
    #[serde(default)]
    pub repos: Vec<String>,
    /// File a summary issue of the open issues carrying a label.
    pub summary_issue: SummaryIssue,
}

/// A summary issue listing open issues that carry `label`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryIssue {
    /// Open issues carrying this label are listed.
    pub label: String,
    /// Title; `{date}` is replaced by the firing's date (YYYY-MM-DD).
    pub title: String,
    /// Labels of the summary issue. Default none.
    #[serde(default)]
    pub labels: Vec<String>,
    /// File the issue even when nothing carries the label. Default false.
    #[serde(default)]
    pub when_empty: bool,
}

impl Validate for Schedule {
    fn validate(&self, report: &mut Report<'_>) {
        for (i, repo) in self.repos.iter().enumerate() {
            if let Err(e) = parse_repo(repo) {
                report.error(&format!("repos[{i}]"), e);
            }
        }
        if self.summary_issue.label.trim().is_empty() {
            report.error("summary_issue.label", "the label must not be empty");
        }
    }
}

impl Schedule {
    /// Whether the schedule runs in `path` on `forge`.
    pub fn covers(&self, forge: ForgeKind, path: &str) -> bool {
        self.repos
            .iter()
            .filter_map(|r| parse_repo(r).ok())
            .any(|(f, p)| f == forge && p == path)
    }
}

/// `github:owner/name` / `gitlab:group/project` → forge and path.
pub fn parse_repo(text: &str) -> Result<(ForgeKind, &str), String> {
    let (forge, path) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: write github:OWNER/NAME or gitlab:GROUP/PROJECT"))?;
    let forge: ForgeKind = forge.parse()?;
    if path.is_empty() || !path.contains('/') || path.starts_with('/') || path.ends_with('/') {
        return Err(format!("`{text}`: `{path}` is not a repository path"));
    }
    Ok((forge, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repos_name_their_forge() {
        assert_eq!(parse_repo("github:o/r"), Ok((ForgeKind::Github, "o/r")));
        assert_eq!(parse_repo("gitlab:g/s/p"), Ok((ForgeKind::Gitlab, "g/s/p")));
        assert!(parse_repo("o/r").is_err());
        assert!(parse_repo("bitbucket:o/r").is_err());
        assert!(parse_repo("github:noslash").is_err());
    }
}
