//! Semantic versions as forgehand sees them in tags: parsing with a configurable tag
//! prefix, semver ordering, bumps, and finding the tag that precedes a release. Parsing and
//! precedence are the `semver` crate's (SemVer 2.0.0); this module adds tags and bumps.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not a semantic version (or not a release tag).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The text after the prefix is not `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; `reason` is the
    /// `semver` parser's message.
    #[error("`{input}` is not a semantic version: {reason}")]
    NotSemver { input: String, reason: String },
    /// The tag format requires a prefix and the tag does not carry it.
    #[error("tag `{input}` does not start with the prefix `{prefix}`")]
    MissingPrefix { input: String, prefix: String },
}

/// The size of a release: which part of the version moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BumpKind {
    Major,
    Minor,
    Patch,
}

impl BumpKind {
    /// Patch < Minor < Major, used to merge two releases falling on the same day.
    fn rank(self) -> u8 {
        match self {
            BumpKind::Patch => 0,
            BumpKind::Minor => 1,
            BumpKind::Major => 2,
        }
    }

    /// The larger of two bumps (`Major` beats `Minor` beats `Patch`).
    pub fn max(self, other: BumpKind) -> BumpKind {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Lower-case name, as used in configuration and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            BumpKind::Major => "major",
            BumpKind::Minor => "minor",
            BumpKind::Patch => "patch",
        }
    }
}

impl fmt::Display for BumpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A semantic version (semver 2.0.0). Ordering follows semver precedence; build metadata
/// only breaks ties (compared as text) so that `Ord` agrees with `Eq` (use
/// [`Version::cmp_precedence`] to ignore it entirely).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(semver::Version);

impl Version {
    /// A plain release version `major.minor.patch`.
    pub fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version(semver::Version::new(major, minor, patch))
    }

    /// Parses strict semver text, without any prefix: `1.2.3`, `1.2.3-rc.1+build.5`.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        semver::Version::parse(input)
            .map(Version)
            .map_err(|e| VersionError::NotSemver {
                input: input.to_string(),
                reason: e.to_string(),
            })
    }

    /// Parses a tag with an optional `prefix` (`v1.2.3` or `1.2.3` with prefix `v`).
    /// Shorthand for [`TagFormat::parse`] with an optional prefix.
    pub fn parse_tag(tag: &str, prefix: &str) -> Result<Version, VersionError> {
        TagFormat {
            prefix: prefix.to_string(),
            require_prefix: false,
        }
        .parse(tag)
    }

    pub fn major(&self) -> u64 {
        self.0.major
    }

    pub fn minor(&self) -> u64 {
        self.0.minor
    }

    pub fn patch(&self) -> u64 {
        self.0.patch
    }

    /// True for versions with a pre-release part (`1.2.3-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }

    /// The pre-release part without its `-`, if any.
    pub fn pre(&self) -> Option<String> {
        self.is_prerelease()
            .then(|| self.0.pre.as_str().to_string())
    }

    /// The build metadata without its `+`, if any.
    pub fn build(&self) -> Option<&str> {
        Some(self.0.build.as_str()).filter(|build| !build.is_empty())
    }

    /// The next version for a bump. Pre-release and build parts are dropped. Bumping a
    /// pre-release to the kind it is a pre-release of finishes it instead
    /// (`1.3.0-rc.1` minor → `1.3.0`, `1.2.4-rc.1` patch → `1.2.4`), as npm does.
    pub fn bump(&self, kind: BumpKind) -> Version {
        let pre = self.is_prerelease();
        let (major, minor, patch) = (self.0.major, self.0.minor, self.0.patch);
        match kind {
            BumpKind::Major if pre && minor == 0 && patch == 0 => Version::new(major, 0, 0),
            BumpKind::Major => Version::new(major + 1, 0, 0),
            BumpKind::Minor if pre && patch == 0 => Version::new(major, minor, 0),
            BumpKind::Minor => Version::new(major, minor + 1, 0),
            BumpKind::Patch if pre => Version::new(major, minor, patch),
            BumpKind::Patch => Version::new(major, minor, patch + 1),
        }
    }

    /// Semver precedence: build metadata is ignored.
    pub fn cmp_precedence(&self, other: &Version) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_precedence(other)
            .then_with(|| self.0.build.as_str().cmp(other.0.build.as_str()))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::str::FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Version::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How release tags are spelled: a prefix in front of the semver text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFormat {
    /// Text in front of the version, `v` by default.
    pub prefix: String,
    /// When false (the default) the prefix may be left out: `v1.2.3` and `1.2.3` both parse.
    pub require_prefix: bool,
}

impl Default for TagFormat {
    fn default() -> Self {
        TagFormat {
            prefix: "v".to_string(),
            require_prefix: false,
        }
    }
}

impl TagFormat {
    /// A format with `prefix`, which may be left out of tags.
    pub fn with_prefix(prefix: &str) -> TagFormat {
        TagFormat {
            prefix: prefix.to_string(),
            require_prefix: false,
        }
    }

    /// Parses a tag name (a leading `refs/tags/` is accepted and dropped).
    pub fn parse(&self, tag: &str) -> Result<Version, VersionError> {
        let name = tag.strip_prefix("refs/tags/").unwrap_or(tag);
        match name.strip_prefix(self.prefix.as_str()) {
            Some(rest) if !self.prefix.is_empty() => Version::parse(rest),
            _ if self.require_prefix && !self.prefix.is_empty() => {
                Err(VersionError::MissingPrefix {
                    input: tag.to_string(),
                    prefix: self.prefix.clone(),
                })
            }
            _ => Version::parse(name),
        }
    }

    /// The tag name for a version: prefix followed by the version.
    pub fn tag_for(&self, version: &Version) -> String {
        format!("{}{}", self.prefix, version)
    }
}

/// The kind of bump that leads from `prev` to `next`, judged on `major.minor.patch`;
/// `None` when `next` is not higher or only its pre-release part differs.
pub fn bump_kind(prev: &Version, next: &Version) -> Option<BumpKind> {
    if next.cmp_precedence(prev) != Ordering::Greater {
        return None;
    }
    if next.major() != prev.major() {
        Some(BumpKind::Major)
    } else if next.minor() != prev.minor() {
        Some(BumpKind::Minor)
    } else if next.patch() != prev.patch() {
        Some(BumpKind::Patch)
    } else {
        None
    }
}

/// The highest semver tag lower than `this`, with its tag name. Non-semver tags are
/// ignored, and so are pre-releases unless `this` is one.
pub fn previous_tag_name<'a>(
    tags: &'a [String],
    this: &Version,
    format: &TagFormat,
) -> Option<(&'a str, Version)> {
    tags.iter()
        .filter_map(|tag| format.parse(tag).ok().map(|v| (tag.as_str(), v)))
        .filter(|(_, v)| this.is_prerelease() || !v.is_prerelease())
        .filter(|(_, v)| v.cmp_precedence(this) == Ordering::Less)
        .max_by(|(_, a), (_, b)| a.cmp(b))
}

/// The version of the highest semver tag lower than `this` (see [`previous_tag_name`]).
pub fn previous_tag(tags: &[String], this: &Version, format: &TagFormat) -> Option<Version> {
    previous_tag_name(tags, this, format).map(|(_, v)| v)
}

#[cfg(test)]
#[path = "version_tests.rs"]
mod tests;
