//! Incidents from monitoring alerts, end to end: Alertmanager's and Pingdom's payloads (the
//! shapes of their documentation, in `fixtures/alerts/`) posted over HTTP with their tokens,
//! routed by the shipped `incidents:` section to a GitHub repository and a GitLab project of
//! the fake forge, whose issues and comments are then checked.

mod support;

use chrono::{Duration, SecondsFormat, Utc};
use forgehand::event::ForgeKind;
use forgehand::role::Role;
use serde_json::Value;
use support::app::{spawn_app_with, TestApp};
use support::http::{request, Response};
use support::triage::shipped_sections;
use support::{fixture, FakeIssue};

const AM_TOKEN: &str = "test-alertmanager-token";
const PINGDOM_TOKEN: &str = "test-pingdom-token";
const WEBSITE: &str = "acme/website";
const SHOP: &str = "acme/shop";

/// The shipped `incidents:` section with both tokens set (the engineering lead is `lead`).
fn shipped_incidents() -> String {
    shipped_sections(&["incidents"])
        .replace("${ALERTMANAGER_WEBHOOK_TOKEN:-}", AM_TOKEN)
        .replace("${PINGDOM_WEBHOOK_TOKEN:-}", PINGDOM_TOKEN)
}

async fn app() -> TestApp {
    let app = spawn_app_with(&shipped_incidents()).await;
    app.fake.add_repo(WEBSITE);
    app.fake.add_repo(SHOP);
    app.fake.add_user("lead", Role::Maintainer);
    app
}

/// How a sender presents its token.
#[derive(Debug, Clone, Copy)]
enum Auth<'a> {
    Bearer(&'a str),
    Basic(&'a str),
    Query(&'a str),
    Nothing,
}

async fn post(app: &TestApp, source: &str, auth: Auth<'_>, body: &[u8]) -> Response {
    use base64::Engine as _;
    let mut path = format!("/webhooks/alerts/{source}");
    let header;
    let mut headers = vec![("Content-Type", "application/json")];
    match auth {
        Auth::Bearer(token) => {
            header = format!("Bearer {token}");
            headers.push(("Authorization", &header));
        }
        Auth::Basic(token) => {
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("alertmanager:{token}"));
            header = format!("Basic {pair}");
            headers.push(("Authorization", &header));
        }
        Auth::Query(token) => path.push_str(&format!("?token={token}")),
        Auth::Nothing => {}
    }
    request(app.port, "POST", &path, &headers, body)
        .await
        .expect("request to forgehand")
}

fn json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The Alertmanager fixture `name` for the site `site`.
fn am(name: &str, site: &str) -> Vec<u8> {
    let mut body = json(&format!("alerts/{name}"));
    body["commonLabels"]["site"] = site.into();
    body["groupLabels"]["site"] = site.into();
    body["groupKey"] = format!("{{}}:{{alertname=\"SiteDown\", site=\"{site}\"}}").into();
    bytes(&body)
}

/// The incident issues (carrying an incident marker) of `repo`.
fn incidents(app: &TestApp, repo: &str) -> Vec<(FakeIssue, String)> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .filter(|(_, body)| body.contains("<!-- forgehand:incident "))
        .collect()
}

/// One flow: which source, how it authenticates, where its incident goes, and its payloads
/// for firing, firing again (another alert of the group, another state change) and resolved.
struct Flow {
    source: &'static str,
    auth: Auth<'static>,
    forge: ForgeKind,
    repo: &'static str,
    firing: Vec<u8>,
    again: Vec<u8>,
    resolved: Vec<u8>,
}

fn flows() -> Vec<Flow> {
    let mut pingdom_again = json("alerts/pingdom.down.json");
    pingdom_again["state_changed_timestamp"] = 1_772_441_045.into();
    pingdom_again["description"] = "Timeout (> 30s)".into();
    vec![
        Flow {
            source: "alertmanager",
            auth: Auth::Bearer(AM_TOKEN),
            forge: ForgeKind::Github,
            repo: WEBSITE,
            firing: fixture("alerts/alertmanager.firing.json"),
            again: fixture("alerts/alertmanager.firing_group.json"),
            resolved: fixture("alerts/alertmanager.resolved.json"),
        },
        Flow {
            source: "alertmanager",
            auth: Auth::Basic(AM_TOKEN),
            forge: ForgeKind::Gitlab,
            repo: SHOP,
            firing: am("alertmanager.firing.json", "shop"),
            again: am("alertmanager.firing_group.json", "shop"),
            resolved: am("alertmanager.resolved.json", "shop"),
        },
        Flow {
            source: "pingdom",
            auth: Auth::Query(PINGDOM_TOKEN),
            forge: ForgeKind::Gitlab,
            repo: SHOP,
            firing: fixture("alerts/pingdom.down.json"),
            again: bytes(&pingdom_again),
            resolved: fixture("alerts/pingdom.up.json"),
        },
    ]
}

#[tokio::test]
async fn firing_again_and_resolved_on_both_forges() {
    for flow in flows() {
        let app = app().await;
        let what = format!("{} → {}:{}", flow.source, flow.forge, flow.repo);

        // Firing: one issue, labelled and assigned as configured.
        let r = post(&app, flow.source, flow.auth, &flow.firing).await;
        assert_eq!(r.status, 202, "{what}: {}", r.body);
        app.wait_idle().await;
        let found = incidents(&app, flow.repo);
        assert_eq!(found.len(), 1, "{what}: {found:?}");
        let (issue, body) = &found[0];
        assert_eq!(issue.labels, ["incident", "priority::1"], "{what}");
        assert_eq!(issue.assignees, ["lead"], "{what}");
        assert_eq!(issue.state, "open", "{what}");
        assert!(body.contains("**Assigned to:** @lead"), "{what}: {body}");
        let other = if flow.repo == WEBSITE { SHOP } else { WEBSITE };
        assert!(
            incidents(&app, other).is_empty(),
            "{what}: routed to one repository"
        );

        // The same notification again (a redelivery): acknowledged, nothing new.
        let r = post(&app, flow.source, flow.auth, &flow.firing).await;
        assert_eq!(r.status, 200, "{what}");
        app.wait_idle().await;
        assert_eq!(incidents(&app, flow.repo).len(), 1, "{what}");
        assert!(
            app.fake.comments(flow.repo, issue.number).is_empty(),
            "{what}"
        );

        // Firing again: one comment on the open incident, no second issue.
        let r = post(&app, flow.source, flow.auth, &flow.again).await;
        assert_eq!(r.status, 202, "{what}");
        app.wait_idle().await;
        assert_eq!(incidents(&app, flow.repo).len(), 1, "{what}");
        let comments = app.fake.comments(flow.repo, issue.number);
        assert_eq!(comments.len(), 1, "{what}: {comments:?}");
        assert!(
            comments[0].body.starts_with("**Firing again.**"),
            "{what}: {}",
            comments[0].body
        );

        // Resolved: a comment with the duration, and the issue closed.
        let r = post(&app, flow.source, flow.auth, &flow.resolved).await;
        assert_eq!(r.status, 202, "{what}");
        app.wait_idle().await;
        let comments = app.fake.comments(flow.repo, issue.number);
        assert_eq!(comments.len(), 2, "{what}: {comments:?}");
        assert!(
            comments[1].body.starts_with("**Resolved** after "),
            "{what}: {}",
            comments[1].body
        );
        assert!(
            comments[1].body.contains("Closing this incident."),
            "{what}"
        );
        assert_eq!(
            app.fake.issue(flow.repo, issue.number).state,
            "closed",
            "{what}"
        );
        let id =
            forgehand::event::alerts::delivery_id(flow.source.parse().unwrap(), &flow.resolved);
        assert_eq!(app.delivery(flow.forge, &id).await.state, "done", "{what}");
        app.teardown().await;
    }
}

/// Alertmanager's firing fixture, started `ago` before now.
fn firing_started(ago: Duration) -> Vec<u8> {
    let mut body = json("alerts/alertmanager.firing.json");
    let start = (Utc::now() - ago).to_rfc3339_opts(SecondsFormat::Millis, true);
    body["alerts"][0]["startsAt"] = start.into();
    bytes(&body)
}

#[tokio::test]
async fn firing_soon_after_resolution_reopens_the_incident_later_opens_another() {
    let app = app().await;
    let auth = Auth::Bearer(AM_TOKEN);
    assert_eq!(
        post(
            &app,
            "alertmanager",
            auth,
            &firing_started(Duration::hours(2))
        )
        .await
        .status,
        202
    );
    app.wait_idle().await;
    let first = incidents(&app, WEBSITE)[0].0.number;
    app.fake.update_issue(WEBSITE, first, |i| {
        i.labels = vec!["incident".into(), "priority::3".into()]
    });
    assert_eq!(
        post(
            &app,
            "alertmanager",
            auth,
            &fixture("alerts/alertmanager.resolved.json")
        )
        .await
        .status,
        202
    );
    app.wait_idle().await;
    assert_eq!(app.fake.issue(WEBSITE, first).state, "closed");

    // Firing again minutes after the closing: the same issue, open again, priority back.
    assert_eq!(
        post(
            &app,
            "alertmanager",
            auth,
            &firing_started(Duration::zero())
        )
        .await
        .status,
        202
    );
    app.wait_idle().await;
    assert_eq!(incidents(&app, WEBSITE).len(), 1);
    let issue = app.fake.issue(WEBSITE, first);
    assert_eq!(issue.state, "open");
    assert_eq!(
        issue.labels,
        ["incident", "priority::1"],
        "the scoped label replaced"
    );
    let last = app.fake.comments(WEBSITE, first).pop().unwrap();
    assert!(
        last.body
            .contains("after this incident was closed: reopened"),
        "{}",
        last.body
    );

    // Closed three hours ago, firing now: beyond the hour's window, a new incident.
    let three_hours_ago =
        (Utc::now() - Duration::hours(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    app.fake.update_issue(WEBSITE, first, |i| {
        i.state = "closed".into();
        i.closed_at = Some(three_hours_ago);
    });
    let r = post(
        &app,
        "alertmanager",
        auth,
        &firing_started(Duration::minutes(1)),
    )
    .await;
    assert_eq!(r.status, 202);
    app.wait_idle().await;
    let found = incidents(&app, WEBSITE);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        app.fake.issue(WEBSITE, first).state,
        "closed",
        "the old one stays closed"
    );
    app.teardown().await;
}

#[tokio::test]
async fn wrong_or_missing_tokens_are_refused_and_nothing_is_stored() {
    let app = app().await;
    let body = fixture("alerts/alertmanager.firing.json");
    for (source, auth) in [
        ("alertmanager", Auth::Bearer("wrong")),
        ("alertmanager", Auth::Basic("wrong")),
        ("alertmanager", Auth::Bearer(PINGDOM_TOKEN)),
        ("alertmanager", Auth::Nothing),
        ("pingdom", Auth::Query("wrong")),
        ("pingdom", Auth::Bearer(AM_TOKEN)),
    ] {
        let r = post(&app, source, auth, &body).await;
        assert_eq!(r.status, 401, "{source} {auth:?}");
        assert!(r.body.contains("token"), "{source}: {}", r.body);
    }
    let stats = app.store.stats().await.unwrap();
    assert_eq!(
        stats.pending + stats.running + stats.done + stats.failed + stats.ignored,
        0
    );
    assert!(app.fake.writes().is_empty());
    app.teardown().await;
}

#[tokio::test]
async fn without_a_token_an_alert_endpoint_answers_503_naming_its_variable() {
    let section = shipped_sections(&["incidents"]);
    let app = spawn_app_with(&section).await;
    for (source, variable) in [
        ("alertmanager", "ALERTMANAGER_WEBHOOK_TOKEN"),
        ("pingdom", "PINGDOM_WEBHOOK_TOKEN"),
    ] {
        let r = post(&app, source, Auth::Bearer("anything"), b"{}").await;
        assert_eq!(r.status, 503, "{source}");
        assert!(r.body.contains(variable), "{source}: {}", r.body);
    }
    app.teardown().await;
}

#[tokio::test]
async fn bad_payloads_are_acknowledged_and_recorded_as_failed() {
    let app = app().await;
    let cases: [(&str, Auth<'_>, &[u8], &str); 4] = [
        (
            "alertmanager",
            Auth::Bearer(AM_TOKEN),
            b"{\"version\": \"4\", ",
            "malformed payload",
        ),
        (
            "alertmanager",
            Auth::Bearer(AM_TOKEN),
            br#"{"version":"3","status":"firing","alerts":[]}"#,
            "version `3` is not supported",
        ),
        (
            "pingdom",
            Auth::Query(PINGDOM_TOKEN),
            br#"{"check_id": "x"}"#,
            "malformed payload",
        ),
        (
            "pingdom",
            Auth::Query(PINGDOM_TOKEN),
            b"[1, 2]",
            "malformed payload",
        ),
    ];
    for (source, auth, body, why) in cases {
        let r = post(&app, source, auth, body).await;
        assert_eq!(r.status, 202, "{source}: {}", String::from_utf8_lossy(body));
        app.wait_idle().await;
        // Stored under the default repository's forge, so that the failure is recorded.
        let id = forgehand::event::alerts::delivery_id(source.parse().unwrap(), body);
        let record = app.delivery(ForgeKind::Github, &id).await;
        assert_eq!(record.state, "failed", "{source}");
        let reason = record.reason.unwrap_or_default();
        assert!(reason.contains(why), "{source}: {reason}");
    }
    assert!(app.fake.writes().is_empty());
    app.teardown().await;
}

#[tokio::test]
async fn a_forge_webhook_cannot_pose_as_an_alert_or_a_schedule() {
    // Whoever holds a forge's webhook secret may send any event name; forgehand's own
    // sources (alerts, schedule firings) are not among the names a forge delivery can use.
    let app = app().await;
    let alert: Value = serde_json::from_slice(&fixture("alerts/alertmanager.firing.json")).unwrap();
    let firing = serde_json::json!({
        "schedule": "weekly", "slot": "2030-01-07T09:00:00Z", "repo": WEBSITE
    });
    let cases = [
        ("alertmanager", "spoof-1", &alert),
        ("pingdom", "spoof-2", &alert),
        ("forgehand:schedule", "spoof-3", &firing),
    ];
    for (event, id, body) in cases {
        assert_eq!(app.github(event, id, body).await.status, 202, "{event}");
        assert_eq!(app.gitlab(event, id, body).await.status, 202, "{event}");
        app.wait_idle().await;
        for forge in [ForgeKind::Github, ForgeKind::Gitlab] {
            let record = app.delivery(forge, id).await;
            assert_eq!(record.state, "ignored", "{forge} {event}");
            assert_eq!(record.event, format!("forge:{event}"), "{forge} {event}");
        }
    }
    assert!(app.fake.writes().is_empty(), "{:?}", app.fake.writes());
    app.teardown().await;
}
