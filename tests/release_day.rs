//! Release day end to end on both forges: the calendar's dates fire (pinned to 2030 by the
//! firing window and `release_day.from`, so the server's own scheduler, on the real clock,
//! never fires them), the release manager on duty gets one release-day issue with the
//! proposed version and the changes, a date without changes gets the note and no issue,
//! holidays skip or shift the day, and the production train files the production request
//! when staging is ahead — or says what blocks it. Every firing again adds nothing.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use forgehand::event::ForgeKind;
use forgehand::schedule::release_day::{day_delivery, due, enqueue_due};
use support::app::{spawn_app_with, TestApp};

/// The weekly flow: minor on Monday, patch on Thursday; `{policy}` for holidays.
const CONFIG: &str = r#"
release:
  enabled: true
  changelog_groups:
    - title: Features
      labels: [feature]
    - title: Fixes
      labels: [bug]
  calendar:
    cadence:
      weekly:
        monday: minor
        thursday: patch
    holidays: [2030-01-17]
    on_holiday: {policy}
  rotation:
    people: [alice, bob]
    period: weekly
    anchor: 2030-01-07
  deploy_requests:
    project: acme/ops
    on: command
  checklist: {}
  release_day:
    repos: ["github:acme/app", "gitlab:acme/svc"]
    from: 2030-01-01
    production_train: {at: "10:00"}
"#;

const REPOS: [(&str, ForgeKind); 2] = [
    ("acme/app", ForgeKind::Github),
    ("acme/svc", ForgeKind::Gitlab),
];
const OPS: &str = "acme/ops";

async fn app(policy: &str) -> TestApp {
    spawn_app_with(&CONFIG.replace("{policy}", policy)).await
}

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, day, hour, minute, 0).unwrap()
}

/// Both repositories: release tag `tag`, then three merge requests merged into `main` (one a
/// configuration change) when `changes`, none otherwise.
fn seed(app: &TestApp, tag: &str, changes: bool) {
    let fake = &app.fake;
    fake.add_repo(OPS);
    fake.add_user("alice", forgehand::role::Role::Maintainer);
    fake.add_user("bob", forgehand::role::Role::Maintainer);
    for (repo, _) in REPOS {
        fake.add_repo(repo);
        fake.add_tag(repo, tag, &["c1"]);
        fake.add_merged(repo, 9, "Shipped long ago", &["feature"], "c1");
        if changes {
            fake.add_merged(repo, 12, "Dark mode", &["feature"], "m12");
            fake.add_merged(repo, 15, "Crash on empty schedule", &["bug"], "m15");
            fake.add_merged(repo, 16, "New cache backend", &["config-change"], "m16");
            fake.add_branch_history(repo, "main", &["c1", "m12", "m15", "m16"]);
        } else {
            fake.add_branch_history(repo, "main", &["c1"]);
        }
    }
}

/// Fire the window through the scheduler and let the workers finish.
async fn fire(app: &TestApp, after: DateTime<Utc>, until: DateTime<Utc>) -> usize {
    let new = enqueue_due(&app.config.release, app.store.as_ref(), after, until)
        .await
        .unwrap();
    app.wait_idle().await;
    new
}

/// The release-day issues of `repo`: (title, assignees, body).
fn day_issues(app: &TestApp, repo: &str) -> Vec<(String, Vec<String>, String)> {
    app.fake
        .issues_with_bodies(repo)
        .into_iter()
        .filter(|(i, _)| i.labels.contains(&"release-day".to_string()))
        .map(|(i, body)| (i.title, i.assignees, body))
        .collect()
}

#[tokio::test]
async fn a_release_date_with_merged_changes_calls_the_manager_once() {
    let app = app("shift").await;
    seed(&app, "v1.3.0", true);
    // Monday 2030-01-07, 09:00: the call for both repositories (the train comes at 10:00).
    assert_eq!(fire(&app, at(7, 8, 0), at(7, 9, 30)).await, 2);
    for (repo, forge) in REPOS {
        let issues = day_issues(&app, repo);
        assert_eq!(issues.len(), 1, "{repo}: {issues:?}");
        let (title, assignees, body) = &issues[0];
        assert_eq!(title, &format!("Release day 2030-01-07: {repo} v1.4.0"));
        assert_eq!(assignees, &["alice"]);
        assert!(
            body.contains("3 changes merged into `main` since v1.3.0"),
            "{body}"
        );
        assert!(!body.contains("Shipped long ago"), "{body}");
        insta::assert_snapshot!(format!("release_day_issue_{}", forge.as_str()), body);
    }

    // The same window again (a restart, a second replica): nothing is stored.
    assert_eq!(fire(&app, at(7, 8, 0), at(7, 9, 30)).await, 0);
    // The same firing's job run again (its worker died after filing): no second issue.
    let (forge, firing) = due(&app.config.release, at(7, 8, 0), at(7, 9, 30))
        .into_iter()
        .next()
        .unwrap();
    let mut again = day_delivery(forge, &firing, 0);
    again.delivery_id.push_str(":again");
    app.store.insert(again).await.unwrap();
    app.wait_idle().await;
    for (repo, _) in REPOS {
        assert_eq!(day_issues(&app, repo).len(), 1, "{repo}");
    }

    // Thursday 2030-01-10 proposes a patch of the same last release.
    assert_eq!(fire(&app, at(10, 8, 0), at(10, 9, 30)).await, 2);
    for (repo, _) in REPOS {
        let titles: Vec<String> = day_issues(&app, repo).into_iter().map(|i| i.0).collect();
        assert!(
            titles.contains(&format!("Release day 2030-01-10: {repo} v1.3.1")),
            "{titles:?}"
        );
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_date_without_changes_gets_the_note_and_no_issue() {
    let app = app("shift").await;
    seed(&app, "v0.0.4", false);
    let mut checklists = Vec::new();
    for (repo, _) in REPOS {
        let n = app.fake.add_issue_with_body(
            repo,
            "Release 0.1.0 checklist",
            "<!-- forgehand:release-checklist v0.1.0 -->\n## Release 0.1.0 checklist",
            &["release-checklist"],
        );
        checklists.push((repo, n));
    }
    assert_eq!(fire(&app, at(7, 8, 0), at(7, 9, 30)).await, 2);
    for &(repo, number) in &checklists {
        assert!(day_issues(&app, repo).is_empty(), "{repo}");
        let comments = app.fake.comments(repo, number);
        assert_eq!(comments.len(), 1, "{repo}: {comments:?}");
        assert!(
            comments[0]
                .body
                .contains("no changes since v0.0.4: no release this cycle"),
            "{}",
            comments[0].body
        );
    }
    // Again: the note is not repeated.
    let (forge, firing) = due(&app.config.release, at(7, 8, 0), at(7, 9, 30))
        .into_iter()
        .next()
        .unwrap();
    let mut again = day_delivery(forge, &firing, 0);
    again.delivery_id.push_str(":again");
    app.store.insert(again).await.unwrap();
    app.wait_idle().await;
    for &(repo, number) in &checklists {
        assert_eq!(app.fake.comments(repo, number).len(), 1, "{repo}");
    }
    app.teardown().await;
}

#[tokio::test]
async fn a_holiday_skips_or_shifts_the_release_day() {
    // Thursday 2030-01-17 is a holiday.
    let skip = app("skip").await;
    seed(&skip, "v1.3.0", true);
    assert_eq!(fire(&skip, at(17, 0, 0), at(17, 23, 0)).await, 0);
    assert_eq!(fire(&skip, at(18, 0, 0), at(18, 23, 0)).await, 0);
    for (repo, _) in REPOS {
        assert!(day_issues(&skip, repo).is_empty(), "{repo}");
    }
    skip.teardown().await;

    let shift = app("shift").await;
    seed(&shift, "v1.3.0", true);
    assert_eq!(fire(&shift, at(17, 0, 0), at(17, 23, 0)).await, 0);
    // Friday 2030-01-18: the call and the train, for both repositories.
    assert_eq!(fire(&shift, at(18, 0, 0), at(18, 23, 0)).await, 4);
    for (repo, _) in REPOS {
        let issues = day_issues(&shift, repo);
        assert_eq!(issues.len(), 1, "{repo}: {issues:?}");
        assert_eq!(
            issues[0].0,
            format!("Release day 2030-01-18: {repo} v1.3.1")
        );
        assert_eq!(issues[0].1, ["bob"]);
        assert!(issues[0]
            .2
            .contains("**Planned for:** 2030-01-17 (a holiday; moved here)"));
    }
    shift.teardown().await;
}

/// The version each repository has on staging: requested, tagged, its publish pipeline
/// green; production has v1.3.0. (Deployment-request markers do not name the repository, so
/// two repositories sharing the ops project need different versions.)
const STAGED: [(&str, &str); 2] = [("acme/app", "v1.4.0"), ("acme/svc", "v1.4.1")];

/// A production request for v1.3.0 and a staging request for the staged version of each
/// repository; returns the staging requests' numbers.
fn seed_train(app: &TestApp) -> Vec<u64> {
    let mut staging = Vec::new();
    for (repo, tag) in STAGED {
        app.fake.add_tag(repo, tag, &["c1", "m12", "m15", "m16"]);
        app.fake.add_pipeline(repo, tag, 70, "success", "publish");
        app.fake.add_issue_with_body(
            OPS,
            &format!("Deploy {repo} v1.3.0 to production"),
            &format!("<!-- forgehand:deploy-request v1.3.0 production -->\n## Deploy {repo} v1.3.0 to production"),
            &["deployment"],
        );
        staging.push(app.fake.add_issue_with_body(
            OPS,
            &format!("Deploy {repo} {tag} to staging"),
            &format!("<!-- forgehand:deploy-request {tag} staging -->\n## Deploy {repo} {tag} to staging\n\n- **Release:** [{tag}](https://forge.example/{repo}/tags/{tag})"),
            &["deployment"],
        ));
    }
    staging
}

fn production_requests(app: &TestApp) -> Vec<(String, Vec<String>, String)> {
    app.fake
        .issues_with_bodies(OPS)
        .into_iter()
        .filter(|(_, body)| body.contains(" production -->") && !body.contains("v1.3.0"))
        .map(|(i, body)| (i.title, i.assignees, body))
        .collect()
}

#[tokio::test]
async fn the_production_train_requests_production_when_staging_is_ahead() {
    let app = app("shift").await;
    seed(&app, "v1.3.0", true);
    seed_train(&app);
    // acme/app's v1.4.0 has its forge release: the request links it.
    app.fake
        .add_release("acme/app", "v1.4.0", "notes", "forgehand");
    // Monday 2030-01-07 at 10:00.
    assert_eq!(fire(&app, at(7, 9, 30), at(7, 10, 30)).await, 2);
    let requests = production_requests(&app);
    let titles: Vec<&str> = requests.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    for ((repo, tag), (_, forge)) in STAGED.into_iter().zip(REPOS) {
        let (_, assignees, body) = requests
            .iter()
            .find(|r| r.0 == format!("Deploy {repo} {tag} to production"))
            .unwrap_or_else(|| panic!("{repo}: {titles:?}"));
        assert_eq!(assignees, &["alice"]);
        assert!(body.contains("- [x] The tag pipeline passed"), "{body}");
        assert!(
            body.contains("- [ ] The release manager approves"),
            "{body}"
        );
        insta::assert_snapshot!(format!("release_day_production_{}", forge.as_str()), body);
    }
    // Once production has it, the next train date requests nothing.
    assert_eq!(fire(&app, at(10, 9, 30), at(10, 10, 30)).await, 2);
    assert_eq!(production_requests(&app).len(), 2);
    app.teardown().await;
}

#[tokio::test]
async fn a_blocker_turns_the_production_request_into_one_comment() {
    let app = app("shift").await;
    seed(&app, "v1.3.0", true);
    let staging = seed_train(&app);
    for (repo, _) in REPOS {
        app.fake.add_issue_with_body(
            repo,
            "Data loss on upgrade",
            "QA found it",
            &["release-blocker"],
        );
    }
    assert_eq!(fire(&app, at(7, 9, 30), at(7, 10, 30)).await, 2);
    assert!(production_requests(&app).is_empty());
    for number in staging {
        let comments = app.fake.comments(OPS, number);
        assert_eq!(comments.len(), 1, "{comments:?}");
        let body = &comments[0].body;
        assert!(
            body.starts_with("@alice: production train 2030-01-07"),
            "{body}"
        );
        assert!(
            body.contains("- [ ] QA found no blockers (no open `release-blocker` issues)"),
            "{body}"
        );
        assert!(!body.contains("pipeline"), "{body}");
        assert_eq!(app.fake.issue(OPS, number).assignees, ["alice"]);
    }
    app.teardown().await;
}

fn plan_release_day(config: &str, date: &str, repo: &str, json: bool) -> String {
    let mut args = vec![
        "plan",
        "--config",
        config,
        "--release-day",
        date,
        "--repo",
        repo,
    ];
    if json {
        args.push("--json");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .output()
        .expect("run forgehand");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn plan_shows_a_release_day_of_each_shipped_configuration_without_writing() {
    // The weekly flow's Monday (minor) and its Christmas Eve, shifted to Monday 28.
    let weekly = "config/weekly-releases.yml";
    let monday = plan_release_day(weekly, "2026-11-30", "github:acme/app", false);
    assert!(
        monday.contains("a minor release, @carol on duty"),
        "{monday}"
    );
    let eve = plan_release_day(weekly, "2026-12-24", "gitlab:acme/service", false);
    assert!(eve.contains("moves to 2026-12-28"), "{eve}");
    // The train: its call and its production train, on a shifted date.
    let train = "config/release-train.yml";
    let text = plan_release_day(train, "2026-12-23", "gitlab:acme/sync-server", false);
    insta::assert_snapshot!("plan_release_day_train", text);
    let json: serde_json::Value = serde_json::from_str(&plan_release_day(
        train,
        "2026-12-23",
        "gitlab:acme/sync-server",
        true,
    ))
    .unwrap();
    assert_eq!(json[0]["step"], "release");
    assert_eq!(json[1]["step"], "train");
    assert_eq!(json[1]["at"], "2026-12-23T10:00:00Z");
    assert!(json[0]["plan"]["intents"].as_array().unwrap().is_empty());
}

#[test]
fn plan_refuses_a_release_day_without_a_repository() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args([
            "plan",
            "--config",
            "config/release-train.yml",
            "--release-day",
            "2026-12-23",
            "--repo",
            "acme/sync-server",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run forgehand");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("write github:OWNER/NAME"));
}

/// (reads, writes) of each forge's calls since the last `clear_calls`, with the calls.
fn cost(app: &TestApp) -> Vec<(&'static str, usize, usize, Vec<String>)> {
    let calls = app.fake.calls();
    ["github", "gitlab"]
        .into_iter()
        .map(|forge| {
            let mine: Vec<_> = calls
                .iter()
                .filter(|c| c.path.starts_with("/api/v4/") == (forge == "gitlab"))
                .collect();
            let writes = mine.iter().filter(|c| c.is_write()).count();
            let listed = mine
                .iter()
                .map(|c| format!("{} {}?{}", c.method, c.path, c.query))
                .collect();
            (forge, mine.len() - writes, writes, listed)
        })
        .collect()
}

/// What a release day costs on each forge: the numbers docs/release.md gives. A new call
/// on this path shows up here.
#[tokio::test]
async fn a_release_day_costs_the_documented_calls_on_each_forge() {
    let app = app("shift").await;
    seed(&app, "v1.3.0", true);
    app.fake.clear_calls();
    assert_eq!(fire(&app, at(7, 8, 0), at(7, 9, 30)).await, 2);
    let call = cost(&app);
    seed_train(&app);
    app.fake.clear_calls();
    assert_eq!(fire(&app, at(7, 9, 30), at(7, 10, 30)).await, 2);
    let train = cost(&app);
    let found: Vec<(&str, &str, usize, usize)> = [("call", &call), ("train", &train)]
        .iter()
        .flat_map(|(what, costs)| costs.iter().map(move |(f, r, w, _)| (*what, *f, *r, *w)))
        .collect();
    assert_eq!(
        found,
        [
            ("call", "github", 6, 1),
            ("call", "gitlab", 7, 1),
            ("train", "github", 9, 1),
            ("train", "gitlab", 8, 1),
        ],
        "{call:#?}\n{train:#?}"
    );
    app.teardown().await;
}

/// The `release:` section of `config/release-train.yml`, acting for `repo` only and from
/// 2030 on (the server's scheduler runs on the real clock).
fn shipped_train(repo: &str) -> String {
    let path = format!("{}/config/release-train.yml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("shipped configuration");
    let start = text.find("\nrelease:").expect("a release section");
    let shipped = "    repos: [\"github:acme/sync-server\", \"gitlab:acme/sync-server\"]\n";
    assert!(text.contains(shipped), "the shipped release day moved");
    text[start..].replace(
        shipped,
        &format!("    repos: [\"{repo}\"]\n    from: 2030-01-01\n"),
    )
}

/// The worked example of docs/release.md on the shipped train: on a train Tuesday the open
/// checklist gets the call (and its manager), and the production request follows staging.
#[tokio::test]
async fn the_shipped_train_calls_on_the_checklist_and_requests_production() {
    const REPO: &str = "acme/sync-server";
    for forge in ["github", "gitlab"] {
        let app = spawn_app_with(&shipped_train(&format!("{forge}:{REPO}"))).await;
        let fake = &app.fake;
        fake.add_repo(REPO);
        fake.add_repo(OPS);
        for person in ["dana", "eli", "fay"] {
            fake.add_user(person, forgehand::role::Role::Maintainer);
        }
        fake.add_tag(REPO, "v1.3.0", &["c1"]);
        fake.add_tag(REPO, "v1.4.0", &["c1", "m12"]);
        fake.add_merged(REPO, 12, "Dark mode", &["feature"], "m12");
        fake.add_merged(REPO, 15, "Crash on empty schedule", &["bug"], "m15");
        fake.add_merged(REPO, 16, "New cache backend", &["config-change"], "m16");
        fake.add_branch_history(REPO, "main", &["c1", "m12", "m15", "m16"]);
        fake.add_pipeline(REPO, "v1.4.0", 70, "success", "publish");
        let checklist = fake.add_issue_with_body(
            REPO,
            "Release 1.5.0 checklist (2030-01-01)",
            "<!-- forgehand:release-checklist v1.5.0 -->\n## Release 1.5.0 checklist",
            &["release-checklist"],
        );
        for (version, env) in [("v1.3.0", "production"), ("v1.4.0", "staging")] {
            fake.add_issue_with_body(
                OPS,
                &format!("Deploy {REPO} {version} to {env}"),
                &format!("<!-- forgehand:deploy-request {version} {env} -->\n## Deploy {REPO} {version} to {env}"),
                &["deployment"],
            );
        }
        // Tuesday 2030-01-01 is a train date (208 weeks after the anchor), dana's month.
        let after = Utc.with_ymd_and_hms(2029, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(fire(&app, after, at(1, 11, 0)).await, 2, "{forge}");

        assert!(day_issues(&app, REPO).is_empty(), "{forge}");
        let comments = fake.comments(REPO, checklist);
        assert_eq!(comments.len(), 1, "{forge}: {comments:?}");
        let call = &comments[0].body;
        assert!(call.contains("@dana, you are the release manager on duty. 2 changes merged into `main` since v1.4.0"), "{call}");
        assert!(
            call.contains("**Proposed version:** `1.5.0` (minor"),
            "{call}"
        );
        assert!(call.contains("- New cache backend ("), "{call}");
        assert_eq!(fake.issue(REPO, checklist).assignees, ["dana"], "{forge}");

        let production: Vec<_> = fake
            .issues_with_bodies(OPS)
            .into_iter()
            .filter(|(i, _)| i.title == format!("Deploy {REPO} v1.4.0 to production"))
            .collect();
        assert_eq!(production.len(), 1, "{forge}");
        assert_eq!(production[0].0.assignees, ["dana"], "{forge}");
        app.teardown().await;
    }
}
