//! The `release:` configuration section: tag format, release branch and labels, changelog
//! groups, calendar, rotation, templates (compiled at load so unknown variables are errors
//! with their position), deployment requests, the next-release checklist and version bumps;
//! the forge release, feedback and failed-publish parts are in `publish.rs`.

use super::publish::{FailedPublishConfig, FeedbackConfig, PublishConfig};
use super::{Report, Spanned, Validate};
use crate::release::bodies::{DEFAULT_CHECKLIST, DEFAULT_DEPLOY_REQUEST, DEFAULT_RELEASE_MR};
use crate::release::bump::VersionFile;
use crate::release::calendar::Calendar;
use crate::release::changelog::ChangeGroup;
use crate::release::rotation::Rotation;
use crate::release::template::{
    Template, TemplateError, CHECKLIST_VARS, DEPLOY_REQUEST_VARS, RELEASE_MR_VARS,
};
use crate::release::version::TagFormat;
use crate::release::DeployEnvironment;
use crate::role::Role;
use serde::Deserialize;

/// Default branch the release merge request comes from.
pub const DEFAULT_RELEASE_BRANCH: &str = "release-next";
/// Default changelog file read at the tag.
pub const DEFAULT_CHANGELOG_FILE: &str = "CHANGELOG.md";
/// Default CI stage that marks the tag's publishing pipeline.
pub const DEFAULT_PIPELINE_STAGE: &str = "publish";
/// Default number of dates `/release schedule` lists.
pub const DEFAULT_SCHEDULE_COUNT: usize = 4;
/// Most dates `/release schedule` may be configured to list.
pub const MAX_SCHEDULE_COUNT: usize = 26;

/// `release:` — absent or `enabled: false` turns release automation off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleaseConfig {
    /// Whether tags, pipelines and releases are acted on. Default false.
    pub enabled: bool,
    /// Text in front of the version in tags. Default `v`.
    pub tag_prefix: Option<String>,
    /// Tags without the prefix are ignored. Default false (`1.2.3` and `v1.2.3` both count).
    pub require_prefix: bool,
    /// Branch the release merge request comes from. Default `release-next`.
    pub release_branch: Option<String>,
    /// The branch releases merge into; default: the repository's default branch.
    pub default_branch: Option<String>,
    /// Keep a Changelog file read at the tag. Default `CHANGELOG.md`.
    pub changelog_file: Option<String>,
    /// CI stage (GitLab) / workflow name part (GitHub) of the tag's publishing pipeline.
    /// Default `publish`.
    pub pipeline_stage: Option<String>,
    /// Label names the release flow uses.
    pub labels: ReleaseLabels,
    /// Groups of the generated changelog (merged changes by label), in order.
    pub changelog_groups: Vec<ChangeGroup>,
    /// When releases happen; without it there are no release dates.
    pub calendar: Option<Calendar>,
    /// Who manages each release; without it nobody is assigned.
    pub rotation: Option<Rotation>,
    /// Body templates (minijinja); the shipped defaults apply when left out.
    pub templates: Templates,
    /// Deployment requests for the operations team; off when absent.
    pub deploy_requests: Option<DeployRequests>,
    /// Checklist issue for the next release when one ships; off when absent.
    pub checklist: Option<ChecklistConfig>,
    /// Merge request bumping the version file to the next version; off when absent.
    pub version_bump: Option<VersionBump>,
    /// Dates `/release schedule` lists. Default 4.
    pub schedule_count: Option<usize>,
    /// The forge's release object of each release tag; off when absent.
    pub publish: Option<PublishConfig>,
    /// "Released in" comments and labels on a published release's items; off when absent.
    pub feedback: Option<FeedbackConfig>,
    /// An issue when a release tag's publish pipeline fails; off when absent.
    pub failed_publish: Option<FailedPublishConfig>,
    /// What happens on each calendar date (release-day call, production train); off when
    /// absent.
    pub release_day: Option<super::release_day::ReleaseDayConfig>,
}

/// Label names of the release flow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleaseLabels {
    /// On the release merge request. Default `release`.
    pub release: String,
    /// Added to the release merge request of a patch release. Default `hotfix`.
    pub hotfix: String,
    /// Open issues with this label block `/deploy`. Default `release-blocker`.
    pub blocker: String,
    /// Changes with this label are listed as configuration changes. Default `config-change`.
    pub config_change: String,
}

impl Default for ReleaseLabels {
    fn default() -> Self {
        ReleaseLabels {
            release: "release".into(),
            hotfix: "hotfix".into(),
            blocker: "release-blocker".into(),
            config_change: "config-change".into(),
        }
    }
}

/// Template sources; each is checked against its variables when the file loads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Templates {
    /// Body of the release merge request ([`RELEASE_MR_VARS`]).
    pub release: Option<Spanned<String>>,
    /// Body of a deployment request ([`DEPLOY_REQUEST_VARS`]).
    pub deploy_request: Option<Spanned<String>>,
    /// Body of the next-release checklist ([`CHECKLIST_VARS`]).
    pub checklist: Option<Spanned<String>>,
}

/// Which event files the automatic deployment request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployTrigger {
    /// A published release (default).
    #[default]
    Release,
    /// The tag push itself.
    Tag,
    /// Only `/deploy` files them.
    Command,
}

/// `release.deploy_requests:` — where and when deployment requests are filed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployRequests {
    /// The ops repository / project the issues go to (may be another one).
    pub project: String,
    /// What files the automatic request. Default `release`.
    #[serde(default)]
    pub on: DeployTrigger,
    /// Environment of the automatic request. Default `staging`.
    #[serde(default = "default_environment")]
    pub environment: DeployEnvironment,
    /// Labels of the issue. Default `deployment`.
    #[serde(default = "default_deploy_labels")]
    pub labels: Vec<String>,
    /// Role that may `/deploy` besides the release manager. Default `maintainer`.
    #[serde(default = "default_deploy_role")]
    pub role: Role,
}

/// `release.checklist:` — the tracking issue of the next release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistConfig {
    /// Repository / project of the checklist; default the released one.
    #[serde(default)]
    pub project: Option<String>,
    /// Labels of the issue. Default `release-checklist`.
    #[serde(default = "default_checklist_labels")]
    pub labels: Vec<String>,
}

/// `release.version_bump:` — the file holding the version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionBump {
    /// `package.json`, `Cargo.toml` or `VERSION` (any path ending so).
    pub file: Spanned<String>,
    /// Branch prefix; the branch is `PREFIX` + version. Default `forgehand/bump-`.
    #[serde(default = "default_bump_prefix")]
    pub branch_prefix: String,
}

fn default_environment() -> DeployEnvironment {
    DeployEnvironment::Staging
}
fn default_deploy_labels() -> Vec<String> {
    vec!["deployment".into()]
}
fn default_deploy_role() -> Role {
    Role::Maintainer
}
fn default_checklist_labels() -> Vec<String> {
    vec!["release-checklist".into()]
}
fn default_bump_prefix() -> String {
    "forgehand/bump-".into()
}

/// Which body a template renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    Release,
    DeployRequest,
    Checklist,
}

impl ReleaseConfig {
    pub fn tag_format(&self) -> TagFormat {
        TagFormat {
            prefix: self.tag_prefix.clone().unwrap_or_else(|| "v".into()),
            require_prefix: self.require_prefix,
        }
    }

    pub fn release_branch(&self) -> &str {
        self.release_branch
            .as_deref()
            .unwrap_or(DEFAULT_RELEASE_BRANCH)
    }

    pub fn changelog_file(&self) -> &str {
        self.changelog_file
            .as_deref()
            .unwrap_or(DEFAULT_CHANGELOG_FILE)
    }

    pub fn pipeline_stage(&self) -> &str {
        self.pipeline_stage
            .as_deref()
            .unwrap_or(DEFAULT_PIPELINE_STAGE)
    }

    pub fn schedule_count(&self) -> usize {
        self.schedule_count.unwrap_or(DEFAULT_SCHEDULE_COUNT)
    }

    /// Labels of the failed-publish issue: the configured ones, else the blocker label.
    pub fn failed_publish_labels(&self) -> Vec<String> {
        match &self.failed_publish {
            Some(f) if !f.labels.is_empty() => f.labels.clone(),
            _ => vec![self.labels.blocker.clone()],
        }
    }

    /// The compiled template of `kind` (the configured one or the default).
    pub fn template(&self, kind: TemplateKind) -> Result<Template, TemplateError> {
        let (name, source, default, vars) = self.template_parts(kind);
        let source = source.map(|s| s.value.as_str()).unwrap_or(default);
        Template::compile(name, source, vars)
    }

    fn template_parts(
        &self,
        kind: TemplateKind,
    ) -> (
        &'static str,
        Option<&Spanned<String>>,
        &'static str,
        &'static [&'static str],
    ) {
        match kind {
            TemplateKind::Release => (
                "release",
                self.templates.release.as_ref(),
                DEFAULT_RELEASE_MR,
                RELEASE_MR_VARS,
            ),
            TemplateKind::DeployRequest => (
                "deploy_request",
                self.templates.deploy_request.as_ref(),
                DEFAULT_DEPLOY_REQUEST,
                DEPLOY_REQUEST_VARS,
            ),
            TemplateKind::Checklist => (
                "checklist",
                self.templates.checklist.as_ref(),
                DEFAULT_CHECKLIST,
                CHECKLIST_VARS,
            ),
        }
    }
}

impl Validate for ReleaseConfig {
    fn validate(&self, report: &mut Report<'_>) {
        for kind in [
            TemplateKind::Release,
            TemplateKind::DeployRequest,
            TemplateKind::Checklist,
        ] {
            let (_, source, _, _) = self.template_parts(kind);
            let Some(source) = source else { continue };
            if let Err(e) = self.template(kind) {
                // Point at the template's line: a block scalar's value starts on its first
                // content line, so template line N is N - 1 lines further down.
                let mut at = Spanned::new((), source.pos, source.path.clone());
                if let Some(line) = e.line().filter(|l| *l > 1) {
                    at.pos.line += line - 1;
                    at.pos.column = 1;
                }
                report.error_at(&at, e.to_string());
            }
        }
        if let Some(bump) = &self.version_bump {
            if VersionFile::from_path(&bump.file).is_none() {
                report.error_at(
                    &bump.file,
                    format!(
                        "`{}` is not a package.json, Cargo.toml or VERSION file",
                        bump.file.value
                    ),
                );
            }
        }
        if let Some(count) = self.schedule_count {
            if count == 0 || count > MAX_SCHEDULE_COUNT {
                report.error(
                    "schedule_count",
                    format!("must be between 1 and {MAX_SCHEDULE_COUNT}"),
                );
            }
        }
        if self.release_branch().trim().is_empty() {
            report.error("release_branch", "must not be empty");
        }
        if let Some(publish) = &self.publish {
            publish.validate(&mut report.scoped("publish"));
        }
        if let Some(feedback) = &self.feedback {
            feedback.validate(&mut report.scoped("feedback"));
        }
        if let Some(failed) = &self.failed_publish {
            failed.validate(&mut report.scoped("failed_publish"));
        }
        if let Some(day) = &self.release_day {
            day.validate(&mut report.scoped("release_day"));
            if self.calendar.is_none() {
                report.error(
                    "release_day",
                    "the release day needs `release.calendar` to know its dates",
                );
            }
            if day.production_train.is_some() && self.deploy_requests.is_none() {
                report.error(
                    "release_day.production_train",
                    "the production train files deployment requests: configure \
                     `release.deploy_requests`",
                );
            }
        }
        if let Some(deploy) = &self.deploy_requests {
            if deploy.project.trim().is_empty() {
                report.error(
                    "deploy_requests.project",
                    "must name a repository / project",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn errors(yaml: &str) -> Vec<String> {
        match Config::from_str(yaml, "f.yml", &|_| None) {
            Ok(_) => vec![],
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn release_section_errors_have_positions() {
        let cases: &[(&str, &str)] = &[
            (
                "release:\n  enabled: true\n  tag_prefx: v\n",
                "f.yml:3:3: release: unknown field `tag_prefx`",
            ),
            (
                "release:\n  templates:\n    release: |\n      {{ version }}\n      {{ nope }}\n",
                "f.yml:5:1: release.templates.release: template `release` line 2: unknown variable `nope`",
            ),
            (
                "release:\n  templates:\n    checklist: \"{{ changes }}\"\n",
                "f.yml:3:16: release.templates.checklist: template `checklist` line 1: unknown variable `changes`",
            ),
            (
                "release:\n  templates:\n    deploy_request: \"{% if %}\"\n",
                "f.yml:3:21: release.templates.deploy_request: template `deploy_request`",
            ),
            (
                "release:\n  version_bump:\n    file: setup.py\n",
                "f.yml:3:11: release.version_bump.file: `setup.py` is not a package.json, Cargo.toml or VERSION file",
            ),
            (
                "release:\n  schedule_count: 0\n",
                "f.yml:2:19: release.schedule_count: must be between 1 and 26",
            ),
            (
                "release:\n  deploy_requests:\n    project: acme/ops\n    on: merge\n",
                "f.yml:4:9: release.deploy_requests.on: unknown variant `merge`",
            ),
            (
                "release:\n  calendar:\n    cadence: {every_weeks: 2, weekday: tuesday, anchor: 2026-01-07, bump: minor}\n",
                "f.yml:3:",
            ),
        ];
        for (yaml, expected) in cases {
            let found = errors(yaml);
            assert_eq!(found.len(), 1, "{yaml}: {found:?}");
            assert!(
                found[0].starts_with(expected),
                "{yaml}:\n{}\nexpected {expected}",
                found[0]
            );
        }
    }

    #[test]
    fn defaults_apply() {
        let config = Config::from_str("release:\n  enabled: true\n", "f", &|_| None).unwrap();
        let release = &config.release;
        assert_eq!(release.release_branch(), "release-next");
        assert_eq!(release.changelog_file(), "CHANGELOG.md");
        assert_eq!(release.pipeline_stage(), "publish");
        assert_eq!(release.tag_format().prefix, "v");
        assert_eq!(release.labels.blocker, "release-blocker");
        assert!(
            !Config::from_str("", "f", &|_| None)
                .unwrap()
                .release
                .enabled
        );
    }
}
