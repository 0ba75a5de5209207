//! `forgehand schema`: prints the JSON Schema of the server file or of a repository's
//! `.forgehand.yml`, generated from the loader (see `config::schema`).

use crate::config::schema::{schema_text, FileKind};
use std::io::Write;
use std::process::ExitCode;

/// Prints the schema of `kind` on standard output.
pub fn schema(kind: FileKind) -> ExitCode {
    let text = schema_text(kind);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the schema: {e}");
            ExitCode::FAILURE
        }
    }
}
