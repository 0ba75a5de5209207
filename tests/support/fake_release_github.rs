//! GitHub release routes of the fake forge, under `/repos/{owner}/{name}/`: tags,
//! contents, compare, pulls, branches, git refs, issues and workflow runs.

use super::fake_release::{
    add_commit, b64, body_of, compare, head, history, label_filter, new_item, ref_exists,
    set_branch, store_text, FakeMr,
};
use super::fake_state::{paginate, Reply, State};
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Query = BTreeMap<String, String>;

/// GitHub: routes under `/repos/{owner}/{name}/`.
pub(super) fn route(
    state: &mut State,
    repo: &str,
    method: &str,
    rest: &[&str],
    query: &Query,
    body: &Value,
) -> Option<Reply> {
    if let Some(reply) = super::fake_publish::github_route(state, repo, method, rest, query, body) {
        return Some(reply);
    }
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
            let branch = key.1.clone();
            state
                .release
                .files
                .insert(key, String::from_utf8(bytes).unwrap_or_default());
            add_commit(state, repo, &branch);
            Reply::ok(json!({ "content": {}, "commit": { "sha": "c0ffee" } }))
        }
        ("GET", ["compare", range]) => {
            let (from, to) = range.split_once("...")?;
            let ahead = compare(state, repo, from, to);
            let behind = compare(state, repo, to, from);
            let status = match (ahead.is_empty(), behind.is_empty()) {
                (true, true) => "identical",
                (false, true) => "ahead",
                (true, false) => "behind",
                (false, false) => "diverged",
            };
            let commits: Vec<Value> = ahead.iter().map(|s| json!({ "sha": s })).collect();
            Reply::ok(json!({
                "status": status, "ahead_by": ahead.len(), "behind_by": behind.len(),
                "total_commits": ahead.len(), "commits": commits,
            }))
        }
        ("GET", ["commits", sha, "comments"]) => {
            let key = (repo.to_string(), head(state, repo, sha));
            let list = state
                .release
                .commit_comments
                .get(&key)
                .cloned()
                .unwrap_or_default();
            let list = list
                .into_iter()
                .enumerate()
                .map(|(i, body)| json!({ "id": i + 1, "body": body, "commit_id": key.1 }))
                .collect();
            Reply::ok(paginate(list, query))
        }
        ("POST", ["commits", sha, "comments"]) => {
            let key = (repo.to_string(), head(state, repo, sha));
            let text = body["body"].as_str()?.to_string();
            let list = state.release.commit_comments.entry(key).or_default();
            list.push(text);
            Reply::created(json!({ "id": list.len(), "body": list.last() }))
        }
        ("PATCH", ["git", "refs", "heads", name @ ..]) => {
            let name = name.join("/");
            let Some(sha) = body["sha"].as_str() else {
                return Some(Reply::error(
                    422,
                    "Invalid request. \"sha\" wasn't supplied.",
                ));
            };
            let exists = state
                .release
                .branches
                .get(repo)
                .is_some_and(|b| b.contains(&name));
            if !exists {
                return Some(Reply::error(422, "Reference does not exist"));
            }
            let old = head(state, repo, &name);
            let fast_forward = history(state, repo, sha).contains(&old);
            if !fast_forward && body["force"] != json!(true) {
                return Some(Reply::error(422, "Update is not a fast forward"));
            }
            set_branch(state, repo, &name, sha);
            Reply::ok(json!({ "ref": format!("refs/heads/{name}"), "object": { "sha": sha } }))
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
            // GitHub refuses a pull request whose head has nothing the base lacks (where the
            // test gave both histories).
            let known =
                !history(state, repo, &head).is_empty() && !history(state, repo, &base).is_empty();
            if known && compare(state, repo, &base, &head).is_empty() {
                let message = format!("Validation Failed: No commits between {base} and {head}");
                return Some(Reply::error(422, &message));
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
            if let Some(wanted) = body["state"].as_str() {
                if let Some(mr) = state.release.mrs.get_mut(&(repo.to_string(), number)) {
                    if mr.state != "merged" {
                        mr.state = wanted.to_string();
                    }
                }
            }
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
            Reply::ok(json!({ "name": name, "commit": { "sha": head(state, repo, name) } }))
        }
        ("GET", ["branches", _]) => Reply::error(404, "Branch not found"),
        ("GET", ["commits", git_ref]) if ref_exists(state, repo, git_ref) || *git_ref == "main" => {
            Reply::ok(json!({ "sha": head(state, repo, git_ref) }))
        }
        ("POST", ["git", "refs"]) => {
            let name = body["ref"]
                .as_str()?
                .trim_start_matches("refs/heads/")
                .to_string();
            if ref_exists(state, repo, &name) {
                return Some(Reply::error(422, "Reference already exists"));
            }
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            set_branch(state, repo, &name, &sha);
            Reply::created(json!({ "ref": format!("refs/heads/{name}") }))
        }
        ("GET", ["issues"]) => {
            let wanted = query.get("state").cloned().unwrap_or_else(|| "open".into());
            let mut list: Vec<Value> = state.repos[repo].issues.values()
                .filter(|i| wanted == "all" || i.state == wanted)
                .filter(|i| label_filter(i, query))
                .map(|i| {
                    let labels: Vec<Value> = i.labels.iter().map(|l| json!({ "name": l })).collect();
                    let mut v = json!({ "number": i.number, "title": i.title, "state": i.state, "closed_at": i.closed_at, "labels": labels, "body": body_of(state, repo, i.number), "html_url": format!("https://github.com/{repo}/issues/{}", i.number) });
                    if i.is_merge_request { v["pull_request"] = json!({}); }
                    v
                })
                .collect();
            // Numbers grow with creation time: newest first when asked.
            if query.get("direction").is_some_and(|d| d == "desc") {
                list.reverse();
            }
            Reply::ok(paginate(list, query))
        }
        ("POST", ["issues"]) => {
            let milestone = body["milestone"].as_u64().and_then(|wanted| {
                let found = state.repos[repo]
                    .milestones
                    .iter()
                    .find(|m| m.number == wanted);
                found.map(|m| m.title.clone())
            });
            if body["milestone"].is_number() && milestone.is_none() {
                return Some(Reply::error(422, "Validation Failed: milestone"));
            }
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
            issue.milestone = milestone;
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
