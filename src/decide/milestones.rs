//! `/milestone` and `/remove_milestone`: titles, `%current` and `%next` resolved against the
//! open milestones and today's date. GitLab milestones have start and due dates; GitHub ones
//! only a due date.

use super::reply::Reply;
use super::{Context, Draft};
use crate::command::MilestoneArg;
use crate::model::Milestone;
use chrono::NaiveDate;

/// Whether `m` runs on `today`: started (or no start date) and not yet due.
fn contains_today(m: &Milestone, today: NaiveDate) -> bool {
    let started = m.start_date.is_none_or(|s| s <= today);
    let not_over = m.due_date.is_none_or(|d| d >= today);
    (m.start_date.is_some() || m.due_date.is_some()) && started && not_over
}

/// Order by due date (none last), then start date, then title.
fn order_key(m: &Milestone) -> (NaiveDate, NaiveDate, String) {
    (
        m.due_date.unwrap_or(NaiveDate::MAX),
        m.start_date.unwrap_or(NaiveDate::MIN),
        m.title.clone(),
    )
}

/// The current milestone: among open milestones whose dates contain `today`, the one due
/// soonest. For GitHub (due dates only) that is the open milestone with the earliest due
/// date on or after today.
pub fn current_milestone(milestones: &[Milestone], today: NaiveDate) -> Option<&Milestone> {
    milestones
        .iter()
        .filter(|m| contains_today(m, today))
        .min_by_key(|m| order_key(m))
}

/// The milestone after the current one: the open milestone due soonest after the current
/// one's due date; without a current milestone, the first one starting after today.
pub fn next_milestone(milestones: &[Milestone], today: NaiveDate) -> Option<&Milestone> {
    let dated = milestones
        .iter()
        .filter(|m| m.due_date.is_some() || m.start_date.is_some());
    match current_milestone(milestones, today) {
        Some(current) => {
            let key = order_key(current);
            dated
                .filter(|m| m.id != current.id && order_key(m) > key)
                .filter(|m| m.due_date.is_some() && m.due_date > current.due_date)
                .min_by_key(|m| order_key(m))
        }
        None => dated
            .filter(|m| m.start_date.is_some_and(|s| s > today))
            .min_by_key(|m| order_key(m)),
    }
}

/// The titles of the open milestones, for a refusal.
fn open_list(milestones: &[Milestone]) -> String {
    if milestones.is_empty() {
        return "there are no open milestones".to_string();
    }
    let mut sorted: Vec<&Milestone> = milestones.iter().collect();
    sorted.sort_by_key(|m| order_key(m));
    let titles: Vec<String> = sorted.iter().map(|m| format!("`{}`", m.title)).collect();
    format!("open milestones: {}", titles.join(", "))
}

/// The title `arg` names, or the refusal. `Ok(None)` when it cannot be known without the
/// forge (`%current` in `forgehand plan`).
pub fn resolve(
    arg: &MilestoneArg,
    context: &Context,
    today: NaiveDate,
) -> Result<Option<String>, String> {
    let Some(open) = context.milestones.as_deref() else {
        return Ok(match arg {
            MilestoneArg::Title(t) => Some(t.clone()),
            _ => None,
        });
    };
    match arg {
        MilestoneArg::Title(title) => open
            .iter()
            .find(|m| m.title == *title)
            .or_else(|| open.iter().find(|m| m.title.eq_ignore_ascii_case(title)))
            .map(|m| Some(m.title.clone()))
            .ok_or_else(|| {
                format!(
                    "the milestone `{title}` does not exist or is closed; {}",
                    open_list(open)
                )
            }),
        MilestoneArg::Current => current_milestone(open, today)
            .map(|m| Some(m.title.clone()))
            .ok_or_else(|| {
                format!(
                    "no open milestone is current on {today}; {}",
                    open_list(open)
                )
            }),
        MilestoneArg::Next => next_milestone(open, today)
            .map(|m| Some(m.title.clone()))
            .ok_or_else(|| {
                format!(
                    "no open milestone comes after the current one; {}",
                    open_list(open)
                )
            }),
    }
}

/// `/milestone ARG`.
pub fn milestone(
    arg: &MilestoneArg,
    context: &Context,
    today: NaiveDate,
    draft: &mut Draft,
    reply: &mut Reply,
) -> Option<String> {
    match resolve(arg, context, today) {
        Ok(Some(title)) => {
            draft.set_milestone(Some(title.clone()));
            Some(title)
        }
        Ok(None) => {
            reply.note(format!(
                "`{}` is resolved against the open milestones when the bot runs",
                describe(arg)
            ));
            None
        }
        Err(why) => {
            reply.refuse(why);
            None
        }
    }
}

fn describe(arg: &MilestoneArg) -> String {
    match arg {
        MilestoneArg::Current => "%current".into(),
        MilestoneArg::Next => "%next".into(),
        MilestoneArg::Title(t) => format!("%\"{t}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(id: u64, title: &str, start: Option<&str>, due: Option<&str>) -> Milestone {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Milestone {
            id,
            number_or_iid: id,
            title: title.into(),
            start_date: start.map(d),
            due_date: due.map(d),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn current_and_next_on_both_forges() {
        let gitlab = [
            ms(1, "1.3", Some("2026-11-01"), Some("2026-11-14")),
            ms(2, "1.4", Some("2026-11-15"), Some("2026-11-28")),
            ms(3, "1.5", Some("2026-11-29"), Some("2026-12-12")),
            ms(4, "Backlog", None, None),
        ];
        let github = [
            ms(1, "1.3", None, Some("2026-11-14")),
            ms(2, "1.4", None, Some("2026-11-28")),
            ms(3, "1.5", None, Some("2026-12-12")),
            ms(4, "Backlog", None, None),
        ];
        type Case<'a> = (&'a [Milestone], &'a str, Option<&'a str>, Option<&'a str>);
        let cases: &[Case] = &[
            (&gitlab, "2026-11-22", Some("1.4"), Some("1.5")),
            (&gitlab, "2026-11-14", Some("1.3"), Some("1.4")),
            (&gitlab, "2026-12-20", None, None),
            (&gitlab, "2026-10-01", None, Some("1.3")),
            (&github, "2026-11-22", Some("1.4"), Some("1.5")),
            (&github, "2026-11-28", Some("1.4"), Some("1.5")),
            (&github, "2026-11-01", Some("1.3"), Some("1.4")),
            (&github, "2026-12-13", None, None),
        ];
        for (list, today, current, next) in cases {
            let today = day(today);
            let title = |m: Option<&Milestone>| m.map(|m| m.title.clone());
            assert_eq!(
                title(current_milestone(list, today)).as_deref(),
                *current,
                "current {today}"
            );
            assert_eq!(
                title(next_milestone(list, today)).as_deref(),
                *next,
                "next {today}"
            );
        }
    }

    #[test]
    fn titles_resolve_or_list_the_open_ones() {
        let context = Context {
            milestones: Some(vec![
                ms(1, "1.4", None, Some("2026-11-28")),
                ms(2, "Backlog", None, None),
            ]),
            ..Context::default()
        };
        let today = day("2026-11-22");
        let title = |t: &str| MilestoneArg::Title(t.into());
        assert_eq!(
            resolve(&title("backlog"), &context, today),
            Ok(Some("Backlog".into()))
        );
        assert_eq!(
            resolve(&title("2.0"), &context, today),
            Err("the milestone `2.0` does not exist or is closed; open milestones: `1.4`, `Backlog`".into())
        );
        assert_eq!(
            resolve(&MilestoneArg::Current, &context, today),
            Ok(Some("1.4".into()))
        );
        assert!(resolve(&MilestoneArg::Next, &context, today).is_err());
        let unknown = Context::default();
        assert_eq!(resolve(&MilestoneArg::Current, &unknown, today), Ok(None));
        assert_eq!(
            resolve(&title("2.0"), &unknown, today),
            Ok(Some("2.0".into()))
        );
    }
}
