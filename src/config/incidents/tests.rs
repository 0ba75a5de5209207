//! The `incidents:` section: loading, routing by label, check name and source, who is
//! assigned, and the errors a bad section gets, at their positions.

use crate::config::Config;
use crate::event::alerts::{parse, AlertSource, Notice};
use crate::model::ForgeKind;
use chrono::{TimeZone, Utc};

const SECTION: &str = r#"
incidents:
  alertmanager:
    tokens: ["am-secret", ""]
  repo: github:acme/website
  labels: [incident, "priority::1"]
  escalation: "@lead"
  notify: [ops-oncall]
  routes:
    - when: {labels: {site: shop}}
      repo: gitlab:acme/shop
      rotation: {people: [ann, bob], period: weekly, anchor: 2026-03-02}
    - when: {check: "^shop\\."}
      repo: gitlab:acme/shop
      notify: []
    - when: {source: pingdom}
      repo: github:acme/status
      labels: [incident, "priority::2"]
"#;

fn load(text: &str) -> Result<Config, String> {
    Config::from_str(text, "i.yml", &|_| None).map_err(|e| e.to_string())
}

fn alert(
    source: AlertSource,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> crate::event::alerts::Alert {
    let path = format!("{}/fixtures/alerts/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut body);
    match parse(source, body.to_string().as_bytes()) {
        Ok(Notice::Alert(alert)) => *alert,
        other => panic!("{other:?}"),
    }
}

#[test]
fn alerts_are_routed_by_label_check_and_source_else_to_the_default() {
    let config = load(SECTION).unwrap();
    let incidents = &config.incidents;
    assert!(incidents.enabled());
    assert_eq!(
        incidents.alertmanager.tokens.len(),
        1,
        "empty tokens are dropped"
    );
    assert!(incidents.pingdom.tokens.is_empty());
    assert_eq!(incidents.default_forge(), Some(ForgeKind::Github));
    let monday = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let next_week = Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap();

    let www = alert(
        AlertSource::Alertmanager,
        "alertmanager.firing.json",
        |_| {},
    );
    let shop = alert(AlertSource::Alertmanager, "alertmanager.firing.json", |b| {
        b["commonLabels"]["site"] = "shop".into();
    });
    let checkout = alert(AlertSource::Pingdom, "pingdom.down.json", |_| {});
    let other_check = alert(AlertSource::Pingdom, "pingdom.down.json", |b| {
        b["check_name"] = "www.example.com".into();
    });

    let to = incidents.route(&www).unwrap();
    assert_eq!((to.forge, to.repo), (ForgeKind::Github, "acme/website"));
    assert_eq!(to.labels, ["incident", "priority::1"]);
    assert_eq!(to.notify, ["ops-oncall"]);
    assert_eq!(
        to.assignee(monday).as_deref(),
        Some("lead"),
        "the `@` is dropped"
    );

    let to = incidents.route(&shop).unwrap();
    assert_eq!((to.forge, to.repo), (ForgeKind::Gitlab, "acme/shop"));
    assert_eq!(
        to.notify,
        ["ops-oncall"],
        "the section's, the route says none"
    );
    assert_eq!(
        to.assignee(monday).as_deref(),
        Some("ann"),
        "on duty that week"
    );
    assert_eq!(to.assignee(next_week).as_deref(), Some("bob"));

    let to = incidents.route(&checkout).unwrap();
    assert_eq!((to.forge, to.repo), (ForgeKind::Gitlab, "acme/shop"));
    assert!(to.notify.is_empty(), "the route's own empty list");
    assert_eq!(to.assignee(monday).as_deref(), Some("lead"));

    let to = incidents.route(&other_check).unwrap();
    assert_eq!((to.forge, to.repo), (ForgeKind::Github, "acme/status"));
    assert_eq!(to.labels, ["incident", "priority::2"]);
}

#[test]
fn without_a_repository_incidents_are_off() {
    let config = load("").unwrap();
    let incidents = &config.incidents;
    assert!(!incidents.enabled());
    assert_eq!(incidents.default_forge(), None);
    assert_eq!(incidents.labels, ["incident"]);
    assert!(incidents.close_when_resolved);
    assert_eq!(incidents.reopen_window_minutes, 60);
    let www = alert(
        AlertSource::Alertmanager,
        "alertmanager.firing.json",
        |_| {},
    );
    assert!(incidents.route(&www).is_none());
    let empty = load("incidents:\n  repo: \"${INCIDENTS_REPO:-}\"\n").unwrap();
    assert!(!empty.incidents.enabled(), "an empty repo is none");
}

#[test]
fn bad_sections_are_refused_at_their_position() {
    let cases: &[(&str, &str)] = &[
        (
            "incidents:\n  pingdom:\n    tokens: [t]\n",
            "i.yml:3:13: incidents.pingdom.tokens: tokens are set but no `repo`",
        ),
        (
            "incidents:\n  repo: acme/website\n",
            "i.yml:2:9: incidents.repo: `acme/website`: write github:OWNER/NAME",
        ),
        (
            "incidents:\n  repo: github:a/b\n  labels: [\"priority::1\", \"priority::2\"]\n",
            "i.yml:3:27: incidents.labels[1]: `priority::2` and `priority::1` share a scope",
        ),
        (
            "incidents:\n  repo: github:a/b\n  escalation: lead\n  rotation: {people: [a], anchor: 2026-01-01}\n",
            "i.yml:4:13: incidents.rotation: set `escalation` or `rotation`, not both",
        ),
        (
            "incidents:\n  repo: github:a/b\n  routes:\n    - when: {}\n      repo: gitlab:g/p\n",
            "i.yml:4:13: incidents.routes[0].when: name a `source`, `labels` or a `check`",
        ),
        (
            "incidents:\n  repo: github:a/b\n  routes:\n    - when: {check: \"(\"}\n      repo: gitlab:g/p\n",
            "i.yml:4:21: incidents.routes[0].when.check: invalid regex",
        ),
        (
            "incidents:\n  repo: github:a/b\n  routes:\n    - when: {source: nagios}\n      repo: g/p\n",
            "i.yml:4:22: incidents.routes[0].when.source: unknown variant `nagios`",
        ),
        (
            "incidents:\n  repo: github:a/b\n  notify: [\"two people\"]\n",
            "i.yml:3:12: incidents.notify[0]: invalid login `two people`",
        ),
        (
            "incidents:\n  repo: github:a/b\n  reopen_window_minutes: 50000\n",
            "i.yml:3:26: incidents.reopen_window_minutes: must be at most 43200",
        ),
        (
            "incidents:\n  repo: github:a/b\n  body: |\n    ## {{ summary }}\n    {{ sumary }}\n",
            "i.yml:5:1: incidents.body: template `incident body` line 2: unknown variable `sumary`",
        ),
        (
            "incidents:\n  repo: github:a/b\n  escalate: lead\n",
            "i.yml:3:3: incidents: unknown field `escalate`",
        ),
    ];
    for (yaml, expected) in cases {
        let err = load(yaml).expect_err(yaml);
        assert_eq!(err.lines().count(), 1, "{yaml}: {err}");
        assert!(
            err.starts_with(expected),
            "{yaml}:\n{err}\nexpected {expected}"
        );
    }
}

#[test]
fn the_default_templates_compile_and_a_custom_one_is_used() {
    let config =
        load("incidents:\n  repo: github:a/b\n  title: \"[{{ source }}] {{ summary }}\"\n")
            .unwrap();
    let title = config.incidents.title_template().unwrap();
    let ctx = serde_json::json!({"source": "Pingdom", "summary": "shop is down"});
    assert_eq!(title.render(&ctx).unwrap(), "[Pingdom] shop is down");
    assert!(config.incidents.body_template().is_ok());
}
