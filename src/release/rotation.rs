//! The release-manager rotation: an ordered list of people taking turns by month, by week
//! or every N weeks, counted from an anchor date, so the manager follows from the date alone.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Deserialize;

use super::de::validated_map;

/// A configuration mistake in a rotation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("`people` must list at least one person")]
    NoPeople,
    #[error("person #{0} has an empty name")]
    BlankName(usize),
    #[error("`every_weeks` must be at least 1")]
    ZeroWeeks,
}

/// How long each person's turn lasts. In YAML: `monthly`, `weekly` or `{every_weeks: n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationPeriod {
    /// Calendar months, counted from the anchor's month (the anchor's day does not matter).
    Monthly,
    /// Weeks starting on the anchor's weekday.
    Weekly,
    /// Blocks of `n` weeks starting on the anchor.
    EveryWeeks(u32),
}

impl RotationPeriod {
    /// Weeks per turn for the week-based periods.
    fn weeks(self) -> Option<u32> {
        match self {
            RotationPeriod::Monthly => None,
            RotationPeriod::Weekly => Some(1),
            RotationPeriod::EveryWeeks(n) => Some(n),
        }
    }
}

/// A validated rotation. Deserializes from
/// `{people: [alice, bob], period: monthly | weekly | {every_weeks: 2}, anchor: 2026-01-01}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    people: Vec<String>,
    period: RotationPeriod,
    anchor: NaiveDate,
}

impl Rotation {
    pub fn new(
        people: Vec<String>,
        period: RotationPeriod,
        anchor: NaiveDate,
    ) -> Result<Rotation, RotationError> {
        if people.is_empty() {
            return Err(RotationError::NoPeople);
        }
        if let Some(index) = people.iter().position(|p| p.trim().is_empty()) {
            return Err(RotationError::BlankName(index + 1));
        }
        if period == RotationPeriod::EveryWeeks(0) {
            return Err(RotationError::ZeroWeeks);
        }
        Ok(Rotation {
            people,
            period,
            anchor,
        })
    }

    pub fn people(&self) -> &[String] {
        &self.people
    }

    pub fn period(&self) -> RotationPeriod {
        self.period
    }

    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// The release manager on `date`: the first person for the period holding the anchor,
    /// the next one for the following period, wrapping around; earlier dates count back.
    pub fn manager_on(&self, date: NaiveDate) -> &str {
        let len = self.people.len() as i64;
        let index = self.period_index(date).rem_euclid(len);
        &self.people[index as usize]
    }

    /// The turn that holds `date`: its first day and the first day of the next turn.
    pub fn turn(&self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self.period.weeks() {
            None => {
                let first = date.with_day(1).expect("day 1 exists in every month");
                (first, first + Months::new(1))
            }
            Some(weeks) => {
                let length = 7 * i64::from(weeks);
                let offset = (date - self.anchor).num_days().rem_euclid(length);
                let start = date - Days::new(offset as u64);
                (start, start + Days::new(length as u64))
            }
        }
    }

    /// How many turns `date` is after the anchor's turn (negative before it).
    fn period_index(&self, date: NaiveDate) -> i64 {
        match self.period.weeks() {
            None => month_number(date) - month_number(self.anchor),
            Some(weeks) => (date - self.anchor)
                .num_days()
                .div_euclid(7 * i64::from(weeks)),
        }
    }
}

impl<'de> Deserialize<'de> for RotationPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PeriodVisitor)
    }
}

struct PeriodVisitor;

const PERIOD_SHAPES: &[&str] = &["monthly", "weekly", "{every_weeks: n}"];

impl<'de> serde::de::Visitor<'de> for PeriodVisitor {
    type Value = RotationPeriod;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("`monthly`, `weekly` or `{every_weeks: n}`")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RotationPeriod, E> {
        match value {
            "monthly" => Ok(RotationPeriod::Monthly),
            "weekly" => Ok(RotationPeriod::Weekly),
            other => Err(E::unknown_variant(other, PERIOD_SHAPES)),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> Result<RotationPeriod, A::Error> {
        use serde::de::Error;
        let Some(key) = map.next_key::<String>()? else {
            return Err(A::Error::invalid_length(0, &self));
        };
        if key != "every_weeks" {
            return Err(A::Error::unknown_field(&key, &["every_weeks"]));
        }
        let weeks: u32 = map.next_value()?;
        if weeks == 0 {
            return Err(A::Error::custom(RotationError::ZeroWeeks));
        }
        if let Some(extra) = map.next_key::<String>()? {
            return Err(A::Error::unknown_field(&extra, &["every_weeks"]));
        }
        Ok(RotationPeriod::EveryWeeks(weeks))
    }
}

fn month_number(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The YAML shape of a rotation, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRotation {
    /// Logins in turn order.
    people: Vec<String>,
    /// `monthly` (default), `weekly` or `{every_weeks: n}`.
    #[serde(default = "default_period")]
    period: RotationPeriod,
    /// The day the first person's turn starts.
    anchor: NaiveDate,
}

fn default_period() -> RotationPeriod {
    RotationPeriod::Monthly
}

impl<'de> Deserialize<'de> for Rotation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        validated_map::<D, RawRotation, Rotation>(deserializer, "a release-manager rotation")
    }
}

impl TryFrom<RawRotation> for Rotation {
    type Error = RotationError;

    fn try_from(raw: RawRotation) -> Result<Rotation, RotationError> {
        Rotation::new(raw.people, raw.period, raw.anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::tests_config::{load, load_release, FILE};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rotation(people: &[&str], period: RotationPeriod, anchor: &str) -> Rotation {
        let people = people.iter().map(|p| p.to_string()).collect();
        Rotation::new(people, period, d(anchor)).unwrap()
    }

    #[test]
    fn monthly_rotation_over_fourteen_months() {
        let r = rotation(
            &["ann", "bob", "cyd"],
            RotationPeriod::Monthly,
            "2026-01-15",
        );
        let cases = [
            ("2026-01-01", "ann"),
            ("2026-01-31", "ann"),
            ("2026-02-01", "bob"),
            ("2026-02-28", "bob"),
            ("2026-03-01", "cyd"),
            ("2026-04-30", "ann"),
            ("2026-05-01", "bob"),
            ("2026-06-15", "cyd"),
            ("2026-07-01", "ann"),
            ("2026-08-01", "bob"),
            ("2026-09-01", "cyd"),
            ("2026-10-01", "ann"),
            ("2026-11-01", "bob"),
            ("2026-12-31", "cyd"),
            ("2027-01-01", "ann"),
            ("2027-02-01", "bob"),
            ("2027-03-01", "cyd"),
            ("2028-02-29", "bob"),
            ("2025-12-31", "cyd"),
            ("2025-11-30", "bob"),
            ("2025-10-01", "ann"),
        ];
        for (date, expected) in cases {
            assert_eq!(r.manager_on(d(date)), expected, "{date}");
        }
    }

    #[test]
    fn weekly_rotations() {
        // 2026-01-05 is a Monday; turns start on Mondays.
        let weekly = rotation(&["ann", "bob"], RotationPeriod::Weekly, "2026-01-05");
        let fortnightly = rotation(
            &["ann", "bob", "cyd"],
            RotationPeriod::EveryWeeks(2),
            "2026-01-06",
        );
        let cases = [
            (&weekly, "2026-01-05", "ann"),
            (&weekly, "2026-01-11", "ann"),
            (&weekly, "2026-01-12", "bob"),
            (&weekly, "2026-01-19", "ann"),
            (&weekly, "2026-01-04", "bob"),
            (&weekly, "2025-12-29", "bob"),
            (&weekly, "2025-12-28", "ann"),
            (&weekly, "2026-12-28", "bob"),
            (&weekly, "2027-01-04", "ann"),
            (&fortnightly, "2026-01-06", "ann"),
            (&fortnightly, "2026-01-19", "ann"),
            (&fortnightly, "2026-01-20", "bob"),
            (&fortnightly, "2026-02-03", "cyd"),
            (&fortnightly, "2026-02-17", "ann"),
            (&fortnightly, "2026-01-05", "cyd"),
            (&fortnightly, "2025-12-23", "cyd"),
            (&fortnightly, "2025-12-22", "bob"),
            // 2026-12-22 is 25 turns after the anchor: 25 % 3 == 1.
            (&fortnightly, "2026-12-22", "bob"),
            (&fortnightly, "2027-01-05", "cyd"),
        ];
        for (r, date, expected) in cases {
            assert_eq!(r.manager_on(d(date)), expected, "{:?} {date}", r.period());
        }
    }

    #[test]
    fn leap_days_and_year_ends() {
        let monthly = rotation(
            &["ann", "bob", "cyd"],
            RotationPeriod::Monthly,
            "2026-01-15",
        );
        // 2028-02-28 is a Monday.
        let weekly = rotation(&["ann", "bob"], RotationPeriod::Weekly, "2028-02-28");
        let cases = [
            // 25 months after January 2026: 25 % 3 == 1.
            (&monthly, "2028-02-28", "bob"),
            (&monthly, "2028-02-29", "bob"),
            (&monthly, "2028-03-01", "cyd"),
            (&monthly, "2027-12-31", "cyd"),
            (&monthly, "2028-01-01", "ann"),
            (&weekly, "2028-02-29", "ann"),
            (&weekly, "2028-03-05", "ann"),
            (&weekly, "2028-03-06", "bob"),
            (&weekly, "2028-02-27", "bob"),
            // 2028-12-31 is a Sunday, 43 weeks after the anchor.
            (&weekly, "2028-12-31", "bob"),
            (&weekly, "2029-01-01", "ann"),
        ];
        for (r, date, expected) in cases {
            assert_eq!(r.manager_on(d(date)), expected, "{:?} {date}", r.period());
        }
    }

    #[test]
    fn turn_bounds() {
        let monthly = rotation(&["a"], RotationPeriod::Monthly, "2026-01-15");
        let fortnightly = rotation(&["a"], RotationPeriod::EveryWeeks(2), "2026-01-06");
        let cases = [
            (&monthly, "2028-02-10", "2028-02-01", "2028-03-01"),
            (&monthly, "2026-12-31", "2026-12-01", "2027-01-01"),
            (&fortnightly, "2026-01-06", "2026-01-06", "2026-01-20"),
            (&fortnightly, "2026-01-19", "2026-01-06", "2026-01-20"),
            (&fortnightly, "2026-01-05", "2025-12-23", "2026-01-06"),
        ];
        for (r, date, start, end) in cases {
            assert_eq!(r.turn(d(date)), (d(start), d(end)), "{date}");
        }
    }

    #[test]
    fn validation_errors_carry_a_position() {
        let text = "release:\n  rotation:\n    people: []\n    anchor: 2026-01-01\n";
        let err = load(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{FILE}:3:5: release.rotation: `people` must list at least one person")
        );
    }

    #[test]
    fn parses_and_validates_yaml() {
        let cases = [
            (
                "people: [ann, bob]\nperiod: monthly\nanchor: 2026-01-01",
                Ok(RotationPeriod::Monthly),
            ),
            (
                "people: [ann]\nanchor: 2026-01-01",
                Ok(RotationPeriod::Monthly),
            ),
            (
                "people: [ann]\nperiod: weekly\nanchor: 2026-01-05",
                Ok(RotationPeriod::Weekly),
            ),
            (
                "people: [ann]\nperiod: {every_weeks: 2}\nanchor: 2026-01-06",
                Ok(RotationPeriod::EveryWeeks(2)),
            ),
            ("people: []\nanchor: 2026-01-01", Err("at least one person")),
            ("people: [ann, '']\nanchor: 2026-01-01", Err("person #2")),
            (
                "people: [ann]\nperiod: {every_weeks: 0}\nanchor: 2026-01-06",
                Err("at least 1"),
            ),
            (
                "people: [ann]\nperiod: daily\nanchor: 2026-01-06",
                Err("unknown variant"),
            ),
            (
                "people: [ann]\nperiod: {weeks: 2}\nanchor: 2026-01-06",
                Err("unknown field"),
            ),
            (
                "people: [ann]\nperiod: {every_weeks: 2, x: 1}\nanchor: 2026-01-06",
                Err("unknown field"),
            ),
            (
                "people: [ann]\nperiod: 2\nanchor: 2026-01-06",
                Err("invalid type"),
            ),
            ("people: [ann]", Err("missing field `anchor`")),
            (
                "people: [ann]\nanchor: 2026-01-01\nteam: x",
                Err("unknown field"),
            ),
        ];
        for (yaml, expected) in cases {
            let loaded = load_release("rotation", yaml).map(|release| release.rotation);
            match (loaded, expected) {
                (Ok(Some(r)), Ok(period)) => assert_eq!(r.period(), period, "{yaml}"),
                (Err(e), Err(text)) => assert!(e.to_string().contains(text), "{yaml}: {e}"),
                (got, want) => panic!("{yaml}: got {got:?}, want {want:?}"),
            }
        }
    }
}
