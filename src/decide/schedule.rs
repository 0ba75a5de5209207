//! A scheduled rule's firing → the summary issue it files: the open issues still carrying the
//! configured label (e.g. every Monday, what is still in `flow::Triage`).

use super::Context;
use crate::config::schedule::Schedule;
use crate::config::Config;
use crate::event::{Event, EventKind};
use crate::plan::{Intent, IssueSpec, Plan};

/// The schedule a firing event belongs to, if it is still configured.
fn schedule_of<'a>(event: &Event, config: &'a Config) -> Option<&'a Schedule> {
    let EventKind::Scheduled { schedule, .. } = &event.kind else {
        return None;
    };
    config.schedules.iter().find(|s| s.id.as_str() == schedule)
}

/// The label whose open issues the firing lists.
pub fn needs(event: &Event, config: &Config) -> Option<String> {
    schedule_of(event, config).map(|s| s.summary_issue.label.clone())
}

pub fn decide(event: &Event, config: &Config, context: &Context, plan: &mut Plan) {
    let (EventKind::Scheduled { schedule: id, slot }, Some(repo)) = (&event.kind, &event.repo)
    else {
        return;
    };
    let Some(schedule) = schedule_of(event, config) else {
        plan.notes.push(format!(
            "schedule `{id}` is no longer configured: nothing to do"
        ));
        return;
    };
    let summary = &schedule.summary_issue;
    let date = slot.format("%Y-%m-%d").to_string();
    let marker = format!(
        "<!-- forgehand:schedule {id} {} -->",
        slot.format("%Y-%m-%dT%H:%MZ")
    );
    let label = event.dialect().label_reference(&summary.label);
    let issues = context.labelled_issues.as_deref();
    let mut body = match issues {
        Some([]) => format!("No open issue carries {label} on {date}.\n"),
        Some(numbers) => {
            let mut body = format!(
                "{} open issue{} still carr{} {label} on {date}:\n\n",
                numbers.len(),
                if numbers.len() == 1 { "" } else { "s" },
                if numbers.len() == 1 { "ies" } else { "y" },
            );
            for n in numbers {
                body.push_str(&format!("- [ ] #{n}\n"));
            }
            body
        }
        None => format!("The open issues carrying {label} on {date} (not listed: dry run).\n"),
    };
    if issues.is_some_and(|n| n.is_empty()) && !summary.when_empty {
        plan.notes.push(format!(
            "schedule `{id}`: no open issue carries `{}`: no summary filed",
            summary.label
        ));
        return;
    }
    body.push_str(&format!(
        "\n_Filed by the `{id}` schedule ({})._\n\n{marker}\n",
        schedule.cron.as_str()
    ));
    plan.intents.push(Intent::FileIssue(IssueSpec {
        repo: repo.path.clone(),
        title: summary.title.replace("{date}", &date),
        body,
        labels: summary.labels.clone(),
        assignees: Vec::new(),
        marker,
        due_date: None,
        milestone: None,
    }));
}
