//! The release calendar: which days releases happen on (weekly cadence or every N weeks
//! from an anchor), and what a holiday does to a release (shift it or skip it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::de::validated_map;
use super::version::BumpKind;

/// Upper bound on the days scanned when looking for releases, so that a calendar whose
/// every release falls on a holiday cannot loop forever (twenty years).
pub const MAX_SCAN_DAYS: u64 = 366 * 20;

/// A configuration mistake in a calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("`weekly` needs at least one weekday")]
    NoWeekdays,
    #[error("`every_weeks` must be at least 1")]
    ZeroWeeks,
    #[error("anchor {anchor} is a {actual:?}, not a {expected:?}")]
    AnchorWeekday {
        anchor: NaiveDate,
        expected: Weekday,
        actual: Weekday,
    },
    #[error("give either `weekly` or `every_weeks` (with `weekday`, `anchor`, `bump`)")]
    AmbiguousCadence,
    #[error("`every_weeks` needs `{0}`")]
    MissingField(&'static str),
    #[error("`{0}` only goes with `every_weeks`")]
    StrayField(&'static str),
}

/// When releases are planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    /// Every week on each of these weekdays, with the kind of bump made that day.
    Weekly { days: Vec<(Weekday, BumpKind)> },
    /// Every `n` weeks on `weekday`, counting from `anchor` (which is such a weekday).
    EveryNWeeks {
        n: u32,
        weekday: Weekday,
        anchor: NaiveDate,
        bump: BumpKind,
    },
}

impl Cadence {
    /// Checks the invariants: a weekday to release on, `n >= 1`, anchor on the weekday.
    pub fn validate(&self) -> Result<(), CalendarError> {
        match self {
            Cadence::Weekly { days } if days.is_empty() => Err(CalendarError::NoWeekdays),
            Cadence::Weekly { .. } => Ok(()),
            Cadence::EveryNWeeks { n: 0, .. } => Err(CalendarError::ZeroWeeks),
            Cadence::EveryNWeeks {
                weekday, anchor, ..
            } if anchor.weekday() != *weekday => Err(CalendarError::AnchorWeekday {
                anchor: *anchor,
                expected: *weekday,
                actual: anchor.weekday(),
            }),
            Cadence::EveryNWeeks { .. } => Ok(()),
        }
    }

    /// The bump planned for `date`, if a release is planned that day (before holidays).
    pub fn planned_bump(&self, date: NaiveDate) -> Option<BumpKind> {
        match self {
            Cadence::Weekly { days } => days
                .iter()
                .find(|(day, _)| *day == date.weekday())
                .map(|(_, bump)| *bump),
            Cadence::EveryNWeeks {
                n,
                weekday,
                anchor,
                bump,
            } => {
                let period = 7 * i64::from(*n);
                let offset = (date - *anchor).num_days();
                (date.weekday() == *weekday && offset.rem_euclid(period) == 0).then_some(*bump)
            }
        }
    }
}

/// What happens to a release planned on a holiday.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayPolicy {
    /// Move it to the next working day: not a Saturday, Sunday or holiday (the default).
    #[default]
    Shift,
    /// Drop it; the next planned release is the next one.
    Skip,
}

/// One release on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseDate {
    /// The day the release happens.
    pub date: NaiveDate,
    /// The day the cadence planned it for (differs from `date` when shifted).
    pub planned: NaiveDate,
    pub bump: BumpKind,
    /// Moved off a holiday.
    pub shifted: bool,
}

/// A validated release calendar. Deserializes from
/// `{cadence: …, holidays: [dates], on_holiday: shift | skip}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    cadence: Cadence,
    holidays: BTreeSet<NaiveDate>,
    policy: HolidayPolicy,
}

impl Calendar {
    pub fn new(
        cadence: Cadence,
        holidays: impl IntoIterator<Item = NaiveDate>,
        policy: HolidayPolicy,
    ) -> Result<Calendar, CalendarError> {
        cadence.validate()?;
        Ok(Calendar {
            cadence,
            holidays: holidays.into_iter().collect(),
            policy,
        })
    }

    pub fn cadence(&self) -> &Cadence {
        &self.cadence
    }

    pub fn policy(&self) -> HolidayPolicy {
        self.policy
    }

    /// Whether `date` is one of the configured holidays (weekends are not holidays).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Neither a weekend day nor a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// Whether a release happens on `date` after holidays are applied.
    pub fn is_release_day(&self, date: NaiveDate) -> bool {
        self.release_on(date).is_some()
    }

    /// The release happening on `date`, if any.
    pub fn release_on(&self, date: NaiveDate) -> Option<ReleaseDate> {
        self.upcoming(date, 1).into_iter().find(|r| r.date == date)
    }

    /// The first release strictly after `date`.
    pub fn next_after(&self, date: NaiveDate) -> Option<ReleaseDate> {
        self.upcoming(date.succ_opt()?, 1).into_iter().next()
    }

    /// The next `count` releases on or after `from`, in date order. A release planned
    /// before `from` but shifted onto or past it is included. Two releases landing on
    /// the same day merge into one with the larger bump.
    pub fn upcoming(&self, from: NaiveDate, count: usize) -> Vec<ReleaseDate> {
        let mut out = Vec::with_capacity(count);
        if count == 0 {
            return out;
        }
        // A release planned before `from` can only shift onto it across non-working days.
        let mut day = from;
        while let Some(prev) = day.pred_opt() {
            if self.is_working_day(prev) {
                break;
            }
            day = prev;
        }
        let mut pending: BTreeMap<NaiveDate, ReleaseDate> = BTreeMap::new();
        let last = from.checked_add_days(Days::new(MAX_SCAN_DAYS));
        while Some(day) <= last {
            if let Some(release) = self.resolve(day) {
                pending
                    .entry(release.date)
                    .and_modify(|existing| *existing = merge(*existing, release))
                    .or_insert(release);
            }
            // Planned days only move forward, so nothing can land on or before `day` now.
            while let Some(entry) = pending.first_entry() {
                if *entry.key() > day {
                    break;
                }
                let release = entry.remove();
                if release.date >= from {
                    out.push(release);
                    if out.len() == count {
                        return out;
                    }
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }

    /// The release planned on `planned` after the holiday policy, if one is planned.
    fn resolve(&self, planned: NaiveDate) -> Option<ReleaseDate> {
        let bump = self.cadence.planned_bump(planned)?;
        if !self.is_holiday(planned) {
            return Some(ReleaseDate {
                date: planned,
                planned,
                bump,
                shifted: false,
            });
        }
        match self.policy {
            HolidayPolicy::Skip => None,
            HolidayPolicy::Shift => {
                let mut date = planned.succ_opt()?;
                while !self.is_working_day(date) {
                    date = date.succ_opt()?;
                }
                Some(ReleaseDate {
                    date,
                    planned,
                    bump,
                    shifted: true,
                })
            }
        }
    }
}

/// Two releases on one day: the earlier plan, the larger bump.
fn merge(a: ReleaseDate, b: ReleaseDate) -> ReleaseDate {
    let planned = a.planned.min(b.planned);
    ReleaseDate {
        date: a.date,
        planned,
        bump: a.bump.max(b.bump),
        shifted: planned != a.date,
    }
}

/// The YAML shape of a calendar, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    cadence: Cadence,
    /// Dates on which no release happens.
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    /// `shift` (default) or `skip`.
    #[serde(default)]
    on_holiday: HolidayPolicy,
}

/// `{weekly: {monday: minor, thursday: patch}}` or
/// `{every_weeks: 2, weekday: tuesday, anchor: 2026-01-06, bump: minor}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCadence {
    weekly: Option<HashMap<Weekday, BumpKind>>,
    every_weeks: Option<u32>,
    weekday: Option<Weekday>,
    anchor: Option<NaiveDate>,
    bump: Option<BumpKind>,
}

impl TryFrom<RawCadence> for Cadence {
    type Error = CalendarError;

    fn try_from(raw: RawCadence) -> Result<Cadence, CalendarError> {
        let cadence = match (raw.weekly, raw.every_weeks) {
            (Some(weekly), None) => {
                for (field, present) in [
                    ("weekday", raw.weekday.is_some()),
                    ("anchor", raw.anchor.is_some()),
                    ("bump", raw.bump.is_some()),
                ] {
                    if present {
                        return Err(CalendarError::StrayField(field));
                    }
                }
                let mut days: Vec<(Weekday, BumpKind)> = weekly.into_iter().collect();
                days.sort_by_key(|(day, _)| day.num_days_from_monday());
                Cadence::Weekly { days }
            }
            (None, Some(n)) => Cadence::EveryNWeeks {
                n,
                weekday: raw.weekday.ok_or(CalendarError::MissingField("weekday"))?,
                anchor: raw.anchor.ok_or(CalendarError::MissingField("anchor"))?,
                bump: raw.bump.ok_or(CalendarError::MissingField("bump"))?,
            },
            _ => return Err(CalendarError::AmbiguousCadence),
        };
        cadence.validate()?;
        Ok(cadence)
    }
}

impl<'de> Deserialize<'de> for Calendar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        validated_map::<D, RawCalendar, Calendar>(deserializer, "a release calendar")
    }
}

impl<'de> Deserialize<'de> for Cadence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        validated_map::<D, RawCadence, Cadence>(deserializer, "a release cadence")
    }
}

impl TryFrom<RawCalendar> for Calendar {
    type Error = CalendarError;

    fn try_from(raw: RawCalendar) -> Result<Calendar, CalendarError> {
        Calendar::new(raw.cadence, raw.holidays, raw.on_holiday)
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
