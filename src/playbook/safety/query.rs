//! Read-only queries: every part of a `SELECT` is walked, and only listed
//! expressions, functions, relations and types pass.
//!
//! The walk covers the select list, `FROM` items (joins, subqueries, table
//! functions), `WHERE`, `GROUP BY`, `HAVING`, `ORDER BY`, `LIMIT`, CTEs, casts,
//! function arguments and filters, `CASE`, `IN`, `EXISTS` and scalar subqueries.
//! Any node kind not handled here is refused, so a new sqlparser construct fails
//! closed.

use sqlparser::ast::{
    BinaryOperator, CastKind, Distinct, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, InTarget, JoinConstraint, JoinOperator, LimitClause,
    ObjectName, OrderByKind, Query, Select, SelectFlavor, SelectItem, SetExpr, TableFactor,
    TableWithJoins, UnaryOperator, Value,
};
use sqlparser::tokenizer::Span;

use super::Allow;
use super::lists::{
    self, CATALOG_RELATIONS, EXTENSION_FUNCTIONS, READ_FUNCTIONS, RELATION_ARG_FUNCTIONS,
    SIGNAL_FUNCTIONS, SYNTAX_FUNCTIONS, TYPES,
};
use super::names::{Origins, Part, dotted, parts};

type R = Result<(), String>;

/// Walks one query.
pub struct Walk<'o, 'a> {
    /// Where the placeholders are.
    pub o: &'o Origins<'a>,
    /// What the step may do.
    pub allow: Allow,
    /// CTE names in scope.
    pub ctes: Vec<String>,
}

const DATA_MODIFYING: &str = "a data-modifying WITH query changes user rows";

const NOT_OWN_REGCLASS: &str = "a regclass names a relation that is not the collection's: \
    write {{ literal(table) }}::regclass or {{ literal(index) }}::regclass";

impl Walk<'_, '_> {
    /// A whole query.
    pub fn query(&mut self, q: &Query) -> R {
        let Query {
            with,
            body,
            order_by,
            limit_clause,
            fetch,
            locks,
            for_clause,
            settings,
            format_clause,
            pipe_operators,
        } = q;
        let scope = self.ctes.len();
        if let Some(w) = with {
            for cte in &w.cte_tables {
                self.query(&cte.query)?;
                self.ctes.push(super::names::fold(&cte.alias.name));
            }
        }
        self.set_expr(body)?;
        if let Some(ob) = order_by {
            match &ob.kind {
                OrderByKind::Expressions(list) => {
                    for e in list {
                        self.expr(&e.expr)?;
                    }
                }
                OrderByKind::All(_) => {}
            }
        }
        match limit_clause {
            None => {}
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                for e in limit
                    .iter()
                    .chain(offset.as_ref().map(|o| &o.value))
                    .chain(limit_by)
                {
                    self.expr(e)?;
                }
            }
            Some(_) => return Err("this LIMIT form is not allowed".into()),
        }
        if !locks.is_empty() {
            return Err("FOR UPDATE / FOR SHARE locks rows; a playbook query only reads".into());
        }
        if fetch.is_some()
            || for_clause.is_some()
            || settings.is_some()
            || format_clause.is_some()
            || !pipe_operators.is_empty()
        {
            return Err("this query clause is not allowed".into());
        }
        self.ctes.truncate(scope);
        Ok(())
    }

    fn set_expr(&mut self, e: &SetExpr) -> R {
        match e {
            SetExpr::Select(s) => self.select(s),
            SetExpr::Query(q) => self.query(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left)?;
                self.set_expr(right)
            }
            SetExpr::Values(v) => {
                for row in &v.rows {
                    for e in &row.content {
                        self.expr(e)?;
                    }
                }
                Ok(())
            }
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                Err(DATA_MODIFYING.into())
            }
            SetExpr::Table(_) => {
                Err("TABLE reads a relation by name; write a SELECT of a catalog view".into())
            }
        }
    }

    fn select(&mut self, s: &Select) -> R {
        let Select {
            select_token: _,
            optimizer_hints,
            distinct,
            select_modifiers,
            top,
            top_before_distinct: _,
            projection,
            exclude,
            into,
            from,
            lateral_views,
            prewhere,
            selection,
            connect_by,
            group_by,
            cluster_by,
            distribute_by,
            sort_by,
            having,
            named_window,
            qualify,
            window_before_qualify: _,
            value_table_mode,
            flavor,
        } = s;
        if into.is_some() {
            return Err("SELECT INTO creates a table; a playbook query only reads".into());
        }
        if !optimizer_hints.is_empty()
            || select_modifiers.is_some()
            || top.is_some()
            || exclude.is_some()
            || !lateral_views.is_empty()
            || prewhere.is_some()
            || !connect_by.is_empty()
            || !cluster_by.is_empty()
            || !distribute_by.is_empty()
            || !sort_by.is_empty()
            || !named_window.is_empty()
            || qualify.is_some()
            || value_table_mode.is_some()
            || !matches!(flavor, SelectFlavor::Standard)
        {
            return Err("this SELECT clause is not PostgreSQL's or not allowed".into());
        }
        match distinct {
            None | Some(Distinct::Distinct) => {}
            Some(Distinct::On(list)) => {
                for e in list {
                    self.expr(e)?;
                }
            }
            Some(_) => return Err("this DISTINCT form is not allowed".into()),
        }
        for item in from {
            self.from(item)?;
        }
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    self.expr(e)?
                }
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {}
                SelectItem::ExprWithAliases { .. } => {
                    return Err("this select-list form is not allowed".into());
                }
            }
        }
        for e in selection.iter().chain(having) {
            self.expr(e)?;
        }
        match group_by {
            GroupByExpr::All(m) if m.is_empty() => {}
            GroupByExpr::Expressions(list, m) if m.is_empty() => {
                for e in list {
                    self.expr(e)?;
                }
            }
            _ => return Err("this GROUP BY form is not allowed".into()),
        }
        Ok(())
    }

    fn from(&mut self, t: &TableWithJoins) -> R {
        self.factor(&t.relation)?;
        for j in &t.joins {
            self.factor(&j.relation)?;
            let c = match &j.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c) => c,
                _ => return Err("this join form is not PostgreSQL's".into()),
            };
            match c {
                JoinConstraint::On(e) => self.expr(e)?,
                JoinConstraint::Using(_) | JoinConstraint::Natural | JoinConstraint::None => {}
                JoinConstraint::UsingAlias(..) => {
                    return Err("this join form is not allowed".into());
                }
            }
        }
        Ok(())
    }

    fn factor(&mut self, f: &TableFactor) -> R {
        match f {
            TableFactor::Table {
                name,
                alias: _,
                args,
                with_hints,
                version,
                with_ordinality: _,
                partitions,
                json_path,
                sample,
                index_directives,
                inheritance: _,
            } => {
                if !with_hints.is_empty()
                    || version.is_some()
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_directives.is_empty()
                {
                    return Err("this FROM item form is not allowed".into());
                }
                if let Some(a) = args {
                    self.function_name(name)?;
                    for arg in &a.args {
                        self.arg(arg)?;
                    }
                    return match &a.settings {
                        None => Ok(()),
                        Some(_) => Err("this FROM item form is not allowed".into()),
                    };
                }
                self.relation(name)
            }
            TableFactor::Derived {
                subquery, sample, ..
            } => {
                if sample.is_some() {
                    return Err("TABLESAMPLE is not allowed".into());
                }
                self.query(subquery)
            }
            TableFactor::Function { name, args, .. } => {
                self.function_name(name)?;
                args.iter().try_for_each(|a| self.arg(a))
            }
            TableFactor::TableFunction { expr, .. } => self.expr(expr),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.from(table_with_joins),
            _ => Err(
                "this FROM item is not allowed; read catalog views or the collection's table"
                    .into(),
            ),
        }
    }

    /// A relation in FROM: a listed catalog view, a CTE, or the collection's table.
    fn relation(&self, name: &ObjectName) -> R {
        let p = parts(name).ok_or("this relation name is not allowed")?;
        if self.o.is_table(&p) {
            return Ok(());
        }
        if !self.o.any_placed(&p) {
            match p.as_slice() {
                [one] if self.ctes.contains(&one.name) => return Ok(()),
                [one] if lists::listed(CATALOG_RELATIONS, &one.name) => return Ok(()),
                [s, one]
                    if s.name == "pg_catalog" && lists::listed(CATALOG_RELATIONS, &one.name) =>
                {
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(format!(
            "{} names a relation that is neither the collection's table ({{{{ ident(table) }}}}) nor a listed catalog view",
            dotted(&p)
        ))
    }

    fn arg(&mut self, a: &FunctionArg) -> R {
        let e = match a {
            FunctionArg::Unnamed(e) | FunctionArg::Named { arg: e, .. } => e,
            FunctionArg::ExprNamed {
                name: Expr::Identifier(_),
                arg,
                ..
            } => arg,
            FunctionArg::ExprNamed { .. } => return Err("this argument form is not allowed".into()),
        };
        match e {
            FunctionArgExpr::Expr(e) => self.expr(e),
            FunctionArgExpr::Wildcard => Ok(()),
            _ => Err("this argument form is not allowed".into()),
        }
    }

    /// A function's name: listed, and schema-qualified or resolving to pg_catalog.
    fn function_name(&self, name: &ObjectName) -> R {
        let p = parts(name).ok_or("this function name is not allowed")?;
        match p.as_slice() {
            [s, f] if self.o.extension(s).is_some() => {
                let ext = self.o.extension(s).unwrap_or_default();
                if !self.o.any_placed(std::slice::from_ref(f))
                    && EXTENSION_FUNCTIONS.contains(&(ext, f.name.as_str()))
                {
                    Ok(())
                } else {
                    Err(format!(
                        "{}() of the {ext} extension is not on the allow-list",
                        f.name
                    ))
                }
            }
            _ if self.o.any_placed(&p) => Err(format!(
                "function {}: a function's name must be written into the playbook or qualified with {{{{ schema_of(extension) }}}}",
                dotted(&p)
            )),
            [f] if lists::listed(SYNTAX_FUNCTIONS, &f.name) => Ok(()),
            [f] => self.catalog_function(f),
            [s, f] if s.name == "pg_catalog" => self.catalog_function(f),
            _ => Err(forbidden(&dotted(&p))),
        }
    }

    fn catalog_function(&self, f: &Part) -> R {
        if lists::listed(READ_FUNCTIONS, &f.name) {
            Ok(())
        } else if lists::listed(SIGNAL_FUNCTIONS, &f.name) {
            if self.allow.signal_backends {
                Ok(())
            } else {
                Err(format!(
                    "{}() signals other sessions; it is allowed only in a step marked `signals_backends: true` of a playbook with `requires_approval: true`",
                    f.name
                ))
            }
        } else {
            Err(forbidden(&f.name))
        }
    }

    fn function(&mut self, f: &Function) -> R {
        let Function {
            name,
            uses_odbc_syntax,
            parameters,
            args,
            within_group,
            filter,
            null_treatment,
            over,
        } = f;
        self.function_name(name)?;
        self.relation_argument(name, args)?;
        if *uses_odbc_syntax
            || !matches!(parameters, FunctionArguments::None)
            || null_treatment.is_some()
            || over.is_some()
        {
            return Err(format!("this call form of {name} is not allowed"));
        }
        match args {
            FunctionArguments::None => {}
            FunctionArguments::Subquery(q) => self.query(q)?,
            FunctionArguments::List(l) => {
                if !l.clauses.is_empty() {
                    return Err(format!("this call form of {name} is not allowed"));
                }
                for a in &l.args {
                    self.arg(a)?;
                }
            }
        }
        for e in within_group {
            self.expr(&e.expr)?;
        }
        if let Some(e) = filter {
            self.expr(e)?;
        }
        Ok(())
    }

    /// A string PostgreSQL reads as a relation (`pg_relation_size('x')`) must be
    /// the collection's own, as for an explicit `::regclass`.
    fn relation_argument(&self, name: &ObjectName, args: &FunctionArguments) -> R {
        let last = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(super::names::fold);
        if !last.is_some_and(|n| lists::listed(RELATION_ARG_FUNCTIONS, &n)) {
            return Ok(());
        }
        let FunctionArguments::List(l) = args else {
            return Ok(());
        };
        match l.args.first() {
            Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))) => {
                self.regclass(v.span)
            }
            _ => Ok(()),
        }
    }

    fn cast(&mut self, inner: &Expr, ty: String) -> R {
        let ty = ty.to_ascii_lowercase();
        let bare = ty.strip_prefix("pg_catalog.").unwrap_or(&ty);
        if !lists::listed(TYPES, bare) {
            return Err(format!("a cast to {ty} is not allowed"));
        }
        if bare == "regclass"
            && let Expr::Value(v) = inner
        {
            self.regclass(v.span)?;
        }
        self.expr(inner)
    }

    /// A string read as a relation must be the collection's table or index.
    fn regclass(&self, span: Span) -> R {
        match self.o.literal_var(span) {
            Some("table" | "index" | "invalid_index") => Ok(()),
            _ => Err(NOT_OWN_REGCLASS.into()),
        }
    }

    /// One expression, recursively.
    pub fn expr(&mut self, e: &Expr) -> R {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Wildcard(_) => Ok(()),
            Expr::Value(v) => match &v.value {
                Value::DollarQuotedString(_) => Err("dollar-quoted strings are not allowed".into()),
                _ => Ok(()),
            },
            Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x)
            | Expr::Nested(x) => self.expr(x),
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            Expr::In { expr, target, .. } => {
                self.expr(expr)?;
                match target {
                    InTarget::List(list) => list.iter().try_for_each(|x| self.expr(x)),
                    InTarget::Subquery(q) => self.query(q),
                    _ => Err("this IN form is not allowed".into()),
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)
            }
            Expr::BinaryOp { left, op, right } => {
                operator(op)?;
                self.expr(left)?;
                self.expr(right)
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | Expr::AllOp {
                left,
                compare_op,
                right,
            } => {
                operator(compare_op)?;
                self.expr(left)?;
                self.expr(right)
            }
            Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Not | UnaryOperator::Minus | UnaryOperator::Plus => self.expr(expr),
                _ => Err(format!("operator {op} is not allowed")),
            },
            Expr::Cast {
                kind,
                expr,
                data_type,
                format,
            } => {
                if format.is_some() || matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
                    return Err("this cast form is not PostgreSQL's".into());
                }
                self.cast(expr, data_type.to_string())
            }
            Expr::TypedString(t) => {
                let ty = t.data_type.to_string().to_ascii_lowercase();
                let bare = ty.strip_prefix("pg_catalog.").unwrap_or(&ty).to_string();
                if !lists::listed(TYPES, &bare) {
                    return Err(format!("a {ty} constant is not allowed"));
                }
                if bare == "regclass" {
                    self.regclass(t.value.span)?;
                }
                Ok(())
            }
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                self.expr(timestamp)?;
                self.expr(time_zone)
            }
            Expr::Extract { expr, .. } => self.expr(expr),
            Expr::Interval(i) => self.expr(&i.value),
            Expr::Function(f) => self.function(f),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                for x in operand.iter().chain(else_result) {
                    self.expr(x)?;
                }
                for w in conditions {
                    self.expr(&w.condition)?;
                    self.expr(&w.result)?;
                }
                Ok(())
            }
            Expr::Exists { subquery, .. } | Expr::Subquery(subquery) => self.query(subquery),
            Expr::Tuple(list) => list.iter().try_for_each(|x| self.expr(x)),
            Expr::Array(a) => a.elem.iter().try_for_each(|x| self.expr(x)),
            other => Err(format!("the expression {other} is not one ruvheal allows")),
        }
    }
}

fn forbidden(name: &str) -> String {
    let bare = name.rsplit('.').next().unwrap_or(name);
    let why = if bare.starts_with("dblink") {
        "runs SQL over another connection, past every check"
    } else if bare == "set_config" {
        "changes settings (search_path, session_replication_role, ...) behind the checker's back"
    } else if bare.starts_with("lo_")
        || bare.starts_with("pg_read_")
        || bare.starts_with("pg_ls_")
        || bare.starts_with("pg_file")
        || bare == "pg_stat_file"
    {
        "reads or writes server files or large objects"
    } else {
        "is not on the allow-list of read-only functions (they must resolve to pg_catalog or be qualified with {{ schema_of(extension) }})"
    };
    format!("function {name}() {why}")
}

fn operator(op: &BinaryOperator) -> R {
    use BinaryOperator as B;
    const SYMBOLS: &[&str] = &[
        "=", "<>", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "||",
    ];
    match op {
        B::Plus
        | B::Minus
        | B::Multiply
        | B::Divide
        | B::Modulo
        | B::Gt
        | B::Lt
        | B::GtEq
        | B::LtEq
        | B::Eq
        | B::NotEq
        | B::And
        | B::Or
        | B::StringConcat => Ok(()),
        B::PGCustomBinaryOperator(path) => match path.as_slice() {
            [s, o] if s == "pg_catalog" && SYMBOLS.contains(&o.as_str()) => Ok(()),
            _ => Err(format!(
                "OPERATOR({}) is not a listed pg_catalog operator",
                path.join(".")
            )),
        },
        other => Err(format!("operator {other} is not allowed")),
    }
}
