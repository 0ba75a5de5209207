//! Building the application: store, workers and the HTTP server on a bound port.

use crate::config::Config;
use crate::forge::{ForgeHealth, Forges};
use crate::ingress::{self, Ingress};
use crate::schedule::KnownRepos;
use crate::store::{self, Store};
use crate::telemetry::{self, JobState, Metrics};
use crate::worker::{Worker, WorkerSettings};
use actix_web::{web, App, HttpResponse, HttpServer};
use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How long in-flight HTTP requests may take to finish when the server stops (a delivery is
/// stored in milliseconds; this runs alongside the workers' grace).
const HTTP_SHUTDOWN_SECONDS: u64 = 2;

/// A built, bound application.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    workers: Vec<JoinHandle<()>>,
    worker: Arc<Worker>,
    stop_workers: watch::Sender<bool>,
    grace: Duration,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    known: KnownRepos,
}

struct Shared {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    forges: Arc<ForgeHealth>,
}

impl Application {
    /// Open the store, start the workers and bind the listener (`127.0.0.1:0` picks a port).
    pub async fn build(
        config: Arc<Config>,
        forges: Forges,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Application> {
        let store = store::open(config.database_url().expose_url()).await?;
        let listener = TcpListener::bind(config.listen())
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen()))?;
        Self::build_with(config, forges, store, listener, metrics)
    }

    /// Like [`build`](Self::build), with the store and listener given (tests); `metrics` is
    /// the registry the forge clients count their calls in.
    pub fn build_with(
        config: Arc<Config>,
        forges: Forges,
        store: Arc<dyn Store>,
        listener: TcpListener,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        let health = forges.health.clone();
        let wake = Arc::new(Notify::new());
        let (stop_workers, stop_rx) = watch::channel(false);

        forges.learn_identities_in_background();
        let worker = Arc::new(Worker::new(
            store.clone(),
            config.clone(),
            forges,
            metrics.clone(),
            WorkerSettings::from_config(&config),
        ));
        let mut workers: Vec<JoinHandle<()>> = (0..config.server.workers.get() as usize)
            .map(|n| {
                let worker = worker.clone();
                let wake = wake.clone();
                let stop = stop_rx.clone();
                tokio::spawn(async move { worker.run(n, wake, stop).await })
            })
            .collect();
        workers.push(tokio::spawn(store::retention::run(
            store.clone(),
            config.server.retention(),
            stop_rx.clone(),
        )));
        // The schedulers run the server file's schedules and release day, and those of each
        // repository the workers heard from that has its own (its `.forgehand.yml`).
        let repo_configs = worker.repo_configs();
        let known: KnownRepos = Arc::new(move || repo_configs.known());
        workers.push(tokio::spawn(crate::schedule::runner::run(
            Arc::new(config.schedules.clone()),
            known.clone(),
            store.clone(),
            wake.clone(),
            stop_rx.clone(),
        )));
        workers.push(tokio::spawn(crate::schedule::release_day::run(
            Arc::new(config.release.clone()),
            known.clone(),
            store.clone(),
            wake.clone(),
            stop_rx.clone(),
        )));

        let ingress = web::Data::new(Ingress {
            store: store.clone(),
            metrics: metrics.clone(),
            github_secrets: config.github.webhook_secrets.clone(),
            gitlab_tokens: config.gitlab.webhook_tokens.clone(),
            incidents: Arc::new(config.incidents.clone()),
            wake,
        });
        let shared = web::Data::new(Shared {
            store: store.clone(),
            metrics: metrics.clone(),
            forges: health,
        });
        let repo_files: crate::ui::RepoFiles = {
            let known = known.clone();
            Arc::new(move |forge, path: &str| {
                known()
                    .into_iter()
                    .find(|(f, p, _)| *f == forge && p.eq_ignore_ascii_case(path))
                    .map(|(_, _, config)| config)
            })
        };
        let ui = crate::ui::Ui::new(store.clone(), config.clone(), metrics.clone())?
            .map(|ui| web::Data::new(ui.with_repo_files(repo_files)));
        if ui.is_some() {
            tracing::info!("the operations page is served under /ui");
        }
        let body_limit =
            usize::try_from(config.server.body_limit_bytes.get()).unwrap_or(usize::MAX);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(ingress.clone())
                .app_data(shared.clone())
                .configure(ingress::routes)
                .configure(|cfg| crate::ui::routes(cfg, ui.clone()))
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(metrics_page))
        })
        .shutdown_timeout(HTTP_SHUTDOWN_SECONDS)
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            workers,
            worker,
            stop_workers,
            grace: config.server.shutdown_grace(),
            store,
            metrics,
            known,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// The repositories heard from that have their own process, as the schedulers see them.
    pub fn known_repos(&self) -> KnownRepos {
        self.known.clone()
    }

    /// Serve until `SIGTERM` or Ctrl-C, then shut down (see [`run_until`](Self::run_until)).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serve until `stop` completes, then shut down within the grace: no more jobs are
    /// claimed, the HTTP server stops accepting, running jobs get the grace to finish, jobs
    /// still running after it are stopped and put back (claimable again at once), and the
    /// function returns.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = tokio::spawn(self.server);
        let early = tokio::select! {
            result = &mut server => Some(result),
            () = stop => None,
        };
        let started = Instant::now();
        tracing::info!(
            grace_s = self.grace.as_secs_f64(),
            "shutting down: no new jobs, running ones get the grace"
        );
        let _ = self.stop_workers.send(true);
        let http = tokio::spawn(handle.stop(true));
        let deadline = tokio::time::Instant::now() + self.grace;
        let mut stopped = 0;
        for mut w in self.workers {
            if tokio::time::timeout_at(deadline, &mut w).await.is_err() {
                w.abort();
                let _ = w.await;
                stopped += 1;
            }
        }
        let released = self.worker.release_claimed().await;
        let _ = http.await;
        let result = match early {
            Some(result) => result,
            None => server.await,
        };
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            workers_stopped = stopped,
            jobs_put_back = released,
            "forgehand stopped"
        );
        result.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Completes on `SIGTERM` or Ctrl-C (`SIGINT`).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Ready when the store answers (intake needs nothing else); the body says, as JSON, the
/// store's state and each configured forge's (`ok`, `unreachable`, `bad_credentials`,
/// `unchecked`), which do not make it unready: webhooks are accepted whatever the forges say.
async fn readyz(shared: web::Data<Shared>) -> HttpResponse {
    let mut forges = serde_json::Map::new();
    for (name, state) in shared.forges.states() {
        let mut entry = serde_json::json!({ "state": state.as_str() });
        if let Some(detail) = state.detail() {
            entry["detail"] = detail.into();
        }
        forges.insert(name.to_string(), entry);
    }
    match shared.store.stats().await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({
            "status": "ready",
            "store": "ok",
            "forges": forges,
        })),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "status": "unavailable",
                "store": "unavailable",
                "forges": forges,
            }))
        }
    }
}

async fn metrics_page(shared: web::Data<Shared>) -> HttpResponse {
    let stats = shared.store.stats().await.unwrap_or_default();
    let metrics = &shared.metrics;
    for (state, count) in [
        (JobState::Pending, stats.pending),
        (JobState::Running, stats.running),
        (JobState::Done, stats.done),
        (JobState::Ignored, stats.ignored),
        (JobState::Failed, stats.failed),
    ] {
        metrics.set_jobs(state, count);
    }
    metrics.set_queue_depth(stats.pending + stats.running);
    HttpResponse::Ok()
        .content_type(telemetry::CONTENT_TYPE)
        .body(metrics.render())
}
