//! The command line: `serve`, `check`, `plan`, `labels sync`.

use crate::config::{self, Config};
use crate::decide::{self, Context};
use crate::event::{self, Decoded, ForgeKind};
use crate::forge::Forges;
use crate::startup::Application;
use crate::telemetry::Metrics;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Show what forgehand would do for one delivery, without calling any forge.
    Plan {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// github or gitlab
        #[arg(long)]
        forge: ForgeKind,
        /// The event name as the forge sends it (`X-GitHub-Event` / `X-Gitlab-Event`).
        #[arg(long)]
        event: String,
        /// The delivery's JSON payload.
        payload: PathBuf,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage the labels the rules use.
    Labels {
        #[command(subcommand)]
        action: LabelsCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum LabelsCmd {
    /// Create the labels the rules use where they are missing.
    Sync {
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
        /// github or gitlab
        #[arg(long)]
        forge: ForgeKind,
        /// `owner/name` (GitHub) or `group/project` (GitLab); several allowed.
        #[arg(long, required = true)]
        repo: Vec<String>,
        /// Only list what would be created.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Serve { config, dry_run } => serve(&config, dry_run),
        Cmd::Check { config } => check(&config),
        Cmd::Plan {
            config,
            forge,
            event,
            payload,
            json,
        } => plan(&config, forge, &event, &payload, json),
        Cmd::Labels {
            action:
                LabelsCmd::Sync {
                    config,
                    forge,
                    repo,
                    dry_run,
                },
        } => labels_sync(&config, forge, &repo, dry_run),
    }
}

fn load_or_report(path: &Path) -> Option<Config> {
    match config::load(path) {
        Ok(c) => Some(c),
        Err(errors) => {
            eprintln!("{errors}");
            None
        }
    }
}

fn check(path: &Path) -> ExitCode {
    match config::load(path) {
        Ok(_) => {
            println!("{}: ok", path.display());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}

fn plan(path: &Path, forge: ForgeKind, event: &str, payload: &Path, json: bool) -> ExitCode {
    let Some(config) = load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let body = match std::fs::read(payload) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", payload.display());
            return ExitCode::FAILURE;
        }
    };
    let event = match event::decode(forge, event, &body) {
        Ok(Decoded::Event(e)) => e,
        Ok(Decoded::Ignored(why)) => {
            println!("ignored: {why}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}: {e}", payload.display());
            return ExitCode::FAILURE;
        }
    };
    let plan = if config.bot.is_self(&event.actor.login) {
        let mut p = crate::plan::Plan::default();
        p.notes.push("caused by forgehand itself: ignored".into());
        p
    } else {
        decide::decide(&event, &config, &Context::default(), crate::clock::now())
    };
    if json {
        match serde_json::to_string_pretty(&plan) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("cannot render the plan: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{plan}");
    }
    ExitCode::SUCCESS
}

fn labels_sync(path: &Path, kind: ForgeKind, repos: &[String], dry_run: bool) -> ExitCode {
    let Some(config) = load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let wanted = crate::rules::labels::used_labels(&config.rules);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let forges = crate::forge::build(&config, Arc::default()).await?;
        let forge = forges
            .get(kind)
            .ok_or_else(|| anyhow::anyhow!("no {kind} credentials are set"))?;
        for repo in repos {
            let report = crate::rules::labels::sync(forge.as_ref(), repo, &wanted, dry_run).await?;
            let verb = if dry_run { "would create" } else { "created" };
            for label in &report.created {
                println!("{repo}: {verb} `{label}`");
            }
            println!(
                "{repo}: {} label(s) {verb}, {} already there",
                report.created.len(),
                report.existing.len()
            );
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forgehand labels sync: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: &Path, dry_run: bool) -> ExitCode {
    crate::telemetry::init_logging(config::json_logs_requested());
    let Some(mut config) = load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    if dry_run {
        config.server.dry_run = true;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_server(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "forgehand stopped");
            eprintln!("forgehand: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_server(config: Config) -> anyhow::Result<()> {
    let metrics = Arc::new(Metrics::default());
    let forges = if config.server.dry_run {
        Forges::default()
    } else {
        crate::forge::build(&config, metrics.clone()).await?
    };
    let config = Arc::new(config);
    if config.dry_run() || forges.is_empty() {
        tracing::warn!(
            "dry-run mode: no forge credentials are set (GITHUB_TOKEN or GITHUB_APP_ID + \
             GITHUB_APP_PRIVATE_KEY, GITLAB_TOKEN) or --dry-run was given; plans are logged, \
             nothing is written to a forge"
        );
    }
    for (forge, variable, served) in [
        ("GitHub", "GITHUB_WEBHOOK_SECRET", config.github_enabled()),
        ("GitLab", "GITLAB_WEBHOOK_TOKEN", config.gitlab_enabled()),
    ] {
        if !served {
            tracing::warn!(
                "{forge} webhooks are not served: {variable} is not set (answering 503)"
            );
        }
    }
    let app = Application::build(config.clone(), forges, metrics).await?;
    tracing::info!(listen = %config.listen(), port = app.port(), "forgehand is listening");
    app.run_until_stopped().await?;
    Ok(())
}
