//! `forgehand explain`, `redeliver` and `replay` through the binary, on a SQLite store filled
//! the way the worker fills it.

use forgehand::decide::{self, Context, Fact};
use forgehand::event::{self, Decoded};
use forgehand::explain::PlanRecord;
use forgehand::model::ForgeKind;
use forgehand::role::Role;
use forgehand::store::{self, DeliveryFacts, NewDelivery, Outcome};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const RULES: &str = r#"
rules:
  - id: ack
    on: [comment]
    if: { labels: [bug] }
    then: { add_labels: [seen] }
  - id: never
    on: [comment]
    if: { labels: [wontfix] }
    then: { add_labels: [closed-out] }
"#;

fn forgehand(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forgehand"))
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .env_remove("FORGEHAND_DATABASE_URL")
        .output()
        .expect("run forgehand")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_config(dir: &Path, name: &str, rules: &str) -> String {
    let db = dir.join("forgehand.db");
    let path = dir.join(name);
    let yaml = format!(
        "server:\n  database_url: sqlite://{}\n{rules}",
        db.display()
    );
    std::fs::write(&path, yaml).unwrap();
    path.display().to_string()
}

/// A comment delivery decided and failed, as a worker leaves one whose writes kept failing.
async fn store_a_failed_delivery(dir: &Path, config_path: &str) {
    let config = forgehand::config::load(config_path).unwrap();
    let url = format!("sqlite://{}", dir.join("forgehand.db").display());
    let store = store::open(&url).await.unwrap();
    let body = std::fs::read("fixtures/github/issue_comment.created.json").unwrap();
    let now = forgehand::clock::now_ms();
    store
        .insert(NewDelivery {
            forge: ForgeKind::Github,
            delivery_id: "c-1".into(),
            event: "issue_comment".into(),
            body: body.clone(),
            received_at: now,
        })
        .await
        .unwrap();
    let Ok(Decoded::Event(event)) = event::decode(ForgeKind::Github, "issue_comment", &body) else {
        panic!("the fixture decodes");
    };
    let context = Context {
        actor_role: Fact::Known(Role::Reader),
        ..Context::default()
    };
    let at = chrono::DateTime::from_timestamp_millis(now).unwrap();
    let plan = decide::decide(&event, &config, &context, at);
    store
        .record_facts(DeliveryFacts {
            forge: ForgeKind::Github,
            delivery_id: "c-1".into(),
            repo: "Codertocat/Hello-World".into(),
            context: serde_json::to_string(&context).unwrap(),
            plan: serde_json::to_string(&PlanRecord::of(&plan)).unwrap(),
            at: now,
        })
        .await
        .unwrap();
    let job = store
        .claim(now, Duration::from_secs(60), 1)
        .await
        .unwrap()
        .remove(0);
    store
        .finish(
            job.id,
            job.attempt,
            Outcome::Failed("forge answered 500".into()),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn explain_redeliver_and_replay_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "forgehand.yml", RULES);
    store_a_failed_delivery(dir.path(), &config).await;

    let out = forgehand(&["explain", "c-1", "--config", &config]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.starts_with("delivery github:c-1 (issue_comment)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("state: failed after 1 attempt\nreason: forge answered 500"),
        "{stdout}"
    );
    assert!(stdout.contains("  ✓ ack: matched\n  ✗ never: did not match\n      labels: `wontfix` is missing (labels bug, seen)"), "{stdout}");
    assert!(
        stdout.contains("edit Codertocat/Hello-World#1: add labels \"seen\""),
        "{stdout}"
    );

    let out = forgehand(&[
        "explain", "c-1", "--forge", "github", "--json", "--config", &config,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["delivery_id"], "c-1");
    assert_eq!(json["rules"][1]["matched"], false);
    assert_eq!(json["facts"]["actor_role"]["known"], "reader");

    let out = forgehand(&["explain", "nope", "--config", &config]);
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr).trim(), "no delivery `nope` is stored");

    // The new configuration: `ack` adds another label; `never` now matches.
    let changed = RULES
        .replace(
            "then: { add_labels: [seen] }",
            "then: { add_labels: [seen, triaged] }",
        )
        .replace("labels: [wontfix]", "labels: [bug]");
    let new = write_config(dir.path(), "new.yml", &changed);
    let out = forgehand(&["replay", "--config", &new, "--since", "1d"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        // The delivery failed before any write: no ledger row, so the plan is the baseline.
        "github:c-1 comment.created Codertocat/Hello-World \
         (nothing done then: compared with the plan)\n  \
         ~ edit Codertocat/Hello-World#1: add labels \"seen\"\n    \
         → edit Codertocat/Hello-World#1: add labels \"seen\", \"triaged\", \"closed-out\"\n\
         1 deliveries replayed, 1 would be planned otherwise: 0 added, 0 dropped, 1 changed\n"
    );
    assert!(out.stderr.is_empty(), "no progress when not on a terminal");
    let out = forgehand(&["replay", "--config", &new, "--repo", "other/repo", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["replayed"], 0);
    let out = forgehand(&["replay", "--config", &new, "--since", "soon"]);
    assert!(!out.status.success());

    // The repository's own file, tried before it is merged: the server file unchanged,
    // `--repo-file` for that repository's deliveries.
    let own = dir.path().join("own.forgehand.yml");
    std::fs::write(
        &own,
        "rules:\n  - id: ack\n    on: [comment]\n    if: { labels: [bug] }\n    then: { add_labels: [seen, from-file] }\n",
    )
    .unwrap();
    let own = own.display().to_string();
    let repo = "Codertocat/Hello-World";
    let args = [
        "replay",
        "--config",
        &config,
        "--repo",
        repo,
        "--repo-file",
        &own,
    ];
    let out = forgehand(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .contains("    → edit Codertocat/Hello-World#1: add labels \"seen\", \"from-file\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "1 deliveries replayed, 1 would be planned otherwise: 0 added, 0 dropped, 1 changed\n"
        ),
        "{stdout}"
    );
    // Without it, the server file replays to no difference; a file without --repo is refused.
    let out = forgehand(&["replay", "--config", &config, "--repo", repo]);
    assert!(text(&out.stdout).contains("1 deliveries replayed, 0 would be planned otherwise"));
    let out = forgehand(&["replay", "--config", &config, "--repo-file", &own]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--repo"),
        "{}",
        text(&out.stderr)
    );

    let out = forgehand(&["redeliver", "c-1", "--config", &config]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "github:c-1 queued again; a running forgehand picks it up"
    );
    let out = forgehand(&["redeliver", "c-1", "--config", &config]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).trim(),
        "github:c-1 is pending, not failed: only a failed delivery is queued again"
    );
}
