//! Where each YAML node starts: a tree of line/column markers built with
//! yaml-rust2's event parser, so semantic problems point at the offending node.
//!
//! serde_yaml reports locations only for its own (structural) errors; this tree
//! answers "where is `steps[2].do.sql`?" for everything found later.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// One YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it holds.
    pub kind: Kind,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar (or an alias, kept as empty text) and whether it was plain
    /// (unquoted, so `true`, `12` or `~` are typed rather than text).
    Scalar(String, bool),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping: (key, where the key starts, value); keys are scalars' text.
    Map(Vec<(String, Pos, Node)>),
}

/// One step of a path into the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index.
    Index(usize),
}

impl Node {
    /// The node at `path`, or the deepest ancestor that exists.
    pub fn locate(&self, path: &[Seg<'_>]) -> Pos {
        let mut node = self;
        for seg in path {
            let next = match (seg, &node.kind) {
                (Seg::Key(k), Kind::Map(entries)) => {
                    entries.iter().find(|(n, _, _)| n == k).map(|(_, _, v)| v)
                }
                (Seg::Index(i), Kind::Seq(items)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.pos
    }
}

fn pos(m: &Marker) -> Pos {
    // yaml-rust2 markers: line 1-based, column 0-based.
    Pos {
        line: m.line(),
        column: m.col() + 1,
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<(String, Pos)>)>,
    docs: Vec<Node>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some((parent, key_slot)) => match &mut parent.kind {
                Kind::Seq(items) => items.push(node),
                Kind::Map(entries) => match key_slot.take() {
                    None => {
                        // A block mapping's start event is marked after its first
                        // key; the key itself is where the mapping starts.
                        if entries.is_empty() {
                            parent.pos = parent.pos.min(node.pos);
                        }
                        let key = match &node.kind {
                            Kind::Scalar(s, _) => s.clone(),
                            _ => String::new(),
                        };
                        *key_slot = Some((key, node.pos));
                    }
                    Some((key, at)) => entries.push((key, at, node)),
                },
                Kind::Scalar(..) => {}
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let p = pos(&mark);
        match ev {
            Event::Scalar(text, style, ..) => self.push_value(Node {
                pos: p,
                kind: Kind::Scalar(text, style == TScalarStyle::Plain),
            }),
            Event::Alias(_) => self.push_value(Node {
                pos: p,
                kind: Kind::Scalar(String::new(), false),
            }),
            Event::SequenceStart(..) => self.stack.push((
                Node {
                    pos: p,
                    kind: Kind::Seq(vec![]),
                },
                None,
            )),
            Event::MappingStart(..) => self.stack.push((
                Node {
                    pos: p,
                    kind: Kind::Map(vec![]),
                },
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            _ => {}
        }
    }
}

/// Parses `text` into one tree per document, or the syntax error with its position.
pub fn parse(text: &str) -> Result<Vec<Node>, (Pos, String)> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut b, true)
        .map_err(|e| (pos(e.marker()), e.info().to_string()))?;
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_where_they_start() {
        let text = "name: x\nsteps:\n  - name: a\n    do:\n      kind: sql\n      sql: |\n        VACUUM\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 1);
        let root = &docs[0];
        let at = |path: &[Seg<'_>]| {
            let p = root.locate(path);
            (p.line, p.column)
        };
        assert_eq!(at(&[Seg::Key("name")]), (1, 7));
        assert_eq!(
            at(&[Seg::Key("steps"), Seg::Index(0), Seg::Key("name")]),
            (3, 11)
        );
        assert_eq!(
            at(&[
                Seg::Key("steps"),
                Seg::Index(0),
                Seg::Key("do"),
                Seg::Key("kind")
            ]),
            (5, 13)
        );
        // missing nodes fall back to the nearest ancestor
        assert_eq!(
            at(&[Seg::Key("steps"), Seg::Index(0), Seg::Key("undo")]),
            (3, 5)
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let (p, msg) = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(p.line >= 1 && !msg.is_empty(), "{p:?} {msg}");
        let (p, _) = parse("a: b\n  c: d\n").unwrap_err();
        assert_eq!(p.line, 2);
    }
}
