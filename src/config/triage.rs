//! The `triage:` section: who `/triage urgent` and `/triage later` route issues to, and the
//! milestone that holds issues nobody has planned yet.

use super::document::{Report, Validate};
use serde::{Deserialize, Deserializer};

/// Default title of the milestone that `/triage later` sets.
pub const DEFAULT_BACKLOG_MILESTONE: &str = "Backlog";

/// `triage:` — the triagers. Every field may be left out.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TriageConfig {
    /// Login that `/triage urgent` assigns (with the current milestone). Default none: the
    /// command then answers that it is not configured. Empty means none.
    #[serde(default, deserialize_with = "optional_login")]
    pub engineering_lead: Option<String>,
    /// Login that `/triage later` assigns (with the backlog milestone). Default none.
    #[serde(default, deserialize_with = "optional_login")]
    pub product_manager: Option<String>,
    /// Milestone title for issues triaged as `later`. Default `Backlog`.
    #[serde(default = "default_backlog")]
    pub backlog_milestone: String,
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            engineering_lead: None,
            product_manager: None,
            backlog_milestone: default_backlog(),
        }
    }
}

fn default_backlog() -> String {
    DEFAULT_BACKLOG_MILESTONE.to_string()
}

/// A login, or nothing when absent or empty (as `${NAME:-}` expands to); a leading `@` is
/// dropped.
fn optional_login<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text
        .map(|t| t.trim().trim_start_matches('@').to_string())
        .filter(|t| !t.is_empty()))
}

impl Validate for TriageConfig {
    fn validate(&self, report: &mut Report<'_>) {
        for (field, login) in [
            ("engineering_lead", &self.engineering_lead),
            ("product_manager", &self.product_manager),
        ] {
            if let Some(login) = login {
                if login.chars().any(|c| c.is_whitespace() || c == ',') {
                    report.error(field, format!("invalid login `{login}`"));
                }
            }
        }
        if self.backlog_milestone.trim().is_empty() {
            report.error("backlog_milestone", "must not be empty");
        }
    }
}
