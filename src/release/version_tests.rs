//! Tests of `version.rs`.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

#[test]
fn parses_valid_versions() {
    /// input, (major, minor, patch), pre-release, build
    type Case<'a> = (&'a str, (u64, u64, u64), Option<&'a str>, Option<&'a str>);
    let cases: &[Case] = &[
        ("0.0.0", (0, 0, 0), None, None),
        ("1.2.3", (1, 2, 3), None, None),
        ("10.20.30", (10, 20, 30), None, None),
        ("1.0.0-alpha", (1, 0, 0), Some("alpha"), None),
        ("1.0.0-rc.1", (1, 0, 0), Some("rc.1"), None),
        ("1.0.0-0.3.7", (1, 0, 0), Some("0.3.7"), None),
        ("1.0.0-x-y.7.z.92", (1, 0, 0), Some("x-y.7.z.92"), None),
        (
            "1.0.0+20130313144700",
            (1, 0, 0),
            None,
            Some("20130313144700"),
        ),
        (
            "1.0.0-beta+exp.sha.5114f85",
            (1, 0, 0),
            Some("beta"),
            Some("exp.sha.5114f85"),
        ),
        (
            "1.0.0+21AF26D3-117B344092BD",
            (1, 0, 0),
            None,
            Some("21AF26D3-117B344092BD"),
        ),
    ];
    for (input, (ma, mi, pa), pre, build) in cases {
        let parsed = Version::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (parsed.major(), parsed.minor(), parsed.patch()),
            (*ma, *mi, *pa),
            "{input}"
        );
        assert_eq!(parsed.pre().as_deref(), *pre, "{input}");
        assert_eq!(parsed.build(), *build, "{input}");
        assert_eq!(parsed.to_string(), *input, "round trip {input}");
    }
}

#[test]
fn rejects_invalid_versions() {
    let cases = [
        "",
        "1",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "a.b.c",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-01",
        "1.2.3-rc..1",
        "1.2.3-rc_1",
        " 1.2.3",
        "1.2.3 ",
        "v1.2.3",
        "1.2.-3",
        "latest",
        "1.2.3+meta+more",
    ];
    for input in cases {
        assert!(Version::parse(input).is_err(), "{input:?} should not parse");
    }
}

#[test]
fn parses_tags_with_prefixes() {
    let cases: &[(&str, &str, bool, Option<&str>)] = &[
        ("v1.2.3", "v", false, Some("1.2.3")),
        ("1.2.3", "v", false, Some("1.2.3")),
        ("refs/tags/v1.2.3", "v", false, Some("1.2.3")),
        ("v1.2.3-rc.1", "v", false, Some("1.2.3-rc.1")),
        ("1.2.3", "v", true, None),
        ("v1.2.3", "v", true, Some("1.2.3")),
        ("release-1.2.3", "release-", false, Some("1.2.3")),
        ("release-1.2.3", "v", false, None),
        ("1.2.3", "release-", false, Some("1.2.3")),
        ("1.2.3", "release-", true, None),
        ("1.2.3", "", true, Some("1.2.3")),
        ("vv1.2.3", "v", false, None),
        ("v1.2", "v", false, None),
        ("nightly", "v", false, None),
        ("V1.2.3", "v", false, None),
    ];
    for (tag, prefix, required, expected) in cases {
        let format = TagFormat {
            prefix: prefix.to_string(),
            require_prefix: *required,
        };
        let got = format.parse(tag).ok().map(|v| v.to_string());
        assert_eq!(
            got.as_deref(),
            *expected,
            "{tag} with prefix {prefix:?} required={required}"
        );
    }
    assert_eq!(Version::parse_tag("v2.0.0", "v").unwrap(), v("2.0.0"));
    assert!(matches!(
        TagFormat {
            prefix: "v".into(),
            require_prefix: true
        }
        .parse("1.0.0"),
        Err(VersionError::MissingPrefix { .. })
    ));
    assert_eq!(TagFormat::default().tag_for(&v("1.4.0")), "v1.4.0");
    assert_eq!(
        TagFormat::with_prefix("release-").tag_for(&v("1.4.0")),
        "release-1.4.0"
    );
}

#[test]
fn orders_by_semver_precedence() {
    // Each entry is lower than the next (the example chain from semver.org plus more).
    let chain = [
        "0.9.9",
        "1.0.0-0",
        "1.0.0-1",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "1.9.0",
        "1.10.0",
        "2.0.0",
        "10.0.0",
    ];
    for pair in chain.windows(2) {
        assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        assert!(v(pair[1]) > v(pair[0]), "{} > {}", pair[1], pair[0]);
    }
    let mut shuffled: Vec<Version> = chain.iter().rev().map(|s| v(s)).collect();
    shuffled.sort();
    let sorted: Vec<String> = shuffled.iter().map(ToString::to_string).collect();
    assert_eq!(sorted, chain);
    assert_eq!(v("1.0.0+a").cmp_precedence(&v("1.0.0+b")), Ordering::Equal);
    assert_ne!(v("1.0.0+a"), v("1.0.0+b"));
}

#[test]
fn bumps_versions() {
    let cases = [
        ("1.2.3", BumpKind::Patch, "1.2.4"),
        ("1.2.3", BumpKind::Minor, "1.3.0"),
        ("1.2.3", BumpKind::Major, "2.0.0"),
        ("0.9.9", BumpKind::Minor, "0.10.0"),
        ("1.2.3+build", BumpKind::Patch, "1.2.4"),
        ("1.2.4-rc.1", BumpKind::Patch, "1.2.4"),
        ("1.3.0-rc.1", BumpKind::Minor, "1.3.0"),
        ("1.3.1-rc.1", BumpKind::Minor, "1.4.0"),
        ("2.0.0-beta", BumpKind::Major, "2.0.0"),
        ("2.1.0-beta", BumpKind::Major, "3.0.0"),
    ];
    for (from, kind, to) in cases {
        assert_eq!(v(from).bump(kind).to_string(), to, "{from} {kind}");
    }
}

#[test]
fn detects_bump_kind() {
    let cases = [
        ("1.2.3", "1.2.4", Some(BumpKind::Patch)),
        ("1.2.3", "1.3.0", Some(BumpKind::Minor)),
        ("1.2.3", "2.0.0", Some(BumpKind::Major)),
        ("1.2.3", "1.2.10", Some(BumpKind::Patch)),
        ("1.9.3", "1.10.0", Some(BumpKind::Minor)),
        ("1.2.3", "1.2.3", None),
        ("1.2.3", "1.2.2", None),
        ("2.0.0", "1.9.9", None),
        ("1.2.3-rc.1", "1.2.3", None),
        ("1.2.3", "1.3.0-rc.1", Some(BumpKind::Minor)),
    ];
    for (prev, next, expected) in cases {
        assert_eq!(bump_kind(&v(prev), &v(next)), expected, "{prev} -> {next}");
    }
}

#[test]
fn finds_previous_tag() {
    let tags: Vec<String> = [
        "v1.0.0",
        "v1.1.0",
        "1.1.1",
        "v1.2.0-rc.1",
        "v1.2.0-rc.2",
        "v1.2.0",
        "nightly",
        "v1.3",
        "release-9.9.9",
        "v2.0.0-beta.1",
        "v1.10.0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let format = TagFormat::default();
    let cases = [
        ("1.2.0", Some(("1.1.1", "1.1.1"))),
        ("1.2.1", Some(("v1.2.0", "1.2.0"))),
        ("1.2.0-rc.2", Some(("v1.2.0-rc.1", "1.2.0-rc.1"))),
        ("1.2.0-rc.1", Some(("1.1.1", "1.1.1"))),
        ("2.0.0", Some(("v1.10.0", "1.10.0"))),
        ("2.0.0-rc.1", Some(("v2.0.0-beta.1", "2.0.0-beta.1"))),
        ("1.0.0", None),
        ("0.1.0", None),
    ];
    for (this, expected) in cases {
        let got = previous_tag_name(&tags, &v(this), &format).map(|(t, v)| (t, v.to_string()));
        let expected = expected.map(|(t, v)| (t, v.to_string()));
        assert_eq!(got, expected, "previous of {this}");
        assert_eq!(
            previous_tag(&tags, &v(this), &format).map(|v| v.to_string()),
            expected.map(|(_, v)| v),
        );
    }
}

#[test]
fn bump_kind_serde_and_max() {
    let kind: BumpKind = serde_json::from_str("\"minor\"").unwrap();
    assert_eq!(kind, BumpKind::Minor);
    assert_eq!(BumpKind::Patch.max(BumpKind::Minor), BumpKind::Minor);
    assert_eq!(BumpKind::Major.max(BumpKind::Minor), BumpKind::Major);
    let version: Version = serde_json::from_str("\"1.2.3-rc.1\"").unwrap();
    assert_eq!(serde_json::to_string(&version).unwrap(), "\"1.2.3-rc.1\"");
    assert!(serde_json::from_str::<Version>("\"1.2\"").is_err());
}

#[test]
fn errors_name_the_input_and_the_parsers_reason() {
    let cases = [
        ("1.02.3", "invalid leading zero in minor version number"),
        (
            "1.2",
            "unexpected end of input while parsing minor version number",
        ),
        (
            "1.2.3-rc_1",
            "unexpected character '_' after pre-release identifier",
        ),
    ];
    for (input, reason) in cases {
        let err = Version::parse(input).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("`{input}` is not a semantic version: {reason}")
        );
    }
}
