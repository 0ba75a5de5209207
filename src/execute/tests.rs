//! The executor against an in-memory forge that records calls (the HTTP fake the real
//! clients talk to is in `tests/support`).

use super::*;
use crate::forge::{ForgeError, ForgeRelease, MergeRequestFields, ReleaseFields, ReleaseForge};
use crate::model::{
    Change, FailedJob, FileAtRef, ForgeKind, IssueSnapshot, MarkedIssue, MergeRequestInfo,
    Milestone, PipelineInfo, RepoPath,
};
use crate::role::Role;
use crate::store::Store as _;
use async_trait::async_trait;
use std::sync::Mutex;

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<String>>,
    existing_marker: Option<String>,
    fail_comments: bool,
    /// Bodies of the comments posted.
    posted: Mutex<Vec<String>>,
    /// Comments that are posted and then answered with a 502 (the write landed).
    land_then_fail: std::sync::atomic::AtomicU32,
    /// Bodies of the issues filed.
    issues: Mutex<Vec<String>>,
}

impl Recorder {
    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

/// What the recorder answers to release operations, which these tests do not use.
fn unused(what: &str) -> ForgeError {
    ForgeError::Other(format!("{what} is not used by these tests"))
}

#[async_trait]
impl ReleaseForge for Recorder {
    async fn tags(&self, _: &RepoPath) -> Result<Vec<String>, ForgeError> {
        Err(unused("tags"))
    }
    async fn file_at(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
    ) -> Result<Option<FileAtRef>, ForgeError> {
        Err(unused("file_at"))
    }
    async fn merged_between(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Vec<Change>, ForgeError> {
        Err(unused("merged_between"))
    }
    async fn merge_requests_between(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
    ) -> Result<Vec<MergeRequestInfo>, ForgeError> {
        Err(unused("merge_requests_between"))
    }
    async fn create_merge_request(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
        _: &MergeRequestFields<'_>,
    ) -> Result<u64, ForgeError> {
        Err(unused("create_merge_request"))
    }
    async fn update_merge_request(
        &self,
        _: &RepoPath,
        _: u64,
        _: &MergeRequestFields<'_>,
    ) -> Result<(), ForgeError> {
        Err(unused("update_merge_request"))
    }
    async fn branch_exists(&self, _: &RepoPath, _: &str) -> Result<bool, ForgeError> {
        Err(unused("branch_exists"))
    }
    async fn create_branch(&self, _: &RepoPath, _: &str, _: &str) -> Result<(), ForgeError> {
        Err(unused("create_branch"))
    }
    async fn create_dated_issue(
        &self,
        repo: &RepoPath,
        title: &str,
        body: &str,
        labels: &[LabelName],
        assignees: &[Login],
        _: &crate::forge::IssueDates<'_>,
    ) -> Result<u64, ForgeError> {
        self.create_issue(repo, title, body, labels, assignees)
            .await
    }
    async fn branch_head(&self, _: &RepoPath, _: &str) -> Result<Option<String>, ForgeError> {
        Err(unused("branch_head"))
    }
    async fn contains(&self, _: &RepoPath, _: &str, _: &str) -> Result<bool, ForgeError> {
        Err(unused("contains"))
    }
    async fn move_branch(&self, _: &RepoPath, _: &str, _: &str) -> Result<(), ForgeError> {
        Err(unused("move_branch"))
    }
    async fn commit_comment_with_marker(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
    ) -> Result<bool, ForgeError> {
        Err(unused("commit_comment_with_marker"))
    }
    async fn comment_on_commit(&self, _: &RepoPath, _: &str, _: &str) -> Result<(), ForgeError> {
        Err(unused("comment_on_commit"))
    }
    async fn commit_file(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<(), ForgeError> {
        Err(unused("commit_file"))
    }
    async fn find_issue_with_marker(
        &self,
        _: &RepoPath,
        marker: &str,
        _: Option<&LabelName>,
    ) -> Result<Option<MarkedIssue>, ForgeError> {
        // The listing is read, then answered slowly, as a forge's is: two unguarded writers
        // would both find nothing.
        let found = {
            let issues = self.issues.lock().unwrap();
            let at = issues.iter().position(|b| b.contains(marker));
            at.map(|i| MarkedIssue {
                number: i as u64 + 1,
                url: None,
                state: IssueState::Open,
                closed_at: None,
                labels: vec![],
                body: issues[i].clone(),
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        Ok(found)
    }
    async fn issues_with_marker(
        &self,
        _: &RepoPath,
        _: &str,
        _: Option<&LabelName>,
    ) -> Result<Vec<MarkedIssue>, ForgeError> {
        Err(unused("issues_with_marker"))
    }
    async fn rewrite_issue(
        &self,
        _: &RepoPath,
        _: u64,
        _: &str,
        _: bool,
    ) -> Result<(), ForgeError> {
        Err(unused("rewrite_issue"))
    }
    async fn failed_jobs(&self, _: &RepoPath, _: u64) -> Result<Vec<FailedJob>, ForgeError> {
        Err(unused("failed_jobs"))
    }
    async fn release_by_tag(
        &self,
        _: &RepoPath,
        _: &str,
    ) -> Result<Option<ForgeRelease>, ForgeError> {
        Err(unused("release_by_tag"))
    }
    async fn create_release(
        &self,
        _: &RepoPath,
        _: &ReleaseFields<'_>,
    ) -> Result<Option<String>, ForgeError> {
        Err(unused("create_release"))
    }
    async fn update_release(
        &self,
        _: &RepoPath,
        _: &ForgeRelease,
        _: &ReleaseFields<'_>,
    ) -> Result<(), ForgeError> {
        Err(unused("update_release"))
    }
    async fn create_issue(
        &self,
        _: &RepoPath,
        _: &str,
        body: &str,
        _: &[LabelName],
        _: &[Login],
    ) -> Result<u64, ForgeError> {
        let mut issues = self.issues.lock().unwrap();
        issues.push(body.to_string());
        Ok(issues.len() as u64)
    }
    async fn open_issues_with_label(
        &self,
        _: &RepoPath,
        _: &LabelName,
    ) -> Result<Vec<u64>, ForgeError> {
        Err(unused("open_issues_with_label"))
    }
    async fn latest_pipeline(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
    ) -> Result<Option<PipelineInfo>, ForgeError> {
        Err(unused("latest_pipeline"))
    }
}

#[async_trait]
impl Forge for Recorder {
    fn kind(&self) -> ForgeKind {
        ForgeKind::Github
    }
    async fn edit_comment(
        &self,
        item: &IssueRef,
        _comment_id: u64,
        _body: &str,
    ) -> Result<(), ForgeError> {
        self.log(format!("edit comment {item}"));
        Ok(())
    }
    async fn set_commit_status(
        &self,
        _repo: &RepoPath,
        _sha: &str,
        _context: &str,
        _success: bool,
        _description: &str,
    ) -> Result<(), ForgeError> {
        Err(unused("set_commit_status"))
    }
    async fn issue(&self, item: &IssueRef) -> Result<IssueSnapshot, ForgeError> {
        self.log(format!("issue {item}"));
        Ok(IssueSnapshot {
            labels: vec!["bug".into(), "flow::Triage".into()],
            milestone: None,
            assignees: vec![],
            state: IssueState::Open,
        })
    }
    async fn edit_issue(&self, item: &IssueRef, edit: &IssueEdit) -> Result<(), ForgeError> {
        let removed: Vec<&str> = edit.remove_labels.iter().map(LabelName::as_str).collect();
        self.log(format!("edit {item} remove={removed:?}"));
        Ok(())
    }
    async fn comment(&self, item: &IssueRef, body: &str) -> Result<u64, ForgeError> {
        self.log(format!("comment {item}"));
        if self.fail_comments {
            return Err(ForgeError::Rejected {
                status: 422,
                message: "Validation Failed".into(),
            });
        }
        self.posted.lock().unwrap().push(body.to_string());
        let failing = &self.land_then_fail;
        if failing.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            failing.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            return Err(ForgeError::Transient("502: bad gateway".into()));
        }
        Ok(7)
    }
    async fn find_comment_with_marker(
        &self,
        item: &IssueRef,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        self.log(format!("find {item} {marker}"));
        let posted = self
            .posted
            .lock()
            .unwrap()
            .iter()
            .any(|b| b.contains(marker));
        Ok((posted || self.existing_marker.as_deref() == Some(marker)).then_some(3))
    }
    async fn react(&self, _: &IssueRef, id: u64, reaction: &str) -> Result<(), ForgeError> {
        self.log(format!("react {id} {reaction}"));
        Ok(())
    }
    async fn labels(&self, _: &RepoPath) -> Result<Vec<String>, ForgeError> {
        Ok(vec![])
    }
    async fn milestones(&self, _: &RepoPath) -> Result<Vec<Milestone>, ForgeError> {
        Ok(vec![])
    }
    async fn user_exists(&self, _: &Login) -> Result<bool, ForgeError> {
        Ok(true)
    }
    async fn role_of(&self, _: &RepoPath, _: &Login) -> Result<Option<Role>, ForgeError> {
        Ok(None)
    }
    async fn learn_own_login(&self) -> Result<String, ForgeError> {
        Err(unused("learn_own_login"))
    }
    fn own_login(&self) -> Option<String> {
        None
    }
    async fn install_hook(
        &self,
        _: &RepoPath,
        _: &str,
        _: &str,
    ) -> Result<crate::forge::HookInstall, ForgeError> {
        Err(unused("install_hook"))
    }
    async fn label_styles(
        &self,
        _: &RepoPath,
    ) -> Result<Vec<crate::forge::LabelStyle>, ForgeError> {
        Err(unused("label_styles"))
    }
    async fn update_label(
        &self,
        _: &RepoPath,
        _: &LabelName,
        _: &str,
        _: &str,
    ) -> Result<(), ForgeError> {
        Err(unused("update_label"))
    }
    async fn create_label(
        &self,
        _: &RepoPath,
        _: &LabelName,
        _: &str,
        _: &str,
    ) -> Result<(), ForgeError> {
        Err(unused("create_label"))
    }
}

fn target() -> Target {
    Target {
        repo: "acme/app".into(),
        number: 1,
        is_merge_request: false,
    }
}

fn comment(marker: Option<&str>) -> Intent {
    Intent::Comment {
        target: target(),
        body: "hello".into(),
        marker: marker.map(String::from),
    }
}

/// Execute `plan` for delivery `d1` with a fresh ledger.
async fn run_plan(plan: &Plan, forge: &Recorder) -> Result<Vec<String>, ExecError> {
    let store = crate::store::sqlite::open(":memory:").unwrap();
    execute(plan, forge, &Metrics::default(), &journal(&store, false)).await
}

fn journal(store: &dyn crate::store::Store, rerun: bool) -> Journal<'_> {
    Journal {
        store,
        forge: ForgeKind::Github,
        delivery_id: "d1",
        fence: None,
        rerun,
    }
}

fn edit_plan(target: Target, change: IssueChange) -> Plan {
    Plan {
        intents: vec![Intent::EditIssue { target, change }],
        notes: vec![],
    }
}

/// Removals are one edit: the executor reads nothing first, whatever the forge (an adapter
/// that needs the current labels, GitHub's, reads them itself; `tests/forge_clients.rs`
/// counts its calls).
#[tokio::test]
async fn removals_are_one_edit_without_a_read() {
    let forge = Recorder::default();
    let change = IssueChange {
        remove_labels: vec!["flow::Triage".into()],
        ..IssueChange::default()
    };
    run_plan(&edit_plan(target(), change), &forge)
        .await
        .unwrap();
    assert_eq!(
        forge.calls(),
        [r#"edit acme/app#1 remove=["flow::Triage"]"#]
    );
}

#[tokio::test]
async fn marker_comment_is_skipped_when_present() {
    let forge = Recorder {
        existing_marker: Some("<!-- m -->".into()),
        ..Recorder::default()
    };
    let plan = Plan {
        intents: vec![comment(Some("<!-- m -->")), comment(Some("<!-- other -->"))],
        notes: vec![],
    };
    let done = run_plan(&plan, &forge).await.unwrap();
    assert!(done[0].contains("skipped"), "{done:?}");
    assert_eq!(
        forge.calls(),
        [
            "find acme/app#1 <!-- m -->",
            "find acme/app#1 <!-- other -->",
            "comment acme/app#1"
        ]
    );
}

#[tokio::test]
async fn a_failure_stops_the_plan() {
    let forge = Recorder {
        fail_comments: true,
        ..Recorder::default()
    };
    let react = Intent::React {
        target: target(),
        comment_id: 5,
        reaction: "eyes".into(),
    };
    let plan = Plan {
        intents: vec![react.clone(), comment(None), react],
        notes: vec![],
    };
    let err = run_plan(&plan, &forge).await.unwrap_err();
    assert!(err.to_string().contains("Validation Failed"));
    assert_eq!(forge.calls(), ["react 5 eyes", "comment acme/app#1"]);
}

#[tokio::test]
async fn empty_edits_call_nothing() {
    let forge = Recorder::default();
    let plan = edit_plan(target(), IssueChange::default());
    let done = run_plan(&plan, &forge).await.unwrap();
    assert_eq!(done, ["nothing to change on acme/app#1"]);
    assert!(forge.calls().is_empty());
}

/// A repository path, label or login that does not parse fails its intent before any call,
/// with an error that is not retried.
#[tokio::test]
async fn names_that_do_not_parse_fail_without_calls() {
    let hostile = Target {
        repo: "acme/../../admin".into(),
        ..target()
    };
    let label = IssueChange {
        add_labels: vec!["bug\u{0}".into()],
        ..IssueChange::default()
    };
    let login = IssueChange {
        set_assignees: Some(vec!["../x".into()]),
        ..IssueChange::default()
    };
    let plans = [
        edit_plan(hostile.clone(), label.clone()),
        edit_plan(target(), label),
        edit_plan(target(), login),
        Plan {
            intents: vec![Intent::Comment {
                target: hostile,
                body: "x".into(),
                marker: None,
            }],
            notes: vec![],
        },
    ];
    for plan in plans {
        let forge = Recorder::default();
        let err = run_plan(&plan, &forge).await.unwrap_err();
        assert!(
            matches!(err, ExecError::Forge(ForgeError::Invalid(_))),
            "{err:?}"
        );
        assert!(forge.calls().is_empty(), "{:?}", forge.calls());
    }
}

#[test]
fn changes_become_typed_edits() {
    let change = IssueChange {
        add_labels: vec!["flow::To Do".into()],
        remove_labels: vec!["flow::Triage".into()],
        milestone: Some(None),
        add_assignees: vec!["alice".into()],
        remove_assignees: vec!["bob".into()],
        set_assignees: Some(vec!["carol".into()]),
        state: Some(StateChange::Reopen),
    };
    let edit = issue_edit(&change).unwrap();
    assert_eq!(edit.add_labels[0].as_str(), "flow::To Do");
    assert_eq!(edit.remove_labels[0].as_str(), "flow::Triage");
    assert_eq!(edit.milestone, Some(None));
    assert_eq!(edit.state, Some(IssueState::Open));
    assert_eq!(
        edit.resulting_assignees(&["bob".into()]),
        change.resulting_assignees(&["bob".into()])
    );
    let close = IssueChange {
        state: Some(StateChange::Close),
        ..IssueChange::default()
    };
    assert_eq!(issue_edit(&close).unwrap().state, Some(IssueState::Closed));
}

fn label_and_reply() -> Plan {
    let change = IssueChange {
        add_labels: vec!["bug".into()],
        ..IssueChange::default()
    };
    Plan {
        intents: vec![
            Intent::EditIssue {
                target: target(),
                change,
            },
            comment(None),
        ],
        notes: vec![],
    }
}

/// Every comment carries a hidden marker of its delivery; a job run again skips what the
/// ledger says is done, and the ledger is queryable by delivery.
#[tokio::test]
async fn a_job_run_again_skips_what_the_ledger_says_is_done() {
    let store = crate::store::sqlite::open(":memory:").unwrap();
    let forge = Recorder::default();
    let plan = label_and_reply();
    execute(&plan, &forge, &Metrics::default(), &journal(&store, false))
        .await
        .unwrap();
    let posted = forge.posted.lock().unwrap().clone();
    assert_eq!(posted.len(), 1);
    let marker = journal(&store, false).comment_marker("acme/app#1", 1);
    assert!(posted[0].starts_with("hello\n\n<!-- forgehand:intent "));
    assert!(posted[0].ends_with(&marker), "{}", posted[0]);
    let calls = forge.calls().len();
    let again = execute(&plan, &forge, &Metrics::default(), &journal(&store, true))
        .await
        .unwrap();
    assert_eq!(forge.calls().len(), calls, "{:?}", forge.calls());
    assert!(again.iter().all(|l| l.contains("ledger")), "{again:?}");
    let rows = store
        .actions(crate::store::ActionQuery {
            delivery: Some((ForgeKind::Github, "d1".into())),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r.intent.as_str(), r.state, r.object_id.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("edit_issue", crate::store::ActionState::Done, None),
            ("comment", crate::store::ActionState::Done, Some("7")),
        ]
    );
    assert!(rows.iter().all(|r| r.repo == "acme/app"));
}

/// A comment whose post landed but was answered with a 502 is looked for before it is sent
/// again: one comment, not two.
#[tokio::test]
async fn a_create_that_may_have_landed_is_looked_for_before_it_is_sent_again() {
    let forge = Recorder {
        land_then_fail: 1.into(),
        ..Recorder::default()
    };
    let plan = Plan {
        intents: vec![comment(None)],
        notes: vec![],
    };
    let done = run_plan(&plan, &forge).await.unwrap();
    assert_eq!(forge.posted.lock().unwrap().len(), 1);
    assert!(done[0].contains("already carries"), "{done:?}");
    let calls = forge.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[1].starts_with("find acme/app#1 <!-- forgehand:intent "));
}

/// A re-run whose ledger has no row (the first try died before recording) looks for the
/// comment's marker first and finds the comment that try posted.
#[tokio::test]
async fn a_rerun_without_a_ledger_row_finds_the_comment_by_its_marker() {
    let store = crate::store::sqlite::open(":memory:").unwrap();
    let marker = journal(&store, true).comment_marker("acme/app#1", 1);
    let forge = Recorder {
        existing_marker: Some(marker),
        ..Recorder::default()
    };
    let plan = Plan {
        intents: vec![comment(None)],
        notes: vec![],
    };
    let done = execute(&plan, &forge, &Metrics::default(), &journal(&store, true))
        .await
        .unwrap();
    assert!(done[0].contains("skipped"), "{done:?}");
    assert!(forge.posted.lock().unwrap().is_empty());
}

/// A job whose lease passed to another worker writes nothing more.
#[tokio::test]
async fn a_job_whose_lease_was_lost_stops_writing() {
    use crate::store::{NewDelivery, Store};
    let store = crate::store::sqlite::open(":memory:").unwrap();
    store
        .insert(NewDelivery {
            forge: ForgeKind::Github,
            delivery_id: "d1".into(),
            event: "issue_comment".into(),
            body: b"{}".to_vec(),
            received_at: 1,
        })
        .await
        .unwrap();
    let lease = std::time::Duration::from_secs(1);
    let first = store.claim(1_000, lease, 1).await.unwrap().remove(0);
    // The lease ran out and another worker claimed the job (attempt 2).
    let second = store.claim(10_000, lease, 1).await.unwrap().remove(0);
    assert_eq!(second.attempt, 2);
    let forge = Recorder::default();
    let stale = Journal {
        fence: Some(Fence {
            job_id: first.id,
            attempt: first.attempt,
            lease,
        }),
        ..journal(&store, false)
    };
    let err = execute(&label_and_reply(), &forge, &Metrics::default(), &stale)
        .await
        .unwrap_err();
    assert!(matches!(err, ExecError::Fenced { attempt: 1 }), "{err:?}");
    assert!(forge.calls().is_empty(), "{:?}", forge.calls());
    let current = Journal {
        fence: Some(Fence {
            job_id: second.id,
            attempt: second.attempt,
            lease,
        }),
        ..journal(&store, true)
    };
    execute(&label_and_reply(), &forge, &Metrics::default(), &current)
        .await
        .unwrap();
    assert_eq!(forge.posted.lock().unwrap().len(), 1);
}

/// Two deliveries of one event (GitHub sends a new tag as `create` and `push`) handled at
/// once — by two workers or two replicas sharing the store — file the issue once: the
/// store-held lock makes the second wait and then find the first's issue.
#[tokio::test]
async fn two_deliveries_at_once_file_one_issue_under_the_store_lock() {
    let store = crate::store::sqlite::open(":memory:").unwrap();
    let forge = Recorder::default();
    let marker = "<!-- forgehand:deploy-request v1.4.0 -->";
    let plan = Plan {
        intents: vec![Intent::FileIssue(crate::plan::IssueSpec {
            repo: "acme/app".into(),
            title: "Deploy v1.4.0".into(),
            body: format!("{marker}\nPlease deploy."),
            labels: vec![],
            assignees: vec![],
            marker: marker.into(),
            due_date: None,
            milestone: None,
        })],
        notes: vec![],
    };
    let metrics = Metrics::default();
    let (create, push) = (
        Journal {
            delivery_id: "create-event",
            ..journal(&store, false)
        },
        Journal {
            delivery_id: "push-event",
            ..journal(&store, false)
        },
    );
    let (a, b) = tokio::join!(
        execute(&plan, &forge, &metrics, &create),
        execute(&plan, &forge, &metrics, &push),
    );
    let lines = [a.unwrap().remove(0), b.unwrap().remove(0)];
    assert_eq!(forge.issues.lock().unwrap().len(), 1, "{lines:?}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("already carries"))
            .count(),
        1,
        "{lines:?}"
    );
}
