//! `labels:` — the colour and description of labels, which `forgehand labels sync` gives
//! each label it creates and sets on each existing one that differs. Keyed by label name;
//! labels the rules use that this section leaves out are created with the default colour.

use super::{Report, Validate};
use serde::Deserialize;

/// One `labels:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// Six hex digits, with or without `#` (`d73a4a`, `"#d73a4a"`). Left out: a new label
    /// gets `ededed`, an existing one keeps its colour.
    #[serde(default)]
    pub color: Option<String>,
    /// What the label means. Left out: a new label gets none, an existing one keeps its own.
    #[serde(default)]
    pub description: Option<String>,
}

impl Validate for LabelSpec {
    fn validate(&self, report: &mut Report<'_>) {
        if let Some(color) = &self.color {
            let hex = color.trim_start_matches('#');
            if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                report.error(
                    "color",
                    format!("`{color}` is not a colour: write six hex digits, e.g. `d73a4a`"),
                );
            }
        }
    }
}

/// `labels:`: label name → its colour and description, in file order.
pub type Labels = Vec<(String, LabelSpec)>;

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn labels_are_read_in_order_and_bad_colours_named_with_their_line() {
        let text = "labels:\n  bug: {color: \"#D73A4A\", description: Something is broken}\n  triage: {}\n";
        let config = Config::from_str(text, "s.yml", &|_| None).expect("valid");
        let names: Vec<_> = config.labels.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["bug", "triage"]);
        assert_eq!(config.labels[0].1.color.as_deref(), Some("#D73A4A"));
        assert_eq!(config.labels[1].1.description, None);

        let bad = "labels:\n  bug:\n    color: red\n  x: {colour: \"#fff\"}\n";
        let text = Config::from_str(bad, "s.yml", &|_| None)
            .expect_err("invalid")
            .to_string();
        assert!(
            text.contains("s.yml:3:12: labels.bug.color: `red` is not a colour"),
            "{text}"
        );
        assert!(
            text.contains("s.yml:4:7:") && text.contains("colour"),
            "{text}"
        );
    }
}
