//! Release-day decisions: the call, the note, holidays, the production train, and what
//! `/release schedule` says forgehand will do.

use super::super::testing::{config, event, snapshot};
use super::*;
use crate::decide::{decide as decide_event, Context};
use crate::event::{Comment, CommentAction, Item, ItemState};
use crate::model::{ForgeKind, IssueState, PipelineInfo};
use crate::plan::IssueSpec;

/// The weekly flow (minor on Monday, patch on Thursday) with the production train.
const CONFIG: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
    - title: Fixes
      labels: [bug]
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
    holidays: [2030-01-10, 2030-01-14]
    on_holiday: shift
  rotation:
    people: [alice, bob, carol]
    period: weekly
    anchor: 2030-01-07
  deploy_requests:
    project: acme/ops
  checklist: {}
  release_day:
    repos: ["github:acme/app", "gitlab:acme/app"]
    production_train: {at: "10:00"}
"#;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn firing(forge: ForgeKind, step: DayStep, date: &str) -> Event {
    let date = d(date);
    event(
        forge,
        EventKind::ReleaseDay {
            step,
            date,
            slot: date.and_hms_opt(9, 0, 0).unwrap().and_utc(),
        },
    )
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

fn marked(number: u64, body: &str, state: IssueState) -> MarkedIssue {
    MarkedIssue {
        number,
        url: Some(format!("https://forge.example/acme/ops/issues/{number}")),
        state,
        closed_at: None,
        labels: vec![],
        body: body.into(),
    }
}

fn call_facts(changes: Vec<Change>) -> Context {
    Context {
        release_day: Some(ReleaseDayFacts {
            default_branch: "main".into(),
            last_tag: Some("v1.3.0".into()),
            changes,
            ..ReleaseDayFacts::default()
        }),
        ..Context::default()
    }
}

fn three_changes() -> Vec<Change> {
    vec![
        change(12, "Dark mode", &["feature"]),
        change(15, "Crash on empty schedule", &["bug"]),
        change(16, "New cache backend", &["config-change"]),
    ]
}

fn run(event: &Event, context: &Context) -> Plan {
    decide_event(event, &config(CONFIG), context, event_slot(event))
}

/// The wall clock is not what decides: pass a time far from the firing.
fn event_slot(_: &Event) -> DateTime<Utc> {
    "2026-11-22T04:00:00Z".parse().unwrap()
}

fn upserted(plan: &Plan) -> Vec<&IssueSpec> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::UpsertIssue(spec) | Intent::FileIssue(spec) => Some(spec),
            _ => None,
        })
        .collect()
}

fn comments(plan: &Plan) -> Vec<(&Target, &str)> {
    plan.intents
        .iter()
        .filter_map(|i| match i {
            Intent::Comment { target, body, .. } => Some((target, body.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn monday_calls_the_manager_with_a_minor_and_the_changes() {
    for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
        let plan = run(
            &firing(forge, DayStep::Release, "2030-01-07"),
            &call_facts(three_changes()),
        );
        let issues = upserted(&plan);
        assert_eq!(issues.len(), 1, "{plan}");
        let issue = issues[0];
        assert_eq!(issue.title, "Release day 2030-01-07: acme/app v1.4.0");
        assert_eq!(issue.assignees, ["alice"]);
        assert_eq!(issue.labels, ["release-day"]);
        assert_eq!(issue.marker, "<!-- forgehand:release-day 2030-01-07 -->");
        snapshot(&format!("release_day_call_{}", forge.as_str()), &issue.body);
    }
}

#[test]
fn thursday_proposes_a_patch_and_a_breaking_change_a_major() {
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-17"),
        &call_facts(vec![change(20, "Fix the login", &["bug"])]),
    );
    let issue = upserted(&plan)[0];
    assert_eq!(issue.title, "Release day 2030-01-17: acme/app v1.3.1");
    // 2030-01-17 is in the second turn of the weekly rotation.
    assert_eq!(issue.assignees, ["bob"]);
    assert!(issue
        .body
        .contains("`1.3.1` (patch, as the calendar plans for Thu)"));

    let plan = run(
        &firing(ForgeKind::Gitlab, DayStep::Release, "2030-01-17"),
        &call_facts(vec![
            change(20, "Fix the login", &["bug"]),
            change(21, "feat(api)!: new tokens", &["feature"]),
        ]),
    );
    let issue = upserted(&plan)[0];
    assert_eq!(issue.title, "Release day 2030-01-17: acme/app v2.0.0");
    snapshot("release_day_call_breaking", &issue.body);
}

#[test]
fn an_open_checklist_gets_the_call_as_a_comment_and_its_manager() {
    let mut context = call_facts(three_changes());
    let checklist = marked(
        40,
        "<!-- forgehand:release-checklist v1.4.0 -->",
        IssueState::Open,
    );
    context.release_day.as_mut().unwrap().checklist = Some(checklist);
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-07"),
        &context,
    );
    assert!(upserted(&plan).is_empty(), "{plan}");
    let said = comments(&plan);
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].0.number, 40);
    assert!(said[0].1.contains("Proposed version:** `1.4.0`"));
    assert!(plan.intents.iter().any(|i| matches!(
        i,
        Intent::EditIssue { target, change } if target.number == 40 && change.add_assignees == ["alice"]
    )));
}

#[test]
fn without_changes_one_note_and_no_issue() {
    let mut context = call_facts(vec![]);
    let facts = context.release_day.as_mut().unwrap();
    facts.last_tag = Some("v0.0.4".into());
    facts.previous_day_issue = Some(marked(
        30,
        "<!-- forgehand:release-day 2030-01-03 -->",
        IssueState::Closed,
    ));
    let plan = run(
        &firing(ForgeKind::Gitlab, DayStep::Release, "2030-01-07"),
        &context,
    );
    assert!(upserted(&plan).is_empty(), "{plan}");
    let said = comments(&plan);
    assert_eq!(said.len(), 1, "{plan}");
    assert_eq!(said[0].0.number, 30);
    assert!(said[0]
        .1
        .contains("no changes since v0.0.4: no release this cycle"));
    snapshot("release_day_note", said[0].1);

    // With nowhere to say it, the note is only logged.
    let plan = run(
        &firing(ForgeKind::Gitlab, DayStep::Release, "2030-01-07"),
        &call_facts(vec![]),
    );
    assert!(plan.intents.is_empty(), "{plan}");
    assert!(plan.notes[0].contains("no changes since v1.3.0: no release this cycle"));
}

#[test]
fn without_a_release_tag_the_note_says_there_is_nothing_to_compare_with() {
    let mut context = call_facts(vec![]);
    let facts = context.release_day.as_mut().unwrap();
    facts.last_tag = None;
    facts.checklist = Some(marked(
        41,
        "<!-- forgehand:release-checklist v0.1.0 -->",
        IssueState::Open,
    ));
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-07"),
        &context,
    );
    let said = comments(&plan);
    assert_eq!(said.len(), 1, "{plan}");
    assert_eq!(said[0].0.number, 41);
    assert!(said[0]
        .1
        .contains("no release tag yet to compare with: no release this cycle"));
}

#[test]
fn holidays_skip_or_shift_the_call() {
    let skip = CONFIG.replace("on_holiday: shift", "on_holiday: skip");
    let facts = call_facts(three_changes());
    // Thursday 2030-01-10 is a holiday: under skip nothing happens that day or the next.
    for date in ["2030-01-10", "2030-01-11"] {
        let event = firing(ForgeKind::Github, DayStep::Release, date);
        let plan = decide_event(&event, &config(&skip), &facts, event_slot(&event));
        assert!(plan.intents.is_empty(), "{date}: {plan}");
    }
    // Under shift, the holiday does nothing and Friday 2030-01-11 releases.
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-10"),
        &facts,
    );
    assert!(plan.intents.is_empty(), "{plan}");
    assert!(plan.notes[0].contains("moves to 2030-01-11"), "{plan}");
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-11"),
        &facts,
    );
    let issue = upserted(&plan)[0];
    assert_eq!(issue.title, "Release day 2030-01-11: acme/app v1.3.1");
    assert!(issue
        .body
        .contains("**Planned for:** 2030-01-10 (a holiday; moved here)"));
}

#[test]
fn other_repositories_and_dry_runs_only_get_notes() {
    let mut elsewhere = firing(ForgeKind::Github, DayStep::Release, "2030-01-07");
    elsewhere.repo.as_mut().unwrap().path = "acme/other".into();
    let plan = run(&elsewhere, &call_facts(three_changes()));
    assert!(plan.intents.is_empty());
    assert!(plan.notes[0].contains("not configured"), "{plan}");
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Release, "2030-01-07"),
        &Context::default(),
    );
    assert!(plan.intents.is_empty());
    assert!(
        plan.notes[0].contains("a minor release, @alice on duty"),
        "{plan}"
    );
    let later = CONFIG.replace(
        "    production_train",
        "    from: 2030-02-01\n    production_train",
    );
    let event = firing(ForgeKind::Github, DayStep::Release, "2030-01-07");
    let plan = decide_event(
        &event,
        &config(&later),
        &call_facts(three_changes()),
        event_slot(&event),
    );
    assert!(plan.intents.is_empty());
    assert!(
        plan.notes[0].contains("before `release_day.from`"),
        "{plan}"
    );
}

const STAGING_14: &str = "<!-- forgehand:deploy-request v1.4.0 staging -->\n## Deploy acme/app v1.4.0 to staging\n\n- **Release:** [v1.4.0](https://forge.example/acme/app/-/tags/v1.4.0)";

#[test]
fn the_release_link_comes_from_the_staging_request() {
    assert_eq!(
        linked_url(STAGING_14, "v1.4.0").as_deref(),
        Some("https://forge.example/acme/app/-/tags/v1.4.0")
    );
    assert_eq!(linked_url(STAGING_14, "v1.5.0"), None);
    assert_eq!(linked_url("[v1.4.0]()", "v1.4.0"), None);
    let mut context = train_facts(Some("1.3.0"), "success", vec![]);
    context.release_day.as_mut().unwrap().release_url = None;
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Train, "2030-01-07"),
        &context,
    );
    assert!(upserted(&plan)[0]
        .body
        .contains("[v1.4.0](https://forge.example/acme/app/-/tags/v1.4.0)"));
}

fn train_facts(production: Option<&str>, pipeline: &str, blockers: Vec<u64>) -> Context {
    Context {
        release_day: Some(ReleaseDayFacts {
            default_branch: "main".into(),
            staging_request: Some(marked(5, STAGING_14, IssueState::Closed)),
            production: production.map(|p| Version::parse(p).unwrap()),
            train: Some(ReleaseFacts {
                tag: "v1.4.0".into(),
                tags: vec!["v1.3.0".into(), "v1.4.0".into()],
                default_branch: "main".into(),
                changes: three_changes(),
                pipeline: Some(PipelineInfo {
                    id: 7,
                    status: pipeline.into(),
                    url: None,
                }),
                blockers,
                ..ReleaseFacts::default()
            }),
            release_url: Some("https://forge.example/acme/app/releases/tag/v1.4.0".into()),
            ..ReleaseDayFacts::default()
        }),
        ..Context::default()
    }
}

#[test]
fn the_train_requests_production_when_staging_is_ahead() {
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Train, "2030-01-07"),
        &train_facts(Some("1.3.0"), "success", vec![]),
    );
    let filed = upserted(&plan);
    assert_eq!(filed.len(), 1, "{plan}");
    let request = filed[0];
    assert_eq!(request.repo, "acme/ops");
    assert_eq!(request.title, "Deploy acme/app v1.4.0 to production");
    assert_eq!(request.assignees, ["alice"]);
    assert_eq!(
        request.marker,
        "<!-- forgehand:deploy-request v1.4.0 production -->"
    );
    snapshot("release_day_train_request", &request.body);
}

#[test]
fn a_blocked_train_comments_what_blocks_it() {
    let plan = run(
        &firing(ForgeKind::Gitlab, DayStep::Train, "2030-01-07"),
        &train_facts(None, "failed", vec![9]),
    );
    assert!(upserted(&plan).is_empty(), "{plan}");
    let said = comments(&plan);
    assert_eq!(said.len(), 1, "{plan}");
    assert_eq!((said[0].0.repo.as_str(), said[0].0.number), ("acme/ops", 5));
    snapshot("release_day_train_blocked", said[0].1);
    assert!(plan.intents.iter().any(|i| matches!(
        i,
        Intent::EditIssue { change, .. } if change.add_assignees == ["alice"]
    )));
}

#[test]
fn the_train_waits_when_production_is_level_or_nothing_is_staged() {
    for production in ["1.4.0", "1.5.0"] {
        let plan = run(
            &firing(ForgeKind::Github, DayStep::Train, "2030-01-07"),
            &train_facts(Some(production), "success", vec![]),
        );
        assert!(plan.intents.is_empty(), "{production}: {plan}");
        assert!(plan.notes[0].contains("nothing to request"), "{plan}");
    }
    let mut context = train_facts(None, "success", vec![]);
    context.release_day.as_mut().unwrap().staging_request = None;
    let plan = run(
        &firing(ForgeKind::Github, DayStep::Train, "2030-01-07"),
        &context,
    );
    assert!(plan.intents.is_empty());
    assert!(
        plan.notes[0].contains("nothing was requested for staging"),
        "{plan}"
    );
}

#[test]
fn needs_are_asked_only_for_release_dates_of_configured_repositories() {
    let config = config(CONFIG);
    let needs = |e: &Event| crate::decide::needs(e, &config).release_day;
    assert!(needs(&firing(
        ForgeKind::Github,
        DayStep::Release,
        "2030-01-07"
    )));
    assert!(needs(&firing(
        ForgeKind::Gitlab,
        DayStep::Train,
        "2030-01-11"
    )));
    assert!(!needs(&firing(
        ForgeKind::Github,
        DayStep::Release,
        "2030-01-08"
    )));
    assert!(!needs(&firing(
        ForgeKind::Github,
        DayStep::Release,
        "2030-01-10"
    )));
}

#[test]
fn release_schedule_says_what_forgehand_will_do() {
    let on = Item {
        number: 3,
        global_id: None,
        is_merge_request: false,
        title: "Plans".into(),
        body: String::new(),
        state: ItemState::Open,
        labels: vec![],
        milestone: None,
        milestone_id: None,
        assignees: vec![],
        author: "zed".into(),
        author_id: None,
        author_association: None,
        url: None,
    };
    let event = event(
        ForgeKind::Github,
        EventKind::Comment {
            action: CommentAction::Created,
            comment: Comment {
                id: 1,
                body: "/release schedule".into(),
                author: "zed".into(),
                author_association: None,
                url: None,
            },
            on,
        },
    );
    // Sunday 2030-01-06.
    let now = "2030-01-06T12:00:00Z".parse().unwrap();
    let plan = decide_event(&event, &config(CONFIG), &Context::default(), now);
    let said = comments(&plan);
    assert_eq!(said.len(), 1, "{plan}");
    snapshot("release_day_schedule_reply", said[0].1);
}
