//! forgehand: a GitHub + GitLab webhook bot that runs a team's triage and release process
//! from YAML. ingress → store → worker → decode → gather → decide → execute; the map is
//! docs/ARCHITECTURE.md.

pub mod cli;
pub mod clock;
pub mod command;
pub mod config;
pub mod decide;
pub mod event;
pub mod execute;
pub mod explain;
pub mod forge;
pub mod gather;
pub mod ingress;
pub mod model;
pub mod plan;
pub mod release;
pub mod repo_config;
pub mod role;
pub mod schedule;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod ui;
pub mod worker;
