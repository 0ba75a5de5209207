//! Faults the fake forge injects at random, the way GitHub and GitLab misbehave on a bad
//! day: a 5xx, a 429 with `Retry-After`, an answer slower than the client's timeout, a
//! dropped connection — each either BEFORE the request is applied (nothing changed) or
//! AFTER (the write landed, but the client sees a failure). Deterministic: the same seed
//! and the same sequence of requests give the same faults.

use std::time::Duration;

/// A kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// 502 Bad Gateway.
    ServerError,
    /// 429 with `Retry-After`.
    RateLimited,
    /// The answer comes after [`FaultPlan::slow`] (longer than the client waits).
    Slow,
    /// The connection drops in the middle of the answer.
    Dropped,
}

/// Whether the fault hits before or after the request is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultTime {
    Before,
    After,
}

/// What to inject, and how often.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Fraction of matching requests that fail, 0.0–1.0.
    pub rate: f64,
    pub seed: u64,
    /// The kinds drawn from (uniformly).
    pub kinds: Vec<FaultKind>,
    /// Faults hit writes only (reads always answer).
    pub writes_only: bool,
    /// Delay of a [`FaultKind::Slow`] answer.
    pub slow: Duration,
    /// `Retry-After` of a [`FaultKind::RateLimited`] answer, in seconds.
    pub retry_after_secs: u64,
}

impl FaultPlan {
    /// Every kind, before and after, on `rate` of all requests.
    pub fn all_kinds(rate: f64, seed: u64) -> Self {
        FaultPlan {
            rate,
            seed,
            kinds: vec![
                FaultKind::ServerError,
                FaultKind::RateLimited,
                FaultKind::Slow,
                FaultKind::Dropped,
            ],
            writes_only: false,
            slow: Duration::from_millis(800),
            retry_after_secs: 1,
        }
    }
}

/// One fault the fake injected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    pub kind: FaultKind,
    pub time: FaultTime,
    pub method: String,
    pub path: String,
}

/// The random faults in force and those injected so far.
#[derive(Debug)]
pub(super) struct Chaos {
    plan: FaultPlan,
    rng: u64,
    pub injected: Vec<Injected>,
}

impl Chaos {
    pub fn new(plan: FaultPlan) -> Self {
        // xorshift64* must not start at zero.
        let rng = plan.seed ^ 0x9e37_79b9_7f4a_7c15;
        Chaos {
            plan,
            rng: rng.max(1),
            injected: Vec::new(),
        }
    }

    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    fn next(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The fault for this request, if one is drawn.
    pub fn draw(&mut self, method: &str, path: &str) -> Option<(FaultKind, FaultTime)> {
        if self.plan.kinds.is_empty() || (self.plan.writes_only && method == "GET") {
            return None;
        }
        let roll = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        if roll >= self.plan.rate {
            return None;
        }
        let pick = (self.next() % self.plan.kinds.len() as u64) as usize;
        let kind = self.plan.kinds[pick];
        let time = if self.next() % 2 == 0 {
            FaultTime::Before
        } else {
            FaultTime::After
        };
        self.injected.push(Injected {
            kind,
            time,
            method: method.to_string(),
            path: path.to_string(),
        });
        Some((kind, time))
    }
}
