//! Configuration tests, continued: secrets, list sections read entry by entry, positions of
//! spanned values, and loading from a file.

use super::*;

#[test]
fn secrets_are_not_in_debug_output() {
    let env = env_of(&[
        ("GITHUB_WEBHOOK_SECRET", "hunter2-webhook"),
        ("GITHUB_TOKEN", "hunter2-token"),
        ("GITHUB_APP_ID", "1"),
        ("GITHUB_APP_PRIVATE_KEY", "hunter2-key"),
        ("GITLAB_WEBHOOK_TOKEN", "hunter2-gl-hook"),
        ("GITLAB_TOKEN", "hunter2-gl-token"),
        ("FORGEHAND_DATABASE_URL", "postgres://u:hunter2-db@h/db"),
    ]);
    let config = Config::from_str(SHIPPED, FILE, &env).unwrap();
    let debug = format!("{config:?} {config:#?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert_eq!(
        config.gitlab.token.as_ref().unwrap().expose_secret(),
        "hunter2-gl-token"
    );
}

#[test]
fn empty_secrets_mean_not_set() {
    let env = env_of(&[("SET", "s1"), ("EMPTY", "")]);
    let text = "\
github:
  webhook_secrets: [\"${SET}\", \"\", \"${EMPTY}\", \"${UNSET:-}\", old]
  token: \"${EMPTY}\"
gitlab:
  webhook_tokens: ${UNSET:-}
  token: ${UNSET:-}
";
    let config = Config::from_str(text, FILE, &env).unwrap();
    let secrets: Vec<&str> = config
        .github
        .webhook_secrets
        .iter()
        .map(|s| s.expose_secret())
        .collect();
    assert_eq!(secrets, ["s1", "old"]);
    assert!(config.github.token.is_none());
    assert!(config.gitlab.webhook_tokens.is_empty() && config.gitlab.token.is_none());
}

/// A stand-in for a list section another module adds (`rules:`), showing the extension
/// pattern: validated field types, per-entry reading, and `Validate` with relative paths.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TestRule {
    id: Ident,
    #[serde(default)]
    cron: Option<CronSchedule>,
    #[serde(rename = "if", default)]
    condition: TestCondition,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCondition {
    #[serde(default)]
    title: Option<Pattern>,
    #[serde(default)]
    author_role: Option<Role>,
    #[serde(default)]
    before: Option<Spanned<Date>>,
}

impl Validate for TestRule {
    fn validate(&self, report: &mut Report<'_>) {
        if self.id.as_str() == "reserved" {
            report.error("id", "`reserved` is a reserved id");
        }
        if let Some(before) = &self.condition.before {
            if before.0 < chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() {
                report.error_at(before, "date is before 2000");
            }
        }
        let _ = (
            &self.cron,
            &self.condition.title,
            &self.condition.author_role,
        );
    }
}

impl Validate for () {}

#[test]
fn list_entries_are_read_and_validated_one_by_one() {
    let text = "\
rules:
  - id: Bad_Id
  - id: ok
    if:
      title: '(unclosed'
  - id: reserved
  - id: fine
    cron: 0 25 * * *
  - id: x
    if:
      author_role: admin
      before: 1999-12-31
  - id: y
    if:
      before: 2025-02-30
      titel: z
  - id: TWO_errors
    cron: every day
";
    let mut doc = Document::parse(text, &no_env).unwrap();
    let rules = doc.list::<TestRule>("rules");
    assert!(rules.is_none());
    let issues = doc.finish(Some(())).unwrap_err();
    let got: Vec<String> = issues
        .into_iter()
        .map(|i| format!("{}: {}: {}", i.pos, i.path, i.message))
        .collect();
    assert_eq!(
        got,
        [
            "2:9: rules[0].id: invalid identifier `Bad_Id`: `B` is not allowed (lowercase \
             letters, digits and dashes only)",
            "5:14: rules[1].if.title: invalid regex: unclosed group",
            "6:9: rules[2].id: `reserved` is a reserved id",
            "8:11: rules[3].cron: invalid cron expression `0 25 * * *`: Hours must be less \
             than 23. ('25' specified.)",
            "11:20: rules[4].if.author_role: unknown variant `admin`, expected one of \
             `reader`, `maintainer`, `owner`",
            "15:15: rules[5].if.before: invalid date `2025-02-30`: input is out of range \
             (expected YYYY-MM-DD)",
            "16:7: rules[5].if: unknown field `titel`, expected one of `title`, \
             `author_role`, `before`",
            "17:9: rules[6].id: invalid identifier `TWO_errors`: `T` is not allowed \
             (lowercase letters, digits and dashes only)",
            "18:11: rules[6].cron: invalid cron expression `every day`: expected 5 fields \
             (minute hour day month weekday), found 2",
        ]
    );
}

#[test]
fn spanned_values_keep_their_position() {
    let text = "rules:\n  - id: old\n    if:\n      before: 1999-12-31\n";
    let mut doc = Document::parse(text, &no_env).unwrap();
    let rules = doc.list::<TestRule>("rules");
    let before = rules.as_ref().unwrap()[0].condition.before.clone().unwrap();
    assert_eq!(
        (before.pos, before.path.as_str()),
        (Pos::new(4, 15), "rules[0].if.before")
    );
    assert!(rules.is_some());
    let issues = doc.finish(Some(())).unwrap_err();
    assert_eq!(issues[0].message, "date is before 2000");
    assert_eq!(issues[0].pos, Pos::new(4, 15));
}

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = std::env::temp_dir().join(format!("forgehand-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.yml");
    std::fs::write(&path, "server:\n  wrokers: 2\n").unwrap();
    let errors = load_with_env(&path, &no_env).unwrap_err();
    assert!(errors.to_string().starts_with(&format!(
        "{}:2:3: server: unknown field `wrokers`",
        path.display()
    )));
    let missing = load_with_env(dir.join("absent.yml"), &no_env).unwrap_err();
    assert!(missing
        .to_string()
        .contains("absent.yml: cannot read configuration"));
    std::fs::remove_dir_all(&dir).unwrap();
}
