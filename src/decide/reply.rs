//! The one reply comment a comment with commands may get: people to mention (`/cc`), the help
//! text, and every refusal, together — never more than one reply per comment, and never
//! longer than a forge takes ([`MAX_REPLY_CHARS`]): a long list of refusals ends in
//! "… and N more". Collecting is linear: refusals and mentions are deduplicated through sets.

use std::collections::HashSet;

/// Longest reply forgehand posts, in characters: GitHub refuses comments over 65,536; this
/// leaves room for the parts around the refusals and for markers.
pub const MAX_REPLY_CHARS: usize = 60_000;
/// Longest single refusal shown, in characters (a refusal may quote a name from the comment,
/// which can be as long as the comment).
pub const MAX_REFUSAL_CHARS: usize = 300;

/// What the reply will say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Logins to mention.
    pub cc: Vec<String>,
    /// The `/help` text.
    pub help: Option<String>,
    /// Why commands were refused or failed, one sentence each, in order, without repeats.
    pub refusals: Vec<String>,
    /// Remarks for `forgehand plan` only (not posted).
    pub notes: Vec<String>,
    /// The refusals already listed (so a repeat costs one look-up).
    seen_refusals: HashSet<String>,
    /// The lower-cased logins already mentioned.
    seen_cc: HashSet<String>,
}

impl Reply {
    pub fn refuse(&mut self, why: impl Into<String>) {
        let why = shorten(why.into(), MAX_REFUSAL_CHARS);
        if self.seen_refusals.insert(why.clone()) {
            self.refusals.push(why);
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Mention `login`; false when it was already mentioned.
    pub fn cc(&mut self, login: &str) -> bool {
        let added = self.seen_cc.insert(login.to_ascii_lowercase());
        if added {
            self.cc.push(login.to_string());
        }
        added
    }

    /// The comment, addressed to `author`; `None` when there is nothing to say.
    pub fn body(&self, author: &str) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if !self.cc.is_empty() {
            let names: Vec<String> = self.cc.iter().map(|l| format!("@{l}")).collect();
            parts.push(format!("cc {}", names.join(" ")));
        }
        if let Some(help) = &self.help {
            parts.push(format!("@{author}: {help}"));
        }
        match self.refusals.as_slice() {
            [] => {}
            [one] => parts.push(format!("@{author}: {one}")),
            many => {
                let used: usize = parts.iter().map(|p| p.chars().count() + 2).sum();
                parts.push(refusal_list(
                    author,
                    many,
                    MAX_REPLY_CHARS.saturating_sub(used),
                ));
            }
        }
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }
}

/// "@author: some commands were not run:" and as many refusals as fit in `budget`
/// characters, then "… and N more".
fn refusal_list(author: &str, refusals: &[String], budget: usize) -> String {
    let mut text = format!("@{author}: some commands were not run:\n");
    let mut used = text.chars().count();
    // Room kept for the closing "… and N more" line.
    const TAIL: usize = 40;
    for (shown, refusal) in refusals.iter().enumerate() {
        let line = format!("\n- {refusal}");
        let len = line.chars().count();
        if used + len + TAIL > budget {
            let rest = refusals.len() - shown;
            text.push_str(&format!("\n\n… and {} more", thousands(rest)));
            return text;
        }
        used += len;
        text.push_str(&line);
    }
    text
}

/// `text` cut to `max` characters, ending in "…" when cut.
fn shorten(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// `n` with a comma between thousands: 9990 → "9,990".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (9990, "9,990"),
            (1234567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn a_long_list_of_refusals_is_summarised_under_the_limit() {
        let mut reply = Reply::default();
        for i in 0..10_000 {
            reply.refuse(format!("the label `l{i}` does not exist in this project"));
        }
        let body = reply.body("eve").unwrap();
        assert!(body.chars().count() <= MAX_REPLY_CHARS, "{}", body.len());
        let shown = body.matches("\n- ").count();
        assert!(shown > 100, "{shown}");
        assert!(
            body.ends_with(&format!("… and {} more", thousands(10_000 - shown))),
            "{}",
            &body[body.len() - 80..]
        );
        insta::assert_snapshot!("reply_summarised_tail", &body[body.len() - 150..]);
    }

    #[test]
    fn one_huge_refusal_is_cut() {
        let mut reply = Reply::default();
        reply.refuse(format!(
            "the label `{}` does not exist",
            "x".repeat(100_000)
        ));
        let body = reply.body("eve").unwrap();
        assert!(
            body.chars().count() < MAX_REFUSAL_CHARS + 20,
            "{}",
            body.len()
        );
        assert!(body.ends_with('…'));
    }

    #[test]
    fn repeats_are_listed_once() {
        let mut reply = Reply::default();
        for _ in 0..3 {
            reply.refuse("same");
            reply.cc("Alice");
            reply.cc("alice");
        }
        assert_eq!(reply.refusals, ["same"]);
        assert_eq!(reply.cc, ["Alice"]);
    }

    /// Not a timed assertion: `cargo test --release --lib many_refusals -- --ignored
    /// --nocapture` prints how long 100,000 distinct refusals take to collect and render
    /// (`bench/refusals.sh` runs it).
    #[test]
    #[ignore = "a measurement, run by bench/refusals.sh"]
    fn many_refusals_measure() {
        let started = std::time::Instant::now();
        let mut reply = Reply::default();
        for i in 0..100_000 {
            reply.refuse(format!("the label `l{i}` does not exist in this project"));
        }
        let body = reply.body("eve").unwrap();
        println!(
            "100,000 refusals collected and rendered in {:?} ({} chars)",
            started.elapsed(),
            body.chars().count()
        );
    }
}
