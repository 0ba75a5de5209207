//! Which release a day belongs to, and so who is on duty for it: the scheduled release on or
//! before that day (a release published on Wednesday belongs to Tuesday's train; a weekly tag
//! pushed on Friday or at the weekend belongs to that week's release, not next week's), and
//! the manager the rotation gives for that release's date. Deployment-request assignees, the
//! release MR's assignee and the `/deploy` permission all use [`manager_on_duty`].

use super::calendar::{Calendar, ReleaseDate};
use super::rotation::Rotation;
use chrono::NaiveDate;

/// How far back [`release_on_or_before`] looks for a release: more than any cadence's gap.
pub const MAX_LOOK_BACK_DAYS: u32 = 400;

/// The latest release on the calendar whose (possibly shifted) date is on or before `date`.
pub fn release_on_or_before(calendar: &Calendar, date: NaiveDate) -> Option<ReleaseDate> {
    let mut day = date;
    for _ in 0..=MAX_LOOK_BACK_DAYS {
        if let Some(release) = calendar.release_on(day) {
            return Some(release);
        }
        day = day.pred_opt()?;
    }
    None
}

/// The release manager on duty on `date`: the rotation's person for the date of the release
/// `date` belongs to ([`release_on_or_before`]); without a calendar (or before its first
/// release), the rotation's person for `date` itself.
pub fn manager_on_duty<'r>(
    calendar: Option<&Calendar>,
    rotation: &'r Rotation,
    date: NaiveDate,
) -> &'r str {
    let release = calendar.and_then(|c| release_on_or_before(c, date));
    rotation.manager_on(release.map_or(date, |r| r.date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{BumpKind, Cadence, HolidayPolicy, RotationPeriod};
    use chrono::Weekday;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Monthly: ann (Jan), bob (Feb), cy (Mar), ann (Apr), bob (May), …
    fn rotation() -> Rotation {
        let people = ["ann", "bob", "cy"].map(String::from).to_vec();
        Rotation::new(people, RotationPeriod::Monthly, d("2026-01-01")).unwrap()
    }

    /// Every other Tuesday from 2026-01-06 (…, 03-17, 03-31, 04-14, …).
    fn train(holidays: &[&str], policy: HolidayPolicy) -> Calendar {
        let cadence = Cadence::EveryNWeeks {
            n: 2,
            weekday: Weekday::Tue,
            anchor: d("2026-01-06"),
            bump: BumpKind::Minor,
        };
        Calendar::new(cadence, holidays.iter().map(|h| d(h)), policy).unwrap()
    }

    /// Monday minor, Thursday patch.
    fn weekly(holidays: &[&str], policy: HolidayPolicy) -> Calendar {
        let cadence = Cadence::Weekly {
            days: vec![
                (Weekday::Mon, BumpKind::Minor),
                (Weekday::Thu, BumpKind::Patch),
            ],
        };
        Calendar::new(cadence, holidays.iter().map(|h| d(h)), policy).unwrap()
    }

    #[test]
    fn the_manager_on_duty_is_the_one_of_the_release_on_or_before_the_day() {
        use HolidayPolicy::{Shift, Skip};
        // (what, calendar, day, release it belongs to, manager)
        let cases: Vec<(&str, Calendar, &str, &str, &str)> = vec![
            (
                "train day",
                train(&[], Shift),
                "2026-03-17",
                "2026-03-17",
                "cy",
            ),
            (
                "published the Wednesday after",
                train(&[], Shift),
                "2026-03-18",
                "2026-03-17",
                "cy",
            ),
            (
                "month end: Tuesday's train, published on April 1st",
                train(&[], Shift),
                "2026-04-01",
                "2026-03-31",
                "cy",
            ),
            (
                "a week into April, still March's train",
                train(&[], Shift),
                "2026-04-13",
                "2026-03-31",
                "cy",
            ),
            (
                "next train in April",
                train(&[], Shift),
                "2026-04-14",
                "2026-04-14",
                "ann",
            ),
            (
                "holiday shifts the train into April",
                train(&["2026-03-31"], Shift),
                "2026-04-01",
                "2026-04-01",
                "ann",
            ),
            (
                "on the holiday itself: the train before",
                train(&["2026-03-31"], Shift),
                "2026-03-31",
                "2026-03-17",
                "cy",
            ),
            (
                "holiday skips the train",
                train(&["2026-03-31"], Skip),
                "2026-04-02",
                "2026-03-17",
                "cy",
            ),
            (
                "weekly: Friday tag belongs to Thursday",
                weekly(&[], Shift),
                "2026-04-03",
                "2026-04-02",
                "ann",
            ),
            (
                "weekly: month end Friday",
                weekly(&[], Shift),
                "2026-05-01",
                "2026-04-30",
                "ann",
            ),
            (
                "weekly: weekend after month end",
                weekly(&[], Shift),
                "2026-05-03",
                "2026-04-30",
                "ann",
            ),
            (
                "weekly: Monday release in May",
                weekly(&[], Shift),
                "2026-05-04",
                "2026-05-04",
                "bob",
            ),
            (
                "weekly: Monday holiday shifts to Tuesday",
                weekly(&["2026-06-01"], Shift),
                "2026-06-01",
                "2026-05-28",
                "bob",
            ),
            (
                "weekly: the shifted Monday release",
                weekly(&["2026-06-01"], Shift),
                "2026-06-02",
                "2026-06-02",
                "cy",
            ),
            (
                "year end: New Year's Day Saturday, December's release",
                weekly(&[], Shift),
                "2027-01-02",
                "2026-12-31",
                "cy",
            ),
        ];
        let rotation = rotation();
        for (what, calendar, day, release, manager) in cases {
            let found = release_on_or_before(&calendar, d(day)).map(|r| r.date.to_string());
            assert_eq!(found.as_deref(), Some(release), "{what}");
            assert_eq!(
                manager_on_duty(Some(&calendar), &rotation, d(day)),
                manager,
                "{what}"
            );
        }
    }

    #[test]
    fn without_a_calendar_the_day_itself_counts() {
        let rotation = rotation();
        assert_eq!(manager_on_duty(None, &rotation, d("2026-02-28")), "bob");
        assert_eq!(manager_on_duty(None, &rotation, d("2026-03-01")), "cy");
        // The train runs before its anchor too: January 5th belongs to December 23rd's.
        let calendar = train(&[], HolidayPolicy::Shift);
        let before = release_on_or_before(&calendar, d("2026-01-05")).map(|r| r.date);
        assert_eq!(before, Some(d("2025-12-23")));
        assert_eq!(
            manager_on_duty(Some(&calendar), &rotation, d("2026-01-05")),
            "cy"
        );
    }
}
