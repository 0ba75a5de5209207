use super::*;
use crate::release::calendar::Cadence;
use crate::release::rotation::RotationPeriod;
use chrono::Weekday;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn people(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// The shipped `config/release-train.yml` calendar and rotation.
fn train() -> (Calendar, Rotation) {
    let cadence = Cadence::EveryNWeeks {
        n: 2,
        weekday: Weekday::Tue,
        anchor: d("2026-01-06"),
        bump: BumpKind::Minor,
    };
    let holidays = [d("2026-12-22"), d("2026-12-29"), d("2027-04-06")];
    let calendar = Calendar::new(cadence, holidays, HolidayPolicy::Shift).unwrap();
    let rotation = Rotation::new(
        people(&["dana", "eli", "fay"]),
        RotationPeriod::Monthly,
        d("2026-01-01"),
    )
    .unwrap();
    (calendar, rotation)
}

/// The shipped `config/weekly-releases.yml` calendar and rotation, under `policy`.
fn weekly(policy: HolidayPolicy) -> (Calendar, Rotation) {
    let cadence = Cadence::Weekly {
        days: vec![
            (Weekday::Mon, BumpKind::Minor),
            (Weekday::Thu, BumpKind::Patch),
        ],
    };
    let holidays = [d("2026-12-24"), d("2026-12-25"), d("2027-01-01")];
    let calendar = Calendar::new(cadence, holidays, policy).unwrap();
    let rotation = Rotation::new(
        people(&["alice", "bob", "carol"]),
        RotationPeriod::Weekly,
        d("2026-01-05"),
    )
    .unwrap();
    (calendar, rotation)
}

/// A compact spelling of an outcome for the tables.
fn spell(outcome: &DayOutcome) -> String {
    match outcome {
        DayOutcome::NoRelease => "-".into(),
        DayOutcome::Skipped { bump } => format!("skip {}", bump.as_str()),
        DayOutcome::Moved { bump, to } => format!("{} moves to {to}", bump.as_str()),
        DayOutcome::Release { release, manager } => {
            let mut s = format!(
                "{} by {}",
                release.bump.as_str(),
                manager.as_deref().unwrap_or("nobody")
            );
            if release.shifted {
                s.push_str(&format!(" (from {})", release.planned));
            }
            s
        }
    }
}

#[test]
fn what_happens_on_the_train_dates() {
    let (calendar, rotation) = train();
    let cases = [
        ("2026-01-06", "minor by dana"),
        ("2026-01-07", "-"),
        ("2026-01-13", "-"),
        ("2026-01-20", "minor by dana"),
        // Month change: the rotation moves on with the month.
        ("2026-02-03", "minor by eli"),
        ("2026-03-31", "minor by fay"),
        ("2026-04-14", "minor by dana"),
        ("2026-11-24", "minor by eli"),
        // A holiday under the shift policy: the release moves to the next working day.
        ("2026-12-22", "minor moves to 2026-12-23"),
        ("2026-12-23", "minor by fay (from 2026-12-22)"),
        // A holiday on an off week is no release either way.
        ("2026-12-29", "-"),
        // Across the year end, to the next manager.
        ("2027-01-05", "minor by dana"),
        // Leap day 2028: a Tuesday 112 weeks after the anchor, February's manager.
        ("2028-02-29", "minor by eli"),
    ];
    for (date, want) in cases {
        assert_eq!(
            spell(&on_date(&calendar, Some(&rotation), d(date))),
            want,
            "{date}"
        );
    }
}

#[test]
fn what_happens_on_the_weekly_dates() {
    let (shift, rotation) = weekly(HolidayPolicy::Shift);
    let (skip, _) = weekly(HolidayPolicy::Skip);
    let cases = [
        (&shift, "2026-11-26", "patch by bob"),
        (&shift, "2026-11-27", "-"),
        // Month end: Monday 30 November and Thursday 3 December share a week.
        (&shift, "2026-11-30", "minor by carol"),
        (&shift, "2026-12-01", "-"),
        (&shift, "2026-12-03", "patch by carol"),
        // Christmas Eve (Thursday) shifts over Christmas and the weekend onto Monday,
        // which releases once, with the larger bump.
        (&shift, "2026-12-24", "patch moves to 2026-12-28"),
        (&shift, "2026-12-25", "-"),
        (&shift, "2026-12-28", "minor by alice (from 2026-12-24)"),
        (&shift, "2026-12-31", "patch by alice"),
        (&shift, "2027-01-01", "-"),
        (&shift, "2027-01-04", "minor by bob"),
        // The skip policy drops the holiday's release.
        (&skip, "2026-12-24", "skip patch"),
        (&skip, "2026-12-25", "-"),
        (&skip, "2026-12-28", "minor by alice"),
        (&skip, "2026-12-31", "patch by alice"),
    ];
    for (calendar, date, want) in cases {
        assert_eq!(
            spell(&on_date(calendar, Some(&rotation), d(date))),
            want,
            "{date} ({:?})",
            calendar.policy()
        );
    }
    assert_eq!(
        spell(&on_date(&shift, None, d("2026-11-30"))),
        "minor by nobody"
    );
}

fn change(number: u64, title: &str, labels: &[&str]) -> Change {
    Change {
        number,
        title: title.into(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        author: "dev".into(),
        url: None,
        is_merge_request: true,
        closes: vec![],
    }
}

#[test]
fn proposals_follow_the_cadence_unless_a_change_is_breaking() {
    let labels = people(&["breaking"]);
    let rule = BreakingRule {
        labels: &labels,
        bang: true,
    };
    let no_bang = BreakingRule {
        labels: &labels,
        bang: false,
    };
    let v = |s: &str| Version::parse(s).unwrap();
    let plain = [change(1, "Dark mode", &["feature"])];
    let labelled = [
        change(1, "Dark mode", &["feature"]),
        change(2, "Drop v1", &["Breaking"]),
    ];
    let banged = [change(3, "feat(api)!: new tokens", &[])];
    type Case<'a> = (
        Option<Version>,
        BumpKind,
        &'a [Change],
        &'a BreakingRule<'a>,
        &'a str,
        &'a [u64],
    );
    let cases: [Case<'_>; 7] = [
        (
            Some(v("1.3.0")),
            BumpKind::Minor,
            &plain,
            &rule,
            "1.4.0",
            &[],
        ),
        (
            Some(v("1.3.0")),
            BumpKind::Patch,
            &plain,
            &rule,
            "1.3.1",
            &[],
        ),
        (
            Some(v("1.3.2")),
            BumpKind::Minor,
            &plain,
            &rule,
            "1.4.0",
            &[],
        ),
        (
            Some(v("1.3.0")),
            BumpKind::Patch,
            &labelled,
            &rule,
            "2.0.0",
            &[2],
        ),
        (
            Some(v("1.3.0")),
            BumpKind::Minor,
            &banged,
            &rule,
            "2.0.0",
            &[3],
        ),
        (
            Some(v("1.3.0")),
            BumpKind::Minor,
            &banged,
            &no_bang,
            "1.4.0",
            &[],
        ),
        (None, BumpKind::Minor, &plain, &rule, "0.1.0", &[]),
    ];
    for (last, bump, changes, rule, want, breaking) in cases {
        let p = propose(last.as_ref(), bump, changes, rule);
        assert_eq!(p.version.to_string(), want, "{last:?} {bump:?}");
        assert_eq!(p.breaking, breaking, "{last:?} {bump:?}");
    }
}

#[test]
fn breaking_titles() {
    let cases = [
        ("feat!: drop the v1 API", true),
        ("feat(api)!: new tokens", true),
        ("api-v2!: rename", true),
        ("fix: handle !: in names", false),
        ("Wow! Great", false),
        ("(x)!: nothing", false),
        ("a(b(c))!: nested", false),
        ("feat: plain", false),
    ];
    for (title, want) in cases {
        assert_eq!(bang_title(title), want, "{title}");
    }
}

#[test]
fn last_release_tags_skip_prereleases_and_strangers() {
    let format = TagFormat::with_prefix("v");
    let tags = people(&["v1.3.0", "v1.10.0", "v2.0.0-rc.1", "nightly", "v1.9.0"]);
    let (tag, version) = last_release_tag(&tags, &format).unwrap();
    assert_eq!((tag, version.to_string().as_str()), ("v1.10.0", "1.10.0"));
    assert!(last_release_tag(&people(&["nightly"]), &format).is_none());
}

#[test]
fn deploy_markers_name_their_version_and_environment() {
    let body = "x\n<!-- forgehand:deploy-request v1.4.0 staging -->\n## Deploy";
    assert_eq!(
        deploy_marker_version(body, "staging"),
        Some(Version::new(1, 4, 0))
    );
    assert_eq!(deploy_marker_version(body, "production"), None);
    assert_eq!(deploy_marker_version("no marker", "staging"), None);
    assert_eq!(
        deploy_marker_version("<!-- forgehand:deploy-request vX staging -->", "staging"),
        None
    );
}

#[test]
fn checklist_steps_are_the_unticked_tasks() {
    let text =
        "## Release\n\n- [ ] Tag pushed\n- [x] Done before\n  * [ ] Nested step\n- [ ]   \ntext";
    assert_eq!(checklist_steps(text), ["Tag pushed", "Nested step"]);
}
