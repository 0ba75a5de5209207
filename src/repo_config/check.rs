//! The check of a merge request that changes `.forgehand.yml`: the commit status
//! `forgehand/config` (success or failure) on its head commit and **one** comment, found again
//! by its marker and edited in place on later pushes, listing every error with file, line and
//! column, or — when the file is valid — what changes in behaviour once it is merged.

use super::{parse, RepoConfigs, Unusable};
use crate::config::{Config, REPO_FILE_PATH};
use crate::event::{Event, EventKind, MergeRequestAction};
use crate::forge::{Forge, ForgeError};
use crate::model::{IssueRef, RepoPath};
use std::fmt::Write as _;

/// The commit status a configuration change is checked under.
pub const CHECK_CONTEXT: &str = "forgehand/config";
/// The hidden marker of the check's comment.
pub const CHECK_MARKER: &str = "<!-- forgehand:config-check -->";

impl RepoConfigs {
    /// When `event` opens or updates a merge request whose head changes `.forgehand.yml`
    /// against its target branch: set the status and write (or edit) the comment. Failures
    /// are logged; the event's own work goes on.
    pub async fn check_merge_request(&self, event: &Event, forge: Option<&dyn Forge>) {
        let (Some(repo), Some(forge)) = (&event.repo, forge) else {
            return;
        };
        let EventKind::MergeRequest {
            action,
            merge_request: mr,
        } = &event.kind
        else {
            return;
        };
        let relevant = matches!(
            action,
            MergeRequestAction::Opened | MergeRequestAction::Updated | MergeRequestAction::Reopened
        );
        let Some(sha) = mr.sha.as_deref().filter(|_| relevant && self.writes) else {
            return;
        };
        let result = async {
            let path = RepoPath::parse(&repo.path)?;
            let head = forge.file_at(&path, REPO_FILE_PATH, sha).await?;
            let target = forge
                .file_at(&path, REPO_FILE_PATH, &mr.target_branch)
                .await?;
            let (head, target) = (head.map(|f| f.content), target.map(|f| f.content));
            if head == target {
                return Ok(());
            }
            let (success, description, body) = self
                .verdict(forge, event, head.as_deref(), target.as_deref())
                .await?;
            forge
                .set_commit_status(&path, sha, CHECK_CONTEXT, success, description)
                .await?;
            let item = IssueRef::parse(&repo.path, mr.item.number, true)?;
            match forge.find_comment_with_marker(&item, CHECK_MARKER).await? {
                Some(id) => forge.edit_comment(&item, id, &body).await,
                None => forge.comment(&item, &body).await.map(drop),
            }
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot report the check of the .forgehand.yml change");
        }
    }

    /// (success, status description, comment body) for the file `head` replacing `target`.
    async fn verdict(
        &self,
        forge: &dyn Forge,
        event: &Event,
        head: Option<&str>,
        target: Option<&str>,
    ) -> Result<(bool, &'static str, String), ForgeError> {
        let repo = event.repo.as_ref().map(|r| r.path.as_str()).unwrap_or("");
        let base = self.base(event.forge, repo);
        let Some(head) = head else {
            let body = format!(
                "{CHECK_MARKER}\n### forgehand: `{REPO_FILE_PATH}`\n\nThis merge request removes \
                 `{REPO_FILE_PATH}`: once merged, the server's configuration applies to this repository.\n"
            );
            return Ok((true, "removes .forgehand.yml", body));
        };
        let resolved = match parse(event.forge, repo, head) {
            Ok(own) => self.extend(forge, event.forge, repo, own).await,
            Err(errors) => Err(Unusable::Invalid(errors)),
        };
        let new = match resolved {
            Ok((file, _)) => base.with_repo_file(&file, event.forge, repo),
            Err(Unusable::Forge(e)) => return Err(e),
            Err(Unusable::Invalid(errors)) => {
                let mut body = format!(
                    "{CHECK_MARKER}\n### forgehand: `{REPO_FILE_PATH}` is invalid\n\nMerged as it is, \
                     forgehand would keep following the current version. Errors:\n\n"
                );
                for line in errors.lines().filter(|l| !l.trim().is_empty()) {
                    let _ = writeln!(body, "- `{line}`");
                }
                return Ok((false, ".forgehand.yml is invalid", body));
            }
        };
        let old = match target.map(|t| parse(event.forge, repo, t)) {
            Some(Ok(own)) => match self.extend(forge, event.forge, repo, own).await {
                Ok((file, _)) => base.with_repo_file(&file, event.forge, repo),
                Err(_) => (*base).clone(),
            },
            _ => (*base).clone(),
        };
        let changes = behaviour_changes(&old, &new);
        let mut body = format!(
            "{CHECK_MARKER}\n### forgehand: `{REPO_FILE_PATH}` is valid\n\nOnce merged:\n\n"
        );
        if changes.is_empty() {
            body.push_str("- nothing changes in what forgehand does.\n");
        }
        for change in changes {
            let _ = writeln!(body, "- {change}");
        }
        Ok((true, ".forgehand.yml is valid", body))
    }
}

/// What differs between the behaviour of `old` and `new`, one line each: rules added,
/// removed or changed; triage, release and schedule settings changed; commands whose minimum
/// role changed.
pub fn behaviour_changes(old: &Config, new: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let find = |rules: &[crate::config::rules::Rule], id: &str| {
        rules
            .iter()
            .find(|r| r.id.as_str() == id)
            .map(|r| format!("{r:?}"))
    };
    for rule in &new.rules {
        match find(&old.rules, rule.id.as_str()) {
            None => out.push(format!("rule `{}` added", rule.id.as_str())),
            Some(before) if before != format!("{rule:?}") => {
                out.push(format!("rule `{}` changed", rule.id.as_str()))
            }
            Some(_) => {}
        }
    }
    for rule in &old.rules {
        if find(&new.rules, rule.id.as_str()).is_none() {
            out.push(format!("rule `{}` removed", rule.id.as_str()));
        }
    }
    if format!("{:?}", old.triage) != format!("{:?}", new.triage) {
        out.push("triage settings changed".into());
    }
    if format!("{:?}", old.release) != format!("{:?}", new.release) {
        let now = if new.release.enabled { "on" } else { "off" };
        out.push(format!(
            "release settings changed (release automation {now})"
        ));
    }
    let ids = |c: &Config| {
        c.schedules
            .iter()
            .map(|s| s.id.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    if format!("{:?}", old.schedules) != format!("{:?}", new.schedules) {
        out.push(format!(
            "schedules changed: [{}] → [{}]",
            ids(old).join(", "),
            ids(new).join(", ")
        ));
    }
    for ((command, before), (_, after)) in old.commands.iter().zip(new.commands.iter()) {
        if before != after {
            out.push(format!("`/{command}` now needs {after} (was {before})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::from_str(text, "c.yml", &|_| None).expect("valid")
    }

    #[test]
    fn the_summary_names_rules_release_schedules_and_command_roles() {
        let old = config(
            "rules:\n  - id: a\n    on: [issue.opened]\n    then:\n      add_labels: [x]\n  - id: gone\n    on: [issue.opened]\n    then:\n      add_labels: [y]\n",
        );
        let new = config(
            "commands:\n  cc: maintainer\nrelease:\n  enabled: true\nrules:\n  - id: a\n    on: [issue.opened]\n    then:\n      add_labels: [z]\n  - id: new\n    on: [issue.opened]\n    then:\n      add_labels: [y]\n",
        );
        let changes = behaviour_changes(&old, &new);
        assert_eq!(
            changes,
            [
                "rule `a` changed",
                "rule `new` added",
                "rule `gone` removed",
                "release settings changed (release automation on)",
                "`/cc` now needs maintainer (was reader)",
            ]
        );
        assert!(behaviour_changes(&old, &old).is_empty());
    }
}
