//! Reading pgvector index pages (as returned by pageinspect's `get_raw_page`)
//! into structure measurements. Pure: bytes in, numbers out; no SQL here (the
//! server side is [`crate::detect::structure`]).
//!
//! * [`page`]: page header, line pointers, item pointers, special space.
//! * [`value`]: varlena headers and vector/halfvec/bit/sparsevec values.
//! * [`hnsw`]: HNSW pages -> [`HnswStructure`] (graph, degrees, reachability).
//! * [`ivfflat`]: IVFFlat pages -> [`IvfStructure`] (lists, balance, centers).
//!
//! Layouts follow pgvector 0.8.6 (`src/hnsw.h`, `src/ivfflat.h`). Parsing never
//! panics: malformed bytes give an error or are skipped with a note.

#[cfg(test)]
mod fixtures;
pub mod hnsw;
pub mod ivfflat;
pub mod notes;
pub mod page;
pub mod stats;
#[cfg(test)]
mod tests_ivfflat;
pub mod value;

pub use hnsw::{HnswReader, HnswStructure, analyze_hnsw};
pub use ivfflat::{IvfReader, IvfStructure, analyze_ivfflat};
