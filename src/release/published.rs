//! The bodies forgehand writes around publishing: the "released in" comment on each issue
//! and merge request of a release (or one summary on the release merge request when there
//! are too many), the issue a failed publish opens, and the comment that closes it.

use std::fmt::Write as _;

use super::template::marker;
use crate::model::FailedJob;

/// Marker kind of "released in" comments (qualifier `summary` for the summary).
pub const MARKER_RELEASED_IN: &str = "released-in";
/// Marker kind of the failed-publish issue.
pub const MARKER_PUBLISH_FAILED: &str = "publish-failed";
/// Marker kind of the comment closing it (qualified by the pipeline that succeeded).
pub const MARKER_PUBLISH_FIXED: &str = "publish-fixed";
/// References listed at most per kind in the summary comment.
pub const MAX_SUMMARY_REFERENCES: usize = 300;

/// `[v1.4.0](url)`, or the bare tag without a URL.
fn linked(tag: &str, url: Option<&str>) -> String {
    match url {
        Some(url) if !url.is_empty() => format!("[{tag}]({url})"),
        _ => tag.to_string(),
    }
}

/// `3 issues`, `1 issue` (`plural` ends in `s`).
fn counted(n: usize, plural: &str) -> String {
    match n {
        1 => format!("1 {}", plural.strip_suffix('s').unwrap_or(plural)),
        n => format!("{n} {plural}"),
    }
}

/// The comment on one released issue / merge request; `version` names the marker.
pub fn released_in_comment(version: &str, tag: &str, url: Option<&str>) -> String {
    let mark = marker(MARKER_RELEASED_IN, version, None);
    format!("{mark}\nReleased in {}.\n", linked(tag, url))
}

/// The one comment on the release merge request when a release has more items than get
/// their own: the references of its merge requests and issues.
pub struct ReleasedSummary<'a> {
    pub version: &'a str,
    pub tag: &'a str,
    pub url: Option<&'a str>,
    /// Written-out references (`!12`, `#4`).
    pub merge_requests: &'a [String],
    pub issues: &'a [String],
    /// The most items that get their own comment.
    pub max_items: usize,
    /// How the forge names merge requests ("merge requests" / "pull requests").
    pub merge_request_word: &'a str,
}

impl ReleasedSummary<'_> {
    pub fn render(&self) -> String {
        let mark = marker(MARKER_RELEASED_IN, self.version, Some("summary"));
        let mut body = format!(
            "{mark}\nReleased in {}: {} and {}. That is more than the {} that get a \
             \"released in\" comment each, so this summary is the only note.\n\n",
            linked(self.tag, self.url),
            counted(self.merge_requests.len(), self.merge_request_word),
            counted(self.issues.len(), "issues"),
            self.max_items,
        );
        for (title, refs) in [
            (self.merge_request_word, self.merge_requests),
            ("issues", self.issues),
        ] {
            if refs.is_empty() {
                continue;
            }
            let shown: Vec<&str> = refs
                .iter()
                .take(MAX_SUMMARY_REFERENCES)
                .map(String::as_str)
                .collect();
            let mut line = format!(
                "- {}{}: {}",
                title[..1].to_uppercase(),
                &title[1..],
                shown.join(", ")
            );
            if refs.len() > shown.len() {
                let _ = write!(line, " and {} more", refs.len() - shown.len());
            }
            body.push_str(&line);
            body.push('\n');
        }
        body
    }
}

/// The issue a failed publish opens (and keeps up to date while later runs fail).
pub struct FailedPublish<'a> {
    pub version: &'a str,
    pub tag: &'a str,
    pub tag_url: Option<&'a str>,
    /// The stage (GitLab) / workflow name part (GitHub) of the publish pipeline.
    pub stage: &'a str,
    pub pipeline_id: u64,
    pub pipeline_url: Option<&'a str>,
    pub jobs: &'a [FailedJob],
    pub release_manager: Option<&'a str>,
    /// The blocker label as the forge's markdown names it, when the issue carries it.
    pub blocker: Option<&'a str>,
}

impl FailedPublish<'_> {
    pub fn title(&self) -> String {
        format!("Release {} failed to publish", self.tag)
    }

    pub fn marker(&self) -> String {
        marker(MARKER_PUBLISH_FAILED, self.version, None)
    }

    pub fn render(&self) -> String {
        let pipeline = linked(&format!("pipeline {}", self.pipeline_id), self.pipeline_url);
        let manager = self
            .release_manager
            .map_or_else(|| "_unassigned_".to_string(), |m| format!("@{m}"));
        let mut body = format!(
            "{}\n## {}\n\nThe `{}` pipeline of {} failed: {pipeline}.\n\n\
             - **Release manager:** {manager}\n",
            self.marker(),
            self.title(),
            self.stage,
            linked(self.tag, self.tag_url),
        );
        if let Some(label) = self.blocker {
            let _ = writeln!(
                body,
                "- **Blocks deployments:** `/deploy` refuses while this issue is open ({label})"
            );
        }
        body.push_str("\n### Failed jobs\n\n");
        if self.jobs.is_empty() {
            body.push_str("_The forge named no failed job; see the pipeline._\n");
        }
        for job in self.jobs {
            let _ = writeln!(body, "- {}", linked(&job.name, job.url.as_deref()));
        }
        let _ = write!(
            body,
            "\nFix the cause and run the pipeline again: forgehand comments here and closes \
             this issue when a `{}` pipeline of {} succeeds.\n",
            self.stage, self.tag
        );
        body
    }
}

/// The marker of the comment saying pipeline `pipeline_id` fixed the publish of `version`.
pub fn publish_fixed_marker(version: &str, pipeline_id: u64) -> String {
    marker(
        MARKER_PUBLISH_FIXED,
        version,
        Some(&format!("pipeline {pipeline_id}")),
    )
}

/// The comment closing the failed-publish issue.
pub fn publish_fixed_comment(
    version: &str,
    tag: &str,
    pipeline_id: u64,
    pipeline_url: Option<&str>,
) -> String {
    let pipeline = linked(&format!("pipeline {pipeline_id}"), pipeline_url);
    format!(
        "{}\nThe publish pipeline of {tag} succeeded: {pipeline}. Closing this issue.\n",
        publish_fixed_marker(version, pipeline_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Snapshot files are named without the crate's module path.
    fn snapshot(name: &str, body: String) {
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(name, body));
    }

    fn failed(jobs: &[FailedJob], blocker: Option<&'static str>) -> String {
        FailedPublish {
            version: "1.4.0",
            tag: "v1.4.0",
            tag_url: Some("https://github.com/acme/app/releases/tag/v1.4.0"),
            stage: "publish",
            pipeline_id: 981,
            pipeline_url: Some("https://github.com/acme/app/actions/runs/981"),
            jobs,
            release_manager: Some("eli"),
            blocker,
        }
        .render()
    }

    #[test]
    fn released_in_links_the_release() {
        let url = "https://github.com/acme/app/releases/tag/v1.4.0";
        snapshot(
            "released_in_comment",
            released_in_comment("1.4.0", "v1.4.0", Some(url)),
        );
        assert_eq!(
            released_in_comment("v1.4.0", "v1.4.0", None),
            "<!-- forgehand:released-in v1.4.0 -->\nReleased in v1.4.0.\n"
        );
    }

    #[test]
    fn summary_lists_references_up_to_the_bound() {
        let mrs: Vec<String> = (1..=3).map(|n| format!("!{n}")).collect();
        let issues = vec!["#7".to_string()];
        let summary = ReleasedSummary {
            version: "1.4.0",
            tag: "v1.4.0",
            url: Some("https://gitlab.com/acme/app/-/releases/v1.4.0"),
            merge_requests: &mrs,
            issues: &issues,
            max_items: 2,
            merge_request_word: "merge requests",
        };
        snapshot("released_summary", summary.render());
        let many: Vec<String> = (1..=MAX_SUMMARY_REFERENCES + 5)
            .map(|n| format!("#{n}"))
            .collect();
        let big = ReleasedSummary {
            merge_requests: &many,
            issues: &[],
            merge_request_word: "pull requests",
            ..summary
        };
        let text = big.render();
        assert!(text.contains("- Pull requests: #1, #2,"), "{text}");
        assert!(text.trim_end().ends_with("and 5 more"), "{text}");
        assert!(!text.contains("Issues:"));
    }

    #[test]
    fn failed_publish_issue_names_jobs_manager_and_blocker() {
        let jobs = [FailedJob {
            name: "publish-npm".into(),
            url: Some("https://github.com/acme/app/actions/runs/981/job/5".into()),
        }];
        snapshot(
            "failed_publish_issue",
            failed(&jobs, Some("`release-blocker`")),
        );
        let bare = failed(&[], None);
        assert!(bare.contains("_The forge named no failed job"), "{bare}");
        assert!(!bare.contains("Blocks deployments"), "{bare}");
        assert!(bare.starts_with(
            "<!-- forgehand:publish-failed v1.4.0 -->\n## Release v1.4.0 failed to publish\n"
        ));
    }

    #[test]
    fn the_fix_comment_carries_its_pipeline() {
        let body = publish_fixed_comment(
            "1.4.0",
            "v1.4.0",
            982,
            Some("https://gitlab.com/acme/app/-/pipelines/982"),
        );
        snapshot("publish_fixed_comment", body.clone());
        assert!(body.starts_with(&publish_fixed_marker("1.4.0", 982)));
        assert_ne!(
            publish_fixed_marker("1.4.0", 982),
            publish_fixed_marker("1.4.0", 983)
        );
    }
}
