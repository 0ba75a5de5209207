//! Release routes of the fake forge, for both GitHub and GitLab: tags with their commit
//! history (for compares), files at refs, branches, merged and open merge requests with
//! bodies, issue bodies, issue creation and listing, and pipelines of refs. Routes answer
//! `None` when the call is not theirs, so the general GitHub / GitLab routes take it.

use super::fake_forge::FakeForge;
use super::fake_state::{paginate, FakeIssue, Reply, State};
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

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
    /// (repo, number) → merge request details.
    pub mrs: BTreeMap<(String, u64), FakeMr>,
    /// (repo, number) → issue / merge request body.
    pub bodies: BTreeMap<(String, u64), String>,
    /// (repo, ref) → pipelines, newest first.
    pub pipelines: BTreeMap<(String, String), Vec<FakePipeline>>,
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

fn body_of(state: &State, repo: &str, number: u64) -> String {
    state
        .release
        .bodies
        .get(&(repo.to_string(), number))
        .cloned()
        .unwrap_or_default()
}

fn next_number(state: &State, repo: &str) -> u64 {
    state.repos[repo].issues.keys().max().copied().unwrap_or(0) + 1
}

fn new_item(state: &mut State, repo: &str, title: &str, body: &str, is_mr: bool) -> u64 {
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

/// Commits reachable from a tag or branch (branches made from a tag share its history).
fn history(state: &State, repo: &str, git_ref: &str) -> Vec<String> {
    let tags = state.release.tags.get(repo).cloned().unwrap_or_default();
    tags.into_iter()
        .find(|(t, _)| t == git_ref)
        .map(|(_, s)| s)
        .unwrap_or_default()
}

fn compare(state: &State, repo: &str, from: &str, to: &str) -> Vec<String> {
    let old = history(state, repo, from);
    history(state, repo, to)
        .into_iter()
        .filter(|s| !old.contains(s))
        .collect()
}

fn ref_exists(state: &State, repo: &str, git_ref: &str) -> bool {
    let branches = state.release.branches.get(repo);
    branches.is_some_and(|b| b.iter().any(|n| n == git_ref))
        || state
            .release
            .tags
            .get(repo)
            .is_some_and(|t| t.iter().any(|(n, _)| n == git_ref))
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn label_filter(issue: &FakeIssue, query: &Query) -> bool {
    match query.get("labels").filter(|l| !l.is_empty()) {
        None => true,
        Some(wanted) => wanted
            .split(',')
            .all(|w| issue.labels.iter().any(|l| l == w)),
    }
}

/// GitHub: routes under `/repos/{owner}/{name}/`.
pub(super) fn github(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    let reply = match (method, rest) {
        ("GET", ["tags"]) => {
            let tags = state.release.tags.get(repo).cloned().unwrap_or_default();
            let list = tags
                .into_iter()
                .map(|(name, _)| json!({ "name": name, "commit": { "sha": "0" } }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("GET", ["contents", path @ ..]) => {
            let git_ref = query.get("ref").cloned().unwrap_or_else(|| "main".into());
            let key = (repo.to_string(), git_ref, path.join("/"));
            match state.release.files.get(&key) {
                Some(text) => Reply::ok(
                    json!({ "type": "file", "encoding": "base64", "content": b64(text), "sha": format!("blob-{}", text.len()), "path": key.2 }),
                ),
                None => Reply::error(404, "Not Found"),
            }
        }
        ("PUT", ["contents", path @ ..]) => {
            let branch = body["branch"].as_str().unwrap_or("main").to_string();
            let key = (repo.to_string(), branch, path.join("/"));
            if state.release.files.contains_key(&key) && body["sha"].is_null() {
                return Some(Reply::error(
                    422,
                    "Invalid request. \"sha\" wasn't supplied.",
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body["content"].as_str().unwrap_or_default())
                .unwrap_or_default();
            state
                .release
                .files
                .insert(key, String::from_utf8(bytes).unwrap_or_default());
            Reply::ok(json!({ "content": {}, "commit": { "sha": "c0ffee" } }))
        }
        ("GET", ["compare", range]) => {
            let (from, to) = range.split_once("...")?;
            let commits: Vec<Value> = compare(state, repo, from, to)
                .into_iter()
                .map(|s| json!({ "sha": s }))
                .collect();
            Reply::ok(json!({ "status": "ahead", "commits": commits }))
        }
        ("GET", ["pulls"]) => {
            let owner = repo.split('/').next().unwrap_or_default();
            let head = query
                .get("head")
                .map(|h| h.trim_start_matches(&format!("{owner}:")).to_string());
            let wanted = query.get("state").cloned().unwrap_or_else(|| "open".into());
            let list = state.release.mrs.iter()
                .filter(|((r, _), mr)| r == repo
                    && query.get("base").is_none_or(|b| *b == mr.target)
                    && head.as_ref().is_none_or(|h| *h == mr.source)
                    && (wanted == "all" || (wanted == "open") == (mr.state == "open")))
                .map(|((_, n), mr)| {
                    let issue = &state.repos[repo].issues[n];
                    json!({
                        "number": n, "title": issue.title, "state": if mr.state == "open" { "open" } else { "closed" },
                        "body": mr.body, "html_url": format!("https://github.com/{repo}/pull/{n}"),
                        "merged_at": (mr.state == "merged").then_some("2026-11-20T10:00:00Z"),
                        "merge_commit_sha": mr.merge_sha,
                        "labels": issue.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
                        "user": { "login": issue.author },
                        "head": { "ref": mr.source }, "base": { "ref": mr.target },
                    })
                })
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["pulls"]) => {
            let (head, base) = (
                body["head"].as_str()?.to_string(),
                body["base"].as_str()?.to_string(),
            );
            if !ref_exists(state, repo, &head) {
                return Some(Reply::error(422, "Validation Failed: head does not exist"));
            }
            let text = body["body"].as_str().unwrap_or_default();
            let number = new_item(
                state,
                repo,
                body["title"].as_str().unwrap_or_default(),
                text,
                true,
            );
            let mr = FakeMr {
                number,
                source: head,
                target: base,
                body: text.into(),
                state: "open".into(),
                merge_sha: None,
            };
            state.release.mrs.insert((repo.into(), number), mr);
            Reply::created(json!({ "number": number, "state": "open" }))
        }
        ("PATCH", ["issues", number]) => {
            // Keep title and body, then let the general route apply labels and assignees.
            let number: u64 = number.parse().ok()?;
            store_text(
                state,
                repo,
                number,
                body["title"].as_str(),
                body["body"].as_str(),
            );
            return None;
        }
        ("GET", ["branches", name]) if ref_exists(state, repo, name) => {
            Reply::ok(json!({ "name": name }))
        }
        ("GET", ["branches", _]) => Reply::error(404, "Branch not found"),
        ("GET", ["commits", git_ref]) if ref_exists(state, repo, git_ref) || *git_ref == "main" => {
            Reply::ok(json!({ "sha": format!("sha-of-{git_ref}") }))
        }
        ("POST", ["git", "refs"]) => {
            let name = body["ref"]
                .as_str()?
                .trim_start_matches("refs/heads/")
                .to_string();
            if ref_exists(state, repo, &name) {
                return Some(Reply::error(422, "Reference already exists"));
            }
            state
                .release
                .branches
                .entry(repo.into())
                .or_default()
                .push(name.clone());
            Reply::created(json!({ "ref": format!("refs/heads/{name}") }))
        }
        ("GET", ["issues"]) => {
            let wanted = query.get("state").cloned().unwrap_or_else(|| "open".into());
            let list = state.repos[repo].issues.values()
                .filter(|i| wanted == "all" || i.state == wanted)
                .filter(|i| label_filter(i, query))
                .map(|i| {
                    let mut v = json!({ "number": i.number, "title": i.title, "state": i.state, "body": body_of(state, repo, i.number), "html_url": format!("https://github.com/{repo}/issues/{}", i.number) });
                    if i.is_merge_request { v["pull_request"] = json!({}); }
                    v
                })
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["issues"]) => {
            let number = new_item(
                state,
                repo,
                body["title"].as_str().unwrap_or_default(),
                body["body"].as_str().unwrap_or_default(),
                false,
            );
            let labels: Vec<String> = body["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|l| state.ensure_label(repo, l))
                .collect();
            let assignees: Vec<String> = body["assignees"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(|l| state.user(l).map(|u| u.login.clone()))
                .collect();
            let issue = state
                .repos
                .get_mut(repo)
                .unwrap()
                .issues
                .get_mut(&number)
                .unwrap();
            issue.labels = labels;
            issue.assignees = assignees;
            Reply::created(
                json!({ "number": number, "html_url": format!("https://github.com/{repo}/issues/{number}") }),
            )
        }
        ("GET", ["actions", "runs"]) => {
            let branch = query.get("branch").cloned().unwrap_or_default();
            let runs: Vec<Value> = state.release.pipelines.get(&(repo.to_string(), branch.clone())).cloned().unwrap_or_default().into_iter().map(|p| {
                let (status, conclusion) = match p.status.as_str() {
                    "success" => ("completed", Some("success")),
                    "failed" => ("completed", Some("failure")),
                    "running" => ("in_progress", None),
                    _ => ("queued", None),
                };
                json!({ "id": p.id, "name": p.name, "head_branch": branch, "status": status, "conclusion": conclusion, "html_url": format!("https://github.com/{repo}/actions/runs/{}", p.id) })
            }).collect();
            Reply::ok(json!({ "total_count": runs.len(), "workflow_runs": runs }))
        }
        _ => return None,
    };
    Some(reply)
}

fn store_text(state: &mut State, repo: &str, number: u64, title: Option<&str>, body: Option<&str>) {
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

/// GitLab: routes under `/api/v4/projects/:id/`.
pub(super) fn gitlab(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    let reply = match (method, rest) {
        ("GET", ["repository", "tags"]) => {
            let tags = state.release.tags.get(repo).cloned().unwrap_or_default();
            Reply::ok(paginate(
                tags.into_iter()
                    .map(|(name, _)| json!({ "name": name }))
                    .collect(),
                query,
            ))
        }
        ("GET", ["repository", "files", path]) => {
            let key = (
                repo.to_string(),
                query.get("ref").cloned().unwrap_or_default(),
                path.to_string(),
            );
            match state.release.files.get(&key) {
                Some(text) => Reply::ok(
                    json!({ "file_path": path, "encoding": "base64", "content": b64(text), "blob_id": "b1" }),
                ),
                None => Reply::error(404, "404 File Not Found"),
            }
        }
        (m @ ("POST" | "PUT"), ["repository", "files", path]) => {
            let key = (
                repo.to_string(),
                body["branch"].as_str()?.to_string(),
                path.to_string(),
            );
            if (m == "POST") == state.release.files.contains_key(&key) {
                return Some(Reply::error(
                    400,
                    "A file with this name already exists / does not exist",
                ));
            }
            state
                .release
                .files
                .insert(key, body["content"].as_str()?.to_string());
            Reply::json(
                if m == "POST" { 201 } else { 200 },
                json!({ "file_path": path, "branch": body["branch"] }),
            )
        }
        ("GET", ["repository", "compare"]) => {
            let (from, to) = (query.get("from")?, query.get("to")?);
            let commits: Vec<Value> = compare(state, repo, from, to)
                .into_iter()
                .map(|s| json!({ "id": s }))
                .collect();
            Reply::ok(json!({ "commits": commits, "diffs": [] }))
        }
        ("GET", ["repository", "branches", name]) if ref_exists(state, repo, name) => {
            Reply::ok(json!({ "name": name }))
        }
        ("GET", ["repository", "branches", _]) => Reply::error(404, "404 Branch Not Found"),
        ("POST", ["repository", "branches"]) => {
            let name = body["branch"].as_str()?.to_string();
            if ref_exists(state, repo, &name) {
                return Some(Reply::error(400, "Branch already exists"));
            }
            state
                .release
                .branches
                .entry(repo.into())
                .or_default()
                .push(name.clone());
            Reply::created(json!({ "name": name }))
        }
        ("GET", ["merge_requests"]) => {
            let wanted = query.get("state").cloned().unwrap_or_else(|| "all".into());
            let list = state
                .release
                .mrs
                .iter()
                .filter(|((r, _), mr)| {
                    r == repo
                        && query.get("source_branch").is_none_or(|s| *s == mr.source)
                        && query.get("target_branch").is_none_or(|t| *t == mr.target)
                        && (wanted == "all"
                            || wanted == mr.state
                            || (wanted == "opened" && mr.state == "open"))
                })
                .map(|((_, n), mr)| {
                    let issue = &state.repos[repo].issues[n];
                    json!({
                        "iid": n, "title": issue.title, "description": mr.body,
                        "state": if mr.state == "open" { "opened" } else { mr.state.as_str() },
                        "web_url": format!("https://gitlab.com/{repo}/-/merge_requests/{n}"),
                        "labels": issue.labels, "author": { "username": issue.author },
                        "merge_commit_sha": mr.merge_sha, "squash_commit_sha": null, "sha": "head",
                        "source_branch": mr.source, "target_branch": mr.target,
                    })
                })
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["merge_requests"]) => {
            let (source, target) = (
                body["source_branch"].as_str()?.to_string(),
                body["target_branch"].as_str()?.to_string(),
            );
            if !ref_exists(state, repo, &source) {
                return Some(Reply::error(400, "Source branch does not exist"));
            }
            let text = body["description"].as_str().unwrap_or_default();
            let number = new_item(
                state,
                repo,
                body["title"].as_str().unwrap_or_default(),
                text,
                true,
            );
            let mr = FakeMr {
                number,
                source,
                target,
                body: text.into(),
                state: "open".into(),
                merge_sha: None,
            };
            state.release.mrs.insert((repo.into(), number), mr);
            apply_gitlab_fields(state, repo, number, body);
            Reply::created(
                json!({ "iid": number, "remove_source_branch": body["remove_source_branch"] }),
            )
        }
        ("PUT", ["merge_requests", iid]) => {
            let number: u64 = iid.parse().ok()?;
            store_text(
                state,
                repo,
                number,
                body["title"].as_str(),
                body["description"].as_str(),
            );
            return None;
        }
        ("GET", ["issues"]) => {
            let wanted = query.get("state").cloned().unwrap_or_else(|| "all".into());
            let list = state.repos[repo].issues.values()
                .filter(|i| !i.is_merge_request)
                .filter(|i| wanted == "all" || (wanted == "opened") == (i.state == "open"))
                .filter(|i| label_filter(i, query))
                .map(|i| json!({ "iid": i.number, "title": i.title, "description": body_of(state, repo, i.number), "web_url": format!("https://gitlab.com/{repo}/-/issues/{}", i.number) }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["issues"]) => {
            let number = new_item(
                state,
                repo,
                body["title"].as_str().unwrap_or_default(),
                body["description"].as_str().unwrap_or_default(),
                false,
            );
            apply_gitlab_fields(state, repo, number, body);
            Reply::created(
                json!({ "iid": number, "web_url": format!("https://gitlab.com/{repo}/-/issues/{number}") }),
            )
        }
        ("GET", ["pipelines"]) => {
            let key = (
                repo.to_string(),
                query.get("ref").cloned().unwrap_or_default(),
            );
            let list: Vec<Value> = state.release.pipelines.get(&key).cloned().unwrap_or_default().into_iter()
                .map(|p| json!({ "id": p.id, "status": p.status, "ref": key.1, "web_url": format!("https://gitlab.com/{repo}/-/pipelines/{}", p.id) }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        _ => return None,
    };
    Some(reply)
}

/// Labels (comma-separated) and assignee ids of a new GitLab issue / merge request.
fn apply_gitlab_fields(state: &mut State, repo: &str, number: u64, body: &Value) {
    let labels: Vec<String> = body["labels"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .filter(|l| !l.is_empty())
        .map(|l| state.ensure_label(repo, l))
        .collect();
    let assignees: Vec<String> = body["assignee_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .filter_map(|id| {
            state
                .users
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.login.clone())
        })
        .collect();
    let issue = state
        .repos
        .get_mut(repo)
        .unwrap()
        .issues
        .get_mut(&number)
        .unwrap();
    issue.labels = labels;
    issue.assignees = assignees;
}
