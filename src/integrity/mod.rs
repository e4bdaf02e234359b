//! Integrity: the collection as a contracted graph (HNSW regions or IVFFlat lists,
//! standbys, blockers as nodes; measured connectivity or health as capacities), its
//! global minimum cut `lambda` (Stoer–Wagner) and the witness edges that form it.
//! Pure computation: knows nothing about PostgreSQL or terminals.

pub mod build;
pub mod graph;
pub mod mincut;
pub mod state;

pub use graph::{Edge, EdgeKind, Graph, INDEX_KINDS, Integrity, Node, NodeKind, Witness, assess};
pub use state::{IntegrityState, Thresholds};
