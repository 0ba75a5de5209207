//! The page handlers: each checks the session first (no session: to the sign-in page), and
//! each form that changes something checks the session's CSRF token.

use super::auth::{Session, COOKIE};
use super::pages::{percent, DeliveryView, ListFilter, Row, WebBases, OUTCOMES, PAGE_SIZE};
use super::{calendar, see_other, Ui};
use crate::model::ForgeKind;
use crate::store::Redelivery;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::Deserialize;

type Data = web::Data<Ui>;

/// Where a request without a session is sent.
fn to_sign_in() -> HttpResponse {
    see_other("/ui/login")
}

/// The store failed: logged here, an opaque page for the browser.
fn store_failed(ui: &Ui, session: &Session, e: crate::store::StoreError) -> HttpResponse {
    tracing::error!(error = %e, "operations page: the store failed");
    ui.message(
        StatusCode::SERVICE_UNAVAILABLE,
        Some(session),
        "Store unavailable",
        "The store did not answer; try again shortly.",
    )
}

/// The session cookie: signed, HttpOnly, SameSite=Strict, for `/ui` only, lapsing with the
/// session; Secure when the request came over https (directly or through a proxy saying so).
fn session_cookie(req: &HttpRequest, value: &str, max_age: u64) -> String {
    let secure = if req.connection_info().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={value}; Path=/ui; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

pub(super) async fn login_form(req: HttpRequest, ui: Data) -> HttpResponse {
    if ui.session(&req).is_some() {
        return see_other("/ui/");
    }
    ui.page(
        StatusCode::OK,
        None,
        "Sign in",
        "login.html",
        context! { refused => false },
    )
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    token: String,
}

pub(super) async fn login(req: HttpRequest, form: web::Form<LoginForm>, ui: Data) -> HttpResponse {
    if !ui.auth.token_matches(&form.token) {
        tracing::warn!("operations page: sign-in refused (wrong token)");
        return ui.page(
            StatusCode::UNAUTHORIZED,
            None,
            "Sign in",
            "login.html",
            context! { refused => true },
        );
    }
    tracing::info!("operations page: signed in");
    let cookie = ui.auth.issue(crate::clock::now_ms());
    let mut response = see_other("/ui/");
    if let Ok(value) = session_cookie(&req, &cookie, ui.auth.ttl().as_secs()).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(req: HttpRequest, form: web::Form<CsrfForm>, ui: Data) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    if !ui.auth.csrf_matches(&session, &form.csrf) {
        return csrf_refused(&ui, &session);
    }
    let mut response = see_other("/ui/login");
    if let Ok(value) = session_cookie(&req, "", 0).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn csrf_refused(ui: &Ui, session: &Session) -> HttpResponse {
    tracing::warn!("operations page: a form without its session's CSRF token was refused");
    ui.message(
        StatusCode::FORBIDDEN,
        Some(session),
        "Refused",
        "This form did not come from this session's page; reload the page and try again.",
    )
}

pub(super) async fn deliveries(
    req: HttpRequest,
    filter: web::Query<ListFilter>,
    ui: Data,
) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    let filter = filter.into_inner();
    let mut found = match ui.store.recent(filter.query()).await {
        Ok(rows) => rows,
        Err(e) => return store_failed(&ui, &session, e),
    };
    let more = found.len() > PAGE_SIZE;
    found.truncate(PAGE_SIZE);
    let repos = match ui.store.repos().await {
        Ok(repos) => repos,
        Err(e) => return store_failed(&ui, &session, e),
    };
    let mut repo_names: Vec<String> = repos.into_iter().map(|(_, repo)| repo).collect();
    repo_names.dedup();
    let rows: Vec<Row> = found.iter().map(Row::of).collect();
    let page = filter.page();
    ui.page(
        StatusCode::OK,
        Some(&session),
        "Deliveries",
        "deliveries.html",
        context! {
            rows => rows,
            filter => filter,
            repos => repo_names,
            outcomes => OUTCOMES,
            page => page,
            previous => (page > 1).then(|| page - 1),
            next => more.then_some(page + 1),
        },
    )
}

#[derive(Deserialize)]
pub(super) struct DeliveryQuery {
    #[serde(default)]
    forge: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    notice: String,
}

fn not_found(ui: &Ui, session: &Session, what: &str) -> HttpResponse {
    ui.message(StatusCode::NOT_FOUND, Some(session), "Not found", what)
}

pub(super) async fn delivery(
    req: HttpRequest,
    query: web::Query<DeliveryQuery>,
    ui: Data,
) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    let Ok(forge) = query.forge.parse::<ForgeKind>() else {
        return not_found(&ui, &session, "No such forge.");
    };
    // The rules are judged by the configuration that applies to the delivery's repository.
    let config = match ui.store.stored(forge, &query.id).await {
        Ok(Some(stored)) => match stored.facts {
            Some(f) if !f.repo.is_empty() => ui.config_for(forge, &f.repo),
            _ => (*ui.config).clone(),
        },
        Ok(None) => return not_found(&ui, &session, "No such delivery is stored."),
        Err(e) => return store_failed(&ui, &session, e),
    };
    let account = match crate::explain::account(ui.store.as_ref(), &config, forge, &query.id).await
    {
        Ok(Some(account)) => account,
        Ok(None) => return not_found(&ui, &session, "No such delivery is stored."),
        Err(e) => return store_failed(&ui, &session, e),
    };
    let notice = match query.notice.as_str() {
        "queued" => Some("Queued again: a worker picks it up shortly."),
        "not-failed" => Some("Only a failed delivery is queued again."),
        _ => None,
    };
    ui.page(
        StatusCode::OK,
        Some(&session),
        &format!("Delivery {}", account.delivery_id),
        "delivery.html",
        context! {
            d => DeliveryView::of(account, &WebBases::of(&ui.config)),
            csrf => ui.auth.csrf(&session),
            notice => notice,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct RedeliverForm {
    #[serde(default)]
    forge: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    csrf: String,
}

pub(super) async fn redeliver(
    req: HttpRequest,
    form: web::Form<RedeliverForm>,
    ui: Data,
) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    if !ui.auth.csrf_matches(&session, &form.csrf) {
        return csrf_refused(&ui, &session);
    }
    let Ok(forge) = form.forge.parse::<ForgeKind>() else {
        return not_found(&ui, &session, "No such forge.");
    };
    let notice = match ui.store.redeliver(forge, &form.id).await {
        Ok(Redelivery::Queued) => {
            tracing::info!(delivery.id = %form.id, forge = forge.as_str(), "operations page: delivery queued again");
            "queued"
        }
        Ok(Redelivery::NotFailed(_)) => "not-failed",
        Ok(Redelivery::NotFound) => return not_found(&ui, &session, "No such delivery is stored."),
        Err(e) => return store_failed(&ui, &session, e),
    };
    let query = query_string(&[
        ("forge", forge.as_str()),
        ("id", &form.id),
        ("notice", notice),
    ]);
    see_other(&format!("/ui/delivery?{query}"))
}

/// `k=v&…` with each part percent-encoded.
fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Deserialize)]
pub(super) struct CalendarQuery {
    /// `github:owner/name`; empty: the server's own `release:` section.
    #[serde(default)]
    repo: String,
}

pub(super) async fn calendar(
    req: HttpRequest,
    query: web::Query<CalendarQuery>,
    ui: Data,
) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    let mut choices: Vec<String> = match ui.store.repos().await {
        Ok(repos) => repos
            .iter()
            .map(|(forge, repo)| format!("{}:{repo}", forge.as_str()))
            .collect(),
        Err(e) => return store_failed(&ui, &session, e),
    };
    for (pattern, _) in &ui.config.repos {
        let key = pattern.to_string();
        if !pattern.pattern.contains('*') && !choices.contains(&key) {
            choices.push(key);
        }
    }
    choices.sort();
    let selected = query.repo.trim();
    let config = match selected.split_once(':') {
        Some((forge, path)) => match forge.parse::<ForgeKind>() {
            Ok(forge) => ui.config_for(forge, path),
            Err(_) => return not_found(&ui, &session, "No such forge."),
        },
        None if selected.is_empty() => (*ui.config).clone(),
        None => return not_found(&ui, &session, "Name a repository as forge:owner/name."),
    };
    let release = &config.release;
    let view = release.calendar.as_ref().map(|c| {
        calendar::view(
            c,
            release.rotation.as_ref(),
            crate::clock::now().date_naive(),
        )
    });
    ui.page(
        StatusCode::OK,
        Some(&session),
        "Release calendar",
        "calendar.html",
        context! {
            choices => choices,
            selected => selected,
            view => view,
            enabled => release.enabled,
        },
    )
}

pub(super) async fn queue(req: HttpRequest, ui: Data) -> HttpResponse {
    let Some(session) = ui.session(&req) else {
        return to_sign_in();
    };
    let stats = match ui.store.stats().await {
        Ok(stats) => stats,
        Err(e) => return store_failed(&ui, &session, e),
    };
    let budgets: Vec<_> = ui
        .metrics
        .budgets()
        .into_iter()
        .map(|(forge, key, remaining)| context! { forge => forge, key => key, remaining => remaining })
        .collect();
    ui.page(
        StatusCode::OK,
        Some(&session),
        "Queue",
        "queue.html",
        context! { stats => stats, budgets => budgets },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_parts_are_percent_encoded() {
        assert_eq!(
            super::query_string(&[("id", "a b&c=d/é"), ("forge", "github")]),
            "id=a%20b%26c%3Dd%2F%C3%A9&forge=github"
        );
    }
}
