//! The argument grammar: turns a [`RawCommand`] into a typed [`Command`].
//!
//! Values are separated by spaces and/or commas. A value may carry a sigil (`~` label,
//! `%` milestone, `@` user) and may be quoted (`~"flow::To Do"`), which is the only way to
//! put spaces or commas in it; there are no escapes. Unquoted values keep every character,
//! dots and trailing punctuation included (`~v1.2.x`, `bug.`). Repeated values count once
//! (through sets: linear in the number of values).

use super::{spec_of, Command, CommandError, MilestoneArg, RawCommand, UserArg};
use std::collections::HashSet;

/// Parses one command line by its command's grammar (see [`super::COMMANDS`]). An unknown
/// name is [`CommandError::Unknown`].
pub fn parse(raw: &RawCommand) -> Result<Command, CommandError> {
    let Some(spec) = spec_of(&raw.name) else {
        return Err(CommandError::Unknown {
            name: raw.name.clone(),
        });
    };
    (spec.parse)(spec.name, raw.args.trim())
}

/// A value as written: its sigil, its text without sigil or quotes, whether it was quoted.
#[derive(Debug, PartialEq, Eq)]
struct Token<'a> {
    sigil: Option<char>,
    text: &'a str,
    quoted: bool,
    /// The whole value as written, for error messages.
    written: &'a str,
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == ','
}

/// Splits `args` into values; `sigil` is the one sigil this command's values may carry.
fn tokenize<'a>(
    command: &'static str,
    args: &'a str,
    sigil: char,
) -> Result<Vec<Token<'a>>, CommandError> {
    let mut tokens = Vec::new();
    let mut rest = args.trim_start_matches(is_separator);
    while !rest.is_empty() {
        let start = rest;
        let has_sigil = rest.starts_with(sigil);
        if has_sigil {
            rest = &rest[sigil.len_utf8()..];
        }
        let (text, quoted, after) = if let Some(inner) = rest.strip_prefix('"') {
            let Some(close) = inner.find('"') else {
                return Err(CommandError::UnterminatedQuote {
                    command,
                    text: start.to_string(),
                });
            };
            let after = &inner[close + 1..];
            if !after.is_empty() && !after.starts_with(is_separator) {
                let end = after.find(is_separator).unwrap_or(after.len());
                let written = &start[..start.len() - after.len() + end];
                return Err(CommandError::AfterQuote {
                    command,
                    text: written.to_string(),
                });
            }
            (inner[..close].trim(), true, after)
        } else {
            let end = rest.find(is_separator).unwrap_or(rest.len());
            (&rest[..end], false, &rest[end..])
        };
        let written = &start[..start.len() - after.len()];
        tokens.push(Token {
            sigil: has_sigil.then_some(sigil),
            text,
            quoted,
            written,
        });
        rest = after.trim_start_matches(is_separator);
    }
    Ok(tokens)
}

/// Label names; `required` makes an empty list an error.
pub(super) fn labels(
    command: &'static str,
    args: &str,
    required: bool,
) -> Result<Vec<String>, CommandError> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for token in tokenize(command, args, '~')? {
        if token.text.is_empty() {
            return Err(CommandError::Empty {
                command,
                what: "label",
                text: token.written.to_string(),
            });
        }
        if seen.insert(token.text) {
            out.push(token.text.to_string());
        }
    }
    if required && out.is_empty() {
        return Err(CommandError::Missing {
            command,
            expected: "at least one label, e.g. `~bug` or `~\"flow::To Do\"`",
        });
    }
    Ok(out)
}

const MILESTONE_EXAMPLE: &str = "a milestone, e.g. `%\"1.4\"`, `%current` or `%next`";

/// `%"1.4"`, `%current`, `%next`, `%Backlog`, or a plain title that runs to the end of the
/// line (`Sprint 12`). Quoting makes a keyword a title: `%"current"`.
pub(super) fn milestone(args: &str) -> Result<MilestoneArg, CommandError> {
    const COMMAND: &str = "milestone";
    if args.is_empty() {
        return Err(CommandError::Missing {
            command: COMMAND,
            expected: MILESTONE_EXAMPLE,
        });
    }
    let (text, quoted) = if args.starts_with(['%', '"']) {
        let tokens = tokenize(COMMAND, args, '%')?;
        if let [_, extra, ..] = tokens.as_slice() {
            return Err(CommandError::Unexpected {
                command: COMMAND,
                expected: "takes one milestone (quote titles with spaces: `%\"Sprint 12\"`)",
                got: extra.written.to_string(),
            });
        }
        let token = &tokens[0];
        if token.text.is_empty() {
            return Err(CommandError::Empty {
                command: COMMAND,
                what: "milestone",
                text: token.written.to_string(),
            });
        }
        (token.text, token.quoted)
    } else {
        (args, false)
    };
    Ok(match text {
        t if !quoted && t.eq_ignore_ascii_case("current") => MilestoneArg::Current,
        t if !quoted && t.eq_ignore_ascii_case("next") => MilestoneArg::Next,
        t => MilestoneArg::Title(t.to_string()),
    })
}

/// Users for assign/reassign/unassign: `@alice`, `bob`, `me`; the word `and` is skipped.
pub(super) fn users(
    command: &'static str,
    args: &str,
    required: bool,
) -> Result<Vec<UserArg>, CommandError> {
    let mut out: Vec<UserArg> = Vec::new();
    let mut seen: HashSet<UserArg> = HashSet::new();
    for token in tokenize(command, args, '@')? {
        if token.sigil.is_none() && !token.quoted && token.text.eq_ignore_ascii_case("and") {
            continue;
        }
        let user = if token.text.eq_ignore_ascii_case("me") {
            UserArg::Me
        } else {
            UserArg::Login(login(command, &token)?)
        };
        if seen.insert(user.clone()) {
            out.push(user);
        }
    }
    if required && out.is_empty() {
        return Err(CommandError::Missing {
            command,
            expected: "at least one user, e.g. `@alice` or `me`",
        });
    }
    Ok(out)
}

/// People to mention: logins with or without `@`; `and` is skipped; `me` is refused.
pub(super) fn mentions(args: &str) -> Result<Vec<String>, CommandError> {
    const COMMAND: &str = "cc";
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for token in tokenize(COMMAND, args, '@')? {
        if token.sigil.is_none() && !token.quoted && token.text.eq_ignore_ascii_case("and") {
            continue;
        }
        if token.text.eq_ignore_ascii_case("me") {
            return Err(CommandError::Unexpected {
                command: COMMAND,
                expected: "mentions other people by username",
                got: token.written.to_string(),
            });
        }
        let name = login(COMMAND, &token)?;
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    if out.is_empty() {
        return Err(CommandError::Missing {
            command: COMMAND,
            expected: "at least one user, e.g. `@alice`",
        });
    }
    Ok(out)
}

/// A login that GitHub or GitLab could have issued: ASCII letters, digits, `-`, `_`, `.`,
/// starting and ending with a letter, digit or `_`.
fn login(command: &'static str, token: &Token<'_>) -> Result<String, CommandError> {
    let text = token.text;
    let edge_ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let valid = text.starts_with(edge_ok)
        && text.ends_with(edge_ok)
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(text.to_string())
    } else {
        Err(CommandError::InvalidUser {
            command,
            got: token.written.to_string(),
        })
    }
}

/// Exactly one word out of `options` (case-insensitive).
pub(super) fn choice<T: Copy>(
    command: &'static str,
    args: &str,
    valid: &'static str,
    options: &[(&str, T)],
) -> Result<T, CommandError> {
    let mut words = args.split_whitespace();
    let (Some(word), None) = (words.next(), words.next()) else {
        return Err(if args.is_empty() {
            CommandError::Missing {
                command,
                expected: valid,
            }
        } else {
            CommandError::Invalid {
                command,
                got: args.to_string(),
                valid,
            }
        });
    };
    options
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, value)| *value)
        .ok_or_else(|| CommandError::Invalid {
            command,
            got: word.to_string(),
            valid,
        })
}

/// A command that takes no arguments.
pub(super) fn no_args(
    command: &'static str,
    args: &str,
    value: Command,
) -> Result<Command, CommandError> {
    if args.is_empty() {
        Ok(value)
    } else {
        Err(CommandError::Unexpected {
            command,
            expected: "takes no arguments",
            got: args.to_string(),
        })
    }
}
