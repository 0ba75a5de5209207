//! Each repository's effective configuration: the server's, with the sections of the
//! repository's own `.forgehand.yml` — read from its **default branch only** — in place of
//! the server's. Kept per repository for [`CACHE_LIFETIME`], read again at once when a push to
//! the default branch touches the file.
//!
//! A bad file on the default branch never stops the bot: the repository keeps its last valid
//! version (or the server's sections if it never had one), the problem is logged, and one
//! issue in that repository — found again by its marker — says what is wrong, line and column.

mod report;

use crate::config::{Config, RepoFile, REPO_FILE_PATH};
use crate::event::{Event, EventKind};
use crate::forge::{Forge, ForgeError};
use crate::model::{ForgeKind, RepoPath};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use report::{invalid_file_body, INVALID_FILE_MARKER};

/// How long a repository's file is trusted before it is read again even without a push
/// touching it (the safety net for a missed webhook).
pub const CACHE_LIFETIME: Duration = Duration::from_secs(600);

/// What is remembered of one repository.
struct Entry {
    /// The effective configuration in force.
    config: Arc<Config>,
    /// When the file was last read.
    read_at: Instant,
    /// The text of the last invalid file reported in the repository's issue, so that the
    /// same bad file is reported once, not on every read.
    reported: Option<String>,
    /// A push touched the file since it was read: read it again before the next event.
    expired: bool,
}

/// The effective configuration of each repository, read from its default branch.
pub struct RepoConfigs {
    server: Arc<Config>,
    entries: Mutex<HashMap<(ForgeKind, String), Entry>>,
    lifetime: Duration,
    /// File the "invalid configuration" issue (off in dry runs).
    writes: bool,
}

impl RepoConfigs {
    /// Effective configurations on top of `server`; `writes` says whether a bad file may be
    /// reported by an issue in its repository.
    pub fn new(server: Arc<Config>, writes: bool) -> Self {
        RepoConfigs {
            server,
            entries: Mutex::new(HashMap::new()),
            lifetime: CACHE_LIFETIME,
            writes,
        }
    }

    /// The same, with another cache lifetime (tests).
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The configuration `event` is decided under: the server's when the event names no
    /// repository; the server's with the matching `repos:` entry when it names no default
    /// branch or no forge client is configured; else that repository's effective
    /// configuration. A forge error reading the file is returned
    /// only when nothing was read before (the job is then tried again later); otherwise the
    /// version read before stays in force.
    pub async fn for_event(
        &self,
        event: &Event,
        forge: Option<&dyn Forge>,
    ) -> Result<Arc<Config>, ForgeError> {
        let Some(repo) = &event.repo else {
            return Ok(self.server.clone());
        };
        let Some(forge) = forge else {
            return Ok(self.base(event.forge, &repo.path));
        };
        let Some(branch) = repo.default_branch.as_deref() else {
            return Ok(self.base(event.forge, &repo.path));
        };
        let path = RepoPath::parse(&repo.path)?;
        let key = (event.forge, repo.path.clone());
        if touches_file(event) {
            self.expire(&key);
        }
        if let Some(config) = self.fresh(&key) {
            return Ok(config);
        }
        let read = forge.file_at(&path, REPO_FILE_PATH, branch).await;
        let file = match read {
            Ok(file) => file,
            Err(e) => {
                return match self.stale(&key) {
                    Some(config) => {
                        tracing::warn!(error = %e, "cannot read the repository's .forgehand.yml; keeping the version read before");
                        Ok(config)
                    }
                    None => Err(e),
                };
            }
        };
        let base = self.base(event.forge, &repo.path);
        let Some(file) = file else {
            return Ok(self.store(key, base, None));
        };
        let name = format!("{}:{}:{REPO_FILE_PATH}", event.forge.as_str(), repo.path);
        match RepoFile::from_str(&file.content, &name) {
            Ok(parsed) => {
                let config = Arc::new(base.with_repo_file(&parsed));
                Ok(self.store(key, config, None))
            }
            Err(errors) => {
                let kept = self.stale(&key).unwrap_or(base);
                tracing::warn!(
                    errors = %errors,
                    "the repository's .forgehand.yml on its default branch is invalid; the version in force stays"
                );
                let reported = self.reported(&key);
                if self.writes && reported.as_deref() != Some(file.content.as_str()) {
                    let body = invalid_file_body(branch, &errors.to_string());
                    if let Err(e) = report::file_or_update(forge, &path, &body).await {
                        tracing::warn!(error = %e, "cannot report the invalid .forgehand.yml");
                        return Ok(self.store(key, kept, reported));
                    }
                }
                Ok(self.store(key, kept, Some(file.content)))
            }
        }
    }

    /// The repository's configuration before its own file: the server's, with the matching
    /// `repos:` entry's sections.
    fn base(&self, forge: ForgeKind, path: &str) -> Arc<Config> {
        match self.server.repos_entry(forge, path) {
            Some(_) => Arc::new(self.server.for_repo(forge, path)),
            None => self.server.clone(),
        }
    }

    fn fresh(&self, key: &(ForgeKind, String)) -> Option<Arc<Config>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (!entry.expired && entry.read_at.elapsed() < self.lifetime).then(|| entry.config.clone())
    }

    fn stale(&self, key: &(ForgeKind, String)) -> Option<Arc<Config>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).map(|e| e.config.clone())
    }

    fn reported(&self, key: &(ForgeKind, String)) -> Option<String> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).and_then(|e| e.reported.clone())
    }

    fn expire(&self, key: &(ForgeKind, String)) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get_mut(key) {
            entry.expired = true;
        }
    }

    fn store(
        &self,
        key: (ForgeKind, String),
        config: Arc<Config>,
        reported: Option<String>,
    ) -> Arc<Config> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(
            key,
            Entry {
                config: config.clone(),
                read_at: Instant::now(),
                reported,
                expired: false,
            },
        );
        config
    }
}

/// Whether `event` is a push to the default branch that adds, changes or removes the
/// repository file.
fn touches_file(event: &Event) -> bool {
    match &event.kind {
        EventKind::DefaultBranchPush { commits, .. } => commits
            .iter()
            .any(|c| c.paths.iter().any(|p| p == REPO_FILE_PATH)),
        _ => false,
    }
}
