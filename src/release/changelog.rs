//! Release notes: the section for a version from a Keep a Changelog `CHANGELOG.md`, or,
//! when there is none, the merged changes grouped by label and rendered as markdown.

use std::fmt::Write as _;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::version::Version;
pub use crate::model::{Change, RefStyle};

/// Heading of the group that collects changes no configured group claims.
pub const OTHER_CHANGES_TITLE: &str = "Other changes";

/// A section of the generated release notes: changes carrying any of `labels`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeGroup {
    /// Heading, e.g. `Features`.
    pub title: String,
    /// Labels that put a change in this group (matched case-insensitively).
    pub labels: Vec<String>,
}

impl Change {
    /// The short reference: `#12`, or `!12` for a merge request in GitLab's style.
    pub fn reference(&self, style: RefStyle) -> String {
        let sigil = match style {
            RefStyle::GitLab if self.is_merge_request => '!',
            _ => '#',
        };
        format!("{sigil}{}", self.number)
    }

    /// Whether the change carries `label` (case-insensitive).
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
    }

    /// One markdown list item: `- Title ([!12](url)) by @alice`.
    pub fn markdown_item(&self, style: RefStyle) -> String {
        let reference = self.reference(style);
        let reference = match &self.url {
            Some(url) => format!("[{reference}]({url})"),
            None => reference,
        };
        let title = self.title.trim();
        if self.author.is_empty() {
            format!("- {title} ({reference})")
        } else {
            format!("- {title} ({reference}) by @{}", self.author)
        }
    }
}

/// A change as templates see it: the forge-specific reference already written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    pub reference: String,
    pub number: u64,
    pub title: String,
    pub author: String,
    pub url: Option<String>,
    pub labels: Vec<String>,
}

/// Template-ready entries for `changes`, in order.
pub fn change_entries(changes: &[&Change], style: RefStyle) -> Vec<ChangeEntry> {
    changes
        .iter()
        .map(|c| ChangeEntry {
            reference: c.reference(style),
            number: c.number,
            title: c.title.trim().to_string(),
            author: c.author.clone(),
            url: c.url.clone(),
            labels: c.labels.clone(),
        })
        .collect()
}

/// The changes carrying `label` (e.g. `config-change`), in order.
pub fn config_changes<'a>(changes: &'a [Change], label: &str) -> Vec<&'a Change> {
    changes.iter().filter(|c| c.has_label(label)).collect()
}

/// Release notes from merged changes: each change goes into the first group one of whose
/// labels it carries, the rest under [`OTHER_CHANGES_TITLE`]. Empty groups are left out;
/// no changes at all give an empty string.
pub fn group_changes(changes: &[Change], groups: &[ChangeGroup], style: RefStyle) -> String {
    let mut buckets: Vec<Vec<&Change>> = vec![Vec::new(); groups.len() + 1];
    for change in changes {
        let index = groups
            .iter()
            .position(|g| g.labels.iter().any(|l| change.has_label(l)))
            .unwrap_or(groups.len());
        buckets[index].push(change);
    }
    let titles = groups
        .iter()
        .map(|g| g.title.as_str())
        .chain(std::iter::once(OTHER_CHANGES_TITLE));
    let mut out = String::new();
    for (title, bucket) in titles.zip(&buckets) {
        if bucket.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "### {title}\n");
        for change in bucket {
            let _ = writeln!(out, "{}", change.markdown_item(style));
        }
    }
    out
}

/// `## [1.2.3] - 2026-01-05`, `## 1.2.3`, `## [v1.2.3](link)`, `## v1.2.3 (2026-01-05)`.
fn release_heading() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^ {0,3}##[ \t]+\[?[vV]?([0-9][0-9A-Za-z.+-]*)").expect("valid regex")
    })
}

/// A link reference definition: `[1.2.3]: https://...`.
fn link_definition() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^ {0,3}\[[^\]]+\]:\s*\S+").expect("valid regex"))
}

/// A heading that ends a release section: `#` or `##` (not `###`).
fn ends_section(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return false;
    }
    let hashes = trimmed.bytes().take_while(|b| *b == b'#').count();
    (hashes == 1 || hashes == 2)
        && trimmed[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

fn is_fence(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("```") || trimmed.starts_with("~~~")
}

/// The body of the section for `version` in a Keep a Changelog file, without its heading,
/// without surrounding blank lines and without trailing link reference definitions.
/// `None` when the version has no section or the section is empty.
pub fn extract_section(changelog: &str, version: &Version) -> Option<String> {
    let lines: Vec<&str> = changelog
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut in_fence = false;
    let mut start = None;
    let mut end = lines.len();
    for (index, line) in lines.iter().enumerate() {
        if is_fence(line) {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if start.is_some() {
            if ends_section(line) {
                end = index;
                break;
            }
        } else if heading_version(line).as_ref() == Some(version) {
            start = Some(index + 1);
        }
    }
    let mut body = &lines[start?..end];
    while let Some((last, rest)) = body.split_last() {
        if last.trim().is_empty() || link_definition().is_match(last) {
            body = rest;
        } else {
            break;
        }
    }
    while let Some((first, rest)) = body.split_first() {
        if first.trim().is_empty() {
            body = rest;
        } else {
            break;
        }
    }
    if body.is_empty() {
        return None;
    }
    Some(body.join("\n"))
}

/// The version a `## ` heading names, if it names one.
fn heading_version(line: &str) -> Option<Version> {
    let captures = release_heading().captures(line)?;
    let text = captures.get(1)?.as_str();
    // `1.2.3.` at the end of a sentence-like heading, or a trailing `-` before a date.
    let text = text.trim_end_matches(['.', '-']);
    Version::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEEP_A_CHANGELOG: &str = "\
# Changelog
All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]

### Added
- Dark mode.

## [1.2.3] - 2026-01-05

### Fixed
- Crash when the schedule is empty ([#41](https://github.com/acme/app/pull/41)).

### Security
- Bump `openssl` to 3.0.13.

## [1.2.0] - 2025-12-22

### Added
- Release calendar.

## [1.1.10] - 2025-11-03
### Changed
- Faster startup.

[unreleased]: https://github.com/acme/app/compare/v1.2.3...HEAD
[1.2.3]: https://github.com/acme/app/compare/v1.2.0...v1.2.3
[1.2.0]: https://github.com/acme/app/compare/v1.1.10...v1.2.0
[1.1.10]: https://github.com/acme/app/releases/tag/v1.1.10
";

    const PLAIN_HEADINGS: &str = "\
# Changes

## v2.0.0 (2026-02-02)

Breaking: the `rules:` key is now `triage:`.

```markdown
## this is not a heading, it is inside a fence
```

## 1.9.0

* Added `/release schedule`.

## 1.9.0-rc.1
* First candidate.
";

    const CRLF_AND_LINKS: &str = "## [v3.1.4](https://gitlab.com/a/b/-/tags/v3.1.4) - 2026-03-14\r\n\r\n### Fixed\r\n- Pi.\r\n\r\n## [3.1.3] - 2026-03-01\r\n### Fixed\r\n- Nothing.\r\n\r\n[3.1.3]: https://gitlab.com/a/b/-/tags/v3.1.3\r\n";

    const WITH_YANKED: &str = "\
# Changelog

## [Unreleased]

## [v2.1.0] - 2026-02-10
### Added
- `on_holiday: skip` for the release calendar.
  - Documented in `docs/calendar.md`.

### Deprecated
- `cadence.every` (use `cadence.every_weeks`).

## [v2.0.1] - 2026-01-29 [YANKED]
### Fixed
- Rotation anchor off by one.

## [v2.0.0] - 2026-01-12
### Removed
- Node 18 support.

[Unreleased]: https://example.com/compare/v2.1.0...HEAD
[v2.1.0]: https://example.com/compare/v2.0.1...v2.1.0
";

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn extracts_sections() {
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            (
                "middle section",
                KEEP_A_CHANGELOG,
                "1.2.3",
                Some("### Fixed\n- Crash when the schedule is empty ([#41](https://github.com/acme/app/pull/41)).\n\n### Security\n- Bump `openssl` to 3.0.13."),
            ),
            ("not a prefix match", KEEP_A_CHANGELOG, "1.1.1", None),
            ("absent", KEEP_A_CHANGELOG, "9.9.9", None),
            (
                "last section drops link definitions",
                KEEP_A_CHANGELOG,
                "1.1.10",
                Some("### Changed\n- Faster startup."),
            ),
            (
                "v prefix and date in parentheses, fenced heading ignored",
                PLAIN_HEADINGS,
                "2.0.0",
                Some("Breaking: the `rules:` key is now `triage:`.\n\n```markdown\n## this is not a heading, it is inside a fence\n```"),
            ),
            ("bare heading", PLAIN_HEADINGS, "1.9.0", Some("* Added `/release schedule`.")),
            ("pre-release heading", PLAIN_HEADINGS, "1.9.0-rc.1", Some("* First candidate.")),
            (
                "linked heading with CRLF",
                CRLF_AND_LINKS,
                "3.1.4",
                Some("### Fixed\n- Pi."),
            ),
            ("CRLF last section", CRLF_AND_LINKS, "3.1.3", Some("### Fixed\n- Nothing.")),
            (
                "v inside brackets, nested list kept",
                WITH_YANKED,
                "2.1.0",
                Some("### Added\n- `on_holiday: skip` for the release calendar.\n  - Documented in `docs/calendar.md`.\n\n### Deprecated\n- `cadence.every` (use `cadence.every_weeks`)."),
            ),
            ("yanked release", WITH_YANKED, "2.0.1", Some("### Fixed\n- Rotation anchor off by one.")),
            (
                "last section before link definitions",
                WITH_YANKED,
                "2.0.0",
                Some("### Removed\n- Node 18 support."),
            ),
            ("empty section", "## [1.0.0]\n\n## [0.9.0]\n- x\n", "1.0.0", None),
            ("empty file", "", "1.0.0", None),
            (
                "level-1 heading ends a section",
                "## 1.0.0\n- a\n# Older releases\n- b\n",
                "1.0.0",
                Some("- a"),
            ),
            (
                "deeper headings stay in the section",
                "## 1.0.0\n#### Details\n- a\n",
                "1.0.0",
                Some("#### Details\n- a"),
            ),
        ];
        for (name, text, version, expected) in cases {
            assert_eq!(
                extract_section(text, &v(version)).as_deref(),
                *expected,
                "{name}"
            );
        }
    }

    fn change(number: u64, title: &str, labels: &[&str], mr: bool) -> Change {
        Change {
            number,
            title: title.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            author: "alice".to_string(),
            url: None,
            is_merge_request: mr,
            closes: vec![],
        }
    }

    fn groups() -> Vec<ChangeGroup> {
        vec![
            ChangeGroup {
                title: "Breaking changes".into(),
                labels: vec!["breaking".into()],
            },
            ChangeGroup {
                title: "Features".into(),
                labels: vec!["feature".into(), "enhancement".into()],
            },
            ChangeGroup {
                title: "Fixes".into(),
                labels: vec!["bug".into()],
            },
        ]
    }

    #[test]
    fn groups_changes_by_first_matching_group() {
        let mut with_url = change(15, "Fix crash", &["bug", "feature"], true);
        with_url.url = Some("https://gitlab.com/a/b/-/merge_requests/15".into());
        let changes = vec![
            change(12, "Add dark mode", &["Enhancement"], true),
            with_url,
            change(16, "Drop v1 API", &["breaking", "bug"], true),
            change(17, "Update docs", &["docs"], true),
            change(18, " Tidy ", &[], false),
        ];
        let gitlab = group_changes(&changes, &groups(), RefStyle::GitLab);
        assert_eq!(
            gitlab,
            "### Breaking changes\n\n- Drop v1 API (!16) by @alice\n\n\
             ### Features\n\n- Add dark mode (!12) by @alice\n\
             - Fix crash ([!15](https://gitlab.com/a/b/-/merge_requests/15)) by @alice\n\n\
             ### Other changes\n\n- Update docs (!17) by @alice\n- Tidy (#18) by @alice\n"
        );
        let github = group_changes(&changes[3..], &groups(), RefStyle::GitHub);
        assert_eq!(
            github,
            "### Other changes\n\n- Update docs (#17) by @alice\n- Tidy (#18) by @alice\n"
        );
        assert_eq!(group_changes(&[], &groups(), RefStyle::GitHub), "");
        let no_groups = group_changes(&changes[..1], &[], RefStyle::GitHub);
        assert_eq!(
            no_groups,
            "### Other changes\n\n- Add dark mode (#12) by @alice\n"
        );
    }

    #[test]
    fn selects_config_changes() {
        let changes = vec![
            change(1, "a", &["config-change"], true),
            change(2, "b", &["bug"], true),
            change(3, "c", &["Config-Change", "bug"], true),
        ];
        let numbers: Vec<u64> = config_changes(&changes, "config-change")
            .iter()
            .map(|c| c.number)
            .collect();
        assert_eq!(numbers, vec![1, 3]);
        assert!(config_changes(&changes, "nothing").is_empty());
        let entries = change_entries(&config_changes(&changes, "config-change"), RefStyle::GitLab);
        assert_eq!(entries[0].reference, "!1");
        assert_eq!(entries[1].title, "c");
    }

    #[test]
    fn references_follow_the_forge() {
        let cases = [
            (RefStyle::GitHub, true, "#7"),
            (RefStyle::GitHub, false, "#7"),
            (RefStyle::GitLab, true, "!7"),
            (RefStyle::GitLab, false, "#7"),
        ];
        for (style, mr, expected) in cases {
            assert_eq!(change(7, "t", &[], mr).reference(style), expected);
        }
    }
}
