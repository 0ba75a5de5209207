//! The executor against an in-memory forge that records calls (the HTTP fake the real
//! clients talk to is in `tests/support`).

use super::*;
use crate::forge::{ForgeRelease, MergeRequestFields, ReleaseFields, ReleaseForge};
use crate::model::{
    Change, FailedJob, FileAtRef, ForgeKind, IssueSnapshot, MarkedIssue, MergeRequestInfo,
    Milestone, PipelineInfo, RepoPath,
};
use crate::role::Role;
use async_trait::async_trait;
use std::sync::Mutex;

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<String>>,
    existing_marker: Option<String>,
    fail_comments: bool,
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
        _: &str,
        _: Option<&LabelName>,
    ) -> Result<Option<MarkedIssue>, ForgeError> {
        Err(unused("find_issue_with_marker"))
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
        _: &str,
        _: &[LabelName],
        _: &[Login],
    ) -> Result<u64, ForgeError> {
        Err(unused("create_issue"))
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
    async fn comment(&self, item: &IssueRef, _body: &str) -> Result<u64, ForgeError> {
        self.log(format!("comment {item}"));
        if self.fail_comments {
            return Err(ForgeError::Rejected {
                status: 422,
                message: "Validation Failed".into(),
            });
        }
        Ok(7)
    }
    async fn find_comment_with_marker(
        &self,
        item: &IssueRef,
        marker: &str,
    ) -> Result<Option<u64>, ForgeError> {
        self.log(format!("find {item} {marker}"));
        Ok((self.existing_marker.as_deref() == Some(marker)).then_some(3))
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
    async fn create_label(&self, _: &RepoPath, _: &LabelName, _: &str) -> Result<(), ForgeError> {
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
    execute(&edit_plan(target(), change), &forge, &Metrics::default())
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
    let done = execute(&plan, &forge, &Metrics::default()).await.unwrap();
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
    let err = execute(&plan, &forge, &Metrics::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Validation Failed"));
    assert_eq!(forge.calls(), ["react 5 eyes", "comment acme/app#1"]);
}

#[tokio::test]
async fn empty_edits_call_nothing() {
    let forge = Recorder::default();
    let plan = edit_plan(target(), IssueChange::default());
    let done = execute(&plan, &forge, &Metrics::default()).await.unwrap();
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
        let err = execute(&plan, &forge, &Metrics::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ForgeError::Invalid(_)), "{err:?}");
        assert!(!err.is_retryable());
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
