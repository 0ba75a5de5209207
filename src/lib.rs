//! forgehand: a GitHub + GitLab webhook bot that runs a team's triage and release process
//! from YAML. ingress → store → worker → decode → decide → execute.

pub mod clock;
pub mod event;
pub mod ingress;
pub mod plan;
pub mod role;
pub mod store;
pub mod telemetry;
pub mod command;
pub mod release;
