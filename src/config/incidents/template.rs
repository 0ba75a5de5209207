//! The incident issue's title and body templates: the defaults, the variables they may use,
//! and their compilation (at load, so that an unknown variable is an error with its line).

use super::super::{Report, Spanned};
use crate::release::template::{Template, TemplateError};

/// Variables of the incident title and body templates:
/// `summary` (what is down, one line), `source` (`Alertmanager` / `Pingdom`), `status`
/// (`firing`), `since` (start, UTC), `identity`, `check` (Pingdom's check name or none),
/// `assignee` (login or none), `notify` (logins), `alerts` (each with `summary`, `status`,
/// `since`, `until`, `url`, `fingerprint`), `links` (`title`, `url`), `labels` and
/// `annotations` (`name`, `value`), `truncated` (alerts the sender left out).
pub const INCIDENT_VARS: &[&str] = &[
    "summary",
    "source",
    "status",
    "since",
    "identity",
    "check",
    "assignee",
    "notify",
    "alerts",
    "links",
    "labels",
    "annotations",
    "truncated",
];

/// Default title of an incident issue.
pub const DEFAULT_TITLE: &str = "{{ summary }}";

/// Default body of an incident issue.
pub const DEFAULT_BODY: &str = r#"## {{ summary }}

- **Down since:** {{ since }}
- **Source:** {{ source }}{% if check %} check `{{ check }}`{% endif %}

- **Assigned to:** {{ "@" ~ assignee if assignee else "_nobody_" }}

### Alerts

{% for alert in alerts %}
- {{ alert.summary }}: {{ alert.status }}{% if alert.since %} since {{ alert.since }}{% endif %}{% if alert.url %} ([source]({{ alert.url }})){% endif %}

{% endfor %}
{% if truncated %}
- and {{ truncated }} more that {{ source }} left out
{% endif %}
{% if links %}

### Links

{% for link in links %}
- [{{ link.title }}]({{ link.url }})
{% endfor %}
{% endif %}
{% if annotations %}

### Annotations

{% for item in annotations %}
- **{{ item.name }}:** {{ item.value }}
{% endfor %}
{% endif %}
{% if labels %}

### Labels

{% for item in labels %}
- `{{ item.name }}`: `{{ item.value }}`
{% endfor %}
{% endif %}
{% if notify %}

cc {% for login in notify %}@{{ login }}{% if not loop.last %} {% endif %}{% endfor %}

{% endif %}
"#;

/// The configured template, or the default.
pub(super) fn compile(
    name: &str,
    source: Option<&Spanned<String>>,
    default: &str,
) -> Result<Template, TemplateError> {
    let source = source.map(|s| s.value.as_str()).unwrap_or(default);
    Template::compile(name, source, INCIDENT_VARS)
}

/// Report a configured template that does not compile, at its line.
pub(super) fn validate(
    report: &mut Report<'_>,
    source: Option<&Spanned<String>>,
    default: &str,
    name: &str,
) {
    let Some(spanned) = source else { return };
    if let Err(e) = compile(name, source, default) {
        // A block scalar's value starts on its first content line: template line N is N - 1
        // lines further down.
        let mut at = Spanned::new((), spanned.pos, spanned.path.clone());
        if let Some(line) = e.line().filter(|l| *l > 1) {
            at.pos.line += line - 1;
            at.pos.column = 1;
        }
        report.error_at(&at, e.to_string());
    }
}
