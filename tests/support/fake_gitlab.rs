//! GitLab REST routes of the fake forge (under `/api/v4`; a project `:id` is its numeric id
//! or its URL-encoded path). Behaves like GitLab Free: no automatic scoped-label removal.

use super::fake_state::{paginate, FakeComment, FakeIssue, FakeMilestone, Reply, State};
use forgehand::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

/// The user the token belongs to (`GET /api/v4/user`).
pub const BOT_USER_ID: u64 = 999_999;
pub const BOT_USERNAME: &str = "forgehand-bot";

pub(super) fn route(
    state: &mut State,
    method: &str,
    segs: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    match (method, segs) {
        ("GET", ["user"]) => Reply::ok(json!({
            "id": BOT_USER_ID, "username": state.gitlab_self.as_deref().unwrap_or(BOT_USERNAME), "name": "forgehand", "state": "active", "bot": true,
        })),
        ("GET", ["users"]) => {
            let wanted = query.get("username").cloned().unwrap_or_default();
            let users = state
                .users
                .iter()
                .filter(|u| wanted.is_empty() || u.login.eq_ignore_ascii_case(&wanted))
                .map(|u| json!({ "id": u.id, "username": u.login, "name": u.login, "state": "active" }))
                .collect();
            Reply::ok(paginate(users, query))
        }
        (_, ["projects", id, rest @ ..]) => match state.repo_key(id) {
            Some(repo) => project_route(state, &repo, method, rest, query, body),
            None => not_found("Project"),
        },
        _ => Reply::unrouted(),
    }
}

fn not_found(what: &str) -> Reply {
    let message = if what.is_empty() {
        "404 Not Found".to_string()
    } else {
        format!("404 {what} Not Found")
    };
    Reply::error(404, &message)
}

fn project_route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    if let Some(reply) = super::fake_checks::gitlab_route(state, repo, method, rest, body) {
        return reply;
    }
    if let Some(reply) = super::fake_release_gitlab::route(state, repo, method, rest, query, body) {
        return reply;
    }
    match (method, rest) {
        ("GET", ["labels"]) => {
            let labels = state.repos[repo]
                .labels
                .iter()
                .map(|l| json!({ "id": l.id, "name": l.name, "color": format!("#{}", l.color), "description": (!l.description.is_empty()).then_some(&l.description) }))
                .collect();
            Reply::ok(paginate(labels, query))
        }
        ("POST", ["labels"]) => {
            let name = body["name"].as_str().unwrap_or_default();
            let taken = state.repos[repo]
                .labels
                .iter()
                .any(|l| l.name.eq_ignore_ascii_case(name));
            if name.is_empty() || !body["color"].as_str().is_some_and(|c| c.starts_with('#')) {
                Reply::json(400, json!({ "message": "name or color is invalid" }))
            } else if taken {
                Reply::json(409, json!({ "message": "Label already exists" }))
            } else {
                let label = state
                    .style_label(
                        repo,
                        name,
                        body["color"].as_str(),
                        body["description"].as_str(),
                    )
                    .cloned()
                    .expect("label exists");
                Reply::created(
                    json!({ "id": label.id, "name": label.name, "color": format!("#{}", label.color) }),
                )
            }
        }
        ("GET", ["hooks"]) => {
            let hooks = state.repos[repo]
                .hooks
                .iter()
                .map(redact_gitlab_hook)
                .collect();
            Reply::ok(paginate(hooks, query))
        }
        ("POST", ["hooks"]) => {
            if !body["url"].is_string() {
                return Reply::json(400, json!({ "message": "url is missing" }));
            }
            let id = state.next_id();
            let mut hook = body.clone();
            hook["id"] = json!(id);
            state.repos.get_mut(repo).unwrap().hooks.push(hook.clone());
            Reply::created(redact_gitlab_hook(&hook))
        }
        ("PUT", ["hooks", id]) => {
            let hooks = &mut state.repos.get_mut(repo).unwrap().hooks;
            let Some(hook) = hooks
                .iter_mut()
                .find(|h| h["id"].as_u64().is_some_and(|n| n.to_string() == *id))
            else {
                return Reply::json(404, json!({ "message": "404 Not found" }));
            };
            for (key, value) in body.as_object().into_iter().flatten() {
                hook[key] = value.clone();
            }
            Reply::ok(redact_gitlab_hook(hook))
        }
        // `label_id` is the label's id or its name.
        ("PUT", ["labels", id_or_name]) => {
            let found = state.repos[repo]
                .labels
                .iter()
                .find(|l| l.id.to_string() == *id_or_name || l.name == *id_or_name)
                .map(|l| l.name.clone());
            let Some(name) = found else {
                return Reply::json(404, json!({ "message": "404 Label Not Found" }));
            };
            if body["color"].as_str().is_some_and(|c| !c.starts_with('#')) {
                return Reply::json(400, json!({ "message": "color is invalid" }));
            }
            let label = state
                .style_label(
                    repo,
                    &name,
                    body["color"].as_str(),
                    body["description"].as_str(),
                )
                .cloned()
                .expect("label exists");
            Reply::ok(
                json!({ "id": label.id, "name": label.name, "color": format!("#{}", label.color), "description": label.description }),
            )
        }
        ("GET", ["milestones"]) => {
            let wanted = query.get("state").cloned();
            let milestones = state.repos[repo]
                .milestones
                .iter()
                .filter(|m| match wanted.as_deref() {
                    Some("active") => m.state == "open",
                    Some("closed") => m.state == "closed",
                    _ => true,
                })
                .map(|m| milestone_json(state.repos[repo].id, m))
                .collect();
            Reply::ok(paginate(milestones, query))
        }
        ("GET", ["members", "all", user_id]) => {
            let user = user_id
                .parse::<u64>()
                .ok()
                .and_then(|id| state.users.iter().find(|u| u.id == id));
            match user.and_then(|u| Some((u, u.role?))) {
                Some((user, role)) => Reply::ok(json!({
                    "id": user.id,
                    "username": user.login,
                    "state": "active",
                    "access_level": match role { Role::Owner => 50, Role::Maintainer => 40, Role::Reader => 20 },
                })),
                None => not_found(""),
            }
        }
        (_, [kind @ ("issues" | "merge_requests"), iid, rest @ ..]) => {
            let wants_mr = *kind == "merge_requests";
            let found = iid.parse::<u64>().ok().filter(|n| {
                state.repos[repo]
                    .issues
                    .get(n)
                    .is_some_and(|i| i.is_merge_request == wants_mr)
            });
            match found {
                Some(iid) => item_route(state, repo, iid, method, rest, query, body),
                None => not_found(""),
            }
        }
        _ => Reply::unrouted(),
    }
}

fn item_route(
    state: &mut State,
    repo: &str,
    iid: u64,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Reply {
    match (method, rest) {
        ("GET", []) => Reply::ok(item_json(state, repo, iid)),
        ("PUT", []) => update_item(state, repo, iid, body),
        ("GET", ["notes"]) => {
            // GitLab lists notes newest first by default.
            let notes = state.repos[repo]
                .comments
                .get(&iid)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .rev()
                .map(|c| note_json(state, &c))
                .collect();
            Reply::ok(paginate(notes, query))
        }
        ("POST", ["notes"]) => {
            let Some(text) = body["body"].as_str().filter(|t| !t.trim().is_empty()) else {
                return Reply::json(400, json!({ "message": { "note": ["can't be blank"] } }));
            };
            let id = state.next_id();
            let comment = FakeComment {
                id,
                body: text.to_string(),
                author: BOT_USERNAME.into(),
                reactions: vec![],
            };
            let json = note_json(state, &comment);
            let comments = &mut state.repos.get_mut(repo).unwrap().comments;
            comments.entry(iid).or_default().push(comment);
            Reply::created(json)
        }
        ("POST", ["notes", note_id, "award_emoji"]) => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            let Ok(note_id) = note_id.parse::<u64>() else {
                return not_found("");
            };
            let comments = &mut state.repos.get_mut(repo).unwrap().comments;
            let note = comments
                .get_mut(&iid)
                .and_then(|cs| cs.iter_mut().find(|c| c.id == note_id));
            match note {
                None => not_found("Note"),
                Some(n) if n.reactions.contains(&name) => {
                    Reply::error(404, "404 Award Emoji Name has already been taken")
                }
                Some(n) => {
                    n.reactions.push(name.clone());
                    let id = note_id * 10 + n.reactions.len() as u64;
                    Reply::created(
                        json!({ "id": id, "name": name, "awardable_id": note_id, "awardable_type": "Note" }),
                    )
                }
            }
        }
        _ => Reply::unrouted(),
    }
}

/// `add_labels` / `remove_labels` / `labels` as a comma-separated string or an array.
fn label_list(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        ),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        ),
        _ => Some(Vec::new()),
    }
}

fn update_item(state: &mut State, repo: &str, iid: u64, body: &Value) -> Reply {
    // Validate first so that an error changes nothing.
    let milestone = match body.get("milestone_id") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) if v.as_u64() == Some(0) || v.as_str() == Some("") => Some(None),
        Some(v) => {
            let found = v.as_u64().and_then(|id| {
                let milestones = &state.repos[repo].milestones;
                milestones
                    .iter()
                    .find(|m| m.id == id)
                    .map(|m| m.title.clone())
            });
            match found {
                Some(title) => Some(Some(title)),
                None => return not_found("Milestone"),
            }
        }
    };
    let assignees = body.get("assignee_ids").map(|v| {
        let ids: Vec<u64> = match v {
            Value::Array(items) => items.iter().filter_map(Value::as_u64).collect(),
            other => other.as_u64().into_iter().collect(),
        };
        ids.into_iter()
            .filter_map(|id| state.users.iter().find(|u| u.id == id))
            .map(|u| u.login.clone())
            .collect::<Vec<_>>()
    });
    let new_state = match body.get("state_event").and_then(Value::as_str) {
        None => None,
        Some("close") => Some("closed".to_string()),
        Some("reopen") => Some("open".to_string()),
        Some(_) => {
            return Reply::json(
                400,
                json!({ "error": "state_event does not have a valid value" }),
            )
        }
    };
    let replace = label_list(body.get("labels"));
    let add = label_list(body.get("add_labels")).unwrap_or_default();
    let remove = label_list(body.get("remove_labels")).unwrap_or_default();
    let replace = replace.map(|names| {
        names
            .iter()
            .map(|n| state.ensure_label(repo, n))
            .collect::<Vec<_>>()
    });
    let add: Vec<String> = add.iter().map(|n| state.ensure_label(repo, n)).collect();

    let issue = issue_mut(state, repo, iid);
    if let Some(labels) = replace {
        issue.labels = labels;
    }
    for label in add {
        if !issue.labels.contains(&label) {
            issue.labels.push(label);
        }
    }
    issue.labels.retain(|l| !remove.contains(l));
    if let Some(m) = milestone {
        issue.milestone = m;
    }
    if let Some(a) = assignees {
        issue.assignees = a;
    }
    if let Some(s) = new_state {
        issue.set_state(&s);
    }
    Reply::ok(item_json(state, repo, iid))
}

fn issue_mut<'a>(state: &'a mut State, repo: &str, iid: u64) -> &'a mut FakeIssue {
    state
        .repos
        .get_mut(repo)
        .unwrap()
        .issues
        .get_mut(&iid)
        .unwrap()
}

fn milestone_json(project_id: u64, m: &FakeMilestone) -> Value {
    json!({
        "id": m.id,
        "iid": m.number,
        "project_id": project_id,
        "title": m.title,
        "state": if m.state == "open" { "active" } else { "closed" },
        "start_date": m.start_date,
        "due_date": m.due_date,
    })
}

fn note_json(state: &State, c: &FakeComment) -> Value {
    let author_id = state.user(&c.author).map(|u| u.id).unwrap_or(BOT_USER_ID);
    json!({
        "id": c.id,
        "body": c.body,
        "author": { "id": author_id, "username": c.author },
        "system": false,
    })
}

fn item_json(state: &State, repo: &str, iid: u64) -> Value {
    let r = &state.repos[repo];
    let issue = &r.issues[&iid];
    let milestone = issue
        .milestone
        .as_ref()
        .and_then(|t| r.milestones.iter().find(|m| &m.title == t))
        .map(|m| milestone_json(r.id, m));
    let assignees: Vec<Value> = issue
        .assignees
        .iter()
        .filter_map(|login| state.user(login))
        .map(|u| json!({ "id": u.id, "username": u.login, "name": u.login }))
        .collect();
    json!({
        "id": r.id * 100_000 + iid,
        "iid": iid,
        "project_id": r.id,
        "title": issue.title,
        "state": if issue.state == "open" { "opened" } else { "closed" },
        "labels": issue.labels,
        "milestone": milestone,
        "assignee": assignees.first(),
        "assignees": assignees,
        "author": { "username": issue.author },
    })
}

/// A hook as GitLab shows it: never its token.
fn redact_gitlab_hook(hook: &Value) -> Value {
    let mut hook = hook.clone();
    if let Some(map) = hook.as_object_mut() {
        map.remove("token");
    }
    hook
}
