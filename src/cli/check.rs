//! `forgehand check`: validate a configuration file and list every error with file:line:col.

use crate::config;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn check(path: &Path) -> ExitCode {
    match config::load(path) {
        Ok(_) => {
            println!("{}: ok", path.display());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
