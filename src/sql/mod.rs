//! Talking to PostgreSQL: connection parameters, TLS, connecting, and the one
//! quoting module. Nothing above this layer builds SQL text from user values
//! without [`quote`].

pub mod connect;
pub mod conninfo;
pub mod copy;
pub mod quote;
pub mod session;
pub mod tls;

pub use connect::connect;
pub use conninfo::ConnInfo;
pub use quote::{QualifiedName, ident, literal};

/// The SQLSTATE of a database error anywhere in `err`'s chain, if any.
pub fn sqlstate(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|c| {
        c.downcast_ref::<postgres::Error>()
            .and_then(|e| e.code())
            .map(|c| c.code().to_string())
    })
}
