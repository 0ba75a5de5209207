//! Typed configuration: one YAML file, `${NAME:-default}` from the environment, every error
//! reported with file:line:column. The only place forgehand reads environment variables.
//!
//! Adding a section: put its types in their own file with `#[serde(deny_unknown_fields)]`,
//! implement [`Validate`] for semantic checks (report through [`Report`] with a path relative
//! to the section, e.g. `report.error("if.title", "…")`), then add a field to [`Config`] and
//! one line to [`Config::from_str`] (`doc.section`, `doc.list` or `doc.map`).

mod access;
mod bot;
mod de;
mod document;
mod env;
mod error;
mod github;
mod gitlab;
pub mod incidents;
pub mod labels;
mod limits;
pub mod publish;
pub mod release;
pub mod release_day;
pub mod repo;
pub mod repos;
pub mod rules;
pub mod schedule;
pub mod schema;
mod secret;
mod server;
mod spanned;
mod triage;
mod types;
pub mod ui;
mod yaml;

#[cfg(test)]
mod tests;

pub use access::{CommandName, CommandRoles, Login, Roles};
pub use bot::{BotConfig, DEFAULT_BOT_NAME};
pub use document::{Document, Report, Validate};
pub use env::EnvLookup;
pub use error::{ConfigError, ConfigErrors, Issue, Pos};
pub use github::{GithubConfig, GithubCredentials};
pub use gitlab::GitlabConfig;
pub use limits::{LimitsConfig, DEFAULT_COMMANDS_PER_COMMENT, DEFAULT_MENTIONS_PER_CC};
pub use repo::{RepoFile, REPO_FILE_PATH};
pub use server::{DatabaseKind, DatabaseUrl, ServerConfig};
pub use spanned::Spanned;
pub use triage::{TriageConfig, DEFAULT_BACKLOG_MILESTONE};
pub use types::{CronSchedule, Date, HttpUrl, Ident, Pattern, MAX_IDENT_LEN};

use std::net::SocketAddr;
use std::path::Path;

/// The configuration `forgehand serve` reads unless `--config` names another.
pub const DEFAULT_CONFIG_PATH: &str = "config/forgehand.yml";
/// Variable holding the GitHub webhook secret in the shipped configuration.
pub const GITHUB_WEBHOOK_SECRET_VAR: &str = github::WEBHOOK_SECRET_VAR;
/// Variable holding the GitLab webhook token in the shipped configuration.
pub const GITLAB_WEBHOOK_TOKEN_VAR: &str = gitlab::WEBHOOK_TOKEN_VAR;

/// The whole configuration. Every section may be left out; its defaults then apply.
#[derive(Debug, Clone)]
pub struct Config {
    /// `server:` — listening, storage, workers.
    pub server: ServerConfig,
    /// `bot:` — the bot's name and own logins.
    pub bot: BotConfig,
    /// `github:` — secrets, credentials, API URL.
    pub github: GithubConfig,
    /// `gitlab:` — tokens, instance URL.
    pub gitlab: GitlabConfig,
    /// `roles:` — login → role. Default empty.
    pub roles: Roles,
    /// `commands:` — command → minimum role. Default: each command's `default_role` in
    /// [`crate::command::COMMANDS`].
    pub commands: CommandRoles,
    /// `release:` — release automation. Default off.
    pub release: release::ReleaseConfig,
    /// `triage:` — who `/triage urgent|later` routes to. Default: nobody, `Backlog`.
    pub triage: TriageConfig,
    /// `incidents:` — issues opened from monitoring alerts. Default off.
    pub incidents: incidents::IncidentsConfig,
    /// `schedules:` — scheduled rules (cron, UTC). Default none.
    pub schedules: Vec<schedule::Schedule>,
    /// `rules:` — event-driven rules, in order. Default none.
    pub rules: Vec<rules::Rule>,
    /// `labels:` — label name → colour and description, for `forgehand labels sync`.
    /// Default none.
    pub labels: labels::Labels,
    /// `limits:` — bounded work per comment (commands, mentions). Default 50 and 50.
    pub limits: LimitsConfig,
    /// `repos:` — per-repository process sections (`github:owner/name`, `gitlab:group/*`),
    /// in file order; the first match applies. Default none.
    pub repos: Vec<(repos::RepoPattern, repos::RepoSections)>,
    /// `ui:` — the operations page's sign-in tokens. Default: no token, page off.
    pub ui: ui::UiConfig,
}

/// Whether `FORGEHAND_LOG_FORMAT=json` asks for JSON log lines (read before the
/// configuration file, since logging starts first).
pub fn json_logs_requested() -> bool {
    process_env("FORGEHAND_LOG_FORMAT").is_some_and(|v| v == "json")
}

/// Looks a variable up in the process environment (unset or not UTF-8 → `None`).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Loads `path`, expanding `${…}` from the process environment.
pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigErrors> {
    load_with_env(path, &process_env)
}

/// Loads `path`, expanding `${…}` through `env`.
pub fn load_with_env(path: impl AsRef<Path>, env: EnvLookup<'_>) -> Result<Config, ConfigErrors> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: file.clone(),
            pos: None,
            path: String::new(),
            message: format!("cannot read configuration: {e}"),
        }])
    })?;
    Config::from_str(&text, &file, env)
}

impl Config {
    /// Parses configuration `text`; `file` is only used in error messages. Reports every
    /// error found: each section, each list entry and each map entry is read on its own.
    pub fn from_str(text: &str, file: &str, env: EnvLookup<'_>) -> Result<Config, ConfigErrors> {
        let errors = |issues| ConfigErrors::from_issues(file, issues);
        let mut doc = Document::parse(text, env).map_err(errors)?;
        let config = assemble(&mut doc);
        doc.finish(config).map_err(errors)
    }

    /// Whether the GitHub endpoint is served (a webhook secret is set).
    pub fn github_enabled(&self) -> bool {
        self.github.webhook_enabled()
    }

    /// Whether the GitLab endpoint is served (a webhook token is set).
    pub fn gitlab_enabled(&self) -> bool {
        self.gitlab.webhook_enabled()
    }

    /// Whether any forge API credentials are set (GitHub token or App, GitLab token).
    pub fn has_forge_credentials(&self) -> bool {
        self.github.credentials().is_some() || self.gitlab.token.is_some()
    }

    /// Whether forgehand must only decide and log: `server.dry_run` is set, or there are no
    /// forge credentials at all.
    pub fn dry_run(&self) -> bool {
        self.dry_run_reason().is_some()
    }

    /// Why forgehand runs in dry-run mode, for the start-up log line; `None` when it writes.
    pub fn dry_run_reason(&self) -> Option<&'static str> {
        if self.server.dry_run {
            Some("server.dry_run is set")
        } else if !self.has_forge_credentials() {
            Some(
                "no forge credentials are set (GITHUB_TOKEN, GITHUB_APP_ID + \
                 GITHUB_APP_PRIVATE_KEY, or GITLAB_TOKEN)",
            )
        } else {
            None
        }
    }

    /// The address to listen on.
    pub fn listen(&self) -> SocketAddr {
        self.server.listen
    }

    /// The database to use.
    pub fn database_url(&self) -> &DatabaseUrl {
        &self.server.database_url
    }

    /// The name people address the bot by.
    pub fn bot_name(&self) -> &str {
        &self.bot.name
    }
}

/// Reads every section; `None` if any failed (its errors are in `doc`). Each section is read
/// before any `?`, so the errors of all of them are collected.
fn assemble(doc: &mut Document) -> Option<Config> {
    let server = doc.section("server");
    let bot = doc.section("bot");
    let github = doc.section("github");
    let gitlab = doc.section("gitlab");
    let roles = doc.map("roles").map(Roles::from_entries);
    let commands = doc.map("commands").map(CommandRoles::from_entries);
    let release = doc.section("release");
    let triage = doc.section("triage");
    let rules = doc.list("rules");
    let schedules = doc.list("schedules");
    let labels = doc.map_validated("labels");
    let incidents = doc.section("incidents");
    let limits = doc.section("limits");
    let repos = doc.map_validated("repos");
    let ui = doc.section("ui");
    Some(Config {
        server: server?,
        bot: bot?,
        github: github?,
        gitlab: gitlab?,
        roles: roles?,
        commands: commands?,
        release: release?,
        triage: triage?,
        rules: rules?,
        schedules: schedules?,
        labels: labels?,
        incidents: incidents?,
        limits: limits?,
        repos: repos?,
        ui: ui?,
    })
}

impl Validate for Config {
    /// Checks across sections; runs only once every section loaded cleanly.
    fn validate(&self, report: &mut Report<'_>) {
        rules::validate_unique_ids(&self.rules, report);
        // The server file names where its schedules and release day act; a repository-level
        // section acts in its own repository (see `repo.rs`).
        for (i, schedule) in self.schedules.iter().enumerate() {
            if schedule.repos.is_empty() {
                report.error(
                    &format!("schedules[{i}].repos"),
                    "a schedule needs at least one repository",
                );
            }
        }
        if let Some(day) = &self.release.release_day {
            if day.repos.is_empty() {
                report.error(
                    "release.release_day.repos",
                    "the release day needs at least one repository",
                );
            }
        }
    }
}
