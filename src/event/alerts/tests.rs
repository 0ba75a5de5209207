//! The alert decoders on the payloads of `fixtures/alerts/` (shaped as Alertmanager's and
//! Pingdom's documentation show them) and on broken ones.

use super::*;
use chrono::TimeZone;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/alerts/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn alert(source: AlertSource, name: &str) -> Alert {
    match parse(source, &fixture(name)) {
        Ok(Notice::Alert(alert)) => *alert,
        other => panic!("{name}: {other:?}"),
    }
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn an_alertmanager_firing_group_of_one() {
    let a = alert(AlertSource::Alertmanager, "alertmanager.firing.json");
    assert_eq!(a.status, AlertStatus::Firing);
    assert!(a.identity.starts_with("alertmanager:"), "{}", a.identity);
    assert_eq!(a.identity.len(), "alertmanager:".len() + HASH_HEX_LEN);
    assert_eq!(a.summary, "www.example.com is down");
    let started = a.started_at.unwrap();
    assert_eq!(started.timestamp(), at(2026, 3, 2, 8, 14, 5).timestamp());
    assert_eq!(a.ended_at, None, "Go's zero time means not set");
    assert_eq!(a.labels["site"], "www");
    assert_eq!(a.check, None);
    assert_eq!(a.alerts.len(), 1);
    assert_eq!(a.alerts[0].fingerprint, "7a3e0c1d9b2f4e68");
    assert!(a.alerts[0]
        .url
        .as_deref()
        .unwrap()
        .starts_with("http://prometheus"));
    let links: Vec<(&str, &str)> = a
        .links
        .iter()
        .map(|l| (l.title.as_str(), l.url.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            ("runbook", "https://runbooks.example.com/site-down"),
            ("Alertmanager", "http://alertmanager.example.com:9093"),
        ]
    );
}

#[test]
fn another_alert_of_the_same_group_is_the_same_incident() {
    let one = alert(AlertSource::Alertmanager, "alertmanager.firing.json");
    let two = alert(AlertSource::Alertmanager, "alertmanager.firing_group.json");
    let resolved = alert(AlertSource::Alertmanager, "alertmanager.resolved.json");
    assert_eq!(one.identity, two.identity);
    assert_eq!(one.identity, resolved.identity);
    assert_ne!(one.digest, two.digest, "two notifications, two digests");
    assert_eq!(two.summary, "SiteDown (site=www): 2 alerts");
    assert_eq!(two.started_at, one.started_at, "the earliest start");

    assert_eq!(resolved.status, AlertStatus::Resolved);
    assert_eq!(
        resolved.ended_at.unwrap().timestamp(),
        at(2026, 3, 2, 9, 1, 20).timestamp(),
        "the latest end"
    );
    assert!(resolved
        .alerts
        .iter()
        .all(|a| a.status == AlertStatus::Resolved));
}

#[test]
fn a_pingdom_check_going_down_and_up() {
    let down = alert(AlertSource::Pingdom, "pingdom.down.json");
    assert_eq!(down.identity, "pingdom:8137425");
    assert_eq!(down.status, AlertStatus::Firing);
    assert_eq!(down.summary, "shop.example.com is down: HTTP Error 503");
    assert_eq!(down.check.as_deref(), Some("shop.example.com"));
    assert_eq!(down.started_at, Some(at(2026, 3, 2, 8, 34, 5)));
    assert_eq!(down.labels["check_type"], "HTTP");
    assert_eq!(down.labels["tags"], "shop, production");
    assert_eq!(down.annotations["probes"], "Stockholm, Sweden; Austin, US");
    assert_eq!(down.links[0].url, "https://shop.example.com/checkout");

    let up = alert(AlertSource::Pingdom, "pingdom.up.json");
    assert_eq!(
        (up.identity.as_str(), up.status),
        ("pingdom:8137425", AlertStatus::Resolved)
    );
    assert_eq!(
        (up.started_at, up.ended_at),
        (None, Some(at(2026, 3, 2, 9, 15, 5)))
    );
    assert_eq!(up.summary, "shop.example.com is up");
}

#[test]
fn a_pingdom_transaction_check_and_the_utc_time_without_timestamp() {
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("pingdom.down.json")).unwrap();
    body["check_type"] = "TRANSACTION".into();
    body["current_state"] = "FAILING".into();
    body.as_object_mut()
        .unwrap()
        .remove("state_changed_timestamp");
    let Ok(Notice::Alert(a)) = parse(AlertSource::Pingdom, body.to_string().as_bytes()) else {
        panic!("a failing transaction decodes");
    };
    assert_eq!(a.status, AlertStatus::Firing);
    assert_eq!(a.started_at, Some(at(2026, 3, 2, 8, 34, 5)));

    body["current_state"] = "UNKNOWN".into();
    let ignored = parse(AlertSource::Pingdom, body.to_string().as_bytes()).unwrap();
    assert!(
        matches!(&ignored, Notice::Ignored(why) if why.contains("`UP` to `UNKNOWN`")),
        "{ignored:?}"
    );
}

#[test]
fn bad_payloads_say_why() {
    let cases: &[(AlertSource, &str, &str)] = &[
        (AlertSource::Alertmanager, "{", "malformed payload"),
        (AlertSource::Alertmanager, "[]", "malformed payload"),
        (
            AlertSource::Alertmanager,
            r#"{"version":"3","status":"firing","alerts":[]}"#,
            "version `3` is not supported",
        ),
        (
            AlertSource::Alertmanager,
            r#"{"version":"4","status":"firing","alerts":[]}"#,
            "holds no alert",
        ),
        (
            AlertSource::Alertmanager,
            r#"{"version":"4","status":"pending","alerts":[{"status":"firing"}]}"#,
            "unknown Alertmanager status `pending`",
        ),
        (
            AlertSource::Alertmanager,
            r#"{"version":"4","status":"firing"}"#,
            "missing field `alerts`",
        ),
        (AlertSource::Pingdom, r#"{"check_id":1}"#, "missing field"),
        (
            AlertSource::Pingdom,
            r#"{"check_id":1,"check_name":"x","current_state":"DOWN"}"#,
            "does not say when",
        ),
        (AlertSource::Pingdom, "not json", "malformed payload"),
    ];
    for (source, body, why) in cases {
        match parse(*source, body.as_bytes()) {
            Err(DecodeError(reason)) => assert!(reason.contains(why), "{body}: {reason}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn stored_alerts_decode_as_events_without_a_repository() {
    let body = fixture("pingdom.down.json");
    let event = match crate::event::decode(ForgeKind::Gitlab, "pingdom", &body) {
        Ok(Decoded::Event(event)) => event,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (event.forge, event.repo.as_ref()),
        (ForgeKind::Gitlab, None)
    );
    assert_eq!(event.kind.name(), "alert");
    assert_eq!(event.kind.action_name(), None);
    assert!(
        matches!(&event.kind, EventKind::Alert { alert } if alert.identity == "pingdom:8137425")
    );
    let id = delivery_id(AlertSource::Pingdom, &body);
    assert!(id.starts_with("pingdom:sha256:"), "{id}");
    assert_eq!(id, delivery_id(AlertSource::Pingdom, &body));
    assert_ne!(id, delivery_id(AlertSource::Alertmanager, &body));
}

#[test]
fn sources_are_named_by_their_event() {
    assert_eq!(
        AlertSource::from_event("alertmanager"),
        Some(AlertSource::Alertmanager)
    );
    assert_eq!(
        AlertSource::from_event("pingdom"),
        Some(AlertSource::Pingdom)
    );
    assert_eq!(AlertSource::from_event("issues"), None);
    assert_eq!("pingdom".parse::<AlertSource>(), Ok(AlertSource::Pingdom));
    assert!("nagios".parse::<AlertSource>().is_err());
}
