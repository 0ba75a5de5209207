//! GitHub deliveries: `X-Hub-Signature-256` verification and the delivery's identity.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Does `signature` (the `X-Hub-Signature-256` header, `sha256=<hex>`) match the HMAC-SHA256
/// of `body` under any of `secrets`? The comparison is constant-time.
pub fn verify(secrets: &[SecretString], signature: Option<&str>, body: &[u8]) -> bool {
    let Some(hex_sig) = signature.and_then(|s| s.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    secrets.iter().any(|secret| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    })
}

/// `sha256=<hex>` signature of `body` under `secret` (used by tests and the load script).
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter()
            .map(|s| SecretString::from(s.to_string()))
            .collect()
    }

    #[test]
    fn accepts_a_signature_from_any_configured_secret() {
        let body = br#"{"zen":"Keep it logically awesome."}"#;
        let sig = sign("new-secret", body);
        assert!(verify(
            &secrets(&["old-secret", "new-secret"]),
            Some(&sig),
            body
        ));
        assert!(!verify(&secrets(&["old-secret"]), Some(&sig), body));
    }

    #[test]
    fn refuses_tampered_missing_and_malformed_signatures() {
        let body = b"{}";
        let sig = sign("s", body);
        let s = secrets(&["s"]);
        assert!(verify(&s, Some(&sig), body));
        assert!(!verify(&s, Some(&sig), b"{ }"));
        assert!(!verify(&s, None, body));
        assert!(!verify(&s, Some("sha256=zz"), body));
        assert!(!verify(&s, Some(sig.trim_start_matches("sha256=")), body));
        assert!(!verify(&s, Some("sha1=abc"), body));
        assert!(!verify(&[], Some(&sig), body));
    }

    #[test]
    fn known_vector_from_githubs_documentation() {
        // GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!".
        assert_eq!(
            sign("It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }
}
