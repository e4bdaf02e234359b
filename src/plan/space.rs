//! Space pre-flight: what a plan's index builds need on disk, estimated from
//! what the catalog says, and what is not known. Pure.
//!
//! A REINDEX (concurrent or not) writes a second copy of the index next to the
//! old one, so it needs about the index's current size; a new index needs about
//! rows × (element + graph overhead). PostgreSQL shows no free space of a
//! tablespace through SQL, so the estimate comes with that caveat, never with a
//! promise that the space is there.

use serde::Serialize;

use crate::catalog::Collection;

/// Bytes an HNSW element costs beyond its vector: tuple headers, heap TIDs and
/// the neighbour lists at the default m (measured: a 20k × 64 index with
/// m = 16 takes ~520 bytes per element, 256 of them the vector).
const PER_ELEMENT_OVERHEAD: i64 = 300;

/// The space a plan's builds need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Space {
    /// Estimated bytes the builds write before anything is dropped.
    pub needed_bytes: i64,
    /// How the estimate was made, and what is not known.
    pub note: String,
}

/// The estimate for statements `sql` run on collection `c`; `None` when none
/// of them builds an index.
pub fn estimate(sql: &[String], c: &Collection) -> Option<Space> {
    let builds = |prefix: &str| {
        sql.iter()
            .any(|s| s.trim_start().to_ascii_uppercase().starts_with(prefix))
    };
    let current = c.ann_index().map(|i| i.size_bytes);
    let (needed, how) = if builds("REINDEX") || (builds("CREATE INDEX") && current.is_some()) {
        (current?, "the size of the current index")
    } else if builds("CREATE INDEX") {
        let rows = c.rows.unwrap_or(0).max(0);
        let element = element_bytes(&c.type_name, c.dims.unwrap_or(0).max(0) as i64);
        (
            rows * (element + PER_ELEMENT_OVERHEAD),
            "rows × (element size + graph overhead)",
        )
    } else {
        return None;
    };
    Some(Space {
        needed_bytes: needed,
        note: format!(
            "needs about {:.1} MiB free where the index lives ({how}); the free space \
             of a tablespace is not visible from SQL, so it is not checked",
            needed as f64 / 1_048_576.0
        ),
    })
}

/// On-disk bytes of one value of the column's type.
fn element_bytes(type_name: &str, dims: i64) -> i64 {
    8 + match type_name {
        "halfvec" => 2 * dims,
        "bit" => (dims + 7) / 8,
        "sparsevec" => 8 * dims / 10, // unknown density; a tenth non-zero
        _ => 4 * dims,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_sizes_follow_the_type() {
        assert_eq!(element_bytes("vector", 96), 392);
        assert_eq!(element_bytes("halfvec", 96), 200);
        assert_eq!(element_bytes("bit", 64), 16);
    }
}
