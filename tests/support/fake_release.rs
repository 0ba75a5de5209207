//! Release routes of the fake forge, for both GitHub and GitLab: tags with their commit
//! history (for compares), files at refs, branches, merged and open merge requests with
//! bodies, issue bodies, issue creation and listing, and pipelines of refs. Routes answer
//! `None` when the call is not theirs, so the general GitHub / GitLab routes take it.

use super::fake_forge::FakeForge;
use super::fake_state::{FakeIssue, State};
use base64::Engine as _;
use std::collections::BTreeMap;

/// A merge / pull request the fake knows the branches and body of.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeMr {
    pub number: u64,
    pub source: String,
    pub target: String,
    pub body: String,
    /// `open`, `closed` or `merged`.
    pub state: String,
    pub merge_sha: Option<String>,
}

/// A pipeline of a ref.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePipeline {
    pub id: u64,
    /// GitLab status word (`running`, `success`, …); GitHub routes translate it.
    pub status: String,
    /// Workflow name (GitHub).
    pub name: String,
}

/// Release data of every repository.
#[derive(Debug, Default)]
pub struct ReleaseState {
    /// repo → tag → commit shas reachable from it (oldest first).
    pub tags: BTreeMap<String, Vec<(String, Vec<String>)>>,
    /// (repo, ref, path) → content.
    pub files: BTreeMap<(String, String, String), String>,
    /// repo → branch names.
    pub branches: BTreeMap<String, Vec<String>>,
    /// (repo, branch) → commit shas reachable from it (oldest first), where a test says.
    pub branch_history: BTreeMap<(String, String), Vec<String>>,
    /// (repo, number) → merge request details.
    pub mrs: BTreeMap<(String, u64), FakeMr>,
    /// (repo, number) → issue / merge request body.
    pub bodies: BTreeMap<(String, u64), String>,
    /// (repo, ref) → pipelines, newest first.
    pub pipelines: BTreeMap<(String, String), Vec<FakePipeline>>,
    /// (repo, commit sha) → comments on that commit, oldest first.
    pub commit_comments: BTreeMap<(String, String), Vec<String>>,
    /// Commits made through the contents / files API, for fresh shas.
    pub commits_made: u64,
}

impl FakeForge {
    /// A tag whose history holds `shas` (merge commits of the merged requests before it).
    pub fn add_tag(&self, repo: &str, tag: &str, shas: &[&str]) {
        let mut state = self.lock();
        let shas = shas.iter().map(|s| s.to_string()).collect();
        let tags = state.release.tags.entry(repo.into()).or_default();
        tags.insert(0, (tag.to_string(), shas));
    }

    pub fn add_branch(&self, repo: &str, name: &str) {
        let mut state = self.lock();
        state
            .release
            .branches
            .entry(repo.into())
            .or_default()
            .push(name.into());
    }

    /// A branch whose history holds `shas` (merge commits of the requests merged into it).
    pub fn add_branch_history(&self, repo: &str, name: &str, shas: &[&str]) {
        self.add_branch(repo, name);
        let shas = shas.iter().map(|s| s.to_string()).collect();
        self.lock()
            .release
            .branch_history
            .insert((repo.into(), name.into()), shas);
    }

    /// An open issue with a body and labels; returns its number.
    pub fn add_issue_with_body(&self, repo: &str, title: &str, body: &str, labels: &[&str]) -> u64 {
        let mut state = self.lock();
        for label in labels {
            state.ensure_label(repo, label);
        }
        let number = new_item(&mut state, repo, title, body, false);
        let issue = state
            .repos
            .get_mut(repo)
            .unwrap()
            .issues
            .get_mut(&number)
            .unwrap();
        issue.labels = labels.iter().map(|l| l.to_string()).collect();
        number
    }

    pub fn add_file(&self, repo: &str, git_ref: &str, path: &str, content: &str) {
        let key = (repo.to_string(), git_ref.to_string(), path.to_string());
        self.lock().release.files.insert(key, content.to_string());
    }

    pub fn file(&self, repo: &str, git_ref: &str, path: &str) -> Option<String> {
        let key = (repo.to_string(), git_ref.to_string(), path.to_string());
        self.lock().release.files.get(&key).cloned()
    }

    /// A merge request merged into `main` by merge commit `sha`.
    pub fn add_merged(&self, repo: &str, number: u64, title: &str, labels: &[&str], sha: &str) {
        let mut state = self.lock();
        for label in labels {
            state.ensure_label(repo, label);
        }
        let issue = FakeIssue {
            number,
            title: title.into(),
            is_merge_request: true,
            state: "closed".into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            milestone: None,
            assignees: vec![],
            author: "dev".into(),
            closed_at: None,
        };
        state
            .repos
            .get_mut(repo)
            .expect("add_repo first")
            .issues
            .insert(number, issue);
        let mr = FakeMr {
            number,
            source: format!("feature-{number}"),
            target: "main".into(),
            body: String::new(),
            state: "merged".into(),
            merge_sha: Some(sha.into()),
        };
        state.release.mrs.insert((repo.into(), number), mr);
    }

    /// A pipeline of `git_ref` (newest first).
    pub fn add_pipeline(&self, repo: &str, git_ref: &str, id: u64, status: &str, name: &str) {
        let pipeline = FakePipeline {
            id,
            status: status.into(),
            name: name.into(),
        };
        let mut state = self.lock();
        let list = state
            .release
            .pipelines
            .entry((repo.into(), git_ref.into()))
            .or_default();
        list.insert(0, pipeline);
    }

    /// The commit sha branch `name` points at (`None`: no such branch).
    pub fn branch_head(&self, repo: &str, name: &str) -> Option<String> {
        let state = self.lock();
        let exists = state
            .release
            .branches
            .get(repo)
            .is_some_and(|b| b.iter().any(|n| n == name));
        exists.then(|| head(&state, repo, name))
    }

    /// The commit sha a tag points at.
    pub fn tag_head(&self, repo: &str, tag: &str) -> String {
        head(&self.lock(), repo, tag)
    }

    /// Comments on the commit `git_ref` names (a tag, branch or sha), oldest first.
    pub fn commit_comments(&self, repo: &str, git_ref: &str) -> Vec<String> {
        let state = self.lock();
        let sha = head(&state, repo, git_ref);
        state
            .release
            .commit_comments
            .get(&(repo.to_string(), sha))
            .cloned()
            .unwrap_or_default()
    }

    /// An open merge request from `source` into `target` with `body` (made by hand, or by an
    /// earlier release); returns its number.
    pub fn add_open_merge_request(
        &self,
        repo: &str,
        source: &str,
        target: &str,
        body: &str,
    ) -> u64 {
        let mut state = self.lock();
        let number = new_item(&mut state, repo, "Release (earlier)", body, true);
        let mr = FakeMr {
            number,
            source: source.into(),
            target: target.into(),
            body: body.into(),
            state: "open".into(),
            merge_sha: None,
        };
        state.release.mrs.insert((repo.into(), number), mr);
        number
    }

    /// Merge requests forgehand opened (not the seeded merged ones), by number.
    pub fn opened_merge_requests(&self, repo: &str) -> Vec<(FakeMr, FakeIssue)> {
        let state = self.lock();
        let r = &state.repos[repo];
        state
            .release
            .mrs
            .iter()
            .filter(|((rp, _), mr)| rp == repo && mr.state != "merged")
            .map(|((_, n), mr)| (mr.clone(), r.issues[n].clone()))
            .collect()
    }

    /// Issues (not merge requests) with their bodies.
    pub fn issues_with_bodies(&self, repo: &str) -> Vec<(FakeIssue, String)> {
        let state = self.lock();
        let Some(r) = state.repos.get(repo) else {
            return vec![];
        };
        r.issues
            .values()
            .filter(|i| !i.is_merge_request)
            .map(|i| (i.clone(), body_of(&state, repo, i.number)))
            .collect()
    }
}

pub(super) fn body_of(state: &State, repo: &str, number: u64) -> String {
    state
        .release
        .bodies
        .get(&(repo.to_string(), number))
        .cloned()
        .unwrap_or_default()
}

pub(super) fn next_number(state: &State, repo: &str) -> u64 {
    state.repos[repo].issues.keys().max().copied().unwrap_or(0) + 1
}

pub(super) fn new_item(state: &mut State, repo: &str, title: &str, body: &str, is_mr: bool) -> u64 {
    let number = next_number(state, repo);
    let issue = FakeIssue {
        number,
        title: title.into(),
        is_merge_request: is_mr,
        state: "open".into(),
        labels: vec![],
        milestone: None,
        assignees: vec![],
        author: "forgehand[bot]".into(),
        closed_at: None,
    };
    state
        .repos
        .get_mut(repo)
        .unwrap()
        .issues
        .insert(number, issue);
    state
        .release
        .bodies
        .insert((repo.into(), number), body.into());
    number
}

/// Commits reachable from a tag, branch or commit sha (branches made from a tag share its
/// history; a sha is found as the head of a tag or branch).
pub(super) fn history(state: &State, repo: &str, git_ref: &str) -> Vec<String> {
    let key = (repo.to_string(), git_ref.to_string());
    if let Some(shas) = state.release.branch_history.get(&key) {
        return shas.clone();
    }
    let tags = state.release.tags.get(repo).cloned().unwrap_or_default();
    if let Some((_, shas)) = tags.iter().find(|(t, _)| t == git_ref) {
        return shas.clone();
    }
    if let Some(named) = git_ref.strip_prefix("sha-of-") {
        return history(state, repo, named);
    }
    let branch_heads = state
        .release
        .branch_history
        .iter()
        .filter(|((r, _), _)| r == repo)
        .map(|(_, shas)| shas);
    tags.iter()
        .map(|(_, shas)| shas)
        .chain(branch_heads)
        .find(|shas| shas.last().is_some_and(|last| last == git_ref))
        .cloned()
        .unwrap_or_default()
}

/// The commit a tag, branch or sha points at: the newest of its history, or a made-up sha
/// naming it when the test gave it no history.
pub(super) fn head(state: &State, repo: &str, git_ref: &str) -> String {
    history(state, repo, git_ref)
        .last()
        .cloned()
        .unwrap_or_else(|| format!("sha-of-{git_ref}"))
}

/// Point branch `name` at what `to` (a tag, branch or sha) points at.
pub(super) fn set_branch(state: &mut State, repo: &str, name: &str, to: &str) {
    let shas = history(state, repo, to);
    let shas = if shas.is_empty() {
        vec![head(state, repo, to)]
    } else {
        shas
    };
    let branches = state.release.branches.entry(repo.into()).or_default();
    if !branches.iter().any(|b| b == name) {
        branches.push(name.into());
    }
    state
        .release
        .branch_history
        .insert((repo.into(), name.into()), shas);
}

/// A new commit on `branch` (a file written through the API).
pub(super) fn add_commit(state: &mut State, repo: &str, branch: &str) {
    state.release.commits_made += 1;
    let sha = format!("commit-{}", state.release.commits_made);
    let mut shas = history(state, repo, branch);
    shas.push(sha);
    state
        .release
        .branch_history
        .insert((repo.into(), branch.into()), shas);
}

pub(super) fn compare(state: &State, repo: &str, from: &str, to: &str) -> Vec<String> {
    let old = history(state, repo, from);
    history(state, repo, to)
        .into_iter()
        .filter(|s| !old.contains(s))
        .collect()
}

pub(super) fn ref_exists(state: &State, repo: &str, git_ref: &str) -> bool {
    let branches = state.release.branches.get(repo);
    branches.is_some_and(|b| b.iter().any(|n| n == git_ref))
        || state
            .release
            .tags
            .get(repo)
            .is_some_and(|t| t.iter().any(|(n, _)| n == git_ref))
}

pub(super) fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub(super) fn label_filter(issue: &FakeIssue, query: &BTreeMap<String, String>) -> bool {
    match query.get("labels").filter(|l| !l.is_empty()) {
        None => true,
        Some(wanted) => wanted
            .split(',')
            .all(|w| issue.labels.iter().any(|l| l == w)),
    }
}

pub(super) fn store_text(
    state: &mut State,
    repo: &str,
    number: u64,
    title: Option<&str>,
    body: Option<&str>,
) {
    if let Some(body) = body {
        state
            .release
            .bodies
            .insert((repo.into(), number), body.into());
        if let Some(mr) = state.release.mrs.get_mut(&(repo.to_string(), number)) {
            mr.body = body.into();
        }
    }
    if let Some(title) = title {
        if let Some(issue) = state.repos.get_mut(repo).unwrap().issues.get_mut(&number) {
            issue.title = title.into();
        }
    }
}
