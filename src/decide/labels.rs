//! `/label`, `/unlabel` (none = all) and `/relabel`. Labels must exist in the project (when
//! the context knows them); a scoped label replaces the other labels of its scope.

use super::reply::Reply;
use super::{Context, Draft};
use std::collections::{HashMap, HashSet};

/// The labels of `wanted` that exist, refusing the others. Names are matched
/// case-insensitively and take the project's spelling (an exact match wins). Linear: the
/// project's labels are indexed once.
fn existing(wanted: &[String], context: &Context, reply: &mut Reply) -> Vec<String> {
    let Some(known) = &context.labels else {
        return wanted.to_vec();
    };
    let exact: HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut folded: HashMap<String, &str> = HashMap::with_capacity(known.len());
    for k in known {
        folded.entry(k.to_ascii_lowercase()).or_insert(k);
    }
    let mut found = Vec::new();
    for label in wanted {
        let hit = exact
            .get(label.as_str())
            .copied()
            .or_else(|| folded.get(&label.to_ascii_lowercase()).copied());
        match hit {
            Some(k) => found.push(k.to_string()),
            None => reply.refuse(format!(
                "the label `{label}` does not exist in this project"
            )),
        }
    }
    found
}

/// `/label ~a ~b`.
pub fn label(labels: &[String], context: &Context, draft: &mut Draft, reply: &mut Reply) {
    for label in existing(labels, context, reply) {
        draft.add_label(&label);
    }
}

/// `/unlabel ~a` or `/unlabel` (every label).
pub fn unlabel(labels: &[String], draft: &mut Draft) {
    if labels.is_empty() {
        draft.remove_all_labels();
    }
    for label in labels {
        draft.remove_label(label);
    }
}

/// `/relabel ~a ~b`: these labels and no others. Nothing changes if one of them is unknown.
pub fn relabel(labels: &[String], context: &Context, draft: &mut Draft, reply: &mut Reply) {
    let found = existing(labels, context, reply);
    if found.len() != labels.len() {
        return;
    }
    let keep = |l: &String| found.iter().any(|f| f.eq_ignore_ascii_case(l));
    for label in draft.after().labels.into_iter().filter(|l| !keep(l)) {
        draft.remove_label(&label);
    }
    for label in &found {
        draft.add_label(label);
    }
}
