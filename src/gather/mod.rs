//! Gather: fetch the facts `decide` will need for an event before it decides — the actor's
//! role, the item as it is now, labels, milestones, users, the release's facts — from the
//! forge, and the previous text of an edited comment from the store. What `decide` asked
//! for ([`Needs`]) is all that is fetched. Repository paths, logins and label names are
//! parsed here before they go to the forge; one that does not parse is a forge error that is
//! not retried.

mod release;
mod release_day;

use crate::config::Config;
use crate::decide::incidents::IncidentLookup;
use crate::decide::{self, Context, Fact, Needs};
use crate::event::{Event, EventKind};
use crate::forge::{Forge, ForgeError};
use crate::model::{IssueRef, LabelName, Login, MarkedIssue, RepoPath};
use crate::role::Role;
use crate::store::{Store, StoreError};
use std::collections::BTreeMap;

/// Why the facts could not be gathered. Both kinds are worth another try later, except a
/// forge error that says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    #[error(transparent)]
    Forge(#[from] ForgeError),
    #[error("cannot read the comment's text: {0}")]
    Store(#[from] StoreError),
}

/// The facts about `event` that `decide` needs. Without a forge (a dry run without
/// credentials) only the store is read.
pub async fn gather(
    event: &Event,
    config: &Config,
    store: &dyn Store,
    forge: Option<&dyn Forge>,
) -> Result<Context, GatherError> {
    let mut context = Context::default();
    if let Some((repo, id)) = stored_comment_key(event) {
        context.previous_comment_body = store.comment_body(event.forge, repo, id).await?;
    }
    let needs = decide::needs_after(event, config, context.previous_comment_body.as_deref());
    if let (Some(forge), Some(lookup)) = (forge, &needs.incident) {
        context.incident = Some(incident(forge, lookup).await?);
    }
    let (Some(forge), Some(repo)) = (forge, event.repo.as_ref()) else {
        return Ok(context);
    };
    let repo = RepoPath::parse(&repo.path).map_err(ForgeError::from)?;
    from_forge(event, config, &needs, forge, &repo, &mut context).await?;
    Ok(context)
}

/// The incident issue of an alert, in the repository its route names (an alert names no
/// repository of its own).
async fn incident(
    forge: &dyn Forge,
    lookup: &IncidentLookup,
) -> Result<Option<MarkedIssue>, ForgeError> {
    let repo = RepoPath::parse(&lookup.repo)?;
    let label = lookup.label.as_deref().map(LabelName::parse).transpose()?;
    forge
        .find_issue_with_marker(&repo, &lookup.marker, label.as_ref())
        .await
}

/// Fill `context` with what `needs` asks of the forge.
async fn from_forge(
    event: &Event,
    config: &Config,
    needs: &Needs,
    forge: &dyn Forge,
    repo: &RepoPath,
    context: &mut Context,
) -> Result<(), ForgeError> {
    if needs.actor_role {
        context.actor_role = actor_role(forge, repo, &event.actor.login).await;
    }
    if needs.item {
        if let Some(target) = decide::target_of(event) {
            let item = IssueRef::parse(&target.repo, target.number, target.is_merge_request)?;
            context.item = Some(forge.issue(&item).await?);
        }
    }
    if needs.labels {
        context.labels = Some(forge.labels(repo).await?);
    }
    if needs.release {
        context.release = release::gather(forge, config, event).await?;
    }
    if needs.release_day {
        context.release_day = Some(release_day::gather(forge, config, event, repo).await?);
    }
    if let Some(label) = &needs.labelled_issues {
        let label = LabelName::parse(label)?;
        context.labelled_issues = Some(forge.open_issues_with_label(repo, &label).await?);
    }
    if needs.milestones {
        context.milestones = Some(forge.milestones(repo).await?);
    }
    if !needs.users.is_empty() {
        let mut users = BTreeMap::new();
        for login in &needs.users {
            let exists = forge.user_exists(&Login::parse(login)?).await?;
            users.insert(login.to_ascii_lowercase(), exists);
        }
        context.users = Some(users);
    }
    Ok(())
}

/// The actor's role from the forge's permission. A user the forge does not know holds the
/// least role; a look-up that fails (after the transport's retries) leaves the role unknown,
/// with the reason, and `decide` refuses what needs it — never a job failure that says
/// nothing to the person who asked.
async fn actor_role(forge: &dyn Forge, repo: &RepoPath, login: &str) -> Fact<Role> {
    let login = match Login::parse(login) {
        Ok(login) => login,
        Err(e) => return Fact::Unknown(e.to_string()),
    };
    match forge.role_of(repo, &login).await {
        Ok(role) => Fact::Known(role.unwrap_or(Role::Reader)),
        Err(e) => {
            tracing::warn!(error = %e, login = %login, "cannot read the actor's permission");
            Fact::Unknown(format!("reading the permission failed: {e}"))
        }
    }
}

/// `(repo, comment id)` of a comment event whose text the store keeps: on forges whose
/// comment edits do not carry the previous text.
pub fn stored_comment_key(event: &Event) -> Option<(&str, u64)> {
    match (&event.kind, &event.repo) {
        (EventKind::Comment { comment, .. }, Some(repo))
            if !event.dialect().comment_edits_carry_previous_text =>
        {
            Some((repo.path.as_str(), comment.id))
        }
        _ => None,
    }
}
