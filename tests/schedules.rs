//! Scheduled rules: a weekly summary issue of the open issues still in `flow::Triage`, on both
//! forges, filed exactly once per firing even when the firing is seen again (a restart, a
//! second replica) or its job runs twice. The schedule is pinned to 2030 (cron's year field)
//! so that the server's own scheduler, which runs on the real clock, never fires it.

mod support;

use chrono::{TimeZone, Utc};
use forgehand::config::Config;
use forgehand::event::ForgeKind;
use forgehand::schedule::runner::enqueue_due;
use forgehand::schedule::{firing_delivery, Firing};
use support::app::spawn_app_with;

const SCHEDULES: &str = r#"
schedules:
  - id: weekly-triage
    cron: "0 0 9 * * MON 2030"
    repos: ["github:acme/app", "gitlab:acme/service"]
    summary_issue:
      label: "flow::Triage"
      title: "Untriaged issues on {date}"
      labels: [triage-summary]
"#;

#[tokio::test]
async fn the_weekly_summary_is_filed_once_per_firing_on_both_forges() {
    let app = spawn_app_with(SCHEDULES).await;
    for repo in ["acme/app", "acme/service"] {
        app.fake.add_repo(repo);
        for n in 1..=4 {
            app.fake.add_issue(repo, n);
        }
        for n in [1, 3] {
            app.fake
                .update_issue(repo, n, |i| i.labels = vec!["flow::Triage".into()]);
        }
        app.fake
            .update_issue(repo, 4, |i| i.labels = vec!["flow::To Do".into()]);
    }
    // Sunday evening to Monday 10:00 (2030-01-07 is a Monday): one firing per repository.
    let after = Utc.with_ymd_and_hms(2030, 1, 6, 20, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2030, 1, 7, 10, 0, 0).unwrap();
    let schedules = &app.config.schedules;
    assert_eq!(
        enqueue_due(schedules, app.store.as_ref(), after, until)
            .await
            .unwrap(),
        2
    );
    // The scheduler looks at the same window again (a restart): nothing new.
    assert_eq!(
        enqueue_due(schedules, app.store.as_ref(), after, until)
            .await
            .unwrap(),
        0
    );
    app.wait_idle().await;

    for repo in ["acme/app", "acme/service"] {
        let summaries: Vec<_> = app
            .fake
            .issues_with_bodies(repo)
            .into_iter()
            .filter(|(i, _)| i.labels.contains(&"triage-summary".to_string()))
            .collect();
        assert_eq!(summaries.len(), 1, "{repo}: {summaries:?}");
        let (issue, body) = &summaries[0];
        assert_eq!(issue.title, "Untriaged issues on 2030-01-07");
        assert!(body.contains("- [ ] #1\n- [ ] #3\n"), "{body}");
        assert!(!body.contains("#4"), "{body}");
        assert!(body.contains("<!-- forgehand:schedule weekly-triage 2030-01-07T09:00Z -->"));
        insta::assert_snapshot!(format!("summary_{}", repo.replace('/', "_")), body);
    }

    // The same firing's job run a second time (say, its worker died after filing): the
    // marker is found and no second issue is filed.
    let firing = Firing {
        schedule: "weekly-triage".into(),
        slot: Utc.with_ymd_and_hms(2030, 1, 7, 9, 0, 0).unwrap(),
        repo: "acme/app".into(),
    };
    let mut again = firing_delivery(ForgeKind::Github, &firing, 0);
    again.delivery_id.push_str(":retry");
    app.store.insert(again).await.unwrap();
    app.wait_idle().await;
    let filed = app.fake.issues_with_bodies("acme/app").len();
    assert_eq!(filed, 5, "4 seeded issues and one summary");
    app.teardown().await;
}

#[tokio::test]
async fn an_empty_summary_is_not_filed_unless_asked() {
    let app = spawn_app_with(SCHEDULES).await;
    app.fake.add_repo("acme/app");
    app.fake.add_repo("acme/service");
    let after = Utc.with_ymd_and_hms(2030, 1, 7, 8, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2030, 1, 7, 9, 30, 0).unwrap();
    let fired = enqueue_due(&app.config.schedules, app.store.as_ref(), after, until)
        .await
        .unwrap();
    assert_eq!(fired, 2);
    app.wait_idle().await;
    assert!(app.fake.issues_with_bodies("acme/app").is_empty());
    assert!(app.fake.issues_with_bodies("acme/service").is_empty());
    app.teardown().await;
}

#[test]
fn bad_schedules_are_refused_with_their_position() {
    let text = r#"
schedules:
  - id: Weekly_Triage
    cron: "0 9 * *"
    repos: ["acme/app"]
    summary_issue:
      label: "flow::Triage"
      title: "x"
"#;
    let errors = Config::from_str(text, "s.yml", &|_| None)
        .unwrap_err()
        .to_string();
    let lines: Vec<&str> = errors.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("s.yml:3:9:")),
        "{errors}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("s.yml:4:11:") && l.contains("cron")),
        "{errors}"
    );

    // Once an entry is well-formed, its repositories are checked.
    let text = text
        .replace("Weekly_Triage", "weekly")
        .replace("0 9 * *", "0 9 * * MON");
    let errors = Config::from_str(&text, "s.yml", &|_| None)
        .unwrap_err()
        .to_string();
    assert!(
        errors.starts_with("s.yml:5:13: schedules[0].repos[0]: `acme/app`"),
        "{errors}"
    );
}
