//! The bodies of the release day: the call (issue body, or comment on the checklist), the
//! "no changes" note and the comment saying what blocks the production train. Each carries
//! its hidden marker so that a run again finds it.

use super::day::{MARKER_RELEASE_DAY, MARKER_RELEASE_DAY_NOTE, MARKER_TRAIN_BLOCKED};
use crate::config::release::{ReleaseConfig, TemplateKind};
use crate::event::Dialect;
use crate::model::Change;
use crate::release::day::{checklist_steps, Proposal};
use crate::release::{
    change_entries, config_changes, group_changes, to_context, BumpKind, ChecklistContext,
    ReleaseDate,
};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

/// What the release-day call says.
pub struct Call<'a> {
    pub repo: &'a str,
    pub release: &'a ReleaseDate,
    pub manager: Option<&'a str>,
    pub last_tag: Option<&'a str>,
    pub proposal: &'a Proposal,
    /// The bump the calendar plans for the date.
    pub planned: BumpKind,
    pub default_branch: &'a str,
    pub changes: &'a [Change],
    pub dialect: Dialect,
}

/// A body with the marker a later run finds it by.
pub struct Marked {
    pub body: String,
    pub marker: String,
    /// The note's sentence without markup (for the log when it has nowhere to go).
    pub text: String,
}

/// The marker of the call of `date`.
pub fn call_marker(date: NaiveDate) -> String {
    format!("<!-- forgehand:{MARKER_RELEASE_DAY} {date} -->")
}

/// The release-day call: proposed version, changes grouped like the changelog, the
/// configuration changes, and the steps of the checklist template.
pub fn call_body(call: &Call<'_>, config: &ReleaseConfig) -> Result<String, String> {
    let format = config.tag_format();
    let proposal = call.proposal;
    let tag = format.tag_for(&proposal.version);
    let date = call.release.date;
    let refs = call.dialect.refs;
    let mut body = format!("{}\n## Release day {date}: {tag}\n\n", call_marker(date));
    let count = call.changes.len();
    let since = call
        .last_tag
        .map(|t| format!("since {t}"))
        .unwrap_or_else(|| "so far (no release tag yet)".into());
    let _ = writeln!(
        body,
        "{}{count} change{} merged into `{}` {since}: time to release {tag}.\n",
        call.manager
            .map(|m| format!("@{m}, you are the release manager on duty. "))
            .unwrap_or_default(),
        if count == 1 { "" } else { "s" },
        call.default_branch,
    );
    let why = if proposal.breaking.is_empty() {
        format!(
            "{}, as the calendar plans for {:?}",
            proposal.bump.as_str(),
            date.weekday()
        )
    } else {
        let refs: Vec<String> = call
            .changes
            .iter()
            .filter(|c| proposal.breaking.contains(&c.number))
            .map(|c| c.reference(refs))
            .collect();
        format!(
            "major: {} breaking; the calendar plans a {}",
            refs.join(", "),
            call.planned.as_str()
        )
    };
    let _ = writeln!(
        body,
        "- **Proposed version:** `{}` ({why})",
        proposal.version
    );
    let _ = writeln!(
        body,
        "- **Last release:** {}",
        call.last_tag.unwrap_or("_none_")
    );
    let _ = writeln!(
        body,
        "- **Release manager:** {}",
        call.manager
            .map(|m| format!("@{m}"))
            .unwrap_or_else(|| "_unassigned_".into())
    );
    if call.release.shifted {
        let _ = writeln!(
            body,
            "- **Planned for:** {} (a holiday; moved here)",
            call.release.planned
        );
    }
    let grouped = group_changes(call.changes, &config.changelog_groups, refs);
    // The changelog's groups are headings of their own: one level below this section's.
    let grouped: Vec<String> = grouped
        .trim_end()
        .lines()
        .map(|l| match l.strip_prefix("### ") {
            Some(title) => format!("#### {title}"),
            None => l.to_string(),
        })
        .collect();
    let _ = write!(body, "\n### Changes\n\n{}\n", grouped.join("\n"));
    body.push_str("\n### Configuration changes\n\n");
    let configs = config_changes(call.changes, &config.labels.config_change);
    if configs.is_empty() {
        body.push_str("_None: no configuration change is needed._\n");
    }
    for entry in change_entries(&configs, refs) {
        let reference = match &entry.url {
            Some(url) => format!("[{}]({url})", entry.reference),
            None => entry.reference,
        };
        let _ = writeln!(body, "- {} ({reference})", entry.title);
    }
    let steps = steps(call, config, &tag)?;
    if !steps.is_empty() {
        body.push_str("\n### Steps\n\n");
        for step in steps {
            let _ = writeln!(body, "- [ ] {step}");
        }
    }
    Ok(body)
}

/// The unticked steps of the checklist template, rendered for the proposed version.
fn steps(call: &Call<'_>, config: &ReleaseConfig, tag: &str) -> Result<Vec<String>, String> {
    let template = config
        .template(TemplateKind::Checklist)
        .map_err(|e| e.to_string())?;
    let context = ChecklistContext {
        version: call.proposal.version.clone(),
        release_date: call.release.date,
        release_manager: call.manager.map(str::to_string),
        previous_checklist_url: None,
        project: call.repo.to_string(),
    };
    let text = template
        .render(&to_context(&context))
        .map_err(|e| format!("release day: the checklist template for {tag}: {e}"))?;
    Ok(checklist_steps(&text))
}

/// "no changes since v0.0.4: no release this cycle".
pub fn no_changes(last_tag: Option<&str>, date: NaiveDate, manager: Option<&str>) -> Marked {
    let text = match last_tag {
        Some(tag) => format!("no changes since {tag}: no release this cycle"),
        None => "no release tag yet to compare with: no release this cycle".to_string(),
    };
    let marker = format!("<!-- forgehand:{MARKER_RELEASE_DAY_NOTE} {date} -->");
    let who = manager
        .map(|m| format!(" (@{m} on duty)"))
        .unwrap_or_default();
    Marked {
        body: format!("Release day {date}{who}: {text}.\n\n{marker}\n"),
        marker,
        text,
    }
}

/// The comment that replaces the production request when requirements fail.
pub fn train_blocked(
    tag: &str,
    date: NaiveDate,
    manager: Option<&str>,
    blockers: &[String],
) -> Marked {
    let marker = format!("<!-- forgehand:{MARKER_TRAIN_BLOCKED} {tag} {date} -->");
    let text = format!("the production deployment request for {tag} is not filed");
    let mut body = format!(
        "{}production train {date}: {text}; it is blocked by:\n\n",
        manager.map(|m| format!("@{m}: ")).unwrap_or_default()
    );
    for blocker in blockers {
        let _ = writeln!(body, "- [ ] {blocker}");
    }
    let _ = write!(
        body,
        "\nOnce these hold, `/deploy production` on the release merge request files it.\n\n{marker}\n"
    );
    Marked { body, marker, text }
}
