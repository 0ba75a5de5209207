//! `forgehand hooks install`: forgehand's webhook registered on a repository through the
//! forge's API — the events forgehand acts on, the configured webhook secret (GitHub) or
//! token (GitLab). The hook is found again by its URL, so running it twice changes nothing;
//! a hook whose events differ is updated.

use crate::config::Config;
use crate::forge::{Forge, ForgeError, HookInstall};
use crate::model::{ForgeKind, RepoPath};
use secrecy::ExposeSecret;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The payload URL for `forge`: `url` as given when it already ends in `/webhooks/<forge>`,
/// else that path appended to it (`https://bot.example.com` →
/// `https://bot.example.com/webhooks/github`).
pub fn payload_url(forge: ForgeKind, url: &str) -> String {
    let tail = format!("/webhooks/{}", forge.as_str());
    let url = url.trim_end_matches('/');
    if url.ends_with(&tail) {
        url.to_string()
    } else {
        format!("{url}{tail}")
    }
}

/// The secret the hook is to carry: the first webhook secret (GitHub) / token (GitLab) of
/// the server configuration that is set.
pub fn hook_secret(config: &Config, forge: ForgeKind) -> Option<String> {
    let secrets = match forge {
        ForgeKind::Github => &config.github.webhook_secrets,
        ForgeKind::Gitlab => &config.gitlab.webhook_tokens,
    };
    secrets
        .iter()
        .map(|s| s.expose_secret().to_string())
        .find(|s| !s.is_empty())
}

/// Install the hook on `repo`; the line that says what was done.
pub async fn install(
    forge: &dyn Forge,
    repo: &str,
    url: &str,
    secret: &str,
) -> Result<(HookInstall, String), ForgeError> {
    let path = RepoPath::parse(repo)?;
    let url = payload_url(forge.kind(), url);
    let done = forge.install_hook(&path, &url, secret).await?;
    let line = match &done {
        HookInstall::Created { id, events } => format!(
            "{repo}: created webhook {id} → {url} (events: {})",
            events.join(", ")
        ),
        HookInstall::Updated { id, events, before } => format!(
            "{repo}: updated webhook {id} → {url}: events {} (were {})",
            events.join(", "),
            if before.is_empty() {
                "none".to_string()
            } else {
                before.join(", ")
            }
        ),
        HookInstall::Unchanged { id, .. } => {
            format!("{repo}: webhook {id} → {url} already installed; nothing changed")
        }
    };
    Ok((done, line))
}

pub(super) fn install_command(
    path: &Path,
    kind: ForgeKind,
    repos: &[String],
    url: &str,
) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let Some(secret) = hook_secret(&config, kind) else {
        let var = match kind {
            ForgeKind::Github => "GITHUB_WEBHOOK_SECRET",
            ForgeKind::Gitlab => "GITLAB_WEBHOOK_TOKEN",
        };
        eprintln!(
            "forgehand hooks install: no {kind} webhook secret is configured ({var}): forgehand \
             never accepts unsigned deliveries, so no hook is installed without one"
        );
        return ExitCode::FAILURE;
    };
    let Some(runtime) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let forges = crate::forge::build(&config, Arc::default()).await?;
        let forge = forges
            .get(kind)
            .ok_or_else(|| anyhow::anyhow!("no {kind} credentials are set"))?;
        for repo in repos {
            let (_, line) = install(forge.as_ref(), repo, url, &secret).await?;
            println!("{line}");
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forgehand hooks install: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_url_ends_in_the_forges_webhook_path() {
        let cases = [
            (
                ForgeKind::Github,
                "https://bot.example.com",
                "https://bot.example.com/webhooks/github",
            ),
            (
                ForgeKind::Github,
                "https://bot.example.com/",
                "https://bot.example.com/webhooks/github",
            ),
            (
                ForgeKind::Gitlab,
                "https://h/fh/webhooks/gitlab",
                "https://h/fh/webhooks/gitlab",
            ),
            (
                ForgeKind::Gitlab,
                "https://h/fh",
                "https://h/fh/webhooks/gitlab",
            ),
        ];
        for (forge, url, want) in cases {
            assert_eq!(payload_url(forge, url), want, "{url}");
        }
    }
}
