//! Finds command lines in a comment: pulldown-cmark says which byte ranges are plain
//! paragraph text; a command is such text that starts a line. Linear in the body's size.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use super::{canonical_name, RawCommand, Spelling};

/// Most spaces before a command on its line (four would make indented code on its own).
const MAX_INDENT: usize = 3;

/// Opens an HTML comment; arguments end there.
const HTML_COMMENT: &str = "<!--";

/// GitLab's multi-line block quote fence: a line holding only `>>>`.
const GITLAB_QUOTE_FENCE: &str = ">>>";

/// The command lines of `body`, in order. `bot_name` enables the `@<bot-name> name`
/// spelling (case-insensitive; empty disables it). Slash commands whose name is not a
/// forgehand command are left out (GitLab quick actions, prose); unknown names after the
/// bot's mention are kept, for [`super::parse`] to report.
pub fn extract(body: &str, bot_name: &str) -> Vec<RawCommand> {
    let text = blank_gitlab_quotes(body);
    let mut commands = Vec::new();
    let mut lines = LineCursor::default();
    // Whether each open tag may hold commands directly; a block quote poisons its inside.
    let mut open: Vec<bool> = Vec::new();
    let mut quote_depth = 0usize;

    for (event, range) in Parser::new_ext(&text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::BlockQuote(_)) {
                    quote_depth += 1;
                }
                open.push(matches!(
                    tag,
                    Tag::Paragraph | Tag::Heading { .. } | Tag::Item
                ));
            }
            Event::End(end) => {
                if matches!(end, pulldown_cmark::TagEnd::BlockQuote(_)) {
                    quote_depth -= 1;
                }
                open.pop();
            }
            Event::Text(_) if quote_depth == 0 && open.last() == Some(&true) => {
                if let Some(command) = command_at(&text, range.start, &mut lines, bot_name) {
                    commands.push(command);
                }
            }
            _ => {}
        }
    }
    commands
}

/// The command starting at `start`, if `start` begins its line (after up to three spaces)
/// and the line reads as a command.
fn command_at(
    text: &str,
    start: usize,
    lines: &mut LineCursor,
    bot_name: &str,
) -> Option<RawCommand> {
    let rest = &text[start..];
    if !(rest.starts_with('/') || rest.starts_with('@')) {
        return None;
    }
    let line_start = lines.advance_to(text, start);
    let indent = &text[line_start..start];
    if indent.len() > MAX_INDENT || indent.bytes().any(|b| b != b' ') {
        return None;
    }
    let line = rest.split('\n').next().unwrap_or_default();
    let line = line.strip_suffix('\r').unwrap_or(line);
    // An HTML comment is not text: `/close <!-- why -->` has no arguments.
    let line = line.find(HTML_COMMENT).map_or(line, |i| &line[..i]);
    let (name, args, spelling) = split_command(line, bot_name)?;
    let name = name.to_ascii_lowercase();
    if spelling == Spelling::Slash && canonical_name(&name).is_none() {
        return None;
    }
    Some(RawCommand {
        name,
        args: args.trim().to_string(),
        line: lines.line,
        spelling,
    })
}

/// `/name args` or `@bot name args` → (name, args, spelling).
fn split_command<'a>(line: &'a str, bot_name: &str) -> Option<(&'a str, &'a str, Spelling)> {
    if let Some(after) = line.strip_prefix('/') {
        let (name, args) = split_name(after)?;
        return Some((name, args, Spelling::Slash));
    }
    let after = line.strip_prefix('@')?;
    if bot_name.is_empty() {
        return None;
    }
    let mention = after.get(..bot_name.len())?;
    if !mention.eq_ignore_ascii_case(bot_name) {
        return None;
    }
    let after = &after[bot_name.len()..];
    let trimmed = after.trim_start();
    if trimmed.len() == after.len() {
        // `@forgehandx` or `@forgehand` alone: not a command.
        return None;
    }
    let (name, args) = split_name(trimmed)?;
    Some((name, args, Spelling::Mention))
}

/// A command name (an ASCII letter, then letters, digits, `_` or `-`) that ends at
/// whitespace or the end of the line, and what follows it.
fn split_name(s: &str) -> Option<(&str, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(s.len());
    let (name, rest) = s.split_at(end);
    let starts_with_letter = name.starts_with(|c: char| c.is_ascii_alphabetic());
    let ends_cleanly = rest.is_empty() || rest.starts_with(char::is_whitespace);
    (starts_with_letter && ends_cleanly).then_some((name, rest))
}

/// Tracks the current line while offsets only grow, so numbering costs one pass in all.
#[derive(Debug)]
struct LineCursor {
    /// Bytes before this are counted.
    pos: usize,
    /// 1-based line number of `pos`.
    line: usize,
    /// Offset where the line of `pos` starts.
    line_start: usize,
}

impl Default for LineCursor {
    fn default() -> Self {
        LineCursor {
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }
}

impl LineCursor {
    /// Moves to `offset` (not before the last one) and returns where its line starts.
    fn advance_to(&mut self, text: &str, offset: usize) -> usize {
        if offset < self.pos {
            // Never expected from the parser; start over rather than slice backwards.
            *self = LineCursor::default();
        }
        for (i, b) in text.as_bytes()[self.pos..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = offset;
        self.line_start
    }
}

/// Replaces GitLab `>>>` block quotes (fences included) by blank lines of the same length,
/// so offsets and line numbers stay put. A `>>>` line inside code or an HTML block is not a
/// fence, nor is one without a closing fence.
fn blank_gitlab_quotes(body: &str) -> Cow<'_, str> {
    let is_fence = |line: &str| line.trim() == GITLAB_QUOTE_FENCE;
    if !body.split('\n').any(is_fence) {
        return Cow::Borrowed(body);
    }
    let literal = literal_blocks(body);
    let mut literal = literal.iter().peekable();
    // (offset, line) of every line that is a fence outside literal blocks.
    let mut fences = Vec::new();
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        while literal.next_if(|r| r.end <= offset).is_some() {}
        let in_literal = literal.peek().is_some_and(|r| r.start <= offset);
        if is_fence(line) && !in_literal {
            fences.push(offset);
        }
        offset += line.len();
    }
    let mut blanked = String::with_capacity(body.len());
    let mut pairs = fences.chunks_exact(2).map(|p| p[0]..p[1]).peekable();
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        while pairs.next_if(|r| r.end < offset).is_some() {}
        if pairs
            .peek()
            .is_some_and(|r| r.contains(&offset) || r.end == offset)
        {
            let content = line.trim_end_matches(['\r', '\n']);
            blanked.extend(std::iter::repeat_n(' ', content.len()));
            blanked.push_str(&line[content.len()..]);
        } else {
            blanked.push_str(line);
        }
        offset += line.len();
    }
    Cow::Owned(blanked)
}

/// Byte ranges of code blocks and HTML blocks, in order.
fn literal_blocks(body: &str) -> Vec<Range<usize>> {
    Parser::new_ext(body, Options::empty())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => Some(range),
            _ => None,
        })
        .collect()
}
