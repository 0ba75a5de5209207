//! `forgehand check`: validate a configuration file — the server's or a repository's
//! `.forgehand.yml` — list every error with file:line:col, and name the kind of file found.
//! With `--repo`, say which configuration applies to that repository, section by section.

use crate::config::{self, Config, RepoFile, REPO_FILE_PATH};
use crate::model::ForgeKind;
use std::path::Path;
use std::process::ExitCode;

/// Which kind of file `path` is: a repository file is named `.forgehand.yml` (or, for
/// examples kept side by side, `NAME.forgehand.yml`); anything else is a server file.
pub(super) fn is_repo_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(REPO_FILE_PATH))
}

pub(super) fn check(path: &Path, repo: Option<&str>, repo_file: Option<&Path>) -> ExitCode {
    if is_repo_file(path) && repo.is_none() {
        return match read_repo_file(path) {
            Ok(file) => {
                println!(
                    "{}: ok (repository file; sets {})",
                    path.display(),
                    list(&file.sections())
                );
                ExitCode::SUCCESS
            }
            Err(errors) => {
                eprintln!("{errors}");
                eprintln!("{}: invalid repository file", path.display());
                ExitCode::FAILURE
            }
        };
    }
    let server = match config::load(path) {
        Ok(server) => server,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{}: invalid server file", path.display());
            return ExitCode::FAILURE;
        }
    };
    println!("{}: ok (server file)", path.display());
    let Some(repo) = repo else {
        return ExitCode::SUCCESS;
    };
    let own = match repo_file.map(read_repo_file).transpose() {
        Ok(own) => own,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    match applies(&server, repo, own.as_ref()) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

pub(super) fn read_repo_file(path: &Path) -> Result<RepoFile, config::ConfigErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        config::ConfigErrors(vec![config::ConfigError {
            file: file.clone(),
            pos: None,
            path: String::new(),
            message: format!("cannot read configuration: {e}"),
        }])
    })?;
    RepoFile::from_str(&text, &file)
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "no section".into()
    } else {
        names.join(", ")
    }
}

/// One line per process section: where its value comes from for `repo`
/// (`github:owner/name`), by precedence repository file > `repos:` entry > server defaults.
pub(super) fn applies(
    server: &Config,
    repo: &str,
    own: Option<&RepoFile>,
) -> Result<Vec<String>, String> {
    let (forge, path) = repo.split_once(':').ok_or_else(|| {
        format!("--repo `{repo}`: expected `github:owner/name` or `gitlab:group/project`")
    })?;
    let forge = match forge {
        "github" => ForgeKind::Github,
        "gitlab" => ForgeKind::Gitlab,
        other => return Err(format!("--repo: `{other}` is not a forge")),
    };
    let entry = server.repos_entry(forge, path);
    let entry_sections = entry
        .map(|(_, s)| s.to_file().sections())
        .unwrap_or_default();
    let own_sections = own.map(RepoFile::sections).unwrap_or_default();
    let mut lines = vec![match entry {
        Some((pattern, _)) => format!("{repo}: repos: entry `{pattern}` applies"),
        None => format!("{repo}: no repos: entry applies"),
    }];
    for section in ["rules", "triage", "commands", "release", "schedules"] {
        let from = if own_sections.contains(&section) {
            format!("the repository's {REPO_FILE_PATH}")
        } else if let (true, Some((pattern, _))) = (entry_sections.contains(&section), entry) {
            format!("repos: `{pattern}`")
        } else {
            "server defaults".to_string()
        };
        lines.push(format!("  {section}: {from}"));
    }
    if own.is_none() {
        lines.push(format!(
            "  (a {REPO_FILE_PATH} on the repository's default branch replaces the sections it writes; \
             pass --repo-file to include one)"
        ));
    }
    Ok(lines)
}
