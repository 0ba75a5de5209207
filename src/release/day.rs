//! Release day, the pure part: what the calendar says about one date (a release with its
//! bump and manager, a release moved off a holiday, one skipped, or nothing), which merged
//! changes are breaking, and the version the release day proposes.

use chrono::NaiveDate;

use super::calendar::{Calendar, HolidayPolicy, ReleaseDate};
use super::rotation::Rotation;
use super::version::{BumpKind, TagFormat, Version};
use crate::model::Change;

/// What the calendar says about one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOutcome {
    /// No release is planned or shifted onto this date.
    NoRelease,
    /// A release is planned on this holiday and the policy skips it.
    Skipped { bump: BumpKind },
    /// A release planned on this holiday moves to `to`.
    Moved { bump: BumpKind, to: NaiveDate },
    /// A release happens this date (possibly moved here from a holiday).
    Release {
        release: ReleaseDate,
        /// The release manager on duty that date, when a rotation is configured.
        manager: Option<String>,
    },
}

/// What happens on `date` under `calendar` and `rotation`.
pub fn on_date(calendar: &Calendar, rotation: Option<&Rotation>, date: NaiveDate) -> DayOutcome {
    if let Some(release) = calendar.release_on(date) {
        return DayOutcome::Release {
            release,
            manager: rotation.map(|r| r.manager_on(release.date).to_string()),
        };
    }
    let Some(bump) = calendar.cadence().planned_bump(date) else {
        return DayOutcome::NoRelease;
    };
    if !calendar.is_holiday(date) {
        return DayOutcome::NoRelease;
    }
    match calendar.policy() {
        HolidayPolicy::Skip => DayOutcome::Skipped { bump },
        HolidayPolicy::Shift => match calendar
            .upcoming(date, 8)
            .into_iter()
            .find(|r| r.planned == date)
        {
            Some(moved) => DayOutcome::Moved {
                bump,
                to: moved.date,
            },
            None => DayOutcome::NoRelease,
        },
    }
}

/// What makes a change breaking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakingRule<'a> {
    /// A change carrying one of these labels is breaking.
    pub labels: &'a [String],
    /// A title marking a breaking change with `!` (`feat!: …`, `api(auth)!: …`) is.
    pub bang: bool,
}

impl BreakingRule<'_> {
    pub fn is_breaking(&self, change: &Change) -> bool {
        let labelled = change
            .labels
            .iter()
            .any(|l| self.labels.iter().any(|b| b.eq_ignore_ascii_case(l)));
        labelled || (self.bang && bang_title(&change.title))
    }
}

/// Whether `title` starts with a conventional-commit type marked breaking: `type!:` or
/// `type(scope)!:`.
pub fn bang_title(title: &str) -> bool {
    let Some((head, _)) = title.split_once("!:") else {
        return false;
    };
    let (kind, scope) = match head.split_once('(') {
        Some((kind, rest)) => match rest.strip_suffix(')') {
            Some(scope) if !scope.contains(')') => (kind, Some(scope)),
            _ => return false,
        },
        None => (head, None),
    };
    !kind.is_empty()
        && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && scope.is_none_or(|s| !s.contains('('))
}

/// The version a release day proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub version: Version,
    pub bump: BumpKind,
    /// The breaking changes that forced a major bump (empty when the cadence's bump held).
    pub breaking: Vec<u64>,
}

/// The version after `last` (none: the first release, after 0.0.0) for a release day whose
/// cadence bumps `planned`, forced to a major bump by any breaking change.
pub fn propose(
    last: Option<&Version>,
    planned: BumpKind,
    changes: &[Change],
    rule: &BreakingRule<'_>,
) -> Proposal {
    let breaking: Vec<u64> = changes
        .iter()
        .filter(|c| rule.is_breaking(c))
        .map(|c| c.number)
        .collect();
    let bump = if breaking.is_empty() {
        planned
    } else {
        BumpKind::Major
    };
    let base = last.cloned().unwrap_or_else(|| Version::new(0, 0, 0));
    Proposal {
        version: base.bump(bump),
        bump,
        breaking,
    }
}

/// The newest release tag (semver, not a pre-release) among `tags`, with its version.
pub fn last_release_tag<'a>(tags: &'a [String], format: &TagFormat) -> Option<(&'a str, Version)> {
    tags.iter()
        .filter_map(|t| format.parse(t).ok().map(|v| (t.as_str(), v)))
        .filter(|(_, v)| !v.is_prerelease())
        .max_by(|(_, a), (_, b)| a.cmp(b))
}

/// The version a deployment-request marker names (`<!-- forgehand:deploy-request v1.4.0
/// staging -->`) when it is for `environment`.
pub fn deploy_marker_version(body: &str, environment: &str) -> Option<Version> {
    const START: &str = "<!-- forgehand:deploy-request v";
    let at = body.find(START)? + START.len();
    let rest = &body[at..];
    let end = rest.find("-->")?;
    let mut words = rest[..end].split_whitespace();
    let version = Version::parse(words.next()?).ok()?;
    (words.next()? == environment).then_some(version)
}

/// Steps of a checklist: its unticked task lines (`- [ ] …`), in order.
pub fn checklist_steps(checklist: &str) -> Vec<String> {
    checklist
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("- [ ] ")
                .or_else(|| l.strip_prefix("* [ ] "))
        })
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
#[path = "day_tests.rs"]
mod tests;
