//! The loader's working state: a parsed, expanded document from which each section (and each
//! entry of a list section) is deserialized on its own, so that every error is collected, and
//! the [`Validate`] / [`Report`] pair through which sections add positioned semantic errors.

use super::de::{NodeDe, Sink};
use super::env::{expand_tree, EnvLookup};
use super::error::{Issue, Pos};
use super::schema::{probe, Described, Layout};
use super::spanned::Spanned;
use super::yaml::{self, index_path, key_path, Node, NodeKind};
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// Semantic checks a configuration type runs after it deserialized: anything its types cannot
/// express (cross-field rules, references to other entries). Report each problem with a path
/// relative to the value being checked; the report turns it into file:line:column.
pub trait Validate {
    /// Adds every problem found to `report`; the default finds none.
    fn validate(&self, report: &mut Report<'_>) {
        let _ = report;
    }
}

/// Collects semantic errors for one value, locating them in the document by path.
pub struct Report<'a> {
    root: &'a Node,
    base: String,
    issues: &'a mut Vec<Issue>,
}

impl<'a> Report<'a> {
    /// A report for the value at `base` (empty for the whole document).
    pub fn new(root: &'a Node, base: impl Into<String>, issues: &'a mut Vec<Issue>) -> Self {
        Report {
            root,
            base: base.into(),
            issues,
        }
    }

    /// The full dotted path of `relative` (`if.title`, `[2]`, or empty for the value itself).
    pub fn path(&self, relative: &str) -> String {
        match relative {
            "" => self.base.clone(),
            r if r.starts_with('[') => format!("{}{r}", self.base),
            r => key_path(&self.base, r),
        }
    }

    /// An error about the value at `relative`, placed at that value (at its key if the value
    /// is empty; at the nearest written ancestor if it is absent).
    pub fn error(&mut self, relative: &str, message: impl Into<String>) {
        let path = self.path(relative);
        let pos = locate(self.root, &path).value;
        self.issues.push(Issue::new(pos, path, message));
    }

    /// An error about the key of the entry at `relative` (e.g. an unknown name used as a key).
    pub fn key_error(&mut self, relative: &str, message: impl Into<String>) {
        let path = self.path(relative);
        let found = locate(self.root, &path);
        let pos = found.key.unwrap_or(found.value);
        self.issues.push(Issue::new(pos, path, message));
    }

    /// An error at the position a [`Spanned`] value remembers.
    pub fn error_at<T>(&mut self, spanned: &Spanned<T>, message: impl Into<String>) {
        let issue = Issue::new(spanned.pos, spanned.path.clone(), message);
        self.issues.push(issue);
    }

    /// A report for a part of this value (`report.scoped("if")`).
    pub fn scoped(&mut self, relative: &str) -> Report<'_> {
        Report {
            root: self.root,
            base: self.path(relative),
            issues: self.issues,
        }
    }
}

/// Where the node at a path was found: its key (for mapping entries) and its value.
struct Located {
    key: Option<Pos>,
    value: Pos,
}

/// One step of a dotted path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// Splits `a.b[2].c` into steps (keys cannot contain `.` or `[`; a bad index is dropped).
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next().filter(|n| !n.is_empty()) {
            steps.push(Step::Key(name));
        }
        for index in pieces {
            match index.trim_end_matches(']').parse() {
                Ok(i) => steps.push(Step::Index(i)),
                Err(_) => return steps,
            }
        }
    }
    steps
}

fn child<'n>(node: &'n Node, step: Step<'_>) -> Option<(Option<Pos>, &'n Node)> {
    match (&node.kind, step) {
        (NodeKind::Map(entries), Step::Key(name)) => entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(name))
            .map(|(k, v)| (Some(k.pos), v)),
        (NodeKind::Seq(items), Step::Index(i)) => items.get(i).map(|item| (None, item)),
        _ => None,
    }
}

/// Walks `path` as far as it exists.
fn locate(root: &Node, path: &str) -> Located {
    let mut node = root;
    let mut key = None;
    for step in steps(path) {
        let Some((k, next)) = child(node, step) else {
            break;
        };
        key = k;
        node = next;
    }
    Located {
        key,
        value: node.pos,
    }
}

/// Removes the mapping entry at `relative` (a path below `node` ending in a key); false when
/// there is no such entry.
fn remove_entry(node: &mut Node, relative: &str) -> bool {
    let mut steps = steps(relative);
    let Some(Step::Key(last)) = steps.pop() else {
        return false;
    };
    let mut node = node;
    for step in steps {
        node = match (&mut node.kind, step) {
            (NodeKind::Map(entries), Step::Key(name)) => {
                match entries.iter_mut().find(|(k, _)| k.scalar() == Some(name)) {
                    Some((_, value)) => value,
                    None => return false,
                }
            }
            (NodeKind::Seq(items), Step::Index(i)) => match items.get_mut(i) {
                Some(item) => item,
                None => return false,
            },
            _ => return false,
        };
    }
    let NodeKind::Map(entries) = &mut node.kind else {
        return false;
    };
    let before = entries.len();
    entries.retain(|(k, _)| k.scalar() != Some(last));
    entries.len() < before
}

/// Most errors reported for one section or list entry before giving up on it.
const MAX_ERRORS_PER_VALUE: usize = 50;

/// Whether `issue` is serde's "missing field" for the entry at `gone`.
fn is_missing(issue: &Issue, gone: &str) -> bool {
    let Some((parent, field)) = gone.rsplit_once('.') else {
        return issue.message == format!("missing field `{gone}`");
    };
    issue.path == parent && issue.message == format!("missing field `{field}`")
}

/// A parsed and expanded configuration document, deserialized section by section.
pub struct Document {
    root: Node,
    sink: Sink,
    issues: Vec<Issue>,
    /// `${…}` failures; the scalars they are in keep their text, and the errors reading
    /// that text would cause are not reported on top.
    env_issues: Vec<Issue>,
    sections: Vec<&'static str>,
    /// Top-level keys this kind of file may not carry (reported by [`Document::refuse`]).
    refused: Vec<&'static str>,
    /// In describe mode ([`Document::describe`]), each top-level key read and its type.
    described: Option<Vec<Described>>,
}

impl Document {
    /// Parses `text`, reports duplicate keys and expands `${…}` in every scalar value.
    /// A YAML syntax error stops here, since nothing after it can be trusted.
    pub fn parse(text: &str, env: EnvLookup<'_>) -> Result<Document, Vec<Issue>> {
        let mut root = yaml::parse(text).map_err(|issue| vec![issue])?;
        let mut issues = Vec::new();
        if !matches!(root.kind, NodeKind::Map(_)) && !root.is_null() {
            let message = format!("expected a mapping of sections, found {}", root.kind_name());
            return Err(vec![Issue::new(root.pos, "", message)]);
        }
        yaml::duplicate_keys(&root, "", &mut issues);
        let mut env_issues = Vec::new();
        expand_tree(&mut root, text, env, "", &mut env_issues);
        Ok(Document {
            root,
            sink: Sink::default(),
            issues,
            env_issues,
            sections: Vec::new(),
            refused: Vec::new(),
            described: None,
        })
    }

    /// An empty document that records, for the schema, every top-level key the loader
    /// reads from it, how (section, list, map) and as what type.
    pub(super) fn describe() -> Document {
        let mut doc = Document::parse("", &|_| None).expect("an empty document parses");
        doc.described = Some(Vec::new());
        doc
    }

    /// What a document made by [`Document::describe`] recorded (empty for any other).
    pub(super) fn described(self) -> Vec<Described> {
        self.described.unwrap_or_default()
    }

    fn record<T: DeserializeOwned>(&mut self, key: &'static str, layout: Layout) {
        if let Some(described) = &mut self.described {
            let value = probe::<T>();
            described.push(Described { key, layout, value });
        }
    }

    /// Whether the top-level key `key` is written in the document (even if empty).
    pub fn has(&self, key: &str) -> bool {
        self.root.get(key).is_some()
    }

    /// Reports the top-level key `key`, when present, as an error at its position with
    /// `message`: a section this kind of file may not set.
    pub fn refuse(&mut self, key: &'static str, message: &str) {
        self.refused.push(key);
        if let NodeKind::Map(entries) = &self.root.kind {
            for (k, _) in entries.iter().filter(|(k, _)| k.scalar() == Some(key)) {
                self.issues.push(Issue::new(k.pos, key, message));
            }
        }
    }

    fn node(&mut self, key: &'static str) -> Option<&Node> {
        self.sections.push(key);
        self.root.get(key)
    }

    fn absent(&self) -> Node {
        Node::null(self.root.pos)
    }

    /// Deserializes `node`. serde stops at a struct's first bad value, so after each error
    /// the offending entry is taken out of a copy and the value read again, until it reads or
    /// the error cannot be pinned on a removable entry: every bad field gets reported.
    fn deserialize<T: DeserializeOwned>(&self, node: &Node, path: &str) -> Result<T, Vec<Issue>> {
        let mut node = Cow::Borrowed(node);
        let mut issues: Vec<Issue> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        loop {
            let result = T::deserialize(NodeDe::new(&node, path.to_owned(), &self.sink));
            let issue = match result {
                Ok(value) if issues.is_empty() => return Ok(value),
                Ok(_) => return Err(issues),
                Err(e) => e.into_issue(node.pos, path.to_owned()),
            };
            // A required field we took out is not a finding of its own.
            if removed.iter().any(|gone| is_missing(&issue, gone)) {
                return Err(issues);
            }
            let relative = issue.path.strip_prefix(path).filter(|r| !r.is_empty());
            let removable = relative
                .filter(|_| issues.len() < MAX_ERRORS_PER_VALUE)
                .is_some_and(|r| remove_entry(node.to_mut(), r));
            removed.push(issue.path.clone());
            issues.push(issue);
            if !removable {
                return Err(issues);
            }
        }
    }

    fn validate<T: Validate>(&mut self, value: &T, path: String) {
        value.validate(&mut Report::new(&self.root, path, &mut self.issues));
    }

    /// Deserializes and validates the top-level section `key`; an absent or empty section is
    /// read as an empty mapping, so its defaults apply. `None` once an error was recorded.
    pub fn section<T: DeserializeOwned + Validate>(&mut self, key: &'static str) -> Option<T> {
        self.record::<T>(key, Layout::Section);
        let node = self.node(key).cloned().unwrap_or_else(|| self.absent());
        match self.deserialize::<T>(&node, key) {
            Ok(value) => {
                self.validate(&value, key.to_owned());
                Some(value)
            }
            Err(issues) => {
                self.issues.extend(issues);
                None
            }
        }
    }

    /// Deserializes and validates each entry of the top-level sequence `key` on its own, so
    /// a broken entry does not hide the errors of the next. Absent means empty.
    pub fn list<T: DeserializeOwned + Validate>(&mut self, key: &'static str) -> Option<Vec<T>> {
        self.record::<T>(key, Layout::List);
        let node = self.node(key).cloned().unwrap_or_else(|| self.absent());
        let items = match &node.kind {
            NodeKind::Seq(items) => items.as_slice(),
            _ if node.is_null() => &[],
            _ => return self.wrong_kind(&node, key, "a sequence"),
        };
        let mut values = Some(Vec::with_capacity(items.len()));
        for (i, item) in items.iter().enumerate() {
            let path = index_path(key, i);
            match self.deserialize::<T>(item, &path) {
                Ok(value) => {
                    self.validate(&value, path);
                    if let Some(values) = &mut values {
                        values.push(value);
                    }
                }
                Err(issues) => {
                    self.issues.extend(issues);
                    values = None;
                }
            }
        }
        values
    }

    /// Deserializes each entry of the top-level mapping `key` on its own: keys as `K`, values
    /// as `V`, in file order. Absent means empty.
    pub fn map<K: DeserializeOwned, V: DeserializeOwned>(
        &mut self,
        key: &'static str,
    ) -> Option<Vec<(K, V)>> {
        self.record::<V>(key, Layout::Map);
        let node = self.node(key).cloned().unwrap_or_else(|| self.absent());
        let entries = match &node.kind {
            NodeKind::Map(entries) => entries.as_slice(),
            _ if node.is_null() => &[],
            _ => return self.wrong_kind(&node, key, "a mapping"),
        };
        let mut values = Some(Vec::with_capacity(entries.len()));
        for (k, v) in entries {
            let path = key_path(key, k.scalar().unwrap_or("?"));
            let entry = self.deserialize::<K>(k, key);
            let value = self.deserialize::<V>(v, &path);
            match (entry, value) {
                (Ok(k), Ok(v)) => {
                    if let Some(values) = &mut values {
                        values.push((k, v));
                    }
                }
                (entry, value) => {
                    self.issues.extend(entry.err().into_iter().flatten());
                    self.issues.extend(value.err().into_iter().flatten());
                    values = None;
                }
            }
        }
        values
    }

    /// [`Document::map`], with each value's [`Validate`] run at its path.
    pub fn map_validated<K: DeserializeOwned, V: DeserializeOwned + Validate>(
        &mut self,
        key: &'static str,
    ) -> Option<Vec<(K, V)>> {
        let values = self.map::<K, V>(key)?;
        let names: Vec<String> = match self.root.get(key).map(|n| &n.kind) {
            Some(NodeKind::Map(entries)) => entries
                .iter()
                .map(|(k, _)| key_path(key, k.scalar().unwrap_or("?")))
                .collect(),
            _ => Vec::new(),
        };
        for ((_, value), path) in values.iter().zip(names) {
            self.validate(value, path);
        }
        Some(values)
    }

    fn wrong_kind<T>(&mut self, node: &Node, key: &str, expected: &str) -> Option<T> {
        let message = format!("expected {expected}, found {}", node.kind_name());
        self.issues.push(Issue::new(node.pos, key, message));
        None
    }

    /// Reports top-level keys no section asked for, then — when everything so far is clean —
    /// runs the whole configuration's cross-section checks. Returns every issue, if any, in
    /// file order.
    pub fn finish<T: Validate>(mut self, value: Option<T>) -> Result<T, Vec<Issue>> {
        if let NodeKind::Map(entries) = &self.root.kind {
            let expected = self
                .sections
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            for (key, _) in entries {
                let name = key.scalar().unwrap_or("?");
                if !self.sections.contains(&name) && !self.refused.contains(&name) {
                    let message = format!("unknown field `{name}`, expected one of {expected}");
                    self.issues.push(Issue::new(key.pos, "", message));
                }
            }
        }
        self.issues.extend(self.sink.take());
        let env_issues = std::mem::take(&mut self.env_issues);
        self.issues
            .retain(|issue| !env_issues.iter().any(|e| e.path == issue.path));
        self.issues.extend(env_issues);
        // Re-reading a value after an error reports its unknown fields again.
        self.issues.sort_by_key(|issue| issue.pos);
        self.issues.dedup();
        match value {
            Some(value) if self.issues.is_empty() => {
                self.validate(&value, String::new());
                if self.issues.is_empty() {
                    return Ok(value);
                }
                Err(self.issues)
            }
            _ => Err(self.issues),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_follows_paths_and_stops_at_the_nearest_ancestor() {
        let text = "rules:\n  - id: a\n    if:\n      title: x\n  - id: b\nempty:\n";
        let root = yaml::parse(text).unwrap();
        let cases: &[(&str, Option<Pos>, Pos)] = &[
            ("rules[0].if.title", Some(Pos::new(4, 7)), Pos::new(4, 14)),
            ("rules[1].id", Some(Pos::new(5, 5)), Pos::new(5, 9)),
            ("rules[1]", None, Pos::new(5, 5)),
            ("rules[1].missing", None, Pos::new(5, 5)),
            ("rules[9]", Some(Pos::new(1, 1)), Pos::new(2, 3)),
            ("empty", Some(Pos::new(6, 1)), Pos::new(6, 1)),
            ("", None, Pos::new(1, 1)),
        ];
        for (path, key, value) in cases {
            let found = locate(&root, path);
            assert_eq!((found.key, found.value), (*key, *value), "{path}");
        }
    }

    #[test]
    fn report_paths_are_relative_to_the_scope() {
        let root = yaml::parse("rules:\n  - if:\n      title: x\n").unwrap();
        let mut issues = Vec::new();
        let mut report = Report::new(&root, "rules[0]", &mut issues);
        report.scoped("if").error("title", "invalid regex");
        report.key_error("if", "odd");
        assert_eq!(
            issues[0],
            Issue::new(Pos::new(3, 14), "rules[0].if.title", "invalid regex")
        );
        assert_eq!(issues[1], Issue::new(Pos::new(2, 5), "rules[0].if", "odd"));
    }
}
