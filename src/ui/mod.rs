//! The operations page under `/ui`: server-rendered HTML (templates compiled into the binary,
//! one stylesheet, a few lines of script that only make filters submit on change) showing the
//! recent deliveries, one delivery's account with a Redeliver button, each repository's
//! release calendar and rotation, and the queue with the forges' rate budgets.
//!
//! Off unless `ui.tokens` holds a token: then every `/ui` path answers 404. An operator signs
//! in with a token once and gets a signed session cookie ([`auth`]); every page refuses
//! without it, and every form that changes something carries the session's CSRF token.
//! Nothing secret is shown: no token, no signature, no raw payload.

pub mod auth;
pub mod calendar;
mod handlers;
pub mod pages;

use crate::config::Config;
use crate::store::Store;
use crate::telemetry::Metrics;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use auth::{Auth, Session};
use minijinja::Environment;
use std::sync::Arc;

/// The effective configuration of a repository that has its own process (its
/// `.forgehand.yml` as the workers last read it), if forgehand has one for it.
pub type RepoFiles =
    Arc<dyn Fn(crate::model::ForgeKind, &str) -> Option<Arc<Config>> + Send + Sync>;

/// The templates, compiled into the binary. `.html` names are escaped automatically.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("login.html", include_str!("templates/login.html")),
    ("deliveries.html", include_str!("templates/deliveries.html")),
    ("delivery.html", include_str!("templates/delivery.html")),
    ("calendar.html", include_str!("templates/calendar.html")),
    ("queue.html", include_str!("templates/queue.html")),
    ("message.html", include_str!("templates/message.html")),
];
/// The one stylesheet.
const STYLE: &str = include_str!("templates/style.css");
/// Filters submit when a choice changes (the pages work without it).
const SCRIPT: &str = include_str!("templates/ui.js");
/// What a page may load: its own stylesheet and script, nothing else; no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the page's handlers share.
pub struct Ui {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    metrics: Arc<Metrics>,
    auth: Auth,
    templates: Environment<'static>,
    repo_files: Option<RepoFiles>,
}

impl Ui {
    /// The page, or `None` when no token is configured (the page is off).
    pub fn new(
        store: Arc<dyn Store>,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Option<Ui>> {
        if !config.ui.enabled() {
            return Ok(None);
        }
        let mut templates = Environment::new();
        templates.add_filter("urlencode", |text: String| pages::percent(&text));
        for (name, text) in TEMPLATES {
            templates
                .add_template(name, text)
                .map_err(|e| anyhow::anyhow!("operations page template {name}: {e}"))?;
        }
        Ok(Some(Ui {
            auth: Auth::new(&config.ui.tokens, config.ui.session()),
            store,
            config,
            metrics,
            templates,
            repo_files: None,
        }))
    }

    /// Judge rules and draw calendars by each repository's own file where the workers read
    /// one (else by the server file and its `repos:` entries).
    pub fn with_repo_files(mut self, repo_files: RepoFiles) -> Self {
        self.repo_files = Some(repo_files);
        self
    }

    /// The configuration that applies to `path`: its own file as last read, else the
    /// server file with its matching `repos:` entry.
    fn config_for(&self, forge: crate::model::ForgeKind, path: &str) -> Config {
        self.repo_files
            .as_ref()
            .and_then(|files| files(forge, path))
            .map_or_else(|| self.config.for_repo(forge, path), |c| (*c).clone())
    }

    /// The signed-in session the request's cookie holds, if any.
    fn session(&self, req: &HttpRequest) -> Option<Session> {
        let now = crate::clock::now_ms();
        req.headers()
            .get_all(header::COOKIE)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == auth::COOKIE)
            .find_map(|(_, value)| self.auth.verify(value, now))
    }

    /// `template` rendered with `context` inside the layout.
    fn page(
        &self,
        status: StatusCode,
        session: Option<&Session>,
        title: &str,
        template: &str,
        context: minijinja::Value,
    ) -> HttpResponse {
        let body = self
            .templates
            .get_template(template)
            .and_then(|t| t.render(context));
        let page = body.and_then(|body| {
            self.templates
                .get_template("layout.html")?
                .render(minijinja::context! {
                    title => title,
                    body => minijinja::Value::from_safe_string(body),
                    signed_in => session.is_some(),
                    csrf => session.map(|s| self.auth.csrf(s)),
                })
        });
        match page {
            Ok(html) => html_response(status, html),
            Err(e) => {
                tracing::error!(error = %e, template, "operations page does not render");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!doctype html><title>error</title><p>The page could not be shown.</p>"
                        .to_string(),
                )
            }
        }
    }

    /// A short page that says `message`.
    fn message(
        &self,
        status: StatusCode,
        session: Option<&Session>,
        title: &str,
        message: &str,
    ) -> HttpResponse {
        self.page(
            status,
            session,
            title,
            "message.html",
            minijinja::context! { title => title, message => message },
        )
    }
}

/// Security headers every page carries; pages are never cached (they show live state).
fn secured(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY));
    builder
}

fn html_response(status: StatusCode, html: String) -> HttpResponse {
    secured(HttpResponse::build(status))
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// `303 See Other` to `location` (after a form, or to the sign-in page).
fn see_other(location: &str) -> HttpResponse {
    secured(HttpResponse::SeeOther())
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Mount `/ui` when the page is on; when it is off nothing is mounted and every `/ui` path
/// answers 404 like any unknown path.
pub fn routes(cfg: &mut web::ServiceConfig, ui: Option<web::Data<Ui>>) {
    let Some(ui) = ui else {
        return;
    };
    cfg.service(
        web::scope("/ui")
            .app_data(ui)
            .route("", web::get().to(handlers::deliveries))
            .route("/", web::get().to(handlers::deliveries))
            .route("/login", web::get().to(handlers::login_form))
            .route("/login", web::post().to(handlers::login))
            .route("/logout", web::post().to(handlers::logout))
            .route("/delivery", web::get().to(handlers::delivery))
            .route("/redeliver", web::post().to(handlers::redeliver))
            .route("/calendar", web::get().to(handlers::calendar))
            .route("/queue", web::get().to(handlers::queue))
            .route("/style.css", web::get().to(style))
            .route("/ui.js", web::get().to(script)),
    );
}

async fn style() -> HttpResponse {
    secured(HttpResponse::Ok())
        .content_type("text/css; charset=utf-8")
        .body(STYLE)
}

async fn script() -> HttpResponse {
    secured(HttpResponse::Ok())
        .content_type("text/javascript; charset=utf-8")
        .body(SCRIPT)
}

#[cfg(test)]
mod tests;
