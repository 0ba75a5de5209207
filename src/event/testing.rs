//! Helpers shared by the GitHub and GitLab decoder tests.

use super::{DecodeError, Decoded, Event};
use serde_json::Value;

/// A forge's decoder.
pub type Decoder = fn(&str, &[u8]) -> Result<Decoded, DecodeError>;

/// The event `decode` makes of `body`; panics on anything else.
pub fn event(decode: Decoder, name: &str, body: &[u8]) -> Event {
    match decode(name, body) {
        Ok(Decoded::Event(e)) => *e,
        other => panic!("{name}: expected an event, got {other:?}"),
    }
}

/// Why `decode` ignores `body`; panics on anything else.
pub fn ignored(decode: Decoder, name: &str, body: &[u8]) -> String {
    match decode(name, body) {
        Ok(Decoded::Ignored(why)) => why,
        other => panic!("{name}: expected Ignored, got {other:?}"),
    }
}

/// Why `decode` fails on `body`; panics on anything else.
pub fn error(decode: Decoder, name: &str, body: &[u8]) -> String {
    match decode(name, body) {
        Err(e) => e.0,
        other => panic!("{name}: expected an error, got {other:?}"),
    }
}

/// A fixture with one edit applied.
pub fn edited(body: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(body).expect("fixture is JSON");
    edit(&mut value);
    serde_json::to_vec(&value).expect("serializes")
}
