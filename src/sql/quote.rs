//! SQL quoting: the one place where identifiers and literals become SQL text.
//!
//! Every identifier and every literal that ruvheal splices into a SQL string goes
//! through [`ident`], [`QualifiedName`] or [`literal`]. Values that can travel as bind
//! parameters (`$1`) should do so instead; quoting is for the places PostgreSQL does
//! not accept parameters (DDL, `SET`, `COPY`, identifiers).
//!
//! Identifiers are always double-quoted, so case, spaces, dots, quotes, keywords and
//! unicode survive exactly. Literals use the `E'...'` form when they contain a
//! backslash, so they mean the same under either `standard_conforming_strings`.
//! PostgreSQL text cannot hold a NUL byte; such input is rejected, never truncated.

use std::fmt;

/// An identifier or literal that cannot be represented in PostgreSQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteError(pub String);

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for QuoteError {}

fn reject_nul(kind: &str, s: &str) -> Result<(), QuoteError> {
    if s.contains('\0') {
        return Err(QuoteError(format!(
            "{kind} contains a NUL byte, which PostgreSQL cannot store"
        )));
    }
    Ok(())
}

/// Quotes one identifier (`my "x"` -> `"my ""x"""`).
///
/// Fails only on a NUL byte. Identifiers longer than PostgreSQL's 63-byte limit
/// are rejected too, since the server would silently truncate them and could then
/// name a different object.
pub fn ident(name: &str) -> Result<String, QuoteError> {
    reject_nul("identifier", name)?;
    if name.is_empty() {
        return Err(QuoteError("identifier is empty".into()));
    }
    if name.len() > MAX_IDENT_BYTES {
        return Err(QuoteError(format!(
            "identifier is {} bytes long; PostgreSQL allows at most {MAX_IDENT_BYTES}",
            name.len()
        )));
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    Ok(out)
}

/// PostgreSQL's NAMEDATALEN - 1.
pub const MAX_IDENT_BYTES: usize = 63;

/// Quotes a string literal (`it's` -> `'it''s'`, `a\b` -> `E'a\\b'`).
pub fn literal(value: &str) -> Result<String, QuoteError> {
    reject_nul("literal", value)?;
    let escape = value.contains('\\');
    let mut out = String::with_capacity(value.len() + 3);
    if escape {
        out.push('E');
    }
    out.push('\'');
    for ch in value.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(ch),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A schema-qualified object name, rendered as `"schema"."name"`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct QualifiedName {
    /// The schema (namespace) the object lives in.
    pub schema: String,
    /// The object's own name.
    pub name: String,
}

impl QualifiedName {
    /// Builds a qualified name from its two parts.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// The quoted SQL form, `"schema"."name"`.
    pub fn sql(&self) -> Result<String, QuoteError> {
        Ok(format!("{}.{}", ident(&self.schema)?, ident(&self.name)?))
    }
}

impl fmt::Display for QualifiedName {
    /// The human form, `schema.name`, quoting a part only where needed to read it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            display_part(&self.schema),
            display_part(&self.name)
        )
    }
}

fn display_part(part: &str) -> String {
    let plain = !part.is_empty()
        && part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        part.to_string()
    } else {
        format!("\"{}\"", part.replace('"', "\"\""))
    }
}

/// Splits a user-typed name (`table`, `schema.table`, `"My Schema"."t.x"`) into
/// its optional schema and its name, following PostgreSQL's rules: double quotes
/// keep text exactly (`""` is one quote); unquoted text is kept as typed (the
/// caller decides whether to fold case; see [`fold_name`]).
pub fn split_name(input: &str) -> Result<(Option<String>, String), QuoteError> {
    split(input, false)
}

/// [`split_name`] with PostgreSQL's case folding: unquoted letters fold to lower
/// case (ASCII, as the server does for UTF-8 databases), quoted text is kept
/// exactly. `DOCS` and `docs` name `docs`; only `"DOCS"` names `"DOCS"`.
pub fn fold_name(input: &str) -> Result<(Option<String>, String), QuoteError> {
    split(input, true)
}

fn split(input: &str, fold: bool) -> Result<(Option<String>, String), QuoteError> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = input.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => cur.push(c),
            (false, '"') => in_quotes = true,
            (false, '.') => parts.push(std::mem::take(&mut cur)),
            (false, c) if fold => cur.push(c.to_ascii_lowercase()),
            (false, c) => cur.push(c),
        }
    }
    if in_quotes {
        return Err(QuoteError(format!("unterminated quote in name {input:?}")));
    }
    parts.push(cur);
    if parts.iter().any(|p| p.is_empty()) {
        return Err(QuoteError(format!("empty part in name {input:?}")));
    }
    for p in &parts {
        reject_nul("name", p)?;
    }
    match parts.len() {
        1 => Ok((None, parts.remove(0))),
        2 => {
            let name = parts.remove(1);
            Ok((Some(parts.remove(0)), name))
        }
        _ => Err(QuoteError(format!(
            "name {input:?} has more than two dot-separated parts; use table or schema.table"
        ))),
    }
}

/// A configuration parameter (GUC) name as the server reads it: ASCII letters
/// folded to lower case (setting names are case-insensitive), each dotted part
/// a plain identifier (`[a-z_][a-z0-9_]*`). `Maintenance_Work_Mem` and
/// `maintenance_work_mem` are one setting; `a;b`, `x = 1`, `a..b` are none.
pub fn setting_key(name: &str) -> Result<String, QuoteError> {
    let folded = name.to_ascii_lowercase();
    let ok = !folded.is_empty()
        && folded.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if ok {
        Ok(folded)
    } else {
        Err(QuoteError(format!("{name:?} is not a setting name")))
    }
}

/// A setting name rendered as SQL, the one quoter of setting names: folded as
/// [`setting_key`], then each dotted part quoted (`hnsw.ef_search` ->
/// `"hnsw"."ef_search"`), which PostgreSQL reads back as the same name.
pub fn setting_name(name: &str) -> Result<String, QuoteError> {
    let key = setting_key(name)?;
    Ok(key
        .split('.')
        .map(ident)
        .collect::<Result<Vec<_>, _>>()?
        .join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_are_always_quoted_and_escaped() {
        let cases = [
            ("embeddings", r#""embeddings""#),
            ("Mixed Case", r#""Mixed Case""#),
            (r#"a"b"#, r#""a""b""#),
            (r#"x"; drop table y; --"#, r#""x""; drop table y; --""#),
            ("naïve_向量", "\"naïve_向量\""),
            ("select", r#""select""#),
        ];
        for (input, want) in cases {
            assert_eq!(ident(input).unwrap(), want, "input {input:?}");
        }
    }

    #[test]
    fn ident_rejects_nul_empty_and_overlong() {
        assert!(ident("a\0b").is_err());
        assert!(ident("").is_err());
        assert!(ident(&"x".repeat(64)).is_err());
        assert!(ident(&"x".repeat(63)).is_ok());
    }

    #[test]
    fn literals_double_quotes_and_escape_backslashes() {
        assert_eq!(literal("plain").unwrap(), "'plain'");
        assert_eq!(literal("it's").unwrap(), "'it''s'");
        assert_eq!(literal(r"a\b").unwrap(), r"E'a\\b'");
        assert_eq!(literal(r"\'; drop").unwrap(), r"E'\\''; drop'");
        assert!(literal("nul\0").is_err());
    }

    #[test]
    fn qualified_names_render_both_ways() {
        let q = QualifiedName::new("My Schema", "t\"x");
        assert_eq!(q.sql().unwrap(), r#""My Schema"."t""x""#);
        assert_eq!(q.to_string(), r#""My Schema"."t""x""#);
        assert_eq!(
            QualifiedName::new("public", "emb").to_string(),
            "public.emb"
        );
    }

    #[test]
    fn split_name_follows_postgres_quoting() {
        let ok = |s: &str| split_name(s).unwrap();
        assert_eq!(ok("t"), (None, "t".into()));
        assert_eq!(ok("s.t"), (Some("s".into()), "t".into()));
        assert_eq!(ok(r#""My.S"."a""b""#), (Some("My.S".into()), "a\"b".into()));
        assert!(split_name("a.b.c").is_err());
        assert!(split_name("\"open").is_err());
        assert!(split_name("s.").is_err());
        // hostile text is refused before anything is looked up or executed
        assert!(split_name(r#"x"; drop table y; --"#).is_err());
        assert_eq!(
            ok(r#""x""; drop table y; --""#).1,
            r#"x"; drop table y; --"#
        );
    }

    #[test]
    fn fold_name_folds_only_what_is_unquoted() {
        let ok = |s: &str| fold_name(s).unwrap();
        assert_eq!(ok("DOCS"), (None, "docs".into()));
        assert_eq!(ok(r#""DOCS""#), (None, "DOCS".into()));
        assert_eq!(
            ok(r#"Public."DOCS""#),
            (Some("public".into()), "DOCS".into())
        );
        assert_eq!(ok(r#""My S".Docs"#), (Some("My S".into()), "docs".into()));
        // only ASCII folds, as in a UTF-8 database
        assert_eq!(ok("ÉTÉ"), (None, "ÉtÉ".into()));
        assert_eq!(split_name("DOCS").unwrap(), (None, "DOCS".into()));
        assert!(fold_name("a.b.c").is_err());
    }

    #[test]
    fn setting_names_fold_like_the_server_and_are_quoted_per_part() {
        assert_eq!(
            setting_name("maintenance_work_mem").unwrap(),
            "\"maintenance_work_mem\""
        );
        assert_eq!(
            setting_name("hnsw.ef_search").unwrap(),
            "\"hnsw\".\"ef_search\""
        );
        // GUC names are case-insensitive: upper case folds, never reaches SQL as is
        assert_eq!(
            setting_name("HNSW.Ef_Search").unwrap(),
            "\"hnsw\".\"ef_search\""
        );
        assert_eq!(setting_key("Work_Mem").unwrap(), "work_mem");
        for bad in [
            "", "a;b", "x = 1", "a..b", "1abc", "a\"b", ".a", "a.", "a-b", "ä", "a\0",
        ] {
            assert!(setting_name(bad).is_err(), "{bad:?}");
            assert!(setting_key(bad).is_err(), "{bad:?}");
        }
    }
}
