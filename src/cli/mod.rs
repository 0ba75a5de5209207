//! The command line: `serve`, `check`, `plan`, `labels sync`, `hooks install`, `schema`, `explain`,
//! `redeliver`, `replay`.

mod check;
mod explain;
pub mod hooks;
pub mod labels;
mod plan;
mod redeliver;
mod replay;
mod schema;
mod serve;

use crate::config::{self, Config};
use crate::event::alerts::AlertSource;
use crate::model::ForgeKind;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Default configuration file, relative to the working directory.
const DEFAULT_CONFIG: &str = "config/forgehand.yml";

#[derive(Debug, Parser)]
#[command(
    name = "forgehand",
    version,
    about = "GitHub + GitLab webhook bot for triage and releases"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the webhook server and its workers.
    Serve {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// Decide and log, never write to a forge.
        #[arg(long)]
        dry_run: bool,
    },
    /// Validate a configuration file; exit 1 listing every error.
    Check {
        /// The file to check: the server file, or a repository's `.forgehand.yml`.
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// Also say which configuration applies to this repository (`github:owner/name`,
        /// `gitlab:group/project`), section by section.
        #[arg(long)]
        repo: Option<String>,
        /// With `--repo`: that repository's `.forgehand.yml`, as a local file.
        #[arg(long, requires = "repo")]
        repo_file: Option<PathBuf>,
    },
    /// Show what forgehand would do for one delivery, without calling any forge.
    Plan {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// github or gitlab
        #[arg(long, required_unless_present_any = ["source", "release_day"])]
        forge: Option<ForgeKind>,
        /// The event name as the forge sends it (`X-GitHub-Event` / `X-Gitlab-Event`).
        #[arg(long, required_unless_present_any = ["source", "release_day"])]
        event: Option<String>,
        /// An alert instead of a forge's delivery: alertmanager or pingdom (routed by the
        /// `incidents:` section to its forge and repository).
        #[arg(long, conflicts_with_all = ["forge", "event"])]
        source: Option<AlertSource>,
        /// What the release calendar has forgehand do on this date (YYYY-MM-DD) for `--repo`,
        /// instead of a delivery.
        #[arg(long, requires = "repo", conflicts_with_all = ["forge", "event", "source"])]
        release_day: Option<chrono::NaiveDate>,
        /// With `--release-day`: `github:owner/name` or `gitlab:group/project`.
        #[arg(long, requires = "release_day")]
        repo: Option<String>,
        /// The delivery's JSON payload.
        #[arg(required_unless_present = "release_day")]
        payload: Option<PathBuf>,
        /// Decide as if the repository's default branch carried this `.forgehand.yml` (its
        /// sections over the matching `repos:` entry and the server's defaults; `extends:`
        /// is not followed offline).
        #[arg(long)]
        repo_file: Option<PathBuf>,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Everything known about one stored delivery: its event, the facts gathered, each
    /// rule's verdict, the plan, the actions taken, its state.
    Explain {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// The delivery id (`X-GitHub-Delivery`, GitLab's event UUID, …).
        delivery: String,
        /// The forge it came from, when both have a delivery of that id.
        #[arg(long)]
        forge: Option<ForgeKind>,
        /// Print the account as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Queue a failed delivery again.
    Redeliver {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        delivery: String,
        #[arg(long)]
        forge: Option<ForgeKind>,
    },
    /// Decide again, with the configuration given, over the stored deliveries and the facts
    /// gathered for them then; print how each plan would differ from the recorded one.
    Replay {
        /// The new configuration (its `server:` section names the store to read).
        #[arg(long)]
        config: PathBuf,
        /// How far back: `7d`, `12h`, `30m`.
        #[arg(long, default_value = "7d", value_parser = replay::parse_age)]
        since: std::time::Duration,
        /// Only this repository's deliveries (`owner/name`, `group/project`).
        #[arg(long)]
        repo: Option<String>,
        /// Decide `--repo`'s deliveries as if its default branch carried this `.forgehand.yml`
        /// (its sections over the matching `repos:` entry and the server's defaults).
        #[arg(long, requires = "repo")]
        repo_file: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of a configuration file (for editors: the shipped copies are in
    /// `schema/`).
    Schema {
        /// server (the server file) or repo (a repository's `.forgehand.yml`).
        #[arg(long, value_enum, default_value = "server")]
        kind: config::schema::FileKind,
    },
    /// Manage the labels the configuration uses.
    Labels {
        #[command(subcommand)]
        action: LabelsCmd,
    },
    /// Manage forgehand's webhook on repositories.
    Hooks {
        #[command(subcommand)]
        action: HooksCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum HooksCmd {
    /// Register forgehand's webhook on a repository through the forge's API (the events it
    /// acts on, the configured webhook secret); running it again changes nothing.
    Install {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// github or gitlab
        #[arg(long)]
        forge: ForgeKind,
        /// `owner/name` (GitHub) or `group/project` (GitLab); several allowed.
        #[arg(long, required = true)]
        repo: Vec<String>,
        /// Where forgehand is reached: its base URL (`https://bot.example.com`) or the full
        /// payload URL (`…/webhooks/github`).
        #[arg(long)]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LabelsCmd {
    /// Create the labels the configuration uses where they are missing, and set colour and
    /// description from its `labels:` section.
    Sync {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// github or gitlab
        #[arg(long)]
        forge: ForgeKind,
        /// `owner/name` (GitHub) or `group/project` (GitLab); several allowed.
        #[arg(long, required = true)]
        repo: Vec<String>,
        /// The repositories' own `.forgehand.yml`: its rules' labels and its `labels:` are
        /// synced too (over the matching `repos:` entry and the server's).
        #[arg(long)]
        repo_file: Option<PathBuf>,
        /// Only list what would be created or updated.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Serve { config, dry_run } => serve::serve(&config, dry_run),
        Cmd::Check {
            config,
            repo,
            repo_file,
        } => check::check(&config, repo.as_deref(), repo_file.as_deref()),
        Cmd::Plan {
            config,
            forge,
            event,
            source,
            release_day,
            repo,
            payload,
            repo_file,
            json,
        } => {
            let repo_file = repo_file.as_deref();
            if let (Some(date), Some(repo)) = (release_day, repo) {
                return plan::release_day(&config, date, &repo, repo_file, json);
            }
            // clap requires a payload unless `--release-day` is given.
            let Some(payload) = payload else {
                return ExitCode::FAILURE;
            };
            let origin = match (source, forge, event) {
                (Some(source), _, _) => plan::Origin::Alert(source),
                (None, Some(forge), Some(event)) => plan::Origin::Forge(forge, event),
                // clap requires both unless `--source` is given.
                _ => return ExitCode::FAILURE,
            };
            plan::plan(&config, &origin, &payload, repo_file, json)
        }
        Cmd::Explain {
            config,
            delivery,
            forge,
            json,
        } => explain::explain(&config, &delivery, forge, json),
        Cmd::Redeliver {
            config,
            delivery,
            forge,
        } => redeliver::redeliver(&config, &delivery, forge),
        Cmd::Replay {
            config,
            since,
            repo,
            repo_file,
            json,
        } => replay::replay(&config, since, repo, repo_file.as_deref(), json),
        Cmd::Schema { kind } => schema::schema(kind),
        Cmd::Labels {
            action:
                LabelsCmd::Sync {
                    config,
                    forge,
                    repo,
                    repo_file,
                    dry_run,
                },
        } => labels::sync_command(&config, forge, &repo, repo_file.as_deref(), dry_run),
        Cmd::Hooks {
            action:
                HooksCmd::Install {
                    config,
                    forge,
                    repo,
                    url,
                },
        } => hooks::install_command(&config, forge, &repo, &url),
    }
}

/// The configuration at `path`, or `None` after printing every error.
fn load_or_report(path: &Path) -> Option<Config> {
    match config::load(path) {
        Ok(c) => Some(c),
        Err(errors) => {
            eprintln!("{errors}");
            None
        }
    }
}

/// A Tokio runtime for a command, or `None` after saying why there is none.
fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Runtime::new() {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            None
        }
    }
}
