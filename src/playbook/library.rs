//! The playbook library: the bundled set compiled into the binary, plus a folder
//! (`--playbooks DIR`) whose playbooks add to or override bundled ones by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::model::Playbook;
use super::validate::{self, Problem};
use crate::exit;
use crate::vocab::Class;

/// The bundled playbooks: (file name, text).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "vacuum_collection.yaml",
        include_str!("../../playbooks/vacuum_collection.yaml"),
    ),
    (
        "reindex_concurrently.yaml",
        include_str!("../../playbooks/reindex_concurrently.yaml"),
    ),
    (
        "rebuild_and_swap.yaml",
        include_str!("../../playbooks/rebuild_and_swap.yaml"),
    ),
    (
        "rebuild_ivfflat_lists.yaml",
        include_str!("../../playbooks/rebuild_ivfflat_lists.yaml"),
    ),
    (
        "tune_search_params.yaml",
        include_str!("../../playbooks/tune_search_params.yaml"),
    ),
    (
        "drop_invalid_and_rebuild.yaml",
        include_str!("../../playbooks/drop_invalid_and_rebuild.yaml"),
    ),
    (
        "create_missing_index.yaml",
        include_str!("../../playbooks/create_missing_index.yaml"),
    ),
    (
        "cancel_blocking_sessions.yaml",
        include_str!("../../playbooks/cancel_blocking_sessions.yaml"),
    ),
    (
        "throttle_ingestion.yaml",
        include_str!("../../playbooks/throttle_ingestion.yaml"),
    ),
    (
        "prewarm_index.yaml",
        include_str!("../../playbooks/prewarm_index.yaml"),
    ),
    (
        "ruvector_disable_index_only_scan.yaml",
        include_str!("../../playbooks/ruvector_disable_index_only_scan.yaml"),
    ),
    (
        "ruvector_reindex.yaml",
        include_str!("../../playbooks/ruvector_reindex.yaml"),
    ),
    (
        "ruvector_drop_invalid_leftover.yaml",
        include_str!("../../playbooks/ruvector_drop_invalid_leftover.yaml"),
    ),
];

/// Where a playbook came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Compiled into the binary from `playbooks/`.
    Bundled,
    /// Loaded from this file.
    Path(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Bundled => f.write_str("bundled"),
            Source::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A playbook and its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loaded {
    /// The playbook.
    pub playbook: Playbook,
    /// Where it came from.
    pub source: Source,
}

/// Playbooks by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Library {
    playbooks: BTreeMap<String, Loaded>,
}

/// The label bundled files carry in problems (`bundled:vacuum_collection.yaml`).
pub fn bundled_label(file: &str) -> String {
    format!("bundled:{file}")
}

impl Library {
    /// The bundled set, validated (problems if a bundled file is broken).
    pub fn bundled() -> Result<Library, Vec<Problem>> {
        let mut lib = Library::default();
        let mut problems = Vec::new();
        for (file, text) in BUNDLED {
            match validate::parse_playbook(&bundled_label(file), text) {
                Ok(p) => {
                    lib.playbooks.insert(
                        p.name.clone(),
                        Loaded {
                            playbook: p,
                            source: Source::Bundled,
                        },
                    );
                }
                Err(mut e) => problems.append(&mut e),
            }
        }
        if problems.is_empty() {
            Ok(lib)
        } else {
            Err(problems)
        }
    }

    /// The bundled set plus the playbooks of `dir` (overriding by name). Any
    /// problem in any file is a usage error (exit 64) listing `file:line:col: message`.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Library> {
        let fail = |problems: Vec<Problem>| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            exit::usage(format!("invalid playbooks:\n{}", lines.join("\n")))
        };
        let mut lib = Library::bundled().map_err(fail)?;
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(exit::usage(format!(
                    "--playbooks {}: not a folder",
                    dir.display()
                )));
            }
            let (valid, problems) = validate::validate_path(dir);
            if !problems.is_empty() {
                return Err(fail(problems));
            }
            for (path, p) in valid {
                lib.playbooks.insert(
                    p.name.clone(),
                    Loaded {
                        playbook: p,
                        source: Source::Path(path),
                    },
                );
            }
        }
        Ok(lib)
    }

    /// One playbook by name.
    pub fn get(&self, name: &str) -> Option<&Loaded> {
        self.playbooks.get(name)
    }

    /// Every playbook, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Loaded> {
        self.playbooks.values()
    }

    /// The playbooks that handle `class`, by name.
    pub fn for_class(&self, class: Class) -> impl Iterator<Item = &Loaded> {
        self.iter().filter(move |l| l.playbook.handles(class))
    }

    /// How many playbooks it holds.
    pub fn len(&self) -> usize {
        self.playbooks.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.playbooks.is_empty()
    }
}
