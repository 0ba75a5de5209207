//! `repos:` in the server file: per-repository process sections for organisations that keep
//! one central file. Keys are `github:owner/name` or `gitlab:group/project`, where `*`
//! stands for any run of characters (slashes included: `gitlab:acme/*` covers subgroups).
//! The first entry in file order whose key matches a repository applies to it; its sections
//! replace the server's defaults, and the repository's own `.forgehand.yml` replaces those.

use super::document::{Report, Validate};
use super::repo::RepoFile;
use super::{access::CommandName, release, rules, schedule, CommandRoles, TriageConfig};
use crate::model::ForgeKind;
use crate::role::Role;
use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// A `repos:` key: a forge and a repository path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoPattern {
    pub forge: ForgeKind,
    /// The path with `*` wildcards, e.g. `acme/*`.
    pub pattern: String,
}

impl RepoPattern {
    /// Parses `github:owner/name` / `gitlab:group/project` (with `*` wildcards).
    pub fn parse(text: &str) -> Result<RepoPattern, String> {
        let (forge, pattern) = text.split_once(':').ok_or_else(|| {
            format!("`{text}`: expected `github:owner/name` or `gitlab:group/project`")
        })?;
        let forge = match forge {
            "github" => ForgeKind::Github,
            "gitlab" => ForgeKind::Gitlab,
            other => {
                return Err(format!(
                    "`{other}` is not a forge, expected `github` or `gitlab`"
                ))
            }
        };
        if pattern.is_empty() || pattern.split('/').any(str::is_empty) {
            return Err(format!(
                "`{text}`: the repository path has an empty segment"
            ));
        }
        Ok(RepoPattern {
            forge,
            pattern: pattern.to_owned(),
        })
    }

    /// Whether the repository `path` on `forge` matches.
    pub fn matches(&self, forge: ForgeKind, path: &str) -> bool {
        self.forge == forge && glob(self.pattern.as_bytes(), path.as_bytes())
    }
}

impl fmt::Display for RepoPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.forge.as_str(), self.pattern)
    }
}

/// `*` matches any run of bytes; everything else matches itself, ASCII case-insensitively
/// (both forges treat paths so).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| t.eq_ignore_ascii_case(c) && glob(rest, tail)),
    }
}

impl<'de> Deserialize<'de> for RepoPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        RepoPattern::parse(&text).map_err(D::Error::custom)
    }
}

/// `commands:` of a `repos:` entry: command → minimum role, in file order.
#[derive(Debug, Clone, Default)]
pub struct CommandEntries(pub Vec<(CommandName, Role)>);

impl<'de> Deserialize<'de> for CommandEntries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = CommandEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of command → minimum role")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CommandEntries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<CommandName, Role>()? {
                    out.push(entry);
                }
                Ok(CommandEntries(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

/// The process sections of one `repos:` entry (the same as a repository file's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSections {
    /// Replaces `rules:`.
    #[serde(default)]
    pub rules: Option<Vec<rules::Rule>>,
    /// Replaces `triage:`.
    #[serde(default)]
    pub triage: Option<TriageConfig>,
    /// Replaces `commands:` (each command not named keeps its default role).
    #[serde(default)]
    pub commands: Option<CommandEntries>,
    /// Replaces `release:`.
    #[serde(default)]
    pub release: Option<release::ReleaseConfig>,
    /// Replaces `schedules:`.
    #[serde(default)]
    pub schedules: Option<Vec<schedule::Schedule>>,
}

impl RepoSections {
    /// The same sections in the shape of a repository file.
    pub fn to_file(&self) -> RepoFile {
        RepoFile {
            extends: None,
            commands: self
                .commands
                .as_ref()
                .map(|c| CommandRoles::from_entries(c.0.iter().copied())),
            release: self.release.clone(),
            triage: self.triage.clone(),
            schedules: self.schedules.clone(),
            rules: self.rules.clone(),
            labels: None,
        }
    }
}

impl Validate for RepoSections {
    fn validate(&self, report: &mut Report<'_>) {
        if let Some(rules) = &self.rules {
            for (i, rule) in rules.iter().enumerate() {
                rule.validate(&mut report.scoped(&format!("rules[{i}]")));
            }
            rules::validate_unique_ids(rules, report);
        }
        if let Some(triage) = &self.triage {
            triage.validate(&mut report.scoped("triage"));
        }
        if let Some(release) = &self.release {
            release.validate(&mut report.scoped("release"));
        }
        if let Some(schedules) = &self.schedules {
            for (i, s) in schedules.iter().enumerate() {
                s.validate(&mut report.scoped(&format!("schedules[{i}]")));
            }
        }
        super::repo::refuse_other_repos(self.schedules.as_deref(), self.release.as_ref(), report);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_by_forge_and_wildcard() {
        let p = RepoPattern::parse("gitlab:acme/*").unwrap();
        assert!(p.matches(ForgeKind::Gitlab, "acme/app"));
        assert!(p.matches(ForgeKind::Gitlab, "Acme/web/app"));
        assert!(!p.matches(ForgeKind::Github, "acme/app"));
        assert!(!p.matches(ForgeKind::Gitlab, "other/app"));
        let exact = RepoPattern::parse("github:acme/app").unwrap();
        assert!(exact.matches(ForgeKind::Github, "acme/app"));
        assert!(!exact.matches(ForgeKind::Github, "acme/app2"));
        assert!(RepoPattern::parse("gitea:acme/app").is_err());
        assert!(RepoPattern::parse("acme/app").is_err());
        assert!(RepoPattern::parse("github:acme//app").is_err());
    }

    #[test]
    fn entries_are_read_and_validated_with_their_line() {
        use crate::config::Config;
        let ok = "repos:\n  \"github:acme/*\":\n    rules: []\n    triage:\n      engineering_lead: carol\n";
        let config = Config::from_str(ok, "s.yml", &|_| None).expect("valid");
        let base = config.for_repo(ForgeKind::Github, "acme/app");
        assert_eq!(base.triage.engineering_lead.as_deref(), Some("carol"));
        let other = config.for_repo(ForgeKind::Github, "else/app");
        assert_eq!(other.triage, config.triage);

        let bad = "repos:\n  \"gitea:acme/*\": {}\n  \"github:acme/app\":\n    roles: {}\n    rules:\n      - id: a\n        on: [issue.nope]\n";
        let errors = Config::from_str(bad, "s.yml", &|_| None).expect_err("invalid");
        let text = errors.to_string();
        assert!(text.contains("s.yml:2:3:"), "{text}");
        assert!(
            text.contains("s.yml:4:5:") && text.contains("roles"),
            "{text}"
        );
        assert!(text.contains("s.yml:7:"), "{text}");
    }
}
