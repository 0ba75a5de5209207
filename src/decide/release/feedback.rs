//! "Released in" feedback when a release is published: each merge request merged into it
//! and each issue those close gets one comment with the release's link and the configured
//! labels — or, above `release.feedback.max_items`, one summary comment goes on the release
//! merge request instead.

use super::{Derived, ReleaseFacts};
use crate::model::RefStyle;
use crate::plan::{Intent, IssueChange, Plan, ReleasedInSpec, Target};
use crate::release::{marker, released_in_comment, ReleasedSummary, MARKER_RELEASED_IN};

/// One issue or merge request of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub number: u64,
    pub is_merge_request: bool,
}

/// The merge requests of a release, then the issues they close (each once; where issues
/// and merge requests share numbers, an issue reference naming a merge request of the
/// release is that merge request).
pub fn items(facts: &ReleaseFacts, refs: RefStyle) -> Vec<Item> {
    let mut items: Vec<Item> = facts
        .changes
        .iter()
        .map(|c| Item {
            number: c.number,
            is_merge_request: c.is_merge_request,
        })
        .collect();
    let mut issues: Vec<u64> = facts
        .changes
        .iter()
        .flat_map(|c| c.closes.iter().copied())
        .collect();
    issues.sort_unstable();
    issues.dedup();
    for number in issues {
        let shared = refs == RefStyle::GitHub && items.iter().any(|i| i.number == number);
        if !shared {
            items.push(Item {
                number,
                is_merge_request: false,
            });
        }
    }
    items
}

/// The feedback of a published release.
pub(super) fn released_in(derived: &Derived<'_>, plan: &mut Plan) {
    let Some(settings) = &derived.config.feedback else {
        return;
    };
    let all = items(derived.facts, derived.style());
    let tag = &derived.facts.tag;
    let version = derived.version.to_string();
    let url = Some(derived.release_url.as_str());
    if all.is_empty() {
        plan.notes.push(format!(
            "\"released in\" feedback: no merged merge requests are known between the \
             previous tag and {tag} (none were merged, or a dry run did not fetch them)"
        ));
        return;
    }
    let target = |item: &Item| Target {
        repo: derived.repo.clone(),
        number: item.number,
        is_merge_request: item.is_merge_request,
    };
    if all.len() > settings.max_items {
        let Some(release_mr) = derived.facts.release_mr else {
            plan.notes.push(format!(
                "{tag} has {} issues and merge requests (more than {}) and no release merge \
                 request to summarise them on: no \"released in\" feedback",
                all.len(),
                settings.max_items
            ));
            return;
        };
        let reference = |item: &&Item| match derived.style() {
            RefStyle::GitLab if item.is_merge_request => format!("!{}", item.number),
            _ => format!("#{}", item.number),
        };
        let (mrs, issues): (Vec<&Item>, Vec<&Item>) = all.iter().partition(|i| i.is_merge_request);
        let mrs: Vec<String> = mrs.iter().map(reference).collect();
        let issues: Vec<String> = issues.iter().map(reference).collect();
        let summary = ReleasedSummary {
            version: &version,
            tag,
            url,
            merge_requests: &mrs,
            issues: &issues,
            max_items: settings.max_items,
            merge_request_word: derived.dialect.merge_requests,
        };
        // Through the same intent as each item's note: found by its marker, serialised
        // against GitHub's `published` + `released` pair handled at once.
        plan.intents.push(Intent::ReleasedIn(ReleasedInSpec {
            target: Target {
                repo: derived.repo.clone(),
                number: release_mr,
                is_merge_request: true,
            },
            body: summary.render(),
            marker: marker(MARKER_RELEASED_IN, &version, Some("summary")),
            labels: Vec::new(),
        }));
        return;
    }
    for item in &all {
        if settings.comment {
            plan.intents.push(Intent::ReleasedIn(ReleasedInSpec {
                target: target(item),
                body: released_in_comment(&version, tag, url),
                marker: marker(MARKER_RELEASED_IN, &version, None),
                labels: settings.labels.clone(),
            }));
        } else {
            plan.intents.push(Intent::EditIssue {
                target: target(item),
                change: IssueChange {
                    add_labels: settings.labels.clone(),
                    ..IssueChange::default()
                },
            });
        }
    }
}
