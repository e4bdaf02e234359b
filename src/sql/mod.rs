//! Talking to PostgreSQL: connection parameters, TLS, connecting, and the one
//! quoting module. Nothing above this layer builds SQL text from user values
//! without [`quote`].

pub mod connect;
pub mod conninfo;
pub mod copy;
pub mod pgpass;
pub mod quote;
pub mod session;
pub mod tls;

pub use connect::connect;
pub use conninfo::ConnInfo;
pub use quote::{QualifiedName, ident, literal};

/// The schema extension `name` is installed in, in the session's database;
/// `None` when it is not installed.
pub fn extension_schema(
    client: &mut impl postgres::GenericClient,
    name: &str,
) -> anyhow::Result<Option<String>> {
    use anyhow::Context;
    Ok(client
        .query_opt(
            "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
             WHERE e.extname = $1",
            &[&name],
        )
        .with_context(|| format!("looking up the {name} extension"))?
        .map(|r| r.try_get(0))
        .transpose()?)
}

/// The SQLSTATE of a database error anywhere in `err`'s chain, if any.
pub fn sqlstate(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|c| {
        c.downcast_ref::<postgres::Error>()
            .and_then(|e| e.code())
            .map(|c| c.code().to_string())
    })
}
