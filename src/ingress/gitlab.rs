//! GitLab deliveries: `X-Gitlab-Token` verification and the delivery's identity.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Does `token` (the `X-Gitlab-Token` header) equal one of `tokens`? Constant-time per token.
pub fn verify(tokens: &[SecretString], token: Option<&str>) -> bool {
    let Some(token) = token else {
        return false;
    };
    tokens.iter().fold(false, |ok, t| {
        ok | bool::from(t.expose_secret().as_bytes().ct_eq(token.as_bytes()))
    })
}

/// The delivery id: `Idempotency-Key`, else `X-Gitlab-Event-UUID`, else a hash of the body.
pub fn delivery_id(idempotency_key: Option<&str>, event_uuid: Option<&str>, body: &[u8]) -> String {
    idempotency_key
        .or(event_uuid)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(body))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_must_match_one_configured_token() {
        let tokens = vec![
            SecretString::from("a".to_string()),
            SecretString::from("b".to_string()),
        ];
        assert!(verify(&tokens, Some("b")));
        assert!(!verify(&tokens, Some("c")));
        assert!(!verify(&tokens, Some("")));
        assert!(!verify(&tokens, None));
        assert!(!verify(&[], Some("a")));
    }

    #[test]
    fn delivery_id_prefers_idempotency_key_then_uuid_then_body_hash() {
        assert_eq!(delivery_id(Some("k"), Some("u"), b"x"), "k");
        assert_eq!(delivery_id(None, Some("u"), b"x"), "u");
        let h = delivery_id(None, None, b"x");
        assert!(h.starts_with("sha256:"));
        assert_eq!(h, delivery_id(Some(""), None, b"x"));
        assert_ne!(h, delivery_id(None, None, b"y"));
    }
}
