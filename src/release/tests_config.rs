//! Test helper: parts of the `release:` section read the way users' files are read, through
//! the configuration loader, so tests see its messages and its file:line:column positions.

use crate::config::{Config, ConfigErrors};

/// The file name the loader puts in front of every error.
pub(crate) const FILE: &str = "forgehand.yml";

/// Looks nothing up: no `${…}` in these tests needs the environment.
fn no_env(_: &str) -> Option<String> {
    None
}

/// Loads a whole configuration file `text`.
pub(crate) fn load(text: &str) -> Result<Config, ConfigErrors> {
    Config::from_str(text, FILE, &no_env)
}

/// A configuration file with `yaml` as the value of `release.<key>` (indented four columns
/// under `release:` and `<key>:`, so the snippet's line N is the file's line N + 2).
pub(crate) fn release_file(key: &str, yaml: &str) -> String {
    let mut text = format!("release:\n  {key}:\n");
    for line in yaml.lines() {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Loads `yaml` as `release.<key>` and returns the loaded `release:` section.
pub(crate) fn load_release(
    key: &str,
    yaml: &str,
) -> Result<crate::config::release::ReleaseConfig, ConfigErrors> {
    load(&release_file(key, yaml)).map(|config| config.release)
}
