//! Configuration errors: each names the file, the line and column of the offending node and,
//! where known, the dotted path to it (`rules[2].if.title`).

use std::fmt;

/// A 1-based line and column in the configuration file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: usize,
    /// Column, starting at 1.
    pub column: usize,
}

impl Pos {
    /// A position from 1-based line and column.
    pub const fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A problem found in a configuration file before the file name is attached: where it is, the
/// dotted path to the node (empty for the document itself) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where the offending node starts.
    pub pos: Pos,
    /// Dotted path of the node, e.g. `server.workers` or `rules[2].if.title`; may be empty.
    pub path: String,
    /// What is wrong, e.g. `invalid regex: …`.
    pub message: String,
}

impl Issue {
    /// An issue at `pos`, for the node at `path`.
    pub fn new(pos: Pos, path: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            pos,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One configuration error, printed as `file:line:column: path: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file as it was named to the loader.
    pub file: String,
    /// Where in the file; `None` when the file could not be read at all.
    pub pos: Option<Pos>,
    /// Dotted path of the offending node; may be empty.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// Attaches the file name to an [`Issue`].
    pub fn from_issue(file: &str, issue: Issue) -> ConfigError {
        ConfigError {
            file: file.to_owned(),
            pos: Some(issue.pos),
            path: issue.path,
            message: issue.message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(pos) = self.pos {
            write!(f, ":{pos}")?;
        }
        f.write_str(": ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        // One error per line, whatever the message.
        f.write_str(&self.message.replace('\n', " "))
    }
}

/// Every error found in one configuration file, in file order; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// Builds the list from issues found in `file`, sorted by position, duplicates removed.
    pub fn from_issues(file: &str, mut issues: Vec<Issue>) -> ConfigErrors {
        issues.sort_by_key(|issue| issue.pos);
        issues.dedup();
        ConfigErrors(
            issues
                .into_iter()
                .map(|issue| ConfigError::from_issue(file, issue))
                .collect(),
        )
    }

    /// The errors, in file order.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }

    /// How many errors there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none (never true for a list returned by the loader).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_one_per_line_in_file_order() {
        let errors = ConfigErrors::from_issues(
            "config/forgehand.yml",
            vec![
                Issue::new(Pos::new(9, 3), "github", "second"),
                Issue::new(Pos::new(2, 5), "", "first"),
                Issue::new(Pos::new(2, 5), "", "first"),
            ],
        );
        assert_eq!(
            errors.to_string(),
            "config/forgehand.yml:2:5: first\nconfig/forgehand.yml:9:3: github: second"
        );
    }

    #[test]
    fn an_error_without_position_names_the_file() {
        let error = ConfigError {
            file: "x.yml".into(),
            pos: None,
            path: String::new(),
            message: "cannot read: not found".into(),
        };
        assert_eq!(error.to_string(), "x.yml: cannot read: not found");
    }
}
