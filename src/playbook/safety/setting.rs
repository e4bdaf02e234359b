//! Settings a playbook may change, and the one plain value each may be given.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::lists::{PERSISTENT_SETTINGS, SESSION_SETTINGS, listed};

fn refuse(name: &str, list: &[&str], how: &str) -> Result<(), String> {
    if listed(list, name) {
        Ok(())
    } else {
        Err(format!(
            "setting {name} is not one a playbook may {how}; allowed: {}",
            list.join(", ")
        ))
    }
}

/// A setting `ALTER DATABASE|ROLE ... SET` may persist.
pub fn persistent(name: &str) -> Result<(), String> {
    refuse(name, PERSISTENT_SETTINGS, "set for a database or role")
}

/// A setting a step may `SET` for its own session.
pub fn session(name: &str) -> Result<(), String> {
    refuse(name, SESSION_SETTINGS, "set for its session")
}

/// Exactly one constant: a number (optionally signed), a quoted string (`'...'`
/// or `E'...'`, which `literal()` writes for a backslash), or a word such as
/// `on`, `off`, `true`, `false`. Returns the value itself, as the server reads it.
pub fn one_value(tokens: &[TokenWithSpan]) -> Result<String, String> {
    let t: Vec<&Token> = tokens
        .iter()
        .map(|t| &t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF))
        .collect();
    match t.as_slice() {
        [Token::Number(n, _)] => Ok(n.clone()),
        [Token::SingleQuotedString(v) | Token::EscapedStringLiteral(v)] => Ok(v.clone()),
        [Token::Word(w)] if w.quote_style.is_none() => Ok(w.value.clone()),
        [Token::Minus, Token::Number(n, _)] => Ok(format!("-{n}")),
        _ => {
            Err("a setting's value must be one constant (a number, a quoted string, on/off)".into())
        }
    }
}

/// [`one_value`] over SQL text.
pub fn one_value_text(sql: &str) -> Result<(), String> {
    constant(sql).map(|_| ())
}

/// The value of the one constant `sql` holds (see [`one_value`]), read with
/// the checker's tokenizer when the step is rendered: `'it''s'` is `it's`,
/// `E'6\x34MB'` is `64MB`.
pub fn constant(sql: &str) -> Result<String, String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| format!("cannot read the value: {e}"))?;
    one_value(&tokens)
}
