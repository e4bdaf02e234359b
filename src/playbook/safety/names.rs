//! Which names in a statement are the collection's own.
//!
//! The validator renders a step with placeholder values and keeps, for every
//! `{{ func(var) }}`, the byte range its text landed in ([`Placed`]). A name in the
//! parsed statement counts as the collection's table or index only when its parts
//! lie inside those ranges, so a name written into the playbook (`canary`,
//! `"s"."t"` typed by hand) never passes for the collection's, whatever it spells.

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};
use sqlparser::tokenizer::{Location, Span};

use crate::playbook::render::Placed;
use crate::playbook::template::Func;

/// The rendered text and where its placeholders are.
pub struct Origins<'a> {
    sql: &'a str,
    line_starts: Vec<usize>,
    placed: &'a [Placed],
}

/// One part of a dotted name: its folded text and where it is.
#[derive(Debug, Clone)]
pub struct Part {
    /// The name as PostgreSQL reads it (unquoted parts folded to lower case).
    pub name: String,
    /// Where it is in the statement.
    pub span: Span,
}

impl Part {
    /// A part from a sqlparser identifier.
    pub fn of(id: &Ident) -> Part {
        Part {
            name: fold(id),
            span: id.span,
        }
    }
}

/// The parts of an object name; `None` if a part is not a plain identifier.
pub fn parts(name: &ObjectName) -> Option<Vec<Part>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => Some(Part::of(id)),
            ObjectNamePart::Function(_) => None,
        })
        .collect()
}

/// An identifier as PostgreSQL reads it: quoted exactly, unquoted folded to lower case.
pub fn fold(id: &Ident) -> String {
    match id.quote_style {
        Some(_) => id.value.clone(),
        None => id.value.to_ascii_lowercase(),
    }
}

/// `schema.name` of folded parts, for messages and list look-ups.
pub fn dotted(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

const INDEXES: &[&str] = &["index", "invalid_index"];
const INDEX_NAMES: &[&str] = &["index_name", "invalid_index_name"];
const OPCLASSES: &[&str] = &["opclass", "invalid_opclass"];

impl<'a> Origins<'a> {
    /// Origins of `sql` with `placed` from [`crate::playbook::render::fill_traced`].
    pub fn new(sql: &'a str, placed: &'a [Placed]) -> Self {
        let line_starts = std::iter::once(0)
            .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Origins {
            sql,
            line_starts,
            placed,
        }
    }

    fn offset(&self, at: Location) -> Option<usize> {
        let line = usize::try_from(at.line).ok()?.checked_sub(1)?;
        let col = usize::try_from(at.column).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(line)?;
        let text = &self.sql[start..];
        match text.char_indices().nth(col) {
            Some((i, _)) => Some(start + i),
            None if text.chars().count() == col => Some(self.sql.len()),
            None => None,
        }
    }

    /// The placeholder whose text holds all of `span`, if any.
    pub fn placed(&self, span: Span) -> Option<&'a Placed> {
        let (a, b) = (self.offset(span.start)?, self.offset(span.end)?);
        self.placed
            .iter()
            .find(|p| p.start <= a && b <= p.end && a < b)
    }

    /// The variable of the `{{ ident(var) }}` that produced `part`, if one did.
    fn ident_var(&self, part: &Part) -> Option<&'a str> {
        self.placed(part.span)
            .filter(|p| p.func == Func::Ident)
            .map(|p| p.var.as_str())
    }

    /// Whether every part came from one `{{ ident(var) }}` with `var` in `vars`.
    fn whole(&self, parts: &[Part], vars: &[&str]) -> bool {
        let Some(first) = parts.first().and_then(|p| self.placed(p.span)) else {
            return false;
        };
        first.func == Func::Ident
            && vars.contains(&first.var.as_str())
            && parts
                .iter()
                .all(|p| self.placed(p.span).is_some_and(|q| std::ptr::eq(q, first)))
    }

    /// `{{ ident(schema) }}.{{ ident(x) }}` with `second(x)`.
    fn in_schema(&self, parts: &[Part], second: impl Fn(&str) -> bool) -> bool {
        match parts {
            [s, n] => self.ident_var(s) == Some("schema") && self.ident_var(n).is_some_and(second),
            _ => false,
        }
    }

    /// The collection's table: `{{ ident(table) }}` or
    /// `{{ ident(schema) }}.{{ ident(table_name) }}`.
    pub fn is_table(&self, parts: &[Part]) -> bool {
        self.whole(parts, &["table"]) || self.in_schema(parts, |v| v == "table_name")
    }

    /// One of the collection's indexes: `{{ ident(index) }}`, `{{ ident(invalid_index) }}`,
    /// or `{{ ident(schema) }}.{{ ident(x) }}` with `x` an index-name built-in or an
    /// `identifier` parameter (a new index the playbook builds).
    pub fn is_index(&self, parts: &[Part], is_param: &dyn Fn(&str) -> bool) -> bool {
        self.whole(parts, INDEXES)
            || self.in_schema(parts, |v| INDEX_NAMES.contains(&v) || is_param(v))
    }

    /// The unqualified name of an index `CREATE INDEX` builds (it lands in the
    /// table's schema): an index-name built-in or an `identifier` parameter.
    pub fn is_new_index(&self, parts: &[Part], is_param: &dyn Fn(&str) -> bool) -> bool {
        match parts {
            [one] => self
                .ident_var(one)
                .is_some_and(|v| INDEX_NAMES.contains(&v) || is_param(v)),
            _ => false,
        }
    }

    /// The collection's database: `{{ ident(database) }}`.
    pub fn is_database(&self, parts: &[Part]) -> bool {
        matches!(parts, [one] if self.ident_var(one) == Some("database"))
    }

    /// A role named by an `identifier` parameter (`{{ ident(writer_role) }}`).
    pub fn is_role(&self, parts: &[Part], is_param: &dyn Fn(&str) -> bool) -> bool {
        matches!(parts, [one] if self.ident_var(one).is_some_and(is_param))
    }

    /// An operator class: `{{ ident(opclass) }}` / `{{ ident(invalid_opclass) }}`, or
    /// `{{ schema_of(vector) }}.name` (pgvector's or RuVector's schema).
    pub fn is_opclass(&self, parts: &[Part]) -> bool {
        if self.whole(parts, OPCLASSES) {
            return true;
        }
        match parts {
            [s, n] => {
                self.extension(s)
                    .is_some_and(|e| super::lists::listed(super::lists::OPCLASS_EXTENSIONS, e))
                    && self.placed(n.span).is_none_or(|p| p.func == Func::Ident)
            }
            _ => false,
        }
    }

    /// The extension whose `{{ schema_of(ext) }}` produced `part`.
    pub fn extension(&self, part: &Part) -> Option<&'a str> {
        self.placed(part.span)
            .filter(|p| p.func == Func::SchemaOf)
            .map(|p| p.var.as_str())
    }

    /// Whether any part came from a placeholder.
    pub fn any_placed(&self, parts: &[Part]) -> bool {
        parts.iter().any(|p| self.placed(p.span).is_some())
    }

    /// The variable of the `{{ literal(var) }}` that produced the string at `span`.
    pub fn literal_var(&self, span: Span) -> Option<&'a str> {
        self.placed(span)
            .filter(|p| p.func == Func::Literal)
            .map(|p| p.var.as_str())
    }
}
