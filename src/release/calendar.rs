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
mod tests {
    use super::*;
    use BumpKind::{Minor, Patch};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Monday minor, Thursday patch.
    fn weekly(holidays: &[&str], policy: HolidayPolicy) -> Calendar {
        let cadence = Cadence::Weekly {
            days: vec![(Weekday::Mon, Minor), (Weekday::Thu, Patch)],
        };
        Calendar::new(cadence, holidays.iter().map(|h| d(h)), policy).unwrap()
    }

    /// Every other Tuesday from `anchor`, minor.
    fn train(anchor: &str, holidays: &[&str], policy: HolidayPolicy) -> Calendar {
        let cadence = Cadence::EveryNWeeks {
            n: 2,
            weekday: Weekday::Tue,
            anchor: d(anchor),
            bump: Minor,
        };
        Calendar::new(cadence, holidays.iter().map(|h| d(h)), policy).unwrap()
    }

    /// Every Friday, patch, shifting off holidays.
    fn friday(holidays: &[&str]) -> Calendar {
        let cadence = Cadence::Weekly {
            days: vec![(Weekday::Fri, Patch)],
        };
        Calendar::new(cadence, holidays.iter().map(|h| d(h)), HolidayPolicy::Shift).unwrap()
    }

    /// `"2026-12-31"` for an unshifted release, `"2027-01-04<2026-12-31"` for a shifted one.
    fn show(releases: &[ReleaseDate]) -> Vec<String> {
        releases
            .iter()
            .map(|r| {
                let mut text = r.date.to_string();
                if r.shifted {
                    text.push_str(&format!("<{}", r.planned));
                }
                assert_eq!(r.shifted, r.date != r.planned);
                format!("{text} {}", r.bump)
            })
            .collect()
    }

    #[test]
    fn upcoming_releases() {
        use HolidayPolicy::{Shift, Skip};
        let christmas = ["2026-12-25", "2026-12-31", "2027-01-01"];
        let cases: Vec<(&str, Calendar, &str, usize, Vec<&str>)> = vec![
            (
                "weekly across the year end, no holidays",
                weekly(&[], Shift),
                "2026-12-24",
                5,
                vec![
                    "2026-12-24 patch",
                    "2026-12-28 minor",
                    "2026-12-31 patch",
                    "2027-01-04 minor",
                    "2027-01-07 patch",
                ],
            ),
            (
                "Thursday holiday, Friday holiday, weekend: shifts onto Monday and merges",
                weekly(&christmas, Shift),
                "2026-12-24",
                4,
                vec![
                    "2026-12-24 patch",
                    "2026-12-28 minor",
                    "2027-01-04<2026-12-31 minor",
                    "2027-01-07 patch",
                ],
            ),
            (
                "same holidays skipped",
                weekly(&christmas, Skip),
                "2026-12-24",
                4,
                vec![
                    "2026-12-24 patch",
                    "2026-12-28 minor",
                    "2027-01-04 minor",
                    "2027-01-07 patch",
                ],
            ),
            (
                "starting on the weekend inside a shift still sees the shifted release",
                weekly(&christmas, Shift),
                "2027-01-02",
                2,
                vec!["2027-01-04<2026-12-31 minor", "2027-01-07 patch"],
            ),
            (
                "Easter: Thursday and Friday off, Monday off, lands on Tuesday",
                weekly(&["2026-04-02", "2026-04-03", "2026-04-06"], Shift),
                "2026-04-01",
                3,
                vec![
                    "2026-04-07<2026-04-02 minor",
                    "2026-04-09 patch",
                    "2026-04-13 minor",
                ],
            ),
            (
                "Monday holiday shifts to Tuesday",
                weekly(&["2026-04-06"], Shift),
                "2026-04-03",
                2,
                vec!["2026-04-07<2026-04-06 minor", "2026-04-09 patch"],
            ),
            (
                "every other Tuesday keeps parity across the year end",
                train("2026-01-06", &[], Shift),
                "2026-12-09",
                3,
                vec!["2026-12-22 minor", "2027-01-05 minor", "2027-01-19 minor"],
            ),
            (
                "dates before the anchor follow the same parity",
                train("2026-01-06", &[], Shift),
                "2025-12-10",
                3,
                vec!["2025-12-23 minor", "2026-01-06 minor", "2026-01-20 minor"],
            ),
            (
                "train release on a holiday shifts to Wednesday",
                train("2026-01-06", &["2026-12-22"], Shift),
                "2026-12-21",
                2,
                vec!["2026-12-23<2026-12-22 minor", "2027-01-05 minor"],
            ),
            (
                "train release on a holiday skipped",
                train("2026-01-06", &["2026-12-22"], Skip),
                "2026-12-21",
                2,
                vec!["2027-01-05 minor", "2027-01-19 minor"],
            ),
            (
                "leap day release",
                train("2028-02-01", &[], Shift),
                "2028-02-16",
                2,
                vec!["2028-02-29 minor", "2028-03-14 minor"],
            ),
            (
                "holiday on the leap day shifts to March 1",
                train("2028-02-01", &["2028-02-29"], Shift),
                "2028-02-16",
                2,
                vec!["2028-03-01<2028-02-29 minor", "2028-03-14 minor"],
            ),
            (
                "holiday on the leap day skipped",
                train("2028-02-01", &["2028-02-29"], Skip),
                "2028-02-16",
                1,
                vec!["2028-03-14 minor"],
            ),
            (
                "Dec 29 to January: New Year's Day Thursday shifts to Friday",
                weekly(&["2026-01-01"], Shift),
                "2025-12-29",
                4,
                vec![
                    "2025-12-29 minor",
                    "2026-01-02<2026-01-01 patch",
                    "2026-01-05 minor",
                    "2026-01-08 patch",
                ],
            ),
            (
                "Friday holiday before a weekend shifts to Monday",
                friday(&["2026-12-25"]),
                "2026-12-21",
                2,
                vec!["2026-12-28<2026-12-25 patch", "2027-01-01 patch"],
            ),
            (
                "Friday holidays two weeks running",
                friday(&["2026-12-25", "2027-01-01"]),
                "2026-12-26",
                2,
                vec!["2026-12-28<2026-12-25 patch", "2027-01-04<2027-01-01 patch"],
            ),
            ("count zero", weekly(&[], Shift), "2026-01-01", 0, vec![]),
        ];
        for (name, calendar, from, count, expected) in cases {
            assert_eq!(show(&calendar.upcoming(d(from), count)), expected, "{name}");
        }
    }

    #[test]
    fn day_queries() {
        let calendar = weekly(
            &["2026-12-25", "2026-12-31", "2027-01-01"],
            HolidayPolicy::Shift,
        );
        let cases = [
            // date, is_holiday, is_release_day, next_after
            ("2026-12-24", false, true, "2026-12-28"),
            ("2026-12-25", true, false, "2026-12-28"),
            ("2026-12-28", false, true, "2027-01-04"),
            ("2026-12-31", true, false, "2027-01-04"),
            ("2027-01-02", false, false, "2027-01-04"),
            ("2027-01-04", false, true, "2027-01-07"),
            ("2027-01-05", false, false, "2027-01-07"),
        ];
        for (date, holiday, release, next) in cases {
            assert_eq!(calendar.is_holiday(d(date)), holiday, "is_holiday {date}");
            assert_eq!(
                calendar.is_release_day(d(date)),
                release,
                "is_release_day {date}"
            );
            let got = calendar.next_after(d(date)).map(|r| r.date);
            assert_eq!(got, Some(d(next)), "next_after {date}");
        }
        let on = calendar.release_on(d("2027-01-04")).unwrap();
        assert_eq!(
            (on.planned, on.bump, on.shifted),
            (d("2026-12-31"), Minor, true)
        );
    }

    #[test]
    fn skips_consecutive_holidays() {
        let cadence = Cadence::Weekly {
            days: vec![(Weekday::Mon, Patch)],
        };
        let mondays = (0..4).map(|w| d("2026-01-05") + Days::new(7 * w));
        let calendar = Calendar::new(cadence, mondays, HolidayPolicy::Skip).unwrap();
        let next = calendar.upcoming(d("2026-01-01"), 1);
        assert_eq!(show(&next), vec!["2026-02-02 patch"]);
    }

    #[test]
    fn gives_up_after_the_scan_limit() {
        let cadence = Cadence::Weekly {
            days: vec![(Weekday::Mon, Patch)],
        };
        let weeks = MAX_SCAN_DAYS / 7 + 2;
        let mondays = (0..weeks).map(|w| d("2026-01-05") + Days::new(7 * w));
        let calendar = Calendar::new(cadence, mondays, HolidayPolicy::Skip).unwrap();
        assert!(calendar.upcoming(d("2026-01-01"), 1).is_empty());
        assert_eq!(calendar.next_after(d("2026-01-01")), None);
    }

    #[test]
    fn parses_yaml_shapes() {
        let weekly_yaml = "cadence: {weekly: {thursday: patch, monday: minor}}\n\
                           holidays: [2026-12-25, 2027-01-01]\non_holiday: skip\n";
        let calendar: Calendar = serde_yaml::from_str(weekly_yaml).unwrap();
        assert_eq!(
            calendar,
            weekly(&["2026-12-25", "2027-01-01"], HolidayPolicy::Skip)
        );

        let train_yaml =
            "cadence:\n  every_weeks: 2\n  weekday: tuesday\n  anchor: 2026-01-06\n  bump: minor\n";
        let calendar: Calendar = serde_yaml::from_str(train_yaml).unwrap();
        assert_eq!(calendar, train("2026-01-06", &[], HolidayPolicy::Shift));
        let short: Calendar =
            serde_yaml::from_str("cadence: {weekly: {Mon: minor}}\non_holiday: shift\n").unwrap();
        assert!(short.is_release_day(d("2026-01-05")));
    }

    #[test]
    fn validation_errors_carry_a_position() {
        let yaml =
            "cadence:\n  every_weeks: 2\n  weekday: tuesday\n  anchor: 2026-01-05\n  bump: minor\n";
        let err = serde_yaml::from_str::<Calendar>(yaml).unwrap_err();
        let location = err.location().expect("a position");
        assert_eq!(location.line(), 2, "{err}");
        assert!(
            err.to_string()
                .starts_with("cadence: anchor 2026-01-05 is a Mon"),
            "{err}"
        );
    }

    #[test]
    fn rejects_bad_yaml() {
        let cases = [
            (
                "cadence: {every_weeks: 2, weekday: tuesday, anchor: 2026-01-05, bump: minor}",
                "is a Mon",
            ),
            (
                "cadence: {every_weeks: 0, weekday: monday, anchor: 2026-01-05, bump: minor}",
                "at least 1",
            ),
            (
                "cadence: {every_weeks: 2, weekday: monday, bump: minor}",
                "needs `anchor`",
            ),
            ("cadence: {weekly: {}}", "at least one weekday"),
            (
                "cadence: {weekly: {monday: minor}, every_weeks: 2}",
                "either",
            ),
            ("cadence: {}", "either"),
            (
                "cadence: {weekly: {monday: minor}, bump: patch}",
                "`bump` only goes",
            ),
            ("cadence: {weekly: {someday: minor}}", "weekday"),
            ("cadence: {weekly: {monday: huge}}", "unknown variant"),
            (
                "cadence: {weekly: {monday: minor}}\nholiday: [2026-12-25]",
                "unknown field",
            ),
            (
                "cadence: {weekly: {monday: minor}}\nholidays: [2026-02-30]",
                "input is out of range",
            ),
            (
                "cadence: {weekly: {monday: minor}}\non_holiday: postpone",
                "unknown variant",
            ),
            (
                "cadence: {weekly: {monday: minor}, extra: 1}",
                "unknown field",
            ),
        ];
        for (yaml, expected) in cases {
            let err = serde_yaml::from_str::<Calendar>(yaml)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
