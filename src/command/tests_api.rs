//! Command module tests beyond the table: the public API (`parse_all`, `added_since`,
//! `scope_of`, the help specs), error wording, and very large comments.

use super::*;
use crate::role::Role;

#[test]
fn parse_all_matches_extract_then_parse() {
    let body = "/label ~a\n@forgehand nope\n/estimate 1h\n```\n/close\n```\n/triage later";
    assert_eq!(
        parse_all(body, BOT),
        vec![
            label(&["a"]),
            unknown("nope"),
            Ok(Command::Triage(TriageArg::Later))
        ]
    );
}

#[test]
fn raw_commands_keep_name_args_line_and_spelling() {
    let got = extract("hi\n/REMOVE_LABEL  ~a ~b  \n@forgehand Close", BOT);
    let want = vec![
        RawCommand {
            name: "remove_label".into(),
            args: "~a ~b".into(),
            line: 2,
            spelling: Spelling::Slash,
        },
        RawCommand {
            name: "close".into(),
            args: String::new(),
            line: 3,
            spelling: Spelling::Mention,
        },
    ];
    assert_eq!(got, want);
}

#[test]
fn bot_name_is_the_callers() {
    assert_eq!(extract("@my-bot close", "My-Bot").len(), 1);
    assert!(extract("@forgehand close", "my-bot").is_empty());
    assert!(extract("@ close", "").is_empty());
    assert_eq!(extract("/close", "").len(), 1);
}

#[test]
fn errors_read_as_replies() {
    let reply = |body: &str| parse_all(body, BOT)[0].clone().unwrap_err().to_string();
    assert_eq!(
        reply("/label"),
        "`label` needs at least one label, e.g. `~bug` or `~\"flow::To Do\"`"
    );
    assert_eq!(
        reply("@forgehand frobnicate"),
        "unknown command `frobnicate`; `help` lists the commands"
    );
    assert_eq!(
        reply("/triage soon"),
        "`triage` does not know `soon`; use `urgent` or `later`"
    );
    assert_eq!(
        reply("/label ~\"flow::To Do"),
        "`label`: unterminated quote in `~\"flow::To Do`; close it with `\"`"
    );
    assert_eq!(
        reply("/close now"),
        "`close` takes no arguments, but got `now`"
    );
    assert_eq!(
        reply("/assign @a!"),
        "`assign`: `@a!` is not a valid username"
    );
    assert_eq!(reply("/deploy"), "`deploy` needs `production` or `staging`");
}

#[test]
fn scope_of_uses_the_last_double_colon() {
    let cases = [
        ("flow::To Do", Some("flow")),
        ("a::b::c", Some("a::b")),
        ("priority::1", Some("priority")),
        ("bug", None),
        ("a:b", None),
        ("::x", None),
        ("x::", None),
        ("", None),
        ("é::ü", Some("é")),
    ];
    for (label, want) in cases {
        assert_eq!(scope_of(label), want, "{label:?}");
    }
}

#[test]
fn every_command_has_a_spec_under_its_canonical_name() {
    let samples = parse_all(
        "/label a\n/unlabel\n/relabel a\n/milestone 1\n/remove_milestone\n/assign me\n\
         /reassign me\n/unassign\n/cc @a\n/close\n/reopen\n/triage later\n/help\n\
         /release schedule\n/deploy staging",
        BOT,
    );
    assert_eq!(samples.len(), COMMANDS.len());
    for (command, spec) in samples.iter().zip(COMMANDS) {
        let command = command.as_ref().unwrap();
        assert_eq!(command.name(), spec.name);
        assert_eq!(canonical_name(spec.name), Some(spec.name));
        for alias in spec.aliases {
            assert_eq!(canonical_name(alias), Some(spec.name));
        }
    }
}

#[test]
fn readers_may_ask_and_maintainers_may_change() {
    let by_role = |role| {
        COMMANDS
            .iter()
            .filter(|c| c.default_role == role)
            .map(|c| c.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(by_role(Role::Reader), ["cc", "help", "release"]);
    assert_eq!(
        by_role(Role::Maintainer).len() + 3,
        COMMANDS.len(),
        "no command needs an owner by default"
    );
}

#[test]
fn names_and_aliases_name_one_command_each() {
    let mut names: Vec<&str> = COMMANDS
        .iter()
        .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count);
}

#[test]
fn edited_comment_runs_only_new_commands() {
    let before = "/label ~a\n/close";
    let after = "Edited.\n/label ~a\n/label ~b\n/close\n/close";
    let new: Vec<_> = added_since(before, after, BOT)
        .into_iter()
        .map(|c| (c.name, c.args, c.line))
        .collect();
    assert_eq!(
        new,
        vec![
            ("label".into(), "~b".into(), 3),
            ("close".into(), String::new(), 5)
        ]
    );
}

#[test]
fn a_comment_of_100_000_lines() {
    const LINES: usize = 100_000;
    let mut body = String::new();
    let mut want = Vec::new();
    for i in 0..LINES / 10 {
        let base = i * 10;
        body.push_str("Some prose with `code` and *emphasis*.\n");
        body.push_str(&format!("/label ~\"n{i}\"\n"));
        body.push_str("```\n/close\n```\n");
        body.push_str("> quoted /close\n");
        body.push_str("<!-- /reopen -->\n");
        body.push_str("- /help in a list\n\n");
        body.push_str("@forgehand triage later\n");
        want.push((base + 2, label(&[&format!("n{i}")])));
        want.push((base + 10, Ok(Command::Triage(TriageArg::Later))));
    }
    assert_eq!(body.lines().count(), LINES);
    let got: Want = extract(&body, BOT)
        .iter()
        .map(|raw| (raw.line, parse(raw)))
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
}

#[test]
fn a_100_000_line_gitlab_quote_and_one_long_paragraph() {
    let mut body = String::from(">>>\n");
    body.push_str(&"/close\n".repeat(50_000));
    body.push_str(">>>\n");
    body.push_str(&"/reopen\n".repeat(50_000));
    let found = extract(&body, BOT);
    assert_eq!(found.len(), 50_000);
    assert_eq!(found[0].line, 50_003);
    assert!(found.iter().all(|c| c.name == "reopen"));
}

#[test]
fn odd_inputs_never_panic() {
    const FRAGMENTS: &[&str] = &[
        "```",
        "~~~",
        ">>>",
        "<!--",
        "-->",
        "`",
        "\r\n",
        "\n",
        "\n",
        "/label ~\"",
        "/close",
        "@forgehand ",
        "@forge",
        "é",
        "日",
        "> ",
        "    ",
        "- ",
        "1. ",
        "<div>",
        "</div>",
        "*",
        "[",
        "](",
        "\\",
        "&#47;",
        "%",
        "~",
        "\"",
        ",",
        " ",
        "\t",
        "/milestone %",
        "/assign @",
        "#",
        "---",
        "\r",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    for _ in 0..3_000 {
        let len = next() % 40;
        let body: String = (0..len)
            .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
            .collect();
        for raw in extract(&body, BOT) {
            assert!(
                raw.line >= 1 && raw.line <= body.split('\n').count(),
                "{body:?}"
            );
            let _ = parse(&raw).map_err(|e| e.to_string());
        }
    }
}
