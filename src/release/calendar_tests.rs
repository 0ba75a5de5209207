//! Tests of `calendar.rs`.

use super::*;
use crate::release::tests_config::{load, load_release, FILE};
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

/// The `release.calendar` that `yaml` loads as, through the configuration loader.
fn load_calendar(yaml: &str) -> Calendar {
    load_release("calendar", yaml)
        .unwrap_or_else(|e| panic!("{yaml}: {e}"))
        .calendar
        .expect("a calendar")
}

#[test]
fn parses_yaml_shapes() {
    let weekly_yaml = "cadence: {weekly: {thursday: patch, monday: minor}}\n\
                       holidays: [2026-12-25, 2027-01-01]\non_holiday: skip\n";
    let calendar = load_calendar(weekly_yaml);
    assert_eq!(
        calendar,
        weekly(&["2026-12-25", "2027-01-01"], HolidayPolicy::Skip)
    );

    let train_yaml =
        "cadence:\n  every_weeks: 2\n  weekday: tuesday\n  anchor: 2026-01-06\n  bump: minor\n";
    let calendar = load_calendar(train_yaml);
    assert_eq!(calendar, train("2026-01-06", &[], HolidayPolicy::Shift));
    let short = load_calendar("cadence: {weekly: {Mon: minor}}\non_holiday: shift\n");
    assert!(short.is_release_day(d("2026-01-05")));
}

#[test]
fn validation_errors_carry_a_position() {
    let text = "\
release:
  calendar:
    cadence:
      every_weeks: 2
      weekday: tuesday
      anchor: 2026-01-05
      bump: minor
";
    let err = load(text).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{FILE}:4:7: release.calendar.cadence: anchor 2026-01-05 is a Mon, not a Tue")
    );
}

#[test]
fn rejects_bad_yaml() {
    // Each snippet is loaded as `release.calendar` (its line 1 is the file's line 3, its
    // column 1 the file's column 5); one of the loader's errors is at `where` and says `what`.
    let cases = [
        (
            "cadence: {every_weeks: 2, weekday: tuesday, anchor: 2026-01-05, bump: minor}",
            "3:14: release.calendar.cadence",
            "is a Mon",
        ),
        (
            "cadence: {every_weeks: 0, weekday: monday, anchor: 2026-01-05, bump: minor}",
            "3:14: release.calendar.cadence",
            "at least 1",
        ),
        (
            "cadence: {every_weeks: 2, weekday: monday, bump: minor}",
            "3:14: release.calendar.cadence",
            "needs `anchor`",
        ),
        (
            "cadence: {weekly: {}}",
            "3:14: release.calendar.cadence",
            "at least one weekday",
        ),
        (
            "cadence: {weekly: {monday: minor}, every_weeks: 2}",
            "3:14: release.calendar.cadence",
            "either",
        ),
        ("cadence: {}", "3:14: release.calendar.cadence", "either"),
        (
            "cadence: {weekly: {monday: minor}, bump: patch}",
            "3:14: release.calendar.cadence",
            "`bump` only goes",
        ),
        (
            "cadence: {weekly: {someday: minor}}",
            "3:24: release.calendar.cadence.weekly",
            "weekday",
        ),
        (
            "cadence: {weekly: {monday: huge}}",
            "3:32: release.calendar.cadence.weekly.monday",
            "unknown variant",
        ),
        (
            "cadence: {weekly: {monday: minor}}\nholiday: [2026-12-25]",
            "4:5: release.calendar",
            "unknown field",
        ),
        (
            "cadence: {weekly: {monday: minor}}\nholidays: [2026-02-30]",
            "4:16: release.calendar.holidays[0]",
            "input is out of range",
        ),
        (
            "cadence: {weekly: {monday: minor}}\non_holiday: postpone",
            "4:17: release.calendar.on_holiday",
            "unknown variant",
        ),
        (
            "cadence: {weekly: {monday: minor}, extra: 1}",
            "3:40: release.calendar.cadence",
            "unknown field",
        ),
    ];
    for (yaml, place, expected) in cases {
        let errors = load_release("calendar", yaml).unwrap_err();
        let found = errors.errors().iter().any(|e| {
            let at = format!("{}: {}", e.pos.expect("a position"), e.path);
            at == place && e.message.contains(expected)
        });
        assert!(found, "{yaml}: want {place}: …{expected}…, got\n{errors}");
    }
}
