//! The default bodies forgehand writes for releases (merge request, deployment request,
//! checklist issue) and the typed contexts they are rendered with.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::changelog::ChangeEntry;
use super::version::{BumpKind, Version};

/// Default body of the release merge request (`release-next` → default branch).
pub const DEFAULT_RELEASE_MR: &str = r#"{{ marker("release-mr", version) }}
# Release {{ tag }}

| | |
|---|---|
| Project | {{ project }} |
| Version | `{{ version }}`{% if previous_version %} (previous: `{{ previous_version }}`){% endif %} |
| Bump | {{ bump if bump else "first release" }} |
| Release date | {{ release_date if release_date else "not scheduled" }} |
| Release manager | {{ "@" ~ release_manager if release_manager else "_unassigned_" }} |
| Pipeline | {% if pipeline_url %}[{{ pipeline_status if pipeline_status else "pending" }}]({{ pipeline_url }}){% else %}_waiting for the tag pipeline_{% endif %} |

## Changelog

{{ changelog if changelog else "_No changelog entry for this version._" }}

---
Merging brings the release branch of `{{ tag }}` back into the default branch; the source branch is deleted on merge.
"#;

/// Default body of a deployment request issue for the operations team.
pub const DEFAULT_DEPLOY_REQUEST: &str = r#"{{ marker("deploy-request", version, environment) }}
## Deploy {{ project }} {{ tag }} to {{ environment }}

- **Release:** [{{ tag }}]({{ release_url }})
- **Environment:** {{ environment }}
- **Type:** {{ kind }}
- **Release manager:** {{ "@" ~ release_manager if release_manager else "_unassigned_" }}
{% if filed_by %}- **Filed by:** @{{ filed_by }} with `/deploy`{{ "" if filed_by == release_manager else " (not the release manager, whose approval is still open)" }}
{% endif %}

### Changes

{% for change in changes %}
- {{ change.title }} ({% if change.url %}[{{ change.reference }}]({{ change.url }}){% else %}{{ change.reference }}{% endif %})
{% else %}
_No changes listed._
{% endfor %}

### Configuration changes

{% for change in config_changes %}
- {{ change.title }} ({% if change.url %}[{{ change.reference }}]({{ change.url }}){% else %}{{ change.reference }}{% endif %})
{% else %}
_None: no configuration change is needed._
{% endfor %}

### Requirements

{% for requirement in requirements %}
- [{{ "x" if requirement.met else " " }}] {{ requirement.description }}
{% endfor %}
"#;

/// Default body of the checklist issue opened for the next release.
pub const DEFAULT_CHECKLIST: &str = r#"{{ marker("release-checklist", version) }}
## Release {{ version }} checklist

- **Project:** {{ project }}
- **Planned for:** {{ release_date }}
- **Release manager:** {{ "@" ~ release_manager if release_manager else "_unassigned_" }}
{% if previous_checklist_url %}
- **Previous checklist:** {{ previous_checklist_url }}
{% endif %}

### Before the release

- [ ] Everything planned for {{ version }} is merged or moved to a later milestone
- [ ] `CHANGELOG.md` has a section for {{ version }}
- [ ] The version in `package.json` is bumped to {{ version }}
- [ ] QA found no blockers (no open `release-blocker` issues)

### Release

- [ ] The tag for {{ version }} is pushed and its pipeline is green
- [ ] The release merge request is merged
- [ ] Release notes are published

### After the release

- [ ] Deployed to staging
- [ ] Deployed to production
"#;

/// Where a deployment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployEnvironment {
    Staging,
    Production,
}

/// What kind of deployment: a scheduled release or an urgent fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployKind {
    Regular,
    /// An urgent fix to staging.
    Warmfix,
    /// An urgent fix to production.
    Hotfix,
}

/// One line of a deployment request's requirements checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub description: String,
    pub met: bool,
}

/// Context of the release merge request template ([`super::template::RELEASE_MR_VARS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseMrContext {
    pub version: Version,
    pub previous_version: Option<Version>,
    pub bump: Option<BumpKind>,
    /// Markdown: the changelog section or the grouped changes.
    pub changelog: String,
    pub pipeline_url: Option<String>,
    /// Forge pipeline status, e.g. `running`, `success`, `failed`.
    pub pipeline_status: Option<String>,
    pub release_manager: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub tag: String,
    /// `group/name` of the project.
    pub project: String,
}

/// Context of the deployment request template ([`super::template::DEPLOY_REQUEST_VARS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployRequestContext {
    pub version: Version,
    pub tag: String,
    pub release_url: String,
    pub environment: DeployEnvironment,
    pub kind: DeployKind,
    pub changes: Vec<ChangeEntry>,
    pub config_changes: Vec<ChangeEntry>,
    pub requirements: Vec<Requirement>,
    pub release_manager: Option<String>,
    /// Who asked for the request with `/deploy`; `None` when it was filed on its own.
    pub filed_by: Option<String>,
    pub project: String,
}

/// Context of the checklist template ([`super::template::CHECKLIST_VARS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistContext {
    pub version: Version,
    pub release_date: NaiveDate,
    pub release_manager: Option<String>,
    pub previous_checklist_url: Option<String>,
    pub project: String,
}

/// Serializes a context for [`super::template::Template::render`].
pub fn to_context<T: Serialize>(context: &T) -> serde_json::Value {
    serde_json::to_value(context).expect("contexts serialize to JSON objects")
}

#[cfg(test)]
mod tests {
    use super::super::changelog::{change_entries, config_changes, Change, RefStyle};
    use super::super::template::{Template, CHECKLIST_VARS, DEPLOY_REQUEST_VARS, RELEASE_MR_VARS};
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn release_mr(full: bool) -> ReleaseMrContext {
        ReleaseMrContext {
            version: v("1.4.0"),
            previous_version: full.then(|| v("1.3.2")),
            bump: Some(BumpKind::Minor),
            changelog: if full {
                "### Added\n- Dark mode (!12).\n\n### Fixed\n- Crash on empty schedule (!15)."
                    .into()
            } else {
                String::new()
            },
            pipeline_url: full
                .then(|| "https://gitlab.example.com/acme/app/-/pipelines/981".into()),
            pipeline_status: full.then(|| "success".into()),
            release_manager: full.then(|| "alice".into()),
            release_date: full.then(|| d("2026-01-05")),
            tag: "v1.4.0".into(),
            project: "acme/app".into(),
        }
    }

    fn changes() -> Vec<Change> {
        let change = |number, title: &str, labels: &[&str], url: Option<&str>| Change {
            number,
            title: title.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            author: "bob".into(),
            url: url.map(Into::into),
            is_merge_request: true,
            closes: vec![],
        };
        vec![
            change(
                12,
                "Add dark mode",
                &["feature"],
                Some("https://gitlab.example.com/acme/app/-/merge_requests/12"),
            ),
            change(
                15,
                "Read the sync interval from SYNC_INTERVAL",
                &["config-change"],
                None,
            ),
        ]
    }

    fn deploy(with_changes: bool) -> DeployRequestContext {
        let all = if with_changes { changes() } else { Vec::new() };
        let all_refs: Vec<&Change> = all.iter().collect();
        let config = config_changes(&all, "config-change");
        DeployRequestContext {
            version: v("1.4.0"),
            tag: "v1.4.0".into(),
            release_url: "https://gitlab.example.com/acme/app/-/releases/v1.4.0".into(),
            environment: DeployEnvironment::Production,
            kind: if with_changes {
                DeployKind::Regular
            } else {
                DeployKind::Hotfix
            },
            changes: change_entries(&all_refs, RefStyle::GitLab),
            config_changes: change_entries(&config, RefStyle::GitLab),
            requirements: vec![
                Requirement {
                    description: "Pipeline is green".into(),
                    met: true,
                },
                Requirement {
                    description: "No open `release-blocker` issues".into(),
                    met: with_changes,
                },
                Requirement {
                    description: "Release manager approves".into(),
                    met: false,
                },
                Requirement {
                    description: "Not a holiday".into(),
                    met: true,
                },
            ],
            release_manager: with_changes.then(|| "alice".into()),
            filed_by: with_changes.then(|| "bob".into()),
            project: "acme/app".into(),
        }
    }

    fn checklist(previous: bool) -> ChecklistContext {
        ChecklistContext {
            version: v("1.5.0"),
            release_date: d("2026-01-19"),
            release_manager: Some("carol".into()),
            previous_checklist_url: previous
                .then(|| "https://github.com/acme/transit/issues/77".into()),
            project: "acme/transit".into(),
        }
    }

    fn render<T: Serialize>(source: &str, vars: &[&str], context: &T) -> String {
        Template::compile("default", source, vars)
            .unwrap()
            .render(&to_context(context))
            .unwrap()
    }

    /// Snapshot files are named without the crate's module path so they keep their names
    /// wherever this module is compiled.
    fn snapshot(name: &str, body: String) {
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(name, body));
    }

    #[test]
    fn contexts_match_variable_sets() {
        let cases: Vec<(serde_json::Value, &[&str])> = vec![
            (to_context(&release_mr(true)), RELEASE_MR_VARS),
            (to_context(&deploy(true)), DEPLOY_REQUEST_VARS),
            (to_context(&checklist(true)), CHECKLIST_VARS),
        ];
        for (value, vars) in cases {
            let mut keys: Vec<&str> = value
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut vars = vars.to_vec();
            keys.sort_unstable();
            vars.sort_unstable();
            assert_eq!(keys, vars);
        }
    }

    #[test]
    fn release_mr_full() {
        snapshot(
            "release_mr_full",
            render(DEFAULT_RELEASE_MR, RELEASE_MR_VARS, &release_mr(true)),
        );
    }

    #[test]
    fn release_mr_minimal() {
        snapshot(
            "release_mr_minimal",
            render(DEFAULT_RELEASE_MR, RELEASE_MR_VARS, &release_mr(false)),
        );
    }

    #[test]
    fn deploy_request_regular() {
        snapshot(
            "deploy_request_regular",
            render(DEFAULT_DEPLOY_REQUEST, DEPLOY_REQUEST_VARS, &deploy(true)),
        );
    }

    #[test]
    fn deploy_request_empty() {
        snapshot(
            "deploy_request_empty",
            render(DEFAULT_DEPLOY_REQUEST, DEPLOY_REQUEST_VARS, &deploy(false)),
        );
    }

    #[test]
    fn checklist_with_previous() {
        snapshot(
            "checklist_with_previous",
            render(DEFAULT_CHECKLIST, CHECKLIST_VARS, &checklist(true)),
        );
    }

    #[test]
    fn checklist_first() {
        snapshot(
            "checklist_first",
            render(DEFAULT_CHECKLIST, CHECKLIST_VARS, &checklist(false)),
        );
    }

    #[test]
    fn defaults_carry_their_markers() {
        let cases = [
            (
                render(DEFAULT_RELEASE_MR, RELEASE_MR_VARS, &release_mr(true)),
                "<!-- forgehand:release-mr v1.4.0 -->",
            ),
            (
                render(DEFAULT_DEPLOY_REQUEST, DEPLOY_REQUEST_VARS, &deploy(true)),
                "<!-- forgehand:deploy-request v1.4.0 production -->",
            ),
            (
                render(DEFAULT_CHECKLIST, CHECKLIST_VARS, &checklist(true)),
                "<!-- forgehand:release-checklist v1.5.0 -->",
            ),
        ];
        for (body, marker) in cases {
            assert!(body.starts_with(marker), "{body}");
        }
    }
}
