//! Closing references in a merge / pull request's description: `Closes #12`, `fixes: #3`,
//! `Resolves #4, #5 and #6`. Both forges close the issues so named when the request merges
//! into the default branch; the release flow reads them to tell each issue it was released.

/// The verbs both forges accept in front of an issue reference (GitHub: close, fix, resolve
/// and their forms; GitLab adds "implement" and the `-ing` forms).
const VERBS: &[&str] = &[
    "close",
    "closes",
    "closed",
    "closing",
    "fix",
    "fixes",
    "fixed",
    "fixing",
    "resolve",
    "resolves",
    "resolved",
    "resolving",
    "implement",
    "implements",
    "implemented",
    "implementing",
];

/// Most references read from one description (a description is author-written text).
pub const MAX_CLOSING_REFERENCES: usize = 50;

/// Issue numbers of this repository that `text` says it closes, in order, without repeats.
/// References to other repositories (`group/project#4`, URLs) are not this repository's
/// and are left out.
pub fn closing_references(text: &str) -> Vec<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() && found.len() < MAX_CLOSING_REFERENCES {
        let verb = words[i]
            .trim_end_matches(':')
            .trim_start_matches(|c: char| !c.is_alphanumeric());
        if !VERBS.iter().any(|v| verb.eq_ignore_ascii_case(v)) {
            i += 1;
            continue;
        }
        // The references after the verb: `#4`, `#4,`, `and`, `&`.
        i += 1;
        while i < words.len() {
            let word = words[i];
            if word.eq_ignore_ascii_case("and") || word == "&" || word == "," {
                i += 1;
                continue;
            }
            let Some(number) = issue_number(word) else {
                break;
            };
            if !found.contains(&number) && found.len() < MAX_CLOSING_REFERENCES {
                found.push(number);
            }
            i += 1;
        }
    }
    found
}

/// `#12`, `#12,`, `#12.` or `(#12)` → 12.
fn issue_number(word: &str) -> Option<u64> {
    let word = word.trim_start_matches('(');
    let digits = word.strip_prefix('#')?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let rest = &digits[end..];
    if !rest
        .chars()
        .all(|c| matches!(c, ',' | '.' | ')' | ';' | ':'))
    {
        return None;
    }
    digits[..end].parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_references_table() {
        let cases: &[(&str, &[u64])] = &[
            ("Closes #12", &[12]),
            ("closes #12.", &[12]),
            ("Fixes: #3", &[3]),
            ("This fixes #3 and resolves #4", &[3, 4]),
            ("Resolves #4, #5 and #6", &[4, 5, 6]),
            ("Closes #4 & #5", &[4, 5]),
            ("Implements #7", &[7]),
            ("- Fixed #8\n- Closing #9", &[8, 9]),
            ("(closes #10)", &[10]),
            ("Closes #12 closes #12", &[12]),
            ("Relates to #12", &[]),
            ("See #12, which closes nothing", &[]),
            ("Closes acme/other#12", &[]),
            ("Closes https://github.com/acme/app/issues/12", &[]),
            ("Closes #0", &[]),
            ("Closes #12abc", &[]),
            ("#12 closes", &[]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(closing_references(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn references_are_bounded() {
        let many: String = (1..=200).map(|n| format!("closes #{n} ")).collect();
        assert_eq!(closing_references(&many).len(), MAX_CLOSING_REFERENCES);
    }
}
