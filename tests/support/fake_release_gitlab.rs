//! GitLab release routes of the fake forge, under `/api/v4/projects/:id/`: repository
//! tags, files, compare and branches, merge requests, issues and pipelines.

use super::fake_release::{
    add_commit, b64, body_of, compare, head, label_filter, new_item, ref_exists, set_branch,
    store_text, FakeMr,
};
use super::fake_state::{paginate, Reply, State};
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

/// GitLab: routes under `/api/v4/projects/:id/`.
pub(super) fn route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    if let Some(reply) = super::fake_publish::gitlab_route(state, repo, method, rest, query, body) {
        return Some(reply);
    }
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
            let branch = key.1.clone();
            state
                .release
                .files
                .insert(key, body["content"].as_str()?.to_string());
            add_commit(state, repo, &branch);
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
            Reply::ok(json!({ "name": name, "commit": { "id": head(state, repo, name) } }))
        }
        ("DELETE", ["repository", "branches", name]) => {
            let branches = state.release.branches.entry(repo.into()).or_default();
            let Some(at) = branches.iter().position(|b| b == name) else {
                return Some(Reply::error(404, "404 Branch Not Found"));
            };
            branches.remove(at);
            state
                .release
                .branch_history
                .remove(&(repo.to_string(), name.to_string()));
            // GitLab closes the open merge requests whose source branch is deleted.
            let closed: Vec<u64> = state
                .release
                .mrs
                .iter_mut()
                .filter(|((r, _), mr)| r == repo && mr.source == *name && mr.state == "open")
                .map(|((_, n), mr)| {
                    mr.state = "closed".into();
                    *n
                })
                .collect();
            for number in closed {
                if let Some(issue) = state.repos.get_mut(repo).unwrap().issues.get_mut(&number) {
                    issue.set_state("closed");
                }
            }
            Reply::json(204, Value::Null)
        }
        ("GET", ["repository", "commits", sha, "comments"]) => {
            let key = (repo.to_string(), head(state, repo, sha));
            let list = state
                .release
                .commit_comments
                .get(&key)
                .cloned()
                .unwrap_or_default();
            let list = list
                .into_iter()
                .map(|note| json!({ "note": note, "author": { "username": "forgehand" } }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["repository", "commits", sha, "comments"]) => {
            let key = (repo.to_string(), head(state, repo, sha));
            let note = body["note"].as_str()?.to_string();
            state
                .release
                .commit_comments
                .entry(key)
                .or_default()
                .push(note.clone());
            Reply::created(json!({ "note": note, "author": { "username": "forgehand" } }))
        }
        ("GET", ["repository", "branches", _]) => Reply::error(404, "404 Branch Not Found"),
        ("POST", ["repository", "branches"]) => {
            let name = body["branch"].as_str()?.to_string();
            if ref_exists(state, repo, &name) {
                return Some(Reply::error(400, "Branch already exists"));
            }
            let from = body["ref"].as_str().unwrap_or_default().to_string();
            set_branch(state, repo, &name, &from);
            Reply::created(json!({ "name": name, "commit": { "id": head(state, repo, &name) } }))
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
        ("PUT", ["issues", iid]) => {
            // Keep the description, then let the general route apply the rest.
            let number: u64 = iid.parse().ok()?;
            store_text(state, repo, number, None, body["description"].as_str());
            return None;
        }
        ("PUT", ["merge_requests", iid]) => {
            let number: u64 = iid.parse().ok()?;
            let wanted = match body["state_event"].as_str() {
                Some("close") => Some("closed"),
                Some("reopen") => Some("open"),
                _ => None,
            };
            if let (Some(wanted), Some(mr)) = (
                wanted,
                state.release.mrs.get_mut(&(repo.to_string(), number)),
            ) {
                if mr.state != "merged" {
                    mr.state = wanted.to_string();
                }
            }
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
            let mut list: Vec<Value> = state.repos[repo].issues.values()
                .filter(|i| !i.is_merge_request)
                .filter(|i| wanted == "all" || (wanted == "opened") == (i.state == "open"))
                .filter(|i| label_filter(i, query))
                .map(|i| json!({
                    "iid": i.number, "title": i.title, "description": body_of(state, repo, i.number),
                    "state": if i.state == "open" { "opened" } else { "closed" },
                    "closed_at": i.closed_at, "labels": i.labels,
                    "web_url": format!("https://gitlab.com/{repo}/-/issues/{}", i.number),
                }))
                .collect();
            // Iids grow with creation time: newest first when asked.
            if query.get("sort").is_some_and(|d| d == "desc") {
                list.reverse();
            }
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
