//! Decodes GitHub webhook deliveries (`X-GitHub-Event` + JSON body) into the neutral
//! [`Event`](super::Event); every GitHub quirk the rest of forgehand must not see ends here.

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
use types::{Common, User};

/// GitHub's dialect. An edited comment's event carries its previous text (`changes.body.from`)
/// and a comment's event carries the whole issue, assignees included; a workflow run or check
/// suite names its ref (`head_branch`) without saying whether it is a tag. Its releases can
/// be drafts and pre-releases; they link no milestones.
pub const DIALECT: Dialect = Dialect {
    refs: RefStyle::GitHub,
    tag_page: "releases/tag/",
    label_refs: LabelRefStyle::Code,
    comment_edits_carry_previous_text: true,
    comments_name_assignees: true,
    pipelines_flag_tags: false,
    release_drafts: true,
    release_prerelease_flag: true,
    release_milestones: false,
    issue_due_dates: false,
    merge_requests: "pull requests",
};

/// Prefix of a branch ref.
const BRANCH_REF_PREFIX: &str = "refs/heads/";
/// Prefix of a tag ref.
const TAG_REF_PREFIX: &str = "refs/tags/";

/// Decode one GitHub delivery. `event_name` is the `X-GitHub-Event` header.
pub fn decode(event_name: &str, body: &[u8]) -> Result<Decoded, DecodeError> {
    let value = Payload::new(event_name, body)?;
    let common: Common = parse(&value, event_name)?;
    let ctx = Ctx::new(event_name, common);
    match event_name {
        "ping" => ctx.ping(),
        "issues" => ctx.issues(&value),
        "issue_comment" => ctx.issue_comment(&value),
        "pull_request" => ctx.pull_request(&value),
        "create" => ctx.created_ref(&value),
        "delete" => ctx.deleted_ref(&value),
        "push" => ctx.push(&value),
        "release" => ctx.release(&value),
        "workflow_run" => ctx.workflow_run(&value),
        "check_suite" => ctx.check_suite(&value),
        other => Ok(Decoded::Ignored(format!(
            "GitHub event `{other}` is not handled"
        ))),
    }
}

/// Deserialize a typed view of the payload, naming the event in the error.
fn parse<T: DeserializeOwned>(value: &Payload, what: &str) -> Result<T, DecodeError> {
    value.parse(what)
}

/// What every handler needs: the event name and the common envelope.
struct Ctx<'a> {
    event: &'a str,
    common: Common,
}

impl<'a> Ctx<'a> {
    fn new(event: &'a str, common: Common) -> Self {
        Ctx { event, common }
    }

    /// `event.action` for messages.
    fn what(&self) -> String {
        match &self.common.action {
            Some(action) => format!("{}.{action}", self.event),
            None => self.event.to_owned(),
        }
    }

    fn ignored(&self, why: &str) -> Result<Decoded, DecodeError> {
        Ok(Decoded::Ignored(format!("{}: {why}", self.what())))
    }

    fn action(&self) -> Result<&str, DecodeError> {
        self.common
            .action
            .as_deref()
            .ok_or_else(|| DecodeError(format!("{}: missing field `action`", self.event)))
    }

    fn repo(&self) -> Option<Repo> {
        self.common.repository.as_ref().map(|r| Repo {
            path: r.full_name.clone(),
            id: r.id,
            default_branch: r.default_branch.clone(),
            url: r.html_url.clone(),
            installation_id: self.common.installation.as_ref().map(|i| i.id),
        })
    }

    /// Wrap `kind` into an event; repository and sender are required.
    fn event(&self, kind: EventKind) -> Result<Decoded, DecodeError> {
        let repo = self
            .repo()
            .ok_or_else(|| DecodeError(format!("{}: missing field `repository`", self.what())))?;
        let sender = self
            .common
            .sender
            .as_ref()
            .ok_or_else(|| DecodeError(format!("{}: missing field `sender`", self.what())))?;
        Ok(Decoded::Event(Box::new(Event {
            forge: ForgeKind::Github,
            repo: Some(repo),
            actor: actor(sender),
            kind,
        })))
    }

    /// A hook's first delivery. An organization or App hook has no repository.
    fn ping(&self) -> Result<Decoded, DecodeError> {
        let actor = self.common.sender.as_ref().map(actor).unwrap_or(Actor {
            login: String::new(),
            id: None,
            is_bot: false,
        });
        Ok(Decoded::Event(Box::new(Event {
            forge: ForgeKind::Github,
            repo: self.repo(),
            actor,
            kind: EventKind::Ping,
        })))
    }
}

fn actor(user: &User) -> Actor {
    Actor {
        login: user.login.clone(),
        id: user.id,
        is_bot: user.kind.as_deref() == Some("Bot") || user.login.ends_with("[bot]"),
    }
}

/// `None` for git's all-zero "no commit" sha.
fn non_null_sha(sha: Option<String>) -> Option<String> {
    sha.filter(|s| !s.is_empty() && !s.bytes().all(|b| b == b'0'))
}
