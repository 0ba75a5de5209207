//! `decide` on whole comments: with an empty context (`forgehand plan`) nothing is refused
//! for lack of facts, with a full one every refusal lands in one reply, and commands and
//! rules merge into one `EditIssue`.

use super::*;
use crate::event::{Actor, Comment, ItemState, Repo};
use crate::model::ForgeKind;
use crate::model::Milestone;
use chrono::TimeZone;

fn config(extra: &str) -> Config {
    let yaml = format!("roles:\n  maint: maintainer\n  reader: reader\n{extra}");
    Config::from_str(&yaml, "t.yml", &|_| None).unwrap_or_else(|e| panic!("{e}"))
}

fn comment_event(who: &str, body: &str, labels: &[&str]) -> Event {
    Event {
        forge: ForgeKind::Gitlab,
        repo: Some(Repo {
            path: "acme/app".into(),
            id: None,
            default_branch: None,
            url: None,
            installation_id: None,
        }),
        actor: Actor {
            login: who.into(),
            id: None,
            is_bot: false,
        },
        kind: EventKind::Comment {
            action: crate::event::CommentAction::Created,
            comment: Comment {
                id: 5,
                body: body.into(),
                author: who.into(),
                author_association: None,
                url: None,
            },
            on: Item {
                number: 3,
                global_id: None,
                is_merge_request: false,
                title: "t".into(),
                body: String::new(),
                state: ItemState::Open,
                labels: labels.iter().map(|s| s.to_string()).collect(),
                milestone: None,
                milestone_id: None,
                assignees: vec![],
                author: "ann".into(),
                author_id: None,
                author_association: None,
                url: None,
            },
        },
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap()
}

fn full_context() -> Context {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    Context {
        labels: Some(vec![
            "bug".into(),
            "flow::Triage".into(),
            "flow::To Do".into(),
        ]),
        milestones: Some(vec![
            Milestone {
                id: 1,
                number_or_iid: 1,
                title: "1.4".into(),
                start_date: d("2026-11-16"),
                due_date: d("2026-11-27"),
            },
            Milestone {
                id: 2,
                number_or_iid: 2,
                title: "Backlog".into(),
                start_date: None,
                due_date: None,
            },
        ]),
        users: Some([("alice".to_string(), true), ("ghost".to_string(), false)].into()),
        ..Context::default()
    }
}

const MIXED: &str = "/label ~nope ~bug\n/milestone %\"9.9\"\n/assign @ghost @alice";

#[test]
fn an_empty_context_refuses_nothing_for_lack_of_facts() {
    let plan = decide(
        &comment_event("maint", MIXED, &[]),
        &config(""),
        &Context::default(),
        now(),
    );
    assert!(
        !plan
            .intents
            .iter()
            .any(|i| matches!(i, Intent::Comment { .. })),
        "{plan}"
    );
    insta::assert_snapshot!("plan_empty_context", plan.to_string());
}

#[test]
fn a_full_context_refuses_in_one_reply() {
    let plan = decide(
        &comment_event("maint", MIXED, &[]),
        &config(""),
        &full_context(),
        now(),
    );
    let comments = plan
        .intents
        .iter()
        .filter(|i| matches!(i, Intent::Comment { .. }))
        .count();
    assert_eq!(comments, 1, "{plan}");
    insta::assert_snapshot!("plan_full_context", plan.to_string());
    let reply = plan.intents.iter().find_map(|i| match i {
        Intent::Comment { body, .. } => Some(body.clone()),
        _ => None,
    });
    insta::assert_snapshot!("reply_full_context", reply.unwrap());
}

#[test]
fn commands_and_rules_make_one_edit() {
    let rules = r#"
rules:
  - id: triaged
    on: [comment]
    if: { labels: ["flow::Triage"], milestone: set, milestone_is_not: [Backlog], assignee: any }
    then: { add_labels: ["flow::To Do"] }
"#;
    let body = "/milestone %current\n/assign me";
    let cases: &[(&str, &[&str], usize)] = &[
        // who, labels → EditIssue intents
        ("maint", &["flow::Triage"], 1),
        ("reader", &["flow::Triage"], 0),
    ];
    for (who, labels, edits) in cases {
        let plan = decide(
            &comment_event(who, body, labels),
            &config(rules),
            &full_context(),
            now(),
        );
        let found: Vec<&IssueChangeView> = plan
            .intents
            .iter()
            .filter_map(|i| match i {
                Intent::EditIssue { change, .. } => Some(change),
                _ => None,
            })
            .collect();
        assert_eq!(found.len(), *edits, "{who}: {plan}");
        if let Some(change) = found.first() {
            assert_eq!(change.add_labels, ["flow::To Do"]);
            assert_eq!(change.remove_labels, ["flow::Triage"]);
            assert_eq!(change.milestone, Some(Some("1.4".into())));
            assert_eq!(change.add_assignees, ["maint"]);
        }
    }
}

type IssueChangeView = crate::plan::IssueChange;
