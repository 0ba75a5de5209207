//! `release.release_day:` — what forgehand does on each date of the release calendar: at a
//! set UTC time it calls the release manager on duty (one release-day issue, or a comment on
//! the open checklist) or notes that nothing changed; with `production_train`, the calendar
//! is also the production train (the production deployment request is filed when staging is
//! ahead of production). Off when absent.

use super::schedule::parse_repo;
use super::{Report, Validate};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

/// Default time of the release-day firing (UTC).
pub const DEFAULT_RELEASE_DAY_AT: &str = "09:00";
/// Default label of the release-day issue.
pub const DEFAULT_RELEASE_DAY_LABEL: &str = "release-day";
/// Default label that forces a major version.
pub const DEFAULT_BREAKING_LABEL: &str = "breaking";
/// Default hours after its time that a missed firing is still made (the server was down).
pub const DEFAULT_CATCH_UP_HOURS: u32 = 24;
/// Most hours of catch-up that may be configured (a week).
pub const MAX_CATCH_UP_HOURS: u32 = 168;

/// `release.release_day:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDayConfig {
    /// Where the calendar acts: `github:owner/name` or `gitlab:group/project`. Required in
    /// the server file; left out at repository level (a repository file or a `repos:` entry),
    /// where it acts in the repository it configures.
    #[serde(default)]
    pub repos: Vec<String>,
    /// Time of day (UTC, `HH:MM`) of the release-day call. Default `09:00`.
    #[serde(default = "default_at")]
    pub at: String,
    /// The first date forgehand acts on; earlier calendar dates are left alone. Default:
    /// every date.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// A firing missed while forgehand was down is still made this many hours after its
    /// time (0: only on time, within minutes), at most 168. Default 24.
    #[serde(default = "default_catch_up")]
    pub catch_up_hours: u32,
    /// Labels of the release-day issue. Default `release-day`.
    #[serde(default = "default_labels")]
    pub labels: Vec<String>,
    /// A change carrying one of these labels makes the proposed version a major one.
    /// Default `breaking`.
    #[serde(default = "default_major_labels")]
    pub major_labels: Vec<String>,
    /// A change whose title marks a breaking change with `!` (`feat!: …`, `api(auth)!: …`)
    /// makes the proposed version a major one. Default true.
    #[serde(default = "yes")]
    pub major_on_bang: bool,
    /// This calendar is also the production train; off when absent.
    #[serde(default)]
    pub production_train: Option<ProductionTrain>,
}

/// `release.release_day.production_train:` — on each calendar date, file the production
/// deployment request for the version last requested for staging when production is behind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionTrain {
    /// Time of day (UTC, `HH:MM`) of the train. Default `09:00`.
    #[serde(default = "default_at")]
    pub at: String,
}

fn default_at() -> String {
    DEFAULT_RELEASE_DAY_AT.into()
}
fn default_catch_up() -> u32 {
    DEFAULT_CATCH_UP_HOURS
}
fn default_labels() -> Vec<String> {
    vec![DEFAULT_RELEASE_DAY_LABEL.into()]
}
fn default_major_labels() -> Vec<String> {
    vec![DEFAULT_BREAKING_LABEL.into()]
}
fn yes() -> bool {
    true
}

/// `HH:MM` (24 hours) → a time of day.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("`{text}` is not a time of day: write HH:MM (24 hours, UTC)"))
}

impl ReleaseDayConfig {
    /// The time of the release-day call (validated at load; 09:00 otherwise).
    pub fn call_time(&self) -> NaiveTime {
        parse_time(&self.at).unwrap_or(NaiveTime::MIN + chrono::Duration::hours(9))
    }

    /// The time of the production train, when this calendar is one.
    pub fn train_time(&self) -> Option<NaiveTime> {
        let train = self.production_train.as_ref()?;
        Some(parse_time(&train.at).unwrap_or(NaiveTime::MIN + chrono::Duration::hours(9)))
    }

    /// Whether `repo` (`github:owner/name` / `gitlab:group/project`) is listed.
    pub fn covers(&self, forge: crate::model::ForgeKind, path: &str) -> bool {
        self.repos
            .iter()
            .filter_map(|r| parse_repo(r).ok())
            .any(|(f, p)| f == forge && p == path)
    }
}

impl Validate for ReleaseDayConfig {
    fn validate(&self, report: &mut Report<'_>) {
        for (i, repo) in self.repos.iter().enumerate() {
            if let Err(e) = parse_repo(repo) {
                report.error(&format!("repos[{i}]"), e);
            }
        }
        if let Err(e) = parse_time(&self.at) {
            report.error("at", e);
        }
        if let Some(train) = &self.production_train {
            if let Err(e) = parse_time(&train.at) {
                report.error("production_train.at", e);
            }
        }
        if self.catch_up_hours > MAX_CATCH_UP_HOURS {
            report.error(
                "catch_up_hours",
                format!("must be at most {MAX_CATCH_UP_HOURS}"),
            );
        }
        if self.labels.iter().any(|l| l.trim().is_empty()) {
            report.error("labels", "a label must not be empty");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn load(yaml: &str) -> Result<Config, String> {
        Config::from_str(yaml, "f.yml", &|_| None).map_err(|e| e.to_string())
    }

    const CALENDAR: &str =
        "release:\n  enabled: true\n  calendar:\n    cadence: {weekly: {monday: minor}}\n";

    #[test]
    fn defaults_apply() {
        let config = load(&format!(
            "{CALENDAR}  release_day:\n    repos: [\"github:acme/app\"]\n"
        ))
        .unwrap();
        let day = config.release.release_day.unwrap();
        assert_eq!(day.call_time().to_string(), "09:00:00");
        assert_eq!(day.train_time(), None);
        assert_eq!(day.catch_up_hours, 24);
        assert_eq!(day.labels, ["release-day"]);
        assert_eq!(day.major_labels, ["breaking"]);
        assert!(day.major_on_bang);
        assert!(day.covers(crate::model::ForgeKind::Github, "acme/app"));
        assert!(!day.covers(crate::model::ForgeKind::Gitlab, "acme/app"));
    }

    #[test]
    fn mistakes_are_reported_with_their_place() {
        let cases = [
            (
                "repos: []",
                "release.release_day.repos: the release day needs",
            ),
            (
                "repos: [\"acme/app\"]",
                "release.release_day.repos[0]: `acme/app`",
            ),
            (
                "repos: [\"github:a/b\"]\n    at: \"9h\"",
                "release.release_day.at: `9h` is not a time of day",
            ),
            (
                "repos: [\"github:a/b\"]\n    production_train: {at: \"25:00\"}",
                "release.release_day.production_train.at: `25:00`",
            ),
            (
                "repos: [\"github:a/b\"]\n    production_train: {}",
                "release.release_day.production_train: the production train files deployment requests",
            ),
            (
                "repos: [\"github:a/b\"]\n    catch_up_hours: 500",
                "release.release_day.catch_up_hours: must be at most 168",
            ),
            (
                "repos: [\"github:a/b\"]\n    when: monday",
                "unknown field `when`",
            ),
        ];
        for (yaml, want) in cases {
            let text = format!("{CALENDAR}  release_day:\n    {yaml}\n");
            let err = load(&text).unwrap_err();
            assert!(err.contains(want), "{yaml}:\n{err}");
        }
    }

    #[test]
    fn the_release_day_needs_a_calendar() {
        let err = load("release:\n  enabled: true\n  release_day:\n    repos: [\"github:a/b\"]\n")
            .unwrap_err();
        assert!(
            err.contains("release.release_day: the release day needs `release.calendar`"),
            "{err}"
        );
    }
}
