//! A YAML document as a tree of nodes that remember where they start in the file, built from
//! `yaml-rust2`'s marked events, so every later error can name a line and column.

use super::error::{Issue, Pos};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// How a scalar was written; decides whether `4` is a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted: typed as YAML would (null, bool, int, float, else string).
    Plain,
    /// Single- or double-quoted, or tagged `!!str`: always a string.
    Quoted,
    /// A literal (`|`) or folded (`>`) block: always a string.
    Block,
}

/// A node of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar's text (after `${…}` expansion, once that has run) and its style.
    Scalar(String, ScalarStyle),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in file order.
    Map(Vec<(Node, Node)>),
}

/// A node and where it starts (a quoted scalar starts at its opening quote).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it is.
    pub kind: NodeKind,
}

impl Node {
    /// An empty plain scalar (YAML null) at `pos`.
    pub fn null(pos: Pos) -> Node {
        Node {
            pos,
            kind: NodeKind::Scalar(String::new(), ScalarStyle::Plain),
        }
    }

    /// Whether the node is a YAML null (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(text, ScalarStyle::Plain) if is_null_text(text))
    }

    /// The value under `key` when the node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar's text, if the node is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(text, _) => Some(text),
            _ => None,
        }
    }

    /// A short name of the node's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(..) if self.is_null() => "null",
            NodeKind::Scalar(..) => "a scalar",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// Whether a plain scalar's text is YAML's null.
pub fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// The path of a child under a mapping key: `server` + `listen` → `server.listen`.
pub fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path of a sequence entry: `rules` + 2 → `rules[2]`.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// Parses the first document of `text`. An empty file is a null node at 1:1.
pub fn parse(text: &str) -> Result<Node, Issue> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| {
            Issue::new(
                pos_of(e.marker()),
                "",
                format!("invalid YAML: {}", e.info()),
            )
        })?;
    if let Some(issue) = builder.error {
        return Err(issue);
    }
    Ok(builder.root.unwrap_or_else(|| Node::null(Pos::new(1, 1))))
}

/// Reports every key that appears twice in one mapping, at the second occurrence.
pub fn duplicate_keys(node: &Node, path: &str, issues: &mut Vec<Issue>) {
    match &node.kind {
        NodeKind::Scalar(..) => {}
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                duplicate_keys(item, &index_path(path, i), issues);
            }
        }
        NodeKind::Map(entries) => {
            let mut seen: HashMap<&str, Pos> = HashMap::new();
            for (key, value) in entries {
                let Some(name) = key.scalar() else {
                    issues.push(Issue::new(key.pos, path, "mapping keys must be scalars"));
                    continue;
                };
                if let Some(first) = seen.insert(name, key.pos) {
                    issues.push(Issue::new(
                        key.pos,
                        path,
                        format!("duplicate key `{name}` (first at line {})", first.line),
                    ));
                }
                duplicate_keys(value, &key_path(path, name), issues);
            }
        }
    }
}

fn pos_of(mark: &Marker) -> Pos {
    Pos::new(mark.line().max(1), mark.col() + 1)
}

/// A container being filled while its events arrive.
enum Open {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    error: Option<Issue>,
}

impl Builder {
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    let mut node = node;
                    // `key:` with nothing after it: the parser places the null at the next
                    // token, often on a later line; the key is where a reader looks.
                    if matches!(&node.kind, NodeKind::Scalar(t, ScalarStyle::Plain) if t.is_empty())
                    {
                        node.pos = key.pos;
                    }
                    entries.push((key, node));
                }
            },
        }
    }
}

fn is_str_tag(tag: &Option<Tag>) -> bool {
    tag.as_ref().is_some_and(|t| {
        t.suffix == "str" && (t.handle == "!!" || t.handle == "tag:yaml.org,2002:")
    })
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = pos_of(&mark);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    _ if is_str_tag(&tag) => ScalarStyle::Quoted,
                    TScalarStyle::Plain => ScalarStyle::Plain,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => ScalarStyle::Quoted,
                    TScalarStyle::Literal | TScalarStyle::Folded => ScalarStyle::Block,
                };
                let node = Node {
                    pos,
                    kind: NodeKind::Scalar(text, style),
                };
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(pos, anchor, Vec::new())),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Open::Map(pos, anchor, Vec::new(), None));
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(pos, anchor, items)) => {
                    let pos = items.first().map_or(pos, |first| pos.min(first.pos));
                    self.finish(
                        Node {
                            pos,
                            kind: NodeKind::Seq(items),
                        },
                        anchor,
                    );
                }
                Some(Open::Map(pos, anchor, entries, _)) => {
                    // A block mapping's start event points past its first key.
                    let pos = entries.first().map_or(pos, |(key, _)| pos.min(key.pos));
                    self.finish(
                        Node {
                            pos,
                            kind: NodeKind::Map(entries),
                        },
                        anchor,
                    );
                }
                None => {}
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.finish(node, 0),
                None => {
                    if self.error.is_none() {
                        self.error = Some(Issue::new(pos, "", "alias to an unknown anchor"));
                    }
                    self.finish(Node::null(pos), 0);
                }
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(line: usize, column: usize, text: &str, style: ScalarStyle) -> Node {
        Node {
            pos: Pos::new(line, column),
            kind: NodeKind::Scalar(text.into(), style),
        }
    }

    #[test]
    fn nodes_carry_one_based_positions() {
        let doc = parse("a: 1\nserver:\n  listen: \"x\"\n  list:\n    - b\n").unwrap();
        assert_eq!(doc.pos, Pos::new(1, 1));
        let server = doc.get("server").unwrap();
        assert_eq!(server.pos, Pos::new(3, 3));
        assert_eq!(
            server.get("listen").unwrap(),
            &scalar(3, 11, "x", ScalarStyle::Quoted)
        );
        let list = server.get("list").unwrap();
        assert_eq!(list.pos, Pos::new(5, 5));
        assert_eq!(
            list.kind,
            NodeKind::Seq(vec![scalar(5, 7, "b", ScalarStyle::Plain)])
        );
    }

    #[test]
    fn styles_and_tags() {
        let doc = parse("a: !!str 4\nb: |\n  text\nc: '4'\nd:\n").unwrap();
        let style = |k: &str| match &doc.get(k).unwrap().kind {
            NodeKind::Scalar(_, style) => *style,
            _ => panic!("not a scalar"),
        };
        assert_eq!(style("a"), ScalarStyle::Quoted);
        assert_eq!(style("b"), ScalarStyle::Block);
        assert_eq!(style("c"), ScalarStyle::Quoted);
        assert!(doc.get("d").unwrap().is_null());
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let doc = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(doc.get("a").unwrap().kind, doc.get("b").unwrap().kind);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1\nb: 2").unwrap_err();
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn empty_document_is_null() {
        assert!(parse("# nothing\n").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second() {
        let doc = parse("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap();
        let mut issues = Vec::new();
        duplicate_keys(&doc, "", &mut issues);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pos, Pos::new(4, 3));
        assert_eq!(issues[0].path, "b");
    }
}
