//! What an adapter puts into a URL: every value percent-encoded, so that it stays one path
//! segment or one query value; and a value that would still move the path (empty, `.` or
//! `..`, which URL parsers resolve even when encoded) refused as a path segment.

use crate::forge::ForgeError;
use crate::model::InvalidName;

/// Percent-encode everything but ASCII letters, digits and `-._~` (so `/`, `?`, `#`, `%`
/// and `&` lose their meaning): a query value, or a path segment already known to be
/// neither empty nor `.` / `..` (the segments of a `RepoPath`).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `value` (a branch, a tag, a file path) as one encoded path segment; empty, `.` and `..`
/// are refused.
pub fn path_segment(value: &str) -> Result<String, ForgeError> {
    let reason = match value {
        "" => "it is empty",
        "." | ".." => "`.` and `..` cannot be a path segment",
        _ => return Ok(encode(value)),
    };
    Err(InvalidName::new("path segment", value, reason).into())
}

/// A `/`-separated path (a file in a repository, for forges that take it unencoded), each
/// segment as [`path_segment`], `/` kept.
pub fn path_segments(path: &str) -> Result<String, ForgeError> {
    let segments: Result<Vec<String>, ForgeError> = path.split('/').map(path_segment).collect();
    Ok(segments?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded() {
        let cases = [
            ("acme", "acme"),
            ("app.rs", "app.rs"),
            ("feature/x", "feature%2Fx"),
            ("group/sub/proj", "group%2Fsub%2Fproj"),
            ("a b?", "a%20b%3F"),
            ("../x", "..%2Fx"),
            ("%2F", "%252F"),
            ("x#y&z=1", "x%23y%26z%3D1"),
            ("ü", "%C3%BC"),
        ];
        for (value, want) in cases {
            assert_eq!(encode(value), want, "{value:?}");
            assert_eq!(path_segment(value).unwrap(), want, "{value:?}");
        }
    }

    #[test]
    fn segments_that_would_move_the_path_are_refused() {
        for value in ["", ".", ".."] {
            let err = path_segment(value).unwrap_err();
            assert!(matches!(err, ForgeError::Invalid(_)), "{value:?}: {err:?}");
            assert!(!err.is_retryable());
        }
        assert_eq!(path_segment("...").unwrap(), "...");
    }

    #[test]
    fn file_paths_keep_their_slashes() {
        assert_eq!(
            path_segments("docs/CHANGE LOG.md").unwrap(),
            "docs/CHANGE%20LOG.md"
        );
        assert_eq!(path_segments("VERSION").unwrap(), "VERSION");
        for bad in ["../../x", "a/./b", "/etc/passwd", "a//b", "a/", ""] {
            assert!(path_segments(bad).is_err(), "{bad:?}");
        }
    }
}
