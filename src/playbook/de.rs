//! A serde deserializer over the located YAML tree (`locate::Node`), so
//! structural errors carry the position of the node they are about, and each field
//! and each step can be checked on its own: validation reports every structural
//! problem of a file, not just the first.
//!
//! Plain scalars are typed as YAML 1.2's core schema does (`~`/`null`, `true`/`false`,
//! integers, floats); quoted scalars are always text.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::locate::{Kind, Node, Pos};

/// A structural error at a position (the innermost node that knew it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Where, once known.
    pub pos: Option<Pos>,
    /// What.
    pub message: String,
}

impl DeError {
    fn at(mut self, pos: Pos) -> Self {
        self.pos.get_or_insert(pos);
        self
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
            message: msg.to_string(),
        }
    }
}

/// Deserializes `T` from a located node.
pub fn from_node<'de, T: Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    T::deserialize(node).map_err(|e| place(e, node))
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn plain_scalar<'de, V: Visitor<'de>>(s: &'de str, v: V) -> Result<V::Value, DeError> {
    if is_null(s) {
        return v.visit_unit();
    }
    match s {
        "true" | "True" | "TRUE" => return v.visit_bool(true),
        "false" | "False" | "FALSE" => return v.visit_bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return v.visit_i64(i);
    }
    let numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && s.chars().any(|c| c.is_ascii_digit());
    if numeric && let Ok(f) = s.parse::<f64>() {
        return v.visit_f64(f);
    }
    v.visit_borrowed_str(s)
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let r = match &self.kind {
            Kind::Scalar(s, true) => plain_scalar(s, v),
            Kind::Scalar(s, false) => v.visit_borrowed_str(s),
            Kind::Seq(items) => v.visit_seq(Seq(items.iter())),
            Kind::Map(entries) => v
                .visit_map(Map {
                    entries: entries.iter(),
                    value: None,
                })
                .map_err(|e| refine(e, entries)),
        };
        r.map_err(|e| e.at(self.pos))
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            Kind::Scalar(s, _) => v.visit_borrowed_str(s).map_err(|e: DeError| e.at(self.pos)),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            Kind::Scalar(s, true) if is_null(s) => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.kind {
            Kind::Scalar(s, _) => {
                let d: de::value::StrDeserializer<'_, DeError> = s.as_str().into_deserializer();
                v.visit_enum(d).map_err(|e| e.at(self.pos))
            }
            _ => Err(<DeError as de::Error>::custom("expected the name of a variant").at(self.pos)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct ignored_any
    }
}

/// Gives an error without a position the best one `node` knows.
fn place(e: DeError, node: &Node) -> DeError {
    match &node.kind {
        Kind::Map(entries) => refine(e, entries),
        _ => e,
    }
    .at(node.pos)
}

/// Errors raised after serde buffered a map (internally tagged enums) arrive
/// without a position; the key or tag they name is in this very map.
fn refine(mut e: DeError, entries: &[(String, Pos, Node)]) -> DeError {
    if e.pos.is_some() {
        return e;
    }
    let named = |prefix: &str| {
        let rest = e.message.strip_prefix(prefix)?;
        Some(rest[..rest.find('`')?].to_string())
    };
    if let Some(key) = named("unknown field `") {
        e.pos = entries.iter().find(|(k, ..)| *k == key).map(|(_, p, _)| *p);
    } else if let Some(tag) = named("unknown variant `") {
        e.pos = entries
            .iter()
            .find(|(_, _, v)| matches!(&v.kind, Kind::Scalar(s, _) if *s == tag))
            .map(|(_, _, v)| v.pos);
    }
    e
}

struct Seq<'de>(std::slice::Iter<'de, Node>);

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.0.next() {
            Some(n) => seed.deserialize(n).map(Some).map_err(|e| place(e, n)),
            None => Ok(None),
        }
    }
}

struct Map<'de> {
    entries: std::slice::Iter<'de, (String, Pos, Node)>,
    value: Option<&'de Node>,
}

impl<'de> de::MapAccess<'de> for Map<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((k, pos, v)) => {
                self.value = Some(v);
                let d: de::value::StrDeserializer<'_, DeError> = k.as_str().into_deserializer();
                seed.deserialize(d).map(Some).map_err(|e| e.at(*pos))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let v = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("value without a key"))?;
        seed.deserialize(v).map_err(|e| place(e, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::locate::parse;
    use crate::playbook::model::{ParamValue, Step};

    fn node(text: &str) -> Node {
        parse(text).unwrap().remove(0)
    }

    #[test]
    fn scalars_are_typed_like_yaml() {
        let n = node("[1, 2.5, true, x, '7', ~]");
        let v: Vec<Option<ParamValue>> = from_node(&n).unwrap();
        assert_eq!(
            v,
            [
                Some(ParamValue::Int(1)),
                Some(ParamValue::Float(2.5)),
                Some(ParamValue::Bool(true)),
                Some(ParamValue::Str("x".into())),
                Some(ParamValue::Str("7".into())),
                None
            ]
        );
    }

    #[test]
    fn errors_point_at_the_node() {
        let n = node("name: s\ndo:\n  kind: sql\n  sql: x\n  transaction: maybe\n");
        let e = from_node::<Step>(&n).unwrap_err();
        assert!(e.message.contains("invalid type"), "{e}");
        let n = node("name: s\ncolour: red\ndo: {kind: check, detector: x}\n");
        let e = from_node::<Step>(&n).unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 2, column: 1 }), "{e}");
        assert!(e.message.contains("unknown field `colour`"), "{e}");
    }
}
