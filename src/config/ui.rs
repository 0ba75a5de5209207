//! The `ui:` section: who may open the operations page under `/ui`. The page is off unless a
//! token is set; tokens come from the environment (`["${FORGEHAND_UI_TOKEN:-}"]`), never
//! from the file itself.

use super::document::{Report, Validate};
use super::secret;
use secrecy::SecretString;
use serde::Deserialize;
use std::num::NonZeroU32;
use std::time::Duration;

/// The variable the shipped configuration reads the operations page's token from.
pub const UI_TOKEN_VAR: &str = "FORGEHAND_UI_TOKEN";
/// Default hours a sign-in lasts.
pub const DEFAULT_SESSION_HOURS: u32 = 12;

/// `ui:` — the operations page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Tokens an operator signs in with (several: one per operator, or during a rotation).
    /// Empty entries are dropped; none set (the default) means `/ui` is not served (404).
    #[serde(deserialize_with = "secret::list")]
    pub tokens: Vec<SecretString>,
    /// Hours a browser stays signed in before it must give a token again. Default 12.
    pub session_hours: NonZeroU32,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            tokens: Vec::new(),
            session_hours: NonZeroU32::new(DEFAULT_SESSION_HOURS).unwrap_or(NonZeroU32::MIN),
        }
    }
}

impl UiConfig {
    /// Whether the page is served: at least one token is set.
    pub fn enabled(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// How long a sign-in lasts.
    pub fn session(&self) -> Duration {
        Duration::from_secs(u64::from(self.session_hours.get()) * 3600)
    }
}

impl Validate for UiConfig {
    fn validate(&self, _report: &mut Report<'_>) {}
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use secrecy::ExposeSecret;

    #[test]
    fn tokens_come_from_the_environment_and_unset_means_off() {
        let yaml = "ui:\n  tokens: [\"${FORGEHAND_UI_TOKEN:-}\", \"${OTHER:-}\"]\n";
        let off = Config::from_str(yaml, "s.yml", &|_| None).expect("valid");
        assert!(!off.ui.enabled());
        let on = Config::from_str(yaml, "s.yml", &|name| {
            (name == "FORGEHAND_UI_TOKEN").then(|| "s3cret".to_string())
        })
        .expect("valid");
        assert!(on.ui.enabled());
        assert_eq!(on.ui.tokens.len(), 1);
        assert_eq!(on.ui.tokens[0].expose_secret(), "s3cret");
        assert_eq!(on.ui.session().as_secs(), 12 * 3600);
        let absent = Config::from_str("", "s.yml", &|_| None).expect("valid");
        assert!(!absent.ui.enabled());
        let bad = Config::from_str("ui:\n  session_hours: 0\n", "s.yml", &|_| None);
        assert!(bad.is_err());
    }
}
