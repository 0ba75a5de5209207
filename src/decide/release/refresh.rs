//! Refreshing the release merge request's pipeline line without gathering the release again:
//! a pipeline event whose only effect is the status line reads the open release merge request
//! (its body is the only fact it needs) and re-renders the line(s) the template gives the
//! pipeline. Which lines those are is found by rendering the template with no pipeline and
//! with two probe pipelines: the lines that differ are the pipeline's, and the text they
//! share before and after the varying part (`| Pipeline | ` and ` |` in the default
//! template) finds the same line in the body. A body whose line cannot be found exactly once
//! (a template without one, or an edited body) is not refreshed this way; the gatherer then
//! gathers the whole release.

use super::render::{release_mr_context, render_release_mr};
use super::Derived;
use crate::config::Config;
use crate::event::{Event, EventKind, PipelineStatus};
use crate::release::{ReleaseMrContext, Version};

/// Probe pipelines: their URL and status never occur in a real body.
const PROBES: [(&str, &str); 2] = [
    ("https://forgehand.invalid/probe-a", "forgehand-probe-a"),
    ("https://forgehand.invalid/probe-b", "forgehand-probe-b"),
];

/// Whether `event` only refreshes the pipeline line: a publishing pipeline whose run neither
/// writes the release object nor opens or resolves the failed-publish issue.
pub fn refreshes_only(event: &Event, config: &Config) -> bool {
    let EventKind::Pipeline { pipeline } = &event.kind else {
        return false;
    };
    let release = &config.release;
    let publishes = super::publish::writes_release(event, config);
    let failed_publish = release.failed_publish.is_some()
        && matches!(
            pipeline.status,
            PipelineStatus::Failed | PipelineStatus::Success
        );
    !publishes && !failed_publish
}

/// Whether `body` has the template's pipeline line(s) exactly once, so that it can be
/// refreshed without the rest of the release's facts.
pub fn refreshable(
    config: &Config,
    version: &Version,
    tag: &str,
    project: &str,
    body: &str,
) -> bool {
    let base = ReleaseMrContext {
        version: version.clone(),
        previous_version: None,
        bump: None,
        changelog: String::new(),
        pipeline_url: None,
        pipeline_status: None,
        release_manager: None,
        release_date: None,
        tag: tag.to_string(),
        project: project.to_string(),
    };
    let render = |ctx: &ReleaseMrContext| {
        config
            .release
            .template(crate::config::release::TemplateKind::Release)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                t.render(&crate::release::to_context(ctx))
                    .map_err(|e| e.to_string())
            })
    };
    refreshed_with(&render, &base, body).is_some()
}

/// The release merge request's `body` with its pipeline line(s) rendered for the facts'
/// pipeline; `None` when the lines cannot be found exactly once.
pub(super) fn refreshed(derived: &Derived<'_>, body: &str) -> Option<String> {
    let base = release_mr_context(derived);
    let render = |ctx: &ReleaseMrContext| render_release_mr(derived, ctx);
    refreshed_with(&render, &base, body)
}

/// Replace in `body` each line the pipeline varies with its rendering for `base`'s pipeline.
fn refreshed_with(
    render: &dyn Fn(&ReleaseMrContext) -> Result<String, String>,
    base: &ReleaseMrContext,
    body: &str,
) -> Option<String> {
    let with = |pipeline: Option<(&str, &str)>| {
        let mut ctx = base.clone();
        ctx.pipeline_url = pipeline.map(|p| p.0.to_string());
        ctx.pipeline_status = pipeline.map(|p| p.1.to_string());
        render(&ctx).ok()
    };
    let none = with(None)?;
    let a = with(Some(PROBES[0]))?;
    let b = with(Some(PROBES[1]))?;
    let wanted = render(base).ok()?;
    let (none, a, b, wanted): (Vec<&str>, Vec<&str>, Vec<&str>, Vec<&str>) = (
        none.lines().collect(),
        a.lines().collect(),
        b.lines().collect(),
        wanted.lines().collect(),
    );
    if [a.len(), b.len(), wanted.len()] != [none.len(); 3] {
        return None;
    }
    let varying: Vec<usize> = (0..none.len())
        .filter(|&i| none[i] != a[i] || a[i] != b[i])
        .collect();
    if varying.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    for i in varying {
        let (prefix, suffix) = frame(&[none[i], a[i], b[i]]);
        let matches: Vec<usize> = (0..lines.len())
            .filter(|&j| {
                let line = &lines[j];
                line.len() >= prefix.len() + suffix.len()
                    && line.starts_with(prefix)
                    && line.ends_with(suffix)
            })
            .collect();
        let [only] = matches[..] else {
            return None;
        };
        lines[only] = wanted[i].to_string();
    }
    let mut text = lines.join("\n");
    if body.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// The text all `variants` share before and after their varying part (not overlapping).
fn frame<'a>(variants: &[&'a str]) -> (&'a str, &'a str) {
    let first = variants[0];
    let shortest = variants.iter().map(|v| v.len()).min().unwrap_or(0);
    let mut prefix = 0;
    for (i, c) in first.char_indices() {
        let end = i + c.len_utf8();
        if end > shortest || !variants.iter().all(|v| v.get(..end) == Some(&first[..end])) {
            break;
        }
        prefix = end;
    }
    let mut suffix = 0;
    for (i, _) in first.char_indices().rev() {
        let len = first.len() - i;
        if prefix + len > shortest
            || !variants
                .iter()
                .all(|v| v.len() >= len && v.get(v.len() - len..) == Some(&first[i..]))
        {
            break;
        }
        suffix = len;
    }
    (&first[..prefix], &first[first.len() - suffix..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_is_what_the_variants_share_around_their_varying_part() {
        let (p, s) = frame(&[
            "| Pipeline | _waiting_ |",
            "| Pipeline | [a](x) |",
            "| Pipeline | [b](y) |",
        ]);
        assert_eq!((p, s), ("| Pipeline | ", " |"));
        assert_eq!(frame(&["ab", "ab"]), ("ab", ""));
        assert_eq!(frame(&["x1y", "x2y"]), ("x", "y"));
    }

    fn render(ctx: &ReleaseMrContext) -> Result<String, String> {
        let status = match (&ctx.pipeline_url, &ctx.pipeline_status) {
            (Some(url), Some(status)) => format!("[{status}]({url})"),
            _ => "_waiting_".into(),
        };
        Ok(format!(
            "# {}\n| Pipeline | {status} |\n{}\n",
            ctx.tag, ctx.changelog
        ))
    }

    fn base(pipeline: Option<(&str, &str)>) -> ReleaseMrContext {
        ReleaseMrContext {
            version: Version::new(1, 4, 0),
            previous_version: None,
            bump: None,
            changelog: String::new(),
            pipeline_url: pipeline.map(|p| p.0.to_string()),
            pipeline_status: pipeline.map(|p| p.1.to_string()),
            release_manager: None,
            release_date: None,
            tag: "v1.4.0".into(),
            project: "acme/app".into(),
        }
    }

    #[test]
    fn the_pipeline_line_is_replaced_and_the_rest_kept_as_it_stands() {
        let body = "# v1.4.0\n| Pipeline | _waiting_ |\n- Edited by hand.\n";
        let new = refreshed_with(&render, &base(Some(("https://ci/9", "running"))), body);
        assert_eq!(
            new.as_deref(),
            Some("# v1.4.0\n| Pipeline | [running](https://ci/9) |\n- Edited by hand.\n")
        );
    }

    #[test]
    fn a_body_without_the_line_or_with_it_twice_is_not_refreshed() {
        let ctx = base(Some(("https://ci/9", "running")));
        assert_eq!(refreshed_with(&render, &ctx, "# v1.4.0\nno line\n"), None);
        let twice = "| Pipeline | a |\n| Pipeline | b |\n";
        assert_eq!(refreshed_with(&render, &ctx, twice), None);
        let no_pipeline = |ctx: &ReleaseMrContext| Ok(format!("# {}\n", ctx.tag));
        assert_eq!(refreshed_with(&no_pipeline, &ctx, "# v1.4.0\n"), None);
    }
}
