//! The release calendar of a repository as month grids: each day with its release (and
//! kind), a release moved onto it or off it by a holiday, a skipped one, holidays, weekends,
//! and the release manager on duty (coloured per person, so the rotation reads as a
//! calendar); plus the coming releases and holidays in order.

use crate::release::calendar::{Calendar, HolidayPolicy};
use crate::release::day::{on_date, DayOutcome};
use crate::release::rotation::{Rotation, RotationPeriod};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

/// Months shown, starting with the current one.
pub const MONTHS_SHOWN: u32 = 3;
/// Colours the stylesheet has for people on duty (`person-0` …).
const PERSON_COLOURS: usize = 6;

/// One day of a month grid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Day {
    /// 0 for the blanks before the 1st and after the last day.
    pub number: u32,
    pub date: String,
    /// CSS classes: `pad`, `weekend`, `holiday`, `today`, `release`, `moved`, `skipped`,
    /// `person-N`.
    pub classes: String,
    /// The kind of the release this day (`minor`, `patch`, `major`).
    pub release: Option<String>,
    /// The day this release was planned for, when a holiday moved it here.
    pub moved_from: Option<String>,
    /// Where a release planned this day (a holiday) moved to.
    pub moved_to: Option<String>,
    /// The kind of a release planned this day and skipped for the holiday.
    pub skipped: Option<String>,
    pub holiday: bool,
    /// The release manager on duty.
    pub manager: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    /// `November 2026`
    pub title: String,
    /// Monday-first weeks of seven days.
    pub weeks: Vec<Vec<Day>>,
}

/// A date of the coming weeks that says something: a release, a moved one, a skipped one,
/// or a holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upcoming {
    pub date: String,
    pub weekday: String,
    pub what: String,
    pub manager: Option<String>,
}

/// A person of the rotation and their colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarView {
    pub cadence: String,
    pub policy: &'static str,
    pub rotation: Option<String>,
    pub people: Vec<Person>,
    pub months: Vec<Month>,
    pub upcoming: Vec<Upcoming>,
}

fn person_class(rotation: &Rotation, name: &str) -> String {
    let index = rotation
        .people()
        .iter()
        .position(|p| p == name)
        .unwrap_or(0);
    format!("person-{}", index % PERSON_COLOURS)
}

fn cadence_text(calendar: &Calendar) -> String {
    use crate::release::calendar::Cadence;
    match calendar.cadence() {
        Cadence::Weekly { days } => days
            .iter()
            .map(|(day, bump)| format!("{bump} every {day:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        Cadence::EveryNWeeks {
            n,
            weekday,
            anchor,
            bump,
        } => format!("{bump} every {n} weeks on {weekday:?} (from {anchor})"),
    }
}

fn rotation_text(rotation: &Rotation) -> String {
    let period = match rotation.period() {
        RotationPeriod::Monthly => "monthly".to_string(),
        RotationPeriod::Weekly => "weekly".to_string(),
        RotationPeriod::EveryWeeks(n) => format!("every {n} weeks"),
    };
    format!("{period} from {}", rotation.anchor())
}

fn day_cell(
    calendar: &Calendar,
    rotation: Option<&Rotation>,
    date: NaiveDate,
    today: NaiveDate,
) -> Day {
    let mut classes = Vec::new();
    let mut day = Day {
        number: date.day(),
        date: date.to_string(),
        holiday: calendar.is_holiday(date),
        ..Day::default()
    };
    if !calendar.is_working_day(date) && !day.holiday {
        classes.push("weekend".to_string());
    }
    if day.holiday {
        classes.push("holiday".to_string());
    }
    if date == today {
        classes.push("today".to_string());
    }
    match on_date(calendar, rotation, date) {
        DayOutcome::NoRelease => {}
        DayOutcome::Release { release, .. } => {
            classes.push("release".to_string());
            day.release = Some(release.bump.to_string());
            if release.shifted {
                day.moved_from = Some(release.planned.to_string());
            }
        }
        DayOutcome::Moved { to, .. } => {
            classes.push("moved".to_string());
            day.moved_to = Some(to.to_string());
        }
        DayOutcome::Skipped { bump } => {
            classes.push("skipped".to_string());
            day.skipped = Some(bump.to_string());
        }
    }
    if let Some(rotation) = rotation {
        let name = rotation.manager_on(date).to_string();
        classes.push(person_class(rotation, &name));
        day.manager = Some(name);
    }
    day.classes = classes.join(" ");
    day
}

fn month(
    calendar: &Calendar,
    rotation: Option<&Rotation>,
    first: NaiveDate,
    today: NaiveDate,
) -> Month {
    let blanks = first.weekday().num_days_from_monday() as usize;
    let mut days: Vec<Day> = (0..blanks)
        .map(|_| Day {
            classes: "pad".into(),
            ..Day::default()
        })
        .collect();
    let mut date = first;
    while date.month() == first.month() {
        days.push(day_cell(calendar, rotation, date, today));
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    while days.len() % 7 != 0 {
        days.push(Day {
            classes: "pad".into(),
            ..Day::default()
        });
    }
    Month {
        title: first.format("%B %Y").to_string(),
        weeks: days.chunks(7).map(<[Day]>::to_vec).collect(),
    }
}

/// The calendar from `today`'s month on, [`MONTHS_SHOWN`] months.
pub fn view(calendar: &Calendar, rotation: Option<&Rotation>, today: NaiveDate) -> CalendarView {
    let first = today.with_day(1).unwrap_or(today);
    let months: Vec<Month> = (0..MONTHS_SHOWN)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(|m| month(calendar, rotation, m, today))
        .collect();
    let end = first
        .checked_add_months(Months::new(MONTHS_SHOWN))
        .unwrap_or(today);
    let mut upcoming = Vec::new();
    let mut date = today;
    while date < end {
        let what = match on_date(calendar, rotation, date) {
            DayOutcome::Release { release, .. } if release.shifted => Some(format!(
                "{} release (moved from the holiday {})",
                release.bump, release.planned
            )),
            DayOutcome::Release { release, .. } => Some(format!("{} release", release.bump)),
            DayOutcome::Moved { bump, to } => {
                Some(format!("holiday: the {bump} release moves to {to}"))
            }
            DayOutcome::Skipped { bump } => Some(format!("holiday: the {bump} release is skipped")),
            DayOutcome::NoRelease if calendar.is_holiday(date) => {
                Some("holiday (no release planned)".to_string())
            }
            DayOutcome::NoRelease => None,
        };
        if let Some(what) = what {
            upcoming.push(Upcoming {
                date: date.to_string(),
                weekday: date.format("%A").to_string(),
                what,
                manager: rotation.map(|r| r.manager_on(date).to_string()),
            });
        }
        date = match date.checked_add_days(Days::new(1)) {
            Some(next) => next,
            None => break,
        };
    }
    CalendarView {
        cadence: cadence_text(calendar),
        policy: match calendar.policy() {
            HolidayPolicy::Shift => "shifted to the next working day",
            HolidayPolicy::Skip => "skipped",
        },
        rotation: rotation.map(rotation_text),
        people: rotation
            .map(|r| {
                r.people()
                    .iter()
                    .map(|name| Person {
                        name: name.clone(),
                        class: person_class(r, name),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        months,
        upcoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::calendar::Cadence;
    use crate::release::version::BumpKind;
    use chrono::Weekday;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_holiday_moves_the_release_and_the_rotation_colours_each_day() {
        // Mondays minor; Monday 2026-12-07 is a holiday: the release moves to Tuesday.
        let calendar = Calendar::new(
            Cadence::Weekly {
                days: vec![(Weekday::Mon, BumpKind::Minor)],
            },
            [date("2026-12-07")],
            HolidayPolicy::Shift,
        )
        .unwrap();
        let rotation = Rotation::new(
            vec!["alice".into(), "bob".into()],
            RotationPeriod::Monthly,
            date("2026-01-01"),
        )
        .unwrap();
        let view = view(&calendar, Some(&rotation), date("2026-11-26"));
        assert_eq!(view.months.len(), 3);
        assert_eq!(view.months[0].title, "November 2026");
        // November 2026 starts on a Sunday: six blanks, then the 1st.
        let first_week = &view.months[0].weeks[0];
        assert_eq!(first_week[5].classes, "pad");
        assert_eq!(first_week[6].number, 1);
        let december = &view.months[1];
        let day = |n: u32| {
            december
                .weeks
                .iter()
                .flatten()
                .find(|d| d.number == n)
                .unwrap()
                .clone()
        };
        let holiday = day(7);
        assert!(holiday.holiday);
        assert_eq!(holiday.moved_to.as_deref(), Some("2026-12-08"));
        assert!(holiday.classes.contains("moved"), "{}", holiday.classes);
        let moved = day(8);
        assert_eq!(moved.release.as_deref(), Some("minor"));
        assert_eq!(moved.moved_from.as_deref(), Some("2026-12-07"));
        assert_eq!(day(14).release.as_deref(), Some("minor"));
        assert!(day(14).moved_from.is_none());
        // Monthly rotation from January: December is the 12th turn → bob (index 1).
        assert_eq!(day(1).manager.as_deref(), Some("bob"));
        assert!(day(1).classes.contains("person-1"));
        assert_eq!(view.months[0].weeks[1][0].manager.as_deref(), Some("alice"));
        let whats: Vec<&str> = view.upcoming.iter().map(|u| u.what.as_str()).collect();
        assert!(whats.contains(&"holiday: the minor release moves to 2026-12-08"));
        assert!(whats.contains(&"minor release (moved from the holiday 2026-12-07)"));
        assert_eq!(view.upcoming[0].date, "2026-11-30");
    }

    #[test]
    fn a_skipped_release_is_marked() {
        let calendar = Calendar::new(
            Cadence::Weekly {
                days: vec![(Weekday::Thu, BumpKind::Patch)],
            },
            [date("2026-12-24")],
            HolidayPolicy::Skip,
        )
        .unwrap();
        let view = view(&calendar, None, date("2026-12-01"));
        let cell = view.months[0]
            .weeks
            .iter()
            .flatten()
            .find(|d| d.number == 24)
            .unwrap();
        assert_eq!(cell.skipped.as_deref(), Some("patch"));
        assert!(cell.release.is_none() && cell.manager.is_none());
        assert_eq!(view.policy, "skipped");
        assert!(view.people.is_empty());
    }
}
