//! The command line: `check` lists every configuration error with file:line:col and exits 1;
//! `plan` shows what would be done for a delivery without calling any forge.

mod support;

use std::process::{Command, Output};

fn forgehand(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .output()
        .expect("run forgehand")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_passes_the_shipped_configuration() {
    let out = forgehand(&["check", "--config", "config/forgehand.yml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "config/forgehand.yml: ok (server file)\n"
    );
}

#[test]
fn check_lists_every_error_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yml");
    std::fs::write(
        &path,
        "server:\n  lissen: 1\nroles:\n  alice: admin\ngithub:\n  api_url: ${NOT_SET_ANYWHERE}\n",
    )
    .unwrap();
    let file = path.display().to_string();
    let out = forgehand(&["check", "--config", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert_eq!(lines[3], format!("{file}: invalid server file"));
    assert!(lines[0].starts_with(&format!("{file}:2:3: server: unknown field `lissen`")));
    assert!(lines[1].starts_with(&format!(
        "{file}:4:10: roles.alice: unknown variant `admin`"
    )));
    assert!(
        lines[2].starts_with(&format!("{file}:6:12:")),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("NOT_SET_ANYWHERE"));
}

#[test]
fn check_names_a_missing_file() {
    let out = forgehand(&["check", "--config", "config/does-not-exist.yml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("config/does-not-exist.yml"));
}

fn comment_payload(dir: &std::path::Path, body: &str) -> String {
    let mut p: serde_json::Value =
        serde_json::from_slice(&support::fixture("github/issue_comment.created.json")).unwrap();
    p["comment"]["body"] = serde_json::json!(body);
    p["issue"]["labels"] = serde_json::json!([{"name": "flow::Triage"}]);
    let path = dir.join("payload.json");
    std::fs::write(&path, serde_json::to_vec(&p).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn plan_shows_what_a_label_command_would_do() {
    let dir = tempfile::tempdir().unwrap();
    let payload = comment_payload(dir.path(), "Let's do it.\n/label ~\"flow::To Do\" ~bug");
    let out = forgehand(&[
        "plan",
        "--forge",
        "github",
        "--event",
        "issue_comment",
        &payload,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    insta::assert_snapshot!("plan_label_human", text(&out.stdout));

    let out = forgehand(&[
        "plan",
        "--forge",
        "github",
        "--event",
        "issue_comment",
        &payload,
        "--json",
    ]);
    assert!(out.status.success());
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("plan_label_json", plan);
}

#[test]
fn plan_says_when_an_event_is_ignored() {
    let out = forgehand(&[
        "plan",
        "--forge",
        "github",
        "--event",
        "star",
        "fixtures/github/star.created.json",
    ]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).starts_with("ignored: "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn plan_reports_a_malformed_payload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{").unwrap();
    let out = forgehand(&[
        "plan",
        "--forge",
        "gitlab",
        "--event",
        "Note Hook",
        &path.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("malformed payload"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn plan_shows_what_an_alert_would_do() {
    let out = forgehand(&[
        "plan",
        "--source",
        "pingdom",
        "fixtures/alerts/pingdom.down.json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "1. file issue in acme/shop: \"shop.example.com is down: HTTP Error 503\" \
             (unless <!-- forgehand:incident pingdom:8137425 since 2026-03-02T08:34:05Z --> exists)\n"
        ),
        "{stdout}"
    );

    let out = forgehand(&[
        "plan",
        "--source",
        "alertmanager",
        "fixtures/alerts/alertmanager.firing.json",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["intents"][0]["intent"], "file_issue");
    assert_eq!(plan["intents"][0]["repo"], "acme/website");
    assert_eq!(
        plan["intents"][0]["labels"],
        serde_json::json!(["incident", "priority::1"])
    );

    let out = forgehand(&[
        "plan",
        "--source",
        "alertmanager",
        "fixtures/alerts/alertmanager.resolved.json",
    ]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("gets the duration and is closed"),
        "{}",
        text(&out.stdout)
    );

    let out = forgehand(&["plan", "--source", "nagios", "x.json"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown source");
    let out = forgehand(&["plan", "--source", "alertmanager", "Cargo.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("malformed payload"));
}

/// A payload from `fixture` changed by `edit`, written to a file in `dir`.
fn edited(
    dir: &std::path::Path,
    fixture: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> String {
    let mut p: serde_json::Value = serde_json::from_slice(&support::fixture(fixture)).unwrap();
    edit(&mut p);
    let path = dir.join(fixture.replace('/', "_"));
    std::fs::write(&path, serde_json::to_vec(&p).unwrap()).unwrap();
    path.display().to_string()
}

fn plan_of(config: &str, forge: &str, event: &str, payload: &str) -> String {
    let out = forgehand(&[
        "plan", "--config", config, "--forge", forge, "--event", event, payload,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn plan_shows_the_release_a_publish_pipeline_makes_and_the_issue_a_failed_one_opens() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = |status: &str| {
        edited(dir.path(), "gitlab/pipeline.json", |p| {
            p["object_attributes"]["ref"] = serde_json::json!("v1.4.0");
            p["object_attributes"]["tag"] = serde_json::json!(true);
            p["object_attributes"]["status"] = serde_json::json!(status);
            p["object_attributes"]["stages"] = serde_json::json!(["build", "publish"]);
        })
    };
    let config = "config/release-train.yml";
    let green = plan_of(config, "gitlab", "Pipeline Hook", &pipeline("success"));
    assert!(
        green.contains("create or update release v1.4.0 of gitlab-org/gitlab-test: \"v1.4.0\""),
        "{green}"
    );
    assert!(
        green.contains("comment on and close the open issue of gitlab-org/gitlab-test carrying <!-- forgehand:publish-failed v1.4.0 -->"),
        "{green}"
    );
    let red = plan_of(config, "gitlab", "Pipeline Hook", &pipeline("failed"));
    assert!(
        red.contains("open or update issue in gitlab-org/gitlab-test: \"Release v1.4.0 failed to publish\" labels release-blocker assigned to "),
        "{red}"
    );
    assert!(!red.contains("create or update release"), "{red}");
}

#[test]
fn plan_acts_on_a_release_forgehand_published_but_not_on_its_comments() {
    let dir = tempfile::tempdir().unwrap();
    let bot = serde_json::json!({ "login": "forgehand[bot]", "type": "Bot" });
    let release = edited(dir.path(), "github/release.published.json", |p| {
        p["release"]["tag_name"] = serde_json::json!("v1.4.0");
        p["release"]["author"] = bot.clone();
        p["sender"] = bot.clone();
    });
    let config = "config/release-train.yml";
    let plan = plan_of(config, "github", "release", &release);
    assert!(
        plan.contains(
            "file issue in acme/ops: \"Deploy Codertocat/Hello-World v1.4.0 to staging\""
        ),
        "{plan}"
    );
    assert!(!plan.contains("caused by forgehand itself"), "{plan}");
    // Without the forge the release's items are unknown; the plan says what it would do.
    assert!(
        plan.contains("note: \"released in\" feedback: no merged merge requests are known"),
        "{plan}"
    );
    let comment = edited(dir.path(), "github/issue_comment.created.json", |p| {
        p["comment"]["body"] = serde_json::json!("/deploy production");
        p["sender"] = bot.clone();
    });
    let plan = plan_of(config, "github", "issue_comment", &comment);
    assert_eq!(
        plan,
        "nothing to do\nnote: caused by forgehand itself: ignored\n"
    );
}

#[tokio::test]
async fn serve_with_nothing_configured_runs_dry_and_refuses_unsigned_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("FORGEHAND_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "FORGEHAND_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("f.db").display()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..300 {
        if let Ok(r) = support::http::request(port, "GET", "/healthz", &[], b"").await {
            ready = r.status == 200;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ready, "forgehand did not start");
    for (path, variable) in [
        ("/webhooks/github", "GITHUB_WEBHOOK_SECRET"),
        ("/webhooks/gitlab", "GITLAB_WEBHOOK_TOKEN"),
        (
            "/webhooks/alerts/alertmanager",
            "ALERTMANAGER_WEBHOOK_TOKEN",
        ),
        ("/webhooks/alerts/pingdom", "PINGDOM_WEBHOOK_TOKEN"),
    ] {
        let r = support::http::request(port, "POST", path, &[], b"{}")
            .await
            .unwrap();
        assert_eq!(r.status, 503, "{path}");
        assert!(r.body.contains(variable), "{path}: {}", r.body);
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let log = text(&out.stderr);
    assert!(log.contains("dry-run mode"), "{log}");
}

#[test]
fn check_names_the_kind_of_file_and_passes_the_shipped_repository_file() {
    let out = forgehand(&["check", "--config", "config/example.forgehand.yml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "config/example.forgehand.yml: ok (repository file; sets rules, triage, commands, release, schedules, labels)\n"
    );
}

#[test]
fn check_refuses_a_repository_file_that_sets_a_secret_or_a_role_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".forgehand.yml");
    std::fs::write(
        &path,
        "rules: []\ngitlab:\n  webhook_tokens: [stolen]\nroles:\n  mallory: owner\n",
    )
    .unwrap();
    let file = path.display().to_string();
    let out = forgehand(&["check", "--config", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("{file}:2:1: gitlab: a repository file cannot set")),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "{file}:4:1: roles: a repository file cannot grant roles"
        )),
        "{stderr}"
    );
    assert_eq!(lines[2], format!("{file}: invalid repository file"));
}

#[test]
fn check_with_repo_says_which_configuration_applies() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.yml");
    std::fs::write(
        &server,
        "rules: []\nrepos:\n  \"github:acme/*\":\n    triage:\n      engineering_lead: carol\n    rules: []\n",
    )
    .unwrap();
    let own = dir.path().join(".forgehand.yml");
    std::fs::write(&own, "rules: []\n").unwrap();
    let server = server.display().to_string();
    let out = forgehand(&[
        "check",
        "--config",
        &server,
        "--repo",
        "github:acme/app",
        "--repo-file",
        &own.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("github:acme/app: repos: entry `github:acme/*` applies"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  rules: the repository's .forgehand.yml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  triage: repos: `github:acme/*`"),
        "{stdout}"
    );
    assert!(stdout.contains("  release: server defaults"), "{stdout}");

    let out = forgehand(&["check", "--config", &server, "--repo", "gitlab:acme/app"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("gitlab:acme/app: no repos: entry applies"),
        "{stdout}"
    );
    assert!(stdout.contains("  triage: server defaults"), "{stdout}");
}

#[test]
fn plan_decides_under_a_repository_file_given_with_repo_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.yml");
    std::fs::write(
        &server,
        "rules:\n  - id: server-rule\n    on: [issue.opened]\n    then:\n      add_labels: [from-server]\n",
    )
    .unwrap();
    let own = dir.path().join(".forgehand.yml");
    std::fs::write(
        &own,
        "rules:\n  - id: repo-rule\n    on: [issue.opened]\n    then:\n      add_labels: [from-repo]\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.forgehand.yml");
    std::fs::write(&bad, "rules: []\nroles:\n  mallory: owner\n").unwrap();
    let server = server.display().to_string();
    let args = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "--config",
            &server,
            "--forge",
            "github",
            "--event",
            "issues",
            "fixtures/github/issues.opened.json",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let args = args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        forgehand(&args)
    };

    let plain = run(&[]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    assert!(
        text(&plain.stdout).contains("\"from-server\""),
        "{}",
        text(&plain.stdout)
    );

    let own = own.display().to_string();
    let with_file = run(&["--repo-file", &own]);
    assert!(with_file.status.success(), "{}", text(&with_file.stderr));
    let out = text(&with_file.stdout);
    assert!(
        out.contains("\"from-repo\"") && !out.contains("from-server"),
        "{out}"
    );

    let bad = bad.display().to_string();
    let refused = run(&["--repo-file", &bad]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr)
            .contains("bad.forgehand.yml:2:1: roles: a repository file cannot grant roles"),
        "{}",
        text(&refused.stderr)
    );
}
