//! What the release decision tests share: a configuration from YAML through the real
//! loader, a fixed clock, an event of `acme/app`, and named snapshots.

use crate::config::Config;
use crate::event::{Actor, Event, EventKind, Repo};
use crate::model::ForgeKind;
use chrono::{DateTime, Utc};

pub(super) fn config(yaml: &str) -> Config {
    Config::from_str(yaml, "test.yml", &|_| None).unwrap()
}

/// Sunday 2026-11-22, 04:00 UTC.
pub(super) fn now() -> DateTime<Utc> {
    "2026-11-22T04:00:00Z".parse().unwrap()
}

pub(super) fn event(forge: ForgeKind, kind: EventKind) -> Event {
    Event {
        forge,
        repo: Some(Repo {
            path: "acme/app".into(),
            id: Some(1),
            default_branch: Some("main".into()),
            url: Some("https://forge.example/acme/app".into()),
            installation_id: None,
        }),
        actor: Actor {
            login: "dana".into(),
            id: None,
            is_bot: false,
        },
        kind,
    }
}

pub(super) fn snapshot(name: &str, body: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, body));
}
