//! The repository file, `.forgehand.yml` at the root of a repository's default branch: the
//! sections that describe that repository's process (`rules`, `triage`, `commands`,
//! `release`, `schedules`). Each section it writes replaces the server's for that repository;
//! what belongs to whoever runs forgehand (listening, store, forge URLs and credentials,
//! webhook secrets, the bot's name, `roles:`, alert routing) is refused with its line.
//!
//! The file never reads the server's environment: `${NAME}` is not expanded from it (a
//! repository must not be able to print a server secret into a comment).

use super::document::{Document, Report, Validate};
use super::error::ConfigErrors;
use super::repos::{RepoPattern, RepoSections};
use super::{access::CommandName, release, rules, schedule, CommandRoles, Config, TriageConfig};
use crate::model::ForgeKind;
use crate::role::Role;

/// Where a repository keeps its file, on its default branch.
pub const REPO_FILE_PATH: &str = ".forgehand.yml";

/// The top-level keys only the server file may carry, with why.
const SERVER_ONLY: &[(&str, &str)] = &[
    (
        "server",
        "a repository file cannot change server settings; `server:` belongs in the server configuration",
    ),
    (
        "bot",
        "a repository file cannot rename the bot; `bot:` belongs in the server configuration",
    ),
    (
        "github",
        "a repository file cannot set forge URLs, credentials or webhook secrets; `github:` belongs in the server configuration",
    ),
    (
        "gitlab",
        "a repository file cannot set forge URLs, credentials or webhook secrets; `gitlab:` belongs in the server configuration",
    ),
    (
        "roles",
        "a repository file cannot grant roles; `roles:` belongs in the server configuration",
    ),
    (
        "incidents",
        "a repository file cannot route alerts; `incidents:` belongs in the server configuration",
    ),
    (
        "limits",
        "a repository file cannot change limits; `limits:` belongs in the server configuration",
    ),
    (
        "repos",
        "a repository file cannot configure other repositories; `repos:` belongs in the server configuration",
    ),
    (
        "ui",
        "a repository file cannot set operations-page access; `ui:` belongs in the server configuration",
    ),
];

/// A parsed repository file: each section is `None` when the file does not write it (the
/// server's then applies).
#[derive(Debug, Clone, Default)]
pub struct RepoFile {
    /// `extends:` — another repository of the same forge (`owner/name`, `group/project`)
    /// whose `.forgehand.yml`, read from its default branch, gives the sections this file
    /// does not write.
    pub extends: Option<String>,
    pub commands: Option<CommandRoles>,
    pub release: Option<release::ReleaseConfig>,
    pub triage: Option<TriageConfig>,
    pub schedules: Option<Vec<schedule::Schedule>>,
    pub rules: Option<Vec<rules::Rule>>,
    pub labels: Option<super::labels::Labels>,
}

impl RepoFile {
    /// Parses a repository file's `text`; `file` names it in errors (e.g.
    /// `github:owner/name:.forgehand.yml`). Every error is reported with line and column.
    pub fn from_str(text: &str, file: &str) -> Result<RepoFile, ConfigErrors> {
        let errors = |issues| ConfigErrors::from_issues(file, issues);
        let mut doc = Document::parse(text, &|_| None).map_err(errors)?;
        for (key, why) in SERVER_ONLY {
            doc.refuse(key, why);
        }
        let has = |doc: &Document, key: &str| doc.has(key);
        let present = [
            has(&doc, "commands"),
            has(&doc, "release"),
            has(&doc, "triage"),
            has(&doc, "schedules"),
            has(&doc, "rules"),
            has(&doc, "labels"),
        ];
        let extends = doc.section::<Extends>("extends");
        let commands = doc.map::<CommandName, Role>("commands");
        let release = doc.section("release");
        let triage = doc.section("triage");
        let schedules = doc.list("schedules");
        let rules = doc.list("rules");
        let labels = doc.map_validated("labels");
        // A section that failed to read has recorded its errors; `finish` reports them.
        let value = (|| {
            let keep = |i: usize| present[i];
            Some(RepoFile {
                extends: extends?.0,
                commands: keep(0).then_some(CommandRoles::from_entries(commands?)),
                release: keep(1).then_some(release?),
                triage: keep(2).then_some(triage?),
                schedules: keep(3).then_some(schedules?),
                rules: keep(4).then_some(rules?),
                labels: keep(5).then_some(labels?),
            })
        })();
        doc.finish(value).map_err(errors)
    }

    /// Names of the sections the file writes, in file-format order.
    pub fn sections(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.rules.is_some() {
            out.push("rules");
        }
        if self.triage.is_some() {
            out.push("triage");
        }
        if self.commands.is_some() {
            out.push("commands");
        }
        if self.release.is_some() {
            out.push("release");
        }
        if self.schedules.is_some() {
            out.push("schedules");
        }
        if self.labels.is_some() {
            out.push("labels");
        }
        out
    }
}

/// The value of `extends:`: a repository path.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
struct Extends(Option<String>);

impl Validate for Extends {
    fn validate(&self, report: &mut Report<'_>) {
        if let Some(Err(e)) = self.0.as_deref().map(crate::model::RepoPath::parse) {
            report.error("", e.to_string());
        }
    }
}

impl RepoFile {
    /// This file over `base` (the file it extends): each section this file writes, else
    /// `base`'s. `extends` is this file's.
    pub fn over(self, base: RepoFile) -> RepoFile {
        RepoFile {
            extends: self.extends,
            commands: self.commands.or(base.commands),
            release: self.release.or(base.release),
            triage: self.triage.or(base.triage),
            schedules: self.schedules.or(base.schedules),
            rules: self.rules.or(base.rules),
            labels: self.labels.or(base.labels),
        }
    }
}

impl Validate for RepoFile {
    fn validate(&self, report: &mut Report<'_>) {
        if let Some(rules) = &self.rules {
            rules::validate_unique_ids(rules, report);
        }
        refuse_other_repos(self.schedules.as_deref(), self.release.as_ref(), report);
    }
}

/// At repository level (a repository file, a `repos:` entry) schedules and the release day
/// act in the repository the section configures: naming repositories is an error.
pub(super) fn refuse_other_repos(
    schedules: Option<&[schedule::Schedule]>,
    release: Option<&release::ReleaseConfig>,
    report: &mut Report<'_>,
) {
    for (i, s) in schedules.unwrap_or_default().iter().enumerate() {
        if !s.repos.is_empty() {
            report.error(
                &format!("schedules[{i}].repos"),
                "a repository's schedule runs in that repository only; leave out `repos:`",
            );
        }
    }
    if let Some(day) = release.and_then(|r| r.release_day.as_ref()) {
        if !day.repos.is_empty() {
            report.error(
                "release.release_day.repos",
                "a repository's release day acts in that repository only; leave out `repos:`",
            );
        }
    }
}

impl Config {
    /// The `repos:` entry that applies to `path` on `forge`: the first whose key matches.
    pub fn repos_entry(
        &self,
        forge: ForgeKind,
        path: &str,
    ) -> Option<&(RepoPattern, RepoSections)> {
        self.repos.iter().find(|(p, _)| p.matches(forge, path))
    }

    /// The configuration of a repository before its own file: the server's, with the
    /// sections of the matching `repos:` entry in place of its defaults.
    pub fn for_repo(&self, forge: ForgeKind, path: &str) -> Config {
        match self.repos_entry(forge, path) {
            Some((_, sections)) => self.with_repo_file(&sections.to_file(), forge, path),
            None => self.clone(),
        }
    }

    /// This configuration with each section `file` writes replacing its own: the effective
    /// configuration of the repository `path` on `forge`, which carries `file`. The file's
    /// schedules and release day act in that repository.
    pub fn with_repo_file(&self, file: &RepoFile, forge: ForgeKind, path: &str) -> Config {
        let here = format!("{}:{path}", forge.as_str());
        let mut file = file.clone();
        for schedule in file.schedules.iter_mut().flatten() {
            schedule.repos = vec![here.clone()];
        }
        if let Some(day) = file.release.as_mut().and_then(|r| r.release_day.as_mut()) {
            day.repos = vec![here];
        }
        let file = &file;
        let mut config = self.clone();
        if let Some(commands) = &file.commands {
            config.commands = commands.clone();
        }
        if let Some(release) = &file.release {
            config.release = release.clone();
        }
        if let Some(triage) = &file.triage {
            config.triage = triage.clone();
        }
        if let Some(schedules) = &file.schedules {
            config.schedules = schedules.clone();
        }
        if let Some(rules) = &file.rules {
            config.rules = rules.clone();
        }
        if let Some(labels) = &file.labels {
            config.labels = labels.clone();
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Config {
        let text = "roles:\n  alice: maintainer\nrules:\n  - id: server-rule\n    on: [issue.opened]\n    then:\n      add_labels: [server]\n";
        Config::from_str(text, "server.yml", &|_| None).expect("server config")
    }

    fn errors(text: &str) -> Vec<String> {
        match RepoFile::from_str(text, ".forgehand.yml") {
            Ok(file) => panic!("accepted: {file:?}"),
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn sections_the_file_writes_replace_the_servers_and_the_rest_stay() {
        let text = "rules:\n  - id: repo-rule\n    on: [issue.opened]\n    then:\n      add_labels: [repo]\n";
        let file = RepoFile::from_str(text, ".forgehand.yml").expect("valid");
        assert_eq!(file.sections(), ["rules"]);
        let config = server().with_repo_file(&file, ForgeKind::Github, "acme/app");
        let ids: Vec<_> = config.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["repo-rule"]);
        assert_eq!(config.roles, server().roles, "roles stay the server's");
    }

    #[test]
    fn secrets_roles_and_server_settings_are_refused_with_their_line() {
        let text = "rules: []\nroles:\n  mallory: owner\ngithub:\n  webhook_secrets: [x]\nserver:\n  workers: 9\n";
        let found = errors(text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].starts_with(".forgehand.yml:2:1: roles: a repository file cannot grant roles"),
            "{found:#?}"
        );
        assert!(
            found[1].starts_with(".forgehand.yml:4:1: github:"),
            "{found:#?}"
        );
        assert!(found[1].contains("webhook secrets"), "{found:#?}");
        assert!(
            found[2].starts_with(".forgehand.yml:6:1: server:"),
            "{found:#?}"
        );
        let ui = errors("ui:\n  tokens: [let-me-in]\n");
        assert_eq!(ui.len(), 1, "{ui:#?}");
        assert!(
            ui[0].starts_with(
                ".forgehand.yml:1:1: ui: a repository file cannot set operations-page access"
            ),
            "{ui:#?}"
        );
    }

    #[test]
    fn the_servers_environment_is_never_read() {
        let text = "rules:\n  - id: leak\n    on: [issue.opened]\n    then:\n      comment: \"${GITHUB_TOKEN}\"\n";
        let found = errors(text);
        assert!(found.iter().any(|e| e.contains(":5:")), "{found:#?}");
    }

    #[test]
    fn errors_in_sections_carry_line_and_column_and_unknown_keys_are_named() {
        let text = "rules:\n  - id: a\n    on: [issue.nope]\nlabelz: {}\n";
        let found = errors(text);
        assert!(
            found.iter().any(|e| e.starts_with(".forgehand.yml:3:")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.starts_with(".forgehand.yml:4:1:") && e.contains("labelz")),
            "{found:#?}"
        );
    }

    #[test]
    fn extends_names_a_repository_and_sections_fall_through_to_it() {
        let own = RepoFile::from_str(
            "extends: acme/.github\ntriage:\n  engineering_lead: carol\n",
            "f",
        )
        .unwrap();
        assert_eq!(own.extends.as_deref(), Some("acme/.github"));
        let shared =
            RepoFile::from_str("rules: []\ntriage:\n  engineering_lead: dave\n", "g").unwrap();
        let merged = own.over(shared);
        assert_eq!(merged.sections(), ["rules", "triage"]);
        assert_eq!(
            merged.triage.unwrap().engineering_lead.as_deref(),
            Some("carol")
        );
        let found = errors("rules: []\nextends: \"acme/../x\"\n");
        assert!(
            found[0].starts_with(".forgehand.yml:2:10: extends:"),
            "{found:#?}"
        );
    }
}
