//! The house rules of docs/ARCHITECTURE.md, checked on the source: no import loop between
//! the top-level modules of `src/`, the pure side imports nothing that does I/O, and each
//! module imports only what its row of the table allows. An import is any `crate::<module>`
//! path in a module's non-test code (`use` lines and inline paths alike).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that decide without I/O: they may import each other and nothing in [`IO`].
const PURE: &[&str] = &[
    "model", "role", "event", "command", "plan", "release", "decide",
];
/// Modules that talk to the network, the store or the process.
const IO: &[&str] = &[
    "forge", "store", "gather", "execute", "explain", "worker", "ingress", "schedule", "startup",
    "cli", "ui",
];

/// What each module may import (the table in docs/ARCHITECTURE.md). A module missing here
/// fails the test: a new room needs a row.
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("role", &[]),
    ("clock", &[]),
    ("telemetry", &["model"]),
    ("command", &["role"]),
    ("event", &["model"]),
    ("release", &["model"]),
    ("plan", &["model"]),
    ("config", &["model", "role", "release", "command", "event"]),
    (
        "decide",
        &[
            "model", "role", "event", "command", "plan", "release", "config",
        ],
    ),
    ("store", &["model", "clock"]),
    ("forge", &["model", "role", "plan", "config", "telemetry"]),
    (
        "gather",
        &[
            "model", "role", "event", "release", "config", "decide", "forge", "store",
        ],
    ),
    (
        "execute",
        &[
            "model",
            "role",
            "plan",
            "forge",
            "telemetry",
            "store",
            "clock",
        ],
    ),
    ("repo_config", &["model", "event", "config", "forge"]),
    ("schedule", &["model", "event", "config", "store", "clock"]),
    (
        "ingress",
        &["model", "event", "config", "store", "telemetry", "clock"],
    ),
    (
        "worker",
        &[
            "model",
            "event",
            "config",
            "decide",
            "gather",
            "execute",
            "explain",
            "forge",
            "store",
            "telemetry",
            "clock",
            "repo_config",
        ],
    ),
    (
        "explain",
        &[
            "model", "event", "plan", "config", "decide", "store", "clock",
        ],
    ),
    (
        "ui",
        &[
            "model",
            "config",
            "release",
            "decide",
            "explain",
            "store",
            "telemetry",
            "clock",
        ],
    ),
    (
        "startup",
        &[
            "config",
            "forge",
            "store",
            "ingress",
            "worker",
            "schedule",
            "telemetry",
            "clock",
            "ui",
        ],
    ),
    (
        "cli",
        &[
            "model",
            "config",
            "event",
            "decide",
            "plan",
            "forge",
            "startup",
            "telemetry",
            "clock",
            "explain",
            "store",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Whether a file holds only tests (`tests.rs`, `*_tests.rs`, `tests_*.rs`, `testing.rs`).
fn is_test_file(path: &Path) -> bool {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    name == "tests" || name == "testing" || name.ends_with("_tests") || name.starts_with("tests_")
}

/// The text of a file without its `#[cfg(test)]` items: a `#[cfg(test)]` line drops the
/// item after it (a `mod x;` line, or a braced block up to its closing brace).
fn non_test_code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut depth = 0i32;
        for item in lines.by_ref() {
            depth += item.matches('{').count() as i32 - item.matches('}').count() as i32;
            let ends_here = depth <= 0 && (item.trim_end().ends_with(';') || item.contains('}'));
            if ends_here {
                break;
            }
        }
    }
    out
}

/// Lines that are comments (`//`, `//!`, `///`) say nothing about imports.
fn without_comments(code: &str) -> String {
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module of a file under `src/` (`src/decide/rules/mod.rs` → `decide`).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_str().expect("UTF-8 path");
    name.trim_end_matches(".rs").to_string()
}

/// module → module it imports → files that do.
fn imports() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let me = module_of(file);
        if me == "lib" || me == "main" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("source is readable");
        let code = without_comments(&non_test_code(&text));
        let entry = graph.entry(me.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != me && modules.contains(&name) {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                entry.entry(name).or_default().insert(rel);
            }
        }
    }
    graph
}

/// A cycle through `start`, if the graph has one, as the list of modules along it.
fn cycle_from(
    graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    start: &str,
) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flat_map(|m| m.keys()) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_import_loops_between_modules() {
    let graph = imports();
    let loops: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|path| {
            let mut steps = Vec::new();
            for (i, from) in path.iter().enumerate() {
                let to = &path[(i + 1) % path.len()];
                let files = &graph[from][to];
                steps.push(format!("{from} -> {to} ({})", join(files)));
            }
            steps.join(", ")
        })
        .collect();
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

#[test]
fn the_pure_side_does_no_io() {
    let graph = imports();
    let mut bad = Vec::new();
    for (from, tos) in &graph {
        for (to, files) in tos {
            if PURE.contains(&from.as_str()) && IO.contains(&to.as_str()) {
                bad.push(format!("{from} -> {to} ({})", join(files)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "pure modules import I/O:\n{}",
        bad.join("\n")
    );
}

#[test]
fn each_module_imports_only_what_its_row_allows() {
    let graph = imports();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut bad = Vec::new();
    for (from, tos) in &graph {
        let Some(row) = allowed.get(from.as_str()) else {
            bad.push(format!("{from}: no row in ALLOWED (docs/ARCHITECTURE.md)"));
            continue;
        };
        for (to, files) in tos {
            if !row.contains(&to.as_str()) {
                bad.push(format!("{from} -> {to} ({})", join(files)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports outside the table:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_a_loop_and_skips_tests() {
    // The checker itself: a made-up graph with a loop is caught, one without is not.
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let edge = |g: &mut BTreeMap<String, BTreeMap<String, BTreeSet<String>>>, a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default()
            .insert(format!("{a}.rs"));
    };
    edge(&mut graph, "a", "b");
    edge(&mut graph, "b", "c");
    assert_eq!(cycle_from(&graph, "a"), None);
    edge(&mut graph, "c", "a");
    assert_eq!(
        cycle_from(&graph, "a"),
        Some(vec!["a".to_string(), "b".to_string(), "c".to_string()])
    );
    let code = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\nuse crate::c;\n";
    assert_eq!(non_test_code(code), "use crate::a;\nuse crate::c;\n");
    assert_eq!(
        non_test_code("#[cfg(test)]\nmod tests;\nuse crate::d;\n"),
        "use crate::d;\n"
    );
    assert_eq!(
        without_comments("//! see crate::x\nuse crate::y;"),
        "use crate::y;"
    );
    assert!(is_test_file(Path::new("src/release/calendar_tests.rs")));
    assert!(!is_test_file(Path::new("src/release/calendar.rs")));
}

fn join(files: &BTreeSet<String>) -> String {
    files.iter().cloned().collect::<Vec<_>>().join(", ")
}
