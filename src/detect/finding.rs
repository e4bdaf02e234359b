//! Findings: what a detector saw, in the shared vocabulary of DESIGN.md.

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

/// How bad a finding is. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no action needed (also: a check that was skipped, and why).
    Info,
    /// Degraded; act soon.
    Warning,
    /// Broken contract; act now.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One thing a detector saw, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Problem class.
    pub class: Class,
    /// Severity.
    pub severity: Severity,
    /// Which detector produced it (`recall`, `structure`, `table`, `settings`, `contention`, `anomaly`).
    pub detector: String,
    /// The metric it is about, if one (a key of the observation's metrics).
    pub metric: Option<String>,
    /// The measured value.
    pub observed: Option<f64>,
    /// The value the contract or baseline expects.
    pub expected: Option<f64>,
    /// One sentence for a human.
    pub message: String,
    /// Supporting numbers and names.
    pub evidence: serde_json::Value,
}

impl Finding {
    /// A finding with no metric, numbers or evidence yet.
    pub fn new(
        class: Class,
        severity: Severity,
        detector: &str,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            class,
            severity,
            detector: detector.to_string(),
            metric: None,
            observed: None,
            expected: None,
            message: message.into(),
            evidence: serde_json::Value::Object(Default::default()),
        }
    }

    /// Sets the metric with its observed and expected values.
    pub fn metric(mut self, name: &str, observed: f64, expected: Option<f64>) -> Self {
        self.metric = Some(name.to_string());
        self.observed = Some(observed);
        self.expected = expected;
        self
    }

    /// Sets the evidence.
    pub fn evidence(mut self, evidence: serde_json::Value) -> Self {
        self.evidence = evidence;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_match_serde_and_design() {
        for c in Class::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(Class::ALL.len(), 16);
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
