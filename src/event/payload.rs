//! Reading a webhook body into the typed views of `github.rs` / `gitlab.rs` straight from its
//! bytes, without a `serde_json::Value` of the whole body in between: a 25 MiB comment is
//! held once as the body and once as its text, not also as a `Value` and a parser's scratch
//! buffer (see `bench/memory.sh`). The errors are the ones the `Value` route gave.

use serde::de::{DeserializeOwned, Error as _, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::DecodeError;

/// A body known to be a JSON object, to be read into typed views.
pub(crate) struct Payload<'a> {
    body: &'a [u8],
}

impl<'a> Payload<'a> {
    /// `body` as a JSON object; `event_name` names the event in the error when it is not one.
    /// Malformed JSON (invalid UTF-8 included) is refused as a whole, as before, even in
    /// parts no typed view reads.
    pub(crate) fn new(event_name: &str, body: &'a [u8]) -> Result<Self, DecodeError> {
        if std::str::from_utf8(body).is_err() {
            // Skipping a string does not check its UTF-8: the full parse says where it fails.
            serde_json::from_slice::<serde_json::Value>(body)?;
        }
        if !serde_json::from_slice::<IsObject>(body)?.0 {
            return Err(DecodeError(format!(
                "{event_name}: payload is not a JSON object"
            )));
        }
        Ok(Payload { body })
    }

    /// A typed view of the payload, naming `what` in the error.
    pub(crate) fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, DecodeError> {
        serde_json::from_slice(self.body).map_err(|e| {
            DecodeError(format!(
                "{what}: malformed payload: {}",
                without_position(&e)
            ))
        })
    }
}

/// The error's message without serde_json's ` at line L column C` (a typed view read from a
/// `Value` had no position, and the messages stay as they were).
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if e.line() == 0 {
        return message;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(m) => m.to_string(),
        None => message,
    }
}

/// Whether a JSON document is an object; reading it checks the whole document's syntax
/// without keeping any of it.
struct IsObject(bool);

impl<'de> Deserialize<'de> for IsObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IsObject(true))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IsObject, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IsObject(false))
            }
            fn visit_bool<E>(self, _: bool) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_unit<E>(self) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// `deserialize_with` for a string field that may be large (a comment's text): the text is
/// unescaped from the body straight into its `String`, without serde_json's scratch copy.
/// `null` and a missing field (with `#[serde(default)]`) are `None`.
pub(crate) fn large_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(raw) = Option::<&'de RawValue>::deserialize(d)? else {
        return Ok(None);
    };
    match unescape(raw.get()) {
        Some(text) => Ok(Some(text)),
        // Not a string, or an escape this fast path leaves to serde_json (a lone surrogate).
        None => serde_json::from_str::<String>(raw.get())
            .map(Some)
            .map_err(|e| D::Error::custom(without_position(&e))),
    }
}

/// The text of a JSON string literal (already checked by the parser), or `None` when it is
/// not a string or holds an escape left to serde_json.
fn unescape(raw: &str) -> Option<String> {
    let mut rest = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(rest.len());
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let escape = rest.get(i + 1..)?;
        let (c, used) = match escape.as_bytes().first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let high = hex4(escape.get(1..5)?)?;
                match high {
                    0xD800..=0xDBFF => {
                        let low = hex4(escape.get(5..)?.strip_prefix("\\u")?.get(..4)?)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(code)?, 11)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => (char::from_u32(high)?, 5),
                }
            }
            _ => return None,
        };
        out.push(c);
        rest = &escape[used..];
    }
    out.push_str(rest);
    Some(out)
}

/// Four hex digits.
fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        #[serde(default, deserialize_with = "large_text")]
        text: Option<String>,
    }

    fn text(json: &str) -> Result<Option<String>, String> {
        Payload::new("test", json.as_bytes())
            .and_then(|p| p.parse::<Doc>("test"))
            .map(|d| d.text)
            .map_err(|e| e.0)
    }

    #[test]
    fn large_text_reads_what_serde_json_reads() {
        let cases = [
            r#""plain""#,
            r#""""#,
            r#""a\nb\r\n\t\"q\" \\ \/ \b\f""#,
            r#""caf\u00e9 \u20AC \ud83d\ude00 \u0000 end""#,
            r#""äöü 😀 raw""#,
            r#""trailing \\""#,
        ];
        for case in cases {
            let expected: String = serde_json::from_str(case).unwrap();
            assert_eq!(
                text(&format!(r#"{{"text":{case}}}"#)),
                Ok(Some(expected)),
                "{case}"
            );
        }
        assert_eq!(text(r#"{"text":null}"#), Ok(None));
        assert_eq!(text(r#"{}"#), Ok(None));
    }

    #[test]
    fn what_the_fast_path_leaves_gets_serde_jsons_answer() {
        // A lone surrogate is refused with serde_json's reason (the `Value` route said the
        // same, with a position and without the event's name).
        assert_eq!(
            text(r#"{"text":"\ud800 x"}"#),
            Err("test: malformed payload: unexpected end of hex escape".into())
        );
        assert_eq!(
            text(r#"{"text":5}"#),
            Err("test: malformed payload: invalid type: integer `5`, expected a string".into())
        );
    }

    #[test]
    fn errors_are_those_of_the_value_route() {
        fn via_value(json: &[u8]) -> String {
            let e = serde_json::from_slice::<serde_json::Value>(json).unwrap_err();
            DecodeError::from(e).0
        }
        for bad in [
            &b"{"[..],
            b"{\"a\":1} x",
            b"",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":tru}",
        ] {
            let got = Payload::new("test", bad).err().map(|e| e.0);
            assert_eq!(got, Some(via_value(bad)), "{bad:?}");
        }
        for not_object in ["[1]", "\"s\"", "3", "null", "true"] {
            let got = Payload::new("issues", not_object.as_bytes())
                .err()
                .map(|e| e.0);
            assert_eq!(
                got.as_deref(),
                Some("issues: payload is not a JSON object"),
                "{not_object}"
            );
        }
    }
}
