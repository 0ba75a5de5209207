//! `${NAME}` / `${NAME:-default}` expansion in scalar values, after parsing so positions stay
//! those of the file; `$$` is a literal dollar and a `$` not followed by `{` stays as it is.

use super::error::{Issue, Pos};
use super::yaml::{index_path, key_path, Node, NodeKind};

/// Looks an environment variable up; `None` when it is unset.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Why a scalar could not be expanded, and which `${` (0-based, in order) was at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// Index of the offending `${…}` among the scalar's references.
    pub reference: usize,
    /// What is wrong.
    pub message: String,
}

/// Expands every `${…}` reference in `text`.
pub fn expand(text: &str, env: EnvLookup<'_>) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut reference = 0;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let fail = |message: String| ExpandError { reference, message };
            let end = body
                .find('}')
                .ok_or_else(|| fail("unterminated `${`: expected `}`".into()))?;
            let inner = &body[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            if !is_variable_name(name) {
                return Err(fail(format!(
                    "`${{{inner}}}`: `{name}` is not a variable name \
                     (letters, digits and `_`; use `${{NAME:-default}}` for a default)"
                )));
            }
            match (env(name).filter(|v| !v.is_empty()), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => match env(name) {
                    Some(empty) => out.push_str(&empty),
                    None => {
                        return Err(fail(format!(
                            "environment variable `{name}` is not set and `${{{name}}}` has no \
                             default (write `${{{name}:-}}` to allow it to be unset)"
                        )))
                    }
                },
            }
            reference += 1;
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands every scalar value in the tree (mapping keys are left alone); each failure is
/// reported at the `${` it concerns.
pub fn expand_tree(
    node: &mut Node,
    source: &str,
    env: EnvLookup<'_>,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    let pos = node.pos;
    match &mut node.kind {
        NodeKind::Scalar(text, _) => {
            if !text.contains('$') {
                return;
            }
            match expand(text, env) {
                Ok(expanded) => *text = expanded,
                Err(e) => {
                    let lines = text.lines().count() + 1;
                    let at = locate_reference(source, pos, e.reference, lines).unwrap_or(pos);
                    issues.push(Issue::new(at, path, e.message));
                }
            }
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_tree(item, source, env, &index_path(path, i), issues);
            }
        }
        NodeKind::Map(entries) => {
            for (key, value) in entries.iter_mut() {
                let child = key_path(path, key.scalar().unwrap_or("?"));
                expand_tree(value, source, env, &child, issues);
            }
        }
    }
}

/// Finds the `reference`-th `${` in the source text from `start` on (skipping `$$`), within
/// `max_lines` lines, so an error can point at the reference itself.
fn locate_reference(source: &str, start: Pos, reference: usize, max_lines: usize) -> Option<Pos> {
    let line_text = source.lines().nth(start.line.checked_sub(1)?)?;
    let byte_col = line_text
        .char_indices()
        .nth(start.column - 1)
        .map_or(line_text.len(), |(i, _)| i);
    let offset = line_text.as_ptr() as usize - source.as_ptr() as usize + byte_col;
    let mut chars = source[offset..].chars().peekable();
    let (mut line, mut column, mut seen) = (start.line, start.column, 0);
    while let Some(c) = chars.next() {
        if c == '$' {
            match chars.peek() {
                Some('$') => {
                    chars.next();
                    column += 2;
                    continue;
                }
                Some('{') if seen == reference => return Some(Pos::new(line, column)),
                Some('{') => seen += 1,
                _ => {}
            }
        }
        if c == '\n' {
            line += 1;
            column = 1;
            if line >= start.line + max_lines {
                return None;
            }
        } else {
            column += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::yaml::parse;
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example.org".into()),
            "EMPTY" => Some(String::new()),
            "PORT" => Some("9000".into()),
            _ => None,
        }
    }

    #[test]
    fn expansion_table() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("${HOST}", "example.org"),
            ("http://${HOST}:${PORT}/", "http://example.org:9000/"),
            ("${UNSET:-fallback}", "fallback"),
            ("${UNSET:-}", ""),
            ("${EMPTY:-fallback}", "fallback"),
            ("${EMPTY}", ""),
            ("${HOST:-fallback}", "example.org"),
            ("${UNSET:-a:-b}", "a:-b"),
            ("$$", "$"),
            ("$${HOST}", "${HOST}"),
            ("cost: 5$", "cost: 5$"),
            ("^v\\d+$", "^v\\d+$"),
            ("$a $", "$a $"),
            ("$$$${HOST}", "$${HOST}"),
            ("é${HOST}é", "éexample.orgé"),
        ];
        for (input, expected) in cases {
            assert_eq!(expand(input, &env).as_deref(), Ok(*expected), "{input}");
        }
    }

    #[test]
    fn expansion_errors_table() {
        let cases: &[(&str, usize, &str)] = &[
            ("${UNSET}", 0, "`UNSET` is not set"),
            ("${HOST} ${UNSET}", 1, "`UNSET` is not set"),
            ("${HOST", 0, "unterminated"),
            ("${}", 0, "is not a variable name"),
            ("${A-b}", 0, "is not a variable name"),
            ("${9A}", 0, "is not a variable name"),
        ];
        for (input, reference, fragment) in cases {
            let err = expand(input, &env).unwrap_err();
            assert_eq!(err.reference, *reference, "{input}");
            assert!(err.message.contains(fragment), "{input}: {}", err.message);
        }
    }

    #[test]
    fn errors_point_at_the_reference() {
        let cases: &[(&str, Pos)] = &[
            ("a:\n  b: x ${UNSET}\n", Pos::new(2, 8)),
            ("a:\n  b: \"$$ ${HOST} ${UNSET}\"\n", Pos::new(2, 18)),
            ("a: |\n  line\n  ${UNSET}\n", Pos::new(3, 3)),
            ("a: [\"${HOST}\", 'é ${UNSET}']\n", Pos::new(1, 19)),
        ];
        for (text, expected) in cases {
            let mut doc = parse(text).unwrap();
            let mut issues = Vec::new();
            expand_tree(&mut doc, text, &env, "", &mut issues);
            assert_eq!(issues.len(), 1, "{text}");
            assert_eq!(issues[0].pos, *expected, "{text}");
            assert!(issues[0].message.contains("UNSET"));
        }
    }

    #[test]
    fn keys_are_not_expanded_and_values_are() {
        let text = "${HOST}: ${PORT}\n";
        let mut doc = parse(text).unwrap();
        let mut issues = Vec::new();
        expand_tree(&mut doc, text, &env, "", &mut issues);
        assert!(issues.is_empty());
        assert_eq!(doc.get("${HOST}").and_then(Node::scalar), Some("9000"));
    }
}
