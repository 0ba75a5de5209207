//! GitHub tags, pushes, releases and CI runs.

use crate::event::payload::Payload;

use super::types;
use super::{non_null_sha, parse, Ctx, BRANCH_REF_PREFIX, TAG_REF_PREFIX};
use crate::event::{
    DecodeError, Decoded, EventKind, Pipeline, PipelineStatus, PushCommit, Release,
};

impl Ctx<'_> {
    /// `create`: a branch or tag was created (no sha in the payload).
    pub(super) fn created_ref(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let payload: types::RefPayload = parse(value, self.event)?;
        if payload.ref_type != "tag" {
            return self.ignored(&format!("{} created, not a tag", payload.ref_type));
        }
        self.event(EventKind::TagPushed {
            tag: payload.git_ref,
            sha: None,
        })
    }

    pub(super) fn deleted_ref(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let payload: types::RefPayload = parse(value, self.event)?;
        if payload.ref_type != "tag" {
            return self.ignored(&format!("{} deleted, not a tag", payload.ref_type));
        }
        self.event(EventKind::TagDeleted {
            tag: payload.git_ref,
        })
    }

    pub(super) fn push(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let payload: types::PushPayload = parse(value, self.event)?;
        if let Some(tag) = payload.git_ref.strip_prefix(TAG_REF_PREFIX) {
            let tag = tag.to_owned();
            if payload.deleted {
                return self.event(EventKind::TagDeleted { tag });
            }
            let sha = payload.head_commit.map(|c| c.id).or(payload.after);
            return self.event(EventKind::TagPushed { tag, sha });
        }
        let Some(branch) = payload.git_ref.strip_prefix(BRANCH_REF_PREFIX) else {
            return self.ignored(&format!("push to `{}` is not a branch", payload.git_ref));
        };
        let default_branch = self
            .common
            .repository
            .as_ref()
            .and_then(|r| r.default_branch.as_deref())
            .ok_or_else(|| {
                DecodeError(format!(
                    "push: missing field `repository.default_branch` for a push to `{branch}`"
                ))
            })?;
        if branch != default_branch {
            return self.ignored(&format!("push to `{branch}`, not the default branch"));
        }
        if payload.deleted {
            return self.ignored("the default branch was deleted");
        }
        let commits = payload
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
        self.event(EventKind::DefaultBranchPush {
            branch: branch.to_owned(),
            before: non_null_sha(payload.before),
            after: non_null_sha(payload.after),
            commits,
        })
    }

    pub(super) fn release(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        match self.action()? {
            "published" | "released" => {}
            _ => return self.ignored("release action not handled"),
        }
        let payload: types::ReleasePayload = parse(value, &self.what())?;
        let r = payload.release;
        self.event(EventKind::ReleasePublished {
            release: Release {
                tag: r.tag_name,
                name: r.name.filter(|n| !n.is_empty()),
                body: r.body.unwrap_or_default(),
                url: r.html_url,
            },
        })
    }

    pub(super) fn workflow_run(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let payload: types::WorkflowRunPayload = parse(value, &self.what())?;
        let run = payload.workflow_run;
        let Some(git_ref) = run.head_branch else {
            return self.ignored("workflow run without a head branch");
        };
        let name = run
            .name
            .filter(|n| !n.is_empty())
            .or_else(|| payload.workflow.and_then(|w| w.name))
            .filter(|n| !n.is_empty());
        self.event(EventKind::Pipeline {
            pipeline: Pipeline {
                id: run.id,
                git_ref,
                // GitHub does not say whether `head_branch` names a branch or a tag.
                is_tag: false,
                sha: run.head_sha,
                status: run_status(run.status.as_deref(), run.conclusion.as_deref()),
                stages: name.into_iter().collect(),
                url: run.html_url,
            },
        })
    }

    pub(super) fn check_suite(&self, value: &Payload) -> Result<Decoded, DecodeError> {
        let payload: types::CheckSuitePayload = parse(value, &self.what())?;
        let suite = payload.check_suite;
        let Some(git_ref) = suite.head_branch else {
            return self.ignored("check suite without a head branch");
        };
        let app = suite.app.and_then(|a| a.name).filter(|n| !n.is_empty());
        self.event(EventKind::Pipeline {
            pipeline: Pipeline {
                id: suite.id,
                git_ref,
                is_tag: false,
                sha: suite.head_sha,
                status: run_status(suite.status.as_deref(), suite.conclusion.as_deref()),
                stages: app.into_iter().collect(),
                url: None,
            },
        })
    }
}

/// Status of a workflow run or check suite from its `status` and `conclusion`.
pub(super) fn run_status(status: Option<&str>, conclusion: Option<&str>) -> PipelineStatus {
    match status {
        Some("queued" | "requested" | "waiting" | "pending") => PipelineStatus::Pending,
        Some("in_progress") => PipelineStatus::Running,
        Some("completed") => match conclusion {
            Some("success") => PipelineStatus::Success,
            Some("failure" | "timed_out" | "startup_failure") => PipelineStatus::Failed,
            Some("cancelled") => PipelineStatus::Canceled,
            Some("skipped") => PipelineStatus::Skipped,
            _ => PipelineStatus::Other,
        },
        _ => PipelineStatus::Other,
    }
}
