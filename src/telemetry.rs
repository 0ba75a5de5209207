//! Logging set-up and the Prometheus metrics forgehand exposes on `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Install the global `tracing` subscriber: JSON lines when `FORGEHAND_LOG_FORMAT=json`,
/// human-readable otherwise; filter from `RUST_LOG` (default `info`).
pub fn init_logging(json: bool) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (tests) keeps the first subscriber.
    let _ = result;
}

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Counters and histograms keyed by name and label set; rendered in the Prometheus text format.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
    histograms: Mutex<BTreeMap<(&'static str, String), Histogram>>,
}

/// Render `k="v"` pairs, escaping values as the exposition format requires.
fn labels(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let v = v
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        let _ = write!(out, "{k}=\"{v}\"");
    }
    out
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics { .. }")
    }
}

impl Metrics {
    pub fn inc(&self, name: &'static str, pairs: &[(&str, &str)]) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry((name, labels(pairs))).or_default() += 1;
    }

    pub fn observe(&self, name: &'static str, pairs: &[(&str, &str)], value: Duration) {
        let secs = value.as_secs_f64();
        let mut h = self.histograms.lock().unwrap_or_else(|p| p.into_inner());
        let entry = h.entry((name, labels(pairs))).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            entry.counts[i] += 1;
        }
        entry.sum += secs;
        entry.count += 1;
    }

    /// Value of a counter (tests and the worker's own checks).
    pub fn counter(&self, name: &'static str, pairs: &[(&str, &str)]) -> u64 {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        c.get(&(name, labels(pairs))).copied().unwrap_or(0)
    }

    /// The Prometheus text exposition, with the given gauges appended.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let mut last = "";
        for ((name, l), v) in counters.iter() {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} counter");
                last = name;
            }
            let _ = writeln!(out, "{name}{{{l}}} {v}");
        }
        drop(counters);
        let hists = self.histograms.lock().unwrap_or_else(|p| p.into_inner());
        last = "";
        for ((name, l), h) in hists.iter() {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} histogram");
                last = name;
            }
            let sep = if l.is_empty() { "" } else { "," };
            let mut cumulative = 0;
            for (b, c) in BUCKETS.iter().zip(h.counts.iter()) {
                cumulative += c;
                let _ = writeln!(out, "{name}_bucket{{{l}{sep}le=\"{b}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{{l}{sep}le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum{{{l}}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{{l}}} {}", h.count);
        }
        last = "";
        for (name, l, v) in gauges {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} gauge");
                last = name;
            }
            let _ = writeln!(out, "{name}{{{l}}} {v}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.inc(
            "forgehand_deliveries_total",
            &[("forge", "github"), ("outcome", "accepted")],
        );
        m.inc(
            "forgehand_deliveries_total",
            &[("forge", "github"), ("outcome", "accepted")],
        );
        m.observe(
            "forgehand_ack_seconds",
            &[("forge", "gitlab")],
            Duration::from_millis(2),
        );
        let text = m.render(&[("forgehand_queue_depth", "", 3.0)]);
        assert!(
            text.contains("forgehand_deliveries_total{forge=\"github\",outcome=\"accepted\"} 2")
        );
        assert!(text.contains("forgehand_ack_seconds_bucket{forge=\"gitlab\",le=\"0.001\"} 0"));
        assert!(text.contains("forgehand_ack_seconds_bucket{forge=\"gitlab\",le=\"0.0025\"} 1"));
        assert!(text.contains("forgehand_ack_seconds_count{forge=\"gitlab\"} 1"));
        assert!(text.contains("forgehand_queue_depth{} 3"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(labels(&[("a", "x\"y")]), "a=\"x\\\"y\"");
    }
}
