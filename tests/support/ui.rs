//! The operations page in tests: the token, a raw HTTP client that keeps headers (cookies,
//! redirects), signing in, and an application with a release processed (a tag push that
//! opened the release pull request, with a rule that did not match) and a failed delivery.

use super::app::{spawn_app_with, TestApp};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The operator's token in the test configuration.
pub const UI_TOKEN: &str = "ui-t0ken-7f3a9c2e5b1d";
pub const REPO: &str = "Codertocat/Hello-World";
/// The tag push that opened the release pull request.
pub const TAG_DELIVERY: &str = "gh-tag-push";
/// A delivery whose payload does not decode: failed.
pub const BROKEN_DELIVERY: &str = "gh-broken";

/// `ui:` with the test token.
pub fn ui_yaml() -> String {
    format!("ui:\n  tokens: [\"{UI_TOKEN}\"]\n")
}

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request; the whole response with its headers (`Connection: close`).
pub async fn raw(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut bytes))
        .await
        .expect("answered in time")
        .expect("read");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// Sign in with `token`; the response (a redirect with the cookie when the token is right).
pub async fn sign_in_with(port: u16, token: &str) -> RawResponse {
    let body = form(&[("token", token)]);
    raw(port, "POST", "/ui/login", &[FORM], body.as_bytes()).await
}

/// Sign in with the right token; the `Cookie:` value to send afterwards.
pub async fn sign_in(port: u16) -> String {
    let response = sign_in_with(port, UI_TOKEN).await;
    assert_eq!(response.status, 303, "{}", response.body);
    let set = response.header("set-cookie").expect("a session cookie");
    set.split(';').next().expect("name=value").to_string()
}

/// The first Monday at least two days after `today` (a holiday in the test calendar).
pub fn holiday_after(today: NaiveDate) -> NaiveDate {
    let mut day = today.checked_add_days(Days::new(2)).expect("date");
    while day.weekday() != chrono::Weekday::Mon {
        day = day.succ_opt().expect("date");
    }
    day
}

/// The release configuration with a calendar whose Monday `holiday` moves its release, a
/// rotation of three, a rule for major tags (which a minor tag does not match), and the page.
pub fn release_yaml(holiday: NaiveDate) -> String {
    format!(
        r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
    holidays: [{holiday}]
    on_holiday: shift
  rotation:
    people: [alice, bob, carol]
    period: weekly
    anchor: 2026-01-05
rules:
  - id: major-tags
    on: [tag_push]
    if: {{ tag: "^v2\\." }}
    then:
      comment: "A major release."
{ui}"#,
        ui = ui_yaml()
    )
}

/// An application that processed a tag push (the release pull request opened) and a
/// delivery that failed.
pub async fn release_app() -> (TestApp, NaiveDate) {
    let holiday = holiday_after(chrono::Utc::now().date_naive());
    let app = spawn_app_with(&release_yaml(holiday)).await;
    let fake = &app.fake;
    fake.add_repo(REPO);
    for person in ["alice", "bob", "carol"] {
        fake.add_user(person, forgehand::role::Role::Maintainer);
    }
    fake.add_branch(REPO, "main");
    fake.add_tag(REPO, "v1.3.0", &["c1"]);
    fake.add_tag(REPO, "v1.4.0", &["c1", "m12"]);
    fake.add_merged(REPO, 12, "Dark mode", &["feature"], "m12");
    let mut create: serde_json::Value =
        serde_json::from_slice(&super::fixture("github/create.tag.json")).expect("fixture");
    create["repository"]["default_branch"] = json!("main");
    create["ref"] = json!("v1.4.0");
    assert_eq!(
        app.github("create", TAG_DELIVERY, &create).await.status,
        202
    );
    let broken = json!({"action": "created"});
    assert_eq!(
        app.github("issue_comment", BROKEN_DELIVERY, &broken)
            .await
            .status,
        202
    );
    app.wait_idle().await;
    assert_eq!(
        app.fake.opened_merge_requests(REPO).len(),
        1,
        "the tag push opened the release pull request"
    );
    (app, holiday)
}
