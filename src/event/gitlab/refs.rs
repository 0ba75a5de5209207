//! GitLab pushes, tags, pipelines and releases.

use crate::event::payload::Payload;

use super::types::{self, User};
use super::{actor, non_null_sha, parse, Ctx, BRANCH_REF_PREFIX, TAG_REF_PREFIX};
use crate::event::{
    DecodeError, Decoded, EventKind, Pipeline, PipelineStatus, PushCommit, Release,
};

impl Ctx<'_> {
    /// Push Hook and Tag Push Hook: the ref decides.
    pub(super) fn push(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::PushHook = parse(value, self.event)?;
        let actor = actor(User {
            id: hook.user_id,
            username: hook.user_username,
            bot: None,
        });
        let deleted = non_null_sha(hook.after.clone()).is_none();
        if let Some(tag) = hook.git_ref.strip_prefix(TAG_REF_PREFIX) {
            let tag = tag.to_owned();
            let kind = if deleted {
                EventKind::TagDeleted { tag }
            } else {
                let sha = non_null_sha(hook.checkout_sha).or(non_null_sha(hook.after));
                EventKind::TagPushed { tag, sha }
            };
            return self.event(hook.project, actor, kind);
        }
        let Some(branch) = hook.git_ref.strip_prefix(BRANCH_REF_PREFIX) else {
            return self.ignored(&format!("push to `{}` is not a branch", hook.git_ref));
        };
        let Some(default_branch) = hook.project.default_branch.as_deref() else {
            return Err(DecodeError(format!(
                "{}: missing field `project.default_branch` for a push to `{branch}`",
                self.event
            )));
        };
        if branch != default_branch {
            return self.ignored(&format!("push to `{branch}`, not the default branch"));
        }
        if deleted {
            return self.ignored("the default branch was deleted");
        }
        let branch = branch.to_owned();
        let commits = hook
            .commits
            .into_iter()
            .map(|c| PushCommit {
                id: c.id,
                message: c.message,
                paths: c
                    .added
                    .into_iter()
                    .chain(c.modified)
                    .chain(c.removed)
                    .collect(),
            })
            .collect();
        let kind = EventKind::DefaultBranchPush {
            branch,
            before: non_null_sha(hook.before),
            after: non_null_sha(hook.after),
            commits,
        };
        self.event(hook.project, actor, kind)
    }

    pub(super) fn pipeline(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::PipelineHook = parse(value, self.event)?;
        let p = hook.object_attributes;
        let pipeline = Pipeline {
            id: p.id,
            git_ref: p.git_ref,
            is_tag: p.tag,
            sha: p.sha,
            status: pipeline_status(p.status.as_deref()),
            stages: p.stages,
            url: p.url,
        };
        self.event(
            hook.project,
            self.actor.clone(),
            EventKind::Pipeline { pipeline },
        )
    }

    pub(super) fn release(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let hook: types::ReleaseHook = parse(value, self.event)?;
        match hook.action.as_deref() {
            Some("create") => {}
            Some(other) => return self.ignored(&format!("release action `{other}` not handled")),
            None => {
                return Err(DecodeError(format!(
                    "{}: missing field `action`",
                    self.event
                )))
            }
        }
        let release = Release {
            tag: hook.tag,
            name: hook.name.filter(|n| !n.is_empty()),
            body: hook.description.unwrap_or_default(),
            url: hook.url,
        };
        self.event(
            hook.project,
            self.actor.clone(),
            EventKind::ReleasePublished { release },
        )
    }
}

pub(super) fn pipeline_status(status: Option<&str>) -> PipelineStatus {
    match status {
        Some("created" | "waiting_for_resource" | "preparing" | "pending") => {
            PipelineStatus::Pending
        }
        Some("running") => PipelineStatus::Running,
        Some("success") => PipelineStatus::Success,
        Some("failed") => PipelineStatus::Failed,
        Some("canceled" | "canceling") => PipelineStatus::Canceled,
        Some("skipped") => PipelineStatus::Skipped,
        _ => PipelineStatus::Other,
    }
}
