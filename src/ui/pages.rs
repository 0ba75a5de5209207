//! What each page shows, as plain serialisable structures the templates render: the list of
//! deliveries with its filters and paging, and one delivery's account.

use crate::explain::{time_text, Account, EventView};
use crate::model::ForgeKind;
use crate::store::{DeliverySummary, RecentQuery};
use serde::{Deserialize, Serialize};

/// Deliveries per page of the list.
pub const PAGE_SIZE: usize = 50;
/// Longest failure reason shown in the list (the delivery page shows it whole).
const REASON_CHARS: usize = 120;
/// The states a delivery can be in, as the outcome filter offers them.
pub const OUTCOMES: &[&str] = &["pending", "running", "done", "ignored", "failed"];

/// The list's query parameters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListFilter {
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub outcome: String,
    /// From 1.
    #[serde(default)]
    pub page: Option<usize>,
}

fn given(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl ListFilter {
    pub fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }

    /// The store query: one row more than a page, to know whether another page follows.
    pub fn query(&self) -> RecentQuery {
        RecentQuery {
            repo: given(&self.repo),
            event: given(&self.event),
            state: given(&self.outcome),
            offset: (self.page() - 1).saturating_mul(PAGE_SIZE),
            limit: PAGE_SIZE + 1,
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub time: String,
    pub forge: String,
    pub delivery_id: String,
    pub repo: String,
    pub event: String,
    pub outcome: String,
    pub duration: String,
    pub reason: String,
}

/// `ms` as people read a duration.
pub fn duration_text(ms: i64) -> String {
    match ms {
        ms if ms < 0 => "—".to_string(),
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms if ms < 3_600_000 => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
        ms => format!("{} h {} min", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(chars).collect();
    out.push('…');
    out
}

impl Row {
    pub fn of(d: &DeliverySummary) -> Row {
        Row {
            time: time_text(d.received_at),
            forge: d.record.forge.clone(),
            delivery_id: d.record.delivery_id.clone(),
            repo: d.repo.clone(),
            event: d.record.event.clone(),
            outcome: d.record.state.clone(),
            duration: d
                .finished_at
                .map_or_else(|| "—".to_string(), |f| duration_text(f - d.received_at)),
            reason: d
                .record
                .reason
                .as_deref()
                .map(|r| shortened(r, REASON_CHARS))
                .unwrap_or_default(),
        }
    }
}

/// `text` percent-encoded for a URL's query (the templates' `urlencode` filter).
pub fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link worth following: only http(s) URLs become links (never `javascript:`).
pub fn safe_link(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

/// Where people see each forge's repositories (not its API): from the configured URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebBases {
    pub github: String,
    pub gitlab: String,
}

impl WebBases {
    /// GitHub's API at `api.github.com` is seen at `github.com`; an Enterprise server's API at
    /// `https://HOST/api/v3` at `https://HOST`; GitLab's instance URL is its web address.
    pub fn of(config: &crate::config::Config) -> WebBases {
        let api = config.github.api_url.as_str().trim_end_matches('/');
        let github = if api == "https://api.github.com" {
            "https://github.com".to_string()
        } else {
            api.strip_suffix("/api/v3").unwrap_or(api).to_string()
        };
        WebBases {
            github,
            gitlab: config.gitlab.url.as_str().trim_end_matches('/').to_string(),
        }
    }

    /// The web page of what a ledger row created, when its kind has one: a merge request or
    /// an issue, by its number.
    pub fn link(&self, forge: ForgeKind, intent: &str, repo: &str, number: &str) -> Option<String> {
        if repo.is_empty() || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let path = match (forge, intent) {
            (ForgeKind::Github, "upsert_merge_request") => "pull",
            (ForgeKind::Gitlab, "upsert_merge_request") => "-/merge_requests",
            (ForgeKind::Github, "file_issue" | "upsert_issue" | "resolve_issue") => "issues",
            (ForgeKind::Gitlab, "file_issue" | "upsert_issue" | "resolve_issue") => "-/issues",
            _ => return None,
        };
        let base = match forge {
            ForgeKind::Github => &self.github,
            ForgeKind::Gitlab => &self.gitlab,
        };
        safe_link(Some(&format!("{base}/{repo}/{path}/{number}")))
    }
}

/// One ledger row as the delivery page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub position: i64,
    pub intent: String,
    pub repo: String,
    pub state: String,
    pub answer: String,
    pub object_id: String,
    pub link: Option<String>,
    pub at: String,
}

/// One delivery's page.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub forge: String,
    pub delivery_id: String,
    pub event_name: String,
    pub received_at: String,
    pub state: String,
    pub reason: Option<String>,
    pub attempts: i64,
    /// `event`, `ignored` or `undecodable`.
    pub event_as: &'static str,
    /// The neutral event as JSON, or why there is none.
    pub event_text: String,
    pub facts_text: Option<String>,
    pub decided_at: Option<String>,
    pub rules: Vec<crate::decide::rules::RuleVerdict>,
    pub plan: Option<crate::explain::PlanRecord>,
    pub actions: Vec<ActionView>,
    pub failed_actions: usize,
    pub problems: Vec<String>,
    pub can_redeliver: bool,
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

impl DeliveryView {
    pub fn of(account: Account, web: &WebBases) -> DeliveryView {
        let (event_as, event_text) = match &account.event {
            EventView::Event(value) => ("event", pretty(value)),
            EventView::Ignored(why) => ("ignored", why.clone()),
            EventView::Undecodable(why) => ("undecodable", why.clone()),
        };
        let actions: Vec<ActionView> = account
            .actions
            .iter()
            .map(|a| ActionView {
                position: a.position + 1,
                intent: a.intent.clone(),
                repo: a.repo.clone(),
                state: a.state.as_str().to_string(),
                answer: a.answer.clone().unwrap_or_default(),
                object_id: a.object_id.clone().unwrap_or_default(),
                link: safe_link(a.url.as_deref()).or_else(|| {
                    let number = a.object_id.as_deref().unwrap_or_default();
                    web.link(a.forge, &a.intent, &a.repo, number)
                }),
                at: time_text(a.at),
            })
            .collect();
        DeliveryView {
            forge: account.forge.as_str().to_string(),
            failed_actions: actions.iter().filter(|a| a.state == "failed").count(),
            can_redeliver: account.state == "failed",
            delivery_id: account.delivery_id,
            event_name: account.event_name,
            received_at: account.received_at,
            state: account.state,
            reason: account.reason,
            attempts: account.attempts,
            event_as,
            event_text,
            facts_text: account.facts.as_ref().map(pretty),
            decided_at: account.decided_at,
            rules: account.rules,
            plan: account.plan,
            actions,
            problems: account.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(-1), "—");
        assert_eq!(duration_text(250), "250 ms");
        assert_eq!(duration_text(1_500), "1.5 s");
        assert_eq!(duration_text(125_000), "2 min 5 s");
        assert_eq!(duration_text(3_720_000), "1 h 2 min");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            safe_link(Some("https://github.com/a/b/pull/1")).as_deref(),
            Some("https://github.com/a/b/pull/1")
        );
        assert_eq!(safe_link(Some("javascript:alert(1)")), None);
        assert_eq!(safe_link(Some("data:text/html,x")), None);
        assert_eq!(safe_link(None), None);
    }

    #[test]
    fn created_merge_requests_and_issues_link_to_their_web_pages() {
        let config =
            |yaml: &str| crate::config::Config::from_str(yaml, "t.yml", &|_| None).unwrap();
        let web = WebBases::of(&config(""));
        assert_eq!(
            web.link(ForgeKind::Github, "upsert_merge_request", "acme/app", "7")
                .as_deref(),
            Some("https://github.com/acme/app/pull/7")
        );
        assert_eq!(
            web.link(ForgeKind::Gitlab, "file_issue", "g/sub/p", "3")
                .as_deref(),
            Some("https://gitlab.com/g/sub/p/-/issues/3")
        );
        assert_eq!(
            web.link(ForgeKind::Github, "comment", "acme/app", "9"),
            None
        );
        assert_eq!(
            web.link(ForgeKind::Github, "file_issue", "acme/app", "v1.0"),
            None
        );
        let enterprise = WebBases::of(&config(
            "github:\n  api_url: https://git.example.com/api/v3\ngitlab:\n  url: https://lab.example.com/\n",
        ));
        assert_eq!(enterprise.github, "https://git.example.com");
        assert_eq!(enterprise.gitlab, "https://lab.example.com");
    }

    #[test]
    fn the_filter_pages_by_one_row_more() {
        let f = ListFilter {
            repo: " acme/app ".into(),
            event: String::new(),
            outcome: "failed".into(),
            page: Some(3),
        };
        let q = f.query();
        assert_eq!(q.repo.as_deref(), Some("acme/app"));
        assert_eq!(q.event, None);
        assert_eq!(q.state.as_deref(), Some("failed"));
        assert_eq!((q.offset, q.limit), (2 * PAGE_SIZE, PAGE_SIZE + 1));
        assert_eq!(ListFilter::default().page(), 1);
        assert_eq!(shortened("abcdef", 3), "abc…");
    }
}
