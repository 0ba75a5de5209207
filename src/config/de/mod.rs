//! A serde `Deserializer` over [`Node`]s: plain scalars are typed as YAML would type them
//! (so an expanded `${WORKERS:-4}` is a number), every error carries the position and path of
//! the node it concerns, and unknown struct fields are all collected rather than only the first.

mod access;
mod scalar;

use access::{EnumDe, MapDe, SeqDe, SpannedDe};

pub use scalar::{resolve, Resolved};

use super::error::{Issue, Pos};
use super::spanned::SPANNED_NAME;
use super::yaml::{key_path, Node, NodeKind};
use serde::de::{self, Unexpected, Visitor};
use std::cell::RefCell;
use std::fmt;

/// A deserialization error; the position and path are filled in by the innermost node that
/// saw the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Where, once known.
    pub pos: Option<Pos>,
    /// The node's dotted path, once known.
    pub path: String,
    /// serde's or a validating type's message.
    pub message: String,
}

impl DeError {
    /// Turns the error into an issue, placing it at the node `pos`, `path` when it has no
    /// position of its own.
    pub fn into_issue(self, pos: Pos, path: String) -> Issue {
        let DeError {
            pos: own,
            path: own_path,
            message,
        } = self;
        match own {
            Some(own) => Issue::new(own, own_path, message),
            None => Issue::new(pos, path, message),
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            pos: None,
            path: String::new(),
            message: msg.to_string(),
        }
    }
}

/// Gives an error that has no position yet the position and path of a node.
pub(super) fn placer(pos: Pos, path: String) -> impl FnOnce(DeError) -> DeError {
    move |mut error| {
        if error.pos.is_none() {
            error.pos = Some(pos);
            error.path = path;
        }
        error
    }
}

/// Collects the problems found while deserializing that do not stop it (unknown fields).
pub type Sink = RefCell<Vec<Issue>>;

/// Deserializes one node; `path` is its dotted path, `sink` gathers non-fatal issues.
pub struct NodeDe<'de> {
    node: &'de Node,
    path: String,
    sink: &'de Sink,
}

impl<'de> NodeDe<'de> {
    /// A deserializer for `node` at `path`.
    pub fn new(node: &'de Node, path: String, sink: &'de Sink) -> Self {
        NodeDe { node, path, sink }
    }

    fn place(&self, error: DeError) -> DeError {
        placer(self.node.pos, self.path.clone())(error)
    }

    fn unexpected(&self) -> Unexpected<'de> {
        match &self.node.kind {
            NodeKind::Scalar(text, style) => match resolve(text, *style) {
                Resolved::Null => Unexpected::Unit,
                Resolved::Bool(b) => Unexpected::Bool(b),
                Resolved::Int(n) => Unexpected::Signed(n),
                Resolved::UInt(n) => Unexpected::Unsigned(n),
                Resolved::Float(f) => Unexpected::Float(f),
                Resolved::Str(s) => Unexpected::Str(s),
            },
            NodeKind::Seq(_) => Unexpected::Seq,
            NodeKind::Map(_) => Unexpected::Map,
        }
    }

    fn invalid<V: Visitor<'de>, T>(&self, visitor: &V) -> Result<T, DeError> {
        Err(self.place(de::Error::invalid_type(self.unexpected(), visitor)))
    }

    fn unknown_fields(&self, entries: &[(Node, Node)], fields: &'static [&'static str]) {
        let expected = match fields {
            [] => "there are no fields".to_owned(),
            [one] => format!("expected `{one}`"),
            many => format!(
                "expected one of {}",
                many.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut sink = self.sink.borrow_mut();
        for (key, _) in entries {
            if let Some(name) = key.scalar().filter(|name| !fields.contains(name)) {
                let message = format!("unknown field `{name}`, {expected}");
                sink.push(Issue::new(key.pos, self.path.clone(), message));
            }
        }
    }

    fn map_access(&self, fields: Option<&'static [&'static str]>) -> MapDe<'de> {
        let entries: &'de [(Node, Node)] = match &self.node.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        };
        MapDe {
            entries: entries.iter(),
            fields,
            value: None,
            seen: Vec::new(),
            path: self.path.clone(),
            sink: self.sink,
        }
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.kind {
            NodeKind::Scalar(text, style) => match resolve(text, *style) {
                Resolved::Null => visitor.visit_unit(),
                Resolved::Bool(b) => visitor.visit_bool(b),
                Resolved::Int(n) => visitor.visit_i64(n),
                Resolved::UInt(n) => visitor.visit_u64(n),
                Resolved::Float(f) => visitor.visit_f64(f),
                Resolved::Str(_) => visitor.visit_borrowed_str(text),
            },
            NodeKind::Seq(_) => return self.deserialize_seq(visitor),
            NodeKind::Map(_) => return self.deserialize_map(visitor),
        };
        result.map_err(|e| self.place(e))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Scalar(text, style) if resolve(text, *style) != Resolved::Null => {
                visitor.visit_borrowed_str(text).map_err(|e| self.place(e))
            }
            _ => self.invalid(&visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none().map_err(|e| self.place(e))
        } else {
            let place = placer(self.node.pos, self.path.clone());
            visitor.visit_some(self).map_err(place)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_unit().map_err(|e| self.place(e))
        } else {
            self.invalid(&visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED_NAME {
            let access = SpannedDe {
                node: Some(self.node),
                path: self.path.clone(),
                step: 0,
                sink: self.sink,
            };
            return visitor.visit_map(access).map_err(|e| self.place(e));
        }
        let place = placer(self.node.pos, self.path.clone());
        visitor.visit_newtype_struct(self).map_err(place)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let items: &'de [Node] = match &self.node.kind {
            NodeKind::Seq(items) => items,
            _ if self.node.is_null() => &[],
            _ => return self.invalid(&visitor),
        };
        let access = SeqDe {
            items: items.iter().enumerate(),
            path: self.path.clone(),
            sink: self.sink,
        };
        visitor.visit_seq(access).map_err(|e| self.place(e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !matches!(self.node.kind, NodeKind::Map(_)) && !self.node.is_null() {
            return self.invalid(&visitor);
        }
        visitor
            .visit_map(self.map_access(None))
            .map_err(|e| self.place(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Map(entries) => self.unknown_fields(entries, fields),
            _ if self.node.is_null() => {}
            _ => return self.invalid(&visitor),
        }
        visitor
            .visit_map(self.map_access(Some(fields)))
            .map_err(|e| self.place(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let access = match &self.node.kind {
            NodeKind::Scalar(..) if !self.node.is_null() => EnumDe {
                variant: self.node,
                value: None,
                path: self.path.clone(),
                sink: self.sink,
            },
            NodeKind::Map(entries) if entries.len() == 1 => EnumDe {
                variant: &entries[0].0,
                value: Some(&entries[0].1),
                path: key_path(&self.path, entries[0].0.scalar().unwrap_or("?")),
                sink: self.sink,
            },
            _ => return self.invalid(&visitor),
        };
        visitor.visit_enum(access).map_err(|e| self.place(e))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64
    }
}
