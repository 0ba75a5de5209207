//! Serde helper: deserialize a raw map and validate it while the deserializer still knows
//! where that map is, so validation errors carry a line and column (the configuration loader
//! places them at the map).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, value::MapAccessDeserializer, Deserialize, Deserializer, MapAccess};

/// Deserializes a map as `R`, then converts it with `T::try_from`, reporting a failed
/// conversion as an error at the map's position.
pub(crate) fn validated_map<'de, D, R, T>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    R: Deserialize<'de>,
    T: TryFrom<R>,
    T::Error: fmt::Display,
{
    deserializer.deserialize_map(ValidatedMap::<R, T> {
        expecting,
        marker: PhantomData,
    })
}

struct ValidatedMap<R, T> {
    expecting: &'static str,
    marker: PhantomData<fn(R) -> T>,
}

impl<'de, R, T> de::Visitor<'de> for ValidatedMap<R, T>
where
    R: Deserialize<'de>,
    T: TryFrom<R>,
    T::Error: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let raw = R::deserialize(MapAccessDeserializer::new(map))?;
        T::try_from(raw).map_err(de::Error::custom)
    }
}
