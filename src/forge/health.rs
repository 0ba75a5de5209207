//! Each forge's state as the background checks found it (`/readyz` shows it): start-up does
//! not wait for a forge, it checks the credentials in the background and retries while the
//! forge cannot be reached.

use super::{ForgeError, Forges};
use crate::model::ForgeKind;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// First pause before checking an unreachable forge again; doubles up to [`CHECK_MAX`].
const CHECK_BASE: Duration = Duration::from_secs(5);
/// Longest pause between two checks of an unreachable forge.
const CHECK_MAX: Duration = Duration::from_secs(300);

/// What the last check of one forge found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForgeState {
    /// Not checked yet (or no check runs: tests, one-shot commands).
    Unchecked,
    /// Reached, credentials accepted.
    Ok,
    /// No answer (or an error answer): checked again with backoff; jobs that need the forge
    /// are retried meanwhile.
    Unreachable(String),
    /// The forge refused the credentials: not checked again until restart.
    BadCredentials(String),
}

impl ForgeState {
    /// The state's name in `/readyz`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ForgeState::Unchecked => "unchecked",
            ForgeState::Ok => "ok",
            ForgeState::Unreachable(_) => "unreachable",
            ForgeState::BadCredentials(_) => "bad_credentials",
        }
    }

    /// What the forge answered, for a state that is not fine.
    pub fn detail(&self) -> Option<&str> {
        match self {
            ForgeState::Unreachable(d) | ForgeState::BadCredentials(d) => Some(d),
            ForgeState::Unchecked | ForgeState::Ok => None,
        }
    }

    /// The state a check's result puts a forge in.
    pub fn of(result: &Result<(), ForgeError>) -> ForgeState {
        match result {
            Ok(()) => ForgeState::Ok,
            Err(e @ ForgeError::Unauthorized) => ForgeState::BadCredentials(e.to_string()),
            Err(e @ ForgeError::Rejected { status: 403, .. }) => {
                ForgeState::BadCredentials(e.to_string())
            }
            Err(e) => ForgeState::Unreachable(e.to_string()),
        }
    }
}

/// The states of the configured forges.
#[derive(Debug, Default)]
pub struct ForgeHealth {
    states: Mutex<BTreeMap<&'static str, ForgeState>>,
}

impl ForgeHealth {
    pub fn set(&self, forge: ForgeKind, state: ForgeState) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.insert(forge.as_str(), state);
    }

    /// Each configured forge (by name) and its state.
    pub fn states(&self) -> Vec<(&'static str, ForgeState)> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.iter().map(|(k, v)| (*k, v.clone())).collect()
    }
}

/// Pause before check number `attempt + 1` of an unreachable forge.
fn check_delay(attempt: u32) -> Duration {
    CHECK_BASE
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(CHECK_MAX)
}

/// Mark every configured forge unchecked and check each in a background task: until it is
/// reached (then `ok`) or refuses the credentials (`bad_credentials`); while unreachable it
/// is checked again with backoff.
pub fn check_in_background(forges: &Forges) {
    for kind in [ForgeKind::Github, ForgeKind::Gitlab] {
        let Some(forge) = forges.get(kind) else {
            continue;
        };
        let health = forges.health.clone();
        health.set(kind, ForgeState::Unchecked);
        tokio::spawn(async move {
            let mut attempt = 0;
            loop {
                let state = ForgeState::of(&forge.check_credentials().await);
                match &state {
                    ForgeState::Ok => tracing::info!(forge = %kind, "forge reached"),
                    other => tracing::warn!(
                        forge = %kind,
                        state = other.as_str(),
                        detail = other.detail().unwrap_or_default(),
                        "forge check failed; webhooks are still accepted"
                    ),
                }
                let again = matches!(state, ForgeState::Unreachable(_));
                health.set(kind, state);
                if !again {
                    return;
                }
                tokio::time::sleep(check_delay(attempt)).await;
                attempt += 1;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_results_become_states() {
        assert_eq!(ForgeState::of(&Ok(())), ForgeState::Ok);
        assert_eq!(
            ForgeState::of(&Err(ForgeError::Unauthorized)).as_str(),
            "bad_credentials"
        );
        let down = ForgeState::of(&Err(ForgeError::Transient("connection refused".into())));
        assert_eq!(down.as_str(), "unreachable");
        assert!(down.detail().unwrap().contains("connection refused"));
        let limited = ForgeState::of(&Err(ForgeError::RateLimited { retry_after: None }));
        assert_eq!(limited.as_str(), "unreachable");
    }

    #[test]
    fn checks_back_off_up_to_a_cap() {
        assert_eq!(check_delay(0), Duration::from_secs(5));
        assert_eq!(check_delay(2), Duration::from_secs(20));
        assert_eq!(check_delay(20), CHECK_MAX);
    }

    #[test]
    fn states_are_listed_by_forge() {
        let health = ForgeHealth::default();
        health.set(ForgeKind::Gitlab, ForgeState::Unreachable("down".into()));
        health.set(ForgeKind::Github, ForgeState::Ok);
        let states = health.states();
        assert_eq!(states[0], ("github", ForgeState::Ok));
        assert_eq!(states[1].1.as_str(), "unreachable");
    }
}
