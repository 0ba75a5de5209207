//! The names that cross into a forge — repository paths, logins, label names and issue
//! references — parsed once where they enter (gather, execute, the CLI), so that the forge
//! adapters only ever see values that can go into a URL once percent-encoded.

use std::fmt;

/// Characters of a refused value shown in an error message; the rest is cut.
pub const MAX_SHOWN_CHARS: usize = 100;

/// A string that is not a valid repository path, login or label name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {shown:?}: {reason}")]
pub struct InvalidName {
    /// What was being parsed (`repository path`, `login`, `label name`).
    pub what: &'static str,
    /// The refused value, cut to [`MAX_SHOWN_CHARS`].
    pub shown: String,
    /// Why it was refused.
    pub reason: &'static str,
}

impl InvalidName {
    pub fn new(what: &'static str, value: &str, reason: &'static str) -> Self {
        let mut shown: String = value.chars().take(MAX_SHOWN_CHARS).collect();
        if value.chars().count() > MAX_SHOWN_CHARS {
            shown.push('…');
        }
        InvalidName {
            what,
            shown,
            reason,
        }
    }
}

/// The first reason `c` may not appear in a path-like name, if any.
fn refused_char(c: char) -> Option<&'static str> {
    if c.is_control() {
        Some("it holds a control character")
    } else if c.is_whitespace() {
        Some("it holds whitespace")
    } else if matches!(c, '?' | '#' | '%') {
        Some("`?`, `#` and `%` are not allowed")
    } else {
        None
    }
}

/// What every parsed name offers besides its own `parse`: the text back, each of a list
/// parsed in order, `AsRef<str>` and `Display`.
macro_rules! name_text {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Parse every value of `values`, in order; the first that does not parse is
            /// the error.
            pub fn parse_all(values: &[String]) -> Result<Vec<Self>, InvalidName> {
                values.iter().map(|v| Self::parse(v)).collect()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_text!(RepoPath);
name_text!(Login);
name_text!(LabelName);

/// A repository (GitHub `owner/name`) or project (GitLab `group/sub/project`, or a numeric
/// id) path: segments separated by `/`, none of them empty, `.` or `..`, and no `?`, `#`,
/// `%`, whitespace or control characters. The forge adapter checks its own shape (GitHub
/// wants exactly two segments).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    const WHAT: &'static str = "repository path";

    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        let refuse = |reason| Err(InvalidName::new(Self::WHAT, value, reason));
        if value.is_empty() {
            return refuse("it is empty");
        }
        if let Some(reason) = value.chars().find_map(refused_char) {
            return refuse(reason);
        }
        for segment in value.split('/') {
            match segment {
                "" => return refuse("it has an empty segment"),
                "." | ".." => return refuse("`.` and `..` segments are not allowed"),
                _ => {}
            }
        }
        Ok(RepoPath(value.to_string()))
    }

    /// The `/`-separated segments (at least one, none empty).
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

/// A user's login (GitHub) or username (GitLab), as written after `@` or without it: not
/// empty, no whitespace, control characters, `/`, `?`, `#` or `%`. Whether the forge could
/// have such an account is the adapter's question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    const WHAT: &'static str = "login";

    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        let refuse = |reason| Err(InvalidName::new(Self::WHAT, value, reason));
        if value.is_empty() {
            return refuse("it is empty");
        }
        if let Some(reason) = value.chars().find_map(refused_char) {
            return refuse(reason);
        }
        if value.contains('/') {
            return refuse("`/` is not allowed");
        }
        Ok(Login(value.to_string()))
    }
}

/// A label's name: not blank and without control characters (spaces, `:` and the like are
/// fine: `flow::To Do`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LabelName(String);

impl LabelName {
    const WHAT: &'static str = "label name";

    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        let refuse = |reason| Err(InvalidName::new(Self::WHAT, value, reason));
        if value.trim().is_empty() {
            return refuse("it is empty");
        }
        if value.chars().any(char::is_control) {
            return refuse("it holds a control character");
        }
        Ok(LabelName(value.to_string()))
    }
}

/// One issue or merge request of a repository, as the forge adapters take it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssueRef {
    pub repo: RepoPath,
    /// Issue / pull request number (GitHub) or iid (GitLab).
    pub number: u64,
    pub is_merge_request: bool,
}

impl IssueRef {
    /// The item `number` of the repository at `repo` (a path still to be parsed).
    pub fn parse(repo: &str, number: u64, is_merge_request: bool) -> Result<Self, InvalidName> {
        Ok(IssueRef {
            repo: RepoPath::parse(repo)?,
            number,
            is_merge_request,
        })
    }
}

impl fmt::Display for IssueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.is_merge_request { "!" } else { "#" };
        write!(f, "{}{}{}", self.repo, sep, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths() {
        let good = [
            "acme/app",
            "acme/app.rs",
            "group/sub/project",
            "a-b_c/d.e-f",
            "42",
            "ünï/cödé",
            "a/.hidden",
            "a/b..c",
        ];
        for value in good {
            let path = RepoPath::parse(value).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(path.as_str(), value);
            assert_eq!(path.to_string(), value);
        }
        let bad = [
            ("", "empty"),
            ("/", "empty segment"),
            ("acme/", "empty segment"),
            ("/acme/app", "empty segment"),
            ("acme//app", "empty segment"),
            ("acme/..", "`..`"),
            ("../etc/passwd", "`..`"),
            ("acme/./app", "`.`"),
            (".", "`.`"),
            ("acme/app?x=1", "`?`"),
            ("acme/app#top", "`#`"),
            ("acme/app%2F..%2Fx", "`%`"),
            ("acme/a pp", "whitespace"),
            ("acme/app\n", "control"),
            ("acme/\u{0}", "control"),
            ("acme/\u{7f}app", "control"),
            ("acme/app\u{2028}", "whitespace"),
            ("\t", "control"),
        ];
        for (value, why) in bad {
            let err = RepoPath::parse(value).expect_err(value);
            assert!(err.to_string().contains(why), "{value:?}: {err}");
            assert_eq!(err.what, "repository path");
        }
    }

    #[test]
    fn segments_of_nested_groups() {
        let path = RepoPath::parse("group/sub/project").unwrap();
        assert_eq!(
            path.segments().collect::<Vec<_>>(),
            ["group", "sub", "project"]
        );
    }

    #[test]
    fn logins() {
        for value in ["alice", "alice-1", "dependabot[bot]", "first.last", "@bob"] {
            assert_eq!(Login::parse(value).unwrap().as_str(), value);
        }
        let bad = [
            ("", "empty"),
            ("a b", "whitespace"),
            ("a\u{1b}[31m", "control"),
            ("../admin", "`/`"),
            ("a/b", "`/`"),
            ("a?x", "`?`"),
            ("a#x", "`#`"),
            ("a%2F", "`%`"),
        ];
        for (value, why) in bad {
            let err = Login::parse(value).expect_err(value);
            assert!(err.to_string().contains(why), "{value:?}: {err}");
        }
    }

    #[test]
    fn label_names() {
        for value in ["bug", "flow::To Do", "a/b", "50%", "#1?", "ü ñ"] {
            assert_eq!(LabelName::parse(value).unwrap().as_str(), value);
        }
        for value in ["", "   ", "a\nb", "tab\there", "\u{0}"] {
            assert!(LabelName::parse(value).is_err(), "{value:?}");
        }
        let all = LabelName::parse_all(&["a".into(), "b c".into()]).unwrap();
        assert_eq!(all.len(), 2);
        assert!(LabelName::parse_all(&["a".into(), "".into()]).is_err());
    }

    #[test]
    fn errors_show_the_value_escaped_and_cut() {
        let err = RepoPath::parse("a/\u{1b}x").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid repository path "a/\u{1b}x": it holds a control character"#
        );
        let long = format!("a /{}", "x".repeat(500));
        let err = RepoPath::parse(&long).unwrap_err();
        assert_eq!(err.shown.chars().count(), MAX_SHOWN_CHARS + 1);
    }

    #[test]
    fn issue_refs() {
        let item = IssueRef::parse("g/p", 7, true).unwrap();
        assert_eq!(item.to_string(), "g/p!7");
        assert_eq!(
            IssueRef::parse("g/p", 7, false).unwrap().to_string(),
            "g/p#7"
        );
        assert!(IssueRef::parse("g/../p", 7, false).is_err());
    }
}
