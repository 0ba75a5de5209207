//! `forgehand hooks install` against the fake forge on both forges: the webhook is created
//! once with the events forgehand acts on and the configured secret; a second run changes
//! nothing; a hook at the same URL with other events is updated, not duplicated.

mod support;

use forgehand::cli::hooks::{hook_secret, install};
use forgehand::event::ForgeKind;
use forgehand::forge::HookInstall;
use serde_json::json;
use support::app::{spawn_app, GITHUB_SECRET, GITLAB_TOKEN};

const URL: &str = "https://bot.example.com";

#[tokio::test]
async fn hooks_install_creates_the_hook_once_and_updates_one_with_other_events() {
    let app = spawn_app().await;
    let forges = forgehand::forge::build(&app.config, Default::default())
        .await
        .unwrap();
    for (kind, repo, other) in [
        (ForgeKind::Github, "acme/app", "acme/old"),
        (ForgeKind::Gitlab, "acme/web/app", "acme/web/old"),
    ] {
        app.fake.add_repo(repo);
        app.fake.add_repo(other);
        let forge = forges.get(kind).unwrap();
        let secret = hook_secret(&app.config, kind).expect("the test config has a secret");
        let want = match kind {
            ForgeKind::Github => GITHUB_SECRET,
            ForgeKind::Gitlab => GITLAB_TOKEN,
        };
        assert_eq!(secret, want);
        let payload = format!("{URL}/webhooks/{}", kind.as_str());

        let (done, line) = install(forge.as_ref(), repo, URL, &secret).await.unwrap();
        let HookInstall::Created { events, .. } = &done else {
            panic!("{kind}: {done:?}");
        };
        assert!(
            line.contains("created webhook") && line.contains(&payload),
            "{line}"
        );
        let hooks = app.fake.hooks(repo);
        assert_eq!(hooks.len(), 1, "{kind}: {hooks:#?}");
        let hook = &hooks[0];
        match kind {
            ForgeKind::Github => {
                assert_eq!(hook["config"]["url"], json!(payload));
                assert_eq!(hook["config"]["secret"], json!(GITHUB_SECRET));
                assert_eq!(hook["config"]["content_type"], json!("json"));
                assert_eq!(hook["active"], json!(true));
                let mut stored: Vec<String> = hook["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_string())
                    .collect();
                stored.sort();
                assert_eq!(&stored, events);
                for e in [
                    "issues",
                    "issue_comment",
                    "pull_request",
                    "push",
                    "create",
                    "release",
                    "workflow_run",
                    "check_suite",
                ] {
                    assert!(stored.iter().any(|s| s == e), "{e}: {stored:?}");
                }
            }
            ForgeKind::Gitlab => {
                assert_eq!(hook["url"], json!(payload));
                assert_eq!(hook["token"], json!(GITLAB_TOKEN));
                for e in [
                    "push_events",
                    "tag_push_events",
                    "note_events",
                    "issues_events",
                    "merge_requests_events",
                    "pipeline_events",
                    "releases_events",
                ] {
                    assert_eq!(hook[e], json!(true), "{e}");
                    assert!(events.iter().any(|s| s == e), "{e}: {events:?}");
                }
                assert_eq!(hook["job_events"], json!(false));
            }
        }

        // Again: found by its URL, nothing written.
        let writes = app.fake.writes().len();
        let (again, line) = install(forge.as_ref(), repo, &payload, &secret)
            .await
            .unwrap();
        assert!(
            matches!(again, HookInstall::Unchanged { .. }),
            "{kind}: {again:?}"
        );
        assert!(line.contains("nothing changed"), "{line}");
        assert_eq!(app.fake.hooks(repo).len(), 1, "{kind}");
        assert_eq!(
            app.fake.writes().len(),
            writes,
            "{kind}: a second run writes nothing"
        );

        // A hook at the URL with only push events (added by hand): updated in place.
        install(forge.as_ref(), other, URL, &secret).await.unwrap();
        app.fake.update_hook(other, |hook| match kind {
            ForgeKind::Github => hook["events"] = json!(["push"]),
            ForgeKind::Gitlab => {
                hook["issues_events"] = json!(false);
                hook["note_events"] = json!(false);
            }
        });
        let (updated, line) = install(forge.as_ref(), other, URL, &secret).await.unwrap();
        assert!(
            matches!(updated, HookInstall::Updated { .. }),
            "{kind}: {updated:?}"
        );
        assert!(line.contains("updated webhook"), "{line}");
        let hooks = app.fake.hooks(other);
        assert_eq!(hooks.len(), 1, "{kind}: {hooks:#?}");
        let (again, _) = install(forge.as_ref(), other, URL, &secret).await.unwrap();
        assert!(
            matches!(again, HookInstall::Unchanged { .. }),
            "{kind}: {again:?}"
        );
    }
    app.teardown().await;
}
