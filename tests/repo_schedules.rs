//! A repository's own `schedules:` and release day, from its `.forgehand.yml` on the default
//! branch, fire on both forges: the scheduler learns the repositories the workers heard from
//! (`Application::known_repos`) and stores their firings; each acts in that repository only.
//! Pinned to 2030 (cron's year field, `release_day.from` and the firing window) so that the
//! server's own schedulers, on the real clock, never fire them.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use forgehand::schedule::{release_day, runner};
use support::app::{spawn_app, TestApp};
use support::repo_files::*;
use support::triage::{Side, BOTH};

/// A repository file with a weekly summary of `flow::Triage` (no `repos:`: its own).
const SCHEDULE_FILE: &str = r#"
schedules:
  - id: weekly-triage
    cron: "0 0 9 * * MON 2030"
    summary_issue:
      label: "flow::Triage"
      title: "Untriaged issues on {date}"
      labels: [triage-summary]
"#;

/// A repository file with the weekly release flow and its release day.
const RELEASE_DAY_FILE: &str = r#"
release:
  enabled: true
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
  rotation:
    people: [alice, bob]
    period: weekly
    anchor: 2030-01-07
  release_day:
    from: 2030-01-01
"#;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, day, hour, minute, 0).unwrap()
}

/// Two repositories per forge: `own` carries `file`, `other` none; both are heard from once.
async fn heard_from(app: &TestApp, file: &str) -> Vec<(Side, &'static str, &'static str)> {
    let mut out = Vec::new();
    for side in BOTH {
        let (own, other) = match side {
            Side::Github => ("acme/app", "acme/other"),
            Side::Gitlab => ("acme/web/app", "acme/web/other"),
        };
        for repo in [own, other] {
            seed(app, repo, 4);
            for n in [1, 3] {
                app.fake
                    .update_issue(repo, n, |i| i.labels = vec!["flow::Triage".into()]);
            }
        }
        app.fake.add_file(own, DEFAULT_BRANCH, FILE, file);
        open_issue(app, side, own, 4, &format!("{side:?}-own")).await;
        open_issue(app, side, other, 4, &format!("{side:?}-other")).await;
        out.push((side, own, other));
    }
    out
}

fn summaries(app: &TestApp, repo: &str) -> Vec<(String, String)> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .filter(|(i, _)| i.labels.contains(&"triage-summary".to_string()))
        .map(|(i, body)| (i.title, body))
        .collect()
}

#[tokio::test]
async fn a_schedule_in_a_repository_file_fires_in_that_repository_only() {
    let app = spawn_app().await;
    let repos = heard_from(&app, SCHEDULE_FILE).await;
    let known = (app.known)();
    assert_eq!(known.len(), 2, "the two repositories with a file");

    // Sunday evening to Monday 10:00: one firing per repository carrying the file.
    let (after, until) = (at(6, 20, 0), at(7, 10, 0));
    let new = runner::enqueue_known(&known, app.store.as_ref(), after, until)
        .await
        .unwrap();
    assert_eq!(new, 2);
    app.wait_idle().await;
    for (side, own, other) in &repos {
        let found = summaries(&app, own);
        assert_eq!(found.len(), 1, "{side:?}: {found:?}");
        assert_eq!(found[0].0, "Untriaged issues on 2030-01-07");
        assert!(
            found[0].1.contains("- [ ] #1\n- [ ] #3\n"),
            "{}",
            found[0].1
        );
        assert!(summaries(&app, other).is_empty(), "{side:?}: {other}");
    }

    // The same window again (the next tick, a restart): nothing new, nothing filed twice.
    let again = runner::enqueue_known(&(app.known)(), app.store.as_ref(), after, until)
        .await
        .unwrap();
    assert_eq!(again, 0);
    app.wait_idle().await;
    for (_, own, _) in &repos {
        assert_eq!(summaries(&app, own).len(), 1);
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_release_day_in_a_repository_file_calls_that_repositorys_manager() {
    let app = spawn_app().await;
    app.fake
        .add_user("alice", forgehand::role::Role::Maintainer);
    app.fake.add_user("bob", forgehand::role::Role::Maintainer);
    let repos = heard_from(&app, RELEASE_DAY_FILE).await;
    for (_, own, other) in &repos {
        for repo in [own, other] {
            app.fake.add_tag(repo, "v1.3.0", &["c1"]);
            app.fake
                .add_merged(repo, 12, "Dark mode", &["feature"], "m12");
            app.fake.add_branch_history(repo, "main", &["c1", "m12"]);
        }
    }

    // Monday 2030-01-07 at 09:00: the call, in each repository whose file has a release day.
    let known = (app.known)();
    let new = release_day::enqueue_known(&known, app.store.as_ref(), at(7, 8, 0), at(7, 9, 30))
        .await
        .unwrap();
    assert_eq!(new, 2);
    app.wait_idle().await;
    for (side, own, other) in &repos {
        let days: Vec<_> = app
            .fake
            .issues_with_bodies(own)
            .into_iter()
            .filter(|(i, _)| i.labels.contains(&"release-day".to_string()))
            .map(|(i, _)| (i.title, i.assignees))
            .collect();
        assert_eq!(
            days,
            [(
                format!("Release day 2030-01-07: {own} v1.4.0"),
                vec!["alice".to_string()]
            )],
            "{side:?}"
        );
        let elsewhere = app
            .fake
            .issues_with_bodies(other)
            .into_iter()
            .filter(|(i, _)| i.labels.contains(&"release-day".to_string()))
            .count();
        assert_eq!(elsewhere, 0, "{side:?}: {other}");
    }
    app.teardown().await;
}
