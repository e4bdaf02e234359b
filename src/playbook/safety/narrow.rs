//! Strict token grammars for the statements sqlparser does not parse as PostgreSQL
//! writes them: `REINDEX`, `VACUUM`, `ANALYZE`, `DROP INDEX`, `ALTER INDEX`,
//! `ALTER DATABASE`, plus clear refusals of `ALTER SYSTEM`, `DO`, `CALL` and `COPY`.
//!
//! They run over sqlparser's own tokenizer (which sees every `;`, comment and quoted
//! name) and accept exactly the listed forms: every token must be consumed, options
//! come from the lists in [`super::lists`], and the object acted on must be the
//! collection's own ([`super::names`]).

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::lists::{self, ANALYZE_OPTIONS, REINDEX_OPTIONS, VACUUM_OPTIONS};
use super::names::{Origins, Part, dotted};
use super::{Facts, Params, Verdict, setting};

struct Cursor<'t> {
    t: &'t [TokenWithSpan],
    i: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<&'t Token> {
        self.t.get(self.i).map(|t| &t.token)
    }

    fn kw(&self, k: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) => w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k),
            _ => false,
        }
    }

    fn eat_kw(&mut self, k: &str) -> bool {
        let hit = self.kw(k);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn eat(&mut self, tok: &Token) -> bool {
        let hit = self.peek() == Some(tok);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn done(&self) -> bool {
        self.i == self.t.len()
    }

    /// `name` or `a.b` (at most `max` parts).
    fn name(&mut self, max: usize) -> Option<Vec<Part>> {
        let mut out = Vec::new();
        loop {
            let t = self.t.get(self.i)?;
            let Token::Word(w) = &t.token else {
                return None;
            };
            out.push(Part {
                name: match w.quote_style {
                    Some(_) => w.value.clone(),
                    None => w.value.to_ascii_lowercase(),
                },
                span: t.span,
            });
            self.i += 1;
            if out.len() == max || !self.eat(&Token::Period) {
                return Some(out);
            }
        }
    }

    /// `( option [value], ... )` with options from `allowed`; `Err` names a bad one.
    fn options(&mut self, allowed: &[&str]) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        if !self.eat(&Token::LParen) {
            return Ok(out);
        }
        loop {
            let Some(Token::Word(w)) = self.peek() else {
                return Err("an option list holds `name [value]` items only".into());
            };
            let opt = w.value.to_ascii_uppercase();
            if opt != "FULL" && !lists::listed(allowed, &opt) {
                return Err(format!("option {opt} is not allowed here"));
            }
            out.push(opt);
            self.i += 1;
            if matches!(
                self.peek(),
                Some(Token::Number(..) | Token::SingleQuotedString(_) | Token::Word(_))
            ) {
                self.i += 1;
            }
            if self.eat(&Token::RParen) {
                return Ok(out);
            }
            if !self.eat(&Token::Comma) {
                return Err("an option list holds `name [value]` items only".into());
            }
        }
    }

    /// `( column, ... )` of plain column names.
    fn columns(&mut self) -> bool {
        if !self.eat(&Token::LParen) {
            return true;
        }
        loop {
            if !matches!(self.peek(), Some(Token::Word(_))) {
                return false;
            }
            self.i += 1;
            if self.eat(&Token::RParen) {
                return true;
            }
            if !self.eat(&Token::Comma) {
                return false;
            }
        }
    }
}

fn word(t: Option<&TokenWithSpan>) -> Option<String> {
    match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

const NOT_TABLE: &str = "names a table that is not the collection's: write {{ ident(table) }}";
pub(super) const NOT_INDEX: &str = "names an index that is not the collection's: write {{ ident(index) }}, {{ ident(invalid_index) }} or {{ ident(schema) }}.{{ ident(<the new index's parameter>) }}";

const VACUUM_FULL: &str = "VACUUM FULL rewrites the whole table under an exclusive lock; \
    use plain VACUUM or rebuild the index";
const DATABASE_RESET_ALL: &str = "ALTER DATABASE ... RESET ALL would drop every setting, \
    not only the playbook's; reset one listed setting";

/// The verdict for the statement families handled here; `None` for the others.
pub fn rules(t: &[TokenWithSpan], o: &Origins<'_>, p: &Params) -> Option<Verdict> {
    let first = word(t.first())?;
    let second = word(t.get(1)).unwrap_or_default();
    let mut c = Cursor { t, i: 1 };
    let fail = |what: &str, why: &str| Some(Err(format!("{what} {why}")));
    match (first.as_str(), second.as_str()) {
        ("ALTER", "SYSTEM") => fail(
            "ALTER SYSTEM",
            "changes the server's configuration for everyone; it is never allowed",
        ),
        ("DO", _) => fail("DO", "runs arbitrary procedural code; it is never allowed"),
        ("CALL", _) => fail("CALL", "runs a procedure; it is never allowed"),
        ("COPY", _) => fail(
            "COPY",
            "reads or writes files and rows (COPY FROM writes user rows); it is never allowed",
        ),
        ("REINDEX", _) => Some(reindex(&mut c, o, p)),
        ("VACUUM", _) | ("ANALYZE", _) | ("ANALYSE", _) => Some(vacuum(&first, &mut c, o)),
        ("DROP", "INDEX") => Some(drop_index(&mut c, o, p)),
        ("ALTER", "INDEX") => Some(alter_index(&mut c, o, p)),
        ("ALTER", "DATABASE") => Some(alter_database(&mut c, o)),
        _ => None,
    }
}

// REINDEX [ ( option, ... ) ] { INDEX | TABLE } [ CONCURRENTLY ] name
fn reindex(c: &mut Cursor<'_>, o: &Origins<'_>, p: &Params) -> Verdict {
    c.options(REINDEX_OPTIONS)
        .map_err(|e| format!("REINDEX: {e}"))?;
    let table = if c.eat_kw("INDEX") {
        false
    } else if c.eat_kw("TABLE") {
        true
    } else {
        return Err(
            "REINDEX is allowed only as REINDEX INDEX or REINDEX TABLE of the collection's own"
                .into(),
        );
    };
    if c.t.len() > c.i + 1 {
        c.eat_kw("CONCURRENTLY");
    }
    let name = c
        .name(2)
        .ok_or("REINDEX is not in the form ruvheal allows")?;
    if !c.done() {
        return Err("REINDEX is not in the form ruvheal allows".into());
    }
    let ok = if table {
        o.is_table(&name)
    } else {
        o.is_index(&name, &|v| p.created(v))
    };
    if !ok {
        return Err(format!(
            "REINDEX {} {}",
            dotted(&name),
            if table { NOT_TABLE } else { NOT_INDEX }
        ));
    }
    Ok(Facts::default())
}

// VACUUM [ ( option, ... ) | FULL/FREEZE/VERBOSE/ANALYZE ... ] name [ ( column, ... ) ]
// ANALYZE [ ( option, ... ) | VERBOSE ] name [ ( column, ... ) ]
fn vacuum(what: &str, c: &mut Cursor<'_>, o: &Origins<'_>) -> Verdict {
    let allowed = if what == "VACUUM" {
        VACUUM_OPTIONS
    } else {
        ANALYZE_OPTIONS
    };
    let mut opts = c.options(allowed).map_err(|e| format!("{what}: {e}"))?;
    let bare: &[&str] = if what == "VACUUM" {
        &["FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE"]
    } else {
        &["VERBOSE"]
    };
    while let Some(w) = word(c.t.get(c.i)) {
        if !bare.contains(&w.as_str()) || c.t.get(c.i + 1).map(|t| &t.token) == Some(&Token::Period)
        {
            break;
        }
        opts.push(w);
        c.i += 1;
    }
    if opts.iter().any(|o| o == "FULL") {
        return Err(VACUUM_FULL.into());
    }
    let Some(name) = c.name(2) else {
        return Err(format!(
            "{what} must name the collection's table: {what} {{{{ ident(table) }}}}"
        ));
    };
    if !c.columns() || !c.done() {
        return Err(format!(
            "{what} is not in the form ruvheal allows (one table, optional column list)"
        ));
    }
    if !o.is_table(&name) {
        return Err(format!("{what} {} {NOT_TABLE}", dotted(&name)));
    }
    Ok(Facts::default())
}

// DROP INDEX [ CONCURRENTLY ] [ IF EXISTS ] name [ RESTRICT ]
fn drop_index(c: &mut Cursor<'_>, o: &Origins<'_>, p: &Params) -> Verdict {
    c.i = 2;
    if c.t.len() > c.i + 1 {
        c.eat_kw("CONCURRENTLY");
    }
    if c.kw("IF") && word(c.t.get(c.i + 1)).as_deref() == Some("EXISTS") && c.t.len() > c.i + 2 {
        c.i += 2;
    }
    let name = c
        .name(2)
        .ok_or("DROP INDEX (one index, no CASCADE) is not in the form ruvheal allows")?;
    c.eat_kw("RESTRICT");
    if !c.done() {
        return Err("DROP INDEX (one index, no CASCADE) is not in the form ruvheal allows".into());
    }
    if !o.is_index(&name, &|v| p.created(v)) {
        return Err(format!("DROP INDEX {} {NOT_INDEX}", dotted(&name)));
    }
    Ok(Facts::default())
}

// ALTER INDEX [ IF EXISTS ] name { RENAME TO new | SET ( option = value, ... ) | RESET ( option, ... ) }
fn alter_index(c: &mut Cursor<'_>, o: &Origins<'_>, p: &Params) -> Verdict {
    c.i = 2;
    if c.kw("IF") && word(c.t.get(c.i + 1)).as_deref() == Some("EXISTS") {
        c.i += 2;
    }
    let bad = || {
        "ALTER INDEX is allowed only as ALTER INDEX name RENAME TO new, SET (...) or RESET (...)"
            .to_string()
    };
    let name = c.name(2).ok_or_else(bad)?;
    if !o.is_index(&name, &|v| p.created(v)) {
        return Err(format!("ALTER INDEX {} {NOT_INDEX}", dotted(&name)));
    }
    let ok = if c.eat_kw("RENAME") {
        c.eat_kw("TO") && c.name(1).is_some()
    } else if c.eat_kw("SET") {
        storage_options(c, true)
    } else if c.eat_kw("RESET") {
        storage_options(c, false)
    } else {
        false
    };
    if ok && c.done() {
        Ok(Facts::default())
    } else {
        Err(bad())
    }
}

/// `( name [= value], ... )` of storage parameters; values are plain constants.
fn storage_options(c: &mut Cursor<'_>, values: bool) -> bool {
    if !c.eat(&Token::LParen) {
        return false;
    }
    loop {
        if c.name(2).is_none() {
            return false;
        }
        if values {
            if !c.eat(&Token::Eq) {
                return false;
            }
            if !matches!(
                c.peek(),
                Some(Token::Number(..) | Token::SingleQuotedString(_) | Token::Word(_))
            ) {
                return false;
            }
            c.i += 1;
        }
        if c.eat(&Token::RParen) {
            return true;
        }
        if !c.eat(&Token::Comma) {
            return false;
        }
    }
}

// ALTER DATABASE name { SET setting { = | TO } value | RESET setting }
fn alter_database(c: &mut Cursor<'_>, o: &Origins<'_>) -> Verdict {
    c.i = 2;
    let bad =
        "ALTER DATABASE (only SET and RESET of a listed setting) is not in the form ruvheal allows";
    let db = c.name(1).ok_or(bad)?;
    if !o.is_database(&db) {
        return Err(format!(
            "ALTER DATABASE {} names a database that is not the collection's: write {{{{ ident(database) }}}}",
            dotted(&db)
        ));
    }
    let set = if c.eat_kw("SET") {
        true
    } else if c.eat_kw("RESET") {
        false
    } else {
        return Err(bad.into());
    };
    if !set && c.kw("ALL") {
        return Err(DATABASE_RESET_ALL.into());
    }
    let name = c.name(2).ok_or(bad)?;
    setting::persistent(&dotted(&name))?;
    if set {
        if !(c.eat(&Token::Eq) || c.eat_kw("TO")) {
            return Err(bad.into());
        }
        setting::one_value(&c.t[c.i..])?;
        c.i = c.t.len();
    }
    if c.done() {
        Ok(Facts::default())
    } else {
        Err(bad.into())
    }
}
