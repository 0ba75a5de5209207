//! A draft of the change to one issue: the item as the event showed it, plus the merged
//! [`IssueChange`] that commands and rules build up, so that each step sees the state left by
//! the steps before it (`/milestone` then a rule on milestones) and everything is one write.

use crate::command;
use crate::plan::{IssueChange, StateChange};
use serde::Serialize;

/// The parts of an issue / MR that commands and rules read and change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemView {
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignees: Vec<String>,
    pub closed: bool,
}

/// The item before, and the change so far.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub before: ItemView,
    pub change: IssueChange,
    /// What the commands of this event set (a rule does not undo it: `precedence.rs`).
    pub(super) commanded: super::precedence::Commanded,
    /// Whether the rules are running (changes are no longer the commands').
    pub(super) rules_running: bool,
    /// Rule actions left out because a command of the same event decided otherwise.
    pub overridden: Vec<String>,
}

pub(super) fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub(super) fn contains(list: &[String], name: &str) -> bool {
    list.iter().any(|l| same(l, name))
}

impl Draft {
    pub fn new(before: ItemView) -> Draft {
        Draft {
            before,
            ..Draft::default()
        }
    }

    /// The item as it will be once the change is applied.
    pub fn after(&self) -> ItemView {
        let c = &self.change;
        let mut labels: Vec<String> = self
            .before
            .labels
            .iter()
            .filter(|l| !contains(&c.remove_labels, l))
            .cloned()
            .collect();
        for l in &c.add_labels {
            if !contains(&labels, l) {
                labels.push(l.clone());
            }
        }
        ItemView {
            labels,
            milestone: match &c.milestone {
                Some(m) => m.clone(),
                None => self.before.milestone.clone(),
            },
            assignees: c.resulting_assignees(&self.before.assignees),
            closed: match c.state {
                Some(StateChange::Close) => true,
                Some(StateChange::Reopen) => false,
                None => self.before.closed,
            },
        }
    }

    /// Add a label; a scoped label (`scope::value`) removes every other label of its scope.
    pub fn add_label(&mut self, label: &str) {
        if !self.rules_running {
            self.commanded.added.push(label.to_string());
        }
        if let Some(scope) = command::scope_of(label) {
            let others: Vec<String> = self
                .after()
                .labels
                .into_iter()
                .filter(|l| !same(l, label) && command::scope_of(l) == Some(scope))
                .collect();
            for other in others {
                self.remove_label(&other);
            }
        }
        self.change.remove_labels.retain(|l| !same(l, label));
        if !contains(&self.before.labels, label) && !contains(&self.change.add_labels, label) {
            self.change.add_labels.push(label.to_string());
        }
    }

    /// Remove a label (nothing happens if the item does not carry it).
    pub fn remove_label(&mut self, label: &str) {
        if !self.rules_running {
            self.commanded.removed.push(label.to_string());
        }
        self.change.add_labels.retain(|l| !same(l, label));
        if let Some(existing) = self.before.labels.iter().find(|l| same(l, label)) {
            if !contains(&self.change.remove_labels, existing) {
                self.change.remove_labels.push(existing.clone());
            }
        }
    }

    /// Remove every label.
    pub fn remove_all_labels(&mut self) {
        for label in self.after().labels {
            self.remove_label(&label);
        }
    }

    /// Set (`Some`) or clear (`None`) the milestone.
    pub fn set_milestone(&mut self, title: Option<String>) {
        self.commanded.milestone |= !self.rules_running;
        self.change.milestone = if title == self.before.milestone {
            None
        } else {
            Some(title)
        };
    }

    /// Add an assignee.
    pub fn assign(&mut self, login: &str) {
        self.commanded.assignees |= !self.rules_running;
        let c = &mut self.change;
        c.remove_assignees.retain(|u| !same(u, login));
        match &mut c.set_assignees {
            Some(set) if !contains(set, login) => set.push(login.to_string()),
            Some(_) => {}
            None if !contains(&self.before.assignees, login)
                && !contains(&c.add_assignees, login) =>
            {
                c.add_assignees.push(login.to_string())
            }
            None => {}
        }
    }

    /// Replace every assignee by `logins`.
    pub fn reassign(&mut self, logins: &[String]) {
        self.commanded.assignees |= !self.rules_running;
        let c = &mut self.change;
        c.add_assignees.clear();
        c.remove_assignees.clear();
        let mut set: Vec<String> = Vec::new();
        for l in logins {
            if !contains(&set, l) {
                set.push(l.clone());
            }
        }
        c.set_assignees = Some(set);
    }

    /// Remove an assignee.
    pub fn unassign(&mut self, login: &str) {
        self.commanded.assignees |= !self.rules_running;
        let c = &mut self.change;
        c.add_assignees.retain(|u| !same(u, login));
        match &mut c.set_assignees {
            Some(set) => set.retain(|u| !same(u, login)),
            None if contains(&self.before.assignees, login)
                && !contains(&c.remove_assignees, login) =>
            {
                c.remove_assignees.push(login.to_string())
            }
            None => {}
        }
    }

    /// Close or reopen; a no-op change is dropped.
    pub fn set_state(&mut self, state: StateChange) {
        self.commanded.state |= !self.rules_running;
        let wanted_closed = state == StateChange::Close;
        self.change.state = (wanted_closed != self.before.closed).then_some(state);
    }

    /// The change with no-op parts dropped (e.g. a reassign to the current assignees).
    pub fn finish(mut self) -> IssueChange {
        if let Some(set) = &self.change.set_assignees {
            let unchanged = set.len() == self.before.assignees.len()
                && set.iter().all(|u| contains(&self.before.assignees, u));
            if unchanged {
                self.change.set_assignees = None;
            }
        }
        self.change
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(labels: &[&str]) -> Draft {
        Draft::new(ItemView {
            labels: labels.iter().map(|s| s.to_string()).collect(),
            ..ItemView::default()
        })
    }

    #[test]
    fn scoped_labels_replace_their_scope() {
        let mut d = draft(&["bug", "flow::Triage"]);
        d.add_label("flow::To Do");
        assert_eq!(d.change.add_labels, ["flow::To Do"]);
        assert_eq!(d.change.remove_labels, ["flow::Triage"]);
        d.add_label("flow::Doing");
        assert_eq!(d.change.add_labels, ["flow::Doing"]);
        assert_eq!(d.after().labels, ["bug", "flow::Doing"]);
        d.add_label("flow::Triage");
        assert!(d.change.add_labels.is_empty());
        assert!(d.change.remove_labels.is_empty());
    }

    #[test]
    fn assignee_operations_compose() {
        let mut d = Draft::new(ItemView {
            assignees: vec!["ann".into()],
            ..ItemView::default()
        });
        d.assign("bob");
        d.unassign("ann");
        assert_eq!(d.after().assignees, ["bob"]);
        d.reassign(&["cy".into()]);
        d.assign("dee");
        assert_eq!(d.after().assignees, ["cy", "dee"]);
        let mut same = Draft::new(ItemView {
            assignees: vec!["ann".into()],
            ..ItemView::default()
        });
        same.reassign(&["ANN".into()]);
        assert!(same.finish().is_empty());
    }

    #[test]
    fn milestone_and_state_no_ops_are_dropped() {
        let mut d = Draft::new(ItemView {
            milestone: Some("1.4".into()),
            ..ItemView::default()
        });
        d.set_milestone(Some("1.4".into()));
        d.set_state(StateChange::Reopen);
        assert!(d.finish().is_empty());
    }
}
