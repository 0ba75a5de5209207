//! The serde access types the node deserializer hands to visitors: sequences, mappings
//! (skipping keys already reported as unknown or repeated), enums and `Spanned` positions.

use super::super::yaml::{index_path, key_path, Node};
use super::{placer, DeError, NodeDe, Sink};
use serde::de::{self, IntoDeserializer, Visitor};

pub(super) struct SeqDe<'de> {
    pub(super) items: std::iter::Enumerate<std::slice::Iter<'de, Node>>,
    pub(super) path: String,
    pub(super) sink: &'de Sink,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'de> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let path = index_path(&self.path, i);
        let place = placer(item.pos, path.clone());
        seed.deserialize(NodeDe::new(item, path, self.sink))
            .map(Some)
            .map_err(place)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

pub(super) struct MapDe<'de> {
    pub(super) entries: std::slice::Iter<'de, (Node, Node)>,
    /// A struct's fields: keys outside them were already reported and are skipped.
    pub(super) fields: Option<&'static [&'static str]>,
    pub(super) value: Option<(&'de Node, &'de Node)>,
    pub(super) seen: Vec<&'de str>,
    pub(super) path: String,
    pub(super) sink: &'de Sink,
}

impl<'de> de::MapAccess<'de> for MapDe<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (key, value) in self.entries.by_ref() {
            let name = key.scalar();
            if let (Some(fields), Some(name)) = (self.fields, name) {
                if !fields.contains(&name) {
                    continue;
                }
            }
            // A repeated key was reported when the document was read; the first one counts.
            if name.is_some_and(|name| self.seen.contains(&name)) {
                continue;
            }
            self.seen.extend(name);
            self.value = Some((key, value));
            let de = NodeDe::new(key, self.path.clone(), self.sink);
            return seed.deserialize(de).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let (key, value) = self.value.take().expect("next_value before next_key");
        let path = key_path(&self.path, key.scalar().unwrap_or("?"));
        let place = placer(value.pos, path.clone());
        seed.deserialize(NodeDe::new(value, path, self.sink))
            .map_err(place)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

pub(super) struct EnumDe<'de> {
    pub(super) variant: &'de Node,
    pub(super) value: Option<&'de Node>,
    pub(super) path: String,
    pub(super) sink: &'de Sink,
}

impl<'de> de::EnumAccess<'de> for EnumDe<'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), DeError> {
        let de = NodeDe::new(self.variant, self.path.clone(), self.sink);
        let variant = seed.deserialize(de)?;
        Ok((variant, self))
    }
}

impl<'de> EnumDe<'de> {
    fn content(&self, expected: &str) -> Result<NodeDe<'de>, DeError> {
        match self.value {
            Some(node) => Ok(NodeDe::new(node, self.path.clone(), self.sink)),
            None => Err(DeError {
                pos: Some(self.variant.pos),
                path: self.path.clone(),
                message: format!(
                    "expected {expected} under `{}:`",
                    self.variant.scalar().unwrap_or("?")
                ),
            }),
        }
    }
}

impl<'de> de::VariantAccess<'de> for EnumDe<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some(node) => de::Deserialize::deserialize(NodeDe::new(node, self.path, self.sink)),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DeError> {
        seed.deserialize(self.content("a value")?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self.content("a sequence")?, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_struct(self.content("a mapping")?, "", fields, visitor)
    }
}

/// Feeds a `Spanned` its position, path and value as a three-entry map.
pub(super) struct SpannedDe<'de> {
    pub(super) node: Option<&'de Node>,
    pub(super) path: String,
    pub(super) step: u8,
    pub(super) sink: &'de Sink,
}

impl<'de> de::MapAccess<'de> for SpannedDe<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let key = match self.step {
            0 => "line",
            1 => "column",
            2 => "path",
            3 => "value",
            _ => return Ok(None),
        };
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let node = self.node.expect("spanned node");
        self.step += 1;
        match self.step {
            1 => seed.deserialize((node.pos.line as u64).into_deserializer()),
            2 => seed.deserialize((node.pos.column as u64).into_deserializer()),
            3 => seed.deserialize(self.path.clone().into_deserializer()),
            _ => seed.deserialize(NodeDe::new(node, self.path.clone(), self.sink)),
        }
    }
}
