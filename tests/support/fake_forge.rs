//! A stateful fake forge: one HTTP server on 127.0.0.1:0 that speaks the GitHub REST
//! endpoints forgehand uses (at `/`) and the GitLab ones (under `/api/v4/`), keeps repos,
//! issues, merge requests, labels, milestones, users and comments in memory, records every
//! call, and can be told to fail the next calls (5xx, 429 with `Retry-After`, 4xx) or a
//! random, seeded fraction of all calls (`fake_faults.rs`: 5xx, 429, slow answers, dropped
//! connections, before or after the write is applied).
//!
//! One repository serves both forges: `acme/app` is GitHub repo `acme/app` and GitLab
//! project `acme/app` (numeric id from [`FakeForge::add_repo`]). Issues and merge requests
//! share one number space per repository.

use super::fake_faults::{Chaos, FaultKind, FaultPlan, FaultTime, Injected};
use super::fake_state::{
    injected_fault, percent_decode, query_map, Call, FakeComment, FakeIssue, FakeMilestone,
    FakeRepo, FakeUser, Fault, Reply, State,
};
use super::{fake_github, fake_gitlab};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use forgehand::role::Role;
use serde_json::Value;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};

/// The GitHub App installation every repository belongs to unless told otherwise.
pub const DEFAULT_INSTALLATION_ID: u64 = 777;

/// The running fake. Cloning shares the same server and state.
#[derive(Clone)]
pub struct FakeForge {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FakeForge {
    /// Start the server on a free port of 127.0.0.1.
    pub async fn start() -> FakeForge {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake forge");
        let port = listener.local_addr().unwrap().port();
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .app_data(web::PayloadConfig::new(10 * 1024 * 1024))
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        FakeForge {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// `http://127.0.0.1:PORT` — the GitHub API base URL and the GitLab instance URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Add a repository / project; returns its numeric id.
    pub fn add_repo(&self, path: &str) -> u64 {
        let mut state = self.lock();
        let id = state.next_id();
        state.repos.insert(
            path.to_string(),
            FakeRepo {
                id,
                installation_id: DEFAULT_INSTALLATION_ID,
                ..FakeRepo::default()
            },
        );
        id
    }

    /// Put a repository under another GitHub App installation.
    pub fn set_installation(&self, repo: &str, installation_id: u64) {
        let mut state = self.lock();
        state
            .repos
            .get_mut(repo)
            .expect("add_repo first")
            .installation_id = installation_id;
    }

    /// Add an open issue `number` titled `Issue N` by `reporter`.
    pub fn add_issue(&self, repo: &str, number: u64) {
        self.insert_item(repo, number, false);
    }

    /// Add an open merge / pull request `number`.
    pub fn add_merge_request(&self, repo: &str, number: u64) {
        self.insert_item(repo, number, true);
    }

    fn insert_item(&self, repo: &str, number: u64, is_merge_request: bool) {
        let mut state = self.lock();
        let repo = state.repos.get_mut(repo).expect("add_repo first");
        repo.issues.insert(
            number,
            FakeIssue {
                number,
                title: format!("Issue {number}"),
                is_merge_request,
                state: "open".into(),
                labels: vec![],
                milestone: None,
                assignees: vec![],
                author: "reporter".into(),
                closed_at: None,
            },
        );
    }

    /// Change an issue in place (seed labels, milestone, assignees).
    pub fn update_issue(&self, repo: &str, number: u64, f: impl FnOnce(&mut FakeIssue)) {
        let mut state = self.lock();
        let labels: Vec<String> = {
            let issue = state.repos.get_mut(repo).unwrap().issues.get_mut(&number);
            let issue = issue.expect("no such issue");
            f(issue);
            issue.labels.clone()
        };
        for label in labels {
            state.ensure_label(repo, &label);
        }
    }

    pub fn add_label(&self, repo: &str, name: &str) {
        let mut state = self.lock();
        assert!(state.repos.contains_key(repo), "add_repo first");
        state.ensure_label(repo, name);
    }

    /// Add a label with its colour (six hex digits) and description.
    pub fn add_styled_label(&self, repo: &str, name: &str, color: &str, description: &str) {
        let mut state = self.lock();
        assert!(state.repos.contains_key(repo), "add_repo first");
        state.style_label(repo, name, Some(color), Some(description));
    }

    /// The webhooks of `repo` as stored (secrets included).
    pub fn hooks(&self, repo: &str) -> Vec<serde_json::Value> {
        self.lock().repos[repo].hooks.clone()
    }

    /// Change the one webhook of `repo` behind forgehand's back (someone edits it by hand).
    pub fn update_hook(&self, repo: &str, f: impl FnOnce(&mut serde_json::Value)) {
        let mut state = self.lock();
        let hook = state
            .repos
            .get_mut(repo)
            .unwrap()
            .hooks
            .first_mut()
            .expect("a hook");
        f(hook);
    }

    /// Each label of `repo` as (name, colour, description).
    pub fn label_styles(&self, repo: &str) -> Vec<(String, String, String)> {
        let state = self.lock();
        state.repos[repo]
            .labels
            .iter()
            .map(|l| (l.name.clone(), l.color.clone(), l.description.clone()))
            .collect()
    }

    /// Add an open milestone; returns its number / iid.
    pub fn add_milestone(&self, repo: &str, title: &str) -> u64 {
        self.add_milestone_dated(repo, title, None, None)
    }

    /// Add an open milestone with dates (`YYYY-MM-DD`; GitHub shows only the due date).
    pub fn add_milestone_dated(
        &self,
        repo: &str,
        title: &str,
        start_date: Option<&str>,
        due_date: Option<&str>,
    ) -> u64 {
        let mut state = self.lock();
        let id = state.next_id();
        let repo = state.repos.get_mut(repo).expect("add_repo first");
        let number = repo.milestones.len() as u64 + 1;
        repo.milestones.push(FakeMilestone {
            id,
            number,
            title: title.to_string(),
            state: "open".into(),
            start_date: start_date.map(String::from),
            due_date: due_date.map(String::from),
        });
        number
    }

    /// The global id of the milestone titled `title` (what GitLab payloads carry).
    pub fn milestone_id(&self, repo: &str, title: &str) -> u64 {
        let state = self.lock();
        let found = state.repos[repo]
            .milestones
            .iter()
            .find(|m| m.title == title);
        found.expect("no such milestone").id
    }

    /// Add a user with a role in every repository (`None`: no access); returns the user id.
    pub fn add_user(&self, login: &str, role: impl Into<Option<Role>>) -> u64 {
        let mut state = self.lock();
        let id = state.next_id();
        state.users.push(FakeUser {
            id,
            login: login.to_string(),
            role: role.into(),
        });
        id
    }

    /// The account the token of `forge` (`"github"` / `"gitlab"`) acts as, from now on.
    pub fn set_own_login(&self, forge: &str, login: &str) {
        let mut state = self.lock();
        match forge {
            "github" => state.github_self = Some(login.to_string()),
            _ => state.gitlab_self = Some(login.to_string()),
        }
    }

    /// Add a comment as if `author` wrote it; returns its id.
    pub fn add_comment(&self, repo: &str, number: u64, author: &str, body: &str) -> u64 {
        let mut state = self.lock();
        let id = state.next_id();
        let repo = state.repos.get_mut(repo).expect("add_repo first");
        repo.comments.entry(number).or_default().push(FakeComment {
            id,
            body: body.to_string(),
            author: author.to_string(),
            reactions: vec![],
        });
        id
    }

    pub fn issue(&self, repo: &str, number: u64) -> FakeIssue {
        self.lock().repos[repo].issues[&number].clone()
    }

    pub fn comments(&self, repo: &str, number: u64) -> Vec<FakeComment> {
        let state = self.lock();
        state.repos[repo]
            .comments
            .get(&number)
            .cloned()
            .unwrap_or_default()
    }

    pub fn labels(&self, repo: &str) -> Vec<String> {
        let state = self.lock();
        state.repos[repo]
            .labels
            .iter()
            .map(|l| l.name.clone())
            .collect()
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Every non-GET call so far.
    pub fn writes(&self) -> Vec<Call> {
        self.calls().into_iter().filter(Call::is_write).collect()
    }

    /// Panic if a client called a route the fake does not implement.
    pub fn assert_all_routed(&self) {
        let unrouted: Vec<Call> = self.calls().into_iter().filter(|c| c.unrouted).collect();
        assert!(
            unrouted.is_empty(),
            "calls the fake forge has no route for: {unrouted:#?}"
        );
    }

    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    /// Send the rate-limit headers of both forges with every answer: GitHub's
    /// `x-ratelimit-remaining` / `x-ratelimit-reset` and GitLab's `RateLimit-Remaining` /
    /// `RateLimit-Reset` (resets in Unix seconds).
    pub fn set_rate_limits(&self, github: (u64, u64), gitlab: (u64, u64)) {
        self.lock().extra_headers = vec![
            ("x-ratelimit-remaining".into(), github.0.to_string()),
            ("x-ratelimit-reset".into(), github.1.to_string()),
            ("RateLimit-Remaining".into(), gitlab.0.to_string()),
            ("RateLimit-Reset".into(), gitlab.1.to_string()),
        ];
    }

    /// From now on, fail a random (seeded) fraction of calls as `plan` says.
    pub fn inject_faults(&self, plan: FaultPlan) {
        self.lock().chaos = Some(Chaos::new(plan));
    }

    /// Stop injecting random faults; returns those injected.
    pub fn stop_faults(&self) -> Vec<Injected> {
        self.lock()
            .chaos
            .take()
            .map(|c| c.injected)
            .unwrap_or_default()
    }

    /// Make the next `times` calls of `method` whose (decoded) path starts with
    /// `path_prefix` fail with `status` (and `Retry-After: retry_after` if given).
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        retry_after: Option<u64>,
        times: u32,
    ) {
        self.lock().faults.push(Fault {
            method: method.to_uppercase(),
            path_prefix: path_prefix.to_string(),
            status,
            retry_after,
            remaining: times,
            after: false,
        });
    }

    /// Like [`FakeForge::fail_next`], but each call is applied first (the write lands) and
    /// then answered with `status`, as a forge whose gateway fails after the backend wrote.
    pub fn fail_next_after_write(&self, method: &str, path_prefix: &str, status: u16, times: u32) {
        self.lock().faults.push(Fault {
            method: method.to_uppercase(),
            path_prefix: path_prefix.to_string(),
            status,
            retry_after: None,
            remaining: times,
            after: true,
        });
    }
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let method = req.method().as_str().to_string();
    let raw_path = req.uri().path().to_string();
    // Split on raw `/` first so that an encoded `%2F` stays inside its segment.
    let segments: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let path = percent_decode(&raw_path);
    let query = req.uri().query().unwrap_or("").to_string();
    let json_body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);

    let (reply, chaos, slow) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let planned = injected_fault(&mut state, &method, &raw_path, &path);
        // A planned fault wins; otherwise the random faults may draw one.
        let chaos = match planned {
            Some(_) => None,
            None => state.chaos.as_mut().and_then(|c| c.draw(&method, &path)),
        };
        let (failure, applies) = match (planned, chaos) {
            (Some((failure, after)), _) => (Some(failure), after),
            (None, Some((kind, time))) => {
                (Some(fault_reply(kind, &state)), time == FaultTime::After)
            }
            (None, None) => (None, true),
        };
        let applied = applies.then(|| {
            let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
            let q = query_map(&query);
            match segs.as_slice() {
                ["api", "v4", rest @ ..] => {
                    fake_gitlab::route(&mut state, &method, rest, &q, &json_body)
                }
                _ => fake_github::route(&mut state, &method, &segs, &q, &json_body),
            }
        });
        // A failure after the write: applied, but the client hears of a failure.
        let mut reply = match (failure, applied) {
            (Some(failure), Some(applied)) => Reply {
                unrouted: applied.unrouted,
                ..failure
            },
            (Some(failure), None) => failure,
            (None, Some(applied)) => applied,
            (None, None) => unreachable!("a request without a fault is applied"),
        };
        reply.headers.extend(state.extra_headers.iter().cloned());
        let slow = state.chaos.as_ref().map(|c| c.plan().slow);
        state.calls.push(Call {
            method,
            path,
            query,
            body: json_body,
            status: reply.status,
            authorization,
            unrouted: reply.unrouted,
            injected: chaos,
            at: std::time::Instant::now(),
        });
        (reply, chaos, slow)
    };
    match chaos.map(|(kind, _)| kind) {
        Some(FaultKind::Slow) => tokio::time::sleep(slow.unwrap_or_default()).await,
        Some(FaultKind::Dropped) => {
            // Headers go out, then the connection is cut before the body ends.
            let cut = futures_util::stream::once(async {
                Err::<web::Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fake forge dropped the connection",
                ))
            });
            return HttpResponse::Ok()
                .content_type("application/json")
                .streaming(cut);
        }
        _ => {}
    }

    let mut response =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(reply.status).unwrap());
    for (name, value) in &reply.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    if reply.body.is_null() && reply.status == 204 {
        return response.finish();
    }
    response
        .content_type("application/json")
        .body(reply.body.to_string())
}

/// The answer of an injected fault (a slow answer is a 504 that comes too late; a dropped
/// connection's headers are replaced by the cut in [`handle`]).
fn fault_reply(kind: FaultKind, state: &State) -> Reply {
    match kind {
        FaultKind::ServerError | FaultKind::Dropped => Reply::error(502, "injected bad gateway"),
        FaultKind::Slow => Reply::error(504, "injected slow answer"),
        FaultKind::RateLimited => {
            let secs = state
                .chaos
                .as_ref()
                .map_or(1, |c| c.plan().retry_after_secs);
            let mut reply = Reply::error(429, "injected rate limit");
            reply
                .headers
                .push(("Retry-After".to_string(), secs.to_string()));
            reply
        }
    }
}
