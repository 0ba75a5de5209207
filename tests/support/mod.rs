//! Test support shared by the integration tests: a small HTTP client and the stateful fake
//! forge.
#![allow(dead_code)]

pub mod app;
pub mod fake_checks;
pub mod fake_faults;
pub mod fake_forge;
mod fake_github;
pub mod fake_gitlab;
pub mod fake_publish;
pub mod fake_release;
mod fake_release_github;
mod fake_release_gitlab;
pub mod fake_state;
pub mod http;
pub mod payloads;
pub mod repo_files;
pub mod triage;
pub mod ui;

#[allow(unused_imports)] // not every test binary uses the fake forge
pub use fake_forge::FakeForge;
#[allow(unused_imports)]
pub use fake_state::{Call, FakeComment, FakeIssue, FakeLabel, FakeMilestone, FakeUser};

/// The bytes of a fixture under `fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Execute `plan` as a delivery of its own (a fresh id, an in-memory ledger, no job lease):
/// what two calls do not repeat is found on the forge, not in the ledger.
pub async fn execute_as_new_delivery(
    plan: &forgehand::plan::Plan,
    forge: &dyn forgehand::forge::Forge,
    metrics: &forgehand::telemetry::Metrics,
) -> Result<Vec<String>, forgehand::execute::ExecError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let store = forgehand::store::open("sqlite::memory:")
        .await
        .expect("in-memory store");
    let delivery_id = format!("test-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let journal = forgehand::execute::Journal {
        store: store.as_ref(),
        forge: forge.kind(),
        delivery_id: &delivery_id,
        fence: None,
        rerun: false,
    };
    forgehand::execute::execute(plan, forge, metrics, &journal).await
}
