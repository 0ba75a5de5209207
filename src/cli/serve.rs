//! `forgehand serve`: build the application from the configuration and run it until it is
//! stopped.

use crate::config::incidents::IncidentsConfig;
use crate::config::{self, Config};
use crate::event::alerts::AlertSource;
use crate::forge::Forges;
use crate::model::ForgeKind;
use crate::startup::Application;
use crate::telemetry::Metrics;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

pub(super) fn serve(path: &Path, dry_run: bool) -> ExitCode {
    crate::telemetry::init_logging(config::json_logs_requested());
    let Some(mut config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    if dry_run {
        config.server.dry_run = true;
    }
    let Some(runtime) = super::runtime() else {
        return ExitCode::FAILURE;
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
    // No forge is contacted before intake starts: credentials are checked in the background
    // and `/readyz` shows what the checks found.
    let forges = if config.server.dry_run {
        Forges::default()
    } else {
        crate::forge::build_unchecked(&config, metrics.clone())?
    };
    crate::forge::check_in_background(&forges);
    let config = Arc::new(config);
    if config.dry_run() || forges.is_empty() {
        tracing::warn!(
            "dry-run mode: no forge credentials are set (GITHUB_TOKEN or GITHUB_APP_ID + \
             GITHUB_APP_PRIVATE_KEY, GITLAB_TOKEN) or --dry-run was given; plans are logged, \
             nothing is written to a forge"
        );
    }
    for (forge, variable, served) in [
        (
            ForgeKind::Github,
            "GITHUB_WEBHOOK_SECRET",
            config.github_enabled(),
        ),
        (
            ForgeKind::Gitlab,
            "GITLAB_WEBHOOK_TOKEN",
            config.gitlab_enabled(),
        ),
    ] {
        if !served {
            tracing::warn!(
                "{} webhooks are not served: {variable} is not set (answering 503)",
                forge.display_name()
            );
        }
    }
    if config.incidents.enabled() {
        for source in [AlertSource::Alertmanager, AlertSource::Pingdom] {
            if config.incidents.intake(source).tokens.is_empty() {
                tracing::warn!(
                    "{} alerts are not served: {} is not set (answering 503)",
                    source.display_name(),
                    IncidentsConfig::token_variable(source)
                );
            }
        }
    }
    let app = Application::build(config.clone(), forges, metrics).await?;
    tracing::info!(listen = %config.listen(), port = app.port(), "forgehand is listening");
    app.run_until_stopped().await?;
    Ok(())
}
