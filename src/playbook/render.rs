//! Rendering a step for one collection: templates filled through the quoting module.
//!
//! [`Context`] holds the built-in variables of a collection (`table`, `schema`,
//! `table_name`, `column`, `index`, `index_name`, `method`, `opclass`, `database`),
//! the playbook's parameters and the schemas of the installed extensions (for
//! `{{ schema_of(ext) }}`); [`render`] turns an [`Action`] into the exact text the
//! executor runs ([`Rendered`]). [`fill_traced`] also says which byte ranges of the
//! text came from which placeholder, so the safety pass can tell the collection's
//! own objects from names written into the playbook.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::model::{Action, ParamType, ParamValue, Playbook, Scope};
pub use super::safety::shape::StatementKind;
use super::template::{self, Func, Segment};
use crate::sql::quote::{self, QualifiedName};

/// The built-in variables and their kinds (qualified names or plain names).
pub const BUILTINS: &[(&str, ValueKind)] = &[
    ("table", ValueKind::Qualified),
    ("schema", ValueKind::Name),
    ("table_name", ValueKind::Name),
    ("column", ValueKind::Name),
    ("index", ValueKind::Qualified),
    ("index_name", ValueKind::Name),
    ("method", ValueKind::Name),
    ("opclass", ValueKind::Qualified),
    ("database", ValueKind::Name),
    ("invalid_index", ValueKind::Qualified),
    ("invalid_index_name", ValueKind::Name),
    ("invalid_method", ValueKind::Name),
    ("invalid_opclass", ValueKind::Qualified),
];

/// The kind of a template variable, which decides the functions it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A schema-qualified name.
    Qualified,
    /// One identifier.
    Name,
    /// Text.
    Text,
    /// A number.
    Number,
    /// A boolean.
    Bool,
}

impl ValueKind {
    /// The kind a parameter of type `t` has.
    pub fn of_param(t: ParamType) -> Self {
        match t {
            ParamType::Int | ParamType::Float => ValueKind::Number,
            ParamType::String => ValueKind::Text,
            ParamType::Identifier => ValueKind::Name,
            ParamType::Bool => ValueKind::Bool,
        }
    }

    /// Whether `func` may be applied to a value of this kind.
    pub fn allows(self, func: Func) -> bool {
        match func {
            Func::Ident => matches!(self, ValueKind::Qualified | ValueKind::Name),
            Func::Literal => true,
            Func::Number => self == ValueKind::Number,
            Func::SchemaOf => false,
        }
    }
}

/// A template variable's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    /// `"schema"."name"` under `ident`.
    Qualified(QualifiedName),
    /// One identifier.
    Name(String),
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl Value {
    fn kind(&self) -> ValueKind {
        match self {
            Value::Qualified(_) => ValueKind::Qualified,
            Value::Name(_) => ValueKind::Name,
            Value::Text(_) => ValueKind::Text,
            Value::Int(_) | Value::Float(_) => ValueKind::Number,
            Value::Bool(_) => ValueKind::Bool,
        }
    }
}

/// The variables available to templates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Context {
    /// Variables by name.
    pub vars: BTreeMap<String, Value>,
    /// Installed extensions: name -> the schema they live in.
    pub extensions: BTreeMap<String, String>,
}

impl Context {
    /// A context for a collection: `table`, `schema`, `table_name`, `column`, `database`.
    pub fn collection(schema: &str, table: &str, column: &str, database: &str) -> Self {
        let mut vars = BTreeMap::new();
        vars.insert(
            "table".into(),
            Value::Qualified(QualifiedName::new(schema, table)),
        );
        vars.insert("schema".into(), Value::Name(schema.into()));
        vars.insert("table_name".into(), Value::Name(table.into()));
        vars.insert("column".into(), Value::Name(column.into()));
        vars.insert("database".into(), Value::Name(database.into()));
        Context {
            vars,
            extensions: BTreeMap::new(),
        }
    }

    /// Adds the installed extensions (name -> schema) that `{{ schema_of(ext) }}` reads.
    pub fn with_extensions(mut self, extensions: BTreeMap<String, String>) -> Self {
        self.extensions = extensions;
        self
    }

    /// Adds the ANN index: `index`, `index_name`, `method`, `opclass` (schema-qualified:
    /// an operator class is looked up through the search_path otherwise).
    pub fn with_index(
        mut self,
        schema: &str,
        name: &str,
        method: &str,
        opclass: QualifiedName,
    ) -> Self {
        self.vars.insert(
            "index".into(),
            Value::Qualified(QualifiedName::new(schema, name)),
        );
        self.vars
            .insert("index_name".into(), Value::Name(name.into()));
        self.vars
            .insert("method".into(), Value::Name(method.into()));
        self.vars
            .insert("opclass".into(), Value::Qualified(opclass));
        self
    }

    /// Adds an INVALID index on the column (the first one): `invalid_index`,
    /// `invalid_index_name`, `invalid_method`, `invalid_opclass`.
    pub fn with_invalid_index(
        mut self,
        schema: &str,
        name: &str,
        method: &str,
        opclass: QualifiedName,
    ) -> Self {
        self.vars.insert(
            "invalid_index".into(),
            Value::Qualified(QualifiedName::new(schema, name)),
        );
        self.vars
            .insert("invalid_index_name".into(), Value::Name(name.into()));
        self.vars
            .insert("invalid_method".into(), Value::Name(method.into()));
        self.vars
            .insert("invalid_opclass".into(), Value::Qualified(opclass));
        self
    }

    /// Adds the playbook's parameters: `values` (from the planner) over the
    /// defaults. Fails on an unknown name, a value of the wrong type or a
    /// parameter with neither value nor default.
    pub fn with_params(
        mut self,
        playbook: &Playbook,
        values: &BTreeMap<String, ParamValue>,
    ) -> Result<Self, RenderError> {
        for name in values.keys() {
            if !playbook.params.contains_key(name) {
                return Err(RenderError(format!(
                    "playbook {} has no parameter {name:?}",
                    playbook.name
                )));
            }
        }
        for (name, p) in &playbook.params {
            let v = values.get(name).or(p.default.as_ref()).ok_or_else(|| {
                RenderError(format!(
                    "playbook {} needs a value for parameter {name:?}",
                    playbook.name
                ))
            })?;
            if !p.kind.accepts(v) {
                return Err(RenderError(format!(
                    "parameter {name:?} must be of type {}, not {v}",
                    p.kind.as_str()
                )));
            }
            self.vars.insert(name.clone(), param_value(p.kind, v));
        }
        Ok(self)
    }

    /// A context with harmless placeholder values for every built-in and the
    /// playbook's parameters (their defaults, else a value of their type); used by
    /// the static safety pass.
    pub fn placeholder(playbook: &Playbook) -> Self {
        let opclass = QualifiedName::new("ext", "vector_cosine_ops");
        let mut ctx = Context::collection("s", "t", "embedding", "db")
            .with_index("s", "i", "hnsw", opclass.clone())
            .with_invalid_index("s", "i_bad", "hnsw", opclass)
            .with_extensions(
                super::safety::EXTENSIONS
                    .iter()
                    .map(|e| (e.to_string(), "ext".to_string()))
                    .collect(),
            );
        for (name, p) in &playbook.params {
            let v = match (&p.default, p.kind) {
                (Some(v), k) if k.accepts(v) => param_value(k, v),
                (_, ParamType::Int) => Value::Int(1),
                (_, ParamType::Float) => Value::Float(1.5),
                (_, ParamType::String) => Value::Text("x".into()),
                (_, ParamType::Identifier) => Value::Name("x".into()),
                (_, ParamType::Bool) => Value::Bool(true),
            };
            ctx.vars.insert(name.clone(), v);
        }
        ctx
    }
}

fn param_value(kind: ParamType, v: &ParamValue) -> Value {
    match (kind, v) {
        (ParamType::Identifier, ParamValue::Str(s)) => Value::Name(s.clone()),
        (_, ParamValue::Str(s)) => Value::Text(s.clone()),
        (ParamType::Float, ParamValue::Int(i)) => Value::Float(*i as f64),
        (_, ParamValue::Int(i)) => Value::Int(*i),
        (_, ParamValue::Float(f)) => Value::Float(*f),
        (_, ParamValue::Bool(b)) => Value::Bool(*b),
    }
}

/// A session setting of one step: its name as the server reads it (folded)
/// and its value itself (not SQL: the executor quotes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The setting's name, folded (`maintenance_work_mem`).
    pub name: String,
    /// Its value (`1GB`).
    pub value: String,
}

/// A step ready to run: exact SQL text or program arguments, with the
/// structure the executor needs, so that nothing reads the SQL text back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rendered {
    /// One statement.
    Sql {
        /// The statement.
        sql: String,
        /// Whether to run it in a transaction.
        transaction: bool,
        /// `SET name = value` statements for this step only, as text (what is
        /// shown and stored): the executor sets [`Rendered::Sql::set`] first on the
        /// same session and puts them back after (inside a transaction it uses
        /// `SET LOCAL` instead).
        settings: Vec<String>,
        /// The same settings as (name, value) pairs: what the executor sets.
        set: Vec<Setting>,
        /// What kind of statement `sql` is.
        statement: StatementKind,
        /// The index the statement creates (`create_index`) or rebuilds
        /// (`reindex`), schema-qualified.
        index: Option<QualifiedName>,
    },
    /// `ALTER DATABASE|ROLE ... SET`.
    SetSetting {
        /// The `ALTER ... SET` statement.
        sql: String,
        /// What the setting is set on, as SQL after `ALTER`
        /// (`DATABASE "db"`, `ROLE "writer"`): the undo sets the old value there.
        target: String,
        /// The `ALTER ... RESET` statement (undo when there was no previous value).
        reset_sql: String,
        /// `SELECT` of the previous value from `pg_db_role_setting` (NULL if none).
        previous_sql: String,
        /// The setting's name, folded.
        setting: String,
    },
    /// Poll a boolean query.
    WaitFor {
        /// The query.
        sql: String,
        /// How long to wait.
        timeout: Duration,
    },
    /// Re-run a detector.
    Check {
        /// The detector.
        detector: String,
    },
    /// Run a program with arguments (no shell).
    Shell {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

/// A template that could not be rendered with the given context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

/// Fills one template.
pub fn fill(template: &str, ctx: &Context) -> Result<String, RenderError> {
    fill_traced(template, ctx).map(|(text, _)| text)
}

/// A byte range of rendered text that one `{{ func(var) }}` call produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The quoting function.
    pub func: Func,
    /// The variable (the extension's name for `schema_of`).
    pub var: String,
}

/// Fills one template and returns where each call's text landed.
pub fn fill_traced(template: &str, ctx: &Context) -> Result<(String, Vec<Placed>), RenderError> {
    let segments = template::parse(template).map_err(|e| RenderError(e.message))?;
    let mut out = String::with_capacity(template.len());
    let mut placed = Vec::new();
    for seg in segments {
        match seg {
            Segment::Text(t) => out.push_str(&t),
            Segment::Call { func, var, .. } => {
                let text = if func == Func::SchemaOf {
                    let schema = ctx.extensions.get(&var).ok_or_else(|| {
                        RenderError(format!("the {var} extension is not installed"))
                    })?;
                    quote::ident(schema).map_err(|e| RenderError(format!("{var}: {e}")))?
                } else {
                    let value = ctx
                        .vars
                        .get(&var)
                        .ok_or_else(|| RenderError(format!("undefined variable {var:?}")))?;
                    apply(func, &var, value)?
                };
                let start = out.len();
                out.push_str(&text);
                placed.push(Placed {
                    start,
                    end: out.len(),
                    func,
                    var,
                });
            }
        }
    }
    Ok((out, placed))
}

fn apply(func: Func, var: &str, value: &Value) -> Result<String, RenderError> {
    let q =
        |r: Result<String, quote::QuoteError>| r.map_err(|e| RenderError(format!("{var}: {e}")));
    if !value.kind().allows(func) {
        return Err(RenderError(format!(
            "{}({var}) cannot be applied to a {:?} value",
            func.as_str(),
            value.kind()
        )));
    }
    match (func, value) {
        (Func::Ident, Value::Qualified(n)) => q(n.sql()),
        (Func::Ident, Value::Name(n)) => q(quote::ident(n)),
        (Func::Number, Value::Int(i)) => Ok(i.to_string()),
        (Func::Number, Value::Float(f)) if f.is_finite() => Ok(f.to_string()),
        (Func::Literal, v) => q(quote::literal(&match v {
            Value::Qualified(n) => q(n.sql())?,
            Value::Name(s) | Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
        })),
        _ => Err(RenderError(format!("{var}: not a finite number"))),
    }
}

/// A configuration parameter name rendered as SQL, through the one setting-name
/// quoter ([`quote::setting_name`]: folded, each dotted part quoted).
pub fn setting_name(name: &str) -> Result<String, RenderError> {
    quote::setting_name(name).map_err(|e| RenderError(e.to_string()))
}

/// The structure of a rendered statement: its kind and the index it creates or
/// rebuilds, qualified (an unqualified name lands in its table's schema, else
/// the collection's).
fn shape_of(sql: &str, ctx: &Context) -> (StatementKind, Option<QualifiedName>) {
    let shape = super::safety::shape::shape(sql);
    let schema = match ctx.vars.get("schema") {
        Some(Value::Name(s)) => Some(s.clone()),
        _ => None,
    };
    let index = shape.index.and_then(|(s, n)| {
        s.or(shape.table_schema)
            .or(schema)
            .map(|s| QualifiedName::new(s, n))
    });
    (shape.kind, index)
}

/// A step's session setting: `name` folded, `value` rendered and read as the
/// one constant it must be (a quoted or `E'...'` string, a number, a word).
fn session_setting(
    name: &str,
    value: &str,
    ctx: &Context,
) -> Result<(String, Setting), RenderError> {
    let text = fill(value, ctx)?;
    let value = super::safety::setting::constant(&text)
        .map_err(|e| RenderError(format!("setting {name}: {e}")))?;
    let key = quote::setting_key(name).map_err(|e| RenderError(e.to_string()))?;
    Ok((
        format!("SET {} = {text}", setting_name(name)?),
        Setting { name: key, value },
    ))
}

/// Renders one action for `ctx`.
pub fn render(action: &Action, ctx: &Context) -> Result<Rendered, RenderError> {
    Ok(match action {
        Action::Sql {
            sql,
            transaction,
            settings,
        } => {
            let sql = fill(sql, ctx)?;
            let (statement, index) = shape_of(&sql, ctx);
            let (settings, set) = settings
                .iter()
                .map(|(k, v)| session_setting(k, v, ctx))
                .collect::<Result<Vec<_>, RenderError>>()?
                .into_iter()
                .unzip();
            Rendered::Sql {
                sql,
                transaction: *transaction,
                settings,
                set,
                statement,
                index,
            }
        }
        Action::SetSetting {
            scope,
            role,
            setting,
            value,
        } => {
            let name = setting_name(setting)?;
            let value = fill(value, ctx)?;
            let (target, lookup) = match scope {
                Scope::Database => {
                    let db = fill("{{ ident(database) }}", ctx)?;
                    let lit = fill("{{ literal(database) }}", ctx)?;
                    (
                        format!("DATABASE {db}"),
                        format!(
                            "setdatabase OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) {lit}) AND setrole OPERATOR(pg_catalog.=) 0"
                        ),
                    )
                }
                Scope::Role => {
                    let role = role
                        .as_deref()
                        .ok_or_else(|| RenderError("scope role needs a role".into()))?;
                    let r = fill(role, ctx)?;
                    (
                        format!("ROLE {r}"),
                        // regrole reads the quoted name back exactly as ALTER ROLE does
                        format!(
                            "setdatabase OPERATOR(pg_catalog.=) 0 AND setrole OPERATOR(pg_catalog.=) {}::pg_catalog.regrole",
                            q_lit(&r)?
                        ),
                    )
                }
            };
            let setting = &quote::setting_key(setting).map_err(|e| RenderError(e.to_string()))?;
            Rendered::SetSetting {
                sql: format!("ALTER {target} SET {name} = {value}"),
                reset_sql: format!("ALTER {target} RESET {name}"),
                target,
                previous_sql: format!(
                    "SELECT (SELECT pg_catalog.substr(c, pg_catalog.length({p}) OPERATOR(pg_catalog.+) 2) FROM pg_catalog.pg_db_role_setting, pg_catalog.unnest(setconfig) c WHERE {lookup} AND pg_catalog.split_part(c, '=', 1) OPERATOR(pg_catalog.=) {p}) AS previous",
                    p = q_lit(setting)?
                ),
                setting: setting.clone(),
            }
        }
        Action::WaitFor { condition, timeout } => Rendered::WaitFor {
            sql: fill(condition, ctx)?,
            timeout: timeout.0,
        },
        Action::Check { detector } => Rendered::Check {
            detector: detector.clone(),
        },
        Action::Shell { program, args } => Rendered::Shell {
            program: program.clone(),
            args: args
                .iter()
                .map(|a| fill(a, ctx))
                .collect::<Result<_, _>>()?,
        },
    })
}

fn q_lit(s: &str) -> Result<String, RenderError> {
    quote::literal(s).map_err(|e| RenderError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Context {
        Context::collection("My Schema", "a\"b", "x'; DROP TABLE t; --", "db").with_index(
            "My Schema",
            "x'; DROP TABLE t; --",
            "hnsw",
            QualifiedName::new("public", "vector_cosine_ops"),
        )
    }

    #[test]
    fn hostile_names_come_out_quoted() {
        let ctx = hostile();
        assert_eq!(
            fill("{{ ident(table) }}", &ctx).unwrap(),
            r#""My Schema"."a""b""#
        );
        assert_eq!(
            fill("{{ ident(column) }}", &ctx).unwrap(),
            r#""x'; DROP TABLE t; --""#
        );
        assert_eq!(
            fill("SELECT pg_prewarm({{ literal(index) }})", &ctx).unwrap(),
            r#"SELECT pg_prewarm('"My Schema"."x''; DROP TABLE t; --"')"#
        );
        assert_eq!(fill("{{ literal(table_name) }}", &ctx).unwrap(), r#"'a"b'"#);
    }

    #[test]
    fn functions_match_value_kinds() {
        let mut ctx = hostile();
        ctx.vars.insert("n".into(), Value::Int(16));
        ctx.vars.insert("f".into(), Value::Float(0.5));
        ctx.vars.insert("s".into(), Value::Text("it's".into()));
        ctx.vars.insert("nan".into(), Value::Float(f64::NAN));
        assert_eq!(
            fill("m = {{ number(n) }}, {{number(f)}}", &ctx).unwrap(),
            "m = 16, 0.5"
        );
        assert_eq!(fill("{{ literal(s) }}", &ctx).unwrap(), "'it''s'");
        assert_eq!(fill("{{ literal(n) }}", &ctx).unwrap(), "'16'");
        for bad in [
            "{{ ident(s) }}",
            "{{ number(s) }}",
            "{{ number(table) }}",
            "{{ number(nan) }}",
            "{{ ident(nope) }}",
            "{{ s }}",
        ] {
            assert!(fill(bad, &ctx).is_err(), "{bad}");
        }
    }

    #[test]
    fn set_setting_renders_alter_and_reset() {
        let ctx = Context::collection("public", "t", "e", "my db");
        let a = Action::SetSetting {
            scope: Scope::Database,
            role: None,
            setting: "hnsw.ef_search".into(),
            value: "{{ literal(database) }}".into(),
        };
        let Rendered::SetSetting {
            sql,
            reset_sql,
            target,
            ..
        } = render(&a, &ctx).unwrap()
        else {
            panic!()
        };
        assert_eq!(target, r#"DATABASE "my db""#);
        assert_eq!(
            sql,
            r#"ALTER DATABASE "my db" SET "hnsw"."ef_search" = 'my db'"#
        );
        assert_eq!(
            reset_sql,
            r#"ALTER DATABASE "my db" RESET "hnsw"."ef_search""#
        );
        assert!(setting_name("x; drop").is_err());
        let mut ctx = ctx;
        ctx.vars
            .insert("w".into(), Value::Name("Writer \"1\"".into()));
        let a = Action::SetSetting {
            scope: Scope::Role,
            role: Some("{{ ident(w) }}".into()),
            setting: "statement_timeout".into(),
            value: "'5s'".into(),
        };
        let Rendered::SetSetting {
            sql, previous_sql, ..
        } = render(&a, &ctx).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            sql,
            r#"ALTER ROLE "Writer ""1""" SET "statement_timeout" = '5s'"#
        );
        assert!(
            previous_sql
                .contains(r#"setrole OPERATOR(pg_catalog.=) '"Writer ""1"""'::pg_catalog.regrole"#),
            "{previous_sql}"
        );
    }

    #[test]
    fn sql_steps_carry_their_settings_kind_and_index() {
        let ctx = hostile();
        let a = Action::Sql {
            sql: "REINDEX INDEX CONCURRENTLY {{ ident(index) }}".into(),
            transaction: false,
            settings: [
                // what literal() writes for a backslash, and a hand-written E'' string
                ("work_mem".to_string(), "E'6\\x34MB'".to_string()),
                ("Maintenance_Work_Mem".to_string(), "'it''s'".to_string()),
                (
                    "max_parallel_maintenance_workers".to_string(),
                    "2".to_string(),
                ),
            ]
            .into(),
        };
        let Rendered::Sql {
            settings,
            set,
            statement,
            index,
            ..
        } = render(&a, &ctx).unwrap()
        else {
            panic!()
        };
        let pairs: Vec<(&str, &str)> = set
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("maintenance_work_mem", "it's"),
                ("max_parallel_maintenance_workers", "2"),
                ("work_mem", "64MB"),
            ]
        );
        assert_eq!(
            settings,
            [
                "SET \"maintenance_work_mem\" = 'it''s'",
                "SET \"max_parallel_maintenance_workers\" = 2",
                "SET \"work_mem\" = E'6\\x34MB'",
            ]
        );
        assert_eq!(statement, StatementKind::Reindex);
        assert_eq!(
            index,
            Some(QualifiedName::new("My Schema", "x'; DROP TABLE t; --"))
        );
        // a value that is not one constant is not rendered
        let bad = Action::Sql {
            sql: "VACUUM {{ ident(table) }}".into(),
            transaction: false,
            settings: [("work_mem".to_string(), "1; RESET ALL".to_string())].into(),
        };
        assert!(render(&bad, &ctx).is_err());
        // an unqualified new index lands in the collection's schema
        let mut ctx = ctx;
        ctx.vars.insert("n".into(), Value::Name("New".into()));
        let a = Action::Sql {
            sql: "CREATE INDEX CONCURRENTLY {{ ident(n) }} ON {{ ident(table) }} (e)".into(),
            transaction: false,
            settings: BTreeMap::new(),
        };
        let Rendered::Sql {
            statement, index, ..
        } = render(&a, &ctx).unwrap()
        else {
            panic!()
        };
        assert_eq!(statement, StatementKind::CreateIndex);
        assert_eq!(index, Some(QualifiedName::new("My Schema", "New")));
    }
}
