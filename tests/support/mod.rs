//! Test support shared by the integration tests: a small HTTP client and the stateful fake
//! forge.
#![allow(dead_code)]

pub mod app;
pub mod fake_checks;
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
pub mod triage;

#[allow(unused_imports)] // not every test binary uses the fake forge
pub use fake_forge::FakeForge;
#[allow(unused_imports)]
pub use fake_state::{Call, FakeComment, FakeIssue, FakeLabel, FakeMilestone, FakeUser};

/// The bytes of a fixture under `fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}
