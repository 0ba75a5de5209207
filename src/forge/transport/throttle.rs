//! Write throttle and budgets.
//!
//! - Writes under one key (a GitHub installation or token, a GitLab project) are spaced at
//!   least `interval` apart. Reads are not spaced.
//! - Before a job sends its writes it asks for its [`Turn`]: a job whose key has no free write
//!   slot soon, or whose repository was served more recently than another one waiting under
//!   the same key, is told when to come back instead of sleeping in the throttle while it
//!   holds a worker. Repositories sharing a key are thus served in turn (round robin), not
//!   first come first served.
//! - The forge's own rate-limit answers (requests remaining, when the window resets,
//!   `Retry-After`) are kept per budget key (a GitHub installation or token, GitLab's
//!   token); when the budget runs low, requests under it are paced so that it lasts until
//!   the window resets, and when it is spent (or the forge said "retry after") they wait.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// Keys remembered before idle ones are forgotten.
pub const MAX_TRACKED_KEYS: usize = 10_000;
/// A job waits in the throttle for at most this long (or one write interval, when that is
/// longer) before it is set aside to come back later.
pub const SET_ASIDE_AFTER: Duration = Duration::from_millis(200);
/// A set-aside job that has not come back this long after its time is forgotten (its turn is
/// no longer kept free for it).
pub const TURN_KEPT_FOR: Duration = Duration::from_secs(5);
/// Below this many requests remaining, requests under a budget are paced.
pub const LOW_BUDGET: u64 = 100;
/// Write slots reserved at most for one job given its turn.
pub const MAX_PREPAID: u32 = 10;
/// Repositories remembered per key before those with nothing waiting are forgotten.
const MAX_REPOS_PER_KEY: usize = 1_000;

/// Whether a job may send its writes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Go: a write slot is free soon and it is this repository's turn.
    Now,
    /// Set the job aside and try again after this long.
    Later(Duration),
}

/// A budget the forge reported: requests left, and when the window resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub remaining: u64,
    /// Unix seconds the window resets (`None`: not said).
    pub reset_unix: Option<u64>,
}

#[derive(Debug, Default)]
struct RepoTurns {
    /// Admission number when the repository last went (0: never).
    last_served: u64,
    /// Set-aside jobs (by ticket) and the time each is due back.
    waiting: HashMap<i64, Instant>,
}

#[derive(Debug)]
struct KeyState {
    next_slot: Instant,
    /// Slots reserved for jobs that were given their turn, taken by the next writes.
    prepaid: VecDeque<Instant>,
    admissions: u64,
    repos: HashMap<String, RepoTurns>,
}

#[derive(Debug, Default)]
struct BudgetState {
    budget: Option<Budget>,
    /// No request before this (a `Retry-After` or an exhausted budget).
    paused_until: Option<Instant>,
}

/// Spaces writes per key, hands out turns, and keeps the forge's budgets.
#[derive(Debug)]
pub struct Throttle {
    interval: Duration,
    keys: Mutex<HashMap<String, KeyState>>,
    budgets: Mutex<HashMap<String, BudgetState>>,
}

impl Throttle {
    pub fn new(interval: Duration) -> Self {
        Throttle {
            interval,
            keys: Mutex::new(HashMap::new()),
            budgets: Mutex::new(HashMap::new()),
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How far away a write slot may be for a job to go and wait for it.
    pub fn set_aside_after(&self) -> Duration {
        self.interval.max(SET_ASIDE_AFTER)
    }

    /// Wait until a request may go out: a write under `key` for its slot (slots are handed
    /// out in call order, so concurrent writers queue up instead of bursting), any request
    /// for what the budget under `budget_key` asks.
    pub async fn acquire(&self, key: &str, budget_key: &str, write: bool) {
        let now = Instant::now();
        let budget_wait = self.budget_wait(budget_key, now);
        let at = if write && !self.interval.is_zero() {
            self.reserve(key, now).max(now + budget_wait)
        } else {
            now + budget_wait
        };
        if at > now {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Reserve the next free slot for `key` at or after `now`: one prepaid by a turn, else
    /// the next one.
    fn reserve(&self, key: &str, now: Instant) -> Instant {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let state = key_state(&mut keys, key, now);
        while let Some(slot) = state.prepaid.pop_front() {
            // A prepaid slot long past was not used: it is not saved up for a burst.
            if slot + self.interval >= now {
                return slot.max(now);
            }
        }
        let slot = state.next_slot.max(now);
        state.next_slot = slot + self.interval;
        slot
    }

    /// Whether the job `ticket` of `repo`, about to send some `writes` (at least one is
    /// counted, at most [`MAX_PREPAID`]), may send them under `key` now, given the budget under
    /// `budget_key`; if not, when to ask again. A job given its turn has the slots of its
    /// writes reserved; a job told to come back is remembered as waiting until it does (or
    /// [`TURN_KEPT_FOR`] after its time).
    pub fn turn(
        &self,
        key: &str,
        budget_key: &str,
        (repo, ticket): (&str, i64),
        writes: u32,
        now: Instant,
    ) -> Turn {
        let budget_wait = self.budget_wait(budget_key, now);
        if self.interval.is_zero() && budget_wait.is_zero() {
            return Turn::Now;
        }
        let threshold = self.set_aside_after();
        let interval = self.interval;
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let state = key_state(&mut keys, key, now);
        forget_stale(state, now);
        let free = state.next_slot.max(now + budget_wait);
        let mine = state.repos.entry(repo.to_string()).or_default();
        mine.waiting.remove(&ticket);
        let my_last = mine.last_served;
        // Another repository served less recently, with a job due back by the free slot,
        // has the turn.
        let rival = state.repos.iter().any(|(name, turns)| {
            name != repo
                && turns.last_served < my_last
                && turns.waiting.values().any(|due| *due <= free + threshold)
        });
        if free <= now + threshold && !rival {
            state.admissions += 1;
            let admission = state.admissions;
            if let Some(mine) = state.repos.get_mut(repo) {
                mine.last_served = admission;
            }
            // The job's writes have their slots.
            if !interval.is_zero() {
                let writes = writes.clamp(1, MAX_PREPAID);
                for n in 0..writes {
                    state.prepaid.push_back(free + interval * n);
                }
                state.next_slot = free + interval * writes;
            }
            return Turn::Now;
        }
        // Round robin: ahead of this job go its own repository's waiting jobs and, from each
        // other repository, as many waiting jobs as that — one more from a repository
        // served less recently.
        let own = state.repos.get(repo).map_or(0, |t| t.waiting.len());
        let ahead: usize = state
            .repos
            .iter()
            .filter(|(name, _)| name.as_str() != repo)
            .map(|(_, t)| {
                let first = usize::from(t.last_served < my_last);
                t.waiting.len().min(own + first)
            })
            .sum::<usize>()
            + own;
        // Each job ahead is counted with as many writes as this one has.
        let per_job = interval.saturating_mul(writes.clamp(1, MAX_PREPAID));
        let slot = free.max(now) + per_job.saturating_mul(ahead as u32);
        let due = slot.checked_sub(threshold / 2).unwrap_or(slot).max(now);
        let due = due.max(now + Duration::from_millis(10));
        if let Some(mine) = state.repos.get_mut(repo) {
            mine.waiting.insert(ticket, due);
        }
        Turn::Later(due - now)
    }

    /// Record what the forge said of the budget under `key`: its rate-limit headers and any
    /// `Retry-After`.
    pub fn observe(&self, key: &str, budget: Option<Budget>, retry_after: Option<Duration>) {
        if budget.is_none() && retry_after.is_none() {
            return;
        }
        let now = Instant::now();
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        if budgets.len() >= MAX_TRACKED_KEYS && !budgets.contains_key(key) {
            budgets.retain(|_, b| b.paused_until.is_some_and(|p| p > now));
        }
        let state = budgets.entry(key.to_string()).or_default();
        if let Some(budget) = budget {
            state.budget = Some(budget);
        }
        if let Some(wait) = retry_after {
            let until = now + wait;
            state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
        }
    }

    /// The budgets the forge last reported, by key.
    pub fn budgets(&self) -> Vec<(String, Budget)> {
        let budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<(String, Budget)> = budgets
            .iter()
            .filter_map(|(k, b)| Some((k.clone(), b.budget?)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// How long a request under budget `key` should wait before it goes.
    pub fn budget_wait(&self, key: &str, now: Instant) -> Duration {
        let budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let Some(state) = budgets.get(key) else {
            return Duration::ZERO;
        };
        let paused = state
            .paused_until
            .map_or(Duration::ZERO, |p| p.saturating_duration_since(now));
        let paced = state.budget.map_or(Duration::ZERO, |b| pace(b, unix_now()));
        paused.max(paced)
    }
}

/// The wait before the next request under `budget` at Unix time `now_unix` (seconds,
/// fractional): none while plenty remains; the rest of the window spread evenly over what
/// remains when little does; the whole rest of the window when nothing does.
pub fn pace(budget: Budget, now_unix: f64) -> Duration {
    if budget.remaining >= LOW_BUDGET {
        return Duration::ZERO;
    }
    let Some(reset) = budget.reset_unix else {
        return Duration::ZERO;
    };
    let left = (reset as f64 - now_unix).max(0.0);
    if left == 0.0 {
        return Duration::ZERO;
    }
    // Cap a forge's odd answer (a reset far away) at one hour.
    let left = left.min(3600.0);
    if budget.remaining == 0 {
        return Duration::from_secs_f64(left);
    }
    Duration::from_secs_f64(left / budget.remaining as f64)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The state of `key`, made fresh if unknown (forgetting idle keys when too many are kept).
fn key_state<'a>(
    keys: &'a mut HashMap<String, KeyState>,
    key: &str,
    now: Instant,
) -> &'a mut KeyState {
    if keys.len() >= MAX_TRACKED_KEYS && !keys.contains_key(key) {
        keys.retain(|_, s| s.next_slot > now || s.repos.values().any(|r| !r.waiting.is_empty()));
    }
    keys.entry(key.to_string()).or_insert_with(|| KeyState {
        next_slot: now,
        prepaid: VecDeque::new(),
        admissions: 0,
        repos: HashMap::new(),
    })
}

/// Forget set-aside jobs long overdue, and repositories with nothing waiting when too many.
fn forget_stale(state: &mut KeyState, now: Instant) {
    for turns in state.repos.values_mut() {
        turns.waiting.retain(|_, due| *due + TURN_KEPT_FOR > now);
    }
    if state.repos.len() > MAX_REPOS_PER_KEY {
        state.repos.retain(|_, t| !t.waiting.is_empty());
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
