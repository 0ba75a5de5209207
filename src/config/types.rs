//! Validated value types for configuration fields — identifiers, regexes, cron schedules,
//! dates, http(s) URLs. Each checks itself while deserializing, so a bad value is reported
//! at its own line and column without any extra code in the section that uses it.

use serde::de::{Deserialize, Deserializer, Error};
use std::fmt;
use std::str::FromStr;

/// Longest identifier accepted (rule ids, schedule ids, …).
pub const MAX_IDENT_LEN: usize = 20;

/// An identifier: 1 to 20 characters, lowercase ASCII letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ident(String);

impl Ident {
    /// Checks `text` against the identifier rules.
    pub fn parse(text: &str) -> Result<Ident, String> {
        if text.is_empty() || text.chars().count() > MAX_IDENT_LEN {
            return Err(format!(
                "invalid identifier `{text}`: must be 1 to {MAX_IDENT_LEN} characters"
            ));
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!(
                "invalid identifier `{text}`: `{bad}` is not allowed \
                 (lowercase letters, digits and dashes only)"
            ));
        }
        Ok(Ident(text.to_owned()))
    }

    /// The identifier's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ident::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// A regular expression (Rust `regex` syntax), compiled at load.
#[derive(Debug, Clone)]
pub struct Pattern(regex::Regex);

impl Pattern {
    /// Compiles `text`.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        regex::Regex::new(text).map(Pattern).map_err(|e| {
            // The syntax error's text repeats the pattern over several lines; keep the cause.
            let text = e.to_string();
            let cause = text.lines().last().unwrap_or_default();
            format!("invalid regex: {}", cause.trim_start_matches("error: "))
        })
    }

    /// The compiled expression.
    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }

    /// Whether `text` matches anywhere.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Pattern::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// A cron schedule in UTC. Five fields (`minute hour day month weekday`, as in crontab) or the
/// `cron` crate's six or seven (with seconds first, and years last).
#[derive(Debug, Clone, PartialEq)]
pub struct CronSchedule {
    expression: String,
    schedule: cron::Schedule,
}

impl CronSchedule {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<CronSchedule, String> {
        let fields = text.split_whitespace().count();
        let full = match fields {
            5 => format!("0 {text}"),
            6 | 7 => text.to_owned(),
            n => {
                return Err(format!(
                    "invalid cron expression `{text}`: expected 5 fields \
                     (minute hour day month weekday), found {n}"
                ))
            }
        };
        let schedule = cron::Schedule::from_str(&full).map_err(|e| {
            // The error's text repeats the expression over several lines; keep the cause.
            let message = e.to_string();
            let cause = message.lines().last().unwrap_or_default().to_owned();
            format!("invalid cron expression `{text}`: {cause}")
        })?;
        Ok(CronSchedule {
            expression: text.to_owned(),
            schedule,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.expression
    }

    /// The parsed schedule (evaluate it in UTC).
    pub fn schedule(&self) -> &cron::Schedule {
        &self.schedule
    }

    /// The first time strictly after `after` that the schedule fires.
    pub fn next_after(
        &self,
        after: &chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.schedule.after(after).next()
    }
}

impl<'de> Deserialize<'de> for CronSchedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CronSchedule::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub chrono::NaiveDate);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, String> {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Date)
            .map_err(|e| format!("invalid date `{text}`: {e} (expected YYYY-MM-DD)"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Date::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// An `http://` or `https://` URL with a host; kept without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or_else(|| format!("invalid URL `{text}`: must start with http:// or https://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.contains(char::is_whitespace) || rest.contains(' ') {
            return Err(format!("invalid URL `{text}`: missing or malformed host"));
        }
        Ok(HttpUrl(text.trim_end_matches('/').to_owned()))
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        HttpUrl::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_table() {
        let cases: &[(&str, bool)] = &[
            ("triage", true),
            ("weekly-minor-2", true),
            ("a", true),
            ("abcdefghij0123456789", true),
            ("abcdefghij0123456789x", false),
            ("", false),
            ("Triage", false),
            ("under_score", false),
            ("with space", false),
            ("émoji", false),
        ];
        for (text, ok) in cases {
            assert_eq!(Ident::parse(text).is_ok(), *ok, "{text}");
        }
    }

    #[test]
    fn cron_table() {
        let cases: &[(&str, bool)] = &[
            ("0 9 * * Mon", true),
            ("0 9 * * 1", true),
            ("*/15 * * * *", true),
            ("0 0 9 * * Mon", true),
            ("0 0 9 * * Mon 2030", true),
            ("0 25 * * *", false),
            ("every monday", false),
            ("* * *", false),
        ];
        for (text, ok) in cases {
            assert_eq!(CronSchedule::parse(text).is_ok(), *ok, "{text}");
        }
        let monday = CronSchedule::parse("0 9 * * Mon").unwrap();
        let after = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let next = monday.next_after(&after).unwrap();
        assert_eq!(next.to_rfc3339(), "2025-01-06T09:00:00+00:00");
    }

    #[test]
    fn dates_urls_and_patterns_table() {
        assert!(Date::parse("2025-12-25").is_ok());
        assert!(Date::parse("2025-02-30").is_err());
        assert!(Date::parse("25/12/2025").is_err());
        assert!(Pattern::parse("^v\\d+\\.\\d+$").is_ok());
        assert!(Pattern::parse("(unclosed").is_err());
        let urls: &[(&str, Option<&str>)] = &[
            ("https://api.github.com", Some("https://api.github.com")),
            (
                "https://ghe.example/api/v3/",
                Some("https://ghe.example/api/v3"),
            ),
            ("http://127.0.0.1:9000", Some("http://127.0.0.1:9000")),
            ("ftp://x", None),
            ("https://", None),
            ("gitlab.com", None),
        ];
        for (text, expected) in urls {
            let got = HttpUrl::parse(text).ok();
            assert_eq!(got.as_ref().map(HttpUrl::as_str), *expected, "{text}");
        }
    }
}
