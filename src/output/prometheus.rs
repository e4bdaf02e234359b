//! Prometheus exposition text (node_exporter textfile collector), written atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// One sample: metric name, labels, value.
pub struct Sample {
    /// Metric name (already `ruvheal_`-prefixed and sanitised by [`metric_name`]).
    pub name: String,
    /// Label pairs.
    pub labels: Vec<(String, String)>,
    /// Value.
    pub value: f64,
}

/// `recall.at_k` -> `ruvheal_recall_at_k`: only `[a-zA-Z0-9_]`.
pub fn metric_name(raw: &str) -> String {
    let body: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("ruvheal_{body}")
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Renders samples grouped by metric name, each with a `# TYPE` line (`counter`
/// for a `*_total` name, else `gauge`).
pub fn render(samples: &[Sample]) -> String {
    let mut by_name: BTreeMap<&str, Vec<&Sample>> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.value.is_finite()) {
        by_name.entry(s.name.as_str()).or_default().push(s);
    }
    let mut out = String::new();
    for (name, group) in by_name {
        let kind = if name.ends_with("_total") {
            "counter"
        } else {
            "gauge"
        };
        out.push_str(&format!("# TYPE {name} {kind}\n"));
        for s in group {
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            if labels.is_empty() {
                out.push_str(&format!("{name} {}\n", s.value));
            } else {
                out.push_str(&format!("{name}{{{}}} {}\n", labels.join(","), s.value));
            }
        }
    }
    out
}

/// Writes `text` to `path` atomically: a temporary file in the same folder, then rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .context("the textfile path has no file name")?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_valid_exposition_lines() {
        let s = vec![
            Sample {
                name: metric_name("recall.at_k"),
                labels: vec![("collection".into(), "a\"b".into())],
                value: 0.5,
            },
            Sample {
                name: metric_name("recall.at_k"),
                labels: vec![("collection".into(), "c".into())],
                value: 1.0,
            },
            Sample {
                name: metric_name("x"),
                labels: vec![],
                value: f64::NAN,
            },
        ];
        let text = render(&s);
        assert_eq!(
            text,
            "# TYPE ruvheal_recall_at_k gauge\nruvheal_recall_at_k{collection=\"a\\\"b\"} 0.5\nruvheal_recall_at_k{collection=\"c\"} 1\n"
        );
    }
}
