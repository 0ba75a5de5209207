//! The forge clients the application holds: at most one per forge kind.

use super::{Forge, ForgeHealth};
use crate::model::ForgeKind;
use std::sync::Arc;

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

    pub fn is_empty(&self) -> bool {
        self.github.is_none() && self.gitlab.is_none()
    }
}
