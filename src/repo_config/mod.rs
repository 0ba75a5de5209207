//! Each repository's effective configuration: the server's, with the sections of the
//! repository's own `.forgehand.yml` — read from its **default branch only** — in place of
//! the server's. Kept per repository for [`CACHE_LIFETIME`], read again at once when a push to
//! the default branch touches the file.
//!
//! A bad file on the default branch never stops the bot: the repository keeps its last valid
//! version (or the server's sections if it never had one), the problem is logged, and one
//! issue in that repository — found again by its marker — says what is wrong, line and column.

mod check;
mod report;

use crate::config::{Config, RepoFile, REPO_FILE_PATH};
use crate::event::{Event, EventKind};
use crate::forge::{Forge, ForgeError};
use crate::model::{ForgeKind, RepoPath};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use check::{behaviour_changes, CHECK_CONTEXT, CHECK_MARKER};
pub use report::{invalid_file_body, FIXED_FILE_COMMENT, INVALID_FILE_MARKER};

/// How long a repository's file is trusted before it is read again even without a push
/// touching it (the safety net for a missed webhook).
pub const CACHE_LIFETIME: Duration = Duration::from_secs(600);

/// Most files an `extends:` chain may hold beyond the repository's own.
pub const MAX_EXTENDS_DEPTH: usize = 3;

/// The ref an extended repository's file is read at: the forge resolves `HEAD` to that
/// repository's default branch (its own branches are never consulted).
const EXTENDED_REF: &str = "HEAD";

/// What is remembered of one repository.
struct Entry {
    /// The effective configuration in force.
    config: Arc<Config>,
    /// When the file was last read.
    read_at: Instant,
    /// The text of the last invalid file reported in the repository's issue, so that the
    /// same bad file is reported once, not on every read.
    reported: Option<String>,
    /// The repositories whose files this one extends (a push touching theirs expires it).
    depends_on: Vec<String>,
    /// A push touched the file since it was read: read it again before the next event.
    expired: bool,
    /// The default branch the file was read from, for events that do not name it (a
    /// schedule's or a release day's firing).
    branch: Option<String>,
}

/// A repository forgehand has heard from, with its effective configuration (what the
/// scheduler runs that repository's own schedules and release day from).
pub type KnownRepo = (ForgeKind, String, Arc<Config>);

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
        let key = (event.forge, repo.path.clone());
        let remembered = self.branch(&key);
        let Some(branch) = repo.default_branch.as_deref().or(remembered.as_deref()) else {
            return Ok(self.base(event.forge, &repo.path));
        };
        let branch = branch.to_owned();
        let branch = branch.as_str();
        let path = RepoPath::parse(&repo.path)?;
        let touches = touches_file(event);
        if touches {
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
            self.close_report(forge, &path, &key, touches).await;
            return Ok(self.store(key, base, None, Vec::new(), branch));
        };
        let resolved = match parse(event.forge, &repo.path, &file.content) {
            Ok(own) => self.extend(forge, event.forge, &repo.path, own).await,
            Err(errors) => Err(Unusable::Invalid(errors)),
        };
        match resolved {
            Ok((merged, depends_on)) => {
                let config = Arc::new(base.with_repo_file(&merged, event.forge, &repo.path));
                self.close_report(forge, &path, &key, touches).await;
                Ok(self.store(key, config, None, depends_on, branch))
            }
            Err(Unusable::Forge(e)) => match self.stale(&key) {
                Some(config) => {
                    tracing::warn!(error = %e, "cannot read a file .forgehand.yml extends; keeping the version read before");
                    Ok(config)
                }
                None => Err(e),
            },
            Err(Unusable::Invalid(errors)) => {
                let kept = self.stale(&key).unwrap_or(base);
                tracing::warn!(
                    errors = %errors,
                    "the repository's .forgehand.yml on its default branch is invalid; the version in force stays"
                );
                let reported = self.reported(&key);
                if self.writes && reported.as_deref() != Some(errors.as_str()) {
                    let body = invalid_file_body(branch, &errors);
                    if let Err(e) = report::file_or_update(forge, &path, &body).await {
                        tracing::warn!(error = %e, "cannot report the invalid .forgehand.yml");
                        return Ok(self.store(key, kept, reported, Vec::new(), branch));
                    }
                }
                Ok(self.store(key, kept, Some(errors), Vec::new(), branch))
            }
        }
    }

    /// `own` with the files it `extends:` beneath it, followed up to [`MAX_EXTENDS_DEPTH`]
    /// files deep, each from its repository's default branch; with the repositories read.
    async fn extend(
        &self,
        forge: &dyn Forge,
        kind: ForgeKind,
        own_path: &str,
        own: RepoFile,
    ) -> Result<(RepoFile, Vec<String>), Unusable> {
        let mut chain = vec![own_path.to_owned()];
        let mut merged = own;
        let mut next = merged.extends.clone();
        while let Some(target) = next {
            if chain.iter().any(|p| p.eq_ignore_ascii_case(&target)) {
                chain.push(target);
                return Err(Unusable::Invalid(format!(
                    "{}:{own_path}:{REPO_FILE_PATH}: extends: a cycle: {}",
                    kind.as_str(),
                    chain.join(" → ")
                )));
            }
            if chain.len() > MAX_EXTENDS_DEPTH {
                return Err(Unusable::Invalid(format!(
                    "{}:{own_path}:{REPO_FILE_PATH}: extends: more than {MAX_EXTENDS_DEPTH} files deep ({} → {target})",
                    kind.as_str(),
                    chain.join(" → ")
                )));
            }
            let repo = RepoPath::parse(&target).map_err(|e| Unusable::Forge(e.into()))?;
            let text = forge
                .file_at(&repo, REPO_FILE_PATH, EXTENDED_REF)
                .await
                .map_err(Unusable::Forge)?
                .ok_or_else(|| {
                    Unusable::Invalid(format!(
                        "{}:{own_path}:{REPO_FILE_PATH}: extends: `{target}` has no {REPO_FILE_PATH} on its default branch",
                        kind.as_str()
                    ))
                })?;
            let parent = parse(kind, &target, &text.content).map_err(Unusable::Invalid)?;
            next = parent.extends.clone();
            chain.push(target);
            merged = merged.over(parent);
        }
        chain.remove(0);
        Ok((merged, chain))
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

    /// Closes the "invalid configuration" issue, with a comment, once the file on the default
    /// branch is valid (or gone) again: looked for when this process reported the file, or
    /// when a push touched it (an issue filed before a restart). Off in dry runs; a forge
    /// error is logged and the issue looked for again on the next push touching the file.
    async fn close_report(
        &self,
        forge: &dyn Forge,
        path: &RepoPath,
        key: &(ForgeKind, String),
        touched: bool,
    ) {
        if !self.writes || !(touched || self.reported(key).is_some()) {
            return;
        }
        if let Err(e) = report::close_if_open(forge, path).await {
            tracing::warn!(error = %e, "cannot close the issue about the invalid .forgehand.yml");
        }
    }

    /// The repositories heard from whose process differs from the server file's (their own
    /// file, or a `repos:` entry), with their effective configurations.
    pub fn known(&self) -> Vec<KnownRepo> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .filter(|(_, e)| !Arc::ptr_eq(&e.config, &self.server))
            .map(|((forge, path), e)| (*forge, path.clone(), e.config.clone()))
            .collect()
    }

    fn branch(&self, key: &(ForgeKind, String)) -> Option<String> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).and_then(|e| e.branch.clone())
    }

    fn reported(&self, key: &(ForgeKind, String)) -> Option<String> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).and_then(|e| e.reported.clone())
    }

    /// Marks the entry of `key`, and of every repository extending it, to be read again.
    fn expire(&self, key: &(ForgeKind, String)) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for ((forge, path), entry) in entries.iter_mut() {
            let extends = entry
                .depends_on
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&key.1));
            if *forge == key.0 && (path == &key.1 || extends) {
                entry.expired = true;
            }
        }
    }

    fn store(
        &self,
        key: (ForgeKind, String),
        config: Arc<Config>,
        reported: Option<String>,
        depends_on: Vec<String>,
        branch: &str,
    ) -> Arc<Config> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(
            key,
            Entry {
                config: config.clone(),
                read_at: Instant::now(),
                reported,
                depends_on,
                expired: false,
                branch: Some(branch.to_owned()),
            },
        );
        config
    }
}

/// Why a repository's file cannot be used now.
enum Unusable {
    /// A file could not be read: try again later (or keep what was read before).
    Forge(ForgeError),
    /// A file is invalid: every error, one per line, with file:line:column.
    Invalid(String),
}

/// Parses the file of `path`, naming it `forge:path:.forgehand.yml` in errors.
fn parse(forge: ForgeKind, path: &str, text: &str) -> Result<RepoFile, String> {
    let name = format!("{}:{path}:{REPO_FILE_PATH}", forge.as_str());
    RepoFile::from_str(text, &name).map_err(|e| e.to_string())
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
