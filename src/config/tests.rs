//! Loader tests: the shipped configuration, environment expansion, positioned errors, secrets.

use super::*;
use crate::role::Role;
use secrecy::ExposeSecret;
use std::collections::HashMap;

const SHIPPED: &str = include_str!("../../config/forgehand.yml");
const FILE: &str = "config/forgehand.yml";

fn no_env(_: &str) -> Option<String> {
    None
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn errors_of(text: &str, env: EnvLookup<'_>) -> Vec<String> {
    match Config::from_str(text, FILE, env) {
        Ok(config) => panic!("expected errors, loaded {config:?}"),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn shipped_config_loads_with_an_empty_environment() {
    let config = Config::from_str(SHIPPED, FILE, &no_env).unwrap();
    assert_eq!(config.listen().to_string(), "127.0.0.1:8080");
    assert_eq!(config.database_url().sqlite_path(), Some("forgehand.db"));
    assert_eq!(config.bot_name(), "forgehand");
    assert_eq!(config.github.api_url.as_str(), "https://api.github.com");
    assert_eq!(config.gitlab.url.as_str(), "https://gitlab.com");
    assert_eq!(config.server.body_limit_bytes.get(), 26_214_400);
    assert!(!config.github_enabled() && !config.gitlab_enabled());
    assert!(config.github.webhook_secrets.is_empty() && config.gitlab.webhook_tokens.is_empty());
    assert!(config.github.token.is_none() && config.github.app_id.is_none());
    assert!(config.github.app_private_key.is_none() && config.gitlab.token.is_none());
    assert!(config.dry_run());
    assert!(config
        .dry_run_reason()
        .unwrap()
        .contains("no forge credentials"));
    assert_eq!(config.commands.min_role("help"), Some(Role::Reader));
}

#[test]
fn shipped_config_follows_the_environment_contract() {
    let env = env_of(&[
        ("FORGEHAND_LISTEN", "0.0.0.0:9000"),
        ("FORGEHAND_DATABASE_URL", "postgres://bot:pw@db/forgehand"),
        ("FORGEHAND_BOT_NAME", "helper"),
        ("GITHUB_WEBHOOK_SECRET", "gh-secret"),
        ("GITHUB_APP_ID", "12345"),
        ("GITHUB_APP_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----"),
        ("GITHUB_API_URL", "https://ghe.example/api/v3"),
        ("GITLAB_WEBHOOK_TOKEN", "gl-token"),
        ("GITLAB_TOKEN", "glpat-x"),
        ("GITLAB_URL", "https://gitlab.example.com/"),
    ]);
    let config = Config::from_str(SHIPPED, FILE, &env).unwrap();
    assert_eq!(config.listen().to_string(), "0.0.0.0:9000");
    assert_eq!(config.database_url().kind(), DatabaseKind::Postgres);
    assert_eq!(config.bot_name(), "helper");
    assert!(config.bot.is_self("helper[bot]"));
    assert!(config.github_enabled() && config.gitlab_enabled());
    assert_eq!(
        config.github.webhook_secrets[0].expose_secret(),
        "gh-secret"
    );
    match config.github.credentials() {
        Some(GithubCredentials::App { app_id, .. }) => assert_eq!(app_id, 12345),
        other => panic!("expected App credentials, got {other:?}"),
    }
    assert_eq!(config.github.api_url.as_str(), "https://ghe.example/api/v3");
    assert_eq!(config.gitlab.url.as_str(), "https://gitlab.example.com");
    assert!(!config.dry_run());
}

#[test]
fn dry_run_table() {
    type Vars = &'static [(&'static str, &'static str)];
    let cases: &[(Vars, &str, bool)] = &[
        (&[], "", true),
        (&[("GITHUB_TOKEN", "t")], "", false),
        (&[("GITLAB_TOKEN", "t")], "", false),
        (&[("GITHUB_WEBHOOK_SECRET", "s")], "", true),
        (&[("GITHUB_TOKEN", "")], "", true),
        (&[("GITHUB_TOKEN", "t")], "true", true),
    ];
    for (vars, dry_run, expected) in cases {
        let env = env_of(vars);
        let flag = if dry_run.is_empty() { "false" } else { dry_run };
        let text = SHIPPED.replace("dry_run: false", &format!("dry_run: {flag}"));
        let config = Config::from_str(&text, FILE, &env).unwrap();
        assert_eq!(config.dry_run(), *expected, "{vars:?} dry_run={dry_run:?}");
    }
}

#[test]
fn an_empty_file_gives_the_defaults() {
    let config = Config::from_str("# nothing\n", FILE, &no_env).unwrap();
    assert_eq!(config.server.workers.get(), 4);
    assert_eq!(config.server.lease().as_secs(), 60);
    assert_eq!(config.server.max_attempts.get(), 5);
    assert_eq!(config.github.writes_per_second, 1.0);
    assert_eq!(config.gitlab.writes_per_second, 5.0);
    assert!(config.dry_run());
}

#[test]
fn values_expand_from_the_environment() {
    let env = env_of(&[("NAME", "helper"), ("WORKERS", "8"), ("EMPTY", "")]);
    type Getter = fn(&Config) -> String;
    let cases: &[(&str, Getter, &str)] = &[
        ("bot:\n  name: ${NAME}\n", |c| c.bot.name.clone(), "helper"),
        (
            "bot:\n  name: ${UNSET:-dflt}\n",
            |c| c.bot.name.clone(),
            "dflt",
        ),
        (
            "bot:\n  name: ${EMPTY:-dflt}\n",
            |c| c.bot.name.clone(),
            "dflt",
        ),
        ("bot:\n  name: pay$$me\n", |c| c.bot.name.clone(), "pay$me"),
        (
            "bot:\n  name: \"a$$${NAME}\"\n",
            |c| c.bot.name.clone(),
            "a$helper",
        ),
        (
            "server:\n  workers: ${WORKERS}\n",
            |c| c.server.workers.to_string(),
            "8",
        ),
        (
            "server:\n  workers: ${UNSET:-3}\n",
            |c| c.server.workers.to_string(),
            "3",
        ),
        (
            "server:\n  dry_run: ${UNSET:-true}\n",
            |c| c.server.dry_run.to_string(),
            "true",
        ),
        (
            "github:\n  writes_per_second: ${UNSET:-2.5}\n",
            |c| c.github.writes_per_second.to_string(),
            "2.5",
        ),
        (
            "github:\n  app_id: ${UNSET:-}\n",
            |c| format!("{:?}", c.github.app_id),
            "None",
        ),
        (
            "github:\n  app_id: \"${UNSET:-7}\"\n  app_private_key: k\n",
            |c| format!("{:?}", c.github.app_id),
            "Some(7)",
        ),
        (
            "server:\n  listen: ${UNSET:-[::1]:9000}\n",
            |c| c.server.listen.to_string(),
            "[::1]:9000",
        ),
    ];
    for (text, get, expected) in cases {
        let config = Config::from_str(text, FILE, &env).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(get(&config), *expected, "{text}");
    }
}

#[test]
fn error_table() {
    let cases: &[(&str, &[&str])] = &[
        (
            "server:\n  workers: 4\n  lables: x\n",
            &[
                "config/forgehand.yml:3:3: server: unknown field `lables`, expected one of \
               `listen`, `database_url`, `body_limit_bytes`, `workers`, `lease_seconds`, \
               `max_attempts`, `dry_run`, `shutdown_grace_seconds`, `retention_days`",
            ],
        ),
        (
            "sever:\n  workers: 4\n",
            &[
                "config/forgehand.yml:1:1: unknown field `sever`, expected one of `server`, \
               `bot`, `github`, `gitlab`, `roles`, `commands`, `release`, `triage`, `rules`, `schedules`, `labels`, `incidents`, `limits`, `repos`, `ui`",
            ],
        ),
        (
            "server:\n  workers: many\n",
            &[
                "config/forgehand.yml:2:12: server.workers: invalid type: string \"many\", \
               expected a nonzero u32",
            ],
        ),
        (
            "server:\n  workers: \"4\"\n",
            &[
                "config/forgehand.yml:2:12: server.workers: invalid type: string \"4\", \
               expected a nonzero u32",
            ],
        ),
        (
            "server:\n  workers: 0\n",
            &[
                "config/forgehand.yml:2:12: server.workers: invalid value: integer `0`, \
               expected a nonzero u32",
            ],
        ),
        (
            "server:\n  listen: nowhere\n",
            &["config/forgehand.yml:2:11: server.listen: invalid socket address syntax"],
        ),
        (
            "server:\n  database_url: mysql://u:secret@h/db\n",
            &[
                "config/forgehand.yml:2:17: server.database_url: invalid database URL `mysql`: \
               expected sqlite://PATH or postgres://…",
            ],
        ),
        (
            "bot:\n  name: \"${BOT_NAME}\"\n",
            &[
                "config/forgehand.yml:2:10: bot.name: environment variable `BOT_NAME` is not set \
               and `${BOT_NAME}` has no default (write `${BOT_NAME:-}` to allow it to be unset)",
            ],
        ),
        (
            "server:\n  workers: ${WORKERS}\n  lease_seconds: x\n",
            &[
                "config/forgehand.yml:2:12: server.workers: environment variable `WORKERS` is \
                 not set and `${WORKERS}` has no default (write `${WORKERS:-}` to allow it to \
                 be unset)",
                "config/forgehand.yml:3:18: server.lease_seconds: invalid type: string \"x\", \
                 expected a nonzero u64",
            ],
        ),
        (
            "github:\n  api_url: api.github.com\n",
            &[
                "config/forgehand.yml:2:12: github.api_url: invalid URL `api.github.com`: must \
               start with http:// or https://",
            ],
        ),
        (
            "github:\n  app_id: 42\n",
            &[
                "config/forgehand.yml:2:11: github.app_id: `app_id` is set but `app_private_key` \
               is not: a GitHub App needs both",
            ],
        ),
        (
            "gitlab:\n  writes_per_second: 0\n",
            &[
                "config/forgehand.yml:2:22: gitlab.writes_per_second: must be a positive number, \
               found 0",
            ],
        ),
        (
            "roles:\n  alice: admin\n  bob: owner\n  carol: boss\n",
            &[
                "config/forgehand.yml:2:10: roles.alice: unknown variant `admin`, expected one \
                 of `reader`, `maintainer`, `owner`",
                "config/forgehand.yml:4:10: roles.carol: unknown variant `boss`, expected one \
                 of `reader`, `maintainer`, `owner`",
            ],
        ),
        (
            "commands:\n  lable: reader\n",
            &[
                "config/forgehand.yml:2:3: commands: unknown command `lable`, expected one of \
               label, unlabel, relabel, milestone, remove_milestone, assign, reassign, \
               unassign, cc, close, reopen, triage, help, release, deploy",
            ],
        ),
        (
            "server:\n  workers: 1\n  workers: 2\n",
            &["config/forgehand.yml:3:3: server: duplicate key `workers` (first at line 2)"],
        ),
        (
            "server: [1, 2]\n",
            &[
                "config/forgehand.yml:1:9: server: invalid type: sequence, expected struct \
               ServerConfig",
            ],
        ),
        (
            "- a\n- b\n",
            &["config/forgehand.yml:1:1: expected a mapping of sections, found a sequence"],
        ),
        (
            "server:\n  listen: [unclosed\n",
            &[
                "config/forgehand.yml:3:1: invalid YAML: while parsing a flow sequence, expected \
               ',' or ']'",
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(errors_of(text, &no_env), *expected, "{text}");
    }
}

#[test]
fn errors_in_different_sections_are_all_reported() {
    let text = "\
server:
  workers: none
  lables: x
  colour: red
  listen: nowhere
bot:
  nmae: x
github:
  token: ${MISSING}
  api_url: ftp://x
";
    let errors = errors_of(text, &no_env);
    let positions: Vec<&str> = errors
        .iter()
        .map(|e| e.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        positions,
        [
            "config/forgehand.yml:2:12",
            "config/forgehand.yml:3:3",
            "config/forgehand.yml:4:3",
            "config/forgehand.yml:5:11",
            "config/forgehand.yml:7:3",
            "config/forgehand.yml:9:10",
            "config/forgehand.yml:10:12",
        ],
        "{errors:#?}"
    );
    let shown = Config::from_str(text, FILE, &no_env)
        .unwrap_err()
        .to_string();
    assert_eq!(shown.lines().count(), 7);
}

#[path = "tests_loader.rs"]
mod loader;
