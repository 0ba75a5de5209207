//! Tests of `metrics.rs`.

use super::*;
use crate::telemetry::DeliveryOutcome;

fn accepted_ping() -> DeliveryLabels {
    DeliveryLabels {
        forge: ForgeKind::Github,
        event: "ping",
        outcome: DeliveryOutcome::Accepted,
    }
}

#[test]
fn renders_counters_histograms_and_gauges() {
    let m = Metrics::default();
    let accepted = DeliveryLabels {
        forge: ForgeKind::Github,
        event: "issues",
        outcome: DeliveryOutcome::Accepted,
    };
    m.delivery(accepted.clone());
    m.delivery(accepted);
    m.ack(ForgeKind::Gitlab, Duration::from_millis(2));
    m.set_queue_depth(3);
    m.set_jobs(JobState::Pending, 2);
    let text = m.render();
    assert!(
        text.contains(
            "forgehand_deliveries_total{forge=\"github\",event=\"issues\",outcome=\"accepted\"} 2\n"
        ),
        "{text}"
    );
    // The library writes the bucket bound first.
    assert!(text.contains("forgehand_ack_seconds_bucket{le=\"0.001\",forge=\"gitlab\"} 0\n"));
    assert!(text.contains("forgehand_ack_seconds_bucket{le=\"0.0025\",forge=\"gitlab\"} 1\n"));
    assert!(text.contains("forgehand_ack_seconds_count{forge=\"gitlab\"} 1\n"));
    assert!(text.contains("\nforgehand_queue_depth 3\n"), "{text}");
    assert!(
        text.contains("\nforgehand_store_jobs{state=\"pending\"} 2\n"),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[test]
fn every_metric_has_help_and_type_lines() {
    // A family shows once it has a sample: give each one.
    let m = Metrics::default();
    let github = ForgeKind::Github;
    m.delivery(accepted_ping());
    m.ack(github, Duration::from_millis(1));
    m.job(github, JobOutcome::Done);
    m.job_time(github, Duration::from_millis(1));
    m.set_jobs(JobState::Done, 1);
    m.set_queue_depth(0);
    m.action(
        github,
        "react",
        ActionOutcome::Done,
        Duration::from_millis(1),
    );
    let call = ApiCallLabels {
        forge: "github".into(),
        method: "GET".into(),
        endpoint: "/user".into(),
        status: 200,
    };
    m.api_call(call, Duration::from_millis(1));
    let text = m.render();
    let families = [
        ("forgehand_deliveries", "counter"),
        (ACK_SECONDS_METRIC, "histogram"),
        ("forgehand_jobs", "counter"),
        (JOB_SECONDS_METRIC, "histogram"),
        (JOB_STATES_METRIC, "gauge"),
        (QUEUE_DEPTH_METRIC, "gauge"),
        ("forgehand_forge_actions", "counter"),
        (ACTION_SECONDS_METRIC, "histogram"),
        ("forgehand_forge_api_calls", "counter"),
        (API_SECONDS_METRIC, "histogram"),
    ];
    let help = text.lines().filter(|l| l.starts_with("# HELP ")).count();
    assert_eq!(help, families.len(), "{text}");
    let mut names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.split(' ').next())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        families.len(),
        "family names are unique: {text}"
    );
    for (name, kind) in families {
        assert!(text.contains(&format!("# HELP {name} ")), "{name}: {text}");
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "{name}: {text}"
        );
    }
    for counter in [
        DELIVERIES_METRIC,
        JOBS_METRIC,
        ACTIONS_METRIC,
        API_CALLS_METRIC,
    ] {
        assert!(counter.ends_with("_total"), "{counter}");
    }
}

#[test]
fn job_buckets_reach_ten_minutes_and_ack_buckets_stay_fine() {
    let m = Metrics::default();
    m.job_time(ForgeKind::Github, Duration::from_secs(4 * 60));
    m.action(
        ForgeKind::Github,
        "comment",
        ActionOutcome::Done,
        Duration::from_secs(90),
    );
    m.ack(ForgeKind::Github, Duration::from_micros(300));
    let text = m.render();
    let lines = [
        "forgehand_job_seconds_bucket{le=\"120.0\",forge=\"github\"} 0\n",
        "forgehand_job_seconds_bucket{le=\"300.0\",forge=\"github\"} 1\n",
        "forgehand_job_seconds_bucket{le=\"600.0\",forge=\"github\"} 1\n",
        "forgehand_forge_action_seconds_bucket{le=\"60.0\",forge=\"github\",action=\"comment\"} 0\n",
        "forgehand_forge_action_seconds_bucket{le=\"120.0\",forge=\"github\",action=\"comment\"} 1\n",
        "forgehand_ack_seconds_bucket{le=\"0.0005\",forge=\"github\"} 1\n",
    ];
    for line in lines {
        assert!(text.contains(line), "{line}{text}");
    }
    assert_eq!(JOB_BUCKETS.last(), Some(&600.0));
}

#[test]
fn counter_reads_a_sample_by_its_labels() {
    let m = Metrics::default();
    m.delivery(accepted_ping());
    m.job(ForgeKind::Gitlab, JobOutcome::Retry);
    m.job(ForgeKind::Gitlab, JobOutcome::Retry);
    let ping = [
        ("forge", "github"),
        ("event", "ping"),
        ("outcome", "accepted"),
    ];
    assert_eq!(m.counter(DELIVERIES_METRIC, &ping), 1);
    let retry = [("forge", "gitlab"), ("outcome", "retry")];
    assert_eq!(m.counter(JOBS_METRIC, &retry), 2);
    assert_eq!(
        m.counter(JOBS_METRIC, &[("forge", "github"), ("outcome", "retry")]),
        0
    );
}

#[test]
fn label_values_are_escaped() {
    let m = Metrics::default();
    let labels = ApiCallLabels {
        forge: "github".into(),
        method: "x\"y".into(),
        endpoint: "/a\\b\nc".into(),
        status: 200,
    };
    m.api_call(labels, Duration::from_millis(1));
    let text = m.render();
    let line = "forgehand_forge_api_calls_total{forge=\"github\",method=\"x\\\"y\",\
                endpoint=\"/a\\\\b\\nc\",status=\"200\"} 1\n";
    assert!(text.contains(line), "{text}");
    let pairs = [
        ("forge", "github"),
        ("method", "x\"y"),
        ("endpoint", "/a\\b\nc"),
        ("status", "200"),
    ];
    assert_eq!(m.counter(API_CALLS_METRIC, &pairs), 1);
}
