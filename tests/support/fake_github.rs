//! GitHub REST routes of the fake forge (shapes per `@octokit/openapi`, trimmed to the
//! fields forgehand reads plus a few for realism).

use super::fake_state::{paginate, FakeComment, FakeIssue, FakeMilestone, Reply, State};
use forgehand::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

/// The account the test token acts as (`GET /user`) and the App's slug (`GET /app`), unless
/// a test names another with [`super::FakeForge::set_own_login`].
pub const BOT_LOGIN: &str = "forgehand";

pub(super) fn route(
    state: &mut State,
    method: &str,
    segs: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    match (method, segs) {
        ("POST", ["app", "installations", id, "access_tokens"]) => Reply::created(json!({
            "token": format!("ghs_fake_installation_{id}"),
            "expires_at": "2099-01-01T00:00:00Z",
            "permissions": { "issues": "write", "pull_requests": "write" },
            "repository_selection": "all",
        })),
        ("GET", ["app", "installations"]) => {
            let mut ids: Vec<u64> = state.repos.values().map(|r| r.installation_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let list = ids.into_iter().map(|id| json!({ "id": id })).collect();
            Reply::ok(paginate(list, query))
        }
        ("GET", ["user"]) => Reply::ok(json!({
            "login": state.github_self.as_deref().unwrap_or(BOT_LOGIN), "id": 1, "type": "User",
        })),
        ("GET", ["app"]) => Reply::ok(json!({
            "id": 1, "slug": state.github_self.as_deref().unwrap_or(BOT_LOGIN), "name": "forgehand",
        })),
        ("GET", ["users", login]) => match state.user(login) {
            Some(u) => Reply::ok(json!({ "login": u.login, "id": u.id, "type": "User" })),
            None => not_found(),
        },
        (_, ["repos", owner, name, rest @ ..]) => {
            let repo = format!("{owner}/{name}");
            if !state.repos.contains_key(&repo) {
                return not_found();
            }
            repo_route(state, &repo, method, rest, query, body)
        }
        _ => Reply::unrouted(),
    }
}

fn not_found() -> Reply {
    Reply::json(
        404,
        json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest" }),
    )
}

fn validation_failed(field: &str, value: &Value) -> Reply {
    Reply::json(
        422,
        json!({
            "message": "Validation Failed",
            "errors": [{ "value": value, "resource": "Issue", "field": field, "code": "invalid" }],
            "documentation_url": "https://docs.github.com/rest/issues/issues#update-an-issue",
        }),
    )
}

fn repo_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    if let Some(reply) = super::fake_checks::github_route(state, repo, method, rest, body) {
        return reply;
    }
    if let Some(reply) = super::fake_release_github::route(state, repo, method, rest, query, body) {
        return reply;
    }
    match (method, rest) {
        ("GET", ["installation"]) => Reply::ok(json!({
            "id": state.repos[repo].installation_id,
            "account": { "login": repo.split('/').next() },
        })),
        ("GET", ["labels"]) => {
            let labels = state.repos[repo]
                .labels
                .iter()
                .map(|l| json!({ "id": l.id, "name": l.name, "color": l.color, "description": (!l.description.is_empty()).then_some(&l.description), "default": false }))
                .collect();
            Reply::ok(paginate(labels, query))
        }
        ("POST", ["labels"]) => create_label(state, repo, body),
        ("GET", ["hooks"]) => {
            let hooks = state.repos[repo].hooks.iter().map(redact_hook).collect();
            Reply::ok(paginate(hooks, query))
        }
        ("POST", ["hooks"]) => {
            if !body["events"].is_array() || !body["config"]["url"].is_string() {
                return validation_failed("config", &body["config"]);
            }
            let id = state.next_id();
            let mut hook = body.clone();
            hook["id"] = json!(id);
            hook["type"] = json!("Repository");
            state.repos.get_mut(repo).unwrap().hooks.push(hook.clone());
            Reply::created(redact_hook(&hook))
        }
        ("PATCH", ["hooks", id]) => {
            let hooks = &mut state.repos.get_mut(repo).unwrap().hooks;
            let Some(hook) = hooks
                .iter_mut()
                .find(|h| h["id"].as_u64().is_some_and(|n| n.to_string() == *id))
            else {
                return Reply::error(404, "Not Found");
            };
            for key in ["events", "active", "config"] {
                if !body[key].is_null() {
                    hook[key] = body[key].clone();
                }
            }
            Reply::ok(redact_hook(hook))
        }
        ("PATCH", ["labels", name]) => {
            let known = state.repos[repo]
                .labels
                .iter()
                .any(|l| l.name.eq_ignore_ascii_case(name));
            let color = body["color"].as_str();
            if !known {
                return Reply::error(404, "Not Found");
            }
            if color.is_some_and(|c| c.starts_with('#') || c.len() != 6) {
                return validation_failed("color", &body["color"]);
            }
            let label = state
                .style_label(repo, name, color, body["description"].as_str())
                .cloned()
                .expect("label exists");
            Reply::ok(
                json!({ "id": label.id, "name": label.name, "color": label.color, "description": label.description }),
            )
        }
        ("GET", ["milestones"]) => {
            let wanted = query.get("state").map(String::as_str).unwrap_or("open");
            let milestones = state.repos[repo]
                .milestones
                .iter()
                .filter(|m| wanted == "all" || m.state == wanted)
                .map(milestone_json)
                .collect();
            Reply::ok(paginate(milestones, query))
        }
        ("GET", ["collaborators", login, "permission"]) => match state.user(login) {
            None => not_found(),
            Some(user) => {
                let permission = match user.role {
                    Some(Role::Owner) => "admin",
                    Some(Role::Maintainer) => "write",
                    Some(Role::Reader) => "read",
                    None => "none",
                };
                Reply::ok(json!({
                    "permission": permission,
                    "role_name": permission,
                    "user": { "login": user.login, "id": user.id },
                }))
            }
        },
        ("POST", ["issues", "comments", id, "reactions"]) => {
            let content = body["content"].as_str().unwrap_or_default().to_string();
            let Ok(id) = id.parse::<u64>() else {
                return not_found();
            };
            let comment = state
                .repos
                .get_mut(repo)
                .unwrap()
                .comments
                .values_mut()
                .flatten()
                .find(|c| c.id == id);
            match comment {
                None => not_found(),
                Some(c) if c.reactions.contains(&content) => {
                    Reply::ok(json!({ "id": id, "content": content }))
                }
                Some(c) => {
                    c.reactions.push(content.clone());
                    Reply::created(json!({ "id": id, "content": content }))
                }
            }
        }
        (_, ["issues", number, rest @ ..]) => {
            let Some(number) = number.parse::<u64>().ok() else {
                return not_found();
            };
            if !state.repos[repo].issues.contains_key(&number) {
                return not_found();
            }
            issue_route(state, repo, number, method, rest, query, body)
        }
        _ => Reply::unrouted(),
    }
}

fn issue_route(
    state: &mut State,
    repo: &str,
    number: u64,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    match (method, rest) {
        ("GET", []) => Reply::ok(issue_json(state, repo, number)),
        ("PATCH", []) => patch_issue(state, repo, number, body),
        ("POST", ["labels"]) => {
            let Some(names) = label_names(&body["labels"]) else {
                return validation_failed("labels", &body["labels"]);
            };
            for name in names {
                let name = state.ensure_label(repo, &name);
                let issue = issue_mut(state, repo, number);
                if !issue.labels.iter().any(|l| l.eq_ignore_ascii_case(&name)) {
                    issue.labels.push(name);
                }
            }
            Reply::ok(issue_json(state, repo, number)["labels"].clone())
        }
        ("GET", ["comments"]) => {
            let comments = state.repos[repo]
                .comments
                .get(&number)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|c| json!({ "id": c.id, "body": c.body, "user": { "login": c.author } }))
                .collect();
            Reply::ok(paginate(comments, query))
        }
        ("POST", ["comments"]) => {
            let Some(text) = body["body"].as_str() else {
                return validation_failed("body", &body["body"]);
            };
            let id = state.next_id();
            let comment = FakeComment {
                id,
                body: text.to_string(),
                author: "forgehand[bot]".into(),
                reactions: vec![],
            };
            let repo_state = state.repos.get_mut(repo).unwrap();
            repo_state.comments.entry(number).or_default().push(comment);
            Reply::created(json!({ "id": id, "body": text, "user": { "login": "forgehand[bot]" } }))
        }
        _ => Reply::unrouted(),
    }
}

fn issue_mut<'a>(state: &'a mut State, repo: &str, number: u64) -> &'a mut FakeIssue {
    state
        .repos
        .get_mut(repo)
        .unwrap()
        .issues
        .get_mut(&number)
        .unwrap()
}

/// `labels` as strings or `{ "name": … }` objects.
fn label_names(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().or_else(|| v["name"].as_str()).map(String::from))
        .collect()
}

fn patch_issue(state: &mut State, repo: &str, number: u64, body: &Value) -> Reply {
    let Some(fields) = body.as_object() else {
        return validation_failed("body", body);
    };
    // Validate everything first so that a 422 changes nothing.
    let milestone = match fields.get("milestone") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let found = v.as_u64().and_then(|n| {
                state.repos[repo]
                    .milestones
                    .iter()
                    .find(|m| m.number == n)
                    .map(|m| m.title.clone())
            });
            match found {
                Some(title) => Some(Some(title)),
                None => return validation_failed("milestone", v),
            }
        }
    };
    let labels = match fields.get("labels") {
        None => None,
        Some(v) => match label_names(v) {
            Some(names) => Some(names),
            None => return validation_failed("labels", v),
        },
    };
    let labels = labels.map(|names| {
        names
            .iter()
            .map(|n| state.ensure_label(repo, n))
            .collect::<Vec<_>>()
    });
    // GitHub drops assignees who cannot be assigned.
    let assignees = fields.get("assignees").map(|v| {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|login| state.user(login).map(|u| u.login.clone()))
            .collect::<Vec<_>>()
    });
    let new_state = match fields.get("state").map(|v| v.as_str()) {
        None => None,
        Some(Some(s @ ("open" | "closed"))) => Some(s.to_string()),
        Some(_) => return validation_failed("state", &fields["state"]),
    };
    let issue = issue_mut(state, repo, number);
    if let Some(m) = milestone {
        issue.milestone = m;
    }
    if let Some(labels) = labels {
        issue.labels = labels;
    }
    if let Some(assignees) = assignees {
        issue.assignees = assignees;
    }
    if let Some(s) = new_state {
        issue.set_state(&s);
    }
    Reply::ok(issue_json(state, repo, number))
}

fn milestone_json(m: &FakeMilestone) -> Value {
    json!({
        "id": m.id,
        "number": m.number,
        "title": m.title,
        "state": m.state,
        "description": null,
        "due_on": m.due_date.as_ref().map(|d| format!("{d}T07:00:00Z")),
        "open_issues": 0,
        "closed_issues": 0,
    })
}

fn issue_json(state: &State, repo: &str, number: u64) -> Value {
    let r = &state.repos[repo];
    let issue = &r.issues[&number];
    let label = |name: &String| {
        let id = r.labels.iter().find(|l| &l.name == name).map(|l| l.id);
        json!({ "id": id, "name": name, "color": "ededed" })
    };
    let user = |login: &String| {
        let id = state.user(login).map(|u| u.id);
        json!({ "login": login, "id": id, "type": "User" })
    };
    let milestone = issue
        .milestone
        .as_ref()
        .and_then(|t| r.milestones.iter().find(|m| &m.title == t))
        .map(milestone_json);
    let mut json = json!({
        "id": r.id * 100_000 + number,
        "number": number,
        "title": issue.title,
        "state": issue.state,
        "labels": issue.labels.iter().map(label).collect::<Vec<_>>(),
        "milestone": milestone,
        "assignees": issue.assignees.iter().map(user).collect::<Vec<_>>(),
        "user": { "login": issue.author },
    });
    if issue.is_merge_request {
        json["pull_request"] = json!({ "url": format!("/repos/{repo}/pulls/{number}") });
    }
    json
}

/// A hook as GitHub shows it: the secret masked.
fn redact_hook(hook: &Value) -> Value {
    let mut hook = hook.clone();
    if hook["config"]["secret"].is_string() {
        hook["config"]["secret"] = json!("********");
    }
    hook
}

/// `POST /repos/{owner}/{name}/labels`: 422 if the name is taken.
fn create_label(state: &mut State, repo: &str, body: &Value) -> Reply {
    let Some(name) = body["name"].as_str().filter(|n| !n.is_empty()) else {
        return validation_failed("name", &body["name"]);
    };
    let taken = state.repos[repo]
        .labels
        .iter()
        .any(|l| l.name.eq_ignore_ascii_case(name));
    if taken {
        return Reply::json(
            422,
            json!({ "message": "Validation Failed", "errors": [{ "resource": "Label", "code": "already_exists", "field": "name" }] }),
        );
    }
    let color = body["color"].as_str();
    if color.is_some_and(|c| c.starts_with('#') || c.len() != 6) {
        return validation_failed("color", &body["color"]);
    }
    let label = state
        .style_label(repo, name, color, body["description"].as_str())
        .cloned()
        .expect("label exists");
    Reply::created(
        json!({ "name": label.name, "color": label.color, "description": label.description }),
    )
}
