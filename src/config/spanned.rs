//! `Spanned<T>`: a configuration value together with where it was written, for checks that
//! can only run after loading (cross-references between sections) and still need line:col.

use super::error::Pos;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// The newtype name the configuration deserializer recognises to hand out positions.
pub(crate) const SPANNED_NAME: &str = "$forgehand::config::Spanned";

/// A value and the position and dotted path of the node it came from. Deserializers other
/// than the configuration loader's give position 0:0 and an empty path.
#[derive(Clone, Default)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where its node starts.
    pub pos: Pos,
    /// Its dotted path, e.g. `rules[2].if.title`.
    pub path: String,
}

impl<T> Spanned<T> {
    /// A value with an explicit position (for tests and synthesised values).
    pub fn new(value: T, pos: Pos, path: impl Into<String>) -> Spanned<T> {
        Spanned {
            value,
            pos,
            path: path.into(),
        }
    }

    /// The value, without its position.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    /// Compares the values only.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(SPANNED_NAME, SpannedVisitor(PhantomData))
    }
}

struct SpannedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Spanned<T>, D::Error> {
        T::deserialize(d).map(|value| Spanned::new(value, Pos::default(), ""))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
        let mut spanned = Spanned {
            value: None,
            pos: Pos::default(),
            path: String::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "line" => spanned.pos.line = map.next_value::<u64>()? as usize,
                "column" => spanned.pos.column = map.next_value::<u64>()? as usize,
                "path" => spanned.path = map.next_value()?,
                "value" => spanned.value = Some(map.next_value()?),
                other => return Err(de::Error::unknown_field(other, &["value"])),
            }
        }
        let value = spanned
            .value
            .ok_or_else(|| de::Error::missing_field("value"))?;
        Ok(Spanned::new(value, spanned.pos, spanned.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_deserializers_give_no_position() {
        let value: Spanned<u32> = serde_json::from_str("7").unwrap();
        assert_eq!(*value, 7);
        assert_eq!(value.pos, Pos::default());
    }
}
