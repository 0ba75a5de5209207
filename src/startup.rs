//! Building the application: store, workers and the HTTP server on a bound port.

use crate::config::Config;
use crate::forge::Forges;
use crate::ingress::{self, Ingress};
use crate::store::{self, Store};
use crate::telemetry::{self, JobState, Metrics};
use crate::worker::{Worker, WorkerSettings};
use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How long in-flight requests may take to finish when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A built, bound application.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    workers: Vec<JoinHandle<()>>,
    stop_workers: watch::Sender<bool>,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

struct Shared {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
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
        if !config.schedules.is_empty() {
            let schedules = Arc::new(config.schedules.clone());
            let runner = crate::schedule::runner::run(
                schedules,
                store.clone(),
                wake.clone(),
                stop_rx.clone(),
            );
            workers.push(tokio::spawn(runner));
        }

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
        });
        let body_limit =
            usize::try_from(config.server.body_limit_bytes.get()).unwrap_or(usize::MAX);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(ingress.clone())
                .app_data(shared.clone())
                .configure(ingress::routes)
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(metrics_page))
        })
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            workers,
            stop_workers,
            store,
            metrics,
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

    /// Serve until the server stops (SIGINT / SIGTERM), then let the workers finish their job.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let _ = self.stop_workers.send(true);
        for w in self.workers {
            let _ = w.await;
        }
        result
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

async fn readyz(shared: web::Data<Shared>) -> HttpResponse {
    match shared.store.stats().await {
        Ok(_) => HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n"),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().finish()
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
