//! Ingress: the webhook endpoints. Each checks the body limit and the signature or token over
//! the raw bytes, identifies the delivery, writes it to the store and only then answers —
//! `202` for a new delivery, `200` for a known one. It never calls a forge.

pub mod alerts;
pub mod github;
pub mod gitlab;

use crate::config::incidents::IncidentsConfig;
use crate::event::alerts::AlertSource;
use crate::model::ForgeKind;
use crate::store::{Inserted, NewDelivery, Store};
use crate::telemetry::{DeliveryLabels, DeliveryOutcome, Metrics};
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Notify;
use tracing::Instrument;

/// What the webhook endpoints share.
pub struct Ingress {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    /// Accepted GitHub webhook secrets (several during a rotation); empty = GitHub not served.
    pub github_secrets: Vec<SecretString>,
    /// Accepted GitLab webhook tokens; empty = GitLab not served.
    pub gitlab_tokens: Vec<SecretString>,
    /// The alert sources' tokens and the routes that say which forge an alert is stored for.
    pub incidents: Arc<IncidentsConfig>,
    /// Woken after each new delivery so that an idle worker claims it at once.
    pub wake: Arc<Notify>,
}

/// Mount the webhook routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks/github", web::post().to(github_webhook))
        .route("/webhooks/gitlab", web::post().to(gitlab_webhook))
        .route(
            "/webhooks/alerts/alertmanager",
            web::post().to(alertmanager_webhook),
        )
        .route("/webhooks/alerts/pingdom", web::post().to(pingdom_webhook));
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn not_served(variable: &str, what: &str) -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain")
        .body(format!("{variable} is not set: {what} are not served\n"))
}

fn refused(metrics: &Metrics, forge: ForgeKind, why: &str) -> HttpResponse {
    metrics.delivery(DeliveryLabels {
        forge,
        event: "",
        outcome: DeliveryOutcome::Unauthorized,
    });
    tracing::warn!(forge = forge.as_str(), "delivery refused: {why}");
    HttpResponse::Unauthorized()
        .content_type("text/plain")
        .body(format!("{why}\n"))
}

async fn github_webhook(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Ingress>,
) -> HttpResponse {
    let started = Instant::now();
    if state.github_secrets.is_empty() {
        return not_served("GITHUB_WEBHOOK_SECRET", "GitHub webhooks");
    }
    let signature = header(&req, "x-hub-signature-256");
    if !github::verify(&state.github_secrets, signature, &body) {
        let why = if signature.is_none() {
            "missing X-Hub-Signature-256"
        } else {
            "bad X-Hub-Signature-256"
        };
        return refused(&state.metrics, ForgeKind::Github, why);
    }
    let event = crate::event::foreign_event_name(header(&req, "x-github-event").unwrap_or(""));
    let delivery_id = header(&req, "x-github-delivery")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(&body))));
    accept(&state, ForgeKind::Github, delivery_id, event, body, started).await
}

async fn gitlab_webhook(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Ingress>,
) -> HttpResponse {
    let started = Instant::now();
    if state.gitlab_tokens.is_empty() {
        return not_served("GITLAB_WEBHOOK_TOKEN", "GitLab webhooks");
    }
    if !gitlab::verify(&state.gitlab_tokens, header(&req, "x-gitlab-token")) {
        return refused(
            &state.metrics,
            ForgeKind::Gitlab,
            "bad or missing X-Gitlab-Token",
        );
    }
    let event = crate::event::foreign_event_name(header(&req, "x-gitlab-event").unwrap_or(""));
    let delivery_id = gitlab::delivery_id(
        header(&req, "idempotency-key"),
        header(&req, "x-gitlab-event-uuid"),
        &body,
    );
    accept(&state, ForgeKind::Gitlab, delivery_id, event, body, started).await
}

async fn alertmanager_webhook(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Ingress>,
) -> HttpResponse {
    alert_webhook(AlertSource::Alertmanager, req, body, state).await
}

async fn pingdom_webhook(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Ingress>,
) -> HttpResponse {
    alert_webhook(AlertSource::Pingdom, req, body, state).await
}

/// An alert: its source's token, then stored under the forge its route names, with the
/// source's name as the event. A payload that cannot be read is stored and acknowledged
/// too (a sender answered 4xx would retry forever); the worker records why it failed.
async fn alert_webhook(
    source: AlertSource,
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Ingress>,
) -> HttpResponse {
    let started = Instant::now();
    let incidents = &state.incidents;
    let tokens = &incidents.intake(source).tokens;
    let what = format!("{} alerts", source.display_name());
    let Some(default_forge) = incidents.default_forge() else {
        return not_served("incidents.repo", &what);
    };
    if tokens.is_empty() {
        return not_served(IncidentsConfig::token_variable(source), &what);
    }
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
    let presented = query.get(alerts::TOKEN_PARAMETER).map(String::as_str);
    if !alerts::verify(tokens, header(&req, "authorization"), presented) {
        let why = format!("bad or missing {} token", source.display_name());
        return refused(&state.metrics, default_forge, &why);
    }
    let forge = alerts::forge_for(incidents, source, &body).unwrap_or(default_forge);
    let delivery_id = crate::event::alerts::delivery_id(source, &body);
    accept(
        &state,
        forge,
        delivery_id,
        source.as_str().to_string(),
        body,
        started,
    )
    .await
}

/// Store an authentic delivery and answer. Whatever the payload holds, an authentic delivery
/// is stored and acknowledged (GitLab disables hooks that receive 4xx answers); decoding
/// problems are recorded on the job by the worker.
async fn accept(
    state: &Ingress,
    forge: ForgeKind,
    delivery_id: String,
    event: String,
    body: web::Bytes,
    started: Instant,
) -> HttpResponse {
    let span = tracing::info_span!(
        "delivery",
        delivery.id = %delivery_id,
        forge = forge.as_str(),
        event = %event
    );
    async move {
        let delivery = NewDelivery {
            forge,
            delivery_id,
            event,
            // The buffer actix read the body into, not a copy of it (it is not shared).
            body: body.into(),
            received_at: crate::clock::now_ms(),
        };
        let event_label = metric_event(&delivery.event);
        let (response, outcome) = match state.store.insert(delivery).await {
            Ok(Inserted::New) => {
                state.wake.notify_one();
                tracing::debug!("delivery accepted");
                (HttpResponse::Accepted().finish(), DeliveryOutcome::Accepted)
            }
            Ok(Inserted::Duplicate) => {
                tracing::info!("known delivery id: acknowledged, not processed again");
                (HttpResponse::Ok().finish(), DeliveryOutcome::Duplicate)
            }
            Err(e) => {
                tracing::error!(error = %e, "delivery could not be stored");
                // Opaque body; the forge retries or the operator redelivers.
                (
                    HttpResponse::ServiceUnavailable().finish(),
                    DeliveryOutcome::StoreError,
                )
            }
        };
        state.metrics.delivery(DeliveryLabels {
            forge,
            event: event_label,
            outcome,
        });
        state.metrics.ack(forge, started.elapsed());
        response
    }
    .instrument(span)
    .await
}

/// Event names used as metric labels: known names as they are, anything else as `other`, so
/// that a sender cannot grow the metric set without bound.
fn metric_event(event: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "issues",
        "issue_comment",
        "pull_request",
        "push",
        "create",
        "delete",
        "release",
        "workflow_run",
        "check_suite",
        "ping",
        "Issue Hook",
        "Confidential Issue Hook",
        "Note Hook",
        "Confidential Note Hook",
        "Merge Request Hook",
        "Push Hook",
        "Tag Push Hook",
        "Pipeline Hook",
        "Release Hook",
        "System Hook",
        "alertmanager",
        "pingdom",
    ];
    KNOWN
        .iter()
        .find(|k| **k == event)
        .copied()
        .unwrap_or("other")
}
