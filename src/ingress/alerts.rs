//! Alert deliveries (`/webhooks/alerts/alertmanager`, `/webhooks/alerts/pingdom`): the
//! source's token check, and the forge the delivery is stored under — that of the
//! repository the `incidents:` routes send the alert to, so that the worker drives that
//! forge. The payload is read here only to route it; acting on it is the worker's.

use crate::config::incidents::IncidentsConfig;
use crate::event::alerts::{self, AlertSource, Notice};
use crate::model::ForgeKind;
use base64::Engine as _;
use secrecy::SecretString;

/// The query parameter that may carry the token, for senders that can set no header
/// (Pingdom's webhook integration takes a URL only).
pub const TOKEN_PARAMETER: &str = "token";

/// Is one of the presented credentials one of `tokens`? A credential is the bearer token
/// of `Authorization: Bearer …`, the password of `Authorization: Basic …` (as Alertmanager's
/// `http_config.basic_auth` sends it), or the `token` query parameter. Constant-time per
/// token.
pub fn verify(
    tokens: &[SecretString],
    authorization: Option<&str>,
    query_token: Option<&str>,
) -> bool {
    let from_header = authorization.and_then(credential);
    // The same constant-time comparison as GitLab's `X-Gitlab-Token`.
    let matches = |t: &str| !t.is_empty() && super::gitlab::verify(tokens, Some(t));
    from_header.as_deref().is_some_and(matches) || query_token.is_some_and(matches)
}

/// The secret an `Authorization` header presents: a bearer token, or a basic-auth password.
fn credential(header: &str) -> Option<String> {
    let (scheme, value) = header.trim().split_once(' ')?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(value.to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_user, password) = text.split_once(':')?;
        return Some(password.to_string());
    }
    None
}

/// The forge an alert delivery is stored under: that of the route its payload takes, or the
/// default repository's when the payload cannot be read (the worker then records why).
/// `None` when incidents are off.
pub fn forge_for(
    incidents: &IncidentsConfig,
    source: AlertSource,
    body: &[u8],
) -> Option<ForgeKind> {
    let default = incidents.default_forge()?;
    let routed = match alerts::parse(source, body) {
        Ok(Notice::Alert(alert)) => incidents.route(&alert).map(|to| to.forge),
        Ok(Notice::Ignored(_)) | Err(_) => None,
    };
    Some(routed.unwrap_or(default))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn tokens() -> Vec<SecretString> {
        vec![
            SecretString::from("old".to_string()),
            SecretString::from("new".to_string()),
        ]
    }

    fn basic(user: &str, password: &str) -> String {
        let raw = format!("{user}:{password}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    #[test]
    fn bearer_basic_and_query_tokens() {
        let t = tokens();
        let cases: &[(Option<&str>, Option<&str>, bool)] = &[
            (Some("Bearer new"), None, true),
            (Some("bearer old"), None, true),
            (Some("Bearer wrong"), None, false),
            (Some(&basic("alertmanager", "new")), None, true),
            (Some(&basic("new", "wrong")), None, false),
            (Some("Basic !!notbase64"), None, false),
            (Some("Token new"), None, false),
            (None, Some("old"), true),
            (None, Some("wrong"), false),
            (Some("Bearer wrong"), Some("new"), true),
            (None, None, false),
            (Some("Bearer "), Some(""), false),
        ];
        for (header, query, expected) in cases {
            assert_eq!(
                verify(&t, *header, *query),
                *expected,
                "{header:?} {query:?}"
            );
        }
        assert!(!verify(&[], Some("Bearer new"), Some("new")));
    }

    #[test]
    fn deliveries_are_stored_under_the_forge_of_their_route() {
        let yaml = "incidents:\n  repo: github:acme/website\n  routes:\n    - when: {check: shop}\n      repo: gitlab:acme/shop\n";
        let config = Config::from_str(yaml, "t.yml", &|_| None).unwrap();
        let incidents = &config.incidents;
        let read = |name: &str| {
            std::fs::read(format!(
                "{}/fixtures/alerts/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let pingdom = read("pingdom.down.json");
        let am = read("alertmanager.firing.json");
        assert_eq!(
            forge_for(incidents, AlertSource::Pingdom, &pingdom),
            Some(ForgeKind::Gitlab)
        );
        assert_eq!(
            forge_for(incidents, AlertSource::Alertmanager, &am),
            Some(ForgeKind::Github)
        );
        assert_eq!(
            forge_for(incidents, AlertSource::Pingdom, b"{"),
            Some(ForgeKind::Github)
        );
        let off = Config::from_str("", "t.yml", &|_| None).unwrap();
        assert_eq!(
            forge_for(&off.incidents, AlertSource::Pingdom, &pingdom),
            None
        );
    }
}
