//! The forge clients the application holds: at most one per forge kind.

use super::{Forge, ForgeHealth};
use crate::model::ForgeKind;
use std::sync::Arc;
use std::time::Duration;

/// Tries at learning the bot's own account from a forge before giving up (the configured
/// `bot:` names still count meanwhile and afterwards).
const IDENTITY_TRIES: u32 = 8;
/// Wait before the second try; doubles per try.
const IDENTITY_RETRY: Duration = Duration::from_secs(2);

/// GitHub and GitLab clients; a forge without credentials has none (dry run for it).
#[derive(Clone, Default)]
pub struct Forges {
    pub github: Option<Arc<dyn Forge>>,
    pub gitlab: Option<Arc<dyn Forge>>,
    /// What the background checks found of each forge (for `/readyz`).
    pub health: Arc<ForgeHealth>,
}

impl Forges {
    pub fn get(&self, kind: ForgeKind) -> Option<Arc<dyn Forge>> {
        match kind {
            ForgeKind::Github => self.github.clone(),
            ForgeKind::Gitlab => self.gitlab.clone(),
        }
    }

    /// Learn each forge's own account in the background, so that start-up never waits on a
    /// forge; until it is known the configured `bot:` names are the bot's only logins.
    pub fn learn_identities_in_background(&self) {
        for forge in [&self.github, &self.gitlab].into_iter().flatten() {
            let forge = forge.clone();
            tokio::spawn(async move {
                let mut wait = IDENTITY_RETRY;
                for attempt in 1..=IDENTITY_TRIES {
                    match forge.learn_own_login().await {
                        Ok(login) => {
                            tracing::info!(forge = forge.kind().as_str(), login = %login, "the bot acts as this account");
                            return;
                        }
                        Err(e) if attempt < IDENTITY_TRIES => {
                            tracing::debug!(forge = forge.kind().as_str(), error = %e, "cannot learn the bot's account yet");
                            tokio::time::sleep(wait).await;
                            wait = wait.saturating_mul(2);
                        }
                        Err(e) => tracing::warn!(
                            forge = forge.kind().as_str(),
                            error = %e,
                            "cannot learn the bot's account: only the configured bot names are ignored"
                        ),
                    }
                }
            });
        }
    }

    /// Whether `login` is the account `kind`'s client acts as (as learned from the forge).
    pub fn is_own_login(&self, kind: ForgeKind, login: &str) -> bool {
        self.get(kind)
            .and_then(|forge| forge.own_login())
            .is_some_and(|me| me.eq_ignore_ascii_case(login.trim_start_matches('@')))
    }

    pub fn is_empty(&self) -> bool {
        self.github.is_none() && self.gitlab.is_none()
    }
}
