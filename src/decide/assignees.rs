//! `/assign`, `/reassign`, `/unassign` (none = all) and `/cc`: `me` is the comment's
//! author; a login the forge does not know is refused.

use super::reply::Reply;
use super::{Context, Draft};
use crate::command::UserArg;

/// Logins of `users`, with `me` resolved and unknown users refused.
fn logins(users: &[UserArg], me: &str, context: &Context, reply: &mut Reply) -> Vec<String> {
    let mut out = Vec::new();
    for user in users {
        let login = match user {
            UserArg::Me => me.to_string(),
            UserArg::Login(l) => l.clone(),
        };
        if context.user_missing(&login) {
            reply.refuse(format!("there is no user `@{login}`"));
        } else {
            out.push(login);
        }
    }
    out
}

/// The logins commands name (without `me`), for the worker to check.
pub fn named(users: &[UserArg]) -> impl Iterator<Item = &str> {
    users.iter().filter_map(|u| match u {
        UserArg::Login(l) => Some(l.as_str()),
        UserArg::Me => None,
    })
}

pub fn assign(users: &[UserArg], me: &str, ctx: &Context, draft: &mut Draft, reply: &mut Reply) {
    for login in logins(users, me, ctx, reply) {
        draft.assign(&login);
    }
}

/// `/reassign`: nothing changes if one of the users is unknown.
pub fn reassign(users: &[UserArg], me: &str, ctx: &Context, draft: &mut Draft, reply: &mut Reply) {
    let found = logins(users, me, ctx, reply);
    if found.len() == users.len() {
        draft.reassign(&found);
    }
}

pub fn unassign(users: &[UserArg], me: &str, ctx: &Context, draft: &mut Draft, reply: &mut Reply) {
    if users.is_empty() {
        draft.reassign(&[]);
        return;
    }
    for login in logins(users, me, ctx, reply) {
        draft.unassign(&login);
    }
}

/// `/cc @a @b`: mention them in the reply.
pub fn cc(people: &[String], reply: &mut Reply) {
    for login in people {
        reply.cc(login);
    }
}
