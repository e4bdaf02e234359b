//! The user's vector collections as the system catalogs describe them.
//!
//! Read-only: catalog queries with bound parameters, no locks beyond what a
//! catalog read takes. Knows nothing about terminals or the state store.

mod context;
mod discover;
mod names;
mod resolve;

pub use context::{opclass, playbook_context};
pub use discover::{Collection, IndexInfo, discover};
pub use names::unused_relation_name;
pub use resolve::resolve;
