use super::*;

const SEC: Duration = Duration::from_secs(1);

#[test]
fn writes_to_one_key_are_spaced() {
    let t = Throttle::new(SEC);
    let now = Instant::now();
    assert_eq!(t.reserve("a", now), now);
    assert_eq!(t.reserve("a", now), now + SEC);
    assert_eq!(t.reserve("a", now), now + 2 * SEC);
    assert_eq!(t.reserve("b", now), now, "keys are independent");
}

#[test]
fn idle_keys_start_fresh() {
    let t = Throttle::new(SEC);
    let now = Instant::now();
    t.reserve("a", now);
    let later = now + Duration::from_secs(5);
    assert_eq!(t.reserve("a", later), later);
}

#[tokio::test]
async fn zero_interval_never_waits() {
    let t = Throttle::new(Duration::ZERO);
    for _ in 0..100 {
        t.acquire("a", "a", true).await;
    }
    // No slot was ever reserved: nothing to wait for.
    assert!(t.keys.lock().unwrap().is_empty());
    assert_eq!(t.turn("a", "a", ("r", 1), 1, Instant::now()), Turn::Now);
}

#[test]
fn a_turn_prepays_the_first_write_slot() {
    let t = Throttle::new(SEC);
    let now = Instant::now();
    assert_eq!(t.turn("k", "k", ("r", 1), 1, now), Turn::Now);
    // The slot the turn reserved is the one the job's write takes…
    assert_eq!(t.reserve("k", now), now);
    // …and the next write queues behind it.
    assert_eq!(t.reserve("k", now), now + SEC);
}

#[test]
fn a_turn_reserves_a_slot_per_write() {
    let t = Throttle::new(SEC);
    let now = Instant::now();
    assert_eq!(t.turn("k", "k", ("a", 1), 3, now), Turn::Now);
    // The next job finds the key busy for the three writes of the first.
    assert!(matches!(t.turn("k", "k", ("b", 2), 1, now), Turn::Later(w) if w >= 2 * SEC));
    assert_eq!(t.reserve("k", now), now);
    assert_eq!(t.reserve("k", now), now + SEC);
    assert_eq!(t.reserve("k", now), now + 2 * SEC);
    assert_eq!(
        t.reserve("k", now),
        now + 3 * SEC,
        "after the reserved ones"
    );
}

#[test]
fn a_job_far_from_a_slot_is_set_aside() {
    let t = Throttle::new(SEC);
    let now = Instant::now();
    for _ in 0..5 {
        t.reserve("k", now);
    }
    // The next free slot is 5 s away: come back shortly before it.
    match t.turn("k", "k", ("r", 1), 1, now) {
        Turn::Later(wait) => {
            assert!(
                wait >= Duration::from_secs(4) && wait <= Duration::from_secs(5),
                "{wait:?}"
            )
        }
        Turn::Now => panic!("a job 5 s from its slot must not hold a worker"),
    }
}

#[test]
fn repositories_sharing_a_key_are_served_in_turn() {
    let t = Throttle::new(SEC);
    let t0 = Instant::now();
    // A burst on repository `a`: two jobs go (a slot now and one within the threshold), the
    // rest are set aside one slot apart.
    assert_eq!(t.turn("k", "k", ("a", 1), 1, t0), Turn::Now);
    assert_eq!(t.turn("k", "k", ("a", 2), 1, t0), Turn::Now);
    let mut a_back = Vec::new();
    for ticket in 3..=10 {
        match t.turn("k", "k", ("a", ticket), 1, t0) {
            Turn::Later(wait) => a_back.push(wait),
            Turn::Now => panic!("job {ticket} of the burst went at once"),
        }
    }
    assert!(a_back.windows(2).all(|w| w[1] >= w[0] + SEC), "{a_back:?}");
    // A job on repository `b` arrives: it is set aside only until the next free slot, ahead
    // of the rest of the burst.
    let b_back = match t.turn("k", "k", ("b", 100), 1, t0) {
        Turn::Later(wait) => wait,
        Turn::Now => panic!("no slot is free for b yet"),
    };
    assert!(b_back <= 2 * SEC, "b waits {b_back:?}");
    assert!(
        b_back <= a_back[0],
        "b {b_back:?} after the burst's first {a_back:?}"
    );
    // When the slot comes, a job of `a` asking first is sent back: it is b's turn.
    let at = t0 + b_back;
    t.reserve("k", t0);
    t.reserve("k", t0);
    assert!(matches!(t.turn("k", "k", ("a", 3), 1, at), Turn::Later(_)));
    assert_eq!(t.turn("k", "k", ("b", 100), 1, at), Turn::Now);
}

#[test]
fn a_turn_not_claimed_is_not_kept_forever() {
    let t = Throttle::new(SEC);
    let t0 = Instant::now();
    assert_eq!(t.turn("k", "k", ("a", 1), 1, t0), Turn::Now);
    assert_eq!(t.turn("k", "k", ("a", 2), 1, t0), Turn::Now);
    // b is set aside, then never comes back (its job went elsewhere).
    assert!(matches!(t.turn("k", "k", ("b", 9), 1, t0), Turn::Later(_)));
    let much_later = t0 + Duration::from_secs(30);
    assert_eq!(t.turn("k", "k", ("a", 3), 1, much_later), Turn::Now);
}

#[test]
fn pace_spreads_a_low_budget_over_its_window() {
    let budget = |remaining| Budget {
        remaining,
        reset_unix: Some(1_000),
    };
    assert_eq!(
        pace(budget(LOW_BUDGET), 900.0),
        Duration::ZERO,
        "plenty left"
    );
    assert_eq!(
        pace(budget(50), 900.0),
        Duration::from_secs(2),
        "100 s over 50"
    );
    assert_eq!(
        pace(budget(0), 900.0),
        Duration::from_secs(100),
        "spent: wait"
    );
    assert_eq!(pace(budget(0), 1_001.0), Duration::ZERO, "window passed");
    let unknown_reset = Budget {
        remaining: 0,
        reset_unix: None,
    };
    assert_eq!(pace(unknown_reset, 900.0), Duration::ZERO);
    let far = Budget {
        remaining: 0,
        reset_unix: Some(1_000_000),
    };
    assert_eq!(pace(far, 0.0), Duration::from_secs(3600), "capped");
}

#[test]
fn retry_after_pauses_the_budget_and_sets_jobs_aside() {
    let t = Throttle::new(Duration::ZERO);
    t.observe("token", None, Some(Duration::from_secs(30)));
    let now = Instant::now();
    let wait = t.budget_wait("token", now);
    assert!(wait > Duration::from_secs(29) && wait <= Duration::from_secs(30));
    assert_eq!(t.budget_wait("other", now), Duration::ZERO);
    assert!(matches!(
        t.turn("project", "token", ("r", 1), 1, now),
        Turn::Later(w) if w > Duration::from_secs(29)
    ));
}

#[test]
fn reported_budgets_are_listed_by_key() {
    let t = Throttle::new(SEC);
    let b = Budget {
        remaining: 4_000,
        reset_unix: Some(1),
    };
    t.observe("token", Some(b), None);
    t.observe("installation:7", None, None);
    assert_eq!(t.budgets(), vec![("token".to_string(), b)]);
}
