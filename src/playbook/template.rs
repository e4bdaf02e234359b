//! The template language: the only way values reach SQL text.
//!
//! Text outside `{{ }}` is the playbook author's SQL, copied verbatim. Inside,
//! exactly one call of one quoting function on one variable is allowed:
//!
//! | call | renders | for |
//! |---|---|---|
//! | `{{ ident(x) }}` | `"x"`, or `"schema"."name"` for `table` and `index` | names (built-ins, `identifier` params) |
//! | `{{ literal(x) }}` | `'text'` (quoted by [`crate::sql::quote::literal`]) | any variable |
//! | `{{ number(x) }}` | `16`, `0.5` | `int` and `float` params |
//! | `{{ schema_of(ext) }}` | `"public"`: the schema extension `ext` is installed in | qualifying extension functions and operator classes |
//!
//! A bare `{{ x }}`, an unknown function, an expression or an unclosed `{{` is an
//! error: there is no way to splice raw text.

/// A quoting function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Identifier quoting (`QualifiedName` for qualified variables).
    Ident,
    /// Literal quoting.
    Literal,
    /// A finite number, printed by Rust.
    Number,
    /// The quoted schema of the installed extension named by the argument (read
    /// from the catalog when the plan is made), e.g. `{{ schema_of(pg_prewarm) }}`.
    SchemaOf,
}

impl Func {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Func::Ident => "ident",
            Func::Literal => "literal",
            Func::Number => "number",
            Func::SchemaOf => "schema_of",
        }
    }
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Author-written text.
    Text(String),
    /// `{{ func(var) }}`, at byte `offset` of the template.
    Call {
        /// The quoting function.
        func: Func,
        /// The variable.
        var: String,
        /// Byte offset of the `{{`.
        offset: usize,
    },
}

/// A template error at a byte offset of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset of the offending `{{`.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a template into text and calls.
pub fn parse(template: &str) -> Result<Vec<Segment>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(found) = template[rest..].find("{{") {
        let start = rest + found;
        if start > rest {
            out.push(Segment::Text(template[rest..start].to_string()));
        }
        let Some(len) = template[start + 2..].find("}}") else {
            return Err(TemplateError {
                offset: start,
                message: "`{{` is never closed with `}}`".into(),
            });
        };
        let inner = &template[start + 2..start + 2 + len];
        let (func, var) = parse_call(inner).map_err(|message| TemplateError {
            offset: start,
            message,
        })?;
        out.push(Segment::Call {
            func,
            var,
            offset: start,
        });
        rest = start + 2 + len + 2;
    }
    if rest < template.len() {
        out.push(Segment::Text(template[rest..].to_string()));
    }
    Ok(out)
}

fn parse_call(inner: &str) -> Result<(Func, String), String> {
    let text = inner.trim();
    let help =
        "write {{ ident(x) }}, {{ literal(x) }}, {{ number(x) }} or {{ schema_of(extension) }}";
    let Some(open) = text.find('(') else {
        return Err(format!(
            "`{{{{ {text} }}}}` would splice raw text into SQL; {help}"
        ));
    };
    let func = match text[..open].trim() {
        "ident" => Func::Ident,
        "literal" => Func::Literal,
        "number" => Func::Number,
        "schema_of" => Func::SchemaOf,
        other => return Err(format!("unknown template function {other:?}; {help}")),
    };
    let Some(arg) = text[open + 1..].strip_suffix(')') else {
        return Err(format!("`{{{{ {text} }}}}` is not a single call; {help}"));
    };
    let var = arg.trim();
    if !super::condition::is_param_name(var) {
        return Err(format!(
            "`{{{{ {text} }}}}`: {var:?} is not a variable name; {help}"
        ));
    }
    Ok((func, var.to_string()))
}

/// The variables a template uses, with the function and offset of each use
/// (for [`Func::SchemaOf`] the "variable" is the extension's name).
pub fn calls(segments: &[Segment]) -> impl Iterator<Item = (Func, &str, usize)> {
    segments.iter().filter_map(|s| match s {
        Segment::Call { func, var, offset } => Some((*func, var.as_str(), *offset)),
        Segment::Text(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_text_are_split() {
        let s = parse("REINDEX INDEX CONCURRENTLY {{ ident(index) }};").unwrap();
        assert_eq!(
            s,
            vec![
                Segment::Text("REINDEX INDEX CONCURRENTLY ".into()),
                Segment::Call {
                    func: Func::Ident,
                    var: "index".into(),
                    offset: 27
                },
                Segment::Text(";".into()),
            ]
        );
        assert_eq!(parse("{{number(n)}}{{literal( s )}}").unwrap().len(), 2);
        assert_eq!(parse("no calls").unwrap().len(), 1);
    }

    #[test]
    fn raw_interpolation_is_impossible() {
        for (bad, offset) in [
            ("SELECT {{ x }}", 7),
            ("SELECT {{ raw(x) }}", 7),
            ("SELECT {{ ident(x) || 'a' }}", 7),
            ("SELECT {{ ident(x)(y) }}", 7),
            ("SELECT {{ ident(x y) }}", 7),
            ("SELECT {{ ident() }}", 7),
            ("SELECT {{ ident(X) }}", 7),
            ("SELECT 1 {{ ident(x)", 9),
            ("{{ ident(a) }} {{ literal }}", 15),
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.offset, offset, "{bad}: {}", e.message);
        }
    }
}
