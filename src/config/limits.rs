//! The `limits:` section (server file): how much work one comment may ask of forgehand.
//! Commands past the limit are skipped, and the reply says what was skipped.

use super::document::{Report, Validate};
use serde::Deserialize;
use std::num::NonZeroU32;

/// Default number of commands one comment runs.
pub const DEFAULT_COMMANDS_PER_COMMENT: u32 = 50;
/// Default number of people one reply mentions (`/cc`).
pub const DEFAULT_MENTIONS_PER_CC: u32 = 50;

/// `limits:` — bounded work per comment.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Commands one comment runs, in order; the rest are skipped and the reply says how
    /// many. Default 50.
    #[serde(default = "default_commands")]
    pub commands_per_comment: NonZeroU32,
    /// People one `/cc` (and the one reply of a comment, all its `/cc`s together) mentions;
    /// the rest are not mentioned and the reply says how many. Default 50.
    #[serde(default = "default_mentions")]
    pub mentions_per_cc: NonZeroU32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            commands_per_comment: default_commands(),
            mentions_per_cc: default_mentions(),
        }
    }
}

fn default_commands() -> NonZeroU32 {
    NonZeroU32::new(DEFAULT_COMMANDS_PER_COMMENT).unwrap_or(NonZeroU32::MIN)
}

fn default_mentions() -> NonZeroU32 {
    NonZeroU32::new(DEFAULT_MENTIONS_PER_CC).unwrap_or(NonZeroU32::MIN)
}

impl Validate for LimitsConfig {
    fn validate(&self, _report: &mut Report<'_>) {}
}

impl LimitsConfig {
    /// Commands one comment runs.
    pub fn commands(&self) -> usize {
        self.commands_per_comment.get() as usize
    }

    /// People one reply mentions.
    pub fn mentions(&self) -> usize {
        self.mentions_per_cc.get() as usize
    }
}
