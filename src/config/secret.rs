//! Secret fields: read into `secrecy::SecretString` (never shown by `Debug`), where an empty
//! value — typically an unset `${VAR:-}` — means "not set".

use secrecy::SecretString;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::fmt;

/// `deserialize_with` for `Option<SecretString>`: null or empty → `None`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let value: Option<String> = de::Deserialize::deserialize(d)?;
    Ok(value.filter(|s| !s.is_empty()).map(SecretString::from))
}

/// `deserialize_with` for `Vec<SecretString>`: a list (or a single value) of secrets; null
/// and empty entries are dropped, so `["${SECRET:-}"]` with `SECRET` unset is an empty list.
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretString>, D::Error> {
    d.deserialize_any(ListVisitor)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<SecretString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of secrets")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut secrets = Vec::new();
        while let Some(entry) = seq.next_element::<Option<String>>()? {
            secrets.extend(entry.filter(|s| !s.is_empty()).map(SecretString::from));
        }
        Ok(secrets)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Some(value)
            .filter(|s| !s.is_empty())
            .map(SecretString::from)
            .into_iter()
            .collect())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn is_set(secret: &SecretString) -> bool {
        !secret.expose_secret().is_empty()
    }

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(deserialize_with = "list", default)]
        secrets: Vec<SecretString>,
        #[serde(deserialize_with = "optional", default)]
        token: Option<SecretString>,
    }

    #[test]
    fn empty_secrets_are_not_set() {
        let cases: &[(&str, usize, bool)] = &[
            (
                r#"{"secrets": ["", "a", null, "b"], "token": ""}"#,
                2,
                false,
            ),
            (r#"{"secrets": "one", "token": "t"}"#, 1, true),
            (r#"{"secrets": "", "token": null}"#, 0, false),
            (r#"{}"#, 0, false),
        ];
        for (json, count, token) in cases {
            let holder: Holder = serde_json::from_str(json).unwrap();
            assert_eq!(holder.secrets.len(), *count, "{json}");
            assert_eq!(holder.token.is_some(), *token, "{json}");
            assert!(holder.secrets.iter().all(is_set));
        }
    }
}
