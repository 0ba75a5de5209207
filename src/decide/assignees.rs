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

/// The mentions of one comment's reply (all its `/cc`s), at most `limit` people; the ones
/// past it are counted, and the reply says how many were not mentioned.
pub struct Mentions {
    limit: usize,
    /// Lower-cased logins not mentioned for the limit.
    skipped: std::collections::HashSet<String>,
}

impl Mentions {
    pub fn new(limit: usize) -> Self {
        Mentions {
            limit,
            skipped: Default::default(),
        }
    }

    /// `/cc @a @b`: mention each, up to the limit.
    pub fn cc(&mut self, people: &[String], reply: &mut Reply) {
        for login in people {
            if reply.cc.len() < self.limit {
                reply.cc(login);
            } else if !reply.cc.iter().any(|l| l.eq_ignore_ascii_case(login)) {
                self.skipped.insert(login.to_ascii_lowercase());
            }
        }
    }

    /// Say in the reply how many were not mentioned, if any.
    pub fn finish(self, reply: &mut Reply) {
        if !self.skipped.is_empty() {
            reply.refuse(format!(
                "`cc` mentions at most {} people per comment; not mentioned: {} more",
                self.limit,
                super::reply::thousands(self.skipped.len())
            ));
        }
    }
}
