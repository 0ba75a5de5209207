//! Publishing in the fake forge, for both GitHub and GitLab: release objects (GitHub
//! releases with drafts and pre-releases, GitLab releases with milestones), the jobs of a
//! pipeline, merge requests that close issues, and the `release` webhooks a real forge sends
//! when a release is created or published — kept in an outbox that the test posts, signed,
//! to forgehand. Every write here is made by the token's account: the bot.

use super::fake_forge::FakeForge;
use super::fake_gitlab::BOT_USERNAME;
use super::fake_state::{paginate, Reply, State};
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

/// The login GitHub shows for the bot (a GitHub App's account).
pub const GITHUB_BOT_LOGIN: &str = "forgehand[bot]";

/// A release object.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeRelease {
    pub id: u64,
    pub tag: String,
    pub name: String,
    pub notes: String,
    pub draft: bool,
    pub prerelease: bool,
    pub milestones: Vec<String>,
    pub author: String,
}

/// A job of a pipeline; `status` in GitLab's words (`success`, `failed`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct FakeJob {
    pub id: u64,
    pub name: String,
    pub status: String,
}

/// A webhook the fake forge would have sent.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeWebhook {
    /// `github` or `gitlab`.
    pub forge: &'static str,
    /// `X-GitHub-Event` / `X-Gitlab-Event`.
    pub event: String,
    pub payload: Value,
}

#[derive(Debug, Default)]
pub struct PublishState {
    /// repo → releases, oldest first.
    pub releases: BTreeMap<String, Vec<FakeRelease>>,
    /// (repo, pipeline id) → jobs.
    pub jobs: BTreeMap<(String, u64), Vec<FakeJob>>,
    pub outbox: Vec<FakeWebhook>,
}

impl FakeForge {
    /// The release objects of `repo`, oldest first.
    pub fn releases(&self, repo: &str) -> Vec<FakeRelease> {
        let state = self.lock();
        state
            .publish
            .releases
            .get(repo)
            .cloned()
            .unwrap_or_default()
    }

    /// A release someone made by hand.
    pub fn add_release(&self, repo: &str, tag: &str, notes: &str, author: &str) {
        let mut state = self.lock();
        let id = state.next_id();
        let release = FakeRelease {
            id,
            tag: tag.into(),
            name: tag.into(),
            notes: notes.into(),
            draft: false,
            prerelease: false,
            milestones: vec![],
            author: author.into(),
        };
        state
            .publish
            .releases
            .entry(repo.into())
            .or_default()
            .push(release);
    }

    /// A job of pipeline `pipeline_id`.
    pub fn add_job(&self, repo: &str, pipeline_id: u64, name: &str, status: &str) {
        let mut state = self.lock();
        let id = state.next_id();
        let job = FakeJob {
            id,
            name: name.into(),
            status: status.into(),
        };
        let key = (repo.to_string(), pipeline_id);
        state.publish.jobs.entry(key).or_default().push(job);
    }

    /// A merge request merged by `sha` whose description closes `issues` (which are added,
    /// closed, as the forge closes them on merge).
    pub fn add_merged_closing(&self, repo: &str, number: u64, sha: &str, issues: &[u64]) {
        self.add_merged(repo, number, &format!("Change {number}"), &["feature"], sha);
        let body: Vec<String> = issues.iter().map(|n| format!("Closes #{n}")).collect();
        let mut state = self.lock();
        let key = (repo.to_string(), number);
        if let Some(mr) = state.release.mrs.get_mut(&key) {
            mr.body = format!("Does things.\n\n{}", body.join("\n"));
        }
        for n in issues {
            let issues = &mut state.repos.get_mut(repo).unwrap().issues;
            let mut issue = issues.get(&number).cloned().expect("the merge request");
            issue.number = *n;
            issue.title = format!("Issue {n}");
            issue.is_merge_request = false;
            issue.labels = vec![];
            issues.insert(*n, issue);
        }
    }

    /// The webhooks sent since the last call, oldest first.
    pub fn take_webhooks(&self) -> Vec<FakeWebhook> {
        std::mem::take(&mut self.lock().publish.outbox)
    }
}

fn find<'a>(state: &'a mut State, repo: &str, tag: &str) -> Option<&'a mut FakeRelease> {
    let releases = state.publish.releases.get_mut(repo)?;
    releases.iter_mut().find(|r| r.tag == tag)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect()
}

/// GitHub: `releases`, `releases/tags/{tag}`, `releases/{id}`, `actions/runs/{id}/jobs`.
pub(super) fn github_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    let reply = match (method, rest) {
        ("GET", ["releases"]) => {
            let list = state
                .publish
                .releases
                .get(repo)
                .cloned()
                .unwrap_or_default();
            let newest_first = list.iter().rev().map(|r| github_json(repo, r)).collect();
            Reply::ok(paginate(newest_first, query))
        }
        ("GET", ["releases", "tags", tag]) => match find(state, repo, tag) {
            Some(r) if !r.draft => Reply::ok(github_json(repo, r)),
            _ => Reply::error(404, "Not Found"),
        },
        ("POST", ["releases"]) => {
            let tag = body["tag_name"].as_str()?.to_string();
            if find(state, repo, &tag).is_some() {
                return Some(Reply::json(
                    422,
                    json!({ "message": "Validation Failed", "errors": [{ "resource": "Release", "code": "already_exists", "field": "tag_name" }] }),
                ));
            }
            let id = state.next_id();
            let release = FakeRelease {
                id,
                tag: tag.clone(),
                name: body["name"].as_str().unwrap_or(&tag).to_string(),
                notes: body["body"].as_str().unwrap_or_default().to_string(),
                draft: body["draft"].as_bool().unwrap_or(false),
                prerelease: body["prerelease"].as_bool().unwrap_or(false),
                milestones: vec![],
                author: GITHUB_BOT_LOGIN.into(),
            };
            let json = github_json(repo, &release);
            github_hooks(state, repo, &release, true);
            let releases = state.publish.releases.entry(repo.into()).or_default();
            releases.push(release);
            Reply::created(json)
        }
        ("PATCH", ["releases", id]) => {
            let id: u64 = id.parse().ok()?;
            let releases = state.publish.releases.get_mut(repo)?;
            let Some(release) = releases.iter_mut().find(|r| r.id == id) else {
                return Some(Reply::error(404, "Not Found"));
            };
            let was_draft = release.draft;
            if let Some(name) = body["name"].as_str() {
                release.name = name.into();
            }
            if let Some(notes) = body["body"].as_str() {
                release.notes = notes.into();
            }
            if let Some(draft) = body["draft"].as_bool() {
                release.draft = draft;
            }
            if let Some(pre) = body["prerelease"].as_bool() {
                release.prerelease = pre;
            }
            let release = release.clone();
            if was_draft && !release.draft {
                github_hooks(state, repo, &release, false);
            }
            Reply::ok(github_json(repo, &release))
        }
        ("GET", ["actions", "runs", run, "jobs"]) => {
            let run: u64 = run.parse().ok()?;
            let jobs = state.publish.jobs.get(&(repo.to_string(), run));
            let list: Vec<Value> = jobs.into_iter().flatten().map(|j| {
                let conclusion = if j.status == "failed" { "failure" } else { j.status.as_str() };
                json!({ "id": j.id, "run_id": run, "name": j.name, "status": "completed", "conclusion": conclusion, "html_url": format!("https://github.com/{repo}/actions/runs/{run}/job/{}", j.id) })
            }).collect();
            Reply::ok(json!({ "total_count": list.len(), "jobs": list }))
        }
        _ => return None,
    };
    Some(reply)
}

fn github_json(repo: &str, r: &FakeRelease) -> Value {
    json!({
        "id": r.id, "tag_name": r.tag, "name": r.name, "body": r.notes,
        "draft": r.draft, "prerelease": r.prerelease,
        "html_url": format!("https://github.com/{repo}/releases/tag/{}", r.tag),
        "author": { "login": r.author, "type": if r.author.ends_with("[bot]") { "Bot" } else { "User" } },
    })
}

/// What GitHub sends for a release: `created` when it is made (drafts too), then
/// `published` and — unless it is a pre-release — `released` when it is published.
fn github_hooks(state: &mut State, repo: &str, release: &FakeRelease, created: bool) {
    let mut actions = Vec::new();
    if created {
        actions.push("created");
    }
    if !release.draft {
        actions.push("published");
        if !release.prerelease {
            actions.push("released");
        }
    }
    let (owner, name) = repo.split_once('/').unwrap_or((repo, repo));
    for action in actions {
        let mut payload: Value =
            serde_json::from_slice(&super::fixture("github/release.published.json")).unwrap();
        payload["action"] = json!(action);
        payload["release"] = github_json(repo, release);
        payload["release"]["author"] = json!({ "login": GITHUB_BOT_LOGIN, "type": "Bot" });
        payload["repository"]["full_name"] = json!(repo);
        payload["repository"]["name"] = json!(name);
        payload["repository"]["owner"]["login"] = json!(owner);
        payload["repository"]["default_branch"] = json!("main");
        payload["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
        payload["sender"] = json!({ "login": GITHUB_BOT_LOGIN, "id": 4242, "type": "Bot" });
        state.publish.outbox.push(FakeWebhook {
            forge: "github",
            event: "release".into(),
            payload,
        });
    }
}

/// GitLab: `releases`, `releases/:tag_name`, `pipelines/:id/jobs`.
pub(super) fn gitlab_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    let reply = match (method, rest) {
        ("GET", ["releases", tag]) => match find(state, repo, tag) {
            Some(r) => Reply::ok(gitlab_json(repo, r)),
            None => Reply::error(404, "404 Not Found"),
        },
        ("POST", ["releases"]) => {
            let tag = body["tag_name"].as_str()?.to_string();
            if find(state, repo, &tag).is_some() {
                return Some(Reply::error(409, "Release already exists"));
            }
            let milestones = strings(&body["milestones"]);
            if let Some(missing) = unknown_milestone(state, repo, &milestones) {
                return Some(Reply::error(
                    400,
                    &format!("Milestone(s) not found: {missing}"),
                ));
            }
            let id = state.next_id();
            let release = FakeRelease {
                id,
                tag: tag.clone(),
                name: body["name"].as_str().unwrap_or(&tag).to_string(),
                notes: body["description"].as_str().unwrap_or_default().to_string(),
                draft: false,
                prerelease: false,
                milestones,
                author: BOT_USERNAME.into(),
            };
            let json = gitlab_json(repo, &release);
            gitlab_hook(state, repo, &release, "create");
            let releases = state.publish.releases.entry(repo.into()).or_default();
            releases.push(release);
            Reply::created(json)
        }
        ("PUT", ["releases", tag]) => {
            let milestones = body.get("milestones").map(strings);
            if let Some(missing) = milestones
                .as_ref()
                .and_then(|m| unknown_milestone(state, repo, m))
            {
                return Some(Reply::error(
                    400,
                    &format!("Milestone(s) not found: {missing}"),
                ));
            }
            let Some(release) = find(state, repo, tag) else {
                return Some(Reply::error(404, "404 Not Found"));
            };
            if let Some(name) = body["name"].as_str() {
                release.name = name.into();
            }
            if let Some(notes) = body["description"].as_str() {
                release.notes = notes.into();
            }
            if let Some(m) = milestones {
                release.milestones = m;
            }
            let release = release.clone();
            gitlab_hook(state, repo, &release, "update");
            Reply::ok(gitlab_json(repo, &release))
        }
        ("GET", ["pipelines", pipeline, "jobs"]) => {
            let pipeline: u64 = pipeline.parse().ok()?;
            let scope = query.get("scope[]").cloned();
            let jobs = state.publish.jobs.get(&(repo.to_string(), pipeline));
            let list = jobs
                .into_iter()
                .flatten()
                .filter(|j| scope.as_ref().is_none_or(|s| *s == j.status))
                .map(|j| json!({ "id": j.id, "name": j.name, "status": j.status, "stage": "publish", "web_url": format!("https://gitlab.com/{repo}/-/jobs/{}", j.id) }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        _ => return None,
    };
    Some(reply)
}

fn unknown_milestone(state: &State, repo: &str, titles: &[String]) -> Option<String> {
    let known = &state.repos[repo].milestones;
    titles
        .iter()
        .find(|t| !known.iter().any(|m| &m.title == *t))
        .cloned()
}

fn gitlab_json(repo: &str, r: &FakeRelease) -> Value {
    json!({
        "tag_name": r.tag, "name": r.name, "description": r.notes,
        "author": { "username": r.author },
        "milestones": r.milestones.iter().map(|t| json!({ "title": t })).collect::<Vec<_>>(),
        "_links": { "self": format!("https://gitlab.com/{repo}/-/releases/{}", r.tag) },
    })
}

/// GitLab's Release Hook (`create` or `update`); it names no user.
fn gitlab_hook(state: &mut State, repo: &str, release: &FakeRelease, action: &str) {
    let mut payload: Value =
        serde_json::from_slice(&super::fixture("gitlab/release.create.json")).unwrap();
    payload["action"] = json!(action);
    payload["tag"] = json!(release.tag);
    payload["name"] = json!(release.name);
    payload["description"] = json!(release.notes);
    payload["url"] = json!(format!(
        "https://gitlab.com/{repo}/-/releases/{}",
        release.tag
    ));
    payload["project"]["id"] = json!(state.repos[repo].id);
    payload["project"]["path_with_namespace"] = json!(repo);
    payload["project"]["default_branch"] = json!("main");
    payload["project"]["web_url"] = json!(format!("https://gitlab.com/{repo}"));
    state.publish.outbox.push(FakeWebhook {
        forge: "gitlab",
        event: "Release Hook".into(),
        payload,
    });
}
