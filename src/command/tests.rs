//! Table-driven tests for the extractor and the grammar: each row is a comment body and the
//! commands (line, result) forgehand must find in it.

use super::*;

const BOT: &str = "forgehand";

type Want = Vec<(usize, Result<Command, CommandError>)>;

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
}

fn u(items: &[&str]) -> Vec<UserArg> {
    items
        .iter()
        .map(|i| match *i {
            "me" => UserArg::Me,
            login => UserArg::Login(login.to_string()),
        })
        .collect()
}

fn label(items: &[&str]) -> Result<Command, CommandError> {
    Ok(Command::Label(s(items)))
}

fn title(t: &str) -> Result<Command, CommandError> {
    Ok(Command::Milestone(MilestoneArg::Title(t.to_string())))
}

fn one(line: usize, r: Result<Command, CommandError>) -> Want {
    vec![(line, r)]
}

fn missing(command: &'static str, expected: &'static str) -> Result<Command, CommandError> {
    Err(CommandError::Missing { command, expected })
}

fn unexpected(
    command: &'static str,
    expected: &'static str,
    got: &str,
) -> Result<Command, CommandError> {
    Err(CommandError::Unexpected {
        command,
        expected,
        got: got.to_string(),
    })
}

fn invalid(command: &'static str, got: &str, valid: &'static str) -> Result<Command, CommandError> {
    Err(CommandError::Invalid {
        command,
        got: got.to_string(),
        valid,
    })
}

fn empty(command: &'static str, what: &'static str, text: &str) -> Result<Command, CommandError> {
    Err(CommandError::Empty {
        command,
        what,
        text: text.to_string(),
    })
}

fn bad_user(command: &'static str, got: &str) -> Result<Command, CommandError> {
    Err(CommandError::InvalidUser {
        command,
        got: got.to_string(),
    })
}

fn unknown(name: &str) -> Result<Command, CommandError> {
    Err(CommandError::Unknown {
        name: name.to_string(),
    })
}

const LABELS: &str = "at least one label, e.g. `~bug` or `~\"flow::To Do\"`";
const USERS: &str = "at least one user, e.g. `@alice` or `me`";
const NO_ARGS: &str = "takes no arguments";
const ONE_MILESTONE: &str = "takes one milestone (quote titles with spaces: `%\"Sprint 12\"`)";
const TRIAGE: &str = "`urgent` or `later`";
const DEPLOY: &str = "`production` or `staging`";

#[rustfmt::skip]
fn cases() -> Vec<(&'static str, Want)> {
    use Command::*;
    vec![
        // --- spellings, names, what is not a command ---
        ("/label ~bug", one(1, label(&["bug"]))),
        ("@forgehand label ~bug", one(1, label(&["bug"]))),
        ("@ForgeHand LABEL ~bug", one(1, label(&["bug"]))),
        ("@FORGEHAND label ~bug", one(1, label(&["bug"]))),
        ("/LaBeL ~Bug", one(1, label(&["Bug"]))),
        ("", vec![]),
        ("just some text", vec![]),
        ("   \n\n  ", vec![]),
        ("\n\n/close\n\n", one(3, Ok(Close))),
        ("Please /label ~bug", vec![]),
        ("/assign@joe", vec![]),
        ("/label,bug", vec![]),
        ("/label~bug", vec![]),
        ("/usr/bin/env is a path", vec![]),
        ("/ label ~a", vec![]),
        ("/1label ~a", vec![]),
        ("//label ~a", vec![]),
        ("/label\t~a", one(1, label(&["a"]))),
        ("@forgehand", vec![]),
        ("@forgehand thanks!", vec![]),
        ("@forgehandx label ~a", vec![]),
        ("@forgehand, label ~a", vec![]),
        ("@other label ~a", vec![]),
        ("@forgehand    label   ~a  ", one(1, label(&["a"]))),
        ("@forgehand\tlabel ~a", one(1, label(&["a"]))),
        ("Thanks @forgehand label ~a", vec![]),
        // --- unknown names: slash ignored (GitLab quick actions), mention an error ---
        ("/estimate 1h", vec![]),
        ("/estimate 1h\n/spend 30m\n/due tomorrow", vec![]),
        ("/spend 2h\n/label ~x", one(2, label(&["x"]))),
        ("/foo", vec![]),
        ("@forgehand estimate 1h", one(1, unknown("estimate"))),
        ("@forgehand FOO bar", one(1, unknown("foo"))),
        ("@forgehand Help", one(1, Ok(Help))),
        ("@forgehand help me", one(1, unexpected("help", NO_ARGS, "me"))),
        ("@forgehand deploy production", one(1, Ok(Deploy(DeployEnv::Production)))),
        ("@forgehand remove_label ~a", one(1, Ok(Unlabel(s(&["a"]))))),
        // --- many commands per comment ---
        ("/label ~a\n/assign @bob\n/milestone %1.4", vec![
            (1, label(&["a"])), (2, Ok(Assign(u(&["bob"])))), (3, title("1.4"))]),
        ("text\n/close\nmore text\n/reopen", vec![(2, Ok(Close)), (4, Ok(Reopen))]),
        ("/label ~a\n/label ~a", vec![(1, label(&["a"])), (2, label(&["a"]))]),
        ("/label\n/label ~a", vec![(1, missing("label", LABELS)), (2, label(&["a"]))]),
        ("/label ~a\n@forgehand close\n/estimate 2h\n/cc @x", vec![
            (1, label(&["a"])), (2, Ok(Close)), (4, Ok(Cc(s(&["x"]))))]),
        ("Some prose.\n\n/triage urgent\n\nMore prose.\n/assign me", vec![
            (3, Ok(Triage(TriageArg::Urgent))), (6, Ok(Assign(u(&["me"]))))]),
        // --- indentation and whitespace ---
        (" /label ~a", one(1, label(&["a"]))),
        ("   /label ~a", one(1, label(&["a"]))),
        ("    /label ~a", vec![]),
        ("text\n    /label ~a", vec![]),
        ("text\n  /label ~a", one(2, label(&["a"]))),
        ("\t/label ~a", vec![]),
        ("/label ~a   ", one(1, label(&["a"]))),
        ("/close   ", one(1, Ok(Close))),
        ("/close \t", one(1, Ok(Close))),
        ("text  \n/close", one(2, Ok(Close))),
        ("text\\\n/close", one(2, Ok(Close))),
        // --- list items: the line must start with the command ---
        ("- /label ~a", vec![]),
        ("* /label ~a", vec![]),
        ("1. /label ~a", vec![]),
        ("- [ ] /close", vec![]),
        ("- item\n/label ~a", one(2, label(&["a"]))),
        ("- item\n\n/label ~a", one(3, label(&["a"]))),
        ("- item\n  /label ~a", one(2, label(&["a"]))),
        ("- item\n\n  /label ~a", one(3, label(&["a"]))),
        ("- a\n  - b\n    /close", vec![]),
        // --- fenced and indented code ---
        ("```\n/label ~a\n```", vec![]),
        ("~~~\n/label ~a\n~~~", vec![]),
        ("```rust\n/close\n```\n/reopen", one(4, Ok(Reopen))),
        ("````\n```\n/close\n```\n````", vec![]),
        ("```\n/close", vec![]),
        ("  ```\n  /close\n  ```", vec![]),
        ("~~~\n/close\n~~~\n\n/label ~a\n```\n/label ~b\n```", one(5, label(&["a"]))),
        ("    /close\n\n/reopen", one(3, Ok(Reopen))),
        ("text\n```\n/close\n```", vec![]),
        ("- item\n\n      /close", vec![]),
        // --- inline code, also across lines ---
        ("`/label ~a`", vec![]),
        ("text `code\n/label ~a` more", vec![]),
        ("`` code\n/close ``", vec![]),
        ("text `x`\n/close", one(2, Ok(Close))),
        ("text ` unclosed\n/close", one(2, Ok(Close))),
        ("/label ~a `~b`", one(1, label(&["a", "`~b`"]))),
        // --- block quotes, lazy continuation, GitLab >>> ---
        ("> /label ~a", vec![]),
        (">/close", vec![]),
        ("> quoted\n/close", vec![]),
        ("> quoted\n\n/close", one(3, Ok(Close))),
        ("> > nested\n/close", vec![]),
        ("> quote\n> /close\nlazy\n\n/reopen", one(5, Ok(Reopen))),
        ("> - item\n/close", vec![]),
        (">>>\n/close\n>>>", vec![]),
        (">>>\nquoted\n/label ~a\n>>>\n/reopen", one(5, Ok(Reopen))),
        (">>>\n/close", one(2, Ok(Close))),
        ("```\n>>>\n```\n/close\n>>>", one(4, Ok(Close))),
        (">>>  \r\n/close\r\n>>>\r\n/reopen", one(4, Ok(Reopen))),
        (">>>\n/close\n>>>\n>>>\n/reopen\n>>>\n/help", one(7, Ok(Help))),
        ("/label ~a\n>>>\n/close\n\n/reopen\n>>>\n/help", vec![(1, label(&["a"])), (7, Ok(Help))]),
        (">>>\nüñí\n/close\n>>>", vec![]),
        // --- HTML blocks and comments ---
        ("<!-- /close -->", vec![]),
        ("<!--\n/close\n-->", vec![]),
        ("<!--\n/close\n-->\n/reopen", one(4, Ok(Reopen))),
        ("text <!--\n/close\n--> more", vec![]),
        ("<!-- c --> /close", vec![]),
        ("<div>\n/close\n</div>", vec![]),
        ("<pre>\n/close\n</pre>", vec![]),
        ("<details>\n<summary>x</summary>\n\n/close\n\n</details>", one(4, Ok(Close))),
        ("/close <!-- because -->", one(1, Ok(Close))),
        ("/label ~a <!-- ~b -->", one(1, label(&["a"]))),
        ("<span>x</span>\n/close", one(2, Ok(Close))),
        // --- other inline containers and escapes ---
        ("*emph\n/close*", vec![]),
        ("[link\n/close](http://example.com)", vec![]),
        ("**/close**", vec![]),
        ("\\/close", vec![]),
        ("&#47;close", vec![]),
        // --- headings ---
        ("# /close", vec![]),
        ("/close\n---", one(1, Ok(Close))),
        ("/close\n===", one(1, Ok(Close))),
        // --- CRLF ---
        ("/label ~a\r\n/close\r\n", vec![(1, label(&["a"])), (2, Ok(Close))]),
        ("```\r\n/close\r\n```\r\n/reopen", one(4, Ok(Reopen))),
        ("/milestone Sprint 12\r\n", one(1, title("Sprint 12"))),
        // --- label grammar ---
        ("/label ~bug ~\"with space\"", one(1, label(&["bug", "with space"]))),
        ("/label ~\"flow::To Do\"", one(1, label(&["flow::To Do"]))),
        ("/label ~v1.2.x", one(1, label(&["v1.2.x"]))),
        ("/label bug enhancement", one(1, label(&["bug", "enhancement"]))),
        ("/label bug, enhancement", one(1, label(&["bug", "enhancement"]))),
        ("/label bug,enhancement,,docs", one(1, label(&["bug", "enhancement", "docs"]))),
        ("/label \"foo bar\", baz", one(1, label(&["foo bar", "baz"]))),
        ("/label ~bug.", one(1, label(&["bug."]))),
        ("/label ~\"a, b\"", one(1, label(&["a, b"]))),
        ("/label ~\"x\" ~\"y\"", one(1, label(&["x", "y"]))),
        ("/label ~\"x\",~\"y\"", one(1, label(&["x", "y"]))),
        ("/label ~a ~a", one(1, label(&["a"]))),
        ("/label ~\"  padded  \"", one(1, label(&["padded"]))),
        ("/label ~scope::a::b", one(1, label(&["scope::a::b"]))),
        ("/label ~C++ ~c#", one(1, label(&["C++", "c#"]))),
        ("/label ~a~b", one(1, label(&["a~b"]))),
        ("/label ~\"unterminated", one(1, Err(CommandError::UnterminatedQuote {
            command: "label", text: "~\"unterminated".to_string() }))),
        ("/label ~a \"b", one(1, Err(CommandError::UnterminatedQuote {
            command: "label", text: "\"b".to_string() }))),
        ("/label ~\"a\"b ~c", one(1, Err(CommandError::AfterQuote {
            command: "label", text: "~\"a\"b".to_string() }))),
        ("/label", one(1, missing("label", LABELS))),
        ("/label   ,  ", one(1, missing("label", LABELS))),
        ("/label ~", one(1, empty("label", "label", "~"))),
        ("/label ~a ~\"\"", one(1, empty("label", "label", "~\"\""))),
        ("/label ~\"   \"", one(1, empty("label", "label", "~\"   \""))),
        ("/unlabel", one(1, Ok(Unlabel(vec![])))),
        ("/unlabel ~a ~\"b c\"", one(1, Ok(Unlabel(s(&["a", "b c"]))))),
        ("/remove_label ~a", one(1, Ok(Unlabel(s(&["a"]))))),
        ("/REMOVE_LABEL", one(1, Ok(Unlabel(vec![])))),
        ("/unlabel ~\"x", one(1, Err(CommandError::UnterminatedQuote {
            command: "unlabel", text: "~\"x".to_string() }))),
        ("/relabel ~a ~b", one(1, Ok(Relabel(s(&["a", "b"]))))),
        ("/relabel", one(1, missing("relabel", LABELS))),
        // --- unicode ---
        ("/label ~🐛 ~\"prioridad::alta\"", one(1, label(&["🐛", "prioridad::alta"]))),
        ("/label ~ñandú ~日本語", one(1, label(&["ñandú", "日本語"]))),
        ("/label ~a\u{3000}~b", one(1, label(&["a", "b"]))),
        ("héllo wörld ✓\n/label ~\"ünïcødé label\"", one(2, label(&["ünïcødé label"]))),
        ("日本語\n/close", one(2, Ok(Close))),
        ("@forgehandé label ~a", vec![]),
        // --- milestone ---
        ("/milestone %\"1.4\"", one(1, title("1.4"))),
        ("/milestone %current", one(1, Ok(Milestone(MilestoneArg::Current)))),
        ("/milestone %CURRENT", one(1, Ok(Milestone(MilestoneArg::Current)))),
        ("/milestone %next", one(1, Ok(Milestone(MilestoneArg::Next)))),
        ("/milestone %Next", one(1, Ok(Milestone(MilestoneArg::Next)))),
        ("/milestone next", one(1, Ok(Milestone(MilestoneArg::Next)))),
        ("/milestone current", one(1, Ok(Milestone(MilestoneArg::Current)))),
        ("/milestone %Backlog", one(1, title("Backlog"))),
        ("/milestone 1.4", one(1, title("1.4"))),
        ("/milestone %\"current\"", one(1, title("current"))),
        ("/milestone \"next\"", one(1, title("next"))),
        ("/milestone Sprint 12", one(1, title("Sprint 12"))),
        ("/milestone %\"Sprint 12\"", one(1, title("Sprint 12"))),
        ("/milestone \"1.4\"", one(1, title("1.4"))),
        ("/milestone %v1.4.0-rc.1", one(1, title("v1.4.0-rc.1"))),
        ("/milestone %1.4 %1.5", one(1, unexpected("milestone", ONE_MILESTONE, "%1.5"))),
        ("/milestone %Sprint 12", one(1, unexpected("milestone", ONE_MILESTONE, "12"))),
        ("/milestone", one(1, missing("milestone", "a milestone, e.g. `%\"1.4\"`, `%current` or `%next`"))),
        ("/milestone %", one(1, empty("milestone", "milestone", "%"))),
        ("/milestone %\"1.4", one(1, Err(CommandError::UnterminatedQuote {
            command: "milestone", text: "%\"1.4".to_string() }))),
        ("/remove_milestone", one(1, Ok(RemoveMilestone))),
        ("/Remove_Milestone", one(1, Ok(RemoveMilestone))),
        ("/remove_milestone %1.4", one(1, unexpected("remove_milestone", NO_ARGS, "%1.4"))),
        // --- assign / reassign / unassign ---
        ("/assign @alice", one(1, Ok(Assign(u(&["alice"]))))),
        ("/assign me", one(1, Ok(Assign(u(&["me"]))))),
        ("/assign @me", one(1, Ok(Assign(u(&["me"]))))),
        ("/assign ME", one(1, Ok(Assign(u(&["me"]))))),
        ("/assign @alice, @bob", one(1, Ok(Assign(u(&["alice", "bob"]))))),
        ("/assign @alice and @bob", one(1, Ok(Assign(u(&["alice", "bob"]))))),
        ("/assign alice bob", one(1, Ok(Assign(u(&["alice", "bob"]))))),
        ("/assign @alice,@bob,me", one(1, Ok(Assign(u(&["alice", "bob", "me"]))))),
        ("/assign @alice @alice", one(1, Ok(Assign(u(&["alice"]))))),
        ("/assign @Alice_B.c-d", one(1, Ok(Assign(u(&["Alice_B.c-d"]))))),
        ("/assign @and", one(1, Ok(Assign(u(&["and"]))))),
        ("/assign", one(1, missing("assign", USERS))),
        ("/assign and", one(1, missing("assign", USERS))),
        ("/assign @", one(1, bad_user("assign", "@"))),
        ("/assign @alice.", one(1, bad_user("assign", "@alice."))),
        ("/assign @al!ce", one(1, bad_user("assign", "@al!ce"))),
        ("/assign ñandú", one(1, bad_user("assign", "ñandú"))),
        ("/assign @-alice", one(1, bad_user("assign", "@-alice"))),
        ("/reassign @bob", one(1, Ok(Reassign(u(&["bob"]))))),
        ("/reassign", one(1, missing("reassign", USERS))),
        ("/unassign", one(1, Ok(Unassign(vec![])))),
        ("/unassign @bob me", one(1, Ok(Unassign(u(&["bob", "me"]))))),
        // --- cc ---
        ("/cc @bob", one(1, Ok(Cc(s(&["bob"]))))),
        ("/cc @bob, @carol and dave", one(1, Ok(Cc(s(&["bob", "carol", "dave"]))))),
        ("/cc", one(1, missing("cc", "at least one user, e.g. `@alice`"))),
        ("/cc me", one(1, unexpected("cc", "mentions other people by username", "me"))),
        ("/cc @bob!", one(1, bad_user("cc", "@bob!"))),
        // --- close, reopen, help ---
        ("/close", one(1, Ok(Close))),
        ("/CLOSE", one(1, Ok(Close))),
        ("/close #12", one(1, unexpected("close", NO_ARGS, "#12"))),
        ("/reopen", one(1, Ok(Reopen))),
        ("/help", one(1, Ok(Help))),
        // --- triage ---
        ("/triage urgent", one(1, Ok(Triage(TriageArg::Urgent)))),
        ("/triage LATER", one(1, Ok(Triage(TriageArg::Later)))),
        ("/triage", one(1, missing("triage", TRIAGE))),
        ("/triage soon", one(1, invalid("triage", "soon", TRIAGE))),
        ("/triage urgent later", one(1, invalid("triage", "urgent later", TRIAGE))),
        // --- release and deploy ---
        ("/release schedule", one(1, Ok(Release(ReleaseArg::Schedule)))),
        ("/release Schedule", one(1, Ok(Release(ReleaseArg::Schedule)))),
        ("/release", one(1, missing("release", "`schedule`"))),
        ("/release now", one(1, invalid("release", "now", "`schedule`"))),
        ("/deploy production", one(1, Ok(Deploy(DeployEnv::Production)))),
        ("/deploy Staging", one(1, Ok(Deploy(DeployEnv::Staging)))),
        ("/deploy", one(1, missing("deploy", DEPLOY))),
        ("/deploy qa", one(1, invalid("deploy", "qa", DEPLOY))),
    ]
}

#[test]
fn table() {
    let cases = cases();
    let mut failures = Vec::new();
    for (body, want) in &cases {
        let got: Want = extract(body, BOT)
            .iter()
            .map(|raw| (raw.line, parse(raw)))
            .collect();
        if &got != want {
            failures.push(format!("body {body:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(cases.len() >= 120, "only {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[path = "tests_api.rs"]
mod api;
