//! The fake forge's data: repositories with issues, merge requests, labels, milestones and
//! comments, users with roles, the call log and injected faults, plus small HTTP helpers
//! shared by the GitHub and GitLab routes.

use forgehand::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    /// Percent-decoded path (`/api/v4/projects/acme/app/issues/1`).
    pub path: String,
    pub query: String,
    /// The JSON body (`Value::Null` when empty, a string when not JSON).
    pub body: Value,
    pub status: u16,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// No fake route matches this method and path: the client called something the fake
    /// (and probably forgehand's design) does not expect.
    pub unrouted: bool,
    /// The random fault injected into this call, if any.
    pub injected: Option<(super::fake_faults::FaultKind, super::fake_faults::FaultTime)>,
    /// When the fake answered it.
    pub at: std::time::Instant,
}

impl Call {
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeIssue {
    pub number: u64,
    pub title: String,
    pub is_merge_request: bool,
    /// `open` or `closed`.
    pub state: String,
    pub labels: Vec<String>,
    pub milestone: Option<String>,
    pub assignees: Vec<String>,
    pub author: String,
    /// When it was last closed (RFC 3339); `None` while open.
    pub closed_at: Option<String>,
}

impl FakeIssue {
    /// Move to `open` or `closed`, keeping `closed_at` as the forges do: set when the issue
    /// closes, cleared when it reopens.
    pub fn set_state(&mut self, state: &str) {
        if state == "closed" && self.state != "closed" {
            self.closed_at =
                Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        } else if state == "open" {
            self.closed_at = None;
        }
        self.state = state.to_string();
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeComment {
    pub id: u64,
    pub body: String,
    pub author: String,
    /// Reaction contents / award emoji names, in order.
    pub reactions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeMilestone {
    pub id: u64,
    /// GitHub number / GitLab iid.
    pub number: u64,
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeLabel {
    pub id: u64,
    pub name: String,
    /// Six lowercase hex digits, without `#` (`ededed` unless set).
    pub color: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeUser {
    pub id: u64,
    pub login: String,
    /// Role in every repository; `None`: not a collaborator / member.
    pub role: Option<Role>,
}

#[derive(Debug, Default)]
pub(super) struct FakeRepo {
    pub id: u64,
    /// The GitHub App installation that covers this repository.
    pub installation_id: u64,
    pub issues: BTreeMap<u64, FakeIssue>,
    pub comments: BTreeMap<u64, Vec<FakeComment>>,
    pub labels: Vec<FakeLabel>,
    pub milestones: Vec<FakeMilestone>,
    /// Webhooks, as the forge answers them (GitHub: `events` and `config`; GitLab: one
    /// boolean per trigger); a secret / token is kept but never answered.
    pub hooks: Vec<serde_json::Value>,
}

#[derive(Debug)]
pub(super) struct Fault {
    pub method: String,
    pub path_prefix: String,
    pub status: u16,
    pub retry_after: Option<u64>,
    pub remaining: u32,
    /// The request is applied first (the write lands), then answered with the failure.
    pub after: bool,
}

/// Everything the fake knows; routes in `fake_github.rs` / `fake_gitlab.rs` work on it.
#[derive(Debug, Default)]
pub(super) struct State {
    pub repos: BTreeMap<String, FakeRepo>,
    pub users: Vec<FakeUser>,
    pub calls: Vec<Call>,
    pub faults: Vec<Fault>,
    /// Random faults (`fake_faults.rs`), when a test asked for them.
    pub chaos: Option<super::fake_faults::Chaos>,
    /// The account a token acts as, when a test names one (GitHub `GET /user` and the
    /// App's slug from `GET /app`; GitLab `GET /api/v4/user`).
    pub github_self: Option<String>,
    pub gitlab_self: Option<String>,
    /// Tags, files, branches, merge requests and pipelines (`fake_release.rs`).
    pub release: super::fake_release::ReleaseState,
    /// (repo, sha) → commit statuses set, oldest first.
    pub statuses: BTreeMap<(String, String), Vec<super::fake_checks::FakeStatus>>,
    /// Release objects, pipeline jobs and the webhook outbox (`fake_publish.rs`).
    pub publish: super::fake_publish::PublishState,
    /// Headers sent with every answer (the forges' rate-limit headers).
    pub extra_headers: Vec<(String, String)>,
    next_id: u64,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn user(&self, login: &str) -> Option<&FakeUser> {
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// A repo by path or (GitLab) numeric id.
    pub fn repo_key(&self, id_or_path: &str) -> Option<String> {
        if self.repos.contains_key(id_or_path) {
            return Some(id_or_path.to_string());
        }
        let id: u64 = id_or_path.parse().ok()?;
        self.repos
            .iter()
            .find(|(_, r)| r.id == id)
            .map(|(k, _)| k.clone())
    }

    /// Set colour and description of label `name` (created first if need be), as the forge
    /// stores them; `color` with or without `#`.
    pub fn style_label(
        &mut self,
        repo: &str,
        name: &str,
        color: Option<&str>,
        description: Option<&str>,
    ) -> Option<&FakeLabel> {
        let name = self.ensure_label(repo, name);
        let label = self
            .repos
            .get_mut(repo)?
            .labels
            .iter_mut()
            .find(|l| l.name == name)?;
        if let Some(color) = color {
            label.color = color.trim_start_matches('#').to_ascii_lowercase();
        }
        if let Some(description) = description {
            label.description = description.to_string();
        }
        Some(label)
    }

    /// Labels are created on first use, as both forges do when an issue is labelled.
    pub fn ensure_label(&mut self, repo: &str, name: &str) -> String {
        let exists = self.repos[repo]
            .labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
            .map(|l| l.name.clone());
        match exists {
            Some(existing) => existing,
            None => {
                let id = self.next_id();
                self.repos.get_mut(repo).unwrap().labels.push(FakeLabel {
                    id,
                    name: name.to_string(),
                    color: "ededed".into(),
                    description: String::new(),
                });
                name.to_string()
            }
        }
    }
}

/// What a route answers.
pub(super) struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    pub unrouted: bool,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
            unrouted: false,
        }
    }

    /// 404 for a method + path the fake does not implement (recorded as `unrouted`).
    pub fn unrouted() -> Reply {
        Reply {
            unrouted: true,
            ..Reply::error(404, "fake forge: no such route")
        }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub fn created(body: Value) -> Reply {
        Reply::json(201, body)
    }

    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({ "message": message }))
    }
}

/// Decode `%XX` escapes (`+` stays `+`: it means a space only in queries).
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query parameters, decoded.
pub(super) fn query_map(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let plus = |s: &str| s.replace('+', " ");
            (percent_decode(&plus(k)), percent_decode(&plus(v)))
        })
        .collect()
}

/// One page of `items` as asked for by `per_page` / `page`.
pub(super) fn paginate(items: Vec<Value>, query: &BTreeMap<String, String>) -> Value {
    let per_page: usize = query
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let page: usize = query
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    Value::Array(
        items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect(),
    )
}

/// The reply of a pending injected fault matching this call, if any.
pub(super) fn injected_fault(
    state: &mut State,
    method: &str,
    raw_path: &str,
    path: &str,
) -> Option<(Reply, bool)> {
    let fault = state.faults.iter_mut().find(|f| {
        f.remaining > 0
            && f.method == method
            && (path.starts_with(&f.path_prefix) || raw_path.starts_with(&f.path_prefix))
    })?;
    fault.remaining -= 1;
    let after = fault.after;
    let mut reply = Reply::error(fault.status, &format!("injected failure {}", fault.status));
    if let Some(secs) = fault.retry_after {
        reply
            .headers
            .push(("Retry-After".to_string(), secs.to_string()));
    }
    state.faults.retain(|f| f.remaining > 0);
    Some((reply, after))
}
