//! A command beats a rule in the same event. The commands of a comment run first and say what
//! the person wants; the rules then run on the state they leave, but a rule action that would
//! undo what a command of this event set is left out (and noted): a label a command added
//! stays (no rule removes it or replaces it by another of its scope), a label a command
//! removed is not added back, and a milestone, the assignees or the state a command set are
//! not changed again. Rules act as usual on later events.

use super::change::{contains, same};
use super::Draft;
use crate::command;
use crate::plan::StateChange;

/// What the commands of one event set on the item.
#[derive(Debug, Clone, Default)]
pub struct Commanded {
    /// Labels commands added (scoped ones pin their scope).
    pub added: Vec<String>,
    /// Labels commands removed (directly or by adding another of the scope).
    pub removed: Vec<String>,
    pub milestone: bool,
    pub assignees: bool,
    pub state: bool,
}

impl Draft {
    /// The commands are done; what changes from now on is the rules'.
    pub fn start_rules(&mut self) {
        self.rules_running = true;
    }

    fn overridden_by_command(&mut self, rule: &str, what: String) {
        self.overridden.push(format!(
            "rule `{rule}` did not {what}: a command in the same event decided otherwise"
        ));
    }

    /// A rule adds `label`, unless a command removed it or set another label of its scope.
    pub fn rule_add_label(&mut self, rule: &str, label: &str) {
        let scope = command::scope_of(label);
        let pinned = self
            .commanded
            .added
            .iter()
            .any(|l| !same(l, label) && scope.is_some() && command::scope_of(l) == scope);
        if pinned || contains(&self.commanded.removed, label) {
            self.overridden_by_command(rule, format!("add `{label}`"));
        } else {
            self.add_label(label);
        }
    }

    /// A rule removes `label`, unless a command added it.
    pub fn rule_remove_label(&mut self, rule: &str, label: &str) {
        if contains(&self.commanded.added, label) {
            self.overridden_by_command(rule, format!("remove `{label}`"));
        } else {
            self.remove_label(label);
        }
    }

    /// A rule sets or clears the milestone, unless a command set it.
    pub fn rule_set_milestone(&mut self, rule: &str, title: Option<String>) {
        if self.commanded.milestone {
            self.overridden_by_command(rule, "change the milestone".into());
        } else {
            self.set_milestone(title);
        }
    }

    /// A rule assigns `login`, unless a command set the assignees.
    pub fn rule_assign(&mut self, rule: &str, login: &str) {
        if self.commanded.assignees {
            self.overridden_by_command(rule, format!("assign @{login}"));
        } else {
            self.assign(login);
        }
    }

    /// A rule closes or reopens, unless a command did either.
    pub fn rule_set_state(&mut self, rule: &str, state: StateChange) {
        if self.commanded.state {
            self.overridden_by_command(rule, "change the state".into());
        } else {
            self.set_state(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decide::{Draft, ItemView};
    use crate::plan::StateChange;

    fn draft(labels: &[&str]) -> Draft {
        Draft::new(ItemView {
            labels: labels.iter().map(|s| s.to_string()).collect(),
            ..ItemView::default()
        })
    }

    #[test]
    fn a_label_a_command_set_pins_its_scope_for_the_rules() {
        let mut d = draft(&["flow::To Do"]);
        d.add_label("flow::Triage");
        d.start_rules();
        d.rule_add_label("triaged", "flow::To Do");
        d.rule_remove_label("clean", "flow::Triage");
        d.rule_add_label("bugs", "bug");
        assert_eq!(d.after().labels, ["flow::Triage", "bug"]);
        assert_eq!(d.overridden.len(), 2, "{:?}", d.overridden);
    }

    #[test]
    fn without_commands_rules_act_as_before() {
        let mut d = draft(&["flow::Triage"]);
        d.start_rules();
        d.rule_add_label("triaged", "flow::To Do");
        d.rule_set_milestone("m", Some("1.4".into()));
        d.rule_assign("a", "lead");
        d.rule_set_state("s", StateChange::Close);
        let after = d.after();
        assert_eq!(after.labels, ["flow::To Do"]);
        assert_eq!(after.milestone.as_deref(), Some("1.4"));
        assert_eq!(after.assignees, ["lead"]);
        assert!(after.closed);
        assert!(d.overridden.is_empty());
    }

    #[test]
    fn milestone_assignees_and_state_a_command_set_stay() {
        let mut d = draft(&[]);
        d.set_milestone(Some("1.5".into()));
        d.reassign(&["ann".into()]);
        d.set_state(StateChange::Close);
        d.start_rules();
        d.rule_set_milestone("m", Some("Backlog".into()));
        d.rule_assign("a", "lead");
        d.rule_set_state("s", StateChange::Reopen);
        let after = d.after();
        assert_eq!(after.milestone.as_deref(), Some("1.5"));
        assert_eq!(after.assignees, ["ann"]);
        assert!(after.closed);
        assert_eq!(d.overridden.len(), 3);
    }

    #[test]
    fn a_label_a_command_removed_is_not_added_back() {
        let mut d = draft(&["bug"]);
        d.remove_label("bug");
        d.start_rules();
        d.rule_add_label("bugs", "bug");
        assert!(d.after().labels.is_empty());
    }
}
