//! The release operations of the real octocrab and gitlab clients against the fake forge:
//! tags, files at refs, compares, branches, single-file commits (create, then update),
//! merge requests by branch, issues by marker and label, pipelines — and the executor's
//! find-before-create for the release intents.

mod support;

use forgehand::execute::{execute, Journal};
use forgehand::forge::{
    Forge, GithubAuth, GithubConfig, GithubForge, GitlabConfig, GitlabForge, IssueEdit,
    MergeRequestFields, RetryPolicy,
};
use forgehand::model::{IssueRef, IssueState, LabelName, Login, RepoPath};
use forgehand::plan::{FileCommit, Intent, IssueSpec, MergeRequestSpec, Plan};
use forgehand::role::Role;
use forgehand::telemetry::Metrics;
use secrecy::SecretString;
use std::time::Duration;
use support::FakeForge;

const REPO: &str = "acme/app";

fn repo() -> RepoPath {
    RepoPath::parse(REPO).unwrap()
}

fn label(name: &str) -> LabelName {
    LabelName::parse(name).unwrap()
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(1),
    }
}

async fn clients(fake: &FakeForge) -> Vec<Box<dyn Forge>> {
    let mut gh = GithubConfig::new(fake.url(), GithubAuth::Token(SecretString::from("t")));
    gh.write_interval = Duration::ZERO;
    gh.retry = retry();
    let mut gl = GitlabConfig::new(fake.url(), SecretString::from("t"));
    gl.write_interval = Duration::ZERO;
    gl.retry = retry();
    vec![
        Box::new(GithubForge::new(gh).unwrap()),
        Box::new(GitlabForge::connect(gl).await.unwrap()),
    ]
}

async fn seeded() -> FakeForge {
    let fake = FakeForge::start().await;
    fake.add_repo(REPO);
    fake.add_user("alice", Role::Maintainer);
    fake.add_branch(REPO, "main");
    fake.add_tag(REPO, "v1.0.0", &["a"]);
    fake.add_tag(REPO, "v1.1.0", &["a", "m7", "m8"]);
    fake.add_merged(REPO, 7, "Feature seven", &["feature"], "m7");
    fake.add_merged(REPO, 8, "Fix eight", &["bug"], "m8");
    fake.add_merged(REPO, 3, "Old one", &[], "a");
    fake.add_file(REPO, "v1.1.0", "docs/CHANGELOG.md", "# Changelog\n");
    fake
}

#[tokio::test]
async fn reads_tags_files_and_changes_between_tags() {
    let fake = seeded().await;
    for forge in clients(&fake).await {
        let kind = forge.kind();
        assert_eq!(
            forge.tags(&repo()).await.unwrap(),
            ["v1.1.0", "v1.0.0"],
            "{kind}"
        );
        let file = forge
            .file_at(&repo(), "docs/CHANGELOG.md", "v1.1.0")
            .await
            .unwrap();
        assert_eq!(file.unwrap().content, "# Changelog\n", "{kind}");
        assert!(forge
            .file_at(&repo(), "nope.md", "v1.1.0")
            .await
            .unwrap()
            .is_none());
        let changes = forge
            .merged_between(&repo(), "v1.0.0", "v1.1.0", "main")
            .await
            .unwrap();
        let titles: Vec<&str> = changes.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Feature seven", "Fix eight"], "{kind}");
        assert_eq!(changes[0].labels, ["feature"]);
        assert_eq!(changes[0].author, "dev");
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn branches_commits_merge_requests_and_issues() {
    let fake = seeded().await;
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let kind = forge.kind();
        let branch = format!("bump-{i}");
        assert!(!forge.branch_exists(&repo(), &branch).await.unwrap());
        forge.create_branch(&repo(), &branch, "main").await.unwrap();
        assert!(
            forge.branch_exists(&repo(), &branch).await.unwrap(),
            "{kind}"
        );

        forge
            .commit_file(&repo(), &branch, "VERSION", "1.0.0\n", "first")
            .await
            .unwrap();
        forge
            .commit_file(&repo(), &branch, "VERSION", "1.1.0\n", "second")
            .await
            .unwrap();
        let now = forge
            .file_at(&repo(), "VERSION", &branch)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.content, "1.1.0\n", "{kind}");

        let labels = vec!["release".to_string()];
        let assignees = vec!["alice".to_string()];
        let typed_labels = [label("release")];
        let typed_assignees = [Login::parse("alice").unwrap()];
        let fields = MergeRequestFields {
            title: "Bump",
            body: "<!-- m -->\nfirst",
            labels: &typed_labels,
            assignees: &typed_assignees,
            remove_source_branch: true,
        };
        let number = forge
            .create_merge_request(&repo(), &branch, "main", &fields)
            .await
            .unwrap();
        let updated = MergeRequestFields {
            body: "<!-- m -->\nsecond",
            ..fields
        };
        forge
            .update_merge_request(&repo(), number, &updated)
            .await
            .unwrap();
        let found = forge
            .merge_requests_between(&repo(), &branch, "main")
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{kind}");
        assert!(found[0].is_open());
        assert_eq!(found[0].body, "<!-- m -->\nsecond");
        let (_, mr) = fake
            .opened_merge_requests(REPO)
            .into_iter()
            .find(|(m, _)| m.number == number)
            .unwrap();
        assert_eq!(
            (mr.labels, mr.assignees),
            (labels.clone(), assignees.clone()),
            "{kind}"
        );

        let marker = format!("<!-- forgehand:test {i} -->");
        assert!(forge
            .find_issue_with_marker(&repo(), &marker, None)
            .await
            .unwrap()
            .is_none());
        let body = format!("{marker}\nhello");
        let issue = forge
            .create_issue(
                &repo(),
                "Blocker",
                &body,
                &[label("release-blocker")],
                &typed_assignees,
            )
            .await
            .unwrap();
        let found = forge
            .find_issue_with_marker(&repo(), &marker, Some(&label("release-blocker")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.number, issue, "{kind}");
        assert!(found.url.unwrap().ends_with(&format!("/issues/{issue}")));
        assert_eq!(
            (found.state, found.closed_at, found.labels, found.body),
            (
                IssueState::Open,
                None,
                vec!["release-blocker".to_string()],
                body.clone()
            ),
            "{kind}"
        );
        assert!(forge
            .open_issues_with_label(&repo(), &label("release-blocker"))
            .await
            .unwrap()
            .contains(&issue));

        // A later issue with the same marker is the one found; a closed one says when.
        let later = forge
            .create_issue(&repo(), "Again", &body, &[], &[])
            .await
            .unwrap();
        let item = IssueRef::parse(REPO, later, false).unwrap();
        let close = IssueEdit {
            state: Some(IssueState::Closed),
            ..IssueEdit::default()
        };
        forge.edit_issue(&item, &close).await.unwrap();
        let found = forge
            .find_issue_with_marker(&repo(), &marker, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.number, found.state),
            (later, IssueState::Closed),
            "{kind}"
        );
        let closed_at = found.closed_at.expect("a closed issue says when");
        assert!(
            (chrono::Utc::now() - closed_at).num_minutes().abs() < 5,
            "{kind}"
        );
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn latest_pipeline_of_a_tag() {
    let fake = seeded().await;
    fake.add_pipeline(REPO, "v1.1.0", 10, "failed", "Test");
    fake.add_pipeline(REPO, "v1.1.0", 11, "running", "Publish");
    for forge in clients(&fake).await {
        let kind = forge.kind();
        let p = forge
            .latest_pipeline(&repo(), "v1.1.0", "publish")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((p.id, p.status.as_str()), (11, "running"), "{kind}");
        assert!(p.url.unwrap().ends_with("/11"));
        assert!(forge
            .latest_pipeline(&repo(), "v9", "publish")
            .await
            .unwrap()
            .is_none());
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn release_intents_are_not_repeated() {
    let fake = seeded().await;
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let branch = format!("release-{i}");
        let marker = format!("<!-- forgehand:release-mr v{i}.0.0 -->");
        let plan = Plan {
            intents: vec![
                Intent::CreateBranch {
                    repo: REPO.into(),
                    name: branch.clone(),
                    from: "v1.1.0".into(),
                },
                Intent::CommitFile(FileCommit {
                    repo: REPO.into(),
                    branch: branch.clone(),
                    path: "VERSION".into(),
                    content: "2.0.0\n".into(),
                    message: "bump".into(),
                }),
                Intent::UpsertMergeRequest(MergeRequestSpec {
                    repo: REPO.into(),
                    source_branch: branch.clone(),
                    target_branch: "main".into(),
                    title: "Release".into(),
                    body: format!("{marker}\nbody"),
                    labels: vec!["release".into()],
                    assignees: vec!["alice".into()],
                    remove_source_branch: true,
                    marker: marker.clone(),
                }),
                Intent::FileIssue(IssueSpec {
                    repo: REPO.into(),
                    title: "Deploy".into(),
                    body: format!("{marker}\ndeploy"),
                    labels: vec!["deployment".into()],
                    assignees: vec![],
                    marker: marker.clone(),
                    due_date: None,
                    milestone: None,
                }),
            ],
            notes: vec![],
        };
        // Two deliveries asking for the same release: the second finds by branch and marker
        // what the first made (its ledger rows are another delivery's).
        let store = forgehand::store::open("sqlite::memory:").await.unwrap();
        let journal = |delivery_id| Journal {
            store: store.as_ref(),
            forge: forge.kind(),
            delivery_id,
            fence: None,
            rerun: false,
        };
        let first = execute(&plan, forge.as_ref(), &Metrics::default(), &journal("d1"))
            .await
            .unwrap();
        assert!(first.iter().all(|l| !l.contains("skipped")), "{first:#?}");
        fake.clear_calls();
        let again = execute(&plan, forge.as_ref(), &Metrics::default(), &journal("d2"))
            .await
            .unwrap();
        assert!(fake.writes().is_empty(), "{:#?}", fake.writes());
        assert_eq!(again.len(), 4, "{again:#?}");
    }
    let mrs = fake.opened_merge_requests(REPO);
    assert_eq!(mrs.len(), 2);
    let deploys = fake.issues_with_bodies(REPO);
    assert_eq!(deploys.len(), 2);
    fake.assert_all_routed();
}

/// Every create of the release answers 502 after it landed (branch, commit, MR, issue): the
/// clients send it once, the executor looks for it, finds it and does not send it again.
#[tokio::test]
async fn release_creates_that_landed_behind_a_502_are_found_not_repeated() {
    let fake = seeded().await;
    let creates: [[(&str, &str); 4]; 2] = [
        [
            ("POST", "/repos/acme/app/git/refs"),
            ("PUT", "/repos/acme/app/contents/"),
            ("POST", "/repos/acme/app/pulls"),
            ("POST", "/repos/acme/app/issues"),
        ],
        [
            ("POST", "/api/v4/projects/acme/app/repository/branches"),
            ("POST", "/api/v4/projects/acme/app/repository/files/"),
            ("POST", "/api/v4/projects/acme/app/merge_requests"),
            ("POST", "/api/v4/projects/acme/app/issues"),
        ],
    ];
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let branch = format!("landed-{i}");
        let marker = format!("<!-- forgehand:release-mr v{i}.9.0 -->");
        let plan = Plan {
            intents: vec![
                Intent::CreateBranch {
                    repo: REPO.into(),
                    name: branch.clone(),
                    from: "v1.1.0".into(),
                },
                Intent::CommitFile(FileCommit {
                    repo: REPO.into(),
                    branch: branch.clone(),
                    path: "VERSION".into(),
                    content: "2.0.0\n".into(),
                    message: "bump".into(),
                }),
                Intent::UpsertMergeRequest(MergeRequestSpec {
                    repo: REPO.into(),
                    source_branch: branch.clone(),
                    target_branch: "main".into(),
                    title: "Release".into(),
                    body: format!("{marker}\nbody"),
                    labels: vec!["release".into()],
                    assignees: vec!["alice".into()],
                    remove_source_branch: true,
                    marker: marker.clone(),
                }),
                Intent::FileIssue(IssueSpec {
                    repo: REPO.into(),
                    title: "Deploy".into(),
                    body: format!("{marker}\ndeploy"),
                    labels: vec!["deployment".into()],
                    assignees: vec![],
                    marker: marker.clone(),
                    due_date: None,
                    milestone: None,
                }),
            ],
            notes: vec![],
        };
        for (method, path) in creates[i] {
            fake.fail_next_after_write(method, path, 502, 1);
        }
        fake.clear_calls();
        let done = support::execute_as_new_delivery(&plan, forge.as_ref(), &Metrics::default())
            .await
            .unwrap();
        assert_eq!(done.len(), 4, "{done:#?}");
        let failed: Vec<_> = fake
            .writes()
            .into_iter()
            .filter(|c| c.status == 502)
            .collect();
        assert_eq!(failed.len(), 4, "{failed:#?}");
        for (method, path) in creates[i] {
            let sent = fake
                .writes()
                .into_iter()
                .filter(|c| c.method == method && c.path.starts_with(path))
                .count();
            assert_eq!(sent, 1, "{method} {path} was sent {sent} times");
        }
        let version = fake.file(REPO, &branch, "VERSION");
        assert_eq!(version.as_deref(), Some("2.0.0\n"));
    }
    let mrs: Vec<_> = fake
        .opened_merge_requests(REPO)
        .into_iter()
        .filter(|(mr, _)| mr.source.starts_with("landed-"))
        .collect();
    assert_eq!(mrs.len(), 2);
    let deploys: Vec<_> = fake
        .issues_with_bodies(REPO)
        .into_iter()
        .filter(|(_, body)| body.contains(".9.0 -->"))
        .collect();
    assert_eq!(deploys.len(), 2, "{deploys:#?}");
    fake.assert_all_routed();
}
