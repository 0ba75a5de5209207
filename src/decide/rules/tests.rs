//! Table-driven tests of rules: conditions, actions merged into one draft, and load errors
//! with line and column.

use super::*;
use crate::config::Config;
use crate::decide::{Draft, ItemView};
use crate::event::{Actor, Comment, CommentAction, IssueAction, Item, ItemState, Repo};
use crate::model::ForgeKind;

fn config(yaml: &str) -> Config {
    Config::from_str(yaml, "rules.yml", &|_| None).unwrap_or_else(|e| panic!("{e}"))
}

fn item(labels: &[&str], milestone: Option<&str>, assignees: &[&str]) -> Item {
    Item {
        number: 7,
        global_id: None,
        is_merge_request: false,
        title: "Crash on start".into(),
        body: "It crashes.\nSteps: run it".into(),
        state: ItemState::Open,
        labels: labels.iter().map(|s| s.to_string()).collect(),
        milestone: milestone.map(String::from),
        milestone_id: None,
        assignees: assignees.iter().map(|s| s.to_string()).collect(),
        author: "ann".into(),
        author_id: None,
        author_association: None,
        url: None,
    }
}

fn issue_event(action: IssueAction, item: Item) -> Event {
    Event {
        forge: ForgeKind::Github,
        repo: Some(Repo {
            path: "acme/app".into(),
            id: None,
            default_branch: None,
            url: None,
            installation_id: None,
        }),
        actor: Actor {
            login: "ann".into(),
            id: None,
            is_bot: false,
        },
        kind: EventKind::Issue {
            action,
            issue: item,
        },
    }
}

/// Runs the rules on the event's item; the labels, milestone and assignees afterwards.
fn run(config: &Config, event: &Event, role: Option<Role>) -> (ItemView, Outcome) {
    let EventKind::Issue { issue, .. } = &event.kind else {
        unreachable!()
    };
    let mut draft = Draft::new(ItemView {
        labels: issue.labels.clone(),
        milestone: issue.milestone.clone(),
        assignees: issue.assignees.clone(),
        closed: false,
    });
    let facts = facts(event, role);
    let outcome = evaluate(&config.rules, &facts, Some(&mut draft));
    (draft.after(), outcome)
}

const FLOW: &str = r#"
rules:
  - id: new-issue
    on: [issue.opened]
    if: { scoped_label_absent: "flow::*" }
    then: { add_labels: ["flow::Triage"] }
  - id: triaged
    on: [issue, comment]
    if:
      labels: ["flow::Triage"]
      milestone: set
      milestone_is_not: [Backlog]
      assignee: any
    then: { add_labels: ["flow::To Do"] }
"#;

#[test]
fn the_triage_flow_table() {
    let config = config(FLOW);
    type Case<'a> = (
        IssueAction,
        &'a [&'a str],
        Option<&'a str>,
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        // action, labels, milestone, assignees → labels after
        (IssueAction::Opened, &[], None, &[], &["flow::Triage"]),
        (
            IssueAction::Opened,
            &["bug"],
            None,
            &[],
            &["bug", "flow::Triage"],
        ),
        (
            IssueAction::Opened,
            &["flow::Doing"],
            None,
            &[],
            &["flow::Doing"],
        ),
        (IssueAction::Edited, &[], None, &[], &[]),
        (
            IssueAction::Milestoned,
            &["flow::Triage"],
            Some("1.4"),
            &["bob"],
            &["flow::To Do"],
        ),
        (
            IssueAction::Milestoned,
            &["flow::Triage"],
            Some("Backlog"),
            &["bob"],
            &["flow::Triage"],
        ),
        (
            IssueAction::Assigned,
            &["flow::Triage"],
            Some("1.4"),
            &[],
            &["flow::Triage"],
        ),
        (
            IssueAction::Assigned,
            &["flow::Triage"],
            None,
            &["bob"],
            &["flow::Triage"],
        ),
        (
            IssueAction::Assigned,
            &["flow::Doing"],
            Some("1.4"),
            &["bob"],
            &["flow::Doing"],
        ),
        // Both rules in one event: the second sees what the first did.
        (
            IssueAction::Opened,
            &[],
            Some("1.4"),
            &["bob"],
            &["flow::To Do"],
        ),
    ];
    for (action, labels, milestone, assignees, expected) in cases {
        let event = issue_event(*action, item(labels, *milestone, assignees));
        let (after, _) = run(&config, &event, None);
        assert_eq!(
            after.labels, *expected,
            "{action:?} {labels:?} {milestone:?} {assignees:?}"
        );
    }
}

#[test]
fn each_condition_table() {
    type Case<'a> = (
        &'a str,
        &'a [&'a str],
        Option<&'a str>,
        &'a [&'a str],
        Option<Role>,
        bool,
    );
    let cases: &[Case] = &[
        ("labels: [bug]", &["bug"], None, &[], None, true),
        ("labels: [bug, ui]", &["bug"], None, &[], None, false),
        ("labels: [BUG]", &["bug"], None, &[], None, true),
        ("labels_absent: [bug]", &["bug"], None, &[], None, false),
        ("labels_absent: [bug]", &["ui"], None, &[], None, true),
        (
            "scoped_label: flow",
            &["flow::Doing"],
            None,
            &[],
            None,
            true,
        ),
        (
            "scoped_label: \"flow::*\"",
            &["prio::high"],
            None,
            &[],
            None,
            false,
        ),
        (
            "scoped_label_absent: prio",
            &["flow::Doing"],
            None,
            &[],
            None,
            true,
        ),
        ("milestone: set", &[], Some("1.4"), &[], None, true),
        ("milestone: set", &[], None, &[], None, false),
        ("milestone: none", &[], None, &[], None, true),
        (
            "milestone_is: [\"1.4\", \"1.5\"]",
            &[],
            Some("1.5"),
            &[],
            None,
            true,
        ),
        ("milestone_is: [\"1.4\"]", &[], None, &[], None, false),
        (
            "milestone_is_not: [Backlog]",
            &[],
            Some("Backlog"),
            &[],
            None,
            false,
        ),
        ("milestone_is_not: [Backlog]", &[], None, &[], None, true),
        ("assignee: any", &[], None, &["bob"], None, true),
        ("assignee: none", &[], None, &["bob"], None, false),
        (
            "author_role: [reader]",
            &[],
            None,
            &[],
            Some(Role::Reader),
            true,
        ),
        (
            "author_role: [maintainer, owner]",
            &[],
            None,
            &[],
            Some(Role::Reader),
            false,
        ),
        ("author_role: [reader]", &[], None, &[], None, false),
        ("title: \"(?i)crash\"", &[], None, &[], None, true),
        ("title: \"^Feature\"", &[], None, &[], None, false),
        ("body: \"(?m)^Steps:\"", &[], None, &[], None, true),
        ("target_branch: main", &[], None, &[], None, false),
        ("tag: \"^v\"", &[], None, &[], None, false),
    ];
    for (condition, labels, milestone, assignees, role, fires) in cases {
        let yaml = format!(
            "rules:\n  - id: r\n    on: [issue]\n    if: {{ {condition} }}\n    then: {{ add_labels: [hit] }}\n"
        );
        let config = config(&yaml);
        let event = issue_event(IssueAction::Edited, item(labels, *milestone, assignees));
        let (after, _) = run(&config, &event, *role);
        assert_eq!(
            after.labels.iter().any(|l| l == "hit"),
            *fires,
            "{condition} on {labels:?} {milestone:?} {assignees:?} {role:?}"
        );
        // `explain`'s reasons agree with the evaluation: none exactly when it fires, and
        // then one naming the condition.
        let context = crate::decide::Context {
            actor_role: role.map_or_else(Default::default, crate::decide::Fact::Known),
            ..Default::default()
        };
        let verdicts = explain(&event, &config, &context, chrono::Utc::now());
        let verdict = &verdicts[0];
        assert_eq!(
            (verdict.on_event, verdict.matched),
            (true, *fires),
            "{condition}"
        );
        if *fires {
            assert!(verdict.failed.is_empty(), "{condition}: {verdict:?}");
        } else {
            let name = condition.split(':').next().unwrap();
            assert_eq!(verdict.failed.len(), 1, "{condition}: {verdict:?}");
            assert!(
                verdict.failed[0].starts_with(&format!("{name}:")),
                "{condition}: {verdict:?}"
            );
        }
    }
}

#[test]
fn actions_merge_into_one_draft_and_comments_render() {
    let config = config(
        r#"
rules:
  - id: bug-intake
    on: [issue.opened]
    if: { title: "(?i)crash" }
    then:
      add_labels: [bug, "prio::high"]
      remove_labels: [question]
      milestone: "1.4"
      assign: [bob]
      state: close
      comment: "Thanks @{{ author }}: #{{ number }} is {{ labels | join(', ') }}."
"#,
    );
    let event = issue_event(
        IssueAction::Opened,
        item(&["question", "prio::low"], None, &[]),
    );
    let (after, outcome) = run(&config, &event, None);
    assert_eq!(after.labels, ["bug", "prio::high"]);
    assert_eq!(after.milestone.as_deref(), Some("1.4"));
    assert_eq!(after.assignees, ["bob"]);
    assert!(after.closed);
    assert_eq!(
        outcome.comments,
        [RuleComment {
            rule: "bug-intake".into(),
            body: "Thanks @ann: #7 is bug, prio::high.".into()
        }]
    );
}

#[test]
fn event_filters_match_kind_and_action() {
    let cases = [
        ("issue", "issue", Some("opened"), true),
        ("issue.opened", "issue", Some("opened"), true),
        ("issue.opened", "issue", Some("closed"), false),
        ("comment", "issue", Some("opened"), false),
        ("tag_push", "tag_push", None, true),
    ];
    for (filter, kind, action, expected) in cases {
        let f = EventFilter::parse(filter).unwrap();
        assert_eq!(
            f.matches(kind, action),
            expected,
            "{filter} vs {kind}.{action:?}"
        );
    }
    assert!(EventFilter::parse("issue.merged").is_err());
    assert!(EventFilter::parse("issues").is_err());
}

#[test]
fn rules_name_every_kind_and_action_of_the_event_model() {
    assert_eq!(
        EventFilter::parse("ping").unwrap_err(),
        "unknown event kind `ping`, expected one of issue, issue.opened, issue.edited, \
         issue.closed, issue.reopened, issue.labeled, issue.unlabeled, issue.milestoned, \
         issue.demilestoned, issue.assigned, issue.unassigned, comment, comment.created, \
         comment.edited, merge_request, merge_request.opened, merge_request.updated, \
         merge_request.merged, merge_request.closed, merge_request.reopened, tag_push, \
         tag_delete, release, pipeline, push"
    );
    assert!(EventFilter::parse("schedule").is_err());
    let edited = Event {
        kind: EventKind::Comment {
            action: CommentAction::Edited {
                previous_body: None,
            },
            comment: Comment {
                id: 1,
                body: String::new(),
                author: "ann".into(),
                author_association: None,
                url: None,
            },
            on: item(&[], None, &[]),
        },
        ..issue_event(IssueAction::Opened, item(&[], None, &[]))
    };
    assert_eq!(facts(&edited, None).event_name(), "comment.edited");
    let demilestoned = issue_event(IssueAction::Demilestoned, item(&[], None, &[]));
    assert_eq!(
        facts(&demilestoned, None).event_name(),
        "issue.demilestoned"
    );
}

#[test]
fn load_errors_have_line_and_column() {
    let cases: &[(&str, &str)] = &[
        (
            "rules:\n  - id: Bad_Id\n    on: [issue]\n    then: { add_labels: [x] }\n",
            "rules.yml:2:9: rules[0].id: invalid identifier `Bad_Id`: `B` is not allowed",
        ),
        (
            "rules:\n  - id: a\n    on: [issues]\n    then: { add_labels: [x] }\n",
            "rules.yml:3:10: rules[0].on[0]: unknown event kind `issues`",
        ),
        (
            "rules:\n  - id: a\n    on: [issue]\n    if:\n      title: \"(\"\n    then: { add_labels: [x] }\n",
            "rules.yml:5:14: rules[0].if.title: invalid regex",
        ),
        (
            "rules:\n  - id: a\n    on: [issue]\n    if:\n      colour: red\n    then: { add_labels: [x] }\n",
            "rules.yml:5:7: rules[0].if: unknown field `colour`",
        ),
        (
            "rules:\n  - id: a\n    on: [issue]\n    then:\n      comment: \"{{ reporter }}\"\n",
            "rules.yml:5:16: rules[0].then.comment: template `comment` line 1: unknown variable `reporter`",
        ),
        (
            "rules:\n  - id: a\n    on: [issue]\n    then: {}\n",
            "rules.yml:4:11: rules[0].then: a rule needs at least one action",
        ),
        (
            "rules:\n  - id: a\n    on: [issue]\n    then: { add_labels: [x] }\n  - id: a\n    on: [issue]\n    then: { add_labels: [y] }\n",
            "rules.yml:5:9: rules[1].id: duplicate rule id `a`",
        ),
        (
            "triage:\n  engineering_lead: \"two people\"\n",
            "rules.yml:2:21: triage.engineering_lead: invalid login `two people`",
        ),
    ];
    for (yaml, expected) in cases {
        let errors = Config::from_str(yaml, "rules.yml", &|_| None)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{yaml}"))
            .to_string();
        assert!(
            errors.starts_with(expected),
            "\n{yaml}\nexpected: {expected}\n     got: {errors}"
        );
    }
}
