//! Body templates (minijinja) that refuse unknown variables when they are compiled, so
//! configuration loading reports them, and fail on undefined values when rendered.

use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use regex::Regex;

/// Variables of the release merge request template.
pub const RELEASE_MR_VARS: &[&str] = &[
    "version",
    "previous_version",
    "bump",
    "changelog",
    "pipeline_url",
    "pipeline_status",
    "release_manager",
    "release_date",
    "tag",
    "project",
];

/// Variables of the deployment request template.
pub const DEPLOY_REQUEST_VARS: &[&str] = &[
    "filed_by",
    "version",
    "tag",
    "release_url",
    "environment",
    "kind",
    "changes",
    "config_changes",
    "requirements",
    "release_manager",
    "project",
];

/// Variables of the next-release checklist template.
pub const CHECKLIST_VARS: &[&str] = &[
    "version",
    "release_date",
    "release_manager",
    "previous_checklist_url",
    "project",
];

/// Variables of the forge release's name template.
pub const RELEASE_NAME_VARS: &[&str] = &["tag", "version", "project"];

/// Marker kind of release merge requests.
pub const MARKER_RELEASE_MR: &str = "release-mr";
/// Marker kind of deployment request issues.
pub const MARKER_DEPLOY_REQUEST: &str = "deploy-request";
/// Marker kind of release checklist issues.
pub const MARKER_CHECKLIST: &str = "release-checklist";

/// The hidden marker that lets a later run find the object an earlier one made:
/// `<!-- forgehand:release-mr v1.4.0 -->`, or with a qualifier
/// `<!-- forgehand:deploy-request v1.4.0 production -->`. The version is always written
/// with a single `v`, whatever the tag prefix. Templates call it as `marker(kind, version)`
/// or `marker(kind, version, qualifier)`.
pub fn marker(kind: &str, version: &str, qualifier: Option<&str>) -> String {
    let version = version.trim().trim_start_matches('v');
    match qualifier {
        Some(q) if !q.trim().is_empty() => {
            format!("<!-- forgehand:{kind} v{version} {} -->", q.trim())
        }
        _ => format!("<!-- forgehand:{kind} v{version} -->"),
    }
}

/// `body` with `marker` on its first line unless it already contains it (for user
/// templates that left the marker out).
pub fn ensure_marker(body: &str, marker: &str) -> String {
    if body.contains(marker) {
        body.to_string()
    } else {
        format!("{marker}\n{body}")
    }
}

/// Why a template cannot be used. `line` is the line within the template, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template `{template}`{}: {message}", at(*line))]
    Syntax {
        template: String,
        line: Option<usize>,
        message: String,
    },
    #[error("template `{template}`{}: unknown variable `{variable}` (known: {})", at(*line), allowed.join(", "))]
    UnknownVariable {
        template: String,
        variable: String,
        line: Option<usize>,
        allowed: Vec<String>,
    },
    #[error("template `{template}`{}: {message}", at(*line))]
    Render {
        template: String,
        line: Option<usize>,
        message: String,
    },
}

impl TemplateError {
    /// The line within the template the error points at, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            TemplateError::Syntax { line, .. }
            | TemplateError::UnknownVariable { line, .. }
            | TemplateError::Render { line, .. } => *line,
        }
    }
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

/// A compiled template whose variables are known to be in its allowed set.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    env: Environment<'static>,
}

impl Template {
    /// Parses `source` and checks every variable it reads is in `allowed_vars` (helpers
    /// such as `marker` and minijinja's `range`, `dict`, `namespace` are always allowed).
    pub fn compile(
        name: &str,
        source: &str,
        allowed_vars: &[&str],
    ) -> Result<Template, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.add_function(
            "marker",
            |kind: String, version: String, qualifier: Option<String>| {
                marker(&kind, &version, qualifier.as_deref())
            },
        );
        env.add_template_owned(name.to_string(), source.to_string())
            .map_err(|e| TemplateError::Syntax {
                template: name.to_string(),
                line: e.line(),
                message: describe(&e),
            })?;
        let template = Template {
            name: name.to_string(),
            env,
        };
        template.check_variables(source, allowed_vars)?;
        Ok(template)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renders with `ctx` (a JSON object); any undefined value is an error.
    pub fn render(&self, ctx: &serde_json::Value) -> Result<String, TemplateError> {
        let render_error = |e: minijinja::Error| TemplateError::Render {
            template: self.name.clone(),
            line: e.line(),
            message: describe(&e),
        };
        let template = self.env.get_template(&self.name).map_err(render_error)?;
        template.render(ctx).map_err(render_error)
    }

    fn check_variables(&self, source: &str, allowed: &[&str]) -> Result<(), TemplateError> {
        let template = self
            .env
            .get_template(&self.name)
            .expect("template was just added");
        let globals: Vec<&str> = self.env.globals().map(|(name, _)| name).collect();
        let mut unknown: Vec<(Option<usize>, String)> = template
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !allowed.contains(&v.as_str()) && !globals.contains(&v.as_str()))
            .map(|v| (first_use_line(source, &v), v))
            .collect();
        // Report the earliest use; unknown lines sort last.
        unknown.sort_by_key(|(line, name)| (line.unwrap_or(usize::MAX), name.clone()));
        match unknown.into_iter().next() {
            None => Ok(()),
            Some((line, variable)) => Err(TemplateError::UnknownVariable {
                template: self.name.clone(),
                variable,
                line,
                allowed: allowed.iter().map(|v| v.to_string()).collect(),
            }),
        }
    }
}

/// The error's kind and detail without minijinja's own location suffix.
fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// The line of the first `{{ … }}` or `{% … %}` tag that reads `variable` (not as an
/// attribute such as `x.variable`).
fn first_use_line(source: &str, variable: &str) -> Option<usize> {
    static TAGS: OnceLock<Regex> = OnceLock::new();
    let tags = TAGS.get_or_init(|| Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}").expect("valid regex"));
    let use_re = Regex::new(&format!(r"(?:^|[^.\w])({})\b", regex::escape(variable))).ok()?;
    tags.find_iter(source).find_map(|tag| {
        let found = use_re.captures(tag.as_str())?.get(1)?;
        let offset = tag.start() + found.start();
        Some(source[..offset].matches('\n').count() + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compile_checks_variables() {
        let allowed = &["version", "changes", "project"];
        /// Ok, or the unknown variable reported and its line.
        type Expected<'a> = Result<(), (&'a str, Option<usize>)>;
        let cases: &[(&str, Expected)] = &[
            ("Release {{ version }}", Ok(())),
            (
                "{% for c in changes %}{{ c.title }}{{ loop.index }}{% endfor %}",
                Ok(()),
            ),
            (
                "{% set n = version %}{{ n }}{{ marker('release-mr', version) }}",
                Ok(()),
            ),
            (
                "{% for i in range(3) %}{{ i }}{% endfor %}{{ project | upper }}",
                Ok(()),
            ),
            ("{{ versoin }}", Err(("versoin", Some(1)))),
            (
                "ok\n{{ version }}\n\n{% if owner %}x{% endif %}",
                Err(("owner", Some(4))),
            ),
            ("{{ project.owner }}\n{{ owner }}", Err(("owner", Some(2)))),
            ("{{ b }}\n{{ a }}", Err(("b", Some(1)))),
            ("{% for c in items %}{% endfor %}", Err(("items", Some(1)))),
            ("{{ version if tag else project }}", Err(("tag", Some(1)))),
        ];
        for (source, expected) in cases {
            let got = Template::compile("t", source, allowed).map(|_| ());
            match (got, expected) {
                (Ok(()), Ok(())) => {}
                (
                    Err(TemplateError::UnknownVariable { variable, line, .. }),
                    Err((want, want_line)),
                ) => {
                    assert_eq!((variable.as_str(), line), (*want, *want_line), "{source}");
                }
                (got, want) => panic!("{source}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn reports_syntax_errors_with_line() {
        let err =
            Template::compile("body", "one\ntwo {{ version\nthree", &["version"]).unwrap_err();
        assert!(matches!(err, TemplateError::Syntax { .. }), "{err:?}");
        assert!(err.line().is_some());
        let err = Template::compile("body", "a\n{% if version %}\nb", &["version"]).unwrap_err();
        assert!(matches!(err, TemplateError::Syntax { .. }), "{err:?}");
        assert!(err.to_string().starts_with("template `body` line"), "{err}");
    }

    #[test]
    fn strict_rendering() {
        let template = Template::compile("t", "a\n{{ version.major }}", &["version"]).unwrap();
        let err = template.render(&json!({"version": "1.0.0"})).unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
        let err = template.render(&json!({})).unwrap_err();
        assert!(matches!(err, TemplateError::Render { .. }));
        let ok = Template::compile("t", "{{ version }} <b>\n", &["version"]).unwrap();
        assert_eq!(
            ok.render(&json!({"version": "1 & 2"})).unwrap(),
            "1 & 2 <b>\n"
        );
        assert_eq!(ok.name(), "t");
    }

    #[test]
    fn markers() {
        let cases = [
            (
                "release-mr",
                "1.4.0",
                None,
                "<!-- forgehand:release-mr v1.4.0 -->",
            ),
            (
                "release-mr",
                "v1.4.0",
                None,
                "<!-- forgehand:release-mr v1.4.0 -->",
            ),
            (
                "deploy-request",
                "1.4.0",
                Some("production"),
                "<!-- forgehand:deploy-request v1.4.0 production -->",
            ),
            (
                "deploy-request",
                "1.4.0",
                Some(""),
                "<!-- forgehand:deploy-request v1.4.0 -->",
            ),
        ];
        for (kind, version, qualifier, expected) in cases {
            assert_eq!(marker(kind, version, qualifier), expected);
        }
        let template = Template::compile(
            "t",
            "{{ marker('x', version) }}|{{ marker('y', version, 'staging') }}",
            &["version"],
        )
        .unwrap();
        assert_eq!(
            template.render(&json!({"version": "2.0.0"})).unwrap(),
            "<!-- forgehand:x v2.0.0 -->|<!-- forgehand:y v2.0.0 staging -->"
        );
        let m = marker(MARKER_CHECKLIST, "1.0.0", None);
        assert_eq!(ensure_marker("body", &m), format!("{m}\nbody"));
        assert_eq!(ensure_marker(&format!("x {m}"), &m), format!("x {m}"));
    }
}
