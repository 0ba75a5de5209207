//! The incident decisions: what an alert does given the incident issue found (none, open,
//! closed lately, closed long ago), on the fixtures of `fixtures/alerts/`.

use super::*;
use crate::config::Config;
use crate::event::{Decoded, ForgeKind};
use crate::plan::IssueChange;
use chrono::TimeZone;

const CONFIG: &str = r#"
incidents:
  alertmanager:
    tokens: [t]
  repo: github:acme/website
  labels: [incident, "priority::1"]
  escalation: lead
  notify: [oncall, "@sre"]
  routes:
    - when: {check: "^shop\\."}
      repo: gitlab:acme/shop
      rotation: {people: [ann, bob], period: weekly, anchor: 2026-02-23}
"#;

fn config(extra: &str) -> Config {
    Config::from_str(&format!("{CONFIG}{extra}"), "t.yml", &|_| None).unwrap()
}

fn event(forge: ForgeKind, source: &str, fixture: &str) -> Event {
    let path = format!("{}/fixtures/alerts/{fixture}", env!("CARGO_MANIFEST_DIR"));
    match crate::event::decode(forge, source, &std::fs::read(path).unwrap()) {
        Ok(Decoded::Event(event)) => *event,
        other => panic!("{other:?}"),
    }
}

fn www(fixture: &str) -> Event {
    event(ForgeKind::Github, "alertmanager", fixture)
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
}

fn now() -> DateTime<Utc> {
    at(12, 0, 0)
}

fn identity(event: &Event) -> String {
    match &event.kind {
        EventKind::Alert { alert } => alert.identity.clone(),
        _ => unreachable!(),
    }
}

/// The incident issue #7 of the `www` group, opened at 08:14:05.
fn found(event: &Event, state: IssueState, closed_at: Option<DateTime<Utc>>) -> Context {
    Context {
        incident: Some(Some(MarkedIssue {
            number: 7,
            url: None,
            state,
            closed_at,
            labels: vec!["incident".into(), "priority::3".into()],
            body: format!(
                "## down\n\n{}\n",
                incident_marker(&identity(event), at(8, 14, 5))
            ),
        })),
        ..Context::default()
    }
}

fn none_found() -> Context {
    Context {
        incident: Some(None),
        ..Context::default()
    }
}

fn plan_for(event: &Event, config: &Config, context: &Context) -> Plan {
    crate::decide::decide(event, config, context, now())
}

#[test]
fn a_firing_alert_without_incident_opens_one() {
    let e = www("alertmanager.firing.json");
    let config = config("");
    let lookup = needs(&e, &config).unwrap();
    assert_eq!(lookup.repo, "acme/website");
    assert_eq!(lookup.label.as_deref(), Some("incident"));
    assert!(lookup
        .marker
        .starts_with("<!-- forgehand:incident alertmanager:"));

    let plan = plan_for(&e, &config, &none_found());
    let [Intent::FileIssue(spec)] = plan.intents.as_slice() else {
        panic!("{plan}");
    };
    assert_eq!(spec.repo, "acme/website");
    assert_eq!(spec.title, "www.example.com is down");
    assert_eq!(spec.labels, ["incident", "priority::1"]);
    assert_eq!(spec.assignees, ["lead"]);
    assert_eq!(spec.marker, incident_marker(&identity(&e), at(8, 14, 5)));
    assert!(
        spec.marker.ends_with("since 2026-03-02T08:14:05Z -->"),
        "{}",
        spec.marker
    );
    assert!(spec.marker.starts_with(&lookup.marker));
    assert!(spec.body.contains(&spec.marker));
    assert!(spec.body.contains("cc @oncall @sre"), "{}", spec.body);
    insta::assert_snapshot!("incident_issue_alertmanager", spec.body);
}

#[test]
fn a_pingdom_check_goes_to_its_route_and_the_person_on_duty() {
    let e = event(ForgeKind::Gitlab, "pingdom", "pingdom.down.json");
    let plan = plan_for(&e, &config(""), &none_found());
    let [Intent::FileIssue(spec)] = plan.intents.as_slice() else {
        panic!("{plan}");
    };
    assert_eq!(spec.repo, "acme/shop");
    // 2026-03-02 is the second week from the anchor: bob's.
    assert_eq!(spec.assignees, ["bob"]);
    assert_eq!(spec.title, "shop.example.com is down: HTTP Error 503");
    insta::assert_snapshot!("incident_issue_pingdom", spec.body);
}

#[test]
fn firing_again_comments_on_the_open_incident_once_per_notification() {
    let e = www("alertmanager.firing_group.json");
    let plan = plan_for(&e, &config(""), &found(&e, IssueState::Open, None));
    let [Intent::Comment {
        target,
        body,
        marker: Some(marker),
    }] = plan.intents.as_slice()
    else {
        panic!("{plan}");
    };
    assert_eq!((target.repo.as_str(), target.number), ("acme/website", 7));
    assert!(
        marker.starts_with("<!-- forgehand:incident-note "),
        "{marker}"
    );
    assert!(body.ends_with(marker.as_str()));
    insta::assert_snapshot!("incident_firing_again", body);
    let again = plan_for(&e, &config(""), &found(&e, IssueState::Open, None));
    assert_eq!(again, plan, "the same notification, the same marker");
}

#[test]
fn firing_soon_after_closing_reopens_later_opens_anew() {
    let e = www("alertmanager.firing.json");
    // Closed at 08:00, firing again from 08:14: within the hour.
    let plan = plan_for(
        &e,
        &config(""),
        &found(&e, IssueState::Closed, Some(at(8, 0, 0))),
    );
    let [Intent::EditIssue { target, change }, Intent::Comment { body, .. }] =
        plan.intents.as_slice()
    else {
        panic!("{plan}");
    };
    assert_eq!(target.number, 7);
    assert_eq!(
        change,
        &IssueChange {
            add_labels: vec!["priority::1".into()],
            remove_labels: vec!["priority::3".into()],
            add_assignees: vec!["lead".into()],
            state: Some(StateChange::Reopen),
            ..IssueChange::default()
        }
    );
    assert!(
        body.starts_with("**Firing again**, 14 min after this incident was closed: reopened."),
        "{body}"
    );

    // Closed at 06:00: more than an hour before; a new incident, with a new marker.
    let plan = plan_for(
        &e,
        &config(""),
        &found(&e, IssueState::Closed, Some(at(6, 0, 0))),
    );
    assert!(
        matches!(plan.intents.as_slice(), [Intent::FileIssue(_)]),
        "{plan}"
    );
    // A window of 0: never reopened.
    let never = config("  reopen_window_minutes: 0\n");
    let plan = plan_for(
        &e,
        &never,
        &found(&e, IssueState::Closed, Some(at(8, 0, 0))),
    );
    assert!(
        matches!(plan.intents.as_slice(), [Intent::FileIssue(_)]),
        "{plan}"
    );
}

#[test]
fn resolution_comments_with_the_duration_and_closes() {
    let e = www("alertmanager.resolved.json");
    let plan = plan_for(&e, &config(""), &found(&e, IssueState::Open, None));
    let [Intent::Comment { body, .. }, Intent::EditIssue { change, .. }] = plan.intents.as_slice()
    else {
        panic!("{plan}");
    };
    // From the marker's 08:14:05 to the last alert's end at 09:01:20.
    assert!(
        body.starts_with(
            "**Resolved** after 47 min (from 2026-03-02 08:14 UTC to 2026-03-02 09:01 UTC)"
        ),
        "{body}"
    );
    assert_eq!(change.state, Some(StateChange::Close));
    insta::assert_snapshot!("incident_resolved", body);

    let keep_open = config("  close_when_resolved: false\n");
    let plan = plan_for(&e, &keep_open, &found(&e, IssueState::Open, None));
    let [Intent::Comment { body, .. }] = plan.intents.as_slice() else {
        panic!("{plan}");
    };
    assert!(!body.contains("Closing"), "{body}");
}

#[test]
fn a_pingdom_recovery_takes_its_start_from_the_marker() {
    let down = event(ForgeKind::Gitlab, "pingdom", "pingdom.down.json");
    let up = event(ForgeKind::Gitlab, "pingdom", "pingdom.up.json");
    let mut context = found(&up, IssueState::Open, None);
    if let Some(Some(issue)) = &mut context.incident {
        issue.body = incident_marker(&identity(&down), at(8, 34, 5));
    }
    let plan = plan_for(&up, &config(""), &context);
    let [Intent::Comment { body, .. }, Intent::EditIssue { .. }] = plan.intents.as_slice() else {
        panic!("{plan}");
    };
    assert!(body.starts_with("**Resolved** after 41 min"), "{body}");
}

#[test]
fn what_is_not_done_is_said() {
    let resolved = www("alertmanager.resolved.json");
    let firing = www("alertmanager.firing.json");
    let cases: Vec<(&Event, Config, Context, &str)> = vec![
        (
            &resolved,
            config(""),
            found(&resolved, IssueState::Closed, Some(at(9, 2, 0))),
            "is already closed",
        ),
        (
            &resolved,
            config(""),
            none_found(),
            "no incident issue of it is in acme/website",
        ),
        (
            &resolved,
            config(""),
            Context::default(),
            "looked up when serving",
        ),
        (
            &firing,
            Config::from_str("", "t", &|_| None).unwrap(),
            none_found(),
            "incidents are off",
        ),
    ];
    for (event, config, context, note) in cases {
        let plan = plan_for(event, &config, &context);
        assert!(plan.intents.is_empty(), "{plan}");
        assert!(
            plan.notes.iter().any(|n| n.contains(note)),
            "{note}: {plan}"
        );
    }
    // Stored for GitLab, but routed to GitHub (the configuration changed meanwhile).
    let stray = event(
        ForgeKind::Gitlab,
        "alertmanager",
        "alertmanager.firing.json",
    );
    let plan = plan_for(&stray, &config(""), &none_found());
    assert!(plan.intents.is_empty(), "{plan}");
    assert!(plan.notes[0].contains("was stored for gitlab"), "{plan}");
    // Offline (`forgehand plan`): a new incident, saying the lookup happens when serving.
    let plan = plan_for(&firing, &config(""), &Context::default());
    assert!(
        matches!(plan.intents.as_slice(), [Intent::FileIssue(_)]),
        "{plan}"
    );
    assert!(plan.notes[0].contains("looked up when serving"), "{plan}");
}
