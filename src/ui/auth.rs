//! Sign-in for the operations page: a token compared in constant time, then a session cookie
//! signed with HMAC-SHA256 under a key derived from the configured tokens (so that every
//! replica accepts it, and changing the tokens signs everyone out), with an expiry; and the
//! CSRF token of a session, which every form that changes something must carry.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use subtle::{Choice, ConstantTimeEq};

type HmacSha256 = Hmac<Sha256>;

/// The session cookie's name.
pub const COOKIE: &str = "forgehand_ui";
/// The format version written first in every session cookie.
const VERSION: &str = "v1";
/// What the session key is derived under (so it differs from any other use of the tokens).
const KEY_CONTEXT: &[u8] = b"forgehand operations page session key v1";

/// A verified session: the id it was issued with and when it lapses (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub expires: i64,
}

/// The tokens (as digests) and the signing key. Holds no token in clear.
pub struct Auth {
    digests: Vec<[u8; 32]>,
    key: [u8; 32],
    ttl: Duration,
    issued: AtomicU64,
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Auth {
    /// Sessions lasting `ttl` for the operators holding one of `tokens`.
    pub fn new(tokens: &[SecretString], ttl: Duration) -> Auth {
        let mut key = Sha256::new();
        key.update(KEY_CONTEXT);
        for token in tokens {
            let bytes = token.expose_secret().as_bytes();
            key.update((bytes.len() as u64).to_be_bytes());
            key.update(bytes);
        }
        Auth {
            digests: tokens
                .iter()
                .map(|t| digest(t.expose_secret().as_bytes()))
                .collect(),
            key: key.finalize().into(),
            ttl,
            issued: AtomicU64::new(0),
        }
    }

    /// Whether `given` is one of the tokens. Compares digests in constant time and looks at
    /// every token, so neither the time taken nor its length tells which part was right.
    pub fn token_matches(&self, given: &str) -> bool {
        let given = digest(given.as_bytes());
        let mut any = Choice::from(0);
        for d in &self.digests {
            any |= d.ct_eq(&given);
        }
        !self.digests.is_empty() && bool::from(any)
    }

    /// How long a session lasts.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn mac(&self, context: &str, text: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(context.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        mac
    }

    /// A new session cookie value, issued at `now_ms` (Unix milliseconds).
    pub fn issue(&self, now_ms: i64) -> String {
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        let id = format!("{now_ms:x}-{:x}-{n:x}", std::process::id());
        let expires = now_ms / 1000 + self.ttl.as_secs() as i64;
        let body = format!("{VERSION}.{expires}.{id}");
        let sig = hex::encode(self.mac("session", &body).finalize().into_bytes());
        format!("{body}.{sig}")
    }

    /// The session `cookie` names, if its signature holds and it has not lapsed at `now_ms`.
    pub fn verify(&self, cookie: &str, now_ms: i64) -> Option<Session> {
        let (body, sig) = cookie.rsplit_once('.')?;
        let sig = hex::decode(sig).ok()?;
        self.mac("session", body).verify_slice(&sig).ok()?;
        let mut parts = body.splitn(3, '.');
        let (version, expires, id) = (parts.next()?, parts.next()?, parts.next()?);
        let expires: i64 = expires.parse().ok()?;
        (version == VERSION && now_ms / 1000 < expires).then(|| Session {
            id: id.to_string(),
            expires,
        })
    }

    /// The CSRF token of `session` (what its forms carry).
    pub fn csrf(&self, session: &Session) -> String {
        hex::encode(self.mac("csrf", &session.id).finalize().into_bytes())
    }

    /// Whether `given` is `session`'s CSRF token (constant time).
    pub fn csrf_matches(&self, session: &Session, given: &str) -> bool {
        match hex::decode(given) {
            Ok(bytes) => self.mac("csrf", &session.id).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(tokens: &[&str]) -> Auth {
        let tokens: Vec<SecretString> = tokens.iter().map(|t| SecretString::from(*t)).collect();
        Auth::new(&tokens, Duration::from_secs(3600))
    }

    #[test]
    fn only_a_configured_token_matches() {
        let a = auth(&["alpha-token", "beta-token"]);
        assert!(a.token_matches("alpha-token"));
        assert!(a.token_matches("beta-token"));
        for wrong in ["", "alpha", "alpha-token ", "ALPHA-TOKEN", "gamma-token"] {
            assert!(!a.token_matches(wrong), "{wrong:?}");
        }
        assert!(!auth(&[]).token_matches(""), "no token: nothing matches");
    }

    #[test]
    fn a_session_holds_until_it_lapses_and_only_under_its_key() {
        let a = auth(&["alpha-token"]);
        let now = 1_800_000_000_000;
        let cookie = a.issue(now);
        assert!(!cookie.contains("alpha-token"));
        let session = a.verify(&cookie, now).expect("fresh session");
        assert!(a.verify(&cookie, now + 3_599_000).is_some());
        assert_eq!(a.verify(&cookie, now + 3_600_000), None, "lapsed");
        // Another token set (a rotation) signs everyone out.
        assert_eq!(auth(&["other-token"]).verify(&cookie, now), None);
        // Tampering with the expiry or the id breaks the signature.
        let (body, sig) = cookie.rsplit_once('.').unwrap();
        let later = body.replacen(&session.expires.to_string(), "9999999999", 1);
        assert_eq!(a.verify(&format!("{later}.{sig}"), now), None);
        assert_eq!(a.verify(&format!("{body}x.{sig}"), now), None);
        assert_eq!(a.verify("v1.9999999999.x.00", now), None);
        assert_eq!(a.verify("garbage", now), None);
        // Two sessions differ, and so do their CSRF tokens.
        let other = a.verify(&a.issue(now), now).unwrap();
        assert_ne!(session.id, other.id);
        let csrf = a.csrf(&session);
        assert!(a.csrf_matches(&session, &csrf));
        assert!(!a.csrf_matches(&other, &csrf));
        assert!(!a.csrf_matches(&session, ""));
        assert!(!a.csrf_matches(&session, "zz"));
    }
}
