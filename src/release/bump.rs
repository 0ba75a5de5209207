//! Rewrites the version in the files projects keep it in (`package.json`, `Cargo.toml`,
//! `VERSION`), touching only the version text so formatting and comments survive.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::version::{Version, VersionError};

/// Why a file's version cannot be read or rewritten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BumpError {
    #[error("{file}: no {what} found")]
    NotFound {
        file: &'static str,
        what: &'static str,
    },
    #[error("{file}: the version is not a plain string")]
    NotAString { file: &'static str },
    #[error("Cargo.toml: the package takes its version from the workspace (`version.workspace = true`); bump the workspace root instead")]
    WorkspaceInherited,
    #[error("{file}: {source}")]
    NotSemver {
        file: &'static str,
        #[source]
        source: VersionError,
    },
}

/// A kind of file that holds a project's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionFile {
    /// The top-level `"version"` of `package.json`.
    PackageJson,
    /// `version` under `[package]` (or `[workspace.package]`) of `Cargo.toml`.
    CargoToml,
    /// A `VERSION` file holding only the version.
    Plain,
}

impl VersionFile {
    /// Recognises a file by its name: `package.json`, `Cargo.toml`, `VERSION`.
    pub fn from_path(path: &str) -> Option<VersionFile> {
        match path.rsplit(['/', '\\']).next()? {
            "package.json" => Some(VersionFile::PackageJson),
            "Cargo.toml" => Some(VersionFile::CargoToml),
            "VERSION" | "VERSION.txt" => Some(VersionFile::Plain),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            VersionFile::PackageJson => "package.json",
            VersionFile::CargoToml => "Cargo.toml",
            VersionFile::Plain => "VERSION",
        }
    }

    /// Where the version text sits in `contents` (without quotes or a `v` prefix).
    fn locate(self, contents: &str) -> Result<Range<usize>, BumpError> {
        match self {
            VersionFile::PackageJson => package_json_span(contents),
            VersionFile::CargoToml => cargo_toml_span(contents),
            VersionFile::Plain => plain_span(contents),
        }
    }

    /// The version the file holds now.
    pub fn read_version(self, contents: &str) -> Result<Version, BumpError> {
        let span = self.locate(contents)?;
        Version::parse(&contents[span]).map_err(|source| BumpError::NotSemver {
            file: self.name(),
            source,
        })
    }

    /// `contents` with the version replaced by `new`; everything else is kept byte for byte.
    pub fn bump(self, contents: &str, new: &Version) -> Result<String, BumpError> {
        let span = self.locate(contents)?;
        let mut out = String::with_capacity(contents.len() + 8);
        out.push_str(&contents[..span.start]);
        out.push_str(&new.to_string());
        out.push_str(&contents[span.end..]);
        Ok(out)
    }
}

/// Sets the top-level `"version"` of a `package.json`.
pub fn bump_package_json(contents: &str, new: &Version) -> Result<String, BumpError> {
    VersionFile::PackageJson.bump(contents, new)
}

/// Sets `version` under `[package]` of a `Cargo.toml` (dependencies are left alone).
pub fn bump_cargo_toml(contents: &str, new: &Version) -> Result<String, BumpError> {
    VersionFile::CargoToml.bump(contents, new)
}

/// Replaces the content of a `VERSION` file, keeping a `v` prefix and the trailing newline.
pub fn bump_version_file(contents: &str, new: &Version) -> Result<String, BumpError> {
    VersionFile::Plain.bump(contents, new)
}

/// The end (exclusive) of the JSON string whose opening quote is at `open`.
fn json_string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn package_json_span(contents: &str) -> Result<Range<usize>, BumpError> {
    const FILE: &str = "package.json";
    let not_found = BumpError::NotFound {
        file: FILE,
        what: "top-level \"version\" field",
    };
    let bytes = contents.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let end = json_string_end(bytes, i).ok_or(not_found.clone())?;
                let after = skip_whitespace(bytes, end);
                let is_key = bytes.get(after) == Some(&b':');
                if depth == 1 && is_key && &contents[i + 1..end - 1] == "version" {
                    let value = skip_whitespace(bytes, after + 1);
                    if bytes.get(value) != Some(&b'"') {
                        return Err(BumpError::NotAString { file: FILE });
                    }
                    let value_end = json_string_end(bytes, value).ok_or(not_found)?;
                    return Ok(value + 1..value_end - 1);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Err(not_found)
}

fn toml_header() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"^\s*\[(\[)?\s*([^\[\]]+?)\s*\]"#).expect("valid regex"))
}

fn toml_version() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"^\s*version\s*(=\s*(?:"([^"\\]*)"|'([^']*)')|\.workspace\s*=|=\s*\{)"#)
            .expect("valid regex")
    })
}

fn cargo_toml_span(contents: &str) -> Result<Range<usize>, BumpError> {
    let mut package = None;
    let mut workspace_package = None;
    let mut table = String::new();
    let mut offset = 0;
    for line in contents.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if let Some(header) = toml_header().captures(line) {
            table = if header.get(1).is_some() {
                String::new() // an array of tables such as [[bin]]
            } else {
                header[2].replace([' ', '"'], "")
            };
            continue;
        }
        let target = match table.as_str() {
            "package" => &mut package,
            "workspace.package" => &mut workspace_package,
            _ => continue,
        };
        let Some(found) = toml_version().captures(line) else {
            continue;
        };
        *target = Some(match found.get(2).or_else(|| found.get(3)) {
            Some(value) => Ok(start + value.start()..start + value.end()),
            None if table == "package" => Err(BumpError::WorkspaceInherited),
            None => Err(BumpError::NotAString { file: "Cargo.toml" }),
        });
    }
    match (package, workspace_package) {
        (Some(Err(BumpError::WorkspaceInherited)), Some(found)) => found,
        (Some(found), _) => found,
        (None, Some(found)) => found,
        (None, None) => Err(BumpError::NotFound {
            file: "Cargo.toml",
            what: "`version` under [package]",
        }),
    }
}

fn plain_span(contents: &str) -> Result<Range<usize>, BumpError> {
    let start = contents.len() - contents.trim_start().len();
    let end = contents.trim_end().len();
    if start >= end {
        return Err(BumpError::NotFound {
            file: "VERSION",
            what: "version",
        });
    }
    let start = if contents[start..].starts_with(['v', 'V']) {
        start + 1
    } else {
        start
    };
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    const PACKAGE_JSON: &str = r#"{
  "name": "transit-app",
  "description": "the \"version\": 0 trap",
  "version": "1.4.2",
  "private": true,
  "dependencies": {
    "version": "^1.0.0",
    "react": "18.2.0"
  },
  "config": { "version": "9.9.9" }
}
"#;

    const CARGO_TOML: &str = "[package]\nname = \"app\"   # the app\nversion = \"0.3.1\" # bumped by forgehand\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n\n[dependencies.regex]\nversion = \"1.10.0\"\n";

    #[test]
    fn bumps_files() {
        let cases: &[(VersionFile, &str, &str, &str)] = &[
            (
                VersionFile::PackageJson,
                PACKAGE_JSON,
                "1.4.2",
                &PACKAGE_JSON.replace("\"version\": \"1.4.2\"", "\"version\": \"1.5.0\""),
            ),
            (
                VersionFile::PackageJson,
                "{\"version\":\"0.1.0\",\"name\":\"x\"}",
                "0.1.0",
                "{\"version\":\"1.5.0\",\"name\":\"x\"}",
            ),
            (
                VersionFile::PackageJson,
                "{\n\t\"deps\": {\"version\": \"2\"},\n\t\"version\" : \"1.0.0-rc.1\"\n}",
                "1.0.0-rc.1",
                "{\n\t\"deps\": {\"version\": \"2\"},\n\t\"version\" : \"1.5.0\"\n}",
            ),
            (
                VersionFile::CargoToml,
                CARGO_TOML,
                "0.3.1",
                &CARGO_TOML.replace("version = \"0.3.1\" #", "version = \"1.5.0\" #"),
            ),
            (
                VersionFile::CargoToml,
                "[dependencies]\nfoo = \"1\"\n\n[ package ]\r\nversion='0.0.1'\r\n[[bin]]\nversion = \"x\"\n",
                "0.0.1",
                "[dependencies]\nfoo = \"1\"\n\n[ package ]\r\nversion='1.5.0'\r\n[[bin]]\nversion = \"x\"\n",
            ),
            (
                VersionFile::CargoToml,
                "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n",
                "2.0.0",
                "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"1.5.0\"\n",
            ),
            (
                VersionFile::CargoToml,
                "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"2.0.0\"\n",
                "2.0.0",
                "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"1.5.0\"\n",
            ),
            (VersionFile::Plain, "1.4.2\n", "1.4.2", "1.5.0\n"),
            (VersionFile::Plain, "1.4.2", "1.4.2", "1.5.0"),
            (VersionFile::Plain, "v1.4.2\r\n", "1.4.2", "v1.5.0\r\n"),
        ];
        for (kind, input, current, expected) in cases {
            assert_eq!(
                kind.read_version(input).unwrap(),
                v(current),
                "{kind:?} {input}"
            );
            assert_eq!(
                kind.bump(input, &v("1.5.0")).unwrap(),
                *expected,
                "{kind:?} {input}"
            );
        }
        assert_eq!(
            bump_package_json("{\"version\": \"1.0.0\"}", &v("2.0.0")).unwrap(),
            "{\"version\": \"2.0.0\"}"
        );
        assert_eq!(
            bump_cargo_toml("[package]\nversion = \"1.0.0\"\n", &v("2.0.0")).unwrap(),
            "[package]\nversion = \"2.0.0\"\n"
        );
        assert_eq!(
            bump_version_file("1.0.0\n", &v("2.0.0")).unwrap(),
            "2.0.0\n"
        );
    }

    #[test]
    fn refuses_files_without_a_version() {
        let cases: &[(VersionFile, &str, &str)] = &[
            (
                VersionFile::PackageJson,
                "{\"name\": \"x\"}",
                "no top-level",
            ),
            (
                VersionFile::PackageJson,
                "{\"deps\": {\"version\": \"1.0.0\"}}",
                "no top-level",
            ),
            (
                VersionFile::PackageJson,
                "{\"name\": \"version\"}",
                "no top-level",
            ),
            (
                VersionFile::PackageJson,
                "{\"version\": 3}",
                "not a plain string",
            ),
            (
                VersionFile::PackageJson,
                "[{\"version\": \"1.0.0\"}]",
                "no top-level",
            ),
            (VersionFile::PackageJson, "", "no top-level"),
            (
                VersionFile::CargoToml,
                "[dependencies]\nversion = \"1.0.0\"\n",
                "under [package]",
            ),
            (
                VersionFile::CargoToml,
                "[package]\nname = \"x\"\n[dependencies.a]\nversion = \"1\"\n",
                "under [package]",
            ),
            (
                VersionFile::CargoToml,
                "[package]\nversion.workspace = true\n",
                "from the workspace",
            ),
            (
                VersionFile::CargoToml,
                "[package]\nversion = { workspace = true }\n",
                "from the workspace",
            ),
            (VersionFile::Plain, "", "no version"),
            (VersionFile::Plain, " \n", "no version"),
        ];
        for (kind, input, expected) in cases {
            let err = kind.bump(input, &v("1.0.0")).unwrap_err().to_string();
            assert!(err.contains(expected), "{kind:?} {input:?}: {err}");
        }
        let err = VersionFile::Plain.read_version("latest\n").unwrap_err();
        assert!(matches!(err, BumpError::NotSemver { .. }), "{err:?}");
    }

    #[test]
    fn recognises_file_names() {
        let cases = [
            ("package.json", Some(VersionFile::PackageJson)),
            ("web/package.json", Some(VersionFile::PackageJson)),
            ("Cargo.toml", Some(VersionFile::CargoToml)),
            ("crates/x/Cargo.toml", Some(VersionFile::CargoToml)),
            ("VERSION", Some(VersionFile::Plain)),
            ("package-lock.json", None),
            ("cargo.toml", None),
        ];
        for (path, expected) in cases {
            assert_eq!(VersionFile::from_path(path), expected, "{path}");
        }
    }
}
