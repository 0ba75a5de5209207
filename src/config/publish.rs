//! The parts of the `release:` section about what happens around publishing: the forge's
//! release object (`publish:`), "released in" feedback on the issues and merge requests of
//! a published release (`feedback:`), and the issue a failed publish opens
//! (`failed_publish:`). Each is off when absent.

use super::{Report, Spanned, Validate};
use crate::release::template::{Template, TemplateError, RELEASE_NAME_VARS};
use serde::Deserialize;

/// Default name of a forge release: the tag (`v1.4.0`).
pub const DEFAULT_RELEASE_NAME: &str = "{{ tag }}";
/// Default label of released issues and merge requests.
pub const DEFAULT_RELEASED_LABEL: &str = "released";
/// Default most items that get their own "released in" comment and label.
pub const DEFAULT_FEEDBACK_MAX_ITEMS: usize = 100;
/// Highest `feedback.max_items` that may be configured (each item costs up to three calls).
pub const MAX_FEEDBACK_ITEMS: usize = 1000;

/// What creates — or publishes — the forge's release object of a tag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishTrigger {
    /// The tag's publish pipeline succeeds (default).
    #[default]
    Pipeline,
    /// The tag is pushed.
    Tag,
    /// The release merge request is merged.
    Merge,
}

/// `release.publish:` — the GitHub release / GitLab release of each release tag.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishConfig {
    /// When the release is created or published. Default `pipeline`.
    #[serde(default)]
    pub on: PublishTrigger,
    /// Template of the release's name (variables `tag`, `version`, `project`). Default
    /// `{{ tag }}`, i.e. `v1.4.0`.
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// Keep a draft release up to date from the tag push on and publish it when `on`
    /// fires (GitHub; GitLab has no drafts and creates the release then). Default false.
    #[serde(default)]
    pub draft: bool,
}

impl PublishConfig {
    /// The compiled name template (the configured one or the default).
    pub fn name_template(&self) -> Result<Template, TemplateError> {
        let source = self.name.as_ref().map(|s| s.value.as_str());
        Template::compile(
            "release_name",
            source.unwrap_or(DEFAULT_RELEASE_NAME),
            RELEASE_NAME_VARS,
        )
    }
}

impl Validate for PublishConfig {
    fn validate(&self, report: &mut Report<'_>) {
        if let (Some(name), Err(e)) = (&self.name, self.name_template()) {
            report.error_at(name, e.to_string());
        }
        if self.draft && self.on == PublishTrigger::Tag {
            report.error(
                "draft",
                "a draft is published by a later step: use `on: pipeline` or `on: merge`",
            );
        }
    }
}

/// `release.feedback:` — "released in" on each issue and merge request of a release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackConfig {
    /// Comment "Released in v1.4.0" with the release's link. Default true.
    #[serde(default = "yes")]
    pub comment: bool,
    /// Labels added to each; `[]` adds none. Default `released`.
    #[serde(default = "default_released_labels")]
    pub labels: Vec<String>,
    /// Above this many issues and merge requests, one summary comment goes on the release
    /// merge request instead (no labels). Default 100.
    #[serde(default = "default_max_items")]
    pub max_items: usize,
}

impl Validate for FeedbackConfig {
    fn validate(&self, report: &mut Report<'_>) {
        if !self.comment && self.labels.is_empty() {
            report.error("", "does nothing: set `comment: true` or name `labels`");
        }
        if self.max_items == 0 || self.max_items > MAX_FEEDBACK_ITEMS {
            report.error(
                "max_items",
                format!("must be between 1 and {MAX_FEEDBACK_ITEMS}"),
            );
        }
        if self.labels.iter().any(|l| l.trim().is_empty()) {
            report.error("labels", "a label name must not be empty");
        }
    }
}

/// `release.failed_publish:` — one issue per release tag whose publish pipeline failed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailedPublishConfig {
    /// Labels of the issue. Default: the blocker label (`release.labels.blocker`), so that
    /// `/deploy` refuses while the issue is open.
    #[serde(default)]
    pub labels: Vec<String>,
}

impl Validate for FailedPublishConfig {
    fn validate(&self, report: &mut Report<'_>) {
        if self.labels.iter().any(|l| l.trim().is_empty()) {
            report.error("labels", "a label name must not be empty");
        }
    }
}

fn yes() -> bool {
    true
}
fn default_released_labels() -> Vec<String> {
    vec![DEFAULT_RELEASED_LABEL.into()]
}
fn default_max_items() -> usize {
    DEFAULT_FEEDBACK_MAX_ITEMS
}

#[cfg(test)]
mod tests {
    use crate::config::publish::PublishTrigger;
    use crate::config::Config;

    fn errors(yaml: &str) -> Vec<String> {
        match Config::from_str(yaml, "f.yml", &|_| None) {
            Ok(_) => vec![],
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn publishing_sections_errors_have_positions() {
        let cases: &[(&str, &str)] = &[
            (
                "release:\n  publish:\n    on: release\n",
                "f.yml:3:9: release.publish.on: unknown variant `release`",
            ),
            (
                "release:\n  publish:\n    name: \"{{ nme }}\"\n",
                "f.yml:3:11: release.publish.name: template `release_name` line 1: unknown variable `nme`",
            ),
            (
                "release:\n  publish:\n    on: tag\n    draft: true\n",
                "f.yml:4:12: release.publish.draft: a draft is published by a later step",
            ),
            (
                "release:\n  feedback:\n    max_items: 0\n",
                "f.yml:3:16: release.feedback.max_items: must be between 1 and 1000",
            ),
            (
                "release:\n  feedback:\n    comment: false\n    labels: []\n",
                "f.yml:3:5: release.feedback: does nothing",
            ),
            (
                "release:\n  failed_publish:\n    labels: [\"\"]\n",
                "f.yml:3:13: release.failed_publish.labels: a label name must not be empty",
            ),
            (
                "release:\n  failed_publish:\n    assign: me\n",
                "f.yml:3:5: release.failed_publish: unknown field `assign`",
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
    fn defaults_apply_and_absent_sections_are_off() {
        let yaml =
            "release:\n  enabled: true\n  publish: {}\n  feedback: {}\n  failed_publish: {}\n";
        let config = Config::from_str(yaml, "f", &|_| None).unwrap();
        let release = &config.release;
        let publish = release.publish.as_ref().unwrap();
        assert_eq!(publish.on, PublishTrigger::Pipeline);
        assert!(!publish.draft);
        let name = publish.name_template().unwrap();
        let named = name
            .render(&serde_json::json!({"tag": "v1.4.0", "version": "1.4.0", "project": "a/b"}));
        assert_eq!(named.unwrap(), "v1.4.0");
        let feedback = release.feedback.as_ref().unwrap();
        assert!(feedback.comment);
        assert_eq!(feedback.labels, ["released"]);
        assert_eq!(feedback.max_items, 100);
        assert_eq!(release.failed_publish_labels(), ["release-blocker"]);
        let off = Config::from_str("release:\n  enabled: true\n", "f", &|_| None).unwrap();
        assert!(off.release.publish.is_none() && off.release.feedback.is_none());
        assert!(off.release.failed_publish.is_none());
    }
}
