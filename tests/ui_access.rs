//! Access to the operations page, over plain HTTP: off (404) without a token; a wrong token
//! refused; every page sends a browser without a valid session to sign in (a forged or
//! expired cookie is no session); redelivery needs the session's CSRF token; the token never
//! appears in a page or in the log.

mod support;

use forgehand::model::ForgeKind;
use secrecy::SecretString;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use support::app::spawn_app_with;
use support::ui::{
    form, raw, release_app, sign_in, sign_in_with, ui_yaml, RawResponse, BROKEN_DELIVERY, FORM,
    TAG_DELIVERY, UI_TOKEN,
};

/// Every log line of this test binary, from every test in it.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn get(port: u16, path: &str, cookie: Option<&str>) -> RawResponse {
    match cookie {
        Some(c) => raw(port, "GET", path, &[("Cookie", c)], b"").await,
        None => raw(port, "GET", path, &[], b"").await,
    }
}

fn delivery_path(id: &str) -> String {
    format!("/ui/delivery?forge=github&id={id}")
}

const PAGES: &[&str] = &[
    "/ui",
    "/ui/",
    "/ui/?outcome=failed",
    "/ui/delivery?forge=github&id=gh-tag-push",
    "/ui/calendar",
    "/ui/calendar?repo=github:Codertocat/Hello-World",
    "/ui/queue",
];

#[tokio::test]
async fn without_a_token_every_ui_path_is_404() {
    log();
    let app = spawn_app_with("").await;
    for path in PAGES
        .iter()
        .chain(&["/ui/login", "/ui/style.css", "/ui/ui.js"])
    {
        assert_eq!(get(app.port, path, None).await.status, 404, "{path}");
    }
    let body = form(&[("token", "")]);
    let login = raw(app.port, "POST", "/ui/login", &[FORM], body.as_bytes()).await;
    assert_eq!(login.status, 404);
    // An unset variable is no token either.
    let app2 = spawn_app_with("ui:\n  tokens: [\"${FORGEHAND_UI_TOKEN_UNSET:-}\"]\n").await;
    assert_eq!(get(app2.port, "/ui/", None).await.status, 404);
    app.teardown().await;
    app2.teardown().await;
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_every_page_needs_the_session() {
    log();
    let app = spawn_app_with(&ui_yaml()).await;
    for path in PAGES {
        let r = get(app.port, path, None).await;
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.header("location"), Some("/ui/login"), "{path}");
    }
    let login_page = get(app.port, "/ui/login", None).await;
    assert_eq!(login_page.status, 200);
    assert!(login_page.body.contains(r#"name="token""#));
    for wrong in [
        "",
        "ui-t0ken",
        "UI-T0KEN-7F3A9C2E5B1D",
        &format!("{UI_TOKEN} "),
    ] {
        let r = sign_in_with(app.port, wrong).await;
        assert_eq!(r.status, 401, "{wrong:?}");
        assert!(r.header("set-cookie").is_none());
        assert!(r.body.contains("not accepted"));
    }
    let right = sign_in_with(app.port, UI_TOKEN).await;
    assert_eq!(right.status, 303);
    assert_eq!(right.header("location"), Some("/ui/"));
    let set = right.header("set-cookie").expect("cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=43200"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains(UI_TOKEN));
    let cookie = set.split(';').next().unwrap();
    let list = get(app.port, "/ui/", Some(cookie)).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Deliveries"));
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert!(list
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'")));
    // Behind a proxy that says https, the cookie is Secure.
    let body = form(&[("token", UI_TOKEN)]);
    let https = raw(
        app.port,
        "POST",
        "/ui/login",
        &[FORM, ("X-Forwarded-Proto", "https")],
        body.as_bytes(),
    )
    .await;
    assert!(https.header("set-cookie").unwrap().contains("; Secure"));
    app.teardown().await;
}

#[tokio::test]
async fn a_forged_or_expired_cookie_is_no_session() {
    log();
    let app = spawn_app_with(&ui_yaml()).await;
    let cookie = sign_in(app.port).await;
    assert_eq!(get(app.port, "/ui/queue", Some(&cookie)).await.status, 200);
    let (name, value) = cookie.split_once('=').unwrap();
    let (body, sig) = value.rsplit_once('.').unwrap();
    // A later expiry with the old signature; a changed signature; another key's cookie; junk.
    let mut parts: Vec<&str> = body.splitn(3, '.').collect();
    parts[1] = "99999999999";
    let extended = format!("{name}={}.{sig}", parts.join("."));
    let flipped = format!(
        "{name}={body}.{}",
        sig.chars()
            .map(|c| if c == '0' { '1' } else { '0' })
            .collect::<String>()
    );
    let tokens = [SecretString::from("another-token")];
    let other_key = forgehand::ui::auth::Auth::new(&tokens, Duration::from_secs(3600));
    let foreign = format!("{name}={}", other_key.issue(forgehand::clock::now_ms()));
    // Signed with the right key, but issued two sessions ago: lapsed.
    let right = [SecretString::from(UI_TOKEN)];
    let auth = forgehand::ui::auth::Auth::new(&right, Duration::from_secs(12 * 3600));
    let long_ago = forgehand::clock::now_ms() - 2 * 12 * 3600 * 1000;
    let expired = format!("{name}={}", auth.issue(long_ago));
    let fresh = format!("{name}={}", auth.issue(forgehand::clock::now_ms()));
    assert_eq!(
        get(app.port, "/ui/queue", Some(&fresh)).await.status,
        200,
        "the same key signs a valid session (so the expired one fails for its age alone)"
    );
    for bad in [
        extended,
        flipped,
        foreign,
        expired,
        format!("{name}=garbage"),
    ] {
        let r = get(app.port, "/ui/queue", Some(&bad)).await;
        assert_eq!(r.status, 303, "{bad}");
        assert_eq!(r.header("location"), Some("/ui/login"));
    }
    app.teardown().await;
}

/// Job attempts so far, all outcomes (`forgehand_jobs_total` on `/metrics`).
async fn jobs_tried(port: u16) -> u64 {
    let metrics = raw(port, "GET", "/metrics", &[], b"").await.body;
    metrics
        .lines()
        .filter(|l| l.starts_with("forgehand_jobs_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn csrf_of(page: &str) -> String {
    let at = page.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    page[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn redeliver_needs_the_session_and_its_csrf_token() {
    log();
    let (app, _) = release_app().await;
    assert_eq!(
        app.delivery(ForgeKind::Github, BROKEN_DELIVERY).await.state,
        "failed"
    );
    let cookie = sign_in(app.port).await;
    let page = get(app.port, &delivery_path(BROKEN_DELIVERY), Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"id="redeliver""#),
        "a failed delivery has the button"
    );
    let csrf = csrf_of(&page.body);
    let other_cookie = sign_in(app.port).await;
    let other_page = get(app.port, "/ui/queue", Some(&other_cookie)).await;
    let other_csrf = csrf_of(&other_page.body);
    assert_ne!(csrf, other_csrf, "CSRF tokens are bound to their session");
    let post = |cookie: Option<String>, csrf: Option<String>| {
        let port = app.port;
        async move {
            let mut pairs = vec![("forge", "github"), ("id", BROKEN_DELIVERY)];
            if let Some(c) = &csrf {
                pairs.push(("csrf", c));
            }
            let body = form(&pairs);
            let mut headers = vec![FORM];
            if let Some(c) = &cookie {
                headers.push(("Cookie", c));
            }
            raw(port, "POST", "/ui/redeliver", &headers, body.as_bytes()).await
        }
    };
    // No session: to sign in, nothing queued.
    let r = post(None, Some(csrf.clone())).await;
    assert_eq!((r.status, r.header("location")), (303, Some("/ui/login")));
    // No CSRF token, or another session's: refused.
    assert_eq!(post(Some(cookie.clone()), None).await.status, 403);
    assert_eq!(
        post(Some(cookie.clone()), Some(other_csrf)).await.status,
        403
    );
    assert_eq!(
        post(Some(cookie.clone()), Some("00".into())).await.status,
        403
    );
    let still = app.delivery(ForgeKind::Github, BROKEN_DELIVERY).await;
    assert_eq!((still.state.as_str(), still.attempts), ("failed", 1));
    let tried = jobs_tried(app.port).await;
    // With it: queued again, and run again.
    let r = post(Some(cookie.clone()), Some(csrf)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/ui/delivery?forge=github&id=gh-broken&notice=queued")
    );
    app.wait_idle().await;
    assert_eq!(
        jobs_tried(app.port).await,
        tried + 1,
        "the delivery ran once more (and failed again: its payload is what it is)"
    );
    // A delivery that did not fail has no button.
    let done = get(app.port, &delivery_path(TAG_DELIVERY), Some(&cookie)).await;
    assert!(!done.body.contains(r#"id="redeliver""#));
    app.teardown().await;
}

#[tokio::test]
async fn the_token_never_appears_in_a_page_or_the_log() {
    let log = log();
    let (app, _) = release_app().await;
    let mut bodies = Vec::new();
    bodies.push(sign_in_with(app.port, "wrong-token").await.body);
    bodies.push(get(app.port, "/ui/login", None).await.body);
    let cookie = sign_in(app.port).await;
    for path in PAGES {
        let r = get(app.port, path, Some(&cookie)).await;
        assert_eq!(r.status, 200, "{path}");
        bodies.push(r.body);
    }
    let delivery = &bodies[5]; // the tag push's page
    assert!(delivery.contains("major-tags"), "{delivery}");
    for (i, body) in bodies.iter().enumerate() {
        assert!(!body.contains(UI_TOKEN), "page {i} shows the token");
        assert!(
            !body.contains("test-github-secret"),
            "page {i} shows the webhook secret"
        );
        assert!(
            !body.contains("github-test-token"),
            "page {i} shows the forge token"
        );
        assert!(!body.contains("sha256="), "page {i} shows a signature");
    }
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("operations page: signed in") && text.contains("sign-in refused"),
        "the log is captured: {text}"
    );
    assert!(!text.contains(UI_TOKEN), "the log shows the token");
    app.teardown().await;
}

/// A repository whose process lives in its own `.forgehand.yml` (the server file has no
/// release section): once the workers have read the file, its calendar page follows it —
/// its rotation and its holiday — not the server defaults.
#[tokio::test]
async fn the_calendar_of_a_repository_with_its_own_file_follows_that_file() {
    use support::repo_files::{open_issue, seed, DEFAULT_BRANCH, FILE};
    let app = spawn_app_with(&ui_yaml()).await;
    let repo = "acme/own-process";
    seed(&app, repo, 1);
    let holiday = support::ui::holiday_after(chrono::Utc::now().date_naive());
    let file = format!(
        "release:\n  enabled: true\n  calendar:\n    cadence:\n      weekly:\n        monday: minor\n    \
         holidays: [{holiday}]\n    on_holiday: shift\n  rotation:\n    people: [dana, erin]\n    \
         period: weekly\n    anchor: 2026-01-05\n"
    );
    let cookie = sign_in(app.port).await;
    let path = format!("/ui/calendar?repo=github:{repo}");
    // Before forgehand has read the file: the server defaults, which have no calendar.
    let before = get(app.port, &path, Some(&cookie)).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(before.body.contains("no-calendar"), "{}", before.body);
    assert!(!before.body.contains("dana"), "{}", before.body);

    app.fake.add_file(repo, DEFAULT_BRANCH, FILE, &file);
    open_issue(&app, support::triage::Side::Github, repo, 1, "own-1").await;
    let after = get(app.port, &path, Some(&cookie)).await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert!(!after.body.contains("no-calendar"), "{}", after.body);
    for name in ["dana", "erin"] {
        assert!(after.body.contains(name), "{name} in {}", after.body);
    }
    let shifted = holiday.succ_opt().unwrap().format("%m-%d").to_string();
    assert!(
        after.body.contains(&shifted),
        "the holiday's release moves to {shifted}: {}",
        after.body
    );
    app.teardown().await;
}
