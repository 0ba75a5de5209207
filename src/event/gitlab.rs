//! Decodes GitLab webhook deliveries (`X-Gitlab-Event` + JSON body) into the neutral
//! [`Event`](super::Event); every GitLab quirk the rest of forgehand must not see ends here.
//!
//! GitLab names some people only by id: an issue's or MR's author (`author_id`) and, in
//! Release Hooks and older Tag Push Hooks, the actor. Such logins are left empty (ids kept).

mod issuable;
mod refs;
#[cfg(test)]
mod tests;
mod types;

use serde::de::DeserializeOwned;

use super::payload::Payload;
use super::{
    Actor, DecodeError, Decoded, Dialect, Event, EventKind, ForgeKind, LabelRefStyle, Repo,
};
use crate::model::RefStyle;
use types::{Common, Project, User};

/// GitLab's dialect. A note's `update` event lacks the text before the edit, and names the
/// item's assignees by id only (`assignee_ids`); a Pipeline Hook flags tag pipelines
/// (`object_attributes.tag`). Its releases link milestones but have neither drafts nor a
/// pre-release flag.
pub const DIALECT: Dialect = Dialect {
    refs: RefStyle::GitLab,
    tag_page: "-/tags/",
    label_refs: LabelRefStyle::Tilde,
    comment_edits_carry_previous_text: false,
    comments_name_assignees: false,
    pipelines_flag_tags: true,
    release_drafts: false,
    release_prerelease_flag: false,
    release_milestones: true,
    issue_due_dates: true,
    merge_requests: "merge requests",
};

/// Prefix of a branch ref.
const BRANCH_REF_PREFIX: &str = "refs/heads/";
/// Prefix of a tag ref.
const TAG_REF_PREFIX: &str = "refs/tags/";

/// Decode one GitLab delivery. `event_name` is the `X-Gitlab-Event` header.
pub fn decode(event_name: &str, body: &[u8]) -> Result<Decoded, DecodeError> {
    let value = Payload::new(event_name, body)?;
    let common: Common = parse(&value, event_name)?;
    let object_kind = common.object_kind.as_deref().unwrap_or("");
    let hook = match event_name {
        "Issue Hook" | "Confidential Issue Hook" => Hook::Issue,
        "Note Hook" | "Confidential Note Hook" => Hook::Note,
        "Merge Request Hook" => Hook::MergeRequest,
        "Push Hook" | "Tag Push Hook" => Hook::Push,
        "Pipeline Hook" => Hook::Pipeline,
        "Release Hook" => Hook::Release,
        // System hooks share one header; the body says what it is.
        "System Hook" => match object_kind {
            "push" | "tag_push" => Hook::Push,
            "merge_request" => Hook::MergeRequest,
            other => return ignored(event_name, &format!("system hook `{other}` not handled")),
        },
        other => return ignored(other, "GitLab event not handled"),
    };
    // Work items other than issues (tasks, epics, …) arrive as Issue Hooks.
    if hook == Hook::Issue && !object_kind.is_empty() && object_kind != "issue" {
        return ignored(
            event_name,
            &format!("object kind `{object_kind}` not handled"),
        );
    }
    let ctx = Ctx {
        event: event_name,
        actor: common.user.map(actor).unwrap_or_else(nobody),
    };
    match hook {
        Hook::Issue => ctx.issue(&value),
        Hook::Note => ctx.note(&value),
        Hook::MergeRequest => ctx.merge_request(&value),
        Hook::Push => ctx.push(&value),
        Hook::Pipeline => ctx.pipeline(&value),
        Hook::Release => ctx.release(&value),
    }
}

/// The hooks forgehand decodes (a Tag Push Hook is a push of a tag ref).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hook {
    Issue,
    Note,
    MergeRequest,
    Push,
    Pipeline,
    Release,
}

/// Deserialize a typed view of the payload, naming the event in the error.
fn parse<T: DeserializeOwned>(value: &Payload, what: &str) -> Result<T, DecodeError> {
    value.parse(what)
}

fn ignored(event: &str, why: &str) -> Result<Decoded, DecodeError> {
    Ok(Decoded::Ignored(format!("{event}: {why}")))
}

struct Ctx<'a> {
    event: &'a str,
    actor: Actor,
}

impl Ctx<'_> {
    fn ignored(&self, why: &str) -> Result<Decoded, DecodeError> {
        ignored(self.event, why)
    }

    fn event(
        &self,
        project: Project,
        actor: Actor,
        kind: EventKind,
    ) -> Result<Decoded, DecodeError> {
        Ok(Decoded::Event(Box::new(Event {
            forge: ForgeKind::Gitlab,
            repo: Some(repo(project)),
            actor,
            kind,
        })))
    }

    /// The author's login when the actor is the author (GitLab only gives `author_id`).
    fn author(&self, author_id: Option<u64>) -> String {
        match (author_id, self.actor.id) {
            (Some(author), Some(actor)) if author == actor => self.actor.login.clone(),
            _ => String::new(),
        }
    }
}

fn repo(project: Project) -> Repo {
    Repo {
        path: project.path_with_namespace,
        id: project.id,
        default_branch: project.default_branch,
        url: project.web_url,
        installation_id: None,
    }
}

fn actor(user: User) -> Actor {
    let login = user.username.unwrap_or_default();
    let is_bot = user.bot == Some(true) || is_bot_username(&login);
    Actor {
        login,
        id: user.id,
        is_bot,
    }
}

/// The actor of a hook that names nobody (Release Hook).
fn nobody() -> Actor {
    Actor {
        login: String::new(),
        id: None,
        is_bot: false,
    }
}

/// GitLab's project and group access-token bots: `project_<id>_bot…`, `group_<id>_bot…`.
fn is_bot_username(login: &str) -> bool {
    let Some(rest) = login
        .strip_prefix("project_")
        .or_else(|| login.strip_prefix("group_"))
    else {
        return login.ends_with("[bot]");
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest.get(digits..).is_some_and(|r| r.starts_with("_bot"))
}

/// `None` for git's all-zero "no commit" sha.
fn non_null_sha(sha: Option<String>) -> Option<String> {
    sha.filter(|s| !s.is_empty() && !s.bytes().all(|b| b == b'0'))
}
