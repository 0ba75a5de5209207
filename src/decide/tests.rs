//! `decide` on whole comments: with an empty context nothing is refused for lack of labels,
//! milestones or users, but a role nobody checked refuses (fail closed; only
//! `Context::offline_assumptions` assumes one); with a full context every refusal lands in
//! one reply, and commands and rules merge into one `EditIssue`.

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

fn reply_of(plan: &Plan) -> Option<String> {
    plan.intents.iter().find_map(|i| match i {
        Intent::Comment { body, .. } => Some(body.clone()),
        _ => None,
    })
}

fn edits_of(plan: &Plan) -> usize {
    plan.intents
        .iter()
        .filter(|i| matches!(i, Intent::EditIssue { .. }))
        .count()
}

#[test]
fn a_role_that_could_not_be_checked_refuses_what_needs_one_and_says_why() {
    let context = Context {
        actor_role: Fact::Unknown("reading the permission failed: 500".into()),
        ..full_context()
    };
    let plan = decide(
        &comment_event("carol", "/label ~bug\n/cc @alice", &[]),
        &config(""),
        &context,
        now(),
    );
    assert_eq!(edits_of(&plan), 0, "{plan}");
    let reply = reply_of(&plan).expect("a reply");
    assert!(
        reply.contains("cc @alice"),
        "what needs no role still runs: {reply}"
    );
    insta::assert_snapshot!("reply_role_unknown", reply);
}

#[test]
fn a_role_nobody_gathered_is_unknown_and_refuses() {
    // Fail closed by default: a context nobody filled holds no role for anyone outside
    // `roles:`.
    let plan = decide(
        &comment_event("carol", "/close", &[]),
        &config(""),
        &Context::default(),
        now(),
    );
    assert_eq!(edits_of(&plan), 0, "{plan}");
    let reply = reply_of(&plan).expect("a reply");
    assert!(
        reply.contains(&format!("could not check whether @carol holds the maintainer role `close` needs ({NOT_LOOKED_UP})")),
        "{reply}"
    );
}

#[test]
fn only_the_offline_assumptions_assume_and_the_plan_says_so() {
    let plan = decide(
        &comment_event("carol", "/close", &[]),
        &config(""),
        &Context::offline_assumptions(),
        now(),
    );
    assert_eq!(edits_of(&plan), 1, "{plan}");
    assert!(reply_of(&plan).is_none(), "{plan}");
    assert!(
        plan.notes
            .iter()
            .any(|n| n == "the caller's role is not looked up offline: assumed owner"),
        "{plan}"
    );
}

#[test]
fn author_association_other_than_owner_is_not_a_role() {
    let with = |association: &str| {
        let mut event = comment_event("carol", "/close", &[]);
        if let EventKind::Comment { comment, .. } = &mut event.kind {
            comment.author_association = Some(association.into());
        }
        event
    };
    let config = config("");
    for association in ["MEMBER", "COLLABORATOR", "CONTRIBUTOR", "NONE"] {
        assert_eq!(
            known_role(&with(association), &config),
            None,
            "{association}"
        );
        assert!(
            needs(&with(association), &config).actor_role,
            "{association}"
        );
    }
    assert_eq!(known_role(&with("OWNER"), &config), Some(Role::Owner));
    assert!(!needs(&with("OWNER"), &config).actor_role);
}

#[test]
fn a_comment_runs_at_most_the_configured_commands_and_mentions() {
    let many_commands: String = (0..55).map(|i| format!("/cc @p{i}\n")).collect();
    let plan = decide(
        &comment_event("maint", &many_commands, &[]),
        &config(""),
        &full_context(),
        now(),
    );
    let reply = reply_of(&plan).unwrap();
    assert_eq!(reply.matches(" @p").count(), 50, "{reply}");
    assert!(!reply.contains("@p50"), "{reply}");
    assert!(
        reply.contains("a comment runs at most 50 commands; skipped: the last 5"),
        "{reply}"
    );

    let crowd: String = (0..120).map(|i| format!(" @p{i}")).collect();
    let plan = decide(
        &comment_event("maint", &format!("/cc{crowd}"), &[]),
        &config(""),
        &full_context(),
        now(),
    );
    let reply = reply_of(&plan).unwrap();
    assert_eq!(reply.matches(" @p").count(), 50, "{reply}");
    insta::assert_snapshot!("reply_caps_default", reply.lines().last().unwrap());

    let plan = decide(
        &comment_event("maint", "/cc @a @b @c\n/close\n/reopen\n/label ~bug", &[]),
        &config("limits:\n  commands_per_comment: 2\n  mentions_per_cc: 2\n"),
        &full_context(),
        now(),
    );
    let reply = reply_of(&plan).unwrap();
    insta::assert_snapshot!("reply_caps_configured", reply);
}

#[test]
fn many_unknown_labels_make_one_bounded_reply() {
    let labels: String = (0..10_000).map(|i| format!(" ~l{i}")).collect();
    let plan = decide(
        &comment_event("maint", &format!("/label ~bug{labels}"), &[]),
        &config(""),
        &full_context(),
        now(),
    );
    let reply = reply_of(&plan).unwrap();
    assert!(
        reply.chars().count() <= reply::MAX_REPLY_CHARS,
        "{}",
        reply.len()
    );
    assert!(
        reply.contains("\n\n… and "),
        "{}",
        &reply[reply.len() - 100..]
    );
    let added: Vec<&crate::plan::IssueChange> = plan
        .intents
        .iter()
        .filter_map(|i| match i {
            Intent::EditIssue { change, .. } => Some(change),
            _ => None,
        })
        .collect();
    assert_eq!(
        added[0].add_labels,
        ["bug"],
        "the known label is still added"
    );
}

/// Not a timed assertion: `bench/refusals.sh` runs it in release mode and prints how long
/// deciding on one comment with 100,000 unknown labels takes.
#[test]
#[ignore = "a measurement, run by bench/refusals.sh"]
fn measure_100k_unknown_labels() {
    let (config, context) = (config(""), full_context());
    // Three sizes, so that the growth shows: linear work doubles with the count.
    for count in [25_000, 50_000, 100_000] {
        let labels: String = (0..count).map(|i| format!(" ~l{i}")).collect();
        let event = comment_event("maint", &format!("/label{labels}"), &[]);
        let started = std::time::Instant::now();
        let plan = decide(&event, &config, &context, now());
        let took = started.elapsed();
        let reply = reply_of(&plan).unwrap();
        println!(
            "decide: {count} unknown labels in one comment took {took:?}; reply {} chars",
            reply.chars().count()
        );
    }
}

#[test]
fn the_recipe_to_hand_an_issue_to_the_lead_keeps_flow_triage() {
    let rules = r#"
rules:
  - id: triaged
    on: [issue, comment]
    if: { labels: ["flow::Triage"], milestone: set, milestone_is_not: [Backlog], assignee: any }
    then: { add_labels: ["flow::To Do"] }
"#;
    let body = "/milestone %current\n/label ~\"flow::Triage\"\n/reassign @alice";
    let plan = decide(
        &comment_event("maint", body, &["flow::To Do"]),
        &config(rules),
        &full_context(),
        now(),
    );
    assert_eq!(edits_of(&plan), 1, "{plan}");
    insta::assert_snapshot!("plan_command_beats_rule", plan.to_string());
}
