//! Notes: odd things met while reading pages, counted by kind with a few examples,
//! so that a badly damaged index gives a short report rather than thousands of lines.

use std::collections::BTreeMap;

/// Examples kept per kind.
const EXAMPLES: usize = 3;

/// Notes grouped by kind.
#[derive(Debug, Default, Clone)]
pub struct Notes {
    kinds: BTreeMap<&'static str, (u64, Vec<String>)>,
    plain: Vec<String>,
}

impl Notes {
    /// Counts one occurrence of `kind`, keeping `example` if few are kept yet.
    pub fn add(&mut self, kind: &'static str, example: String) {
        let (n, examples) = self.kinds.entry(kind).or_default();
        *n += 1;
        if examples.len() < EXAMPLES {
            examples.push(example);
        }
    }

    /// Adds a note that stands alone.
    pub fn say(&mut self, note: impl Into<String>) {
        self.plain.push(note.into());
    }

    /// The notes as sentences: grouped kinds first (sorted), then the plain ones.
    pub fn into_vec(self) -> Vec<String> {
        let mut out: Vec<String> = self
            .kinds
            .into_iter()
            .map(|(kind, (n, ex))| {
                let more = if n as usize > ex.len() { "; ..." } else { "" };
                format!("{kind}: {n} ({}{more})", ex.join("; "))
            })
            .collect();
        out.extend(self.plain);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_group_and_cap_examples() {
        let mut n = Notes::default();
        for i in 0..5 {
            n.add("skipped pages", format!("block {i}"));
        }
        n.say("plain");
        assert_eq!(
            n.into_vec(),
            vec![
                "skipped pages: 5 (block 0; block 1; block 2; ...)".to_string(),
                "plain".to_string()
            ]
        );
    }
}
