//! Wall-clock reads, kept in one place so that everything else takes time as a parameter.

use chrono::{DateTime, Utc};

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Now, as a UTC timestamp.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
