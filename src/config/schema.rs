//! The JSON Schema of the server file and of the repository file, for editors
//! (`# yaml-language-server: $schema=…`) and `forgehand schema`.
//!
//! Nothing here is written by hand: the loader itself is run over an empty document in
//! describe mode ([`Document::describe`]), which records each top-level key it asks for — as a
//! section, a list or a map — and the Rust type it reads there. Each type is then probed (a
//! deserializer that only notes what the type asks for: a struct's field names, an enum's
//! variants, a string, a number…). So the schema names exactly the sections and keys the
//! loader accepts, and a section added to the loader appears here without another edit.
//!
//! Depth: the top level (every section, with its kind) and one level below — a struct
//! section's or list entry's keys (unknown keys refused, as the loader refuses them), an
//! enum's variant names, a scalar's type. The values of those keys are not described further.

use super::document::Document;
use super::spanned::SPANNED_NAME;
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileKind {
    /// The server configuration (`config/forgehand.yml`).
    Server,
    /// A repository's `.forgehand.yml`.
    Repo,
}

/// How the loader reads a top-level key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One value (`doc.section`).
    Section,
    /// A sequence, each entry read on its own (`doc.list`).
    List,
    /// A mapping, each value read on its own (`doc.map`).
    Map,
}

/// What a type asked its deserializer for, as far as the probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Nothing the probe could name (any value).
    Any,
    /// A string (the loader also takes a plain number or boolean as its text).
    Str,
    /// `true` / `false`.
    Bool,
    /// An integer.
    Int,
    /// A number.
    Float,
    /// A sequence of anything.
    Seq,
    /// A mapping of anything.
    Map,
    /// A struct: these keys and no others.
    Struct(&'static [&'static str]),
    /// An enum: a variant's name, or a one-entry mapping from a variant's name to its data.
    Enum(&'static [&'static str]),
}

/// A probed type: its shape and whether it may be left empty (`Option`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// What it is.
    pub shape: Shape,
    /// Whether null is accepted.
    pub nullable: bool,
}

/// One top-level key as the loader reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The key.
    pub key: &'static str,
    /// Section, list or map.
    pub layout: Layout,
    /// The section's type, a list's entry type or a map's value type.
    pub value: Probed,
}

/// What the probe records; the probe always ends in this error once it knows the shape.
#[derive(Debug)]
struct Probe(String);

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Probe {}

impl de::Error for Probe {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Probe(msg.to_string())
    }
}

struct ProbeDe<'a> {
    seen: &'a RefCell<Probed>,
}

impl ProbeDe<'_> {
    fn found<T>(&self, shape: Shape) -> Result<T, Probe> {
        self.seen.borrow_mut().shape = shape;
        Err(Probe("probed".into()))
    }
}

impl<'de> de::Deserializer<'de> for ProbeDe<'_> {
    type Error = Probe;

    fn deserialize_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Any)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Bool)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Int)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Float)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Float)
    }
    fn deserialize_char<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_str<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_string<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Str)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Probe> {
        self.seen.borrow_mut().nullable = true;
        visitor.visit_some(self)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.seen.borrow_mut().nullable = true;
        self.found(Shape::Any)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Probe> {
        self.deserialize_unit(v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Probe> {
        if name == SPANNED_NAME {
            // A positioned value: its content is not reachable without a document.
            return self.found(Shape::Any);
        }
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Seq)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Seq)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        _v: V,
    ) -> Result<V::Value, Probe> {
        self.found(Shape::Seq)
    }
    fn deserialize_map<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Map)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, Probe> {
        self.found(Shape::Struct(fields))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, Probe> {
        self.found(Shape::Enum(variants))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Probe> {
        self.found(Shape::Any)
    }
}

/// What `T` asks its deserializer for first.
pub fn probe<T: DeserializeOwned>() -> Probed {
    let seen = RefCell::new(Probed {
        shape: Shape::Any,
        nullable: false,
    });
    let _ = T::deserialize(ProbeDe { seen: &seen });
    seen.into_inner()
}

/// The top-level keys the loader reads for `kind`, in the order it reads them.
pub fn describe(kind: FileKind) -> Vec<Described> {
    let mut doc = Document::describe();
    match kind {
        FileKind::Server => {
            let _ = super::assemble(&mut doc);
        }
        FileKind::Repo => {
            let _ = super::repo::read(&mut doc);
        }
    }
    doc.described()
}

/// JSON types a YAML scalar of this shape may be written as.
fn scalar_types(shape: &Shape) -> Option<Vec<&'static str>> {
    Some(match shape {
        // The loader reads a plain `4` or `true` as the text of a string field.
        Shape::Str => vec!["string", "number", "boolean"],
        Shape::Bool => vec!["boolean"],
        Shape::Int => vec!["integer"],
        Shape::Float => vec!["number"],
        Shape::Seq => vec!["array"],
        Shape::Map | Shape::Struct(_) => vec!["object"],
        Shape::Any | Shape::Enum(_) => return None,
    })
}

fn with_null(mut types: Vec<&'static str>, nullable: bool) -> Value {
    if nullable {
        types.push("null");
    }
    match types.as_slice() {
        [one] => json!(one),
        _ => json!(types),
    }
}

/// The schema of one probed value.
fn value_schema(value: &Probed) -> Value {
    let mut out = Map::new();
    if let Some(types) = scalar_types(&value.shape) {
        out.insert("type".into(), with_null(types, value.nullable));
    }
    match &value.shape {
        Shape::Struct(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), json!({})))
                .collect();
            out.insert("properties".into(), Value::Object(properties));
            out.insert("additionalProperties".into(), json!(false));
        }
        Shape::Enum(variants) => {
            let mut choices = vec![
                json!({ "type": "string", "enum": variants }),
                json!({
                    "type": "object",
                    "propertyNames": { "enum": variants },
                    "minProperties": 1,
                    "maxProperties": 1
                }),
            ];
            if value.nullable {
                choices.push(json!({ "type": "null" }));
            }
            out.insert("anyOf".into(), Value::Array(choices));
        }
        _ => {}
    }
    Value::Object(out)
}

/// The schema of one top-level key: an absent or empty section means its defaults.
fn section_schema(section: &Described) -> Value {
    match section.layout {
        Layout::Section => {
            let mut value = section.value.clone();
            value.nullable = true;
            value_schema(&value)
        }
        Layout::List => json!({
            "type": ["array", "null"],
            "items": value_schema(&section.value),
        }),
        Layout::Map => json!({
            "type": ["object", "null"],
            "additionalProperties": value_schema(&section.value),
        }),
    }
}

/// The JSON Schema (draft 2020-12) of the file `kind`.
pub fn schema(kind: FileKind) -> Value {
    let (title, description) = match kind {
        FileKind::Server => (
            "forgehand server configuration",
            "The file `forgehand serve` reads (config/forgehand.yml). Generated by `forgehand schema --kind server`.",
        ),
        FileKind::Repo => (
            "forgehand repository configuration",
            "A repository's .forgehand.yml, read from its default branch. Generated by `forgehand schema --kind repo`.",
        ),
    };
    let properties: Map<String, Value> = describe(kind)
        .iter()
        .map(|s| (s.key.to_owned(), section_schema(s)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": description,
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false,
    })
}

/// [`schema`] as the text `forgehand schema` prints and `schema/` ships (ends in a newline).
pub fn schema_text(kind: FileKind) -> String {
    let mut text = serde_json::to_string_pretty(&schema(kind)).expect("a JSON value serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(kind: FileKind) -> Vec<&'static str> {
        describe(kind).iter().map(|s| s.key).collect()
    }

    #[test]
    fn the_server_schema_names_every_section_the_loader_reads() {
        let found = keys(FileKind::Server);
        for key in [
            "server",
            "github",
            "roles",
            "rules",
            "schedules",
            "repos",
            "ui",
        ] {
            assert!(found.contains(&key), "{key} missing from {found:?}");
        }
        let rules = describe(FileKind::Server)
            .into_iter()
            .find(|s| s.key == "rules")
            .unwrap();
        assert_eq!(rules.layout, Layout::List);
        let Shape::Struct(fields) = rules.value.shape else {
            panic!("a rule is a struct: {rules:?}");
        };
        assert!(
            fields.contains(&"id") && fields.contains(&"then"),
            "{fields:?}"
        );
    }

    #[test]
    fn the_repo_schema_leaves_out_the_server_only_sections() {
        let found = keys(FileKind::Repo);
        assert!(
            found.contains(&"extends") && found.contains(&"rules"),
            "{found:?}"
        );
        for key in [
            "server", "github", "gitlab", "roles", "ui", "repos", "limits",
        ] {
            assert!(!found.contains(&key), "{key} in {found:?}");
        }
        let schema = schema(FileKind::Repo);
        assert_eq!(schema["additionalProperties"], json!(false));
        assert!(schema["properties"].get("roles").is_none());
    }

    #[test]
    fn the_probe_sees_options_enums_and_scalars() {
        assert_eq!(
            probe::<Option<String>>(),
            Probed {
                shape: Shape::Str,
                nullable: true
            }
        );
        assert_eq!(probe::<u32>().shape, Shape::Int);
        assert_eq!(probe::<bool>().shape, Shape::Bool);
        let Shape::Enum(variants) = probe::<crate::role::Role>().shape else {
            panic!("a role is an enum");
        };
        assert!(variants.contains(&"maintainer"), "{variants:?}");
    }
}
