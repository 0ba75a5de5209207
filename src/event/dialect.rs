//! A forge's dialect: what its webhooks carry and how its markdown spells things. Each
//! decoder states its forge's [`Dialect`]; `decide` and `gather` ask it instead of matching
//! on which forge an event came from.

use crate::model::RefStyle;

/// What differs between forges beyond the shape of their payloads, which the decoders
/// already hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// How release notes reference changes (`#12`, or `!12` for a merge request).
    pub refs: RefStyle,
    /// Where a tag's web page is under the repository's web URL, up to the tag's name:
    /// `releases/tag/` for `…/releases/tag/v1.4.0`.
    pub tag_page: &'static str,
    /// How markdown names a label.
    pub label_refs: LabelRefStyle,
    /// A comment's edit event carries the text before the edit. Where it does not, the
    /// store keeps each comment's text, so that an edit runs only the commands it adds.
    pub comment_edits_carry_previous_text: bool,
    /// A comment's event names the item's assignees by login. Where it does not (a GitLab
    /// note names them by id only), the item itself is read before deciding.
    pub comments_name_assignees: bool,
    /// A pipeline's event says whether it ran for a tag. Where it does not, a pipeline
    /// whose ref parses as a release tag is taken for that tag's pipeline.
    pub pipelines_flag_tags: bool,
    /// The forge's release objects can be drafts (published later). Where they cannot, a
    /// release is only created when it is to be published.
    pub release_drafts: bool,
    /// A release can be flagged as a pre-release. Where it cannot, the release's name says
    /// so.
    pub release_prerelease_flag: bool,
    /// A release links milestones (by title).
    pub release_milestones: bool,
    /// Issues have a due date of their own. Where they do not, an issue is dated by its
    /// milestone's due date (or only in its title and body).
    pub issue_due_dates: bool,
    /// What the forge calls merge requests, in the plural and in lower case.
    pub merge_requests: &'static str,
}

/// How markdown names a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelRefStyle {
    /// As inline code: `` `flow::Triage` ``.
    Code,
    /// As a label reference that renders as the label: `~bug`, `~"flow::To Do"` (quoted
    /// when the name has a space).
    Tilde,
}

impl Dialect {
    /// The web page of `tag` in the repository at `repo_url`.
    pub fn tag_url(&self, repo_url: &str, tag: &str) -> String {
        format!("{}/{}{tag}", repo_url.trim_end_matches('/'), self.tag_page)
    }

    /// `label` as the forge's markdown names it.
    pub fn label_reference(&self, label: &str) -> String {
        match self.label_refs {
            LabelRefStyle::Code => format!("`{label}`"),
            LabelRefStyle::Tilde if label.contains(' ') => format!("~\"{label}\""),
            LabelRefStyle::Tilde => format!("~{label}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TILDE: Dialect = Dialect {
        refs: RefStyle::GitLab,
        tag_page: "-/tags/",
        label_refs: LabelRefStyle::Tilde,
        comment_edits_carry_previous_text: false,
        comments_name_assignees: false,
        pipelines_flag_tags: true,
        release_drafts: false,
        release_prerelease_flag: false,
        release_milestones: true,
        issue_due_dates: true,
        merge_requests: "merge requests",
    };

    #[test]
    fn tag_pages_hang_off_the_repository_url() {
        let dialect = TILDE;
        assert_eq!(
            dialect.tag_url("https://gitlab.com/g/p/", "v1.4.0"),
            "https://gitlab.com/g/p/-/tags/v1.4.0"
        );
        let code = Dialect {
            tag_page: "releases/tag/",
            ..TILDE
        };
        assert_eq!(
            code.tag_url("https://github.com/o/r", "v1.4.0"),
            "https://github.com/o/r/releases/tag/v1.4.0"
        );
    }

    #[test]
    fn labels_are_spelled_as_the_forge_renders_them() {
        let code = Dialect {
            label_refs: LabelRefStyle::Code,
            ..TILDE
        };
        let cases = [
            (TILDE, "bug", "~bug"),
            (TILDE, "flow::To Do", "~\"flow::To Do\""),
            (code, "bug", "`bug`"),
            (code, "flow::To Do", "`flow::To Do`"),
        ];
        for (dialect, label, expected) in cases {
            assert_eq!(dialect.label_reference(label), expected, "{label}");
        }
    }
}
