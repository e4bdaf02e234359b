//! The problem classes of DESIGN.md: the shared vocabulary of findings,
//! problems, playbooks and outcomes.

use serde::{Deserialize, Serialize};

/// The problem classes of DESIGN.md, shared by findings, problems, playbooks and outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// ANN results miss true neighbours.
    RecallDegradation,
    /// Query latency above contract or baseline.
    LatencyAnomaly,
    /// Fewer scans per second than usual.
    ThroughputDrop,
    /// Index bloated or holding deleted/dead entries.
    IndexFragmentation,
    /// HNSW elements unreachable from the entry point.
    OrphanNodes,
    /// HNSW graph with low degree or weak links.
    PoorConnectivity,
    /// IVFFlat lists badly balanced.
    CentroidSkew,
    /// IVFFlat centres trained on other data than the table now holds.
    StaleTraining,
    /// An index marked INVALID (or leftover from a concurrent build).
    InvalidIndex,
    /// A large collection without an ANN index.
    MissingIndex,
    /// Dead tuples not vacuumed.
    DeadTupleBloat,
    /// Maintenance blocked or blocking (xmin horizon, locks, busy workers).
    MaintenanceContention,
    /// Hot spots: lock waits and concurrent load on the collection.
    HotspotCongestion,
    /// Standbys behind the primary.
    ReplicationLag,
    /// Index larger than memory, poor cache hit ratio, temp spills.
    MemoryPressure,
    /// Something is off and no rule explains it.
    Unknown,
}

impl Class {
    /// Every class, in DESIGN.md order.
    pub const ALL: [Class; 16] = [
        Class::RecallDegradation,
        Class::LatencyAnomaly,
        Class::ThroughputDrop,
        Class::IndexFragmentation,
        Class::OrphanNodes,
        Class::PoorConnectivity,
        Class::CentroidSkew,
        Class::StaleTraining,
        Class::InvalidIndex,
        Class::MissingIndex,
        Class::DeadTupleBloat,
        Class::MaintenanceContention,
        Class::HotspotCongestion,
        Class::ReplicationLag,
        Class::MemoryPressure,
        Class::Unknown,
    ];

    /// The snake_case name used in JSON, playbooks and the state tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::RecallDegradation => "recall_degradation",
            Class::LatencyAnomaly => "latency_anomaly",
            Class::ThroughputDrop => "throughput_drop",
            Class::IndexFragmentation => "index_fragmentation",
            Class::OrphanNodes => "orphan_nodes",
            Class::PoorConnectivity => "poor_connectivity",
            Class::CentroidSkew => "centroid_skew",
            Class::StaleTraining => "stale_training",
            Class::InvalidIndex => "invalid_index",
            Class::MissingIndex => "missing_index",
            Class::DeadTupleBloat => "dead_tuple_bloat",
            Class::MaintenanceContention => "maintenance_contention",
            Class::HotspotCongestion => "hotspot_congestion",
            Class::ReplicationLag => "replication_lag",
            Class::MemoryPressure => "memory_pressure",
            Class::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
