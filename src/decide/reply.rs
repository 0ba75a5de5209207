//! The one reply comment a comment with commands may get: people to mention (`/cc`), the help
//! text, and every refusal, together — never more than one reply per comment.

/// What the reply will say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Logins to mention.
    pub cc: Vec<String>,
    /// The `/help` text.
    pub help: Option<String>,
    /// Why commands were refused or failed, one sentence each.
    pub refusals: Vec<String>,
    /// Remarks for `forgehand plan` only (not posted).
    pub notes: Vec<String>,
}

impl Reply {
    pub fn refuse(&mut self, why: impl Into<String>) {
        let why = why.into();
        if !self.refusals.contains(&why) {
            self.refusals.push(why);
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn cc(&mut self, login: &str) {
        if !self.cc.iter().any(|l| l.eq_ignore_ascii_case(login)) {
            self.cc.push(login.to_string());
        }
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
                let mut text = format!("@{author}: some commands were not run:\n");
                for r in many {
                    text.push_str(&format!("\n- {r}"));
                }
                parts.push(text);
            }
        }
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }
}
