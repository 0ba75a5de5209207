//! Fail closed, as a type: a fact `decide` needs is a `Fact` — known, assumed, or unknown —
//! and only `forgehand plan` (which calls no forge) may assume. This test reads the source and
//! checks that assumed facts are made in exactly one place (`Context::offline_assumptions`)
//! and that only the offline `plan` command calls it, so serving and planning cannot drift.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(file relative to src/, line)` of every non-comment line containing `needle`, test
/// modules (`tests.rs`, `*_tests.rs`) excluded.
fn occurrences(needle: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        if name.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") && code.contains(needle) {
                found.push(format!("{name}:{}", n + 1));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn assumed_facts_are_made_only_by_the_offline_assumptions() {
    let made: Vec<String> = occurrences("Fact::Assumed(")
        .into_iter()
        .filter(|at| !at.starts_with("decide/context.rs"))
        .collect();
    // Reading an assumed value (a `match` arm) is fine; making one is not.
    let making: Vec<&String> = made
        .iter()
        .filter(|at| {
            let (file, line) = at.rsplit_once(':').unwrap();
            let text = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(file),
            )
            .unwrap();
            let line = text
                .lines()
                .nth(line.parse::<usize>().unwrap() - 1)
                .unwrap();
            !line.contains("=>") && !line.contains("if let") && !line.contains('|')
        })
        .collect();
    assert!(
        making.is_empty(),
        "assumed facts made outside decide/context.rs: {making:?}"
    );
}

#[test]
fn only_forgehand_plan_uses_the_offline_assumptions() {
    let callers: Vec<String> = occurrences("offline_assumptions()")
        .into_iter()
        .filter(|at| !at.starts_with("decide/context.rs"))
        .collect();
    assert_eq!(callers.len(), 1, "{callers:?}");
    assert!(callers[0].starts_with("cli/plan.rs:"), "{callers:?}");
}
