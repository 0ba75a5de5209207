//! The publishing operations of the real octocrab and gitlab clients against the fake forge:
//! release objects by tag (GitHub drafts included), create and update, milestones on
//! GitLab; the failed jobs of a pipeline; an issue found by marker with its state, its body
//! rewritten and reopened; closing references read from merged changes — and the executor's
//! publishing intents, which a second run finds done.

mod support;

use forgehand::execute::{execute, Journal};
use forgehand::forge::{
    Forge, ForgeRelease, GithubAuth, GithubConfig, GithubForge, GitlabConfig, GitlabForge,
    IssueEdit, ReleaseFields, RetryPolicy,
};
use forgehand::model::{IssueRef, IssueState, RepoPath};
use forgehand::plan::{Intent, IssueSpec, Plan, ReleaseSpec, ReleasedInSpec, ResolveSpec, Target};
use forgehand::role::Role;
use forgehand::telemetry::Metrics;
use secrecy::SecretString;
use std::time::Duration;
use support::FakeForge;

const REPO: &str = "acme/app";

fn repo() -> RepoPath {
    RepoPath::parse(REPO).unwrap()
}

async fn clients(fake: &FakeForge) -> Vec<Box<dyn Forge>> {
    let retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(1),
    };
    let mut gh = GithubConfig::new(fake.url(), GithubAuth::Token(SecretString::from("t")));
    gh.write_interval = Duration::ZERO;
    gh.retry = retry;
    let mut gl = GitlabConfig::new(fake.url(), SecretString::from("t"));
    gl.write_interval = Duration::ZERO;
    gl.retry = retry;
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
    fake.add_milestone(REPO, "1.4");
    fake
}

fn fields<'a>(
    tag: &'a str,
    name: &'a str,
    draft: bool,
    milestones: &'a [String],
) -> ReleaseFields<'a> {
    ReleaseFields {
        tag,
        name,
        notes: "### Added\n- Dark mode.",
        draft,
        prerelease: false,
        milestones,
    }
}

#[tokio::test]
async fn releases_are_found_by_tag_created_and_updated() {
    let fake = seeded().await;
    let milestones = vec!["1.4".to_string()];
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let kind = forge.kind();
        let tag = format!("v1.{i}.0");
        assert!(
            forge.release_by_tag(&repo(), &tag).await.unwrap().is_none(),
            "{kind}"
        );
        let url = forge
            .create_release(&repo(), &fields(&tag, &tag, false, &milestones))
            .await
            .unwrap();
        assert!(url.unwrap().ends_with(&tag), "{kind}");
        let found: ForgeRelease = forge.release_by_tag(&repo(), &tag).await.unwrap().unwrap();
        assert_eq!(found.name, tag, "{kind}");
        assert_eq!(found.notes, "### Added\n- Dark mode.", "{kind}");
        assert!(!found.draft);
        assert!(
            found.author.as_deref().unwrap().contains("forgehand"),
            "{kind}"
        );
        // What was written reads back as written (GitHub links no milestones).
        let asked: &[String] = if i == 0 { &[] } else { &milestones };
        assert!(fields(&tag, &tag, false, asked).is_met_by(&found), "{kind}");
        let renamed = format!("Release {tag}");
        forge
            .update_release(&repo(), &found, &fields(&tag, &renamed, false, &[]))
            .await
            .unwrap();
        let found = forge.release_by_tag(&repo(), &tag).await.unwrap().unwrap();
        assert_eq!(found.name, renamed, "{kind}");
    }
    let releases = fake.releases(REPO);
    // GitHub links no milestones; GitLab keeps the one given at creation.
    assert!(releases[0].milestones.is_empty());
    assert_eq!(releases[1].milestones, ["1.4"]);
    fake.assert_all_routed();
}

#[tokio::test]
async fn github_finds_its_draft_and_publishes_it() {
    let fake = seeded().await;
    let forge = clients(&fake).await.remove(0);
    forge
        .create_release(&repo(), &fields("v2.0.0", "v2.0.0", true, &[]))
        .await
        .unwrap();
    // A draft has no tag lookup: it is found on the first page of the list.
    let draft = forge
        .release_by_tag(&repo(), "v2.0.0")
        .await
        .unwrap()
        .unwrap();
    assert!(draft.draft);
    forge
        .update_release(&repo(), &draft, &fields("v2.0.0", "v2.0.0", false, &[]))
        .await
        .unwrap();
    let published = forge
        .release_by_tag(&repo(), "v2.0.0")
        .await
        .unwrap()
        .unwrap();
    assert!(!published.draft);
    let actions: Vec<String> = fake
        .take_webhooks()
        .iter()
        .map(|h| h.payload["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["created", "published", "released"]);
    fake.assert_all_routed();
}

#[tokio::test]
async fn failed_jobs_of_a_pipeline() {
    let fake = seeded().await;
    fake.add_job(REPO, 40, "build", "success");
    fake.add_job(REPO, 40, "publish-npm", "failed");
    for forge in clients(&fake).await {
        let kind = forge.kind();
        let jobs = forge.failed_jobs(&repo(), 40).await.unwrap();
        assert_eq!(jobs.len(), 1, "{kind}: {jobs:?}");
        assert_eq!(jobs[0].name, "publish-npm");
        assert!(jobs[0].url.as_deref().unwrap().contains("job"), "{kind}");
        assert!(forge.failed_jobs(&repo(), 41).await.unwrap().is_empty());
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn an_issue_found_by_marker_is_rewritten_and_reopened() {
    let fake = seeded().await;
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let kind = forge.kind();
        let marker = format!("<!-- forgehand:publish-failed v{i}.0.0 -->");
        let number = forge
            .create_issue(&repo(), "Failed", &format!("{marker}\nfirst"), &[], &[])
            .await
            .unwrap();
        let item = IssueRef::parse(REPO, number, false).unwrap();
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
        assert!(!found.is_open(), "{kind}");
        let second = format!("{marker}\nsecond");
        forge
            .rewrite_issue(&repo(), number, &second, true)
            .await
            .unwrap();
        let found = forge
            .find_issue_with_marker(&repo(), &marker, None)
            .await
            .unwrap()
            .unwrap();
        assert!(found.is_open(), "{kind}");
        assert_eq!(found.body, second, "{kind}");
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn merged_changes_carry_the_issues_they_close() {
    let fake = seeded().await;
    fake.add_tag(REPO, "v1.0.0", &["a"]);
    fake.add_tag(REPO, "v1.1.0", &["a", "m7"]);
    fake.add_merged_closing(REPO, 7, "m7", &[2, 3]);
    for forge in clients(&fake).await {
        let changes = forge
            .merged_between(&repo(), "v1.0.0", "v1.1.0", "main")
            .await
            .unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].closes, [2, 3], "{}", forge.kind());
    }
    fake.assert_all_routed();
}

#[tokio::test]
async fn publishing_intents_are_not_repeated() {
    let fake = seeded().await;
    fake.add_merge_request(REPO, 7);
    for (i, forge) in clients(&fake).await.into_iter().enumerate() {
        let marker = format!("<!-- forgehand:publish-failed v{i}.0.0 -->");
        let released = format!("<!-- forgehand:released-in v{i}.0.0 -->");
        let spec = IssueSpec {
            repo: REPO.into(),
            title: format!("Release v{i}.0.0 failed to publish"),
            body: format!("{marker}\nfailed"),
            labels: vec!["release-blocker".into()],
            assignees: vec!["alice".into()],
            marker: marker.clone(),
            due_date: None,
            milestone: None,
        };
        let plan = Plan {
            intents: vec![
                Intent::UpsertRelease(ReleaseSpec {
                    repo: REPO.into(),
                    tag: format!("v{i}.0.0"),
                    name: format!("v{i}.0.0"),
                    notes: "- Dark mode.".into(),
                    draft: false,
                    prerelease: false,
                    milestones: vec![],
                }),
                Intent::ReleasedIn(ReleasedInSpec {
                    target: Target {
                        repo: REPO.into(),
                        number: 7,
                        is_merge_request: true,
                    },
                    body: format!("{released}\nReleased in v{i}.0.0."),
                    marker: released.clone(),
                    labels: vec!["released".into()],
                }),
                Intent::UpsertIssue(spec.clone()),
            ],
            notes: vec![],
        };
        // Each run is another delivery: what is not repeated is found on the forge, not in
        // the ledger.
        let store = forgehand::store::open("sqlite::memory:").await.unwrap();
        let journal = |delivery_id| Journal {
            store: store.as_ref(),
            forge: forge.kind(),
            delivery_id,
            fence: None,
            rerun: false,
        };
        execute(&plan, forge.as_ref(), &Metrics::default(), &journal("d1"))
            .await
            .unwrap();
        fake.clear_calls();
        let again = execute(&plan, forge.as_ref(), &Metrics::default(), &journal("d3"))
            .await
            .unwrap();
        assert!(fake.writes().is_empty(), "{:#?}", fake.writes());
        assert_eq!(again.len(), 3, "{again:#?}");

        let resolve = Plan {
            intents: vec![Intent::ResolveIssue(ResolveSpec {
                repo: REPO.into(),
                marker: marker.clone(),
                label: Some("release-blocker".into()),
                comment: format!("<!-- fixed {i} -->\nfixed"),
                comment_marker: format!("<!-- fixed {i} -->"),
            })],
            notes: vec![],
        };
        execute(
            &resolve,
            forge.as_ref(),
            &Metrics::default(),
            &journal("d4"),
        )
        .await
        .unwrap();
        fake.clear_calls();
        execute(
            &resolve,
            forge.as_ref(),
            &Metrics::default(),
            &journal("d5"),
        )
        .await
        .unwrap();
        assert!(fake.writes().is_empty(), "{:#?}", fake.writes());
        // A new failure reopens the same issue rather than filing another.
        let reopen = Plan {
            intents: vec![Intent::UpsertIssue(IssueSpec {
                body: format!("{marker}\nfailed again"),
                ..spec
            })],
            notes: vec![],
        };
        execute(&reopen, forge.as_ref(), &Metrics::default(), &journal("d6"))
            .await
            .unwrap();
    }
    assert_eq!(fake.releases(REPO).len(), 2);
    let failures: Vec<_> = fake
        .issues_with_bodies(REPO)
        .into_iter()
        .filter(|(i, _)| i.title.ends_with("failed to publish"))
        .collect();
    assert_eq!(failures.len(), 2, "{failures:#?}");
    for (issue, body) in failures {
        assert_eq!(issue.state, "open");
        assert!(body.ends_with("failed again"), "{body}");
        assert_eq!(fake.comments(REPO, issue.number).len(), 1);
    }
    let told = fake
        .comments(REPO, 7)
        .iter()
        .filter(|c| c.body.contains("released-in"))
        .count();
    assert_eq!(told, 2);
    assert_eq!(fake.issue(REPO, 7).labels, ["released"]);
    fake.assert_all_routed();
}
